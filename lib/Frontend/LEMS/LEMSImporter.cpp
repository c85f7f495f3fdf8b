//===- LEMSImporter.cpp - RateML/LEMS XML to the rateml dialect -*- C++ -*-===//
//
// Builds a rateml.model from a RateML XML file in two phases: first every
// declaration is collected (so expressions may name anything the file
// defines, in any order, and duplicates are found), then every expression is
// parsed and emitted as arith/math ops, each located at its token in the XML.
// The result is verified before it is returned.
//
//===----------------------------------------------------------------------===//

#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "XMLDocument.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "rateml/Frontend/LEMS/ExprParser.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::lems;

/// "lo, hi" in short decimal form (diagnostics print doubles in scientific
/// notation otherwise).
static std::string formatRange(double lo, double hi) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g, %g", lo, hi);
  return buf;
}

namespace {

enum class DeclKind {
  Param,
  Constant,
  DerivedParam,
  State,
  Derived,
  Conditional,
  Coupling
};

StringRef describe(DeclKind kind) {
  switch (kind) {
  case DeclKind::Param:
    return "a swept parameter";
  case DeclKind::Constant:
    return "a constant";
  case DeclKind::DerivedParam:
    return "a derived parameter";
  case DeclKind::State:
    return "a state variable";
  case DeclKind::Derived:
    return "a derived variable";
  case DeclKind::Conditional:
    return "a conditional derived variable";
  case DeclKind::Coupling:
    return "a coupling result";
  }
  return "";
}

/// One declaration as written: its element and attributes.
struct Decl {
  DeclKind kind;
  std::string name;
  xmlNode *node;
  std::vector<XMLAttribute> attrs;

