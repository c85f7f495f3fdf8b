//===- ReferenceSimulator.cpp - Float64 oracle for compiled models --------===//
//
// Each expression region is flattened once into a list of float64
// instructions (one register per op result); the simulation then runs plain
// scalar loops in the order docs/simulation.md fixes, so that compiled
// kernels can be held to it within rounding.
//
//===----------------------------------------------------------------------===//

#include "rateml/Reference/ReferenceSimulator.h"
#include "rateml/Dialect/RateML/IR/ModelStructure.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include "rateml/runtime/Philox.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::reference;

namespace mlir::rateml::reference {
namespace {

enum class Code : uint8_t {
  Const,
  Slot,
  Arg,
  Add,
  Sub,
  Mul,
  Div,
  Neg,
  Pow,
  MinNum,
  MaxNum,
  Minimum,
  Maximum,
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
  Cmp,
  Select,
  Xor,
  Copy
};

struct Instr {
  Code code;
  arith::CmpFPredicate predicate = arith::CmpFPredicate::AlwaysFalse;
  /// Operand registers (earlier instructions); unused ones are 0.
  uint32_t a = 0, b = 0, c = 0;
  /// The literal of Const, the slot index of Slot.
  double imm = 0;
};

/// A flattened expression region: instruction k writes register k.
struct Program {
  std::vector<Instr> code;
  std::vector<uint32_t> results;
};

using ::rateml::runtime::kSlotDt;
using ::rateml::runtime::kSlotNumNodes;

bool compare(arith::CmpFPredicate p, double x, double y) {
  bool unordered = std::isnan(x) || std::isnan(y);
  using P = arith::CmpFPredicate;
  switch (p) {
  case P::AlwaysFalse:
    return false;
  case P::OEQ:
    return !unordered && x == y;
  case P::OGT:
    return !unordered && x > y;
  case P::OGE:
    return !unordered && x >= y;
  case P::OLT:
    return !unordered && x < y;
  case P::OLE:
    return !unordered && x <= y;
  case P::ONE:
    return !unordered && x != y;
  case P::ORD:
    return !unordered;
  case P::UEQ:
    return unordered || x == y;
  case P::UGT:
    return unordered || x > y;
  case P::UGE:
    return unordered || x >= y;
  case P::ULT:
    return unordered || x < y;
  case P::ULE:
    return unordered || x <= y;
  case P::UNE:
    return unordered || x != y;
  case P::UNO:
    return unordered;
  case P::AlwaysTrue:
    return true;
  }
  return false;
}

double nanPropagating(double x, double y, bool takeMin) {
  if (std::isnan(x) || std::isnan(y))
    return NAN;
  return takeMin ? std::fmin(x, y) : std::fmax(x, y);
}

/// Runs `p` with named values from `slots` and block argument `arg`.
void run(const Program &p, const double *slots, double arg,
         std::vector<double> &regs) {
  regs.resize(p.code.size());
  for (size_t k = 0; k < p.code.size(); ++k) {
    const Instr &in = p.code[k];
    double &out = regs[k];
    switch (in.code) {
    case Code::Const:
      out = in.imm;
      continue;
    case Code::Slot:
      out = slots[static_cast<uint32_t>(in.imm)];
      continue;
    case Code::Arg:
      out = arg;
      continue;
    default:
      break;
    }
    // Operands precede their users, so these registers are set.
    double x = regs[in.a], y = regs[in.b];
    switch (in.code) {
    case Code::Const:
    case Code::Slot:
    case Code::Arg:
      break;
    case Code::Add:
      out = x + y;
      break;
    case Code::Sub:
      out = x - y;
      break;
    case Code::Mul:
      out = x * y;
      break;
    case Code::Div:
      out = x / y;
      break;
    case Code::Neg:
      out = -x;
      break;
    case Code::Pow:
      out = std::pow(x, y);
      break;
    case Code::MinNum:
      out = std::fmin(x, y);
      break;
    case Code::MaxNum:
      out = std::fmax(x, y);
      break;
    case Code::Minimum:
      out = nanPropagating(x, y, true);
      break;
    case Code::Maximum:
      out = nanPropagating(x, y, false);
      break;
    case Code::Exp:
      out = std::exp(x);
      break;
    case Code::Log:
      out = std::log(x);
      break;
    case Code::Log10:
      out = std::log10(x);
      break;
    case Code::Sqrt:
      out = std::sqrt(x);
      break;
    case Code::Sin:
      out = std::sin(x);
      break;
    case Code::Cos:
      out = std::cos(x);
      break;
    case Code::Tan:
      out = std::tan(x);
      break;
    case Code::Asin:
      out = std::asin(x);
      break;
    case Code::Acos:
      out = std::acos(x);
      break;
    case Code::Atan:
      out = std::atan(x);
      break;
    case Code::Sinh:
      out = std::sinh(x);
      break;
    case Code::Cosh:
      out = std::cosh(x);
      break;
    case Code::Tanh:
      out = std::tanh(x);
      break;
    case Code::Abs:
      out = std::fabs(x);
      break;
    case Code::Ceil:
      out = std::ceil(x);
      break;
    case Code::Floor:
      out = std::floor(x);
      break;
    case Code::Erf:
      out = std::erf(x);
      break;
    case Code::Cmp:
      out = compare(in.predicate, x, y) ? 1.0 : 0.0;
      break;
    case Code::Select:
      out = x != 0.0 ? y : regs[in.c];
      break;
    case Code::Xor:
      out = (x != 0.0) != (y != 0.0) ? 1.0 : 0.0;
      break;
    case Code::Copy:
      out = x;
      break;
    }
  }
}

} // namespace

/// The model flattened into programs over a table of named slots.
class CompiledModel {
public:
  struct State {
    std::string name;
    uint32_t slot;
    double initLo, initHi, lower, upper;
  };
  struct Derived {
    uint32_t slot;
    /// One program for a derived variable; for a conditional, every case
    /// but the last yields (condition, value).
    std::vector<Program> cases;
  };
  struct Coupling {
    uint32_t slot;
    size_t source;
    Program scale, pre, post;
  };

