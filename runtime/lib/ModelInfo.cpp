//===- ModelInfo.cpp - Parse the kernels' metadata ------------------------===//

#include "rateml/runtime/ModelInfo.h"
#include "rateml/runtime/Error.h"
#include "rateml/runtime/KernelABI.h"
#include <nlohmann/json.hpp>

using namespace rateml::runtime;
using nlohmann::json;

ModelInfo rateml::runtime::parseModelInfo(const char *text) {
  namespace key = json_key;
  ModelInfo info;
  try {
    json j = json::parse(text);
    info.abi = j.at(key::kAbi).get<int>();
    if (info.abi != kKernelABIVersion)
      throw Error("the kernels use ABI version " + std::to_string(info.abi) +
                  ", this runtime speaks " + std::to_string(kKernelABIVersion));
    info.version = j.at(key::kVersion).get<std::string>();
    info.model = j.at(key::kModel).get<std::string>();
    info.description = j.value(key::kDescription, "");
    info.precision = j.at(key::kPrecision).get<std::string>();
    info.lanes = j.at(key::kLanes).get<unsigned>();
    info.block = j.at(key::kBlock).get<unsigned>();
    info.laneBlock = j.at(key::kLaneBlock).get<unsigned>();
    if (info.block == 0 || info.laneBlock < info.block)
      throw Error("malformed kernel metadata: block " +
                  std::to_string(info.block) + ", lane_block " +
                  std::to_string(info.laneBlock));
    info.numSlots = j.at(key::kNumSlots).get<unsigned>();
    info.numCouplings = j.at(key::kNumCouplings).get<unsigned>();
    for (const json &p : j.at(key::kParams))
      info.params.push_back(
          {p.at(key::kName), p.at(key::kLo), p.at(key::kHi), p.at(key::kSlot)});
    for (const json &c : j.at(key::kConstants))
      info.constants.push_back(
          {c.at(key::kName), c.at(key::kValue), c.at(key::kSlot)});
    info.numNodeSlots = j.at(key::kNumNodeSlots).get<unsigned>();
    for (const json &r : j.at(key::kRegional))
      info.regional.push_back(
          {r.at(key::kName), r.at(key::kSlot), r.at(key::kNodeSlot)});
    for (const json &s : j.at(key::kStates)) {
      ModelInfo::State state{s.at(key::kName), s.at(key::kInitLo),
                             s.at(key::kInitHi)};
      if (!s.at(key::kLower).is_null())
        state.lower = s.at(key::kLower).get<double>();
      if (!s.at(key::kUpper).is_null())
        state.upper = s.at(key::kUpper).get<double>();
      info.states.push_back(state);
    }
    for (const json &e : j.at(key::kExposures))
      info.exposures.push_back(e.get<std::string>());
    for (const json &h : j.at(key::kHistoryStates))
      info.historyStates.push_back(h.get<unsigned>());
    if (!j.at(key::kNoiseSlot).is_null())
      info.noiseSlot = j.at(key::kNoiseSlot).get<unsigned>();
    if (!j.at(key::kSpeedSlot).is_null())
      info.speedSlot = j.at(key::kSpeedSlot).get<unsigned>();
  } catch (const json::exception &e) {
    throw Error(std::string("malformed kernel metadata: ") + e.what());
  }
  return info;
}
