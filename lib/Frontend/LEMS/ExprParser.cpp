//===- ExprParser.cpp - RateML expression language ------------*- C++ -*-===//
//
// A recursive-descent parser for RateML expressions. Precedence, lowest
// first: comparison (non-associative), + -, * /, unary - + ~, ^ (right
// associative). Braces group like parentheses so that RateML's {x^2} reads as
// a power.
//
//===----------------------------------------------------------------------===//

#include "rateml/Frontend/LEMS/ExprParser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir::rateml::lems;
using llvm::StringRef;

namespace {

struct FunctionInfo {
  Function function;
  unsigned arity;
};

std::optional<FunctionInfo> lookupFunction(StringRef name) {
  using F = Function;
  return llvm::StringSwitch<std::optional<FunctionInfo>>(name)
      .Cases({"exp", "expf"}, FunctionInfo{F::Exp, 1})
      .Cases({"log", "logf"}, FunctionInfo{F::Log, 1})
      .Cases({"log10", "log10f"}, FunctionInfo{F::Log10, 1})
      .Cases({"sqrt", "sqrtf"}, FunctionInfo{F::Sqrt, 1})
      .Cases({"sin", "sinf"}, FunctionInfo{F::Sin, 1})
      .Cases({"cos", "cosf"}, FunctionInfo{F::Cos, 1})
      .Cases({"tan", "tanf"}, FunctionInfo{F::Tan, 1})
      .Cases({"asin", "asinf"}, FunctionInfo{F::Asin, 1})
      .Cases({"acos", "acosf"}, FunctionInfo{F::Acos, 1})
      .Cases({"atan", "atanf"}, FunctionInfo{F::Atan, 1})
      .Cases({"sinh", "sinhf"}, FunctionInfo{F::Sinh, 1})
      .Cases({"cosh", "coshf"}, FunctionInfo{F::Cosh, 1})
      .Cases({"tanh", "tanhf"}, FunctionInfo{F::Tanh, 1})
      .Cases({"abs", "fabs", "fabsf"}, FunctionInfo{F::Abs, 1})
      .Cases({"ceil", "ceilf"}, FunctionInfo{F::Ceil, 1})
      .Cases({"floor", "floorf"}, FunctionInfo{F::Floor, 1})
      .Cases({"erf", "erff"}, FunctionInfo{F::Erf, 1})
      .Cases({"pow", "powf"}, FunctionInfo{F::Pow, 2})
      .Cases({"min", "fmin", "fminf"}, FunctionInfo{F::Min, 2})
      .Cases({"max", "fmax", "fmaxf"}, FunctionInfo{F::Max, 2})
      .Default(std::nullopt);
}

enum class Tok {
  Number,
  Ident,
  Plus,
  Minus,
  Star,
  Slash,
  Caret,
  Tilde,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Comma,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  End,
  Error
};

struct Token {
  Tok kind;
  size_t offset;
  StringRef text;
  double number = 0;
};

bool isIdentStart(char c) { return std::isalpha((unsigned char)c) || c == '_'; }
bool isIdentChar(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

class Parser {
public:
  explicit Parser(StringRef text) : text(text) { advance(); }

  std::unique_ptr<Expr> parseTop() { return parseComparison(); }

  bool atEnd() const { return tok.kind == Tok::End; }
  bool atComma() const { return tok.kind == Tok::Comma; }
  void advance() { tok = lex(); }
  size_t offset() const { return tok.offset; }

  std::optional<ExprError> error;

  void fail(size_t at, std::string message) {
    if (!error)
      error = ExprError{at, std::move(message)};
  }

  void failUnexpected() {
    if (tok.kind == Tok::End)
      fail(tok.offset, "unexpected end of expression");
    else if (tok.kind != Tok::Error)
      fail(tok.offset, "unexpected '" + tok.text.str() + "'");
  }

private:
  Token lex() {
    while (pos < text.size() && std::isspace((unsigned char)text[pos]))
      ++pos;
    size_t start = pos;
    if (pos >= text.size())
      return {Tok::End, start, ""};
    char c = text[pos];
    if (std::isdigit((unsigned char)c) ||
        (c == '.' && pos + 1 < text.size() &&
         std::isdigit((unsigned char)text[pos + 1])))
      return lexNumber();
    if (isIdentStart(c)) {
      while (pos < text.size() && isIdentChar(text[pos]))
        ++pos;
      return {Tok::Ident, start, text.slice(start, pos)};
    }
    auto two = [&](char next) {
      return pos + 1 < text.size() && text[pos + 1] == next;
    };
    Tok kind;
    size_t len = 1;
    switch (c) {
    case '+':
      kind = Tok::Plus;
      break;
    case '-':
      kind = Tok::Minus;
      break;
    case '*':
      kind = Tok::Star;
      break;
    case '/':
      kind = Tok::Slash;
      break;
    case '^':
      kind = Tok::Caret;
      break;
    case '~':
      kind = Tok::Tilde;
      break;
    case '(':
      kind = Tok::LParen;
      break;
    case ')':
      kind = Tok::RParen;
      break;
    case '{':
      kind = Tok::LBrace;
      break;
    case '}':
      kind = Tok::RBrace;
      break;
    case ',':
      kind = Tok::Comma;
      break;
    case '<':
      kind = two('=') ? (len = 2, Tok::Le) : Tok::Lt;
      break;
    case '>':
      kind = two('=') ? (len = 2, Tok::Ge) : Tok::Gt;
      break;
    case '=':
      if (!two('='))
        return lexError(start, "'=' is not an operator; use '==' to compare");
      kind = Tok::Eq;
      len = 2;
      break;
    case '!':
      if (!two('='))
        return lexError(start, "unexpected character '!'; use '~' for not");
      kind = Tok::Ne;
      len = 2;
      break;
    default: {
      std::string shown = std::isprint((unsigned char)c)
                              ? std::string(1, c)
                              : "\\x" + llvm::utohexstr((unsigned char)c);
      return lexError(start, "unexpected character '" + shown + "'");
    }
    }
    pos += len;
    return {kind, start, text.slice(start, pos)};
  }

  Token lexError(size_t at, std::string message) {
    fail(at, std::move(message));
    pos = text.size();
    return {Tok::Error, at, ""};
  }

  Token lexNumber() {
    size_t start = pos;
    auto digits = [&] {
      size_t from = pos;
      while (pos < text.size() && std::isdigit((unsigned char)text[pos]))
        ++pos;
      return pos > from;
    };
    digits();
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      digits();
    }
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
      size_t save = pos++;
      if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
        ++pos;
      if (!digits())
        pos = save;
    }
    size_t end = pos;
    if (pos < text.size() && (text[pos] == 'f' || text[pos] == 'F'))
      ++pos;
    if (pos < text.size() && isIdentChar(text[pos])) {
      while (pos < text.size() && isIdentChar(text[pos]))
        ++pos;
      return lexError(start, "malformed number '" +
                                 text.slice(start, pos).str() + "'");
    }
    std::string literal = text.slice(start, end).str();
    Token t{Tok::Number, start, text.slice(start, pos)};
    t.number = std::strtod(literal.c_str(), nullptr);
    return t;
  }

