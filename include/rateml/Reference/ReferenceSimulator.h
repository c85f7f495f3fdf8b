//===- ReferenceSimulator.h - Float64 oracle of compiled models -*- C++ -*-===//
//
// A plain float64 interpreter of a rateml.model: scalar loops over
// parameter sets, nodes and edges that follow docs/simulation.md to the
// letter. Tests compare compiled kernels against it; it is not meant to be
// fast.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_REFERENCE_REFERENCESIMULATOR_H
#define RATEML_REFERENCE_REFERENCESIMULATOR_H

#include "mlir/Support/LLVM.h"
#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "rateml/runtime/Connectome.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir::rateml::reference {

enum class Integrator { Euler, Heun };

struct SimulationConfig {
  double dt = 0.1;
  uint64_t steps = 0;
  Integrator integrator = Integrator::Heun;
  /// Off: integrate deterministically even when the model has noise.
  bool noise = true;
  uint64_t seed = 0;
  /// Record every `every` steps; sample 0 is the initial state. With
  /// `averaged`, sample k is the mean over steps k*every+1 .. (k+1)*every.
  uint64_t every = 1;
  bool averaged = false;
  /// Record state variables instead of exposures.
  bool recordStates = false;
  /// Constant overrides by name.
  std::map<std::string, double> constants;
  /// Per-node values: node i's value of each named parameter or constant
  /// (one per node), used in place of the set's in every evaluation of the
  /// node's derived parameters, derived variables, derivatives and
  /// exposures (couplings and noise read the set's).
  std::map<std::string, std::vector<double>> nodeValues;
  /// A user-supplied history [rows][states][nodes], last row = t 0; one row
  /// is a constant history. Empty: draw the initial state.
  std::vector<double> initial;
  size_t initialRows = 0;
  /// --stimulus: S(n) of state s at node i (0 for a state not
  /// stimulated), added times `stimulusScale` to the state's derivative
  /// during the step from n to n + 1 (docs/simulation.md). Empty: none.
  std::function<double(uint64_t n, size_t s, size_t i)> stimulus;
  double stimulusScale = 1.0;
};

/// One simulated parameter set: samples x variables x nodes, row-major.
struct Trace {
  size_t numSamples = 0, numVars = 0, numNodes = 0;
  std::vector<double> values;
  /// Steps done when a state first became NaN or infinite, or -1 (sweep.bin's
  /// /diverged_step).
  int64_t divergedStep = -1;

  double at(size_t sample, size_t var, size_t node) const {
    return values[(sample * numVars + var) * numNodes + node];
  }
};

class CompiledModel;

/// A model prepared for interpretation.
class ReferenceSimulator {
public:
  /// Prepares `model` as written (it needs only rateml-conduction-speed, so
  /// that delays follow TVB's rule; the optimizing pipeline is optional).
  /// Reports problems with emitError on the model and returns failure.
  static FailureOr<ReferenceSimulator> create(ModelOp model);
  ReferenceSimulator(ReferenceSimulator &&);
  ~ReferenceSimulator();

  /// Swept parameter names in model order.
  const std::vector<std::string> &getParamNames() const;
  /// Names of what `config.recordStates` selects.
  std::vector<std::string> getRecordedNames(bool recordStates) const;

  /// Simulates parameter set `setIndex` (used in the noise and initial
  /// state keys) with swept parameter values `params` (model order). A
  /// problem with the input (a speed that gives no valid delays, an
  /// --initial history shorter than the delays) is returned as an error.
  llvm::Expected<Trace>
  simulate(ArrayRef<double> params,
           const ::rateml::runtime::Connectome &connectome,
           const SimulationConfig &config, uint32_t setIndex) const;

private:
  explicit ReferenceSimulator(std::unique_ptr<CompiledModel> model);
  std::unique_ptr<CompiledModel> model;
};

} // namespace mlir::rateml::reference

#endif // RATEML_REFERENCE_REFERENCESIMULATOR_H
