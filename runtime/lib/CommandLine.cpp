//===- CommandLine.cpp - The sweep.bin command line -----------------------===//
//
// A small hand-written parser over the option table: the option set is
// fixed by the product and must accept RateML's single-dash flags (-s0,
// -dt), which getopt cannot.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CommandLine.h"
#include "rateml/runtime/ClosestName.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace rateml::runtime;

namespace {

/// A whole number from `min` to `max`; beyond `max` (even past 2^64) the
/// message names the limit.
uint64_t parseCount(const std::string &text, const std::string &option,
                    uint64_t min, uint64_t max = UINT64_MAX) {
  char *end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end || text[0] == '-' || v < min)
    throw Error(option + ": '" + text +
                "' is not a whole number >= " + std::to_string(min));
  if (errno == ERANGE || v > max)
    throw Error(option + ": '" + text + "' exceeds the limit of " +
                std::to_string(max));
  return v;
}

/// NAME=VALUE of --set and --bold-set.
std::pair<std::string, double> parseAssignment(const std::string &spec,
                                               const std::string &option) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("malformed '" + spec + "': expected " + option + " NAME=VALUE");
  return {spec.substr(0, eq),
          parseNumber(spec.substr(eq + 1), option + " " + spec.substr(0, eq))};
}

/// NAME=FILE of --node-values and --map, each NAME once.
void addNamedFile(std::map<std::string, std::string> &files,
                  const std::string &spec, const std::string &option) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw Error("malformed '" + spec + "': expected " + option + " NAME=FILE");
  if (!files.emplace(spec.substr(0, eq), spec.substr(eq + 1)).second)
    throw Error(option + " " + spec.substr(0, eq) + " is given twice");
}

/// One of `choices`, else an error listing them.
std::string parseChoice(const std::string &value, const std::string &option,
                        const std::vector<std::string> &choices) {
  for (const std::string &c : choices)
    if (value == c)
      return value;
  std::string list;
  for (size_t k = 0; k < choices.size(); ++k)
    list += (k ? (k + 1 == choices.size() ? " or " : ", ") : "") + choices[k];
  throw Error(option + " must be " + list + ", got '" + value + "'");
}

