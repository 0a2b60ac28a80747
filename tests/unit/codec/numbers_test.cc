// Tests for the Redis-compatible number codecs. Accept/reject expectations and printed forms
// were observed on redis-server 7.0.15: INCRBY (string2ll), ZADD + ZSCORE (string2d and
// "%.17g"), INCRBYFLOAT (string2ld and ld2string's human mode).
#include "codec/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace basalt::codec {
namespace {

using namespace std::string_view_literals;

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();

TEST(ParseInt64Test, AcceptsCanonicalIntegers) {
  struct Case {
    std::string_view text;
    int64_t want;
  };
  const Case cases[] = {
      {"0", 0},
      {"1", 1},
      {"-1", -1},
      {"99", 99},
      {"-99", -99},
      {"1000000", 1000000},
      {"9223372036854775807", kInt64Max},
      {"-9223372036854775808", kInt64Min},
      {"9223372036854775806", kInt64Max - 1},
      {"-9223372036854775807", kInt64Min + 1},
  };
  for (const Case& c : cases) {
    int64_t got = 12345;
    EXPECT_TRUE(ParseInt64(c.text, &got)) << c.text;
    EXPECT_EQ(got, c.want) << c.text;
  }
}

TEST(ParseInt64Test, RejectsWhatRedisRejects) {
  const std::string_view cases[] = {
      "",
      "-",
      "-0",  // after '-' the first digit must be 1-9
      "00",
      "01",
      "-01",
      "+1",
      " 1",
      "1 ",
      "1a",
      "a1",
      "1.0",
      "1e3",
      "0x10",
      "--1",
      "1\0"sv,
      "9223372036854775808",   // INT64_MAX + 1
      "-9223372036854775809",  // INT64_MIN - 1
      "18446744073709551615",
      "18446744073709551616",
      "99999999999999999999999",
      "-00000000000000000001",
  };
  for (std::string_view text : cases) {
    int64_t got = 777;
    EXPECT_FALSE(ParseInt64(text, &got)) << text;
    EXPECT_EQ(got, 777) << "output written on failure for " << text;
  }
}

TEST(ParseUint64Test, AcceptsDigitsUpToMax) {
  uint64_t got = 1;
  EXPECT_TRUE(ParseUint64("0", &got));
  EXPECT_EQ(got, 0u);
  EXPECT_TRUE(ParseUint64("42", &got));
  EXPECT_EQ(got, 42u);
  EXPECT_TRUE(ParseUint64("9223372036854775808", &got));
  EXPECT_EQ(got, uint64_t{1} << 63);
  EXPECT_TRUE(ParseUint64("18446744073709551615", &got));
  EXPECT_EQ(got, kUint64Max);
}

TEST(ParseUint64Test, RejectsSignsSpacesLeadingZerosAndOverflow) {
  const std::string_view cases[] = {
      "",
      "-",
      "-0",
      "-1",
      "+1",
      "00",
      "01",
      " 1",
      "1 ",
      "1x",
      "18446744073709551616",
      "99999999999999999999",
  };
  for (std::string_view text : cases) {
    uint64_t got = 777;
    EXPECT_FALSE(ParseUint64(text, &got)) << text;
    EXPECT_EQ(got, 777u) << text;
  }
}

TEST(ParseDoubleTest, AcceptsStrtodForms) {
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    std::string_view text;
    double want;
  };
  const Case cases[] = {
      {"0", 0.0},
      {"1", 1.0},
      {"-1.5", -1.5},
      {"+5", 5.0},
      {".5", 0.5},
      {"5.", 5.0},
      {"1e3", 1000.0},
      {"0x10", 16.0},
      {"-0x1.8p1", -3.0},
      {"inf", inf},
      {"+inf", inf},
      {"-inf", -inf},
      {"INF", inf},
      {"infinity", inf},
      {"1.7976931348623157e308", std::numeric_limits<double>::max()},
      // Subnormal results set ERANGE in glibc but Redis keeps them (they are not zero).
      {"2.5e-324", std::numeric_limits<double>::denorm_min()},
      {"0x1p-1074", std::numeric_limits<double>::denorm_min()},
  };
  for (const Case& c : cases) {
    double got = 12345;
    EXPECT_TRUE(ParseDouble(c.text, &got)) << c.text;
    EXPECT_EQ(got, c.want) << c.text;
  }
  double got = 0;
  EXPECT_TRUE(ParseDouble("1e-310", &got));
  EXPECT_EQ(FormatDouble(got), "9.9999999999999694e-311");  // Redis ZSCORE shows this
  EXPECT_TRUE(ParseDouble("-0", &got));
  EXPECT_TRUE(std::signbit(got));
}

