//===- InitAll.h - Register rateml and what it uses ---------*- C++ -*-===//
//
// One place that lists the dialects and passes rateml's tools need, so that
// rateml-opt and rateml-compile agree.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_INITALL_H
#define RATEML_INITALL_H

namespace mlir {
class DialectRegistry;
namespace rateml {

/// Adds the rateml dialect and the upstream dialects models use.
void registerAllDialects(DialectRegistry &registry);

/// Registers rateml's passes and pipelines and the upstream passes used in
/// them (canonicalize, cse, ...).
void registerAllPasses();

} // namespace rateml
} // namespace mlir

#endif // RATEML_INITALL_H