std::vector<OptionSpec> makeTable() {
  using O = SweepOptions;
  using S = const std::string &;
  std::vector<OptionSpec> t;
  auto add = [&](OptionSpec spec) { t.push_back(std::move(spec)); };
  add({"--connectivity",
       {},
       "PATH|builtin:N|@LIST",
       true,
       false,
       "TVB zip or folder (default builtin = builtin:68);\n"
       "several, or @LIST (a path per line): one\n"
       "subject each, the run parameter 'subject'",
       0,
       [](O &o, S v, S) { o.connectivity.push_back(v); }});
  add({"--dt",
       {"-dt"},
       "MS",
       false,
       false,
       "integration step (default 0.1)",
       0,
       [](O &o, S v, S s) { o.dt = parseNumber(v, s); }});
  add({"--steps",
       {},
       "N",
       false,
       false,
       "length of the run in steps (or --duration)",
       0,
       [](O &o, S v, S s) { o.steps = parseCount(v, s, 0, kMaxSteps); }});
  add({"--duration",
       {"-n"},
       "MS",
       false,
       false,
       "length of the run (default 1000 ms)",
       0,
       [](O &o, S v, S s) { o.duration = parseNumber(v, s); }});
  add({"--sweep",
       {},
       "NAME=LO:HI:COUNT",
       true,
       false,
       "evenly spaced values, both ends included",
       0,
       [](O &o, S v, S) { o.axes.push_back(parseSweepAxis(v)); }});
  add({"--values",
       {},
       "NAME=V1,V2,...",
       true,
       false,
       "explicit values (repeatable; one Cartesian\n"
       "product, the first named varies slowest;\n"
       "constants may be named too)",
       0,
       [](O &o, S v, S) { o.axes.push_back(parseValuesAxis(v)); }});
  add({"--param-table",
       {},
       "FILE.csv",
       false,
       true,
       "header = parameter (and constant) names,\none set per row",
       0,
       [](O &o, S v, S) { o.paramTable = v; }});
  add({"--set",
       {},
       "NAME=VALUE",
       true,
       false,
       "override a constant",
       0,
       [](O &o, S v, S s) {
         auto [name, value] = parseAssignment(v, s);
         o.constants[name] = value;
       }});
  add({"--node-values",
       {},
       "NAME=FILE",
       true,
       true,
       "n_node values (.npy or text, connectome order)\n"
       "for the regional NAME (rateml-compile --regional)",
       0,
       [](O &o, S v, S s) { addNamedFile(o.nodeValues, v, s); }});
  add({"--map",
       {},
       "NAME=FILE",
       true,
       true,
       "regional NAME x (1 + NAME.scale x FILE[i]) at\n"
       "node i; NAME.scale is swept like a parameter\n"
       "(default 0)",
       0,
       [](O &o, S v, S s) { addNamedFile(o.maps, v, s); }});
  add({"--initial",
       {},
       "FILE.npy",
       false,
       true,
       "initial state (states x nodes) or history\n"
       "(T x states x nodes, last row = t 0), f32/f64",
       0,
       [](O &o, S v, S) { o.initial = v; }});
  add({"--stimulus",
       {},
       "STATE=FILE.npy",
       true,
       true,
       "added to d(STATE)/dt: (T, nodes) or (T,),\n"
       "row n during step n -> n + 1, T >= steps;\n"
       "times the run parameter stimulus.scale",
       0,
       [](O &o, S v, S s) {
         size_t eq = v.find('=');
         if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
           throw Error("malformed '" + v + "': expected " + s +
                       " STATE=FILE.npy");
         o.stimulus.emplace_back(v.substr(0, eq), v.substr(eq + 1));
       }});
  add({"--seed",
       {},
       "N",
       false,
       false,
       "noise and initial-state seed (default 0)",
       0,
       [](O &o, S v, S s) { o.seed = parseCount(v, s, 0); }});
  add({"--set-offset",
       {},
       "N",
       false,
       false,
       "draw set k's noise and initial states as set N + k's, so that a\n"
       "sweep split into parts draws what the whole would (default 0)",
       0,
       [](O &o, S v, S s) { o.setOffset = parseCount(v, s, 0); }});
  add({"--integrator",
       {},
       "euler|heun",
       false,
       false,
       "(default heun)",
       0,
       [](O &o, S v, S s) {
         o.heun = parseChoice(v, s, {"euler", "heun"}) == "heun";
       }});
  add({"--no-noise",
       {},
       "",
       false,
       false,
       "integrate deterministically",
       0,
       [](O &o, S, S) { o.noise = false; }});
  add({"--record",
       {},
       "states|exposures",
       false,
       false,
       "what to record (default exposures)",
       0,
       [](O &o, S v, S s) {
         o.recordStates =
             parseChoice(v, s, {"states", "exposures"}) == "states";
       }});
  add({"--every",
       {},
       "K",
       false,
       false,
       "record every K steps (default: every 1 ms)",
       0,
       [](O &o, S v, S s) { o.every = parseCount(v, s, 1); }});
  add({"--tavg",
       {},
       "MS",
       false,
       false,
       "record averages over windows of MS instead",
       0,
       [](O &o, S v, S s) { o.tavg = parseNumber(v, s); }});
  add({"--output",
       {},
       "FILE.h5",
       false,
       false,
       "(default results.h5)",
       0,
       [](O &o, S v, S) { o.output = v; }});
  add({"--no-data",
       {},
       "",
       false,
       false,
       "do not store /data (with --bold: keep only\n"
       "BOLD and its analysis)",
       0,
       [](O &o, S, S) { o.storeData = false; }});
  add({"--bold",
       {},
       "VAR",
       false,
       false,
       "BOLD (Balloon-Windkessel) driven by the\n"
       "recorded variable VAR; writes /bold and /fc",
       1,
       [](O &o, S v, S) { o.bold = v; }});
  add({"--bold-tr",
       {},
       "MS",
       false,
       false,
       "BOLD sampling period (default 2000)",
       1,
       [](O &o, S v, S s) { o.boldTr = parseNumber(v, s); }});
  add({"--bold-dt",
       {},
       "MS",
       false,
       false,
       "hemodynamic integration step (default 1)",
       1,
       [](O &o, S v, S s) { o.boldDt = parseNumber(v, s); }});
  add({"--bold-set",
       {},
       "NAME=VALUE",
       true,
       false,
       "Balloon-Windkessel constant (tau_s, tau_f,\n"
       "tau_o, alpha, E0, V0, TE, epsilon, nu_0, r_0;\n"
       "defaults: TVB's BalloonModel)",
       1,
       [](O &o, S v, S s) {
         auto [name, value] = parseAssignment(v, s);
         o.boldConstants[name] = value;
       }});
  add({"--fc-transient",
       {},
       "MS",
       false,
       false,
       "BOLD left out of FC and FCD (default 0)",
       1,
       [](O &o, S v, S s) { o.fcTransient = parseNumber(v, s); }});
  add({"--fcd-window",
       {},
       "MS",
       false,
       false,
       "FCD window; writes /fcd_var",
       1,
       [](O &o, S v, S s) { o.fcdWindow = parseNumber(v, s); }});
  add({"--fcd-step",
       {},
       "MS",
       false,
       false,
       "FCD window step (default one TR)",
       1,
       [](O &o, S v, S s) { o.fcdStep = parseNumber(v, s); }});
  add({"--target-fc",
       {},
       "FILE",
       true,
       true,
       "empirical FC (.npy or text, N x N): /fit/fc_corr;\n"
       "once, or once per subject",
       1,
       [](O &o, S v, S) { o.targetFc.push_back(v); }});
  add({"--target-fcd",
       {},
       "FILE",
       true,
       true,
       "empirical FCD matrix or values: /fit/fcd_ks;\n"
       "once, or once per subject",
       1,
       [](O &o, S v, S) { o.targetFcd.push_back(v); }});
  add({"--batch",
       {},
       "N",
       false,
       false,
       "parameter sets per batch (default: planned\nfrom available memory)",
       2,
       [](O &o, S v, S s) { o.batch = parseCount(v, s, 1); }});
  add({"--backend",
       {},
       "auto|cpu|gpu",
       false,
       false,
       "auto: the GPU when one is usable (GPU\nkernels here: {gpu})",
       2,
       [](O &o, S v, S s) {
         o.backend = parseChoice(v, s, {"auto", "cpu", "gpu"});
       }});
  add({"--lanes",
       {},
       "N",
       false,
       false,
       "sets per CPU tile, one of the compiled lane\n"
       "counts (default: chosen by the L2 size)",
       2,
       [](O &o, S v, S s) {
         o.lanes = unsigned(parseCount(v, s, 1, UINT32_MAX));
       }});
  add({"--threads",
       {},
       "N",
       false,
       false,
       "worker threads (default: every core)",
       2,
       [](O &o, S v, S s) {
         o.threads = unsigned(parseCount(v, s, 1, kMaxThreads));
       }});
  add({"--quiet",
       {},
       "",
       false,
       false,
       "no progress and no summary",
       2,
       [](O &o, S, S) { o.quiet = true; }});
  return t;
}

