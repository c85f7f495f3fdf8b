//===- rateml-h5compare.cpp - Compare two sweep result files --------------===//
//
//   rateml-h5compare RESULT REFERENCE --rtol X [--samples N] [--dataset D]
//
// Checks that /params and the shapes of D (default /data; any dataset with
// the set first, e.g. /bold or /fcd_var) agree, that NaNs sit at the same
// places, and that max |a - b| / max(1, |b|) over D (the first N samples
// of its second dimension when given) is at most X. Prints the error; exit
// status 1 on any mismatch, 2 on bad input. Needs only HDF5, so it runs next to
// sweep.bin on machines without LLVM or Python (the GPU checks).
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <hdf5.h>
#include <string>
#include <vector>

namespace {

struct Dataset {
  std::vector<hsize_t> dims;
  std::vector<double> values;
};

bool read(const char *path, const char *name, Dataset &out) {
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0)
    return false;
  hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  bool ok = set >= 0;
  if (ok) {
    hid_t space = H5Dget_space(set);
    int rank = H5Sget_simple_extent_ndims(space);
    out.dims.resize(std::max(rank, 0));
    H5Sget_simple_extent_dims(space, out.dims.data(), nullptr);
    hsize_t count = 1;
    for (hsize_t d : out.dims)
      count *= d;
    out.values.resize(count);
    ok = H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                 out.values.data()) >= 0;
    H5Sclose(space);
    H5Dclose(set);
  }
  H5Fclose(file);
  return ok;
}

int mismatch(const std::string &why) {
  std::printf("mismatch: %s\n", why.c_str());
  return 1;
}

const char *const kUsage =
    "usage: rateml-h5compare RESULT REFERENCE --rtol X [--samples N] "
    "[--dataset D]\n";

const char *const kHelp =
    "\n"
    "Compares dataset D (default /data) of two sweep.bin result files: the\n"
    "same /params, the same shape, NaNs at the same places, and\n"
    "max |a - b| / max(1, |b|) <= X, over the first N samples when given.\n"
    "Exit status: 0 when they agree, 1 on a mismatch, 2 on bad input.\n"
    "\n"
    "  --rtol X      tolerance on the scaled error (required)\n"
    "  --samples N   compare only the first N samples of each set\n"
    "  --dataset D   the dataset, e.g. /bold, /fc or /fcd_var\n";

int badUsage(const std::string &why) {
  std::fprintf(stderr, "rateml-h5compare: error: %s\n%s", why.c_str(), kUsage);
  return 2;
}

/// A number that is the whole of `text`.
bool parseNumber(const char *text, double &out) {
  char *end = nullptr;
  out = std::strtod(text, &end);
  return end != text && !*end;
}

} // namespace

int main(int argc, char **argv) {
  const char *result = nullptr, *reference = nullptr;
  double rtol = -1;
  size_t samples = 0;
  std::string dataset = "/data";
  for (int k = 1; k < argc; ++k) {
    std::string arg = argv[k];
    if (arg == "--help" || arg == "-h") {
      std::printf("%s%s", kUsage, kHelp);
      return 0;
    }
    bool takesValue =
        arg == "--rtol" || arg == "--samples" || arg == "--dataset";
    if (takesValue && k + 1 >= argc)
      return badUsage(arg + " needs a value");
    if (arg == "--rtol") {
      if (!parseNumber(argv[++k], rtol) || !(rtol >= 0))
        return badUsage("--rtol: '" + std::string(argv[k]) +
                        "' is not a number >= 0");
    } else if (arg == "--samples") {
      double n;
      if (!parseNumber(argv[++k], n) || !(n >= 1) || n != std::floor(n))
        return badUsage("--samples: '" + std::string(argv[k]) +
                        "' is not a whole number >= 1");
      samples = size_t(n);
    } else if (arg == "--dataset") {
      dataset = argv[++k];
    } else if (arg.size() > 1 && arg[0] == '-') {
      return badUsage("unknown option '" + arg + "'");
    } else if (!result) {
      result = argv[k];
    } else if (!reference) {
      reference = argv[k];
    } else {
      return badUsage("unexpected argument '" + arg + "'");
    }
  }
  if (!result || !reference)
    return badUsage("give a RESULT and a REFERENCE file");
  if (rtol < 0)
    return badUsage("--rtol X is required");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Dataset pa, pb, a, b;
  if (!read(result, "/params", pa) || !read(reference, "/params", pb) ||
      !read(result, dataset.c_str(), a) ||
      !read(reference, dataset.c_str(), b)) {
    std::fprintf(stderr,
                 "rateml-h5compare: cannot read /params and %s of both "
                 "files\n",
                 dataset.c_str());
    return 2;
  }
  if (pa.dims != pb.dims || pa.values != pb.values)
    return mismatch("/params differ");
  if (a.dims != b.dims || a.dims.empty())
    return mismatch(dataset + " shapes differ");
  // [sets][samples][rest...]; a per-set scalar has one "sample".
  size_t numSamples = a.dims.size() > 1 ? a.dims[1] : 1, perSample = 1;
  for (size_t d = 2; d < a.dims.size(); ++d)
    perSample *= a.dims[d];
  size_t keep = samples ? std::min(samples, numSamples) : numSamples;
  double error = 0, lo = INFINITY, hi = -INFINITY;
  bool anyFinite = false;
  for (size_t set = 0; set < a.dims[0]; ++set)
    for (size_t k = 0; k < keep * perSample; ++k) {
      size_t idx = set * numSamples * perSample + k;
      double x = a.values[idx], y = b.values[idx];
      if (std::isnan(x) != std::isnan(y))
        return mismatch("NaNs at different places");
      if (std::isnan(y))
        continue;
      anyFinite = true;
      error = std::max(error, std::fabs(x - y) / std::max(1.0, std::fabs(y)));
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
  if (!anyFinite)
    return mismatch("nothing finite to compare");
  std::printf("max scaled error %.3g (tolerance %g), spread %.3g\n", error,
              rtol, hi - lo);
  if (!(error <= rtol))
    return mismatch("error above tolerance");
  if (hi == lo)
    return mismatch("the reference trajectory is constant; nothing is tested");
  return 0;
}
