//===- Philox.cpp - The noise draws of the kernels ------------------------===//
//
// Philox4x32-10 with counter (step, node pair, set, state pair) and key
// (seed), then Box-Muller in the kernel precision on the node's two of the
// four words: the draws of docs/simulation.md that
// every backend and the reference share (runtime/include/rateml/runtime/
// Philox.h is the host version). The transform to a normal is
// NormalTransform.h's, emitted as arith ops.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "rateml/runtime/NormalTransform.h"

using namespace mlir;
using namespace mlir::rateml;
using namespace mlir::rateml::kernels;

namespace {
/// NormalTransform.h's operations as arith and math ops on every lane:
/// reals of the kernel's type, Philox words as i32 and the reals' bit
/// patterns as integers of their width, in vectors of the kernel's lanes
/// (CPU) or scalars (GPU).
struct KernelOps {
  using Real = Value;
  using Word = Value;
  using Bits = Value;
  using Cond = Value;

  OpBuilder &b;
  Location loc;
  Type realType, wordType, bitsType;

  Value constant(Type type, TypedAttr attr) {
    if (auto shaped = dyn_cast<ShapedType>(type))
      return arith::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(shaped, attr));
    return arith::ConstantOp::create(b, loc, attr);
  }
  Value integer(Type type, uint64_t v) {
    auto elem = cast<IntegerType>(getElementTypeOrSelf(type));
    return constant(type, IntegerAttr::get(elem, APInt(elem.getWidth(), v)));
  }
  Value real(double v) {
    return constant(realType,
                    FloatAttr::get(getElementTypeOrSelf(realType), v));
  }
  Value word(uint32_t v) { return integer(wordType, v); }
  Value bits(uint64_t v) { return integer(bitsType, v); }
  Value add(Value a, Value c) { return arith::AddFOp::create(b, loc, a, c); }
  Value sub(Value a, Value c) { return arith::SubFOp::create(b, loc, a, c); }
  Value mul(Value a, Value c) { return arith::MulFOp::create(b, loc, a, c); }
  Value div(Value a, Value c) { return arith::DivFOp::create(b, loc, a, c); }
  Value neg(Value a) { return arith::NegFOp::create(b, loc, a); }
  Value sqrt(Value a) { return math::SqrtOp::create(b, loc, a); }
  Value select(Value c, Value a, Value d) {
    return arith::SelectOp::create(b, loc, c, a, d);
  }
  Value equal(Value a, Value c) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a, c);
  }
  Value iadd(Value a, Value c) { return arith::AddIOp::create(b, loc, a, c); }
  Value isub(Value a, Value c) { return arith::SubIOp::create(b, loc, a, c); }
  Value iand(Value a, Value c) { return arith::AndIOp::create(b, loc, a, c); }
  Value ixor(Value a, Value c) { return arith::XOrIOp::create(b, loc, a, c); }
  Value shr(Value a, int n) {
    return arith::ShRUIOp::create(b, loc, a, integer(a.getType(), n));
  }
  Value iequal(Value a, Value c) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, c);
  }
  Value fromUnsigned(Value a) {
    return arith::UIToFPOp::create(b, loc, realType, a);
  }
  Value fromSigned(Value a) {
    return arith::SIToFPOp::create(b, loc, realType, a);
  }
  Value bitsOf(Value a) {
    return arith::BitcastOp::create(b, loc, bitsType, a);
  }
  Value realOf(Value a) {
    return arith::BitcastOp::create(b, loc, realType, a);
  }
};
} // namespace

PhiloxInputs KernelBuilder::buildPhiloxInputs(OpBuilder &b, Value step,
                                              Value sets, Value seed) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  // The round keys are the same for every draw.
  PhiloxInputs philox;
  philox.step = broadcastI32(b, arith::TruncIOp::create(b, loc, i32, step));
  philox.sets = sets;
  Value k0 = arith::TruncIOp::create(b, loc, i32, seed);
  Value k1 = arith::TruncIOp::create(
      b, loc, i32,
      arith::ShRUIOp::create(b, loc, seed,
                             arith::ConstantIntOp::create(b, loc, i64, 32)));
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = arith::AddIOp::create(
          b, loc, k0,
          arith::ConstantIntOp::create(b, loc, i32, int64_t(0x9E3779B9)));
      k1 = arith::AddIOp::create(
          b, loc, k1,
          arith::ConstantIntOp::create(b, loc, i32, int64_t(0xBB67AE85)));
    }
    philox.roundKeys.push_back({k0, k1});
  }
  return philox;
}

