//===- ReferenceModelInfo.h - A model's ModelInfo, from the op -*- C++ -*-===//
//
// The reference runs sweeps with the runtime's command line, parameter grid
// and HDF5 writer, which take a ModelInfo. It builds that description from
// the rateml.model itself, in the kernel ABI's slot layout
// (docs/kernel-abi.md), rather than from the metadata the kernel builder
// writes, so that the oracle does not run the code it checks;
// test/unittests/Reference/ReferenceModelInfoTest.cpp checks that the two
// agree.
//
//===----------------------------------------------------------------------===//
#ifndef RATEML_REFERENCE_REFERENCEMODELINFO_H
#define RATEML_REFERENCE_REFERENCEMODELINFO_H

#include "rateml/Dialect/RateML/IR/RateMLOps.h"
#include "rateml/runtime/ModelInfo.h"

namespace mlir::rateml::reference {

/// The description of `model` (float64, one lane, no blocking). A model
/// with delays must name its conduction speed (rateml-conduction-speed).
::rateml::runtime::ModelInfo buildModelInfo(ModelOp model);

} // namespace mlir::rateml::reference

#endif // RATEML_REFERENCE_REFERENCEMODELINFO_H
