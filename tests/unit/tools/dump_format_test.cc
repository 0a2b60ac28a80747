// basalt-dump's pure encoders: the binary-safe JSON escape, base64, the JSON reader, score
// text, display quoting, RESP commands and the export chunk encodings (golden bytes).
#include <gtest/gtest.h>

#include <cmath>

#include "tools/dump/export.h"
#include "tools/dump/resp_emit.h"
#include "tools/dump/text.h"

namespace basalt::dump {
namespace {

std::string JsonBytes(std::string_view s) {
  std::string out;
  AppendJsonBytes(&out, s);
  return out;
}

TEST(DumpText, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(DumpText, JsonEscapeGolden) {
  EXPECT_EQ(JsonBytes("a\"b\\c\n\r\t\x01"), R"("a\"b\\c\n\r\t\u0001")");
  EXPECT_EQ(JsonBytes(""), R"("")");
  EXPECT_EQ(JsonBytes("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonBytes(std::string("\x00\xff", 2)), R"({"base64":"AP8="})");
}

TEST(DumpText, Base64RoundTripsEveryLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 1) {
    std::string in = all.substr(0, n), out;
    ASSERT_TRUE(Base64Decode(Base64Encode(in), &out)) << n;
    EXPECT_EQ(out, in);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  std::string out;
  EXPECT_FALSE(Base64Decode("Zm8", &out));
  EXPECT_FALSE(Base64Decode("Z=8=", &out));
  EXPECT_FALSE(Base64Decode("Zm!=", &out));
}

TEST(DumpText, JsonBytesRoundTripThroughReader) {
  for (std::string s :
       {std::string("x"), std::string("\"\\/\b\f\n\r\t"), std::string("\x00\x01\x7f", 3),
        std::string("\xe2\x82\xac"), std::string("\xff\xfe"), std::string()}) {
    Json j;
    std::string err, back;
    ASSERT_TRUE(ParseJson(JsonBytes(s), &j, &err)) << err;
    ASSERT_TRUE(JsonToBytes(j, &back));
    EXPECT_EQ(back, s);
  }
}

TEST(DumpText, JsonReader) {
  Json j;
  std::string err;
  ASSERT_TRUE(ParseJson(R"( {"a": [1, -2.5e3, true, null], "b": "\ud83d\ude00"} )", &j, &err));
  ASSERT_EQ(j.kind, Json::Kind::kObject);
  ASSERT_NE(j.Find("a"), nullptr);
  EXPECT_EQ(j.Find("a")->items.size(), 4u);
  EXPECT_EQ(j.Find("a")->items[1].text, "-2.5e3");
  EXPECT_EQ(j.Find("b")->text, "\xf0\x9f\x98\x80");
  EXPECT_FALSE(ParseJson(R"({"a":1,})", &j, &err));
  EXPECT_FALSE(ParseJson(R"("\ud800")", &j, &err));
  EXPECT_FALSE(ParseJson("\"a\nb\"", &j, &err));
  EXPECT_FALSE(ParseJson("[1] x", &j, &err));
  EXPECT_FALSE(ParseJson(std::string(100, '['), &j, &err));
}

TEST(DumpText, ScoresRoundTrip) {
  for (double d : {0.0, -0.0, 1.0, 2.5, 0.1, -1e300, 5e-324, 1.0 / 3, 9007199254740993.0}) {
    double back;
    ASSERT_TRUE(ParseScore(FormatScore(d), &back)) << FormatScore(d);
    EXPECT_EQ(back, d);
  }
  EXPECT_EQ(FormatScore(HUGE_VAL), "inf");
  EXPECT_EQ(FormatScore(-HUGE_VAL), "-inf");
  EXPECT_EQ(FormatScore(2.5), "2.5");
  double d;
  EXPECT_FALSE(ParseScore("nan", &d));
  EXPECT_FALSE(ParseScore("1x", &d));
}

TEST(DumpText, QuoteForDisplay) {
  EXPECT_EQ(QuoteForDisplay("user:1"), "user:1");
  EXPECT_EQ(QuoteForDisplay(""), "\"\"");
  EXPECT_EQ(QuoteForDisplay("a b"), "\"a b\"");
  EXPECT_EQ(QuoteForDisplay(std::string("\x00\xff\"\n", 4)), R"("\x00\xff\"\n")");
}

TEST(DumpResp, CommandGolden) {
  std::string out;
  AppendRespCommand(&out, {"SET", "k", std::string("\r\n\0", 3), ""});
  EXPECT_EQ(out, std::string("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\r\n\0\r\n$0\r\n\r\n", 35));
}

TEST(DumpExport, RespChunksSelectDelBatchesAndExpire) {
  Value v;
  v.type = codec::KeyType::kZSet;
  v.members = {{"a", 1}, {"b", HUGE_VAL}, {"c", -0.5}};
  int db = -1;
  std::string out;
  AppendRespChunk(&out, ChunkHeader{2, "z", 1700000000000, true, true}, v, &db,
                  /*per_command=*/2);
  std::string want;
  AppendRespCommand(&want, {"SELECT", "2"});
  AppendRespCommand(&want, {"DEL", "z"});
  AppendRespCommand(&want, {"ZADD", "z", "1", "a", "inf", "b"});
  AppendRespCommand(&want, {"ZADD", "z", "-0.5", "c"});
  AppendRespCommand(&want, {"PEXPIREAT", "z", "1700000000000"});
  EXPECT_EQ(out, want);
  EXPECT_EQ(db, 2);

  // A continuation chunk of the same key in the same db adds elements only.
  out.clear();
  v.members = {{"d", 4}};
  AppendRespChunk(&out, ChunkHeader{2, "z", 0, false, false}, v, &db);
  want.clear();
  AppendRespCommand(&want, {"ZADD", "z", "4", "d"});
  EXPECT_EQ(out, want);
}

TEST(DumpExport, JsonlGolden) {
  Value v;
  v.type = codec::KeyType::kHash;
  v.fields = {{"f", std::string("\xff", 1)}};
  std::string out;
  AppendJsonlChunk(&out, ChunkHeader{0, "h", 5, true, true}, v);
  EXPECT_EQ(out, R"({"db":0,"key":"h","type":"hash","expire_at_ms":5,"continued":false,)"
                 R"("value":[["f",{"base64":"/w=="}]]})"
                 "\n");
  out.clear();
  v.type = codec::KeyType::kZSet;
  v.members = {{"m", -HUGE_VAL}, {"n", 0.25}};
  AppendJsonlChunk(&out, ChunkHeader{1, "z", 0, false, true}, v);
  EXPECT_EQ(out, R"({"db":1,"key":"z","type":"zset","expire_at_ms":0,"continued":true,)"
                 R"("value":[["m","-inf"],["n",0.25]]})"
                 "\n");
}

TEST(DumpExport, DelimitedFramingUsesVarintLength) {
  std::string out;
  AppendDelimited(&out, std::string(300, 'x'));
  ASSERT_EQ(out.size(), 302u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0xAC);  // 300 = 0b10'0101100
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 0x02);
}

TEST(DumpExport, RecordCarriesEveryField) {
  Value v;
  v.type = codec::KeyType::kList;
  v.elements = {"a", ""};
  codec::proto::Record r;
  ToRecord(ChunkHeader{3, std::string_view("k\0", 2), 9, false, true}, v, &r);
  EXPECT_EQ(r.db(), 3u);
  EXPECT_EQ(r.key(), std::string("k\0", 2));
  EXPECT_EQ(r.type(), codec::proto::Record::LIST);
  EXPECT_EQ(r.expire_at_ms(), 9u);
  EXPECT_TRUE(r.continued());
  ASSERT_EQ(r.elements_size(), 2);
  EXPECT_EQ(r.elements(1), "");
}

}  // namespace
}  // namespace basalt::dump
