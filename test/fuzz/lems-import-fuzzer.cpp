//===- lems-import-fuzzer.cpp - libFuzzer target for the frontend ---------===//
//
// Feeds arbitrary bytes to the RateML/LEMS importer and, when they import,
// through the model pipeline. Any crash, hang, sanitizer report or verifier
// failure after a successful import is a bug.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "rateml/Dialect/RateML/IR/RateMLDialect.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.loadDialect<mlir::rateml::RateMLDialect>();
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef buffer(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::rateml::lems::importLEMS(buffer, "fuzz.xml", &context);
  if (!module)
    return 0;
  mlir::PassManager pm(&context);
  mlir::rateml::buildModelOptimizationPipeline(pm);
  // A verified model must survive the pipeline.
  if (mlir::failed(pm.run(*module)))
    std::abort();
  return 0;
}
