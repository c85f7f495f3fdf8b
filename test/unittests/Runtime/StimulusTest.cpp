//===- StimulusTest.cpp - --stimulus files and the kernels' windows -------===//
//
// The windows the kernels read hold each stimulated state's rows at its
// place in [rows][states][nodes] and 0 elsewhere; a (T,) file is the same
// at every node; stimulus.scale's column follows the kernels' slots.
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Stimulus.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/LaneArrays.h"
#include "rateml/runtime/SweepOptions.h"
#include "gtest/gtest.h"

using namespace rateml::runtime;

namespace {
/// States a, b, c over 3 nodes: b from a (T, 3) file, c from a (T,) one.
Stimulus threeStates() {
  Stimulus s;
  s.numStates = 3;
  s.numNodes = 3;
  Stimulus::Series b{1, 3, {}}, c{2, 1, {}};
  for (int n = 0; n < 5; ++n) {
    for (int i = 0; i < 3; ++i)
      b.values.push_back(10 * n + i);
    c.values.push_back(-n);
  }
  s.series = {b, c};
  return s;
}
} // namespace

TEST(Stimulus, WindowsHoldTheRowsOfTheirSteps) {
  const Stimulus s = threeStates();
  std::vector<float> window(2 * 3 * 3, 99.0f);
  s.fillWindow(3, 2, window.data());
  for (size_t r = 0; r < 2; ++r)
    for (size_t state = 0; state < 3; ++state)
      for (size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(std::to_string(r) + " " + std::to_string(state) + " " +
                     std::to_string(i));
        EXPECT_EQ(window[(r * 3 + state) * 3 + i],
                  float(s.at(3 + r, state, i)));
      }
  EXPECT_EQ(s.at(4, 0, 2), 0.0);
  EXPECT_EQ(s.at(4, 1, 2), 42.0);
  EXPECT_EQ(s.at(4, 2, 0), -4.0);
  EXPECT_EQ(s.at(4, 2, 2), -4.0);
}

TEST(Stimulus, LanesTakeTheirScaleAndTheFlag) {
  ModelInfo info;
  info.precision = "f64";
  info.numSlots = 3;
  info.states = {{"a", 0, 1}, {"b", 0, 1}, {"c", 0, 1}};
  const EdgeList edges = makeEdgeList(makeBuiltinConnectome(3));
  SweepOptions options;
  Stimulus s = threeStates();
  s.scaleSlot = 3;
  std::vector<double> one = {0.1, 3, 0, 0.5}, two = {0.1, 3, 0, -2};
  std::vector<const std::vector<double> *> laneSlots = {&one, &two};
  const LaneArrays<double> with = buildLaneArrays<double>(
      info, edges, options, nullptr, &s, laneSlots, {0, 1}, 0, false);
  EXPECT_EQ(with.stimulusScale, (std::vector<double>{0.5, -2}));
  EXPECT_TRUE(with.flags & kFlagStimulus);
  const LaneArrays<double> without = buildLaneArrays<double>(
      info, edges, options, nullptr, nullptr, laneSlots, {0, 1}, 0, false);
  EXPECT_EQ(without.stimulusScale, (std::vector<double>{1, 1}));
  EXPECT_FALSE(without.flags & kFlagStimulus);
}
