#include "engine/string.h"

#include <thread>

#include "tests/unit/engine/engine_fixture.h"

namespace basalt::engine {
namespace {

using Cond = SetOptions::Condition;

std::optional<std::string> Get(const Db& db, std::string_view key) {
  auto r = StringGet(db, key);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

void Set(const Db& db, std::string_view key, std::string_view value, SetOptions o = {}) {
  auto r = StringSet(db, key, value, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST_F(EngineTest, SetGetAndConditions) {
  EXPECT_EQ(Get(db(), "k"), std::nullopt);
  Set(db(), "k", "v1");
  EXPECT_EQ(Get(db(), "k"), "v1");
  SetOptions nx;
  nx.condition = Cond::kIfAbsent;
  EXPECT_FALSE(StringSet(db(), "k", "v2", nx)->written);
  SetOptions xx;
  xx.condition = Cond::kIfPresent;
  EXPECT_FALSE(StringSet(db(), "other", "v", xx)->written);
  SetOptions get;
  get.get_old = true;
  auto r = StringSet(db(), "k", "v3", get);
  EXPECT_EQ(r->old, "v1");
  EXPECT_EQ(Get(db(), "k"), "v3");
  EXPECT_EQ(engine_->KeyCount(db()), 1);
}

TEST_F(EngineTest, BinarySafeValuesSurviveReopen) {
  std::string key("a\0b\r\n", 5), value("\0\xff\r\n", 4);
  Set(db(), key, value);
  Reopen();
  EXPECT_EQ(Get(db(), key), value);
  EXPECT_EQ(engine_->KeyCount(db()), 1);
}

TEST_F(EngineTest, ExpiredKeysAreAbsentButCountedUntilReaped) {
  SetOptions o;
  o.expire.mode = ExpireChange::Mode::kSetAt;
  o.expire.at_ms = NowMs() + 30;
  Set(db(), "k", "v", o);
  EXPECT_EQ(Get(db(), "k"), "v");
  EXPECT_EQ(engine_->ExpiresCount(db()), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(Get(db(), "k"), std::nullopt);
  EXPECT_EQ(engine_->KeyCount(db()), 1);
  // Writing over an expired record reuses it: the count stays right.
  Set(db(), "k", "fresh");
  EXPECT_EQ(engine_->KeyCount(db()), 1);
  EXPECT_EQ(engine_->ExpiresCount(db()), 0);
}

TEST_F(EngineTest, KeepTtlAndClearTtl) {
  SetOptions o;
  o.expire.mode = ExpireChange::Mode::kSetAt;
  o.expire.at_ms = NowMs() + 100000;
  Set(db(), "k", "v", o);
  SetOptions keep;
  keep.expire.mode = ExpireChange::Mode::kKeep;
  Set(db(), "k", "v2", keep);
  KeyRecord rec;
  ASSERT_TRUE(engine_->Lookup(db(), "k", &rec).ok());
  EXPECT_EQ(rec.meta.expire_at_ms, o.expire.at_ms);
  Set(db(), "k", "v3");
  ASSERT_TRUE(engine_->Lookup(db(), "k", &rec).ok());
  EXPECT_EQ(rec.meta.expire_at_ms, 0u);
  EXPECT_EQ(engine_->ExpiresCount(db()), 0);
}

TEST_F(EngineTest, IncrByOverflowAndNonIntegers) {
  EXPECT_EQ(*StringIncrBy(db(), "n", 5), 5);
  EXPECT_EQ(*StringIncrBy(db(), "n", -7), -2);
  Set(db(), "big", "9223372036854775807");
  EXPECT_EQ(StringIncrBy(db(), "big", 1).status().code(), Code::kOverflow);
  Set(db(), "s", "abc");
  EXPECT_EQ(StringIncrBy(db(), "s", 1).status().code(), Code::kNotInteger);
  Set(db(), "sp", " 1");
  EXPECT_EQ(StringIncrBy(db(), "sp", 1).status().code(), Code::kNotInteger);
  EXPECT_EQ(Get(db(), "big"), "9223372036854775807");
}

TEST_F(EngineTest, IncrByFloatFormatsLikeRedis) {
  Set(db(), "f", "10.50");
  EXPECT_EQ(*StringIncrByFloat(db(), "f", 0.1L), "10.6");
  Set(db(), "g", "5.0e3");
  EXPECT_EQ(*StringIncrByFloat(db(), "g", 2.0e3L), "7000");
  Set(db(), "h", "abc");
  EXPECT_EQ(StringIncrByFloat(db(), "h", 1).status().code(), Code::kNotFloat);
}

TEST_F(EngineTest, AppendRangesAndLimits) {
  EXPECT_EQ(*StringAppend(db(), "a", "Hello"), 5);
  EXPECT_EQ(*StringAppend(db(), "a", " World"), 11);
  EXPECT_EQ(*StringGetRange(db(), "a", 0, 4), "Hello");
  EXPECT_EQ(*StringGetRange(db(), "a", -5, -1), "World");
  EXPECT_EQ(*StringGetRange(db(), "a", 5, 3), "");
  EXPECT_EQ(*StringGetRange(db(), "a", -1, -5), "");
  EXPECT_EQ(*StringGetRange(db(), "a", 0, 100), "Hello World");
  EXPECT_EQ(*StringSetRange(db(), "b", 3, "x"), 4);
  EXPECT_EQ(Get(db(), "b"), std::string("\0\0\0x", 4));
  EXPECT_EQ(*StringSetRange(db(), "missing", 10, ""), 0);
  EXPECT_EQ(Get(db(), "missing"), std::nullopt);
  SetMaxStringBytes(16);
  EXPECT_EQ(StringSetRange(db(), "b", 16, "x").status().code(), Code::kTooLarge);
  EXPECT_EQ(StringAppend(db(), "a", "123456").status().code(), Code::kTooLarge);
  SetMaxStringBytes(512ull << 20);
}

TEST_F(EngineTest, MSetLastValueWinsAndCountsOnce) {
  ASSERT_TRUE(StringMSet(db(), {{"a", "1"}, {"b", "2"}, {"a", "3"}}, false).ok());
  EXPECT_EQ(Get(db(), "a"), "3");
  EXPECT_EQ(engine_->KeyCount(db()), 2);
  EXPECT_FALSE(*StringMSet(db(), {{"c", "1"}, {"a", "x"}}, true));
  EXPECT_EQ(Get(db(), "c"), std::nullopt);
  auto got = StringMGet(db(), {"a", "nope", "b"});
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[1], std::nullopt);
  EXPECT_EQ((*got)[2], "2");
}

TEST_F(EngineTest, GetExAndGetDel) {
  Set(db(), "k", "v");
  ExpireChange at;
  at.mode = ExpireChange::Mode::kSetAt;
  at.at_ms = NowMs() + 50000;
  EXPECT_EQ(**StringGetEx(db(), "k", at), "v");
  EXPECT_EQ(engine_->ExpiresCount(db()), 1);
  ExpireChange past = at;
  past.at_ms = 1;
  EXPECT_EQ(**StringGetEx(db(), "k", past), "v");
  EXPECT_EQ(Get(db(), "k"), std::nullopt);
  EXPECT_EQ(engine_->KeyCount(db()), 0);
  Set(db(), "d", "x");
  EXPECT_EQ(**StringGetDel(db(), "d"), "x");
  EXPECT_EQ(*StringGetDel(db(), "d"), std::nullopt);
}

TEST_F(EngineTest, LcsMatchesRedisExample) {
  LcsResult r = ComputeLcs("ohmytext", "mynewtext", true, 0);
  EXPECT_EQ(r.sequence, "mytext");
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].a_start, 4);
  EXPECT_EQ(r.matches[0].a_end, 7);
  EXPECT_EQ(r.matches[0].b_start, 5);
  EXPECT_EQ(r.matches[0].b_end, 8);
  EXPECT_EQ(r.matches[1].a_start, 2);
  EXPECT_EQ(r.matches[1].a_end, 3);
  EXPECT_EQ(r.matches[1].b_start, 0);
  EXPECT_EQ(r.matches[1].b_end, 1);
  EXPECT_EQ(ComputeLcs("ohmytext", "mynewtext", true, 4).matches.size(), 1u);
  EXPECT_EQ(ComputeLcs("", "abc", false, 0).sequence, "");
}

}  // namespace
}  // namespace basalt::engine
