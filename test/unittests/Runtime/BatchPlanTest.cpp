//===- BatchPlanTest.cpp - How many sets a batch holds --------------------===//
//
// The host side of the plan (output in a quarter of the memory, --batch
// checked) and the GPU side: the sets that fit in a given free memory are
// counted from the same buffer sizes the upload allocates, and those sizes
// are the sizes of the arrays buildLaneArrays makes for a GPU batch, so a
// buffer added on either side without the other fails here.
//
//===----------------------------------------------------------------------===//

#include "ErrorOf.h"
#include "rateml/runtime/Backend.h"
#include "rateml/runtime/CudaBuffers.h"
#include "rateml/runtime/Delays.h"
#include "rateml/runtime/LaneArrays.h"
#include "gtest/gtest.h"

using namespace rateml::runtime;

namespace {
constexpr size_t MiB = size_t(1) << 20;

BatchPlan plan(size_t memory, size_t perSet, unsigned threads,
               std::optional<size_t> requested = std::nullopt) {
  BatchPlan p;
  p.memory = memory;
  p.outputBytesPerSet = perSet;
  p.threads = threads;
  p.requested = requested;
  return p;
}

/// Two states (the first delayed), one coupling, one exposure, a conduction
/// speed in slot 3: the shape of the Montbrio-like models.
ModelInfo delayedModel(const std::string &precision) {
  ModelInfo info;
  info.precision = precision;
  info.lanes = 16;
  info.numSlots = 5;
  info.numCouplings = 1;
  info.states = {{"r", 0.0, 1.0}, {"V", -1.0, 1.0}};
  info.exposures = {"r"};
  info.historyStates = {0};
  info.speedSlot = 3;
  return info;
}
} // namespace

TEST(BatchPlan, HostQuarterOfMemoryInWholeTiles) {
  // 1 GiB, 1 MiB per set: 256 sets in a quarter, a multiple of 16.
  EXPECT_EQ(hostBatchSets(plan(1024 * MiB, MiB, 4), 10000, 16), 256u);
  EXPECT_EQ(hostBatchSets(plan(1000 * MiB, MiB, 4), 10000, 16), 240u);
  // At least one tile per thread, but never past all of the memory.
  EXPECT_EQ(hostBatchSets(plan(64 * MiB, MiB, 8), 10000, 16), 64u);
  EXPECT_EQ(hostBatchSets(plan(1024 * MiB, MiB, 8), 10000, 16), 256u);
  EXPECT_EQ(hostBatchSets(plan(4096 * MiB, MiB, 128), 10000, 16), 2048u);
}

TEST(BatchPlan, RequestedBatchIsChecked) {
  EXPECT_EQ(hostBatchSets(plan(1024 * MiB, MiB, 4, 100), 10000, 16), 100u);
  EXPECT_EQ(errorOf([] { hostBatchSets(plan(1024 * MiB, MiB, 4, 0), 10, 16); }),
            "--batch must be at least 1");
  EXPECT_NE(errorOf([] {
              hostBatchSets(plan(1024 * MiB, MiB, 4, 2000), 10000, 16);
            }).find("--batch 2000: the output of a batch exceeds"),
            std::string::npos);
  // Only the sets the sweep has count.
  EXPECT_EQ(hostBatchSets(plan(1024 * MiB, MiB, 4, 2000), 10, 16), 1024u);
}

