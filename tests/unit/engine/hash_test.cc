// The hash type: round trips, the metadata size invariant (metadata size == live subkeys after
// every mutation), deletion of emptied hashes, overwrites by other types, expiry, persistence,
// HRANDFIELD's sampling rules, HSCAN paging and the OBJECT ENCODING answer.
#include "engine/hash.h"

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "engine/collection.h"
#include "engine/keys.h"
#include "engine/list.h"
#include "engine/string.h"
#include "engine/zset.h"
#include "tests/unit/engine/engine_fixture.h"

namespace basalt::engine {
namespace {

using codec::KeyType;

class HashTest : public EngineTest {
 protected:
  int64_t Set(std::string_view key, const FieldValueViews& fvs, bool nx = false) {
    auto r = HashSet(db(), key, fvs, nx);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    ExpectSizeMatches(key);
    return r.ok() ? *r : -1;
  }
  int64_t Del(std::string_view key, const std::vector<std::string_view>& fields) {
    auto r = HashDelete(db(), key, fields);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    ExpectSizeMatches(key);
    return r.ok() ? *r : -1;
  }
  std::optional<std::string> Get(std::string_view key, std::string_view field) {
    auto r = HashGet(db(), key, field);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  std::map<std::string, std::string> All(std::string_view key) {
    auto r = HashGetAll(db(), key);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::map<std::string, std::string> out;
    if (r.ok()) out.insert(r->begin(), r->end());
    return out;
  }
  // The invariant: the metadata's size equals the number of live subkeys.
  void ExpectSizeMatches(std::string_view key) {
    KeyRecord rec;
    ASSERT_TRUE(engine_->Lookup(db(), key, &rec).ok());
    if (!rec.live() || rec.meta.type != KeyType::kHash) return;
    SubkeyIterator it(db(), key, rec.meta.version);
    uint64_t n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++n;
    ASSERT_TRUE(it.status().ok());
    EXPECT_EQ(rec.meta.size, n) << "key " << key;
    EXPECT_GT(n, 0u) << "an empty hash must not exist";
  }
};

TEST_F(HashTest, SetGetRoundTrip) {
  EXPECT_EQ(Set("h", {{"a", "1"}, {"b", "2"}}), 2);
  EXPECT_EQ(Get("h", "a"), "1");
  EXPECT_EQ(Get("h", "b"), "2");
  EXPECT_EQ(Get("h", "zz"), std::nullopt);
  EXPECT_EQ(Get("missing", "a"), std::nullopt);
  // Overwrites count as 0 new fields; the last value given for a field wins.
  EXPECT_EQ(Set("h", {{"a", "x"}, {"c", "3"}, {"c", "4"}}), 1);
  EXPECT_EQ(All("h"), (std::map<std::string, std::string>{{"a", "x"}, {"b", "2"}, {"c", "4"}}));
  EXPECT_EQ(*HashLength(db(), "h"), 3);
  EXPECT_EQ(*HashLength(db(), "missing"), 0);
  // Binary-safe fields and values, including empty ones.
  std::string bin("\0\xff", 2);
  EXPECT_EQ(Set("h", {{bin, bin}, {"", ""}}), 2);
  EXPECT_EQ(Get("h", bin), bin);
  EXPECT_EQ(Get("h", ""), "");
  EXPECT_EQ(*HashStrLen(db(), "h", bin), 2);
  EXPECT_EQ(*HashStrLen(db(), "h", "nope"), 0);
  EXPECT_TRUE(*HashExists(db(), "h", ""));
  EXPECT_FALSE(*HashExists(db(), "h", "nope"));
}

TEST_F(HashTest, SetNxOnlyCreates) {
  EXPECT_EQ(Set("h", {{"a", "1"}}, true), 1);
  EXPECT_EQ(Set("h", {{"a", "2"}}, true), 0);
  EXPECT_EQ(Get("h", "a"), "1");
  EXPECT_EQ(Set("h", {{"b", "2"}}, true), 1);
  EXPECT_EQ(*HashLength(db(), "h"), 2);
}

TEST_F(HashTest, MGetAndDelete) {
  Set("h", {{"a", "1"}, {"b", "2"}, {"c", "3"}});
  auto m = HashMGet(db(), "h", {"a", "zz", "c"});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<std::optional<std::string>>{"1", std::nullopt, "3"}));
  auto missing = HashMGet(db(), "missing", {"a", "b"});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->size(), 2u);
  // A field named twice counts once; absent fields count zero.
  EXPECT_EQ(Del("h", {"a", "a", "zz"}), 1);
  EXPECT_EQ(Del("h", {"zz"}), 0);
  EXPECT_EQ(Del("missing", {"a"}), 0);
  EXPECT_EQ(All("h"), (std::map<std::string, std::string>{{"b", "2"}, {"c", "3"}}));
}