TEST(ParseDoubleTest, RejectsWhatRedisRejects) {
  const std::string_view cases[] = {
      "",
      " 1",
      "\t1",
      "\v1",
      "1 ",
      "1\0"sv,
      "nan",
      "NaN",
      "-nan",
      "nan(123)",
      "1e400",     // overflow to HUGE_VAL
      "-1e400",    // overflow to -HUGE_VAL
      "1e-400",    // underflow all the way to zero
      "2.4e-324",  // rounds to zero
      "0x",
      "1e",
      "abc",
      "\xa0"
      "1",
  };
  for (std::string_view text : cases) {
    double got = 777;
    EXPECT_FALSE(ParseDouble(text, &got)) << text;
    EXPECT_EQ(got, 777) << text;
  }
}

TEST(ParseDoubleTest, NoLengthLimit) {
  double got = 0;
  EXPECT_TRUE(ParseDouble("1." + std::string(10000, '0'), &got));  // ZADD accepts this
  EXPECT_EQ(got, 1.0);
}

TEST(ParseLongDoubleTest, AcceptsStrtoldForms) {
  const long double inf = std::numeric_limits<long double>::infinity();
  struct Case {
    std::string_view text;
    long double want;
  };
  const Case cases[] = {
      {"0", 0.0L},         {"10.5", 10.5L},   {"-1.5", -1.5L},     {"+1.5", 1.5L},
      {"0x10", 16.0L},     {"100.", 100.0L},  {"5.0e3", 5000.0L},  {"inf", inf},
      {"-inf", -inf},      {"infinity", inf}, {"1e-400", 1e-400L},  // normal as a long double
      {"1e4000", 1e4000L},
  };
  for (const Case& c : cases) {
    long double got = 12345;
    EXPECT_TRUE(ParseLongDouble(c.text, &got)) << c.text;
    EXPECT_EQ(got, c.want) << c.text;
  }
  long double got = 0;
  EXPECT_TRUE(ParseLongDouble("3.6e-4951", &got));  // subnormal long double: accepted
  EXPECT_GT(got, 0.0L);
}

TEST(ParseLongDoubleTest, RejectsWhatRedisRejects) {
  const std::string_view cases[] = {
      "", " 1", "1 ", "1\0"sv, "nan", "-nan", "1e5000", "-1e5000", "1e-5000", "1.5e4932", "0x",
  };
  for (std::string_view text : cases) {
    long double got = 777;
    EXPECT_FALSE(ParseLongDouble(text, &got)) << text;
    EXPECT_EQ(got, 777) << text;
  }
}

// string2ld copies into a 5120-byte buffer: INCRBYFLOAT took a 5119-byte "1.000...0" and
// rejected the 5120-byte one.
TEST(ParseLongDoubleTest, RejectsInputsOf5120BytesOrMore) {
  long double got = 0;
  EXPECT_TRUE(ParseLongDouble("1." + std::string(5117, '0'), &got));
  EXPECT_EQ(got, 1.0L);
  EXPECT_FALSE(ParseLongDouble("1." + std::string(5118, '0'), &got));
  EXPECT_FALSE(ParseLongDouble("1." + std::string(5119, '0'), &got));
}

TEST(FormatInt64Test, MatchesLl2string) {
  EXPECT_EQ(FormatInt64(0), "0");
  EXPECT_EQ(FormatInt64(7), "7");
  EXPECT_EQ(FormatInt64(-7), "-7");
  EXPECT_EQ(FormatInt64(1000000), "1000000");
  EXPECT_EQ(FormatInt64(kInt64Max), "9223372036854775807");
  EXPECT_EQ(FormatInt64(kInt64Min), "-9223372036854775808");
}

TEST(FormatInt64Test, RoundTripsThroughParse) {
  const int64_t values[] = {
      0, 1, -1, 9, 10, -10, kInt64Max, kInt64Min, kInt64Max - 1, kInt64Min + 1};
  for (int64_t v : values) {
    int64_t back = 0;
    EXPECT_TRUE(ParseInt64(FormatInt64(v), &back)) << v;
    EXPECT_EQ(back, v);
  }
}

