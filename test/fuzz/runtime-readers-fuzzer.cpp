//===- runtime-readers-fuzzer.cpp - libFuzzer over sweep.bin's readers ----===//
//
// The first byte picks one of sweep.bin's input readers, the rest is its
// input: a .npy file, a CSV parameter table, a connectome text matrix, a
// connectome zip, or a command line (arguments separated by NUL bytes). A
// one-line Error is the expected answer to bad input; a crash, a sanitizer
// report, any other exception (main() would print it without naming the
// option), a hang or unbounded memory is a bug.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CommandLine.h"
#include "rateml/runtime/Connectome.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Npy.h"
#include "rateml/runtime/ParamGrid.h"
#include <cstdint>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace rateml::runtime;

namespace {
/// Writes `bytes` to this process's scratch file ending in `suffix`, in the
/// working directory (tools/check.sh runs the fuzzer in a temporary one),
/// for the readers that take a path.
std::string scratchFile(const std::string &bytes, const std::string &suffix) {
  std::string path = "rateml-fuzz-" + std::to_string(getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const std::string input(reinterpret_cast<const char *>(data) + 1, size - 1);
  try {
    switch (data[0] % 5) {
    case 0:
      readNpy(scratchFile(input, ".npy"));
      break;
    case 1:
      // A small limit, so that the fuzzer reaches it.
      readParamTable(scratchFile(input, ".csv"), SetLimit{1000, "fuzzing"});
      break;
    case 2: {
      size_t n = 0;
      parseMatrix(input, n, "fuzz");
      break;
    }
    case 3:
      loadConnectome(scratchFile(input, ".zip"));
      break;
    case 4: {
      std::vector<std::string> args{"sweep.bin"};
      size_t start = 0;
      for (size_t end; (end = input.find('\0', start)) != std::string::npos;
           start = end + 1)
        args.push_back(input.substr(start, end - start));
      args.push_back(input.substr(start));
      std::vector<const char *> argv;
      for (const std::string &a : args)
        argv.push_back(a.c_str());
      SweepOptions options;
      parseCommandLine(int(argv.size()), argv.data(), options);
      break;
    }
    }
  } catch (const Error &) {
  }
  return 0;
}
