//===- ModelInfo.cpp - Parse the kernels' metadata ------------------------===//

#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include <nlohmann/json.hpp>

using namespace rateml::runtime;
using nlohmann::json;

ModelInfo rateml::runtime::parseModelInfo(const char *text) {
  ModelInfo info;
  try {
    json j = json::parse(text);
    info.abi = j.at("abi").get<int>();
    if (info.abi != kKernelABIVersion)
      throw Error("the kernels use ABI version " + std::to_string(info.abi) +
                  ", this runtime speaks " + std::to_string(kKernelABIVersion));
    info.version = j.at("version").get<std::string>();
    info.model = j.at("model").get<std::string>();
    info.description = j.value("description", "");
    info.precision = j.at("precision").get<std::string>();
    info.lanes = j.at("lanes").get<unsigned>();
    info.block = j.at("block").get<unsigned>();
    if (info.block == 0)
      throw Error("malformed kernel metadata: block is 0");
    info.numSlots = j.at("num_slots").get<unsigned>();
    info.numCouplings = j.at("num_couplings").get<unsigned>();
    for (const json &p : j.at("params"))
      info.params.push_back({p.at("name"), p.at("lo"), p.at("hi"), p.at("slot")});
    for (const json &c : j.at("constants"))
      info.constants.push_back({c.at("name"), c.at("value"), c.at("slot")});
    for (const json &s : j.at("states")) {
      ModelInfo::State state{s.at("name"), s.at("init_lo"), s.at("init_hi")};
      if (!s.at("lower").is_null())
        state.lower = s.at("lower").get<double>();
      if (!s.at("upper").is_null())
        state.upper = s.at("upper").get<double>();
      info.states.push_back(state);
    }
    for (const json &e : j.at("exposures"))
      info.exposures.push_back(e.get<std::string>());
    for (const json &h : j.at("history_states"))
      info.historyStates.push_back(h.get<unsigned>());
    if (!j.at("noise_slot").is_null())
      info.noiseSlot = j.at("noise_slot").get<unsigned>();
    if (!j.at("speed_slot").is_null())
      info.speedSlot = j.at("speed_slot").get<unsigned>();
  } catch (const json::exception &e) {
    throw Error(std::string("malformed kernel metadata: ") + e.what());
  }
  return info;
}