// Sums computed in long double exactly as INCRBYFLOAT does, printed as Redis printed them.
TEST(FormatLongDoubleHumanTest, MatchesIncrbyfloat) {
  struct Case {
    std::string_view base;
    std::string_view incr;
    std::string_view want;
  };
  const Case cases[] = {
      {"10.50", "0.1", "10.6"},
      {"10.5", "0.1", "10.6"},
      {"5.0e3", "0", "5000"},
      {"3.0e3", "2.0e3", "5000"},
      {"1.1", "2.2", "3.3"},
      {"2.2", "1.1", "3.3"},
      {"0", "3.3", "3.3"},
      {"0", "0.1", "0.1"},
      {"0", "0.5", "0.5"},
      {"0", "-1", "-1"},
      {"0", "-1.5", "-1.5"},
      {"0", "-100.25", "-100.25"},
      {"0", "1.0e-5", "0.00001"},
      {"0", "100.", "100"},
      {"0", "0x10", "16"},
      {"0", "1e20", "100000000000000000000"},
      {"0", "1e30", "1000000000000000000024696061952"},
      {"0", "123456789.123456789", "123456789.12345678899873747"},
      {"0", "0.1234567890123456789", "0.12345678901234568"},
      {"1e4", "-1e4", "0"},
      {"-5.5", "5.5", "0"},
      {"0", "-0", "0"},
      {"0", "-0.0", "0"},
      {"0", "1e-17", "0.00000000000000001"},
      {"0", "-0.000000000000000006", "-0.00000000000000001"},
      {"0", "1e-20", "0"},
      {"0", "-1e-20", "0"},  // "-0.000..." collapses to "0", not "-0"
      {"0", "-5e-18", "0"},
      {"0", "3.6e-4951", "0"},
  };
  for (const Case& c : cases) {
    long double base = 0;
    long double incr = 0;
    ASSERT_TRUE(ParseLongDouble(c.base, &base)) << c.base;
    ASSERT_TRUE(ParseLongDouble(c.incr, &incr)) << c.incr;
    EXPECT_EQ(FormatLongDoubleHuman(base + incr), c.want) << c.base << " + " << c.incr;
  }
}

// Redis INCRBYFLOAT 0 <text> replies, checked by length and both ends.
TEST(FormatLongDoubleHumanTest, KeepsIntegralZerosAndPrintsHugeValuesInFull) {
  EXPECT_EQ(FormatLongDoubleHuman(100.0L), "100");
  EXPECT_EQ(FormatLongDoubleHuman(-0.0L), "0");
  struct Case {
    std::string_view text;
    size_t size;
    std::string_view head;
    std::string_view tail;
  };
  const Case cases[] = {
      {"1e4000", 4000, "999999999999999999996546", "951206648276349901340672"},
      {"1.18973149535723176502e4932", 4933, "118973149535723176502126", "604419552086811989770240"},
  };
  for (const Case& c : cases) {
    long double v = 0;
    ASSERT_TRUE(ParseLongDouble(c.text, &v)) << c.text;
    const std::string got = FormatLongDoubleHuman(v);
    ASSERT_EQ(got.size(), c.size) << c.text;
    EXPECT_EQ(got.substr(0, c.head.size()), c.head) << c.text;
    EXPECT_EQ(got.substr(got.size() - c.tail.size()), c.tail) << c.text;
  }
}

TEST(FormatLongDoubleHumanTest, NonFiniteIsEmpty) {
  EXPECT_EQ(FormatLongDoubleHuman(std::numeric_limits<long double>::infinity()), "");
  EXPECT_EQ(FormatLongDoubleHuman(-std::numeric_limits<long double>::infinity()), "");
  EXPECT_EQ(FormatLongDoubleHuman(std::numeric_limits<long double>::quiet_NaN()), "");
}

// ZADD z <text> m; ZSCORE z m with a skiplist-encoded zset (the listpack encoding stores
// integral scores as integers and loses the sign of -0).
TEST(FormatDoubleTest, MatchesZscore) {
  struct Case {
    std::string_view text;
    std::string_view want;
  };
  const Case cases[] = {
      {"0.1", "0.10000000000000001"},
      {"-0", "-0"},
      {"100", "100"},
      {"1e16", "10000000000000000"},
      {"1e17", "1e+17"},
      {"123456789012345678", "1.2345678901234568e+17"},
      {"0.30000000000000004", "0.30000000000000004"},
      {"3.0000000000000004", "3.0000000000000004"},
      {"1e300", "1.0000000000000001e+300"},
      {"-1.5e-7", "-1.4999999999999999e-07"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"5e-324", "4.9406564584124654e-324"},
      {"0x10", "16"},
      {"inf", "inf"},
      {"-inf", "-inf"},
  };
  for (const Case& c : cases) {
    double v = 0;
    ASSERT_TRUE(ParseDouble(c.text, &v)) << c.text;
    EXPECT_EQ(FormatDouble(v), c.want) << c.text;
  }
}

TEST(FormatDoubleTest, NanHasNoSign) {
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::quiet_NaN()), "nan");
}

TEST(FormatDoubleTest, ZincrbySums) {
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(0.1), "0.10000000000000001");
}

}  // namespace
}  // namespace basalt::codec
