//===- ConnectomeTest.cpp - Loading connectomes ---------------------------===//
//
// The built-in connectome, text parsing errors, and TVB's real zips read in
// place from ../shared/data (skipped where that folder is absent).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Connectome.h"
#include "ErrorOf.h"
#include "rateml/runtime/Error.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace rateml::runtime;
namespace fs = std::filesystem;

namespace {

std::string sharedData(const std::string &name) {
  return std::string(RATEML_SHARED_DIR) + "/data/" + name;
}

#define REQUIRE_SHARED()                                                       \
  if (!fs::exists(sharedData("")))                                             \
  GTEST_SKIP() << "../shared/data is not available"

size_t nonZero(const std::vector<double> &v) {
  return std::count_if(v.begin(), v.end(), [](double x) { return x != 0; });
}

} // namespace

TEST(Connectome, BuiltinIsDeterministicSymmetricAndSparse) {
  Connectome a = loadConnectome("builtin:68");
  Connectome b = makeBuiltinConnectome(68);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.source, "builtin:68");
  EXPECT_EQ(loadConnectome("builtin").numNodes, 68u);
  for (size_t i = 0; i < a.numNodes; ++i) {
    EXPECT_EQ(a.weight(i, i), 0.0);
    for (size_t j = 0; j < a.numNodes; ++j) {
      EXPECT_EQ(a.weight(i, j), a.weight(j, i));
      EXPECT_DOUBLE_EQ(a.length(i, j), a.length(j, i));
      EXPECT_LE(a.length(i, j), 120.0 + 1e-9); // the sphere's diameter
    }
  }
  size_t k = nonZero(a.weights);
  EXPECT_GT(k, 68u * 5);
  EXPECT_LT(k, 68u * 67);
}

TEST(Connectome, BadSpecs) {
  EXPECT_EQ(errorOf([] { loadConnectome("builtin:0"); }),
            "builtin connectome size must be 1 to 10000, got 0");
  EXPECT_EQ(errorOf([] { loadConnectome("builtin:x"); }),
            "malformed connectivity 'builtin:x': expected builtin:N with N a "
            "node count");
  EXPECT_EQ(errorOf([] { loadConnectome("/nonexistent/conn.zip"); }),
            "connectivity '/nonexistent/conn.zip' does not exist");
}

TEST(Connectome, MatrixErrorsNameFileAndLine) {
  size_t n = 0;
  EXPECT_EQ(errorOf([&] { parseMatrix("1 2\n3\n", n, "w.txt"); }),
            "w.txt:2: 1 values, expected 2");
  EXPECT_EQ(errorOf([&] { parseMatrix("1 x\n3 4\n", n, "w.txt"); }),
            "w.txt:1: not a finite number: 'x'");
  EXPECT_EQ(errorOf([&] { parseMatrix("1 2 3\n4 5 6\n", n, "w.txt"); }),
            "w.txt: 2 x 3 is not square");
  EXPECT_EQ(errorOf([&] { parseMatrix("\n \n", n, "w.txt"); }),
            "w.txt: no data");
  std::vector<double> m = parseMatrix("1 2\n\n3 4\n", n, "w.txt");
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(m, (std::vector<double>{1, 2, 3, 4}));
}

TEST(Connectome, FolderOfTextFiles) {
  fs::path dir = fs::temp_directory_path() / "rateml-connectome-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "weights.txt") << "0 1\n2 0\n";
  std::ofstream(dir / "tract_lengths.txt") << "0 10\n20 0\n";
  std::ofstream(dir / "centres.txt") << "left 0 0 0\nright 1 0 0\n";
  Connectome c = loadConnectome(dir.string());
  EXPECT_EQ(c.numNodes, 2u);
  EXPECT_EQ(c.weight(1, 0), 2.0); // row = target
  EXPECT_EQ(c.length(0, 1), 10.0);
  EXPECT_EQ(c.labels, (std::vector<std::string>{"left", "right"}));

  std::ofstream(dir / "tract_lengths.txt") << "0 10 1\n20 0 1\n1 1 1\n";
  EXPECT_NE(errorOf([&] {
              loadConnectome(dir.string());
            }).find("tract_lengths.txt is 3 x 3 but weights.txt is 2 x 2"),
            std::string::npos);
  fs::remove(dir / "tract_lengths.txt");
  EXPECT_NE(errorOf([&] {
              loadConnectome(dir.string());
            }).find("no tract_lengths.txt"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(Connectome, TVBZipWithBzip2Members) {
  REQUIRE_SHARED();
  Connectome c = loadConnectome(sharedData("connectivity_68.zip"));
  ASSERT_EQ(c.numNodes, 68u);
  EXPECT_EQ(nonZero(c.weights), 1244u);
  EXPECT_DOUBLE_EQ(*std::max_element(c.lengths.begin(), c.lengths.end()),
                   252.90276);
  EXPECT_DOUBLE_EQ(*std::max_element(c.weights.begin(), c.weights.end()),
                   0.12053822);
  EXPECT_EQ(c.labels.front(), "r_lateralorbitofrontal");
  // The zip and the extracted folder hold the same values.
  Connectome folder = loadConnectome(sharedData("connectivity_68_extracted"));
  EXPECT_EQ(c.weights, folder.weights);
  EXPECT_EQ(c.lengths, folder.lengths);
}

TEST(Connectome, TVBZipWithSubfolder) {
  REQUIRE_SHARED();
  Connectome c = loadConnectome(sharedData("connectivity_192.zip"));
  EXPECT_EQ(c.numNodes, 192u);
  EXPECT_EQ(nonZero(c.weights), 3532u);
  Connectome c76 = loadConnectome(sharedData("connectivity_76.zip"));
  EXPECT_EQ(c76.numNodes, 76u);
  EXPECT_EQ(nonZero(c76.weights), 1560u);
}

TEST(Connectome, CorruptZipIsAnError) {
  fs::path file = fs::temp_directory_path() / "rateml-corrupt.zip";
  std::ofstream(file) << "PK\x03\x04 this is not a zip";
  EXPECT_NE(errorOf([&] {
              loadConnectome(file.string());
            }).find("cannot open connectivity zip"),
            std::string::npos);
  fs::remove(file);
}