TEST_F(HashTest, DeletingTheLastFieldDeletesTheKey) {
  Set("h", {{"a", "1"}, {"b", "2"}});
  Set("other", {{"x", "1"}});
  EXPECT_EQ(engine_->KeyCount(db()), 2);
  EXPECT_EQ(Del("h", {"a"}), 1);
  EXPECT_EQ(engine_->KeyCount(db()), 2);
  EXPECT_EQ(Del("h", {"b", "a"}), 1);
  EXPECT_EQ(engine_->KeyCount(db()), 1);
  EXPECT_EQ(*KeyTypeOf(db(), "h"), KeyType::kNone);
  // Recreating it starts from nothing.
  EXPECT_EQ(Set("h", {{"c", "3"}}), 1);
  EXPECT_EQ(All("h"), (std::map<std::string, std::string>{{"c", "3"}}));
  EXPECT_EQ(engine_->KeyCount(db()), 2);
}

TEST_F(HashTest, WrongTypeBothWays) {
  ASSERT_TRUE(StringSet(db(), "s", "v", {}).ok());
  EXPECT_EQ(HashSet(db(), "s", {{"a", "1"}}, false).status().code(), Code::kWrongType);
  EXPECT_EQ(HashGet(db(), "s", "a").status().code(), Code::kWrongType);
  EXPECT_EQ(HashLength(db(), "s").status().code(), Code::kWrongType);
  EXPECT_EQ(HashDelete(db(), "s", {"a"}).status().code(), Code::kWrongType);
  EXPECT_EQ(HashGetAll(db(), "s").status().code(), Code::kWrongType);
  EXPECT_EQ(HashIncrBy(db(), "s", "a", 1).status().code(), Code::kWrongType);
  EXPECT_EQ(HashRandomFields(db(), "s", 0, false).status().code(), Code::kWrongType);
  EXPECT_EQ(HashScan(db(), "s", std::nullopt, {}).status().code(), Code::kWrongType);
  EXPECT_EQ(HashObjectEncoding(db(), "s", 128, 64).status().code(), Code::kWrongType);
  Set("h", {{"a", "1"}});
  EXPECT_EQ(StringGet(db(), "h").status().code(), Code::kWrongType);
  EXPECT_EQ(StringIncrBy(db(), "h", 1).status().code(), Code::kWrongType);
}

TEST_F(HashTest, OverwriteBySetHidesOldFields) {
  Set("h", {{"a", "1"}, {"b", "2"}});
  ASSERT_TRUE(StringSet(db(), "h", "str", {}).ok());
  EXPECT_EQ(*StringGet(db(), "h"), "str");
  ASSERT_EQ(*KeysDelete(db(), {"h"}), 1);
  // A new hash under the same name sees none of the old fields.
  EXPECT_EQ(Set("h", {{"c", "3"}}), 1);
  EXPECT_EQ(Get("h", "a"), std::nullopt);
  EXPECT_EQ(All("h"), (std::map<std::string, std::string>{{"c", "3"}}));
  EXPECT_EQ(*HashLength(db(), "h"), 1);
}

TEST_F(HashTest, IncrBy) {
  EXPECT_EQ(*HashIncrBy(db(), "h", "n", 5), 5);
  EXPECT_EQ(*HashIncrBy(db(), "h", "n", -7), -2);
  ExpectSizeMatches("h");
  EXPECT_EQ(Get("h", "n"), "-2");
  Set("h", {{"big", "9223372036854775807"}, {"text", "abc"}, {"sp", " 1"}});
  EXPECT_EQ(HashIncrBy(db(), "h", "big", 1).status().code(), Code::kOverflow);
  EXPECT_EQ(*HashIncrBy(db(), "h", "big", 0), INT64_MAX);
  EXPECT_EQ(HashIncrBy(db(), "h", "text", 1).status().code(), Code::kHashNotInteger);
  EXPECT_EQ(HashIncrBy(db(), "h", "sp", 1).status().code(), Code::kHashNotInteger);
  EXPECT_EQ(*HashLength(db(), "h"), 4);
}

