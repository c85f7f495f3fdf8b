//===- rateml-compile.cpp - The rateml compiler driver --------*- C++ -*-===//
//
// Reads a RateML/LEMS XML model and runs the pipeline up to the stage asked
// for with --emit: the model MLIR, the kernels, LLVM IR, an object, or (the
// default) sweep.bin, the kernels linked with the sweep runtime. Output is
// written only when every step succeeded, and atomically, so a failed
// compile never leaves a partial file behind.
//
//===----------------------------------------------------------------------===//

#include "ModelSummary.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "rateml/Dialect/RateML/Transforms/Passes.h"
#include "rateml/Frontend/LEMS/LEMSImporter.h"
#include "rateml/InitAll.h"
#include "rateml/Pipelines/Pipelines.h"
#include "rateml/SweepLink.h"
#include "rateml/Target/CPUObject.h"
#include "rateml/Version.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit {
  MLIR,
  MLIROptimized,
  Lowered,
  LLVMIR,
  Object,
  PTX,
  Executable,
  Library
};

/// Whether `emit` is linked with the sweep runtime (sweep.bin or a model's
/// library for the Python package).
bool linked(Emit emit) {
  return emit == Emit::Executable || emit == Emit::Library;
}

cl::OptionCategory category("rateml-compile options");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model.xml | - for stdin>"),
                                   cl::Required, cl::cat(category));

cl::opt<std::string> outputFilename(
    "o",
    cl::desc("Output file (default: sweep.bin for executables, else stdout)"),
    cl::value_desc("file"), cl::cat(category));

cl::opt<Emit> emitAction(
    "emit", cl::desc("The stage to stop at"), cl::init(Emit::Executable),
    cl::values(clEnumValN(Emit::MLIR, "mlir",
                          "the imported, verified rateml model"),
               clEnumValN(Emit::MLIROptimized, "mlir-optimized",
                          "the model after rateml-optimize-model "
                          "(folded, hoisted, couplings classified)"),
               clEnumValN(Emit::Lowered, "lowered",
                          "the step kernels (scf/vector/memref)"),
               clEnumValN(Emit::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Object, "obj", "the kernels' object file"),
               clEnumValN(Emit::PTX, "ptx",
                          "PTX of the GPU kernels (one parameter set per "
                          "thread; needs no GPU)"),
               clEnumValN(Emit::Executable, "exe",
                          "sweep.bin: kernels linked with the sweep runtime "
                          "(default)"),
               clEnumValN(Emit::Library, "library",
                          "the same as a shared library, which the Python "
                          "package (import rateml) loads")),
    cl::cat(category));

cl::opt<std::string> precision("precision",
                               cl::desc("Kernel precision: f32 or f64"),
                               cl::init("f32"), cl::cat(category));

cl::opt<unsigned>
    lanes("lanes",
          cl::desc("Parameter sets per SIMD vector (default: the target CPU's "
                   "vector width: 16 f32 with AVX-512, 8 with AVX2, else 4)"),
          cl::init(0), cl::cat(category));

cl::opt<int> narrowLanes(
    "narrow-lanes",
    cl::desc("Lanes of a second set of CPU kernels, which sweep.bin uses when "
             "only that many sets' history fits the L2 cache (default: half "
             "of --lanes when that is at least 4; 0 = none)"),
    cl::init(-1), cl::cat(category));

cl::opt<unsigned> block(
    "block",
    cl::desc("Steps of coupling computed per pass over the edges when the "
             "coupling reads only its source and the delays allow (1 = off)"),
    cl::init(8), cl::cat(category));

cl::list<std::string> regional(
    "regional",
    cl::desc("Parameters and constants that may differ per node (sweep.bin "
             "--node-values, --map); comma-separated"),
    cl::CommaSeparated, cl::value_desc("name,..."), cl::cat(category));

cl::opt<std::string> gpuArch("gpu-arch",
                             cl::desc("GPU architecture for --emit=ptx"),
                             cl::init("sm_80"), cl::cat(category));

cl::opt<std::string> cudaToolkit(
    "cuda-toolkit",
    cl::desc("CUDA toolkit for the GPU kernels (libdevice); without it "
             "sweep.bin has no GPU backend"),
    cl::init("/usr/local/cuda"), cl::cat(category));

cl::opt<std::string>
    cpu("cpu", cl::desc("Target CPU: native (default) or an LLVM CPU name"),
        cl::init("native"), cl::cat(category));

cl::opt<bool> printSummary(
    "summary",
    cl::desc("Print a one-screen summary of the analysed model to stderr; "
             "without -o or --emit, write no file"),
    cl::init(false), cl::cat(category));
} // namespace

/// --precision, once main has checked that it is f32 or f64.
static rateml::KernelPrecision kernelPrecision() {
  return precision == "f64" ? rateml::KernelPrecision::F64
                            : rateml::KernelPrecision::F32;
}