  std::vector<std::string> paramNames;
  std::vector<uint32_t> paramSlots;
  std::vector<std::tuple<std::string, uint32_t, double>> constants;
  std::vector<std::pair<uint32_t, Program>> derivedParams;
  std::vector<State> states;
  std::vector<Derived> derived;
  std::vector<Coupling> couplings;
  std::vector<Program> derivatives;
  std::vector<std::pair<std::string, Program>> exposures;
  std::optional<Program> noise;
  std::optional<uint32_t> speedSlot;
  uint32_t numSlots = 2;

  LogicalResult build(ModelOp model);

  /// Evaluates derived and conditional variables for the node whose states
  /// and couplings are in `slots`.
  void evaluateDerived(double *slots, std::vector<double> &regs) const {
    for (const Derived &d : derived) {
      for (size_t k = 0; k < d.cases.size(); ++k) {
        run(d.cases[k], slots, 0, regs);
        bool isElse = k + 1 == d.cases.size();
        if (isElse || regs[d.cases[k].results[0]] != 0.0) {
          slots[d.slot] = regs[d.cases[k].results[isElse ? 0 : 1]];
          break;
        }
      }
    }
  }

  /// The slot of the named value `name`, if the model has one.
  std::optional<uint32_t> slotOfName(StringRef name) const {
    auto it = slotOf.find(name);
    if (it == slotOf.end())
      return std::nullopt;
    return it->second;
  }

private:
  FailureOr<Program> compileRegion(Region &region);
  llvm::StringMap<uint32_t> slotOf;
};

} // namespace mlir::rateml::reference