const OptionSpec *findOption(const std::string &spelled) {
  for (const OptionSpec &spec : sweepOptionTable()) {
    if (spec.name == spelled)
      return &spec;
    for (const std::string &alias : spec.aliases)
      if (alias == spelled)
        return &spec;
  }
  return nullptr;
}

} // namespace

const std::vector<OptionSpec> &rateml::runtime::sweepOptionTable() {
  static const std::vector<OptionSpec> table = makeTable();
  return table;
}

std::string rateml::runtime::sweepOptionsJson() {
  nlohmann::json options = nlohmann::json::array();
  for (const OptionSpec &spec : sweepOptionTable())
    options.push_back({{"name", spec.name},
                       {"metavar", spec.metavar},
                       {"repeatable", spec.repeatable},
                       {"file", spec.file},
                       {"help", spec.help}});
  return options.dump();
}

CommandLineAction rateml::runtime::parseCommandLine(int argc,
                                                    const char *const *argv,
                                                    SweepOptions &options) {
  for (int k = 1; k < argc; ++k) {
    std::string arg = argv[k], value;
    bool hasInlineValue = false;
    if (arg.rfind("--", 0) == 0) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasInlineValue = true;
      }
    }
    if (arg == "--help" || arg == "-h")
      return CommandLineAction::Help;
    if (arg == "--version")
      return CommandLineAction::Version;
    if (const OptionSpec *spec = findOption(arg)) {
      if (spec->metavar.empty()) {
        if (hasInlineValue)
          throw Error("option " + arg + " takes no value");
      } else if (!hasInlineValue) {
        if (k + 1 >= argc)
          throw Error("option " + arg + " needs a value");
        value = argv[++k];
      }
      spec->apply(options, value, arg);
      continue;
    }
    if (arg.size() > 2 && arg[0] == '-' && arg[1] == 's' &&
        arg.find_first_not_of("0123456789", 2) == std::string::npos) {
      errno = 0;
      unsigned long long index = std::strtoull(arg.c_str() + 2, nullptr, 10);
      if (errno == ERANGE || index > UINT32_MAX)
        throw Error(arg + ": no swept parameter has that index");
      if (k + 1 >= argc)
        throw Error("option " + arg + " needs a value");
      options.pointsByIndex[unsigned(index)] =
          parseCount(argv[++k], arg, 1, kMaxAxisPoints);
      continue;
    }
    std::vector<std::string> names = {"--help", "--version"};
    for (const OptionSpec &spec : sweepOptionTable())
      names.push_back(spec.name);
    std::string hint = didYouMean(arg, names);
    throw Error("unknown option '" + std::string(argv[k]) + "'" +
                (hint.empty() ? " (see --help)" : hint));
  }
  if (options.steps && options.duration)
    throw Error("give --steps or --duration, not both");
  if (options.duration && !(*options.duration >= 0))
    throw Error("--duration must not be negative");
  return CommandLineAction::Run;
}

