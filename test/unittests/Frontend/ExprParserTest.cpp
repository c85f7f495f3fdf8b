//===- ExprParserTest.cpp - Tests of the RateML expression parser ---------===//
//
// Precedence, associativity, unary operators, powers, literals, functions,
// constant evaluation, and error messages with their exact offsets.
//
//===----------------------------------------------------------------------===//

#include "rateml/Frontend/LEMS/ExprParser.h"
#include "gtest/gtest.h"
#include <cmath>

using namespace mlir::rateml::lems;

namespace {

std::string parse(llvm::StringRef text) {
  ParsedExpr parsed = parseExpression(text);
  if (parsed.error)
    return "error@" + std::to_string(parsed.error->offset) + ": " +
           parsed.error->message;
  return printPrefix(*parsed.expr);
}

std::optional<double> eval(llvm::StringRef text) {
  ParsedExpr parsed = parseExpression(text);
  if (parsed.error)
    return std::nullopt;
  ExprError error{0, ""};
  return evaluateConstant(
      *parsed.expr,
      [](const Expr &name, ExprError &e) -> std::optional<double> {
        if (name.name == "x")
          return 3.0;
        e = {name.offset, "unknown"};
        return std::nullopt;
      },
      error);
}

TEST(ExprParser, Precedence) {
  EXPECT_EQ(parse("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(parse("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(parse("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(parse("a + b < c * d"), "(< (+ a b) (* c d))");
  EXPECT_EQ(parse("a / b * c"), "(* (/ a b) c)");
}

TEST(ExprParser, LeftAssociativity) {
  EXPECT_EQ(parse("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(parse("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(parse("1.0f / 1.0 / dt"), "(/ (/ 1 1) dt)");
}

TEST(ExprParser, PowerIsRightAssociativeAndBindsTighterThanMinus) {
  EXPECT_EQ(parse("a ^ b ^ c"), "(^ a (^ b c))");
  EXPECT_EQ(parse("-x^2"), "(neg (^ x 2))");
  EXPECT_EQ(parse("2^-1"), "(^ 2 (neg 1))");
  EXPECT_EQ(parse("a * b ^ 2"), "(* a (^ b 2))");
}

TEST(ExprParser, BracePowers) {
  EXPECT_EQ(parse("{V^2}"), "(^ V 2)");
  EXPECT_EQ(parse("{pi^2} * {tau^2} * {r^2}"),
            "(* (* (^ pi 2) (^ tau 2)) (^ r 2))");
  EXPECT_EQ(parse("- 0.1 * {z^7}"), "(* (neg 0.1) (^ z 7))");
  EXPECT_EQ(parse("{(z - 4)^2}"), "(^ (- z 4) 2)");
}

TEST(ExprParser, UnaryOperators) {
  EXPECT_EQ(parse("-a"), "(neg a)");
  EXPECT_EQ(parse("--a"), "(neg (neg a))");
  EXPECT_EQ(parse("+a"), "(pos a)");
  EXPECT_EQ(parse("-(x1 + 0.5) / 0.1"), "(/ (neg (+ x1 0.5)) 0.1)");
  EXPECT_EQ(parse("~modification"), "(not modification)");
  EXPECT_EQ(parse("a - -b"), "(- a (neg b))");
}

TEST(ExprParser, Literals) {
  EXPECT_EQ(parse("1.0f"), "1");
  EXPECT_EQ(parse("2.5F"), "2.5");
  EXPECT_EQ(parse("3."), "3");
  EXPECT_EQ(parse(".5"), "0.5");
  EXPECT_EQ(parse("1e-5"), "1e-05");
  EXPECT_EQ(parse("2E+3"), "2000");
  EXPECT_EQ(parse("60.0 * 2.0 * 3.1415927 / 1e3"),
            "(/ (* (* 60 2) 3.14159) 1000)");
}

TEST(ExprParser, Functions) {
  EXPECT_EQ(parse("sin(V_j - V)"), "(sin (- V_j V))");
  EXPECT_EQ(parse("sqrt(dt) * sqrt(2.0 * 1e-5)"),
            "(* (sqrt dt) (sqrt (* 2 1e-05)))");
  EXPECT_EQ(parse("pow(x, 2)"), "(pow x 2)");
  EXPECT_EQ(parse("max(a, min(b, c))"), "(max a (min b c))");
  EXPECT_EQ(parse("fabs(x)"), "(abs x)");
  EXPECT_EQ(parse("expf(-x)"), "(exp (neg x))");
}

TEST(ExprParser, Comparisons) {
  EXPECT_EQ(parse("x1 < 0.0"), "(< x1 0)");
  EXPECT_EQ(parse("x <= 1"), "(<= x 1)");
  EXPECT_EQ(parse("x >= 1"), "(>= x 1)");
  EXPECT_EQ(parse("x == 1"), "(== x 1)");
  EXPECT_EQ(parse("x != 1"), "(!= x 1)");
  EXPECT_TRUE(parseExpression("x < 1").expr->isCondition());
  EXPECT_FALSE(parseExpression("x + 1").expr->isCondition());
}

TEST(ExprParser, ErrorsCarryOffsets) {
  EXPECT_EQ(parse(""), "error@0: expected an expression");
  EXPECT_EQ(parse("a +"), "error@3: unexpected end of expression");
  EXPECT_EQ(parse("a + * b"), "error@4: unexpected '*'");
  EXPECT_EQ(parse("a $ b"), "error@2: unexpected character '$'");
  EXPECT_EQ(parse("(a + b"), "error@0: unbalanced '(': missing ')'");
  EXPECT_EQ(parse("{V^2"), "error@0: unbalanced '{': missing '}'");
  EXPECT_EQ(parse("(a + b}"), "error@6: expected ')', found '}'");
  EXPECT_EQ(parse("a b"), "error@2: unexpected 'b'");
  EXPECT_EQ(parse("2x"), "error@0: malformed number '2x'");
  EXPECT_EQ(parse("foo(1)"), "error@0: unknown function 'foo'");
  EXPECT_EQ(parse("1 + pow(2)"),
            "error@4: function 'pow' takes 2 arguments, got 1");
  EXPECT_EQ(parse("sin(1, 2)"),
            "error@0: function 'sin' takes 1 argument, got 2");
  EXPECT_EQ(parse("a < b < c"), "error@6: comparisons cannot be chained");
  EXPECT_EQ(parse("a = b"),
            "error@2: '=' is not an operator; use '==' to compare");
  EXPECT_EQ(parse("a ! b"),
            "error@2: unexpected character '!'; use '~' for not");
}

TEST(ExprParser, DepthIsBounded) {
  // Deep nesting and long operator chains are refused before any recursive
  // walk could exhaust the stack.
  std::string nested =
      std::string(100000, '(') + "x" + std::string(100000, ')');
  EXPECT_NE(parse(nested).find("nested too deeply"), std::string::npos);
  std::string minus = std::string(100000, '-') + "x";
  EXPECT_NE(parse(minus).find("nested too deeply"), std::string::npos);
  std::string sum = "x";
  for (int i = 0; i < 100000; ++i)
    sum += "+x";
  EXPECT_NE(parse(sum).find("nested too deeply"), std::string::npos);
  std::string power = "x";
  for (int i = 0; i < 100000; ++i)
    power += "^x";
  EXPECT_NE(parse(power).find("nested too deeply"), std::string::npos);
  // A realistic expression is far from the limit.
  std::string fine = "x";
  for (int i = 0; i < 200; ++i)
    fine += "+x";
  EXPECT_EQ(parse(fine).rfind("error", 0), std::string::npos);
}

TEST(ExprParser, Lists) {
  ParsedList list = parseExpressionList("0.0, inf");
  ASSERT_FALSE(list.error);
  ASSERT_EQ(list.exprs.size(), 2u);
  EXPECT_EQ(printPrefix(*list.exprs[1]), "inf");
  ParsedList bad = parseExpressionList("0.0, ");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->offset, 5u);
  ParsedList trailing = parseExpressionList("1 2");
  ASSERT_TRUE(trailing.error);
  EXPECT_EQ(trailing.error->offset, 2u);
}

TEST(ExprParser, ConstantEvaluationIsRealValued) {
  EXPECT_DOUBLE_EQ(*eval("1 / 4"), 0.25);
  EXPECT_DOUBLE_EQ(*eval("2 ^ 3 ^ 2"), 512.0);
  EXPECT_DOUBLE_EQ(*eval("-2 ^ 2"), -4.0);
  EXPECT_DOUBLE_EQ(*eval("0.641 / 1000.0"), 0.000641);
  EXPECT_DOUBLE_EQ(*eval("x * pi"), 3.0 * M_PI);
  EXPECT_TRUE(std::isinf(*eval("inf")));
  EXPECT_DOUBLE_EQ(*eval("x < 4"), 1.0);
  EXPECT_DOUBLE_EQ(*eval("~x"), 0.0);
  EXPECT_DOUBLE_EQ(*eval("max(1, x)"), 3.0);
  EXPECT_FALSE(eval("y + 1"));
}

} // namespace