FailureOr<Program> CompiledModel::compileRegion(Region &region) {
  Program p;
  llvm::DenseMap<Value, uint32_t> reg;
  auto emit = [&](Instr in, Value result) {
    reg[result] = p.code.size();
    p.code.push_back(in);
  };
  Block &block = region.front();
  for (BlockArgument arg : block.getArguments())
    emit({Code::Arg}, arg);
  for (Operation &op : block) {
    auto operand = [&](unsigned i) { return reg.lookup(op.getOperand(i)); };
    auto unary = [&](Code c) { emit({c, {}, operand(0)}, op.getResult(0)); };
    auto binary = [&](Code c) {
      emit({c, {}, operand(0), operand(1)}, op.getResult(0));
    };
    bool handled = true;
    llvm::TypeSwitch<Operation *>(&op)
        .Case([&](arith::ConstantOp c) {
          double v = 0;
          if (auto f = dyn_cast<FloatAttr>(c.getValue()))
            v = f.getValueAsDouble();
          else if (auto i = dyn_cast<IntegerAttr>(c.getValue()))
            v = i.getValue().isZero() ? 0.0 : 1.0;
          emit({Code::Const, {}, 0, 0, 0, v}, c.getResult());
        })
        .Case([&](GetOp g) {
          emit({Code::Slot, {}, 0, 0, 0, double(slotOf.lookup(g.getName()))},
               g.getResult());
        })
        .Case([&](DtOp d) {
          emit({Code::Slot, {}, 0, 0, 0, double(kSlotDt)}, d.getResult());
        })
        .Case([&](NNodeOp d) {
          emit({Code::Slot, {}, 0, 0, 0, double(kSlotNumNodes)}, d.getResult());
        })
        .Case([&](arith::AddFOp) { binary(Code::Add); })
        .Case([&](arith::SubFOp) { binary(Code::Sub); })
        .Case([&](arith::MulFOp) { binary(Code::Mul); })
        .Case([&](arith::DivFOp) { binary(Code::Div); })
        .Case([&](arith::NegFOp) { unary(Code::Neg); })
        .Case([&](arith::MinNumFOp) { binary(Code::MinNum); })
        .Case([&](arith::MaxNumFOp) { binary(Code::MaxNum); })
        .Case([&](arith::MinimumFOp) { binary(Code::Minimum); })
        .Case([&](arith::MaximumFOp) { binary(Code::Maximum); })
        .Case([&](arith::CmpFOp c) {
          emit({Code::Cmp, c.getPredicate(), operand(0), operand(1)},
               c.getResult());
        })
        .Case([&](arith::SelectOp s) {
          emit({Code::Select, {}, operand(0), operand(1), operand(2)},
               s.getResult());
        })
        .Case([&](arith::XOrIOp) { binary(Code::Xor); })
        .Case([&](arith::UIToFPOp) { unary(Code::Copy); })
        .Case([&](math::PowFOp) { binary(Code::Pow); })
        .Case([&](math::ExpOp) { unary(Code::Exp); })
        .Case([&](math::LogOp) { unary(Code::Log); })
        .Case([&](math::Log10Op) { unary(Code::Log10); })
        .Case([&](math::SqrtOp) { unary(Code::Sqrt); })
        .Case([&](math::SinOp) { unary(Code::Sin); })
        .Case([&](math::CosOp) { unary(Code::Cos); })
        .Case([&](math::TanOp) { unary(Code::Tan); })
        .Case([&](math::AsinOp) { unary(Code::Asin); })
        .Case([&](math::AcosOp) { unary(Code::Acos); })
        .Case([&](math::AtanOp) { unary(Code::Atan); })
        .Case([&](math::SinhOp) { unary(Code::Sinh); })
        .Case([&](math::CoshOp) { unary(Code::Cosh); })
        .Case([&](math::TanhOp) { unary(Code::Tanh); })
        .Case([&](math::AbsFOp) { unary(Code::Abs); })
        .Case([&](math::CeilOp) { unary(Code::Ceil); })
        .Case([&](math::FloorOp) { unary(Code::Floor); })
        .Case([&](math::ErfOp) { unary(Code::Erf); })
        .Case([&](YieldOp y) {
          for (Value v : y.getValues())
            p.results.push_back(reg.lookup(v));
        })
        .Default([&](Operation *) { handled = false; });
    if (!handled)
      return op.emitError() << "the reference interpreter does not support '"
                            << op.getName() << "'";
  }
  return p;
}

