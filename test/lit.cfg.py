# lit configuration of the rateml test suite.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "RATEML"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".xml", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.rateml_obj_root, "test")
# unittests/ holds GoogleTest sources (run by Unit/); Inputs/ holds files
# that tests read, not tests.
config.excludes = ["CMakeLists.txt", "Inputs", "unittests", "Unit", "fuzz",
                   "fake-libcuda",
                   "run-every-model.py", "make-npy.py", "bold-reference.py",
                   "assemble-ptx.py", "run-doc-commands.py",
                   "test_package.py"]

config.environment["FILECHECK_OPTS"] = (
    "-enable-var-scope --allow-unused-prefixes=false")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(
    ("%models", os.path.join(config.rateml_src_root, "models")))
config.substitutions.append(("%shared", config.rateml_shared_dir))
# The source and build trees (the documentation test runs the docs' commands
# in a copy of the one with the other as build/).
config.substitutions.append(("%rateml_src", config.rateml_src_root))
config.substitutions.append(("%rateml_obj", config.rateml_obj_root))
# The directory of the test driver libcuda.so.1 (test/fake-libcuda).
config.substitutions.append(
    ("%fake_libcuda", os.path.join(config.rateml_obj_root, "test",
                                   "fake-libcuda")))
# Debian's interpreter, which has python3-numpy and python3-h5py.
config.substitutions.append(("%python", "/usr/bin/python3"))

# The Python package (python/), which sanitizer and fuzzing builds leave
# out.
config.substitutions.append(
    ("%rateml_pkg", os.path.join(config.rateml_obj_root, "python")))
if os.path.isdir(os.path.join(config.rateml_obj_root, "python", "rateml")):
    config.available_features.add("python-package")

# Tests reading ../shared (RateML's own XML, TVB connectomes) are skipped in
# a clone without it; CI always has it.
if os.path.isdir(os.path.join(config.rateml_shared_dir, "rateml-xml")):
    config.available_features.add("shared")

# An MPI launcher (openmpi-bin; CI always has it) for the tests across ranks.
if shutil.which("mpirun"):
    config.available_features.add("mpirun")

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.rateml_tools_dir, append_path=True)
# ptxas and nvcc for the PTX and baseline tests (the CUDA toolkit; no GPU
# needed).
llvm_config.with_environment("PATH", "/usr/local/cuda/bin", append_path=True)
if os.path.exists("/usr/local/cuda/bin/nvcc"):
    config.available_features.add("nvcc")

tools = [
    ToolSubst("rateml-opt", unresolved="fatal"),
    ToolSubst("rateml-compile", unresolved="fatal"),
    ToolSubst("rateml-reference", unresolved="fatal"),
    ToolSubst("rateml-h5compare", unresolved="fatal"),
    ToolSubst("rateml-heatmap", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.rateml_tools_dir])

# Sanitized builds: our instrumented code inlines LLVM's allocators, which
# poison memory that the uninstrumented libMLIR.so then writes legitimately,
# so user poisoning must be off; every other ASan check stays on.
if config.rateml_sanitize:
    config.available_features.add("sanitized")
    config.environment["ASAN_OPTIONS"] = (
        "allow_user_poisoning=0:detect_odr_violation=0:detect_leaks=1:"
        "abort_on_error=1")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"

# MPI runs (docs/cluster.md): as root in CI, with more ranks than cores.
# OpenMPI never frees what MPI_Init allocates, so sanitized builds check
# MPI runs for everything but leaks.
mpirun = "mpirun --allow-run-as-root --oversubscribe"
if config.rateml_sanitize:
    mpirun = "env ASAN_OPTIONS=%s %s" % (
        config.environment["ASAN_OPTIONS"].replace("detect_leaks=1",
                                                   "detect_leaks=0"), mpirun)
config.substitutions.append(("%mpirun", mpirun))
# The docs' mpirun commands (docs/cluster.md) run as written in CI too.
config.environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
config.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
config.environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
