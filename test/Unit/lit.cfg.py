# Runs the GoogleTest binaries (built from test/unittests/) inside lit.
import os

import lit.formats

config.name = "RATEML-Unit"
config.suffixes = []
config.test_source_root = os.path.join(config.rateml_obj_root, "test", "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")

# Sanitized builds: our instrumented code inlines LLVM's allocators, which
# poison memory that the uninstrumented libMLIR.so then writes legitimately,
# so user poisoning must be off; every other ASan check stays on.
if config.rateml_sanitize:
    config.environment["ASAN_OPTIONS"] = (
        "allow_user_poisoning=0:detect_odr_violation=0:detect_leaks=1:"
        "abort_on_error=1")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