std::pair<Value, Value> KernelBuilder::multiplyExtended(OpBuilder &b, Value x,
                                                        Value m) {
  auto vecI32 = dyn_cast<VectorType>(x.getType());
  int64_t width = vecI32 ? vecI32.getNumElements() : 1;
  if (!vecI32 || width % 2 != 0) {
    auto product = arith::MulUIExtendedOp::create(b, loc, x, m);
    return {product.getLow(), product.getHigh()};
  }
  // Lanes 2k and 2k + 1 as the low and high halves of one i64 (the CPU
  // targets are little-endian): two 32 x 32 -> 64 multiplies of the even
  // and the odd lanes (pmuludq on x86), and two shuffles into the low and
  // the high words. arith.mului_extended on the whole vector computes every
  // product twice, once per half.
  auto vecI64 = VectorType::get({width / 2}, b.getI64Type());
  auto splat64 = [&](uint64_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vecI64, b.getI64IntegerAttr(int64_t(v))));
  };
  Value wide = vector::BitCastOp::create(b, loc, vecI64, x);
  Value wideM = vector::BitCastOp::create(b, loc, vecI64, m);
  Value lowMask = splat64(0xFFFFFFFFull), shift = splat64(32);
  Value mEven = arith::AndIOp::create(b, loc, wideM, lowMask);
  Value mOdd = arith::ShRUIOp::create(b, loc, wideM, shift);
  Value even = arith::MulIOp::create(
      b, loc, arith::AndIOp::create(b, loc, wide, lowMask), mEven);
  Value odd = arith::MulIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, wide, shift), mOdd);
  Value evenWords = vector::BitCastOp::create(b, loc, vecI32, even);
  Value oddWords = vector::BitCastOp::create(b, loc, vecI32, odd);
  SmallVector<int64_t> lowOrder, highOrder;
  for (int64_t k = 0; k < width; k += 2) {
    lowOrder.append({k, width + k});
    highOrder.append({k + 1, width + k + 1});
  }
  return {vector::ShuffleOp::create(b, loc, evenWords, oddWords, lowOrder),
          vector::ShuffleOp::create(b, loc, evenWords, oddWords, highOrder)};
}

std::array<Value, 4>
KernelBuilder::philoxWords(OpBuilder &b, const PhiloxInputs &philox,
                           Value nodePair, unsigned firstPair, unsigned count) {
  assert((isVector() || count == 1) && "a GPU thread draws one at a time");
  // The words of `count` pairs side by side in one vector of lanes * count
  // elements (pair-major): every op is the same per element.
  int64_t width = int64_t(lanes) * count;
  Type i32 = b.getI32Type(), wordType = philoxWordType(b, count);
  auto broadcast = [&](Value scalar) -> Value {
    return isVector()
               ? Value(vector::BroadcastOp::create(b, loc, wordType, scalar))
               : scalar;
  };
  // A value of every lane, once per pair.
  auto repeat = [&](Value lanesValue) -> Value {
    if (count == 1)
      return lanesValue;
    SmallVector<int64_t> order;
    for (unsigned c = 0; c < count; ++c)
      for (int64_t l = 0; l < int64_t(lanes); ++l)
        order.push_back(l);
    return vector::ShuffleOp::create(b, loc, lanesValue, lanesValue, order);
  };
  auto words = [&](ArrayRef<int32_t> values) -> Value {
    if (!isVector())
      return arith::ConstantIntOp::create(b, loc, i32, values[0]);
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(cast<ShapedType>(wordType), values));
  };
  SmallVector<int32_t> pairWords;
  for (unsigned c = 0; c < count; ++c)
    pairWords.append(lanes, int32_t(firstPair + c));
  Value x0 = repeat(philox.step), x1 = broadcast(nodePair),
        x2 = repeat(philox.sets), x3 = words(pairWords);
  Value m0 = words(SmallVector<int32_t>(width, int32_t(0xD2511F53))),
        m1 = words(SmallVector<int32_t>(width, int32_t(0xCD9E8D57)));
  for (const auto &[k0, k1] : philox.roundKeys) {
    auto [low0, high0] = multiplyExtended(b, x0, m0);
    auto [low1, high1] = multiplyExtended(b, x2, m1);
    Value y0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, high1, x1), broadcast(k0));
    Value y2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, high0, x3), broadcast(k1));
    x0 = y0;
    x1 = low1;
    x2 = y2;
    x3 = low0;
  }
  return {x0, x1, x2, x3};
}

SmallVector<Value> KernelBuilder::normalDraws(OpBuilder &b, Value word1,
                                              Value word2, unsigned count) {
  Type bitsElem = b.getIntegerType(elem.getWidth());
  int64_t width = int64_t(lanes) * count;
  auto shaped = [&](Type element) -> Type {
    return isVector() ? Type(VectorType::get({width}, element)) : element;
  };
  KernelOps ops{b, loc, shaped(elem), philoxWordType(b, count),
                shaped(bitsElem)};
  std::array<Value, 2> normals =
      elem.isF64()
          ? ::rateml::runtime::standardNormalPair<double>(ops, word1, word2)
          : ::rateml::runtime::standardNormalPair<float>(ops, word1, word2);
  // Pair c's cosine and sine draws, for states 2 (firstPair + c) and the
  // one after it.
  SmallVector<Value> draws;
  for (unsigned c = 0; c < count; ++c)
    for (Value normal : normals)
      draws.push_back(
          count == 1
              ? normal
              : Value(vector::ExtractStridedSliceOp::create(
                    b, loc, normal, ArrayRef<int64_t>{int64_t(c * lanes)},
                    ArrayRef<int64_t>{int64_t(lanes)}, ArrayRef<int64_t>{1})));
  return draws;
}
