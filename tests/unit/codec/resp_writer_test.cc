#include "codec/resp_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>

namespace basalt::codec {
namespace {

using namespace std::string_literals;

std::string Write(int protocol, const std::function<void(ReplyWriter&)>& build) {
  std::string out;
  ReplyWriter writer(&out, protocol);
  build(writer);
  return out;
}

// Golden bytes for one call in RESP2 and RESP3.
void ExpectBytes(const std::function<void(ReplyWriter&)>& build, const std::string& resp2,
                 const std::string& resp3) {
  EXPECT_EQ(Write(2, build), resp2);
  EXPECT_EQ(Write(3, build), resp3);
}

TEST(ReplyWriterTest, SimpleString) {
  ExpectBytes([](ReplyWriter& w) { w.SimpleString("OK"); }, "+OK\r\n", "+OK\r\n");
  ExpectBytes([](ReplyWriter& w) { w.SimpleString(""); }, "+\r\n", "+\r\n");
}

TEST(ReplyWriterTest, Error) {
  ExpectBytes([](ReplyWriter& w) { w.Error("ERR syntax error"); }, "-ERR syntax error\r\n",
              "-ERR syntax error\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Error("WRONGTYPE Operation"); }, "-WRONGTYPE Operation\r\n",
              "-WRONGTYPE Operation\r\n");
}

TEST(ReplyWriterTest, ErrorReplacesCrAndLfWithSpaces) {
  ExpectBytes([](ReplyWriter& w) { w.Error("ERR a\r\nb\nc\rd"); }, "-ERR a  b c d\r\n",
              "-ERR a  b c d\r\n");
}

TEST(ReplyWriterTest, ErrorSanitizesOnlyItsOwnText) {
  std::string out = "$2\r\n\r\n\r\n";
  ReplyWriter writer(&out);
  writer.Error("ERR x\ny");
  EXPECT_EQ(out, "$2\r\n\r\n\r\n-ERR x y\r\n");
}

TEST(ReplyWriterTest, Integer) {
  ExpectBytes([](ReplyWriter& w) { w.Integer(0); }, ":0\r\n", ":0\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Integer(-1); }, ":-1\r\n", ":-1\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Integer(1234567890); }, ":1234567890\r\n", ":1234567890\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Integer(std::numeric_limits<int64_t>::max()); },
              ":9223372036854775807\r\n", ":9223372036854775807\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Integer(std::numeric_limits<int64_t>::min()); },
              ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
}

TEST(ReplyWriterTest, Bulk) {
  ExpectBytes([](ReplyWriter& w) { w.Bulk("hello"); }, "$5\r\nhello\r\n", "$5\r\nhello\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Bulk("a\0\r\nb"s); }, "$5\r\na\0\r\nb\r\n"s,
              "$5\r\na\0\r\nb\r\n"s);
  std::string big(1000, 'x');
  ExpectBytes([&](ReplyWriter& w) { w.Bulk(big); }, "$1000\r\n" + big + "\r\n",
              "$1000\r\n" + big + "\r\n");
}

TEST(ReplyWriterTest, Null) {
  ExpectBytes([](ReplyWriter& w) { w.Null(); }, "$-1\r\n", "_\r\n");
}

TEST(ReplyWriterTest, NullArray) {
  ExpectBytes([](ReplyWriter& w) { w.NullArray(); }, "*-1\r\n", "_\r\n");
}

TEST(ReplyWriterTest, ArrayHeader) {
  ExpectBytes([](ReplyWriter& w) { w.ArrayHeader(3); }, "*3\r\n", "*3\r\n");
  ExpectBytes([](ReplyWriter& w) { w.ArrayHeader(0); }, "*0\r\n", "*0\r\n");
  ExpectBytes([](ReplyWriter& w) { w.ArrayHeader(-1); }, "*-1\r\n", "*-1\r\n");
}

TEST(ReplyWriterTest, MapHeaderIsFlatArrayOfPairsInResp2) {
  ExpectBytes([](ReplyWriter& w) { w.MapHeader(3); }, "*6\r\n", "%3\r\n");
  ExpectBytes([](ReplyWriter& w) { w.MapHeader(0); }, "*0\r\n", "%0\r\n");
}

TEST(ReplyWriterTest, SetHeader) {
  ExpectBytes([](ReplyWriter& w) { w.SetHeader(4); }, "*4\r\n", "~4\r\n");
}

TEST(ReplyWriterTest, PushHeader) {
  ExpectBytes([](ReplyWriter& w) { w.PushHeader(3); }, "*3\r\n", ">3\r\n");
}

TEST(ReplyWriterTest, Bool) {
  ExpectBytes([](ReplyWriter& w) { w.Bool(true); }, ":1\r\n", "#t\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Bool(false); }, ":0\r\n", "#f\r\n");
}

TEST(ReplyWriterTest, DoubleGoldenBytes) {
  struct Case {
    double value;
    std::string text;
  };
  const Case cases[] = {
      {0.0, "0"},
      {-0.0, "-0"},
      {1.5, "1.5"},
      {100.0, "100"},
      {3.14, "3.1400000000000001"},
      {0.1, "0.10000000000000001"},
      {-2.5, "-2.5"},
      {1e17, "1e+17"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {1e300, "1.0000000000000001e+300"},
      {1e-5, "1.0000000000000001e-05"},
      {5e-324, "4.9406564584124654e-324"},
  };
  for (const Case& c : cases) {
    std::string resp2 = "$" + std::to_string(c.text.size()) + "\r\n" + c.text + "\r\n";
    ExpectBytes([&](ReplyWriter& w) { w.Double(c.value); }, resp2, "," + c.text + "\r\n");
  }
}

TEST(ReplyWriterTest, DoubleInfinityAndNan) {
  const double inf = std::numeric_limits<double>::infinity();
  ExpectBytes([&](ReplyWriter& w) { w.Double(inf); }, "$3\r\ninf\r\n", ",inf\r\n");
  ExpectBytes([&](ReplyWriter& w) { w.Double(-inf); }, "$4\r\n-inf\r\n", ",-inf\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Double(std::numeric_limits<double>::quiet_NaN()); },
              "$3\r\nnan\r\n", ",nan\r\n");
}

// Redis prints doubles with snprintf("%.17g"); our locale-free conversion must agree.
TEST(ReplyWriterTest, DoubleMatchesPrintfForManyValues) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> bits;
  for (int i = 0; i < 20000; ++i) {
    uint64_t b = bits(rng);
    double v;
    static_assert(sizeof(v) == sizeof(b));
    std::memcpy(&v, &b, sizeof(v));
    char expected[64];
    int n = std::snprintf(expected, sizeof(expected), "%.17g", v);
    ASSERT_GT(n, 0);
    EXPECT_EQ(Write(3, [&](ReplyWriter& w) { w.Double(v); }),
              "," + std::string(expected, n) + "\r\n");
  }
}

TEST(ReplyWriterTest, Verbatim) {
  ExpectBytes([](ReplyWriter& w) { w.Verbatim("hello"); }, "$5\r\nhello\r\n",
              "=9\r\ntxt:hello\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Verbatim("", "mkd"); }, "$0\r\n\r\n", "=4\r\nmkd:\r\n");
  ExpectBytes([](ReplyWriter& w) { w.Verbatim("a\r\nb", "txt"); }, "$4\r\na\r\nb\r\n",
              "=8\r\ntxt:a\r\nb\r\n");
}

TEST(ReplyWriterTest, VerbatimFormatIsExactlyThreeBytes) {
  EXPECT_EQ(Write(3, [](ReplyWriter& w) { w.Verbatim("x", "md"); }), "=5\r\nmd :x\r\n");
  EXPECT_EQ(Write(3, [](ReplyWriter& w) { w.Verbatim("x", ""); }), "=5\r\n   :x\r\n");
  EXPECT_EQ(Write(3, [](ReplyWriter& w) { w.Verbatim("x", "markdown"); }), "=5\r\nmar:x\r\n");
  EXPECT_EQ(Write(3, [](ReplyWriter& w) { w.Verbatim("x", "t\0x"s); }), "=5\r\nt  :x\r\n");
}

TEST(ReplyWriterTest, Raw) {
  ExpectBytes([](ReplyWriter& w) { w.Raw("+PONG\r\n"); }, "+PONG\r\n", "+PONG\r\n");
}

TEST(ReplyWriterTest, AppendsToExistingBufferAndSwitchesProtocol) {
  std::string out = "prefix";
  ReplyWriter writer(&out);
  EXPECT_EQ(writer.protocol(), 2);
  EXPECT_EQ(writer.buffer(), &out);
  writer.MapHeader(1);
  writer.Bulk("k");
  writer.Null();
  writer.set_protocol(3);
  EXPECT_EQ(writer.protocol(), 3);
  writer.MapHeader(1);
  writer.Bulk("k");
  writer.Null();
  EXPECT_EQ(out, "prefix*2\r\n$1\r\nk\r\n$-1\r\n%1\r\n$1\r\nk\r\n_\r\n");
}

TEST(ReplyWriterTest, NestedReplyGoldenBytes) {
  auto build = [](ReplyWriter& w) {
    w.ArrayHeader(2);
    w.SetHeader(2);
    w.Bulk("a");
    w.Integer(7);
    w.MapHeader(1);
    w.SimpleString("score");
    w.Double(2.5);
  };
  ExpectBytes(build, "*2\r\n*2\r\n$1\r\na\r\n:7\r\n*2\r\n+score\r\n$3\r\n2.5\r\n",
              "*2\r\n~2\r\n$1\r\na\r\n:7\r\n%1\r\n+score\r\n,2.5\r\n");
}

}  // namespace
}  // namespace basalt::codec
