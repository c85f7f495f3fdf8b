//===- NpyTest.cpp - Reading .npy files, damaged ones included ------------===//

#include "rateml/runtime/Npy.h"
#include "ErrorOf.h"
#include "gtest/gtest.h"
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace rateml::runtime;

namespace {
/// Writes a version 1 .npy file with `header` as its dict and `data` after
/// it; returns its path.
std::string writeNpy(const std::string &header, const std::string &data) {
  auto path = std::filesystem::temp_directory_path() / "rateml-npy-test.npy";
  std::string h = header + "\n";
  std::ofstream out(path, std::ios::binary);
  out << "\x93NUMPY\x01" << '\0' << char(h.size() & 0xff) << char(h.size() >> 8)
      << h << data;
  return path.string();
}

std::string doubles(std::initializer_list<double> values) {
  std::string bytes(values.size() * 8, '\0');
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}
} // namespace

TEST(Npy, ReadsFloat64) {
  std::string path =
      writeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
               doubles({1, 2, 3, 4.5}));
  NpyArray a = readNpy(path);
  EXPECT_EQ(a.shape, (std::vector<size_t>{2, 2}));
  EXPECT_EQ(a.values, (std::vector<double>{1, 2, 3, 4.5}));
}

TEST(Npy, ShapeMustMatchTheFileWithoutWrapping) {
  const std::string row = doubles({0, 0, 0, 0, 0, 0, 0, 0});
  // (2^61 + 1) x 8 values x 8 bytes wraps to the file's 64 bytes.
  std::string path = writeNpy("{'descr': '<f8', 'fortran_order': False, "
                              "'shape': (2305843009213693953, 2, 4), }",
                              row);
  EXPECT_EQ(errorOf([&] { readNpy(path); }),
            path + ": not a usable .npy file: shape (2305843009213693953, 2, "
                   "4) needs over 2^64 data bytes, found 64");
  path = writeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }",
                  row);
  EXPECT_EQ(errorOf([&] { readNpy(path); }),
            path + ": not a usable .npy file: shape (3, 4) needs 96 data "
                   "bytes, found 64");
  path = writeNpy("{'descr': '<f8', 'fortran_order': False, "
                  "'shape': (99999999999999999999, 4), }",
                  row);
  EXPECT_EQ(errorOf([&] { readNpy(path); }),
            path + ": not a usable .npy file: dimension "
                   "99999999999999999999 is too large");
  // An empty array is fine, whatever its other dimensions.
  path = writeNpy("{'descr': '<f8', 'fortran_order': False, "
                  "'shape': (4294967296, 4294967296, 0), }",
                  "");
  EXPECT_EQ(readNpy(path).values.size(), 0u);
}

TEST(Npy, FormatIndex) {
  EXPECT_EQ(formatIndex({3, 2, 4}, 0), "(0, 0, 0)");
  EXPECT_EQ(formatIndex({3, 2, 4}, 13), "(1, 1, 1)");
  EXPECT_EQ(formatIndex({10}, 5), "(5,)");
}
