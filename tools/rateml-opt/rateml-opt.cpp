//===- rateml-opt.cpp - Run rateml passes on .mlir files ------*- C++ -*-===//
//
// The mlir-opt of this project: parses .mlir with the rateml dialect, runs
// any registered pass or pipeline, prints the result. Used by the lit tests
// and for replaying what rateml-compile does.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "rateml/InitAll.h"
#include "rateml/Version.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "rateml-opt (rateml " RATEML_VERSION ")\n";
  });
  mlir::rateml::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::rateml::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "rateml optimizer: runs rateml and MLIR passes on .mlir\n",
      registry));
}
