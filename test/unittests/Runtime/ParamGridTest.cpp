//===- ParamGridTest.cpp - Sweep specifications ---------------------------===//

#include "rateml/runtime/ParamGrid.h"
#include "ErrorOf.h"
#include "rateml/runtime/Error.h"
#include "gtest/gtest.h"
#include <filesystem>
#include <fstream>

using namespace rateml::runtime;

TEST(ParamGrid, SweepIncludesBothEnds) {
  SweepAxis a = parseSweepAxis("global_coupling=0:1:5");
  EXPECT_EQ(a.name, "global_coupling");
  EXPECT_EQ(a.values, (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(parseSweepAxis("g=2:3:1").values, (std::vector<double>{2}));
  EXPECT_EQ(parseSweepAxis("g=0.1:0.7:7").values.back(), 0.7);
}

TEST(ParamGrid, Values) {
  EXPECT_EQ(parseValuesAxis("speed=1, 3,10").values,
            (std::vector<double>{1, 3, 10}));
}

TEST(ParamGrid, MalformedSpecs) {
  EXPECT_EQ(errorOf([] { parseSweepAxis("g=0:1"); }),
            "malformed range 'g=0:1': expected NAME=LO:HI:COUNT");
  EXPECT_EQ(errorOf([] { parseSweepAxis("g=0:1:0"); }),
            "malformed range 'g=0:1:0': COUNT must be a whole number >= 1");
  EXPECT_EQ(errorOf([] { parseSweepAxis("g=a:1:3"); }),
            "--sweep g LO: 'a' is not a finite number");
  EXPECT_EQ(errorOf([] { parseSweepAxis("0:1:3"); }),
            "malformed '0:1:3': expected NAME=LO:HI:COUNT");
  EXPECT_EQ(errorOf([] { parseValuesAxis("g=1,,2"); }),
            "--values g: '' is not a finite number");
}

TEST(ParamGrid, CartesianProductFirstSlowest) {
  ParamTable t = cartesianProduct({{"a", {1, 2}}, {"b", {10, 20, 30}}});
  EXPECT_EQ(t.names, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t.row(0), (std::vector<double>{1, 10}));
  EXPECT_EQ(t.row(1), (std::vector<double>{1, 20}));
  EXPECT_EQ(t.row(3), (std::vector<double>{2, 10}));
  EXPECT_EQ(t.row(5), (std::vector<double>{2, 30}));
  EXPECT_EQ(t.describe(5), "parameter set 5");
  EXPECT_EQ(errorOf([] { cartesianProduct({{"a", {1}}, {"a", {2}}}); }),
            "parameter 'a' is swept twice");
}

TEST(ParamGrid, GridRowsAreMadeOnDemand) {
  // Nearly 2^32 sets: no table is built (that would take 64 GiB), each row
  // is computed from its index.
  ParamTable t = cartesianProduct(
      {{"a", linspace(0, 65535, 65536)}, {"b", linspace(0, 65534, 65535)}});
  ASSERT_EQ(t.size(), 65536u * 65535u);
  EXPECT_EQ(t.row(0), (std::vector<double>{0, 0}));
  EXPECT_EQ(t.row(65535 + 7), (std::vector<double>{1, 7}));
  EXPECT_EQ(t.row(t.size() - 1), (std::vector<double>{65535, 65534}));
}

TEST(ParamGrid, SetLimitRefusesBeforeBuilding) {
  const SetLimit five{5, "why"};
  EXPECT_EQ(cartesianProduct({{"a", {1, 2}}, {"b", {1, 2}}}, five).size(), 4u);
  EXPECT_EQ(errorOf([&] {
              cartesianProduct({{"a", {1, 2}}, {"b", {1, 2, 3}}}, five);
            }),
            "the sweep has 6 parameter sets, more than the limit of 5: why");
  // 2^64 sets: counted without wrapping (to 0) and refused before any row
  // is built.
  std::vector<SweepAxis> huge;
  for (int k = 0; k < 4; ++k)
    huge.push_back({"p" + std::to_string(k), std::vector<double>(1 << 16)});
  EXPECT_EQ(errorOf([&] { cartesianProduct(huge); }),
            "the sweep has over 2^64 parameter sets, more than the limit of "
            "4294967296: the noise counters number sets in 32 bits");
  auto path = std::filesystem::temp_directory_path() / "rateml-limit.csv";
  std::ofstream(path) << "g\n1\n2\n3\n4\n5\n6\n";
  EXPECT_EQ(errorOf([&] { readParamTable(path.string(), five); }),
            "parameter table '" + path.string() +
                "' has more than 5 parameter sets: why");
}

TEST(ParamGrid, CsvTable) {
  auto path = std::filesystem::temp_directory_path() / "rateml-params.csv";
  std::ofstream(path) << "g, speed\n0.1,3\n# comment\n0.2, 10\n";
  ParamTable t = readParamTable(path.string());
  EXPECT_EQ(t.names, (std::vector<std::string>{"g", "speed"}));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.row(0), (std::vector<double>{0.1, 3}));
  EXPECT_EQ(t.row(1), (std::vector<double>{0.2, 10}));
  EXPECT_EQ(t.describe(1),
            "parameter set 1 (line 4 of '" + path.string() + "')");
  std::ofstream(path) << "g,speed\n0.1\n";
  EXPECT_EQ(errorOf([&] { readParamTable(path.string()); }),
            path.string() + ":2: 1 values, expected 2");
  std::filesystem::remove(path);
}