  const XMLAttribute *attr(StringRef attrName) const {
    for (const XMLAttribute &a : attrs)
      if (a.name == attrName)
        return &a;
    return nullptr;
  }
};

/// A coupling component with pre/post functions.
struct CouplingDecl {
  xmlNode *component;
  Decl result; // the DerivedParameter: result name and scale
  Decl source; // the Parameter: local name and state index
  std::optional<XMLAttribute> pre, post;
};

/// Unnamed declarations (exposures, time derivatives) keep their order.
struct LabelledDecl {
  std::string label;
  xmlNode *node;
  std::optional<XMLAttribute> value;
};

/// Attributes each element may carry; anything else draws a warning.
const llvm::StringMap<std::vector<StringRef>> &knownAttributes() {
  static const llvm::StringMap<std::vector<StringRef>> table = {
      {"Lems", {"description"}},
      {"ComponentType", {"name", "description", "extends"}},
      {"Parameter", {"name", "dimension", "description"}},
      {"DerivedParameter", {"name", "value", "dimension", "description"}},
      {"Constant", {"name", "value", "dimension", "description"}},
      {"Exposure", {"name", "dimension", "description"}},
      {"Dynamics", {}},
      {"StateVariable", {"name", "dimension", "exposure", "description"}},
      {"DerivedVariable",
       {"name", "value", "dimension", "exposure", "description"}},
      {"ConditionalDerivedVariable",
       {"name", "dimension", "exposure", "description"}},
      {"Case", {"condition", "value"}},
      {"TimeDerivative", {"variable", "value"}},
  };
  return table;
}

bool isIdentifier(StringRef name) {
  if (name.empty() || !(std::isalpha((unsigned char)name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(
      name, [](char c) { return std::isalnum((unsigned char)c) || c == '_'; });
}

bool isReserved(StringRef name) {
  return name == "dt" || name == "n_node" || name == "pi" || name == "inf";
}

class Importer {
public:
  Importer(XMLDocument &doc, StringRef filename, MLIRContext *ctx)
      : doc(doc), filename(filename), ctx(ctx), b(ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  //===--------------------------------------------------------------===//
  // Locations and diagnostics
  //===--------------------------------------------------------------===//

  Location locAt(size_t offset) {
    SourcePos pos = doc.getPos(offset);
    return FileLineColLoc::get(ctx, filename, pos.line, pos.col);
  }
  Location loc(const xmlNode *node) {
    return locAt(doc.getOffset(const_cast<xmlNode *>(node)));
  }
  Location loc(const XMLAttribute &attr, size_t index = 0) {
    return locAt(
        attr.sourceOffsets[std::min(index, attr.sourceOffsets.size() - 1)]);
  }
  InFlightDiagnostic error(Location l) {
    failed = true;
    return emitError(l);
  }
  static std::string tag(const xmlNode *node) {
    return "<" + XMLDocument::getName(const_cast<xmlNode *>(node)).str() + ">";
  }

  //===--------------------------------------------------------------===//
  // Phase 1: collect declarations
  //===--------------------------------------------------------------===//

  void collectRoot(xmlNode *root);
  void collectDerivatives(xmlNode *component);
  void collectDynamics(xmlNode *dynamics);
  void collectCoupling(xmlNode *component);
  void warnUnknownAttributes(xmlNode *node);
  void warnUnknownElement(xmlNode *node, StringRef where);

  std::optional<XMLAttribute> required(xmlNode *node, StringRef name);
  std::optional<Decl> makeDecl(DeclKind kind, xmlNode *node);
  void declare(Decl decl);

  //===--------------------------------------------------------------===//
  // Phase 2: build the model
  //===--------------------------------------------------------------===//

  void build(ModuleOp module);
  std::optional<std::pair<double, double>>
  evaluateRange(const XMLAttribute &attr, StringRef what);
  std::optional<double> constantValue(const Decl &decl);
  bool emitBody(Region &region, const XMLAttribute &attr,
                StringRef localName = {});
  Value emitExpr(const Expr &expr, const XMLAttribute &attr,
                 StringRef localName, Value local);
  Value asReal(Value v);
  Value asCondition(Value v);
  std::string suggest(StringRef name);
  std::optional<int64_t> sourceIndex(const CouplingDecl &coupling,
                                     size_t numStates);

  XMLDocument &doc;
  StringRef filename;
  MLIRContext *ctx;
  OpBuilder b;
  bool failed = false;

  xmlNode *derivatives = nullptr;
  xmlNode *noise = nullptr;
  std::vector<Decl> decls;
  llvm::StringMap<size_t> byName;
  std::vector<LabelledDecl> exposures, timeDerivatives;
  std::vector<std::pair<Decl, std::vector<XMLAttribute>>> conditionalCases;
  std::vector<CouplingDecl> couplings;

  llvm::StringMap<std::optional<double>> constantValues;
  llvm::StringSet<> constantsInProgress;
};

//===----------------------------------------------------------------------===//
// Phase 1
//===----------------------------------------------------------------------===//

void Importer::warnUnknownAttributes(xmlNode *node) {
  auto it = knownAttributes().find(XMLDocument::getName(node));
  if (it == knownAttributes().end())
    return;
  for (const XMLAttribute &attr : doc.getAttributes(node))
    if (!llvm::is_contained(it->second, attr.name))
      emitWarning(loc(node)) << "unknown attribute '" << attr.name << "' on "
                             << tag(node) << " is ignored";
}

void Importer::warnUnknownElement(xmlNode *node, StringRef where) {
  emitWarning(loc(node)) << "unknown element " << tag(node) << " in " << where
                         << " is ignored";
}

std::optional<XMLAttribute> Importer::required(xmlNode *node, StringRef name) {
  std::optional<XMLAttribute> attr = doc.getAttribute(node, name);
  if (!attr)
    error(loc(node)) << tag(node) << " needs a '" << name << "' attribute";
  return attr;
}

std::optional<Decl> Importer::makeDecl(DeclKind kind, xmlNode *node) {
  warnUnknownAttributes(node);
  std::optional<XMLAttribute> name = required(node, "name");
  if (!name)
    return std::nullopt;
  if (!isIdentifier(name->value)) {
    error(loc(*name)) << "invalid name '" << name->value
                      << "': names are letters, digits and '_', not "
                         "starting with a digit";
    return std::nullopt;
  }
  if (isReserved(name->value)) {
    error(loc(*name)) << "'" << name->value
                      << "' is a reserved name and cannot be defined";
    return std::nullopt;
  }
  return Decl{kind, name->value, node, doc.getAttributes(node)};
}

void Importer::declare(Decl decl) {
  auto [it, inserted] = byName.try_emplace(decl.name, decls.size());
  if (inserted) {
    decls.push_back(std::move(decl));
    return;
  }
  const Decl &previous = decls[it->second];
  auto definingValue = [](const Decl &d) {
    const XMLAttribute *value = d.attr("value");
    if (!value)
      value = d.attr("dimension");
    return value ? llvm::StringRef(value->value).trim().str() : std::string();
  };
  if (previous.kind == decl.kind &&
      definingValue(previous) == definingValue(decl)) {
    InFlightDiagnostic diag = emitWarning(loc(decl.node))
                              << "duplicate definition of '" << decl.name
                              << "' is identical and ignored";
    diag.attachNote(loc(previous.node)) << "previous definition is here";
    return;
  }
  InFlightDiagnostic diag = error(loc(decl.node));
  if (previous.kind == decl.kind)
    diag << "'" << decl.name << "' is defined twice with different values";
  else
    diag << "'" << decl.name << "' is defined twice: as "
         << describe(previous.kind) << " and as " << describe(decl.kind);
  diag.attachNote(loc(previous.node)) << "previous definition is here";
}

void Importer::collectRoot(xmlNode *root) {
  if (XMLDocument::getName(root) != "Lems") {
    error(loc(root)) << "expected a <Lems> root element, found " << tag(root);
    return;
  }
  warnUnknownAttributes(root);
  std::vector<xmlNode *> couplingComponents;
  for (xmlNode *child : XMLDocument::getChildElements(root)) {
    if (XMLDocument::getName(child) != "ComponentType") {
      warnUnknownElement(child, "<Lems>");
      continue;
    }
    warnUnknownAttributes(child);
    std::optional<XMLAttribute> name = required(child, "name");
    if (!name)
      continue;
    StringRef kind = name->value;
    if (kind == "derivatives") {
      if (derivatives) {
        error(loc(child)) << "a second ComponentType 'derivatives'";
        continue;
      }
      derivatives = child;
    } else if (kind.contains("coupling")) {
      couplingComponents.push_back(child);
    } else if (kind == "noise") {
      if (noise)
        emitWarning(loc(child)) << "a second ComponentType 'noise' is ignored";
      else
        noise = child;
    } else {
      emitWarning(loc(*name))
          << "ComponentType '" << kind
          << "' is ignored (rateml reads 'derivatives', names containing "
             "'coupling', and 'noise')";
    }
  }
  if (!derivatives) {
    error(loc(root)) << "missing <ComponentType name=\"derivatives\">";
    return;
  }
  collectDerivatives(derivatives);
  for (xmlNode *component : couplingComponents)
    collectCoupling(component);
  if (noise)
    for (xmlNode *child : XMLDocument::getChildElements(noise))
      warnUnknownElement(child, "the noise ComponentType");
}

void Importer::collectDerivatives(xmlNode *component) {
  for (xmlNode *child : XMLDocument::getChildElements(component)) {
    StringRef name = XMLDocument::getName(child);
    std::optional<DeclKind> kind;
    if (name == "Parameter")
      kind = DeclKind::Param;
    else if (name == "DerivedParameter")
      kind = DeclKind::DerivedParam;
    else if (name == "Constant")
      kind = DeclKind::Constant;
    if (kind) {
      if (std::optional<Decl> decl = makeDecl(*kind, child))
        declare(std::move(*decl));
    } else if (name == "Exposure") {
      warnUnknownAttributes(child);
      std::optional<XMLAttribute> label = required(child, "name");
      if (!label)
        continue;
      std::optional<XMLAttribute> value = doc.getAttribute(child, "dimension");
      if (!value || StringRef(value->value).trim().empty())
        value = label;
      exposures.push_back({label->value, child, value});
    } else if (name == "Dynamics") {
      collectDynamics(child);
    } else {
      warnUnknownElement(child, "the derivatives ComponentType");
    }
  }
}

void Importer::collectDynamics(xmlNode *dynamics) {
  for (xmlNode *child : XMLDocument::getChildElements(dynamics)) {
    StringRef name = XMLDocument::getName(child);
    if (name == "StateVariable") {
      if (std::optional<Decl> decl = makeDecl(DeclKind::State, child))
        declare(std::move(*decl));
    } else if (name == "DerivedVariable") {
      if (std::optional<Decl> decl = makeDecl(DeclKind::Derived, child))
        declare(std::move(*decl));
    } else if (name == "ConditionalDerivedVariable") {
      std::optional<Decl> decl = makeDecl(DeclKind::Conditional, child);
      if (!decl)
        continue;
      declare(*decl);
      std::vector<XMLAttribute> cases;
      for (xmlNode *c : XMLDocument::getChildElements(child)) {
        if (XMLDocument::getName(c) != "Case") {
          warnUnknownElement(c, "<ConditionalDerivedVariable>");
          continue;
        }
        warnUnknownAttributes(c);
        std::optional<XMLAttribute> value = required(c, "value");
        std::optional<XMLAttribute> condition =
            doc.getAttribute(c, "condition");
        if (!value)
          continue;
        if (!condition) {
          // A missing condition reads as "else"; keep its position.
          condition = XMLAttribute{"condition", "", {doc.getOffset(c)}};
        }
        cases.push_back(std::move(*condition));
        cases.push_back(std::move(*value));
      }
      conditionalCases.push_back({std::move(*decl), std::move(cases)});
    } else if (name == "TimeDerivative") {
      warnUnknownAttributes(child);
      std::optional<XMLAttribute> variable = required(child, "variable");
      std::optional<XMLAttribute> value = required(child, "value");
      if (variable && value)
        timeDerivatives.push_back({variable->value, child, value});
    } else {
      warnUnknownElement(child, "<Dynamics>");
    }
  }
}

void Importer::collectCoupling(xmlNode *component) {
  std::optional<XMLAttribute> componentName =
      doc.getAttribute(component, "name");
  std::vector<Decl> params, results;
  CouplingDecl coupling{component, {}, {}, {}, {}};
  for (xmlNode *child : XMLDocument::getChildElements(component)) {
    StringRef name = XMLDocument::getName(child);
    if (name == "Parameter") {
      if (std::optional<Decl> decl = makeDecl(DeclKind::Param, child))
        params.push_back(std::move(*decl));
    } else if (name == "DerivedParameter") {
      if (std::optional<Decl> decl = makeDecl(DeclKind::Coupling, child))
        results.push_back(std::move(*decl));
    } else if (name == "Constant") {
      if (std::optional<Decl> decl = makeDecl(DeclKind::Constant, child))
        declare(std::move(*decl));
    } else if (name == "Dynamics") {
      for (xmlNode *dv : XMLDocument::getChildElements(child)) {
        std::optional<XMLAttribute> dvName;
        if (XMLDocument::getName(dv) == "DerivedVariable")
          dvName = doc.getAttribute(dv, "name");
        if (!dvName || (dvName->value != "pre" && dvName->value != "post")) {
          emitWarning(loc(dv))
              << "only DerivedVariables named 'pre' and 'post' are read in a "
                 "coupling component; "
              << tag(dv) << " is ignored";
          continue;
        }
        warnUnknownAttributes(dv);
        std::optional<XMLAttribute> value = required(dv, "value");
        if (!value)
          continue;
        (dvName->value == "pre" ? coupling.pre : coupling.post) =
            std::move(value);
      }
    } else {
      warnUnknownElement(child, "a coupling ComponentType");
    }
  }
  std::string componentLabel =
      componentName ? componentName->value : std::string("coupling");
  if (results.size() != 1) {
    error(loc(component)) << "coupling component '" << componentLabel
                          << "' needs exactly one <DerivedParameter> (its "
                             "result name and scale), found "
                          << results.size();
    return;
  }
  if (!coupling.pre && !coupling.post) {
    emitWarning(loc(component))
        << "coupling component '" << componentLabel
        << "' has no pre/post functions; '" << results[0].name
        << "' is treated as a plain derived variable";
    results[0].kind = DeclKind::Derived;
    declare(std::move(results[0]));
    return;
  }
  if (!coupling.pre) {
    error(loc(component)) << "coupling component '" << componentLabel
                          << "' has 'post' but no 'pre'";
    return;
  }
  if (params.size() != 1) {
    error(loc(component))
        << "coupling component '" << componentLabel
        << "' needs exactly one <Parameter> naming the delayed source "
           "(dimension = state index), found "
        << params.size();
    return;
  }
  coupling.result = results[0];
  coupling.source = std::move(params[0]);
  declare(std::move(results[0]));
  couplings.push_back(std::move(coupling));
}

//===----------------------------------------------------------------------===//
// Phase 2
//===----------------------------------------------------------------------===//

std::string Importer::suggest(StringRef name) {
  StringRef best;
  unsigned bestDistance = 3;
  for (const Decl &decl : decls) {
    unsigned d = name.edit_distance(decl.name, true, bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = decl.name;
    }
  }
  return best.empty() ? std::string() : "; did you mean '" + best.str() + "'?";
}

std::optional<std::pair<double, double>>
Importer::evaluateRange(const XMLAttribute &attr, StringRef what) {
  ParsedList list = parseExpressionList(attr.value);
  if (list.error) {
    error(loc(attr, list.error->offset)) << list.error->message;
    return std::nullopt;
  }
  if (list.exprs.empty() || list.exprs.size() > 2) {
    error(loc(attr)) << what << " must be 'lo, hi', found '" << attr.value
                     << "'";
    return std::nullopt;
  }
  double values[2];
  for (size_t i = 0; i < list.exprs.size(); ++i) {
    ExprError err{0, ""};
    std::optional<double> v = evaluateConstant(
        *list.exprs[i],
        [&](const Expr &name, ExprError &e) -> std::optional<double> {
          e = {name.offset, "only numbers, 'pi' and 'inf' may appear in " +
                                what.str() + ", found '" + name.name + "'"};
          return std::nullopt;
        },
        err);
    if (!v) {
      error(loc(attr, err.offset)) << err.message;
      return std::nullopt;
    }
    values[i] = *v;
  }
  if (list.exprs.size() == 1)
    values[1] = values[0];
  return std::make_pair(values[0], values[1]);
}

std::optional<double> Importer::constantValue(const Decl &decl) {
  auto known = constantValues.find(decl.name);
  if (known != constantValues.end())
    return known->second;
  const XMLAttribute *value = decl.attr("value");
  if (!value) {
    error(loc(decl.node)) << "<Constant> needs a 'value' attribute";
    return constantValues[decl.name] = std::nullopt;
  }
  ParsedExpr parsed = parseExpression(value->value);
  if (parsed.error) {
    error(loc(*value, parsed.error->offset)) << parsed.error->message;
    return constantValues[decl.name] = std::nullopt;
  }
  constantsInProgress.insert(decl.name);
  ExprError err{0, ""};
  std::optional<double> result = evaluateConstant(
      *parsed.expr,
      [&](const Expr &name, ExprError &e) -> std::optional<double> {
        auto it = byName.find(name.name);
        if (it == byName.end()) {
          e = {name.offset,
               "unknown name '" + name.name + "'" + suggest(name.name)};
          return std::nullopt;
        }
        const Decl &other = decls[it->second];
        if (other.kind != DeclKind::Constant) {
          e = {name.offset, "constant '" + decl.name +
                                "' can only use numbers and other "
                                "constants, but '" +
                                name.name + "' is " +
                                describe(other.kind).str() +
                                "; use a <DerivedParameter> instead"};
          return std::nullopt;
        }
        if (constantsInProgress.contains(name.name)) {
          e = {name.offset,
               "constant '" + name.name + "' is defined in terms of itself"};
          return std::nullopt;
        }
        std::optional<double> v = constantValue(other);
        if (!v)
          e = {name.offset, ""}; // already reported
        return v;
      },
      err);
  constantsInProgress.erase(decl.name);
  if (!result && !err.message.empty())
    error(loc(*value, err.offset)) << err.message;
  if (result && !std::isfinite(*result)) {
    error(loc(*value)) << "constant '" << decl.name << "' evaluates to "
                       << *result;
    result = std::nullopt;
  }
  return constantValues[decl.name] = result;
}

Value Importer::asReal(Value v) {
  if (!v || v.getType().isF64())
    return v;
  return arith::UIToFPOp::create(b, v.getLoc(), b.getF64Type(), v);
}

Value Importer::asCondition(Value v) {
  if (!v || v.getType().isInteger(1))
    return v;
  Value zero = arith::ConstantOp::create(b, v.getLoc(), b.getF64FloatAttr(0));
  return arith::CmpFOp::create(b, v.getLoc(), arith::CmpFPredicate::UNE, v,
                               zero);
}

Value Importer::emitExpr(const Expr &expr, const XMLAttribute &attr,
                         StringRef localName, Value local) {
  Location l = loc(attr, expr.offset);
  SmallVector<Value, 2> operands;
  for (const auto &operand : expr.operands) {
    Value v = emitExpr(*operand, attr, localName, local);
    if (!v)
      return nullptr;
    operands.push_back(v);
  }
  Type f64 = b.getF64Type();
  auto literal = [&](double v) -> Value {
    return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
  };

  switch (expr.kind) {
  case Expr::Kind::Number:
    return literal(expr.number);
  case Expr::Kind::Name: {
    if (!localName.empty() && expr.name == localName)
      return local;
    if (expr.name == "dt")
      return DtOp::create(b, l, f64);
    if (expr.name == "n_node")
      return NNodeOp::create(b, l, f64);
    if (expr.name == "pi")
      return literal(M_PI);
    if (expr.name == "inf")
      return literal(INFINITY);
    if (byName.count(expr.name))
      return GetOp::create(b, l, f64, expr.name);
    error(l) << "unknown name '" << expr.name << "'" << suggest(expr.name);
    return nullptr;
  }
  case Expr::Kind::Unary:
    switch (expr.unaryOp) {
    case UnaryOp::Neg:
      return arith::NegFOp::create(b, l, asReal(operands[0]));
    case UnaryOp::Plus:
      return asReal(operands[0]);
    case UnaryOp::Not: {
      Value truth = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
      return arith::XOrIOp::create(b, l, asCondition(operands[0]), truth);
    }
    }
    break;
  case Expr::Kind::Binary: {
    Value lhs = asReal(operands[0]), rhs = asReal(operands[1]);
    auto compare = [&](arith::CmpFPredicate p) -> Value {
      return arith::CmpFOp::create(b, l, p, lhs, rhs);
    };
    switch (expr.binaryOp) {
    case BinaryOp::Add:
      return arith::AddFOp::create(b, l, lhs, rhs);
    case BinaryOp::Sub:
      return arith::SubFOp::create(b, l, lhs, rhs);
    case BinaryOp::Mul:
      return arith::MulFOp::create(b, l, lhs, rhs);
    case BinaryOp::Div:
      return arith::DivFOp::create(b, l, lhs, rhs);
    case BinaryOp::Pow:
      return math::PowFOp::create(b, l, lhs, rhs);
    case BinaryOp::Lt:
      return compare(arith::CmpFPredicate::OLT);
    case BinaryOp::Le:
      return compare(arith::CmpFPredicate::OLE);
    case BinaryOp::Gt:
      return compare(arith::CmpFPredicate::OGT);
    case BinaryOp::Ge:
      return compare(arith::CmpFPredicate::OGE);
    case BinaryOp::Eq:
      return compare(arith::CmpFPredicate::OEQ);
    case BinaryOp::Ne:
      return compare(arith::CmpFPredicate::UNE);
    }
    break;
  }
  case Expr::Kind::Call: {
    Value x = asReal(operands[0]);
    Value y = operands.size() > 1 ? asReal(operands[1]) : Value();
    switch (expr.function) {
    case Function::Exp:
      return math::ExpOp::create(b, l, x);
    case Function::Log:
      return math::LogOp::create(b, l, x);
    case Function::Log10:
      return math::Log10Op::create(b, l, x);
    case Function::Sqrt:
      return math::SqrtOp::create(b, l, x);
    case Function::Sin:
      return math::SinOp::create(b, l, x);
    case Function::Cos:
      return math::CosOp::create(b, l, x);
    case Function::Tan:
      return math::TanOp::create(b, l, x);
    case Function::Asin:
      return math::AsinOp::create(b, l, x);
    case Function::Acos:
      return math::AcosOp::create(b, l, x);
    case Function::Atan:
      return math::AtanOp::create(b, l, x);
    case Function::Sinh:
      return math::SinhOp::create(b, l, x);
    case Function::Cosh:
      return math::CoshOp::create(b, l, x);
    case Function::Tanh:
      return math::TanhOp::create(b, l, x);
    case Function::Abs:
      return math::AbsFOp::create(b, l, x);
    case Function::Ceil:
      return math::CeilOp::create(b, l, x);
    case Function::Floor:
      return math::FloorOp::create(b, l, x);
    case Function::Erf:
      return math::ErfOp::create(b, l, x);
    case Function::Pow:
      return math::PowFOp::create(b, l, x, y);
    case Function::Min:
      return arith::MinNumFOp::create(b, l, x, y);
    case Function::Max:
      return arith::MaxNumFOp::create(b, l, x, y);
    }
    break;
  }
  }
  return nullptr;
}

bool Importer::emitBody(Region &region, const XMLAttribute &attr,
                        StringRef localName) {
  ParsedExpr parsed = parseExpression(attr.value);
  Block *block = b.createBlock(&region);
  Value local;
  if (!localName.empty())
    local = block->addArgument(b.getF64Type(), loc(attr));
  if (parsed.error) {
    error(loc(attr, parsed.error->offset)) << parsed.error->message;
    return false;
  }
  Value v = asReal(emitExpr(*parsed.expr, attr, localName, local));
  if (!v)
    return false;
  YieldOp::create(b, loc(attr), ValueRange{v});
  return true;
}

std::optional<int64_t> Importer::sourceIndex(const CouplingDecl &coupling,
                                             size_t numStates) {
  const XMLAttribute *dim = coupling.source.attr("dimension");
  if (!dim) {
    error(loc(coupling.source.node))
        << "the coupling <Parameter> needs a 'dimension' attribute: the "
           "index of the state variable it reads";
    return std::nullopt;
  }
  StringRef text = StringRef(dim->value).trim();
  size_t lead = StringRef(dim->value).find_first_not_of(" \t");
  int64_t index;
  if (text.getAsInteger(10, index) || index < 0) {
    error(loc(*dim, lead == StringRef::npos ? 0 : lead))
        << "coupling source must be a state variable index (0, 1, ...), "
           "found '"
        << dim->value << "'";
    return std::nullopt;
  }
  if (static_cast<size_t>(index) >= numStates) {
    error(loc(*dim, lead)) << "coupling source index " << index
                           << " is out of range: the model has " << numStates
                           << " state variable(s)";
    return std::nullopt;
  }
  return index;
}

void Importer::build(ModuleOp module) {
  b.setInsertionPointToEnd(module.getBody());
  xmlNode *root = doc.getRoot();
  std::optional<XMLAttribute> description =
      doc.getAttribute(root, "description");

  std::string symName;
  StringRef stem = llvm::sys::path::stem(filename);
  if (filename == "<stdin>" || filename == "-")
    stem = "model";
  for (char c : stem)
    symName += std::isalnum((unsigned char)c) ? c : '_';
  if (symName.empty() || std::isdigit((unsigned char)symName[0]))
    symName = "model_" + symName;

  auto model = ModelOp::create(
      b, loc(root), b.getStringAttr(symName),
      description ? b.getStringAttr(StringRef(description->value).trim())
                  : StringAttr(),
      DenseI64ArrayAttr(), FlatSymbolRefAttr());
  Block *body = b.createBlock(&model.getBody());
  auto atEnd = [&] { b.setInsertionPointToEnd(body); };

  auto each = [&](DeclKind kind, auto fn) {
    for (const Decl &decl : decls)
      if (decl.kind == kind) {
        atEnd();
        fn(decl);
      }
  };

  each(DeclKind::Param, [&](const Decl &decl) {
    const XMLAttribute *dim = decl.attr("dimension");
    if (!dim) {
      error(loc(decl.node)) << "parameter '" << decl.name
                            << "' needs a range: dimension=\"lo, hi\"";
      return;
    }
    auto range = evaluateRange(*dim, "a parameter range");
    if (!range)
      return;
    ParamOp::create(b, loc(decl.node), b.getStringAttr(decl.name),
                    b.getF64FloatAttr(range->first),
                    b.getF64FloatAttr(range->second));
    // sweep.bin's default sweep takes 4 points of the range.
    if (range->first == range->second)
      emitWarning(loc(decl.node))
          << "parameter '" << decl.name << "' has the empty range ["
          << formatRange(range->first, range->second)
          << "]: its default sweep repeats one value; give lo < hi, or "
             "choose the values with sweep.bin's --sweep or --values";
  });
  each(DeclKind::Constant, [&](const Decl &decl) {
    if (std::optional<double> v = constantValue(decl))
      ConstantOp::create(b, loc(decl.node), b.getStringAttr(decl.name),
                         b.getF64FloatAttr(*v));
  });
  each(DeclKind::DerivedParam, [&](const Decl &decl) {
    const XMLAttribute *value = decl.attr("value");
    if (!value) {
      error(loc(decl.node)) << "<DerivedParameter> needs a 'value' attribute";
      return;
    }
    auto op = DerivedParamOp::create(b, loc(decl.node), decl.name,
                                     /*hoisted=*/false);
    emitBody(op.getBody(), *value);
  });
  size_t numStates = 0;
  each(DeclKind::State, [&](const Decl &decl) {
    ++numStates;
    const XMLAttribute *dim = decl.attr("dimension");
    if (!dim) {
      error(loc(decl.node)) << "state variable '" << decl.name
                            << "' needs an initial range: dimension=\"lo, hi\"";
      return;
    }
    auto init = evaluateRange(*dim, "an initial range");
    std::optional<double> lower, upper;
    if (const XMLAttribute *bounds = decl.attr("exposure")) {
      StringRef text = StringRef(bounds->value).trim();
      if (!text.empty() && text != "None") {
        ParsedList list = parseExpressionList(bounds->value);
        if (list.error) {
          error(loc(*bounds, list.error->offset)) << list.error->message;
          return;
        }
        if (list.exprs.size() != 2) {
          error(loc(*bounds)) << "bounds must be 'lo, hi' (either may be "
                                 "None or inf), found '"
                              << bounds->value << "'";
          return;
        }
        for (int side = 0; side < 2; ++side) {
          const Expr &e = *list.exprs[side];
          if (e.kind == Expr::Kind::Name && e.name == "None")
            continue;
          ExprError err{0, ""};
          std::optional<double> v = evaluateConstant(
              e,
              [&](const Expr &n, ExprError &x) -> std::optional<double> {
                x = {n.offset, "only numbers, 'pi', 'inf' and 'None' may "
                               "appear in bounds, found '" +
                                   n.name + "'"};
                return std::nullopt;
              },
              err);
          if (!v) {
            error(loc(*bounds, err.offset)) << err.message;
            return;
          }
          if (std::isinf(*v))
            continue;
          (side == 0 ? lower : upper) = *v;
        }
      }
    }
    if (!init)
      return;
    auto optAttr = [&](std::optional<double> v) {
      return v ? b.getF64FloatAttr(*v) : FloatAttr();
    };
    StateOp::create(b, loc(decl.node), b.getStringAttr(decl.name),
                    b.getF64FloatAttr(init->first),
                    b.getF64FloatAttr(init->second), optAttr(lower),
                    optAttr(upper));
  });
  for (const LabelledDecl &exposure : exposures) {
    atEnd();
    auto op = ExposureOp::create(b, loc(exposure.node), exposure.label);
    emitBody(op.getBody(), *exposure.value);
  }
  for (const Decl &decl : decls) {
    atEnd();
    if (decl.kind == DeclKind::Derived) {
      const XMLAttribute *value = decl.attr("value");
      if (!value) {
        error(loc(decl.node)) << tag(decl.node) << " needs a 'value' attribute";
        continue;
      }
      auto op = DerivedOp::create(b, loc(decl.node), decl.name);
      emitBody(op.getBody(), *value);
    }
  }
  for (auto &[decl, cases] : conditionalCases) {
    atEnd();
    size_t numCases = cases.size() / 2;
    if (numCases == 0) {
      error(loc(decl.node))
          << "conditional '" << decl.name << "' has no <Case>";
      continue;
    }
    auto op = ConditionalOp::create(b, loc(decl.node), TypeRange(),
                                    b.getStringAttr(decl.name), numCases);
    for (size_t i = 0; i < numCases; ++i) {
      const XMLAttribute &condition = cases[2 * i];
      const XMLAttribute &value = cases[2 * i + 1];
      StringRef condText = StringRef(condition.value).trim();
      bool isElse = condText.empty() || condText == "else";
      bool isLast = i + 1 == numCases;
      if (isElse && !isLast) {
        error(loc(condition))
            << "only the last case of '" << decl.name << "' may be 'else'";
        break;
      }
      if (!isElse && isLast) {
        error(loc(condition)) << "the last case of conditional '" << decl.name
                              << "' must be condition=\"else\"";
        break;
      }
      Region &region = op.getCases()[i];
      if (isElse) {
        emitBody(region, value);
        continue;
      }
      b.createBlock(&region);
      ParsedExpr cond = parseExpression(condition.value);
      if (cond.error) {
        error(loc(condition, cond.error->offset)) << cond.error->message;
        continue;
      }
      Value c = asCondition(emitExpr(*cond.expr, condition, {}, {}));
      ParsedExpr val = parseExpression(value.value);
      if (val.error) {
        error(loc(value, val.error->offset)) << val.error->message;
        continue;
      }
      Value v = asReal(emitExpr(*val.expr, value, {}, {}));
      if (c && v)
        YieldOp::create(b, loc(value), ValueRange{c, v});
    }
  }
  for (const LabelledDecl &derivative : timeDerivatives) {
    atEnd();
    auto op =
        TimeDerivativeOp::create(b, loc(derivative.node), derivative.label);
    emitBody(op.getBody(), *derivative.value);
  }
  for (const CouplingDecl &coupling : couplings) {
    atEnd();
    std::optional<int64_t> index = sourceIndex(coupling, numStates);
    const XMLAttribute *scale = coupling.result.attr("value");
    if (!scale) {
      error(loc(coupling.result.node))
          << "the coupling <DerivedParameter> needs a 'value' (its scale)";
      continue;
    }
    if (!index)
      continue;
    auto op = CouplingOp::create(
        b, loc(coupling.component), b.getStringAttr(coupling.result.name),
        b.getI64IntegerAttr(*index), b.getStringAttr(coupling.source.name),
        CouplingKindAttr());
    emitBody(op.getScale(), *scale);
    emitBody(op.getPre(), *coupling.pre, coupling.source.name);
    XMLAttribute one{"value", "1", {doc.getOffset(coupling.component), 0}};
    emitBody(op.getPost(), coupling.post ? *coupling.post : one,
             coupling.source.name);
  }
  if (noise) {
    atEnd();
    auto op = NoiseOp::create(b, loc(noise));
    XMLAttribute amplitude{"value",
                           byName.count("nsig") ? "nsig" : "1",
                           {doc.getOffset(noise), 0}};
    emitBody(op.getBody(), amplitude);
  }
}

OwningOpRef<ModuleOp> Importer::run() {
  collectRoot(doc.getRoot());
  if (failed)
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc(doc.getRoot()));
  build(*module);
  if (failed || mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

} // namespace

namespace mlir::rateml::lems {
OwningOpRef<ModuleOp> importLEMS(StringRef buffer, StringRef filename,
                                 MLIRContext *context) {
  context->loadDialect<RateMLDialect>();
  XMLError xmlError;
  std::unique_ptr<XMLDocument> doc = XMLDocument::parse(buffer, xmlError);
  if (!doc) {
    emitError(FileLineColLoc::get(context, filename, xmlError.pos.line,
                                  xmlError.pos.col))
        << xmlError.message;
    return nullptr;
  }
  return Importer(*doc, filename, context).run();
}
} // namespace mlir::rateml::lems
