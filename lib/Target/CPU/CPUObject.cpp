//===- CPUObject.cpp - LLVM-dialect kernels to a native object ------------===//
//
// Uses LLVM's TargetMachine for the host triple; "native" picks the host CPU
// and its features (AVX2, AVX-512, ...) so the vector lanes map to real
// SIMD registers.
//
//===----------------------------------------------------------------------===//

#include "rateml/Target/CPUObject.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "rateml/runtime/KernelABI.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

namespace {
std::unique_ptr<llvm::TargetMachine> makeTargetMachine(StringRef cpu,
                                                       std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpuName = cpu.str(), features;
  if (cpu == "native") {
    cpuName = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures subtarget;
    for (const auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
      subtarget.AddFeature(feature, enabled);
    features = subtarget.getString();
  }
  llvm::TargetOptions options;
  // No contraction into FMA: the kernels must round as the model says.
  options.AllowFPOpFusion = llvm::FPOpFusion::Standard;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpuName, features, options, llvm::Reloc::PIC_));
}
namespace symbol = ::rateml::runtime::symbol;

/// Adds a NUL-terminated constant string `name` = `value` with external
/// linkage (data the runtime reads).
void addStringGlobal(llvm::Module &module, StringRef name, StringRef value) {
  llvm::Constant *text =
      llvm::ConstantDataArray::getString(module.getContext(), value);
  new llvm::GlobalVariable(module, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text, name);
}

/// Adds `name` (bytes) and its size (uint64, symbol::kSizeSuffix) with
/// external linkage, for binary data such as cubins.
void addBytesGlobal(llvm::Module &module, StringRef name, StringRef bytes) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Constant *data = llvm::ConstantDataArray::getRaw(
      bytes.empty() ? StringRef("\0", 1) : bytes,
      std::max<size_t>(bytes.size(), 1), llvm::Type::getInt8Ty(ctx));
  new llvm::GlobalVariable(module, data->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, data, name);
  new llvm::GlobalVariable(
      module, llvm::Type::getInt64Ty(ctx), /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx), bytes.size()),
      (name + symbol::kSizeSuffix).str());
}

/// Records, as a string global (symbol::kTargetFeatures), the x86 vector
/// extensions the kernels may use, so that sweep.bin can refuse to run on a
/// CPU without them instead of dying on an illegal instruction.
void recordTargetFeatures(llvm::Module &module, llvm::TargetMachine &tm) {
  std::string enabled;
  const llvm::MCSubtargetInfo *info = tm.getMCSubtargetInfo();
  for (const char *name : ::rateml::runtime::kCheckedCpuFeatures)
    if (info->checkFeatures("+" + std::string(name)))
      enabled += (enabled.empty() ? "" : " ") + std::string(name);
  addStringGlobal(module, symbol::kTargetFeatures, enabled);
}
} // namespace

void mlir::rateml::addGpuImages(llvm::Module &module, StringRef ptx,
                                StringRef cubinSm80, StringRef cubinSm90) {
  addStringGlobal(module, symbol::kGpuPtx, ptx);
  addBytesGlobal(module, symbol::kGpuCubinSm80, cubinSm80);
  addBytesGlobal(module, symbol::kGpuCubinSm90, cubinSm90);
}

unsigned mlir::rateml::getVectorBits(StringRef cpu) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(cpu, error);
  if (!tm)
    return 128;
  const llvm::MCSubtargetInfo *info = tm->getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return 512;
  if (info->checkFeatures("+avx2"))
    return 256;
  return 128;
}

std::unique_ptr<llvm::Module> mlir::rateml::translateToOptimizedLLVMIR(
    ModuleOp module, llvm::LLVMContext &ctx, StringRef cpu) {
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(cpu, error);
  if (!tm) {
    module.emitError() << "no LLVM target for this machine: " << error;
    return nullptr;
  }
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, ctx, "rateml-kernels");
  if (!llvmModule) {
    module.emitError() << "cannot translate the kernels to LLVM IR";
    return nullptr;
  }
  llvmModule->setTargetTriple(tm->getTargetTriple());
  llvmModule->setDataLayout(tm->createDataLayout());
  recordTargetFeatures(*llvmModule, *tm);
  if (llvm::Error err =
          makeOptimizingTransformer(3, 0, tm.get())(llvmModule.get())) {
    module.emitError() << "LLVM optimization failed: "
                       << llvm::toString(std::move(err));
    return nullptr;
  }
  return llvmModule;
}

LogicalResult mlir::rateml::emitObjectFile(llvm::Module &llvmModule,
                                           StringRef cpu,
                                           llvm::raw_pwrite_stream &os,
                                           Location loc) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(cpu, error);
  if (!tm)
    return emitError(loc) << "no LLVM target for this machine: " << error;
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr,
                              llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "this target cannot emit object files";
  pm.run(llvmModule);
  return success();
}