TEST_F(HashTest, IncrByFloat) {
  EXPECT_EQ(*HashIncrByFloat(db(), "h", "f", 10.5L), "10.5");
  EXPECT_EQ(*HashIncrByFloat(db(), "h", "f", 0.1L), "10.6");
  EXPECT_EQ(*HashIncrByFloat(db(), "h", "f", -10.6L), "0");
  Set("h", {{"i", "3"}, {"t", "x"}, {"e", "5.0e3"}});
  EXPECT_EQ(*HashIncrByFloat(db(), "h", "i", 1.25L), "4.25");
  EXPECT_EQ(*HashIncrByFloat(db(), "h", "e", 1), "5001");
  EXPECT_EQ(HashIncrByFloat(db(), "h", "t", 1).status().code(), Code::kHashNotFloat);
  Set("h", {{"m", "1e4932"}});
  EXPECT_EQ(HashIncrByFloat(db(), "h", "m", 1e4932L).status().code(), Code::kNanOrInfinity);
  EXPECT_EQ(*HashLength(db(), "h"), 5);
}

TEST_F(HashTest, ExpiryKeepsAndHides) {
  Set("h", {{"a", "1"}});
  ASSERT_TRUE(*KeySetExpire(db(), "h", NowMs() + 100000, ExpireCondition::kAlways));
  // Writes keep the deadline.
  Set("h", {{"b", "2"}});
  ASSERT_TRUE(HashIncrBy(db(), "h", "n", 1).ok());
  Del("h", {"a"});
  EXPECT_GT(*KeyExpireAt(db(), "h"), 0);
  ASSERT_TRUE(*KeySetExpire(db(), "h", NowMs() + 30, ExpireCondition::kAlways));
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(Get("h", "b"), std::nullopt);
  EXPECT_EQ(*HashLength(db(), "h"), 0);
  EXPECT_TRUE(All("h").empty());
  // A write after expiry starts a new, deadline-free hash without the old fields.
  EXPECT_EQ(Set("h", {{"c", "3"}}), 1);
  EXPECT_EQ(All("h"), (std::map<std::string, std::string>{{"c", "3"}}));
  EXPECT_EQ(*KeyExpireAt(db(), "h"), -1);
}

TEST_F(HashTest, SurvivesReopen) {
  Set("h", {{"a", "1"}, {"b", "2"}});
  Set("g", {{"x", "y"}});
  Del("g", {"x"});
  Reopen();
  EXPECT_EQ(All("h"), (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(*HashLength(db(), "h"), 2);
  EXPECT_EQ(*KeyTypeOf(db(), "g"), KeyType::kNone);
  EXPECT_EQ(engine_->KeyCount(db()), 1);
  ExpectSizeMatches("h");
}

TEST_F(HashTest, RandomFields) {
  FieldValueViews fvs;
  std::vector<std::string> names, values;
  for (int i = 0; i < 20; ++i) {
    names.push_back("f" + std::to_string(i));
    values.push_back("v" + std::to_string(i));
  }
  for (int i = 0; i < 20; ++i) fvs.emplace_back(names[i], values[i]);
  Set("h", fvs);
  auto check_pairs = [](const FieldValues& r) {
    for (const auto& [f, v] : r) EXPECT_EQ(v, "v" + f.substr(1));
  };
  // Positive counts: distinct fields, at most HLEN.
  for (int64_t count : {1, 5, 19, 20, 100}) {
    auto r = HashRandomFields(db(), "h", count, true);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), static_cast<size_t>(std::min<int64_t>(count, 20)));
    std::set<std::string> distinct;
    for (const auto& e : *r) distinct.insert(e.first);
    EXPECT_EQ(distinct.size(), r->size());
    check_pairs(*r);
  }
  // Negative counts: exactly -count fields, repeats allowed, values empty without WITHVALUES.
  auto r = HashRandomFields(db(), "h", -200, false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 200u);
  std::set<std::string> seen;
  for (const auto& [f, v] : *r) {
    EXPECT_TRUE(v.empty());
    seen.insert(f);
  }
  EXPECT_LT(seen.size(), 200u);
  EXPECT_GT(seen.size(), 10u);  // 200 draws from 20 fields cover almost surely > 10
  EXPECT_TRUE(HashRandomFields(db(), "h", 0, true)->empty());
  EXPECT_TRUE(HashRandomFields(db(), "missing", -5, true)->empty());
}

TEST_F(HashTest, ScanPagesThroughEveryField) {
  FieldValueViews fvs;
  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i) names.push_back("f" + std::to_string(i));
  for (const auto& n : names) fvs.emplace_back(n, n);
  Set("h", fvs);
  std::set<std::string> got;
  std::optional<std::string> after;
  int pages = 0;
  HashScanOptions o;
  o.count = 7;
  do {
    auto page = HashScan(db(), "h", after, o);
    ASSERT_TRUE(page.ok());
    for (const auto& [f, v] : page->entries) {
      EXPECT_EQ(f, v);
      EXPECT_TRUE(got.insert(f).second) << "returned twice: " << f;
    }
    after = page->resume_after;
    ++pages;
  } while (after.has_value());
  EXPECT_EQ(got.size(), 100u);
  EXPECT_GE(pages, 14);
  o.match = "f1*";
  o.count = 1000;
  auto page = HashScan(db(), "h", std::nullopt, o);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->entries.size(), 11u);  // f1, f10..f19
  EXPECT_FALSE(page->resume_after.has_value());
  EXPECT_TRUE(HashScan(db(), "missing", std::nullopt, o)->entries.empty());
}

