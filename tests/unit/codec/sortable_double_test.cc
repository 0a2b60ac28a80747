// Sortable double encoding: golden bytes, zero normalisation, subnormals, infinities, and byte
// order == numeric order over random doubles.
#include "codec/sortable_double.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace basalt::codec {
namespace {

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

double RoundTrip(double v) {
  double out = 0;
  EXPECT_TRUE(DecodeSortableDouble(EncodeSortableDouble(v), &out));
  return out;
}

TEST(SortableDoubleTest, GoldenBytes) {
  EXPECT_EQ(Hex(EncodeSortableDouble(0.0)), "8000000000000000");
  EXPECT_EQ(Hex(EncodeSortableDouble(1.0)), "bff0000000000000");
  EXPECT_EQ(Hex(EncodeSortableDouble(-1.0)), "400fffffffffffff");
  EXPECT_EQ(Hex(EncodeSortableDouble(2.5)), "c004000000000000");
  EXPECT_EQ(Hex(EncodeSortableDouble(std::numeric_limits<double>::infinity())), "fff0000000000000");
  EXPECT_EQ(Hex(EncodeSortableDouble(-std::numeric_limits<double>::infinity())),
            "000fffffffffffff");
}

TEST(SortableDoubleTest, NegativeZeroIsNormalised) {
  EXPECT_EQ(EncodeSortableDouble(-0.0), EncodeSortableDouble(0.0));
  double out = RoundTrip(-0.0);
  EXPECT_EQ(out, 0.0);
  EXPECT_FALSE(std::signbit(out));
}

TEST(SortableDoubleTest, InfinitiesRoundTripAndSortAtTheEnds) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(RoundTrip(inf), inf);
  EXPECT_EQ(RoundTrip(-inf), -inf);
  EXPECT_LT(EncodeSortableDouble(-inf), EncodeSortableDouble(-std::numeric_limits<double>::max()));
  EXPECT_GT(EncodeSortableDouble(inf), EncodeSortableDouble(std::numeric_limits<double>::max()));
}

TEST(SortableDoubleTest, Subnormals) {
  const double tiny = std::numeric_limits<double>::denorm_min();
  const double small = std::numeric_limits<double>::min();  // smallest normal
  for (double v : {tiny, -tiny, small / 3, -small / 3, small, -small}) {
    EXPECT_EQ(RoundTrip(v), v);
  }
  EXPECT_LT(EncodeSortableDouble(-tiny), EncodeSortableDouble(0.0));
  EXPECT_LT(EncodeSortableDouble(0.0), EncodeSortableDouble(tiny));
  EXPECT_LT(EncodeSortableDouble(tiny), EncodeSortableDouble(small));
  EXPECT_LT(EncodeSortableDouble(-small), EncodeSortableDouble(-tiny));
}

TEST(SortableDoubleTest, ShortInputIsRejected) {
  double out = 0;
  EXPECT_FALSE(DecodeSortableDouble("1234567", &out));
}

TEST(SortableDoubleTest, RandomByteOrderEqualsNumericOrder) {
  std::mt19937_64 rng(42);
  std::vector<double> values;
  for (int i = 0; i < 10000; ++i) {
    double v = std::bit_cast<double>(rng());
    if (std::isnan(v)) continue;
    values.push_back(v);
    if (i % 4 == 0) values.push_back(std::uniform_real_distribution<double>(-1e3, 1e3)(rng));
  }
  for (size_t i = 1; i < values.size(); ++i) {
    const double a = values[i - 1], b = values[i];
    const std::string ea = EncodeSortableDouble(a), eb = EncodeSortableDouble(b);
    ASSERT_EQ(RoundTrip(a), a);
    if (a < b) {
      EXPECT_LT(ea, eb) << a << " " << b;
    } else if (a > b) {
      EXPECT_GT(ea, eb) << a << " " << b;
    } else {
      EXPECT_EQ(ea, eb) << a << " " << b;
    }
  }
}

}  // namespace
}  // namespace basalt::codec