/// PTX of the model's GPU kernels.
static FailureOr<std::string> compilePTX(MLIRContext &context,
                                         ModuleOp analysed) {
  OwningOpRef<ModuleOp> gpuKernels = analysed.clone();
  rateml::GPUPipelineOptions options;
  options.chip = gpuArch;
  options.precision = kernelPrecision();
  options.toolkit = cudaToolkit;
  PassManager lowerGpu(&context);
  if (failed(applyPassManagerCLOptions(lowerGpu)))
    return failure();
  rateml::buildLowerToNVVMPipeline(lowerGpu, options);
  if (failed(lowerGpu.run(*gpuKernels)))
    return failure();
  std::string ptx;
  for (auto binary : gpuKernels->getOps<gpu::BinaryOp>())
    for (Attribute object : binary.getObjects())
      ptx += cast<gpu::ObjectAttr>(object).getObject().getValue();
  return ptx;
}

/// Creates a temporary file with `suffix` holding `bytes`; its name goes to
/// `path` (the caller removes it).
static LogicalResult writeTemporaryFile(StringRef suffix, StringRef bytes,
                                        llvm::SmallVectorImpl<char> &path) {
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("rateml-kernels", suffix, path)) {
    llvm::errs() << "rateml-compile: error: cannot create a temporary file: "
                 << ec.message() << "\n";
    return failure();
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(StringRef(path.data(), path.size()), ec);
  if (!ec) {
    os << bytes;
    os.close();
    ec = os.error();
  }
  if (ec) {
    llvm::errs() << "rateml-compile: error: cannot write '"
                 << StringRef(path.data(), path.size()) << "': " << ec.message()
                 << "\n";
    return failure();
  }
  return success();
}

/// Assembles `ptx` for `arch` with the toolkit's ptxas into `cubin`; leaves
/// it empty (driver JIT instead) when there is no ptxas.
static LogicalResult assembleCubin(StringRef ptx, StringRef arch,
                                   std::string &cubin) {
  std::string ptxas = cudaToolkit + "/bin/ptxas";
  if (!llvm::sys::fs::can_execute(ptxas))
    return success();
  llvm::SmallString<128> in, out;
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove(in);
    llvm::sys::fs::remove(out);
  });
  if (failed(writeTemporaryFile("ptx", ptx, in)) ||
      failed(writeTemporaryFile("cubin", "", out)))
    return failure();
  std::string archFlag = ("-arch=" + arch).str();
  std::vector<StringRef> args = {ptxas, archFlag, in, "-o", out};
  std::string error;
  if (llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, {}, 0, 0, &error) !=
      0) {
    llvm::errs() << "rateml-compile: error: ptxas failed for " << arch
                 << (error.empty() ? "" : ": " + error) << "\n";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(out);
  if (!buffer) {
    llvm::errs() << "rateml-compile: error: cannot read the cubin\n";
    return failure();
  }
  cubin = (*buffer)->getBuffer().str();
  return success();
}

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

  if (emitAction == Emit::MLIR && !printSummary) {
    llvm::raw_string_ostream os(output);
    module->print(os);
    return success();
  }
  analysed = module->clone();
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  rateml::buildModelOptimizationPipeline(pm, regional);
  if (failed(pm.run(*analysed)))
    return failure();
  llvm::raw_string_ostream os(output);
  if (emitAction == Emit::MLIR || emitAction == Emit::MLIROptimized) {
    (emitAction == Emit::MLIR ? *module : *analysed)->print(os);
    return success();
  }

  if (emitAction == Emit::PTX) {
    FailureOr<std::string> ptx = compilePTX(context, *analysed);
    if (failed(ptx))
      return failure();
    os << *ptx;
    return success();
  }

  OwningOpRef<ModuleOp> kernels = analysed->clone();
  rateml::CPUPipelineOptions options;
  options.lanes = lanes;
  options.narrowLanes = unsigned(narrowLanes);
  options.precision = kernelPrecision();
  options.block = block;
  PassManager lower(&context);
  if (failed(applyPassManagerCLOptions(lower)))
    return failure();
  if (emitAction == Emit::Lowered)
    rateml::buildKernelPipeline(lower, options);
  else
    rateml::buildLowerToCPUPipeline(lower, options);
  if (failed(lower.run(*kernels)))
    return failure();
  if (emitAction == Emit::Lowered) {
    kernels->print(os);
    return success();
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      rateml::translateToOptimizedLLVMIR(*kernels, llvmContext, cpu);
  if (!llvmModule)
    return failure();
  if (linked(emitAction)) {
    // The GPU kernels travel inside sweep.bin as PTX, when the CUDA toolkit
    // (libdevice) is here to build them; sweep.bin JIT-compiles them.
    std::string ptx, cubin80, cubin90;
    if (llvm::sys::fs::exists(cudaToolkit +
                              "/nvvm/libdevice/libdevice.10.bc")) {
      FailureOr<std::string> compiled = compilePTX(context, *analysed);
      if (failed(compiled))
        return failure();
      ptx = *compiled;
      // Ready-made cubins for the common GPUs when ptxas is here; other
      // GPUs JIT-compile the PTX.
      if (failed(assembleCubin(ptx, "sm_80", cubin80)) ||
          failed(assembleCubin(ptx, "sm_90", cubin90)))
        return failure();
    }
    rateml::addGpuImages(*llvmModule, ptx, cubin80, cubin90);
  }
  if (emitAction == Emit::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }
  llvm::SmallString<0> object;
  llvm::raw_svector_ostream objectStream(object);
  if (failed(rateml::emitObjectFile(*llvmModule, cpu, objectStream,
                                    kernels->getLoc())))
    return failure();
  output.assign(object.begin(), object.end());
  return success();
}