TEST(CudaBuffers, PlanMatchesTheArraysOfABatch) {
  const EdgeList edges = makeEdgeList(makeBuiltinConnectome(12));
  ASSERT_GT(edges.numEdges(), 0u);
  SweepOptions options;
  options.dt = 0.1;
  for (const char *precision : {"f32", "f64"})
    for (bool sweptSpeed : {false, true})
      for (bool sums : {false, true})
        for (unsigned nodeSlots : {0u, 2u}) {
          SCOPED_TRACE(std::string(precision) + (sweptSpeed ? " swept" : "") +
                       (sums ? " sums" : "") + (nodeSlots ? " regional" : ""));
          ModelInfo info = delayedModel(precision);
          info.numNodeSlots = nodeSlots;
          const size_t L = 37;
          // Each set's values end with its node-level values [N][node_slots].
          std::vector<double> values = {0.1, 12, 0, 3.0, 0};
          values.resize(values.size() + nodeSlots * edges.numNodes, 1.5);
          std::vector<std::vector<double>> slots(L, values);
          if (sweptSpeed)
            for (size_t l = 0; l < L; ++l)
              slots[l][3] = 1.0 + double(l % 5);
          std::vector<const std::vector<double> *> laneSlots;
          std::vector<size_t> laneSets;
          for (size_t l = 0; l < L; ++l) {
            laneSlots.push_back(&slots[l]);
            laneSets.push_back(l);
          }
          auto check = [&](const auto &a) {
            ASSERT_EQ(a.sharedDelays, !sweptSpeed);
            const CudaBatchShape shape{info,
                                       edges.numNodes,
                                       edges.numEdges(),
                                       info.exposures.size(),
                                       a.historyRows,
                                       a.sharedDelays,
                                       sums};
            const CudaBuffers b = shape.buffers(L);
            EXPECT_EQ(b.params, a.params.size());
            EXPECT_EQ(b.state, a.state.size());
            EXPECT_EQ(b.history, info.historyStates.size() * edges.numNodes *
                                     size_t(a.historyRows) * L);
            EXPECT_EQ(b.delays, a.delays.size());
            EXPECT_EQ(b.rowStart, a.rowStart.size());
            EXPECT_EQ(b.sources, a.sources.size());
            EXPECT_EQ(b.sets, a.sets.size());
            EXPECT_EQ(b.diverged, a.diverged.size());
            EXPECT_EQ(b.stimulusScale, a.stimulusScale.size());
            EXPECT_EQ(b.stimulus, 1u);
            EXPECT_EQ(b.weights, a.weights.size());
            EXPECT_EQ(b.coupling, a.coupling.size());
            EXPECT_EQ(b.nodeParams, a.nodeParams.size());
            EXPECT_EQ(b.sample, a.out.size());
            EXPECT_EQ(b.sampleSum, sums ? a.out.size() : 0u);
            EXPECT_EQ(b.elementBytes, sizeof(a.params[0]));
          };
          if (info.precision == "f64")
            check(buildLaneArrays<double>(info, edges, options, nullptr,
                                          nullptr, laneSlots, laneSets, 0,
                                          false));
          else
            check(buildLaneArrays<float>(info, edges, options, nullptr, nullptr,
                                         laneSlots, laneSets, 0, false));
        }
}

TEST(CudaBuffers, SetsThatFitInTheFreeMemory) {
  const ModelInfo info = delayedModel("f32");
  const size_t N = 68, K = 1200, H = 400;
  for (bool shared : {false, true})
    for (bool sums : {false, true}) {
      const CudaBatchShape shape{info, N, K, 1, int64_t(H), shared, sums};
      // Per set: slots, states, history, couplings, its stimulus.scale and
      // two samples in f32; its index and divergence step (int32); a delay
      // table unless shared; two float64 sums. Once: the stimulus window
      // (one element without --stimulus).
      const size_t perSet = (5 + 2 * N + H * N + N + 1 + 2 * N) * 4 + 2 * 4 +
                            (shared ? 0 : K * 4) + (sums ? 2 * N * 8 : 0);
      // The node-level values of a model without any, and the stimulus
      // window without --stimulus: one element each.
      const size_t fixed =
          (N + 1) * 4 + K * (4 + 4) + (shared ? K * 4 : 0) + 4 + 4;
      EXPECT_EQ(shape.buffers(1000).bytes(), fixed + 1000 * perSet);
      for (size_t free : {size_t(0), fixed + perSet - 1, fixed + perSet,
                          size_t(80) * 1000 * 1000 * 1000 / 10 * 8}) {
        const size_t fits = shape.setsThatFit(free);
        EXPECT_EQ(fits, free < fixed + perSet ? 0 : (free - fixed) / perSet);
        if (fits) {
          EXPECT_LE(shape.buffers(fits).bytes(), free);
        }
        EXPECT_GT(shape.buffers(fits + 1).bytes(), free);
      }
    }
}
