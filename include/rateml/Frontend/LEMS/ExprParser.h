//===- ExprParser.h - RateML expression language --------------*- C++ -*-===//
//
// The infix expression language of RateML attribute values (`value`,
// `condition`, `dimension`): an AST that remembers the offset of every node
// in the source text, a parser with precise error offsets, a constant
// evaluator for Constant values and ranges, and a printer for tests.
// Independent of MLIR so that it can be unit-tested and fuzzed cheaply.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_FRONTEND_LEMS_EXPRPARSER_H
#define RATEML_FRONTEND_LEMS_EXPRPARSER_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::rateml::lems {

enum class UnaryOp { Neg, Plus, Not };
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Lt, Le, Gt, Ge, Eq, Ne };

/// The functions expressions may call, with their arity.
enum class Function {
  Exp,
  Log,
  Log10,
  Sqrt,
  Sin,
  Cos,
  Tan,
  Asin,
  Acos,
  Atan,
  Sinh,
  Cosh,
  Tanh,
  Abs,
  Ceil,
  Floor,
  Erf,
  Pow,
  Min,
  Max
};

struct Expr {
  enum class Kind { Number, Name, Unary, Binary, Call };
  Kind kind;
  /// Offset of the node's token (operator, name, literal) in the text.
  size_t offset;
  double number = 0;
  std::string name;
  UnaryOp unaryOp = UnaryOp::Neg;
  BinaryOp binaryOp = BinaryOp::Add;
  Function function = Function::Exp;
  std::vector<std::unique_ptr<Expr>> operands;
  /// Height of the tree below this node (1 for a leaf); the parser keeps it
  /// at most kMaxExprDepth so recursive walks cannot exhaust the stack.
  unsigned depth = 1;

  /// Whether the node yields a truth value (comparison or logical not).
  bool isCondition() const;
};

/// The deepest expression accepted (nesting or a chain of operators).
constexpr unsigned kMaxExprDepth = 256;

struct ExprError {
  size_t offset;
  std::string message;
};

/// The outcome of parsing: an expression, or the first error.
struct ParsedExpr {
  std::unique_ptr<Expr> expr;
  std::optional<ExprError> error;
};

/// Parses one expression. Powers are `{base^exp}` or `base^exp` (right
/// associative, binding tighter than unary minus), `1.0f` literals are
/// accepted, `~x` is logical not.
ParsedExpr parseExpression(llvm::StringRef text);

/// Parses a comma-separated list of expressions (e.g. `"0.0, inf"`).
struct ParsedList {
  std::vector<std::unique_ptr<Expr>> exprs;
  std::optional<ExprError> error;
};
ParsedList parseExpressionList(llvm::StringRef text);

/// Evaluates an expression whose names are all resolved by `lookup`
/// (which returns std::nullopt and may set an error for unknown names).
/// `pi` and `inf` are built in. Returns std::nullopt and sets `error` on
/// failure.
std::optional<double>
evaluateConstant(const Expr &expr,
                 llvm::function_ref<std::optional<double>(const Expr &name,
                                                          ExprError &error)>
                     lookup,
                 ExprError &error);

/// Prints the expression as a fully parenthesised prefix form, e.g.
/// `(+ a (* b 2))`, to make precedence visible in tests.
std::string printPrefix(const Expr &expr);

/// The spelling of a function as written in expressions.
llvm::StringRef getFunctionName(Function function);

} // namespace mlir::rateml::lems

#endif // RATEML_FRONTEND_LEMS_EXPRPARSER_H