  /// Sets the node's depth from its operands; fails when it is too deep.
  std::unique_ptr<Expr> finish(std::unique_ptr<Expr> e) {
    for (const auto &operand : e->operands)
      e->depth = std::max(e->depth, operand->depth + 1);
    if (e->depth > kMaxExprDepth) {
      fail(e->offset, "expression is nested too deeply (more than " +
                          std::to_string(kMaxExprDepth) + " levels)");
      return nullptr;
    }
    return e;
  }

  static std::unique_ptr<Expr> make(Expr::Kind kind, size_t offset) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->offset = offset;
    return e;
  }

  /// Bounds the recursion of the descent itself ('((((x))))', '----x').
  struct DepthGuard {
    Parser &p;
    explicit DepthGuard(Parser &p) : p(p) { ++p.nesting; }
    ~DepthGuard() { --p.nesting; }
    bool tooDeep() const { return p.nesting > kMaxExprDepth; }
  };

  std::unique_ptr<Expr> parseComparison() {
    DepthGuard guard(*this);
    if (guard.tooDeep()) {
      fail(tok.offset, "expression is nested too deeply (more than " +
                           std::to_string(kMaxExprDepth) + " levels)");
      return nullptr;
    }
    auto lhs = parseAdditive();
    if (!lhs)
      return nullptr;
    std::optional<BinaryOp> op = comparisonOp();
    if (!op)
      return lhs;
    size_t at = tok.offset;
    advance();
    auto rhs = parseAdditive();
    if (!rhs)
      return nullptr;
    if (comparisonOp()) {
      fail(tok.offset, "comparisons cannot be chained");
      return nullptr;
    }
    return binary(*op, at, std::move(lhs), std::move(rhs));
  }

  std::optional<BinaryOp> comparisonOp() const {
    switch (tok.kind) {
    case Tok::Lt:
      return BinaryOp::Lt;
    case Tok::Le:
      return BinaryOp::Le;
    case Tok::Gt:
      return BinaryOp::Gt;
    case Tok::Ge:
      return BinaryOp::Ge;
    case Tok::Eq:
      return BinaryOp::Eq;
    case Tok::Ne:
      return BinaryOp::Ne;
    default:
      return std::nullopt;
    }
  }

  std::unique_ptr<Expr> binary(BinaryOp op, size_t at,
                               std::unique_ptr<Expr> lhs,
                               std::unique_ptr<Expr> rhs) {
    auto e = make(Expr::Kind::Binary, at);
    e->binaryOp = op;
    e->operands.push_back(std::move(lhs));
    e->operands.push_back(std::move(rhs));
    return finish(std::move(e));
  }

  using OperandParser = std::unique_ptr<Expr> (Parser::*)();

  /// Parses `operand (op operand)*` for the operators `opFor` accepts,
  /// building a left-associative tree.
  std::unique_ptr<Expr>
  parseLeftAssociative(OperandParser operand,
                       std::optional<BinaryOp> (*opFor)(Tok)) {
    auto lhs = (this->*operand)();
    while (lhs) {
      std::optional<BinaryOp> op = opFor(tok.kind);
      if (!op)
        break;
      size_t at = tok.offset;
      advance();
      auto rhs = (this->*operand)();
      if (!rhs)
        return nullptr;
      lhs = binary(*op, at, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  static std::optional<BinaryOp> additiveOp(Tok kind) {
    if (kind == Tok::Plus)
      return BinaryOp::Add;
    if (kind == Tok::Minus)
      return BinaryOp::Sub;
    return std::nullopt;
  }

  static std::optional<BinaryOp> multiplicativeOp(Tok kind) {
    if (kind == Tok::Star)
      return BinaryOp::Mul;
    if (kind == Tok::Slash)
      return BinaryOp::Div;
    return std::nullopt;
  }

  std::unique_ptr<Expr> parseAdditive() {
    return parseLeftAssociative(&Parser::parseMultiplicative, additiveOp);
  }

  std::unique_ptr<Expr> parseMultiplicative() {
    return parseLeftAssociative(&Parser::parseUnary, multiplicativeOp);
  }

  std::unique_ptr<Expr> parseUnary() {
    DepthGuard guard(*this);
    if (guard.tooDeep()) {
      fail(tok.offset, "expression is nested too deeply (more than " +
                           std::to_string(kMaxExprDepth) + " levels)");
      return nullptr;
    }
    std::optional<UnaryOp> op;
    if (tok.kind == Tok::Minus)
      op = UnaryOp::Neg;
    else if (tok.kind == Tok::Plus)
      op = UnaryOp::Plus;
    else if (tok.kind == Tok::Tilde)
      op = UnaryOp::Not;
    if (!op)
      return parsePower();
    size_t at = tok.offset;
    advance();
    auto operand = parseUnary();
    if (!operand)
      return nullptr;
    auto e = make(Expr::Kind::Unary, at);
    e->unaryOp = *op;
    e->operands.push_back(std::move(operand));
    return finish(std::move(e));
  }

  std::unique_ptr<Expr> parsePower() {
    auto base = parsePrimary();
    if (!base || tok.kind != Tok::Caret)
      return base;
    size_t at = tok.offset;
    advance();
    auto exponent = parseUnary();
    if (!exponent)
      return nullptr;
    return binary(BinaryOp::Pow, at, std::move(base), std::move(exponent));
  }

  std::unique_ptr<Expr> parseGroup(Tok close, StringRef closeText) {
    size_t open = tok.offset;
    advance();
    auto inner = parseComparison();
    if (!inner)
      return nullptr;
    if (tok.kind != close) {
      if (tok.kind == Tok::End)
        fail(open, "unbalanced '" + text.slice(open, open + 1).str() +
                       "': missing '" + closeText.str() + "'");
      else
        fail(tok.offset, "expected '" + closeText.str() + "', found '" +
                             tok.text.str() + "'");
      return nullptr;
    }
    advance();
    return inner;
  }

  std::unique_ptr<Expr> parsePrimary() {
    switch (tok.kind) {
    case Tok::Number: {
      auto e = make(Expr::Kind::Number, tok.offset);
      e->number = tok.number;
      advance();
      return e;
    }
    case Tok::Ident:
      return parseNameOrCall();
    case Tok::LParen:
      return parseGroup(Tok::RParen, ")");
    case Tok::LBrace:
      return parseGroup(Tok::RBrace, "}");
    default:
      if (tok.kind == Tok::End && tok.offset == 0)
        fail(0, "expected an expression");
      else
        failUnexpected();
      return nullptr;
    }
  }

  std::unique_ptr<Expr> parseNameOrCall() {
    Token name = tok;
    advance();
    if (tok.kind != Tok::LParen) {
      auto e = make(Expr::Kind::Name, name.offset);
      e->name = name.text.str();
      return e;
    }
    std::optional<FunctionInfo> info = lookupFunction(name.text);
    if (!info) {
      fail(name.offset, "unknown function '" + name.text.str() + "'");
      return nullptr;
    }
    auto e = make(Expr::Kind::Call, name.offset);
    e->name = name.text.str();
    e->function = info->function;
    size_t open = tok.offset;
    advance();
    if (tok.kind != Tok::RParen) {
      while (true) {
        auto arg = parseComparison();
        if (!arg)
          return nullptr;
        e->operands.push_back(std::move(arg));
        if (tok.kind != Tok::Comma)
          break;
        advance();
      }
    }
    if (tok.kind != Tok::RParen) {
      if (tok.kind == Tok::End)
        fail(open, "unbalanced '(': missing ')'");
      else
        failUnexpected();
      return nullptr;
    }
    advance();
    if (e->operands.size() != info->arity) {
      fail(name.offset, "function '" + name.text.str() + "' takes " +
                            std::to_string(info->arity) + " argument" +
                            (info->arity == 1 ? "" : "s") + ", got " +
                            std::to_string(e->operands.size()));
      return nullptr;
    }
    return finish(std::move(e));
  }

  StringRef text;
  size_t pos = 0;
  unsigned nesting = 0;
  Token tok{Tok::End, 0, ""};
};

} // namespace

bool Expr::isCondition() const {
  if (kind == Kind::Unary)
    return unaryOp == UnaryOp::Not;
  if (kind != Kind::Binary)
    return false;
  switch (binaryOp) {
  case BinaryOp::Lt:
  case BinaryOp::Le:
  case BinaryOp::Gt:
  case BinaryOp::Ge:
  case BinaryOp::Eq:
  case BinaryOp::Ne:
    return true;
  default:
    return false;
  }
}

ParsedExpr mlir::rateml::lems::parseExpression(StringRef text) {
  Parser parser(text);
  ParsedExpr result;
  result.expr = parser.parseTop();
  if (result.expr && !parser.atEnd() && !parser.error)
    parser.failUnexpected();
  if (parser.error)
    result.expr.reset();
  result.error = std::move(parser.error);
  return result;
}

ParsedList mlir::rateml::lems::parseExpressionList(StringRef text) {
  Parser parser(text);
  ParsedList result;
  while (!parser.error) {
    auto expr = parser.parseTop();
    if (!expr)
      break;
    result.exprs.push_back(std::move(expr));
    if (parser.atEnd())
      break;
    if (!parser.atComma()) {
      parser.failUnexpected();
      break;
    }
    parser.advance();
  }
  if (parser.error)
    result.exprs.clear();
  result.error = std::move(parser.error);
  return result;
}

static double applyFunction(Function f, double a, double b) {
  switch (f) {
  case Function::Exp:
    return std::exp(a);
  case Function::Log:
    return std::log(a);
  case Function::Log10:
    return std::log10(a);
  case Function::Sqrt:
    return std::sqrt(a);
  case Function::Sin:
    return std::sin(a);
  case Function::Cos:
    return std::cos(a);
  case Function::Tan:
    return std::tan(a);
  case Function::Asin:
    return std::asin(a);
  case Function::Acos:
    return std::acos(a);
  case Function::Atan:
    return std::atan(a);
  case Function::Sinh:
    return std::sinh(a);
  case Function::Cosh:
    return std::cosh(a);
  case Function::Tanh:
    return std::tanh(a);
  case Function::Abs:
    return std::fabs(a);
  case Function::Ceil:
    return std::ceil(a);
  case Function::Floor:
    return std::floor(a);
  case Function::Erf:
    return std::erf(a);
  case Function::Pow:
    return std::pow(a, b);
  case Function::Min:
    return std::fmin(a, b);
  case Function::Max:
    return std::fmax(a, b);
  }
  return NAN;
}

std::optional<double> mlir::rateml::lems::evaluateConstant(
    const Expr &expr,
    llvm::function_ref<std::optional<double>(const Expr &, ExprError &)> lookup,
    ExprError &error) {
  std::vector<double> args;
  for (const auto &operand : expr.operands) {
    std::optional<double> v = evaluateConstant(*operand, lookup, error);
    if (!v)
      return std::nullopt;
    args.push_back(*v);
  }
  switch (expr.kind) {
  case Expr::Kind::Number:
    return expr.number;
  case Expr::Kind::Name:
    if (expr.name == "pi")
      return M_PI;
    if (expr.name == "inf")
      return INFINITY;
    return lookup(expr, error);
  case Expr::Kind::Unary:
    switch (expr.unaryOp) {
    case UnaryOp::Neg:
      return -args[0];
    case UnaryOp::Plus:
      return args[0];
    case UnaryOp::Not:
      return args[0] == 0.0 ? 1.0 : 0.0;
    }
    break;
  case Expr::Kind::Binary: {
    double a = args[0], b = args[1];
    switch (expr.binaryOp) {
    case BinaryOp::Add:
      return a + b;
    case BinaryOp::Sub:
      return a - b;
    case BinaryOp::Mul:
      return a * b;
    case BinaryOp::Div:
      return a / b;
    case BinaryOp::Pow:
      return std::pow(a, b);
    case BinaryOp::Lt:
      return a < b;
    case BinaryOp::Le:
      return a <= b;
    case BinaryOp::Gt:
      return a > b;
    case BinaryOp::Ge:
      return a >= b;
    case BinaryOp::Eq:
      return a == b;
    case BinaryOp::Ne:
      return a != b;
    }
    break;
  }
  case Expr::Kind::Call:
    return applyFunction(expr.function, args[0],
                         args.size() > 1 ? args[1] : 0.0);
  }
  return std::nullopt;
}

llvm::StringRef mlir::rateml::lems::getFunctionName(Function function) {
  static const char *const names[] = {"exp",   "log",  "log10", "sqrt", "sin",
                                      "cos",   "tan",  "asin",  "acos", "atan",
                                      "sinh",  "cosh", "tanh",  "abs",  "ceil",
                                      "floor", "erf",  "pow",   "min",  "max"};
  return names[static_cast<int>(function)];
}

std::string mlir::rateml::lems::printPrefix(const Expr &expr) {
  auto withOperands = [&](StringRef head) {
    std::string s = "(" + head.str();
    for (const auto &operand : expr.operands)
      s += " " + printPrefix(*operand);
    return s + ")";
  };
  switch (expr.kind) {
  case Expr::Kind::Number: {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", expr.number);
    return buf;
  }
  case Expr::Kind::Name:
    return expr.name;
  case Expr::Kind::Unary: {
    static const char *const names[] = {"neg", "pos", "not"};
    return withOperands(names[static_cast<int>(expr.unaryOp)]);
  }
  case Expr::Kind::Binary: {
    static const char *const names[] = {"+",  "-", "*",  "/",  "^", "<",
                                        "<=", ">", ">=", "==", "!="};
    return withOperands(names[static_cast<int>(expr.binaryOp)]);
  }
  case Expr::Kind::Call:
    return withOperands(getFunctionName(expr.function));
  }
  return "";
}