TEST_F(HashTest, ObjectEncoding) {
  EXPECT_EQ(HashObjectEncoding(db(), "h", 128, 64).status().code(), Code::kNotFound);
  Set("h", {{"a", std::string(64, 'x')}});
  EXPECT_EQ(*HashObjectEncoding(db(), "h", 128, 64), "listpack");
  Set("h", {{"b", std::string(65, 'x')}});
  EXPECT_EQ(*HashObjectEncoding(db(), "h", 128, 64), "hashtable");
  Del("h", {"b"});
  Set("h", {{std::string(65, 'k'), "v"}});
  EXPECT_EQ(*HashObjectEncoding(db(), "h", 128, 64), "hashtable");
  EXPECT_EQ(*HashObjectEncoding(db(), "h", 2, 100), "listpack");
  EXPECT_EQ(*HashObjectEncoding(db(), "h", 1, 100), "hashtable");
  EXPECT_EQ(*HashObjectEncoding(db(), "h", 0, 100), "hashtable");
}

// Writes that leave a collection's metadata record as it was (updates of present elements) do not
// write it again: the meta column family's memtable gains no entry. Everything reads back the
// same, also after a reopen.
TEST_F(HashTest, UpdatesOfPresentElementsDoNotRewriteTheMetadata) {
  auto meta_entries = [&] {
    uint64_t n = 0;
    EXPECT_TRUE(engine_->storage().db()->GetIntProperty(
        engine_->storage().meta(), "rocksdb.num-entries-active-mem-table", &n));
    return n;
  };
  EXPECT_EQ(Set("h", {{"a", "1"}, {"b", "2"}}), 2);
  ZAddOptions incr;
  incr.incr = true;
  ASSERT_TRUE(ZSetAdd(db(), "z", {}, {{1, "m"}, {2, "n"}}).ok());
  ASSERT_TRUE(ListPush(db(), "l", ListEnd::kRight, {"x", "y", "z"}, false).ok());
  const uint64_t before = meta_entries();

  EXPECT_EQ(*HashIncrBy(db(), "h", "a", 5), 6);
  EXPECT_EQ(Set("h", {{"b", "3"}}), 0);
  EXPECT_EQ(*ZSetAdd(db(), "z", incr, {{10, "m"}})->score, 11);
  EXPECT_EQ(**ListMove(db(), "l", "l", ListEnd::kLeft, ListEnd::kLeft), "x");
  EXPECT_TRUE(ListSet(db(), "l", 1, "Y").ok());
  EXPECT_EQ(meta_entries(), before);

  EXPECT_EQ(Set("h", {{"c", "4"}}), 1);  // a new field changes the size
  EXPECT_EQ(meta_entries(), before + 1);

  // A string set to the value it holds has nothing else in its batch: still written, and still
  // counted as a change (WATCH, keyspace events and INFO see every write).
  ASSERT_TRUE(StringSet(db(), "s", "v", {}).ok());
  const int64_t changes = engine_->changes();
  const uint64_t with_string = meta_entries();
  ASSERT_TRUE(StringSet(db(), "s", "v", {}).ok());
  EXPECT_EQ(meta_entries(), with_string + 1);
  EXPECT_EQ(engine_->changes(), changes + 1);
  // An unchanged hash update is still a change too.
  EXPECT_EQ(*HashIncrBy(db(), "h", "a", 0), 6);
  EXPECT_EQ(engine_->changes(), changes + 2);

  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(All("h"), (std::map<std::string, std::string>{{"a", "6"}, {"b", "3"}, {"c", "4"}}));
    ExpectSizeMatches("h");
    auto card = ZSetCard(db(), "z");
    ASSERT_TRUE(card.ok());
    EXPECT_EQ(*card, 2);
    auto z = ZSetScores(db(), "z", {"m", "n"});
    ASSERT_TRUE(z.ok());
    EXPECT_EQ(*z, (std::vector<std::optional<double>>{11, 2}));
    auto l = ListRange(db(), "l", 0, -1);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(*l, (std::vector<std::string>{"x", "Y", "z"}));
    Reopen();
  }
}

}  // namespace
}  // namespace basalt::engine