/// Links `object` with the sweep runtime into the executable (or, for
/// --emit=library, the shared library) `output`, through a temporary file
/// renamed at the end.
static LogicalResult linkWithRuntime(const std::string &object,
                                     StringRef output) {
  llvm::SmallString<128> objectPath, exePath;
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove(objectPath);
    llvm::sys::fs::remove(exePath);
  });
  if (failed(writeTemporaryFile("o", object, objectPath)))
    return failure();
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(
          output + ".partial-%%%%%%", exePath)) {
    llvm::errs() << "rateml-compile: error: cannot create '" << output
                 << ".partial-*': " << ec.message() << "\n";
    return failure();
  }
  SmallVector<StringRef> items;
  StringRef(emitAction == Emit::Library ? RATEML_LIBRARY_LINK_ITEMS
                                        : RATEML_SWEEP_LINK_ITEMS)
      .split(items, ';', -1, false);
  std::vector<StringRef> args = {RATEML_SWEEP_LINKER, "-o", exePath,
                                 objectPath};
  args.insert(args.end(), items.begin(), items.end());
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(RATEML_SWEEP_LINKER, args, std::nullopt,
                                     {}, 0, 0, &error);
  if (rc != 0) {
    llvm::errs() << "rateml-compile: error: linking "
                 << (emitAction == Emit::Library ? "the library" : "sweep.bin")
                 << " failed" << (error.empty() ? "" : ": " + error) << "\n";
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(exePath, output)) {
    llvm::errs() << "rateml-compile: error: cannot write '" << output
                 << "': " << ec.message() << "\n";
    return failure();
  }
  return success();
}

/// LLVM's command-line errors, less the "Too many positional arguments"
/// that follows an unknown option when its value ("--precison f64") is then
/// taken for a second input file.
static void printUsageErrors(StringRef errors) {
  bool unknownOption = errors.contains("Unknown command line argument");
  SmallVector<StringRef> lines;
  errors.split(lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    if (unknownOption && (line.contains("Too many positional arguments") ||
                          line.starts_with("Can specify at most")))
      continue;
    llvm::errs() << line << "\n";
  }
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "rateml-compile (rateml " RATEML_VERSION ")\n";
  });
  // libLLVM registers hundreds of backend options in the general category;
  // they stay usable (and listed by --help-hidden) but would bury ours.
  cl::HideUnrelatedOptions(category);
  std::string usageErrors;
  llvm::raw_string_ostream usageStream(usageErrors);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "rateml-compile: compile a RateML/LEMS XML neural-mass model\n\n"
          "  rateml-compile model.xml -o sweep.bin [--precision f32|f64]\n"
          "  rateml-compile model.xml --emit=mlir [-o out.mlir]\n"
          "  rateml-compile model.xml --summary   (prints; writes no file)\n\n"
          "Errors are reported as file:line:col and make the exit status 1;\n"
          "the output file is only written when compilation succeeds.\n",
          &usageStream)) {
    printUsageErrors(usageErrors);
    return 1;
  }

  if (precision != "f32" && precision != "f64") {
    llvm::errs() << "rateml-compile: error: --precision must be f32 or f64\n";
    return 1;
  }
  if (block == 0 || block > 32) {
    llvm::errs() << "rateml-compile: error: --block must be 1 to 32\n";
    return 1;
  }
  if (lanes == 0)
    lanes = rateml::getVectorBits(cpu) / (precision == "f64" ? 64 : 32);
  if (narrowLanes < 0)
    narrowLanes = lanes / 2 >= 4 ? int(lanes / 2) : 0;
  if (narrowLanes != 0 && unsigned(narrowLanes) >= lanes) {
    llvm::errs() << "rateml-compile: error: --narrow-lanes must be 0 or "
                    "fewer than --lanes ("
                 << lanes << ")\n";
    return 1;
  }
  // --summary alone only looks at the model: it must not replace a
  // sweep.bin the user has.
  bool summaryOnly = printSummary && outputFilename.empty() &&
                     emitAction.getNumOccurrences() == 0;
  if (summaryOnly)
    emitAction = Emit::MLIROptimized;
  if (outputFilename.empty())
    outputFilename = emitAction == Emit::Executable ? "sweep.bin" : "-";
  if (linked(emitAction) && outputFilename == "-") {
    llvm::errs() << "rateml-compile: error: an executable or library cannot "
                    "go to stdout; give -o FILE\n";
    return 1;
  }

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
  if (summaryOnly) {
    // Nothing to write.
  } else if (linked(emitAction)) {
    if (failed(linkWithRuntime(output, outputFilename)))
      return 1;
  } else if (llvm::Error err = llvm::writeToOutput(
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
