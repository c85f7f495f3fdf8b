//===- Limits.cpp - Bounds on sizes derived from input --------------------===//
//
// Overflow-checked sizes and the memory available, for the checks that
// refuse absurd input before any work starts.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Limits.h"
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sys/statvfs.h>
#include <unistd.h>

using namespace rateml::runtime;

std::optional<uint64_t>
rateml::runtime::boundedProduct(std::initializer_list<uint64_t> factors,
                                uint64_t limit) {
  uint64_t product = 1;
  for (uint64_t f : factors)
    if (__builtin_mul_overflow(product, f, &product))
      return std::nullopt;
  if (product > limit)
    return std::nullopt;
  return product;
}

std::optional<uint64_t> rateml::runtime::wholeSteps(double length, double unit,
                                                    uint64_t limit) {
  double steps = std::round(length / unit);
  if (!(steps >= 0 && steps <= double(limit)))
    return std::nullopt;
  return uint64_t(steps);
}

std::optional<size_t> rateml::runtime::firstNonFinite(const double *values,
                                                      size_t n) {
  for (size_t k = 0; k < n; ++k)
    if (!std::isfinite(values[k]))
      return k;
  return std::nullopt;
}

uint64_t rateml::runtime::availableMemory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  while (meminfo >> key >> kib) {
    if (key == "MemAvailable:")
      return kib * 1024;
    meminfo.ignore(256, '\n');
  }
  long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? uint64_t(pages) * uint64_t(size)
                               : uint64_t(1) << 30;
}

std::optional<uint64_t>
rateml::runtime::freeDiskBytes(const std::string &path) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  struct statvfs fs;
  if (statvfs(dir.c_str(), &fs) != 0)
    return std::nullopt;
  return boundedProduct({uint64_t(fs.f_bavail), uint64_t(fs.f_frsize)});
}

std::string rateml::runtime::formatBytes(uint64_t bytes) {
  static const char *const units[] = {"B",   "KiB", "MiB", "GiB",
                                      "TiB", "PiB", "EiB"};
  double value = double(bytes);
  unsigned unit = 0;
  while (value >= 1024 && unit + 1 < sizeof units / sizeof *units) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit ? "%.1f %s" : "%.0f %s", value,
                units[unit]);
  return text;
}