std::string rateml::runtime::helpText(const ModelInfo &info,
                                      const std::string &gpuKernels) {
  std::ostringstream os;
  os << "Usage: sweep.bin [options]\n\n"
     << "Parameter sweep of the " << info.model << " model ("
     << info.description << "), compiled by rateml " << info.version << " ("
     << info.precision << ", " << info.lanes << " sets per vector"
     << (info.narrowLanes
             ? " or " + std::to_string(info.narrowLanes) +
                   " when only that many sets' history fits the L2 cache"
             : std::string())
     << ").\n\n"
     << "Swept parameters (default: XML range, 4 points each):\n";
  for (const auto &p : info.params)
    os << "  " << p.name << " [" << p.lo << ", " << p.hi << "]\n";
  os << "Constants (override with --set):\n ";
  for (const auto &c : info.constants)
    os << " " << c.name << "=" << c.value;
  os << "\n";
  // Only for a build with regional names, so other builds' help is as it was.
  if (!info.regional.empty()) {
    os << "Regional (per node with --node-values, --map):\n ";
    for (const auto &r : info.regional)
      os << " " << r.name;
    os << "\n";
  }
  const char *const sections[] = {
      "\nOptions:\n",
      "\nBOLD and functional connectivity (docs/analysis.md):\n",
      "\nHow it runs:\n"};
  constexpr size_t column = 26;
  for (int section = 0; section < 3; ++section) {
    os << sections[section];
    for (const OptionSpec &spec : sweepOptionTable()) {
      if (spec.section != section)
        continue;
      std::string head = "  " + spec.name;
      for (const std::string &alias : spec.aliases)
        head += ", " + alias;
      if (!spec.metavar.empty())
        head += " " + spec.metavar;
      std::string help = spec.help;
      if (size_t at = help.find("{gpu}"); at != std::string::npos)
        help.replace(at, 5, gpuKernels);
      os << head;
      if (head.size() + 2 > column)
        os << "\n" << std::string(column, ' ');
      else
        os << std::string(column - head.size(), ' ');
      for (char ch : help)
        os << ch << (ch == '\n' ? std::string(column, ' ') : "");
      os << "\n";
    }
  }
  os << "  --help, --version\n"
        "RateML driver compatibility: -s0 N -s1 M ... (points per swept\n"
        "parameter), -n MS (duration), -dt MS.\n";
  return os.str();
}
