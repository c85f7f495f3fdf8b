//===- CohortTest.cpp - The connectomes of a sweep, one per subject -------===//
//
// --connectivity lists: paths in order, @FILE expanded in place with its
// comments and blank lines skipped and relative paths taken from FILE's
// folder; subjects of different node counts are refused by name.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Cohort.h"
#include "ErrorOf.h"
#include "gtest/gtest.h"
#include <filesystem>
#include <fstream>

using namespace rateml::runtime;
namespace fs = std::filesystem;

TEST(Cohort, NoneIsTheBuiltinConnectome) {
  EXPECT_EQ(expandConnectivity({}), (std::vector<std::string>{"builtin"}));
  Cohort cohort = loadCohort({});
  EXPECT_EQ(cohort.subjects.size(), 1u);
  EXPECT_FALSE(cohort.several());
  EXPECT_EQ(cohort.numNodes(), 68u);
}

TEST(Cohort, ListsExpandInPlaceRelativeToTheirFolder) {
  fs::path dir = fs::temp_directory_path() / "rateml-cohort-test";
  fs::create_directories(dir / "lists");
  std::ofstream(dir / "lists" / "subjects.txt")
      << "# two subjects\n  one.zip \n\n/abs/two\nbuiltin:5\n";
  EXPECT_EQ(
      expandConnectivity(
          {"first", "@" + (dir / "lists" / "subjects.txt").string(), "last"}),
      (std::vector<std::string>{"first", (dir / "lists" / "one.zip").string(),
                                "/abs/two", "builtin:5", "last"}));
  fs::remove_all(dir);
}

TEST(Cohort, SubjectsNeedTheSameNodes) {
  Cohort cohort = loadCohort({"builtin:5", "builtin:5"});
  EXPECT_TRUE(cohort.several());
  EXPECT_EQ(errorOf([] { loadCohort({"builtin:5", "builtin:4"}); }),
            "--connectivity: 'builtin:5' has 5 nodes but 'builtin:4' has 4; "
            "every subject needs the same nodes");
}

TEST(Cohort, ASetsSubjectIsItsValueAtTheIndex) {
  EXPECT_EQ(subjectOf({0.1, 2, 1}, size_t(2)), 1u);
  EXPECT_EQ(subjectOf({0.1, 2, 1}, std::nullopt), 0u);
}
