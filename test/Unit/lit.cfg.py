# Runs the GoogleTest binaries (built from test/unittests/) inside lit.
import os

import lit.formats

config.name = "RATEML-Unit"
config.suffixes = []
config.test_source_root = os.path.join(config.rateml_obj_root, "test", "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
