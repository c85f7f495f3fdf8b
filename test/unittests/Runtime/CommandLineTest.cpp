//===- CommandLineTest.cpp - sweep.bin's option table ---------------------===//
//
// The parser, --help and the Python package's keyword arguments come from
// one table: every option in it parses (with a value of its kind) and
// shows in --help, and the JSON the package reads lists the same options.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CommandLine.h"
#include "ErrorOf.h"
#include "gtest/gtest.h"
#include <map>

using namespace rateml::runtime;

namespace {
/// A valid value for each option that takes one (by its metavar).
const std::map<std::string, std::string> kSampleValues = {
    {"PATH|builtin:N|@LIST", "builtin:4"},
    {"MS", "2"},
    {"N", "3"},
    {"NAME=LO:HI:COUNT", "g=0:1:2"},
    {"NAME=V1,V2,...", "g=1,2"},
    {"FILE.csv", "t.csv"},
    {"NAME=VALUE", "J=1"},
    {"FILE.npy", "i.npy"},
    {"STATE=FILE.npy", "V=s.npy"},
    {"euler|heun", "euler"},
    {"states|exposures", "states"},
    {"K", "2"},
    {"FILE.h5", "o.h5"},
    {"VAR", "r"},
    {"FILE", "f.npy"},
    {"NAME=FILE", "eta=e.npy"},
    {"auto|cpu|gpu", "cpu"}};
} // namespace

TEST(CommandLine, EveryOptionOfTheTableParsesAndIsDocumented) {
  ModelInfo info;
  const std::string help = helpText(info, "none");
  for (const OptionSpec &spec : sweepOptionTable()) {
    SCOPED_TRACE(spec.name);
    std::vector<const char *> argv = {"sweep.bin", spec.name.c_str()};
    if (!spec.metavar.empty()) {
      auto sample = kSampleValues.find(spec.metavar);
      ASSERT_NE(sample, kSampleValues.end()) << "no sample value";
      argv.push_back(sample->second.c_str());
    }
    SweepOptions options;
    EXPECT_EQ(parseCommandLine(int(argv.size()), argv.data(), options),
              CommandLineAction::Run);
    EXPECT_NE(help.find("  " + spec.name), std::string::npos);
    for (const std::string &alias : spec.aliases) {
      argv[1] = alias.c_str();
      EXPECT_EQ(parseCommandLine(int(argv.size()), argv.data(), options),
                CommandLineAction::Run);
    }
    EXPECT_NE(sweepOptionsJson().find("\"" + spec.name + "\""),
              std::string::npos);
  }
}

TEST(CommandLine, StimulusIsStateAndFileInOrder) {
  const char *argv[] = {"sweep.bin", "--stimulus", "V=a.npy",
                        "--stimulus=r=dir/b=c.npy"};
  SweepOptions options;
  parseCommandLine(4, argv, options);
  ASSERT_EQ(options.stimulus.size(), 2u);
  EXPECT_EQ(options.stimulus[0],
            std::make_pair(std::string("V"), std::string("a.npy")));
  EXPECT_EQ(options.stimulus[1],
            std::make_pair(std::string("r"), std::string("dir/b=c.npy")));
  for (const char *bad : {"V", "=a.npy", "V="}) {
    const char *one[] = {"sweep.bin", "--stimulus", bad};
    SweepOptions o;
    EXPECT_EQ(errorOf([&] { parseCommandLine(3, one, o); }),
              "malformed '" + std::string(bad) +
                  "': expected --stimulus STATE=FILE.npy");
  }
}

TEST(CommandLine, OptionsSetWhatTheySay) {
  const char *argv[] = {"sweep.bin", "--dt=0.05",  "--no-noise", "-n",
                        "250",       "--set",      "J=14",       "--record",
                        "states",    "--bold-set", "tau_s=1"};
  SweepOptions options;
  parseCommandLine(11, argv, options);
  EXPECT_EQ(options.dt, 0.05);
  EXPECT_FALSE(options.noise);
  EXPECT_EQ(options.duration, 250.0);
  EXPECT_EQ(options.constants.at("J"), 14.0);
  EXPECT_TRUE(options.recordStates);
  EXPECT_EQ(options.boldConstants.at("tau_s"), 1.0);
}

TEST(CommandLine, RegionalFilesByName) {
  const char *argv[] = {"sweep.bin",     "--node-values", "eta=a.npy",
                        "--map=J=b.txt", "--map",         "eta=c.txt"};
  SweepOptions options;
  parseCommandLine(6, argv, options);
  EXPECT_EQ(options.nodeValues.at("eta"), "a.npy");
  EXPECT_EQ(options.maps.at("J"), "b.txt");
  EXPECT_EQ(options.maps.at("eta"), "c.txt");
  EXPECT_EQ(errorOf([] {
              const char *twice[] = {"sweep.bin", "--map", "J=a", "--map",
                                     "J=b"};
              SweepOptions o;
              parseCommandLine(5, twice, o);
            }),
            "--map J is given twice");
  EXPECT_EQ(errorOf([] {
              const char *bad[] = {"sweep.bin", "--node-values", "eta"};
              SweepOptions o;
              parseCommandLine(3, bad, o);
            }),
            "malformed 'eta': expected --node-values NAME=FILE");
}

TEST(CommandLine, MistakesAreNamed) {
  auto parse = [](std::vector<const char *> argv) {
    return errorOf([&] {
      SweepOptions options;
      parseCommandLine(int(argv.size()), argv.data(), options);
    });
  };
  EXPECT_EQ(parse({"sweep.bin", "--duraton", "5"}),
            "unknown option '--duraton'; did you mean '--duration'?");
  EXPECT_EQ(parse({"sweep.bin", "--no-noise=1"}),
            "option --no-noise takes no value");
  EXPECT_EQ(parse({"sweep.bin", "--dt"}), "option --dt needs a value");
  EXPECT_EQ(parse({"sweep.bin", "--record", "all"}),
            "--record must be states or exposures, got 'all'");
}