LogicalResult CompiledModel::build(ModelOp model) {
  // Slots for every named value.
  for (Operation &op : model.getBody().front())
    if (getDefinedStage(&op))
      slotOf[cast<mlir::SymbolOpInterface>(op).getName()] = numSlots++;
  ModelStructure structure(model);
  for (ParamOp p : structure.params) {
    paramNames.push_back(p.getSymName().str());
    paramSlots.push_back(slotOf.lookup(p.getSymName()));
  }
  for (ConstantOp c : structure.constants)
    constants.emplace_back(c.getSymName().str(), slotOf.lookup(c.getSymName()),
                           c.getValue().convertToDouble());
  for (StateOp s : structure.states)
    states.push_back(
        {s.getSymName().str(), slotOf.lookup(s.getSymName()),
         s.getInitLo().convertToDouble(), s.getInitHi().convertToDouble(),
         s.getLower() ? s.getLower()->convertToDouble() : -INFINITY,
         s.getUpper() ? s.getUpper()->convertToDouble() : INFINITY});
  for (DerivedParamOp d : structure.derivedParams) {
    FailureOr<Program> p = compileRegion(d.getBody());
    if (failed(p))
      return failure();
    derivedParams.emplace_back(slotOf.lookup(d.getSymName()), std::move(*p));
  }
  for (Operation *op : structure.derived) {
    Derived d{slotOf.lookup(cast<mlir::SymbolOpInterface>(op).getName()), {}};
    for (Region &region : op->getRegions()) {
      FailureOr<Program> p = compileRegion(region);
      if (failed(p))
        return failure();
      d.cases.push_back(std::move(*p));
    }
    derived.push_back(std::move(d));
  }
  // The verifier guarantees that couplings read only states and
  // parameter-level values, and that exposures do not depend on a coupling.
  for (CouplingOp c : structure.couplings) {
    FailureOr<Program> scale = compileRegion(c.getScale()),
                       pre = compileRegion(c.getPre()),
                       post = compileRegion(c.getPost());
    if (failed(scale) || failed(pre) || failed(post))
      return failure();
    couplings.push_back({slotOf.lookup(c.getSymName()), c.getSource(),
                         std::move(*scale), std::move(*pre), std::move(*post)});
  }
  for (TimeDerivativeOp t : structure.timeDerivatives) {
    FailureOr<Program> p = compileRegion(t.getBody());
    if (failed(p))
      return failure();
    derivatives.push_back(std::move(*p));
  }
  for (ExposureOp e : structure.exposures) {
    FailureOr<Program> p = compileRegion(e.getBody());
    if (failed(p))
      return failure();
    exposures.emplace_back(e.getName().str(), std::move(*p));
  }
  if (structure.noise) {
    FailureOr<Program> p = compileRegion(structure.noise.getBody());
    if (failed(p))
      return failure();
    noise = std::move(*p);
  }

  if (model.hasDelays()) {
    auto speed = model.getConductionSpeedAttr();
    if (!speed)
      return model.emitError()
             << "the model has delays but no conduction_speed; run "
                "rateml-conduction-speed (part of rateml-optimize-model)";
    speedSlot = slotOf.lookup(speed.getValue());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ReferenceSimulator
//===----------------------------------------------------------------------===//

ReferenceSimulator::ReferenceSimulator(std::unique_ptr<CompiledModel> model)
    : model(std::move(model)) {}
ReferenceSimulator::ReferenceSimulator(ReferenceSimulator &&) = default;
ReferenceSimulator::~ReferenceSimulator() = default;

FailureOr<ReferenceSimulator> ReferenceSimulator::create(ModelOp model) {
  auto compiled = std::make_unique<CompiledModel>();
  if (failed(compiled->build(model)))
    return failure();
  return ReferenceSimulator(std::move(compiled));
}

const std::vector<std::string> &ReferenceSimulator::getParamNames() const {
  return model->paramNames;
}

std::vector<std::string>
ReferenceSimulator::getRecordedNames(bool recordStates) const {
  std::vector<std::string> names;
  if (recordStates)
    for (const auto &s : model->states)
      names.push_back(s.name);
  else
    for (const auto &e : model->exposures)
      names.push_back(e.first);
  return names;
}

llvm::Expected<Trace> ReferenceSimulator::simulate(
    ArrayRef<double> params, const ::rateml::runtime::Connectome &connectome,
    const SimulationConfig &config, uint32_t setIndex) const {
  const CompiledModel &m = *model;
  const size_t numNodes = connectome.numNodes;
  const size_t numStates = m.states.size();
  std::vector<double> regs;

  // Parameter-level values.
  std::vector<double> slots(m.numSlots, 0.0);
  slots[kSlotDt] = config.dt;
  slots[kSlotNumNodes] = static_cast<double>(numNodes);
  for (size_t k = 0; k < params.size(); ++k)
    slots[m.paramSlots[k]] = params[k];
  for (const auto &[name, slot, value] : m.constants) {
    auto it = config.constants.find(name);
    slots[slot] = it == config.constants.end() ? value : it->second;
  }
  for (const auto &[slot, program] : m.derivedParams) {
    run(program, slots.data(), 0, regs);
    slots[slot] = regs[program.results[0]];
  }
  // Per-node values: each node's copy of the parameter-level values with
  // its own values of the named ones, and its derived parameters evaluated
  // from them (the model as written: any derived parameter may read them).
  std::vector<std::vector<double>> nodeSlots;
  if (!config.nodeValues.empty()) {
    nodeSlots.assign(numNodes, slots);
    for (const auto &[name, values] : config.nodeValues) {
      std::optional<uint32_t> slot = m.slotOfName(name);
      if (!slot || values.size() != numNodes)
        return llvm::createStringError("per-node values of '" + name +
                                       "': not a value of the model, or not "
                                       "one per node");
      for (size_t i = 0; i < numNodes; ++i)
        nodeSlots[i][*slot] = values[i];
    }
    for (size_t i = 0; i < numNodes; ++i)
      for (const auto &[slot, program] : m.derivedParams) {
        run(program, nodeSlots[i].data(), 0, regs);
        nodeSlots[i][slot] = regs[program.results[0]];
      }
  }
  // The values node i's own expressions read.
  auto slotsOf = [&](size_t i) {
    return nodeSlots.empty() ? slots.data() : nodeSlots[i].data();
  };
  std::vector<double> amplitude(numStates, 0.0);
  bool noisy = m.noise && config.noise;
  if (noisy) {
    run(*m.noise, slots.data(), 0, regs);
    for (size_t s = 0; s < numStates; ++s)
      amplitude[s] =
          regs[m.noise->results[m.noise->results.size() == 1 ? 0 : s]];
  }

  ::rateml::runtime::EdgeList edges =
      ::rateml::runtime::makeEdgeList(connectome);
  std::vector<int32_t> delays(edges.numEdges(), 0);
  if (m.speedSlot) {
    // The runtime's delay rule reports bad speeds by throwing; the
    // reference reports them as values.
    try {
      delays = ::rateml::runtime::computeDelays(edges, slots[*m.speedSlot],
                                                config.dt);
    } catch (const ::rateml::runtime::Error &e) {
      return llvm::createStringError(e.what());
    }
  }
  int64_t horizon = 1;
  for (int32_t d : delays)
    horizon = std::max<int64_t>(horizon, int64_t(d) + 1);

  // State x[s * N + i], history hist[(row * S + s) * N + i].
  auto clip = [&](size_t s, double v) {
    const auto &st = m.states[s];
    v = v < st.lower ? st.lower : v;
    return v > st.upper ? st.upper : v;
  };
  // Value of state s of node i at step -k (k >= 0).
  auto past = [&](int64_t k, size_t s, size_t i) {
    if (config.initialRows) {
      size_t row = config.initialRows == 1 ? 0 : config.initialRows - 1 - k;
      return clip(s, config.initial[(row * numStates + s) * numNodes + i]);
    }
    const auto &st = m.states[s];
    double u = ::rateml::runtime::initialDraw(config.seed, setIndex, i, s);
    return clip(s, st.initLo + (st.initHi - st.initLo) * u);
  };
  if (config.initialRows > 1 && int64_t(config.initialRows) < horizon)
    return llvm::createStringError(
        "--initial: the history has " + std::to_string(config.initialRows) +
        " steps but the delays need " + std::to_string(horizon));
  std::vector<double> x(numStates * numNodes);
  std::vector<double> history(horizon * numStates * numNodes);
  for (int64_t k = 0; k < horizon; ++k)
    for (size_t s = 0; s < numStates; ++s)
      for (size_t i = 0; i < numNodes; ++i)
        history[(((horizon - k) % horizon) * numStates + s) * numNodes + i] =
            past(k, s, i);
  for (size_t s = 0; s < numStates; ++s)
    for (size_t i = 0; i < numNodes; ++i)
      x[s * numNodes + i] = past(0, s, i);

  Trace trace;
  trace.numNodes = numNodes;
  trace.numVars = config.recordStates ? numStates : m.exposures.size();
  auto current = [&]() {
    std::vector<double> values;
    for (size_t v = 0; v < trace.numVars; ++v)
      for (size_t i = 0; i < numNodes; ++i) {
        if (config.recordStates) {
          values.push_back(x[v * numNodes + i]);
          continue;
        }
        double *sl = slotsOf(i);
        for (size_t s = 0; s < numStates; ++s)
          sl[m.states[s].slot] = x[s * numNodes + i];
        m.evaluateDerived(sl, regs);
        const Program &p = m.exposures[v].second;
        run(p, sl, 0, regs);
        values.push_back(regs[p.results[0]]);
      }
    return values;
  };
  std::vector<double> windowSum(trace.numVars * numNodes, 0.0);
  auto record = [&](uint64_t stepsDone) {
    if (!config.averaged) {
      if (stepsDone % config.every == 0) {
        std::vector<double> values = current();
        trace.values.insert(trace.values.end(), values.begin(), values.end());
        ++trace.numSamples;
      }
      return;
    }
    if (stepsDone == 0)
      return;
    std::vector<double> values = current();
    for (size_t k = 0; k < values.size(); ++k)
      windowSum[k] += values[k];
    if (stepsDone % config.every == 0) {
      for (double sum : windowSum)
        trace.values.push_back(sum / double(config.every));
      std::fill(windowSum.begin(), windowSum.end(), 0.0);
      ++trace.numSamples;
    }
  };
  record(0);

  std::vector<double> coupling(m.couplings.size() * numNodes);
  std::vector<double> next(x.size()), f1(numStates), f2(numStates),
      predicted(numStates), noiseTerm(numStates), stimulus(numStates);
  auto derivatives = [&](const double *state, size_t i,
                         std::vector<double> &f) {
    double *sl = slotsOf(i);
    for (size_t s = 0; s < numStates; ++s)
      sl[m.states[s].slot] = state[s];
    for (size_t k = 0; k < m.couplings.size(); ++k)
      sl[m.couplings[k].slot] = coupling[k * numNodes + i];
    m.evaluateDerived(sl, regs);
    for (size_t s = 0; s < numStates; ++s) {
      run(m.derivatives[s], sl, 0, regs);
      f[s] = regs[m.derivatives[s].results[0]];
    }
  };

  for (uint64_t n = 0; n < config.steps; ++n) {
    // c(n) from x(n) and the delayed history.
    for (size_t i = 0; i < numNodes; ++i) {
      for (size_t s = 0; s < numStates; ++s)
        slots[m.states[s].slot] = x[s * numNodes + i];
      for (size_t k = 0; k < m.couplings.size(); ++k) {
        const auto &c = m.couplings[k];
        double acc = 0.0;
        for (uint32_t e = edges.rowStart[i]; e < edges.rowStart[i + 1]; ++e) {
          int64_t row = (int64_t(n) - delays[e]) % horizon;
          if (row < 0)
            row += horizon;
          double xj = history[(row * numStates + c.source) * numNodes +
                              edges.source[e]];
          run(c.post, slots.data(), xj, regs);
          double post = regs[c.post.results[0]];
          run(c.pre, slots.data(), xj, regs);
          double pre = regs[c.pre.results[0]];
          acc += (edges.weight[e] * post) * pre;
        }
        run(c.scale, slots.data(), 0, regs);
        coupling[k * numNodes + i] = regs[c.scale.results[0]] * acc;
      }
    }
    // x(n + 1) node by node; the coupling is c(n) in both Heun stages.
    for (size_t i = 0; i < numNodes; ++i) {
      double state[64];
      std::vector<double> stateVec;
      double *xi = numStates <= 64
                       ? state
                       : (stateVec.resize(numStates), stateVec.data());
      for (size_t s = 0; s < numStates; ++s) {
        xi[s] = x[s * numNodes + i];
        noiseTerm[s] =
            noisy ? amplitude[s] * ::rateml::runtime::noiseDraw(
                                       config.seed, setIndex, i, s, uint32_t(n))
                  : 0.0;
      }
      derivatives(xi, i, f1);
      // TVB: the stimulus joins the derivative in the Euler step and in
      // both Heun stages, and Heun adds dt x it once more after averaging.
      for (size_t s = 0; s < numStates; ++s)
        stimulus[s] = config.stimulus
                          ? config.stimulusScale * config.stimulus(n, s, i)
                          : 0.0;
      for (size_t s = 0; s < numStates; ++s) {
        double euler = config.stimulus
                           ? xi[s] + config.dt * (f1[s] + stimulus[s])
                           : xi[s] + config.dt * f1[s];
        predicted[s] = clip(s, noisy ? euler + noiseTerm[s] : euler);
      }
      if (config.integrator == Integrator::Heun) {
        derivatives(predicted.data(), i, f2);
        double half = 0.5 * config.dt;
        for (size_t s = 0; s < numStates; ++s) {
          double heun = xi[s] + half * (f1[s] + f2[s]);
          if (config.stimulus)
            heun = heun + config.dt * stimulus[s];
          predicted[s] = clip(s, noisy ? heun + noiseTerm[s] : heun);
        }
      }
      for (size_t s = 0; s < numStates; ++s)
        next[s * numNodes + i] = predicted[s];
    }
    x.swap(next);
    if (trace.divergedStep < 0 &&
        !std::all_of(
            x.begin(), x.end(), [](double v) { return std::isfinite(v); }))
      trace.divergedStep = int64_t(n + 1);
    int64_t row = int64_t(n + 1) % horizon;
    std::copy(x.begin(), x.end(), history.begin() + row * numStates * numNodes);
    record(n + 1);
  }
  return trace;
}
