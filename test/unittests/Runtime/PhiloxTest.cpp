//===- PhiloxTest.cpp - Philox4x32-10 and the noise draw ------------------===//
//
// Known-answer vectors published with Random123 (kat_vectors), and the
// properties of the per-(seed, set, node, state, step) normal draw (its
// distribution: NormalTransformTest.cpp).
//
//===----------------------------------------------------------------------===//

#include "rateml/runtime/Philox.h"
#include "gtest/gtest.h"
#include <set>

using namespace rateml::runtime;

TEST(Philox, KnownAnswerVectors) {
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (PhiloxCounter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                          {0xffffffff, 0xffffffff}),
            (PhiloxCounter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                          {0xa4093822, 0x299f31d0}),
            (PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, UniformIsOpenInterval) {
  EXPECT_GT(uniformOpen(0), 0.0);
  EXPECT_LT(uniformOpen(0xffffffffu), 1.0);
}

TEST(Philox, DrawDependsOnEveryKeyComponent) {
  double base = noiseDraw(42, 1, 2, 3, 4);
  EXPECT_EQ(base, noiseDraw(42, 1, 2, 3, 4));
  std::set<double> variants = {base,
                               noiseDraw(43, 1, 2, 3, 4),
                               noiseDraw(42, 0, 2, 3, 4),
                               noiseDraw(42, 1, 0, 3, 4),
                               noiseDraw(42, 1, 2, 0, 4),
                               noiseDraw(42, 1, 2, 3, 0),
                               noiseDraw(uint64_t(42) << 32, 1, 2, 3, 4)};
  EXPECT_EQ(variants.size(), 7u);
}
