//===- CommandLine.cpp - The sweep.bin command line -----------------------===//
//
// A small hand-written parser: the option set is fixed by the product and
// must accept RateML's single-dash flags (-s0, -dt), which getopt cannot.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/CommandLine.h"
#include "rateml/runtime/ClosestName.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/Limits.h"
#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <thread>
#include <vector>

using namespace rateml::runtime;

namespace {

/// Every option parseCommandLine accepts but -sN.
const std::vector<std::string> kOptionNames = {
    "--help",       "--version",  "--connectivity",
    "--dt",         "--steps",    "--duration",
    "--sweep",      "--values",   "--param-table",
    "--initial",    "--set",      "--seed",
    "--integrator", "--no-noise", "--record",
    "--every",      "--tavg",     "--output",
    "--no-data",    "--bold",     "--bold-tr",
    "--bold-dt",    "--bold-set", "--fc-transient",
    "--fcd-window", "--fcd-step", "--target-fc",
    "--target-fcd", "--threads",  "--lanes",
    "--batch",      "--quiet",    "--backend",
    "-h",           "-dt",        "-n"};

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

} // namespace

const std::vector<std::string> &rateml::runtime::commandLineOptionNames() {
  return kOptionNames;
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
    auto next = [&]() -> std::string {
      if (hasInlineValue)
        return value;
      if (k + 1 >= argc)
        throw Error("option " + arg + " needs a value");
      return argv[++k];
    };
    if (arg == "--help" || arg == "-h")
      return CommandLineAction::Help;
    if (arg == "--version")
      return CommandLineAction::Version;
    if (arg == "--connectivity")
      options.connectivity = next();
    else if (arg == "--dt" || arg == "-dt")
      options.dt = parseNumber(next(), arg);
    else if (arg == "--steps")
      options.steps = parseCount(next(), arg, 0, kMaxSteps);
    else if (arg == "--duration" || arg == "-n")
      options.duration = parseNumber(next(), arg);
    else if (arg == "--sweep")
      options.axes.push_back(parseSweepAxis(next()));
    else if (arg == "--values")
      options.axes.push_back(parseValuesAxis(next()));
    else if (arg == "--param-table")
      options.paramTable = next();
    else if (arg == "--initial")
      options.initial = next();
    else if (arg == "--set") {
      auto [name, value] = parseAssignment(next(), arg);
      options.constants[name] = value;
    } else if (arg == "--seed")
      options.seed = parseCount(next(), arg, 0);
    else if (arg == "--integrator") {
      std::string v = next();
      if (v != "euler" && v != "heun")
        throw Error("--integrator must be euler or heun, got '" + v + "'");
      options.heun = v == "heun";
    } else if (arg == "--no-noise")
      options.noise = false;
    else if (arg == "--record") {
      std::string v = next();
      if (v != "states" && v != "exposures")
        throw Error("--record must be states or exposures, got '" + v + "'");
      options.recordStates = v == "states";
    } else if (arg == "--every")
      options.every = parseCount(next(), arg, 1);
    else if (arg == "--tavg")
      options.tavg = parseNumber(next(), arg);
    else if (arg == "--output")
      options.output = next();
    else if (arg == "--no-data")
      options.storeData = false;
    else if (arg == "--bold")
      options.bold = next();
    else if (arg == "--bold-tr")
      options.boldTr = parseNumber(next(), arg);
    else if (arg == "--bold-dt")
      options.boldDt = parseNumber(next(), arg);
    else if (arg == "--bold-set") {
      auto [name, value] = parseAssignment(next(), arg);
      options.boldConstants[name] = value;
    } else if (arg == "--fc-transient")
      options.fcTransient = parseNumber(next(), arg);
    else if (arg == "--fcd-window")
      options.fcdWindow = parseNumber(next(), arg);
    else if (arg == "--fcd-step")
      options.fcdStep = parseNumber(next(), arg);
    else if (arg == "--target-fc")
      options.targetFc = next();
    else if (arg == "--target-fcd")
      options.targetFcd = next();
    else if (arg == "--threads")
      options.threads = unsigned(parseCount(next(), arg, 1, kMaxThreads));
    else if (arg == "--lanes")
      options.lanes = unsigned(parseCount(next(), arg, 1, UINT32_MAX));
    else if (arg == "--batch")
      options.batch = parseCount(next(), arg, 1);
    else if (arg == "--quiet")
      options.quiet = true;
    else if (arg == "--backend") {
      std::string v = next();
      if (v != "auto" && v != "cpu" && v != "gpu")
        throw Error("--backend must be auto, cpu or gpu, got '" + v + "'");
      options.backend = v;
    } else if (arg.size() > 2 && arg[0] == '-' && arg[1] == 's' &&
               arg.find_first_not_of("0123456789", 2) == std::string::npos) {
      errno = 0;
      unsigned long long index = std::strtoull(arg.c_str() + 2, nullptr, 10);
      if (errno == ERANGE || index > UINT32_MAX)
        throw Error(arg + ": no swept parameter has that index");
      options.pointsByIndex[unsigned(index)] =
          parseCount(next(), arg, 1, kMaxAxisPoints);
    } else {
      std::string hint = didYouMean(arg, kOptionNames);
      throw Error("unknown option '" + std::string(argv[k]) + "'" +
                  (hint.empty() ? " (see --help)" : hint));
    }
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
  os << "\n\nOptions:\n"
        "  --connectivity PATH|builtin:N  TVB zip or folder (default builtin = "
        "builtin:68)\n"
        "  --dt MS                 integration step (default 0.1)\n"
        "  --steps N | --duration MS   length of the run (default 1000 ms)\n"
        "  --sweep NAME=LO:HI:COUNT    evenly spaced values, both ends "
        "included\n"
        "  --values NAME=V1,V2,...     explicit values (repeatable; one "
        "Cartesian\n"
        "                              product, the first named varies "
        "slowest)\n"
        "  --param-table FILE.csv      header = parameter names, one set per "
        "row\n"
        "  --set NAME=VALUE        override a constant\n"
        "  --initial FILE.npy      initial state (states x nodes) or history\n"
        "                          (T x states x nodes, last row = t 0), "
        "f32/f64\n"
        "  --seed N                noise and initial-state seed (default 0)\n"
        "  --integrator euler|heun (default heun)\n"
        "  --no-noise              integrate deterministically\n"
        "  --record states|exposures   what to record (default exposures)\n"
        "  --every K               record every K steps (default: every 1 ms)\n"
        "  --tavg MS               record averages over windows of MS instead\n"
        "  --output FILE.h5        (default results.h5)\n"
        "  --no-data               do not store /data (with --bold: keep only\n"
        "                          BOLD and its analysis)\n"
        "\nBOLD and functional connectivity (docs/analysis.md):\n"
        "  --bold VAR              BOLD (Balloon-Windkessel) driven by the\n"
        "                          recorded variable VAR; writes /bold and "
        "/fc\n"
        "  --bold-tr MS            BOLD sampling period (default 2000)\n"
        "  --bold-dt MS            hemodynamic integration step (default 1)\n"
        "  --bold-set NAME=VALUE   Balloon-Windkessel constant (tau_s, tau_f,\n"
        "                          tau_o, alpha, E0, V0, TE, epsilon, nu_0, "
        "r_0;\n"
        "                          defaults: TVB's BalloonModel)\n"
        "  --fc-transient MS       BOLD left out of FC and FCD (default 0)\n"
        "  --fcd-window MS         FCD window; writes /fcd_var\n"
        "  --fcd-step MS           FCD window step (default one TR)\n"
        "  --target-fc FILE        empirical FC (.npy or text, N x N): "
        "/fit/fc_corr\n"
        "  --target-fcd FILE       empirical FCD matrix or values: "
        "/fit/fcd_ks\n\n"
        "  --batch N               parameter sets per batch (default: planned\n"
        "                          from available memory)\n"
        "  --backend auto|cpu|gpu  auto: the GPU when one is usable (GPU\n"
        "                          kernels here: "
     << gpuKernels
     << ")\n"
        "  --lanes N               sets per CPU tile, one of the compiled "
        "lane\n"
        "                          counts (default: chosen by the L2 size)\n"
        "  --threads N   --quiet   --help   --version\n"
        "RateML driver compatibility: -s0 N -s1 M ... (points per swept\n"
        "parameter), -n MS (duration), -dt MS.\n";
  return os.str();
}
