//===- rateml-compile.cpp - The rateml compiler driver --------*- C++ -*-===//
//
// Reads a RateML/LEMS XML model and runs the pipeline up to the stage asked
// for with --emit. Output is written only when every step succeeded, and
// atomically, so a failed compile never leaves a partial file behind.
//
//===----------------------------------------------------------------------===//

#include "ModelSummary.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "rateml/InitAll.h"
#include "rateml/Version.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { MLIR, MLIROptimized };

cl::OptionCategory category("rateml-compile options");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model.xml | - for stdin>"),
                                   cl::Required, cl::cat(category));

cl::opt<std::string> outputFilename("o", cl::desc("Output file (default: stdout)"),
                                    cl::value_desc("file"), cl::init("-"),
                                    cl::cat(category));

cl::opt<Emit> emitAction(
    "emit", cl::desc("The stage to stop at and print"), cl::init(Emit::MLIR),
    cl::values(clEnumValN(Emit::MLIR, "mlir",
                          "the imported, verified rateml model"),
               clEnumValN(Emit::MLIROptimized, "mlir-optimized",
                          "the model after rateml-optimize-model "
                          "(folded, hoisted, couplings classified)")),
    cl::cat(category));

cl::opt<bool> printSummary(
    "summary",
    cl::desc("Print a one-screen summary of the analysed model to stderr"),
    cl::init(false), cl::cat(category));
} // namespace

/// Runs the pipeline up to --emit into `output`; `analysed` receives the
/// model after the model pipeline when --summary asks for it.
static LogicalResult compile(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                             std::string &output,
                             OwningOpRef<ModuleOp> &analysed) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  OwningOpRef<ModuleOp> module = rateml::lems::importLEMS(
      buffer->getBuffer(), buffer->getBufferIdentifier(), &context);
  if (!module)
    return failure();

  if (emitAction == Emit::MLIROptimized || printSummary) {
    analysed = module->clone();
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    rateml::buildModelOptimizationPipeline(pm);
    if (failed(pm.run(*analysed)))
      return failure();
  }

  llvm::raw_string_ostream os(output);
  (emitAction == Emit::MLIR ? *module : *analysed)->print(os);
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "rateml-compile (rateml " RATEML_VERSION ")\n";
  });
  cl::HideUnrelatedOptions({&category, &cl::getGeneralCategory()});
  cl::ParseCommandLineOptions(
      argc, argv,
      "rateml-compile: compile a RateML/LEMS XML neural-mass model\n\n"
      "  rateml-compile model.xml --emit=mlir [-o out.mlir] [--summary]\n\n"
      "Errors are reported as file:line:col and make the exit status 1;\n"
      "the output file is only written when compilation succeeds.\n");

  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input) {
    llvm::errs() << "rateml-compile: error: " << errorMessage << "\n";
    return 1;
  }

  DialectRegistry registry;
  rateml::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics point into the XML; the IR dump MLIR attaches by default
  // means nothing to a model author.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::string output;
  OwningOpRef<ModuleOp> analysed;
  if (failed(compile(context, sourceMgr, output, analysed)))
    return 1;
  if (llvm::Error err = llvm::writeToOutput(
          outputFilename, [&](llvm::raw_ostream &os) {
            os << output;
            return llvm::Error::success();
          })) {
    llvm::errs() << "rateml-compile: error: cannot write '" << outputFilename
                 << "': " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  // After the output, so that it is what a terminal shows last.
  llvm::outs().flush();
  if (printSummary)
    for (auto model : analysed->getOps<rateml::ModelOp>())
      rateml::printModelSummary(model, llvm::errs());
  return 0;
}
