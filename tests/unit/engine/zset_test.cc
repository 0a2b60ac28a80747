// Sorted-set type: ZADD flag semantics, the size invariant (metadata size == live members in
// the data CF == live entries in the zscore CF) after every mutation, (score, member) order,
// ranges by rank/score/lex in both directions, ranks, pops, deletion of emptied sets and
// persistence.
#include "engine/zset.h"

#include <gtest/gtest.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <limits>
#include <map>
#include <random>
#include <set>

#include "engine/collection.h"
#include "engine/end_hints.h"
#include "engine/keys.h"
#include "engine/string.h"
#include "engine_fixture.h"

namespace basalt::engine {
namespace {

using Elements = std::vector<ScoredMember>;
constexpr double kInf = std::numeric_limits<double>::infinity();

class ZSetTest : public EngineTest {
 protected:
  // Checks the invariant in both column families; returns the member count.
  uint64_t CheckedSize(std::string_view key) {
    KeyRecord rec;
    EXPECT_TRUE(engine_->Lookup(db(), key, &rec).ok());
    if (!rec.live()) return 0;
    EXPECT_EQ(rec.meta.type, codec::KeyType::kZSet);
    uint64_t data = 0, index = 0;
    SubkeyIterator d(db(), key, rec.meta.version);
    for (d.SeekToFirst(); d.Valid(); d.Next()) ++data;
    SubkeyIterator z(db(), key, rec.meta.version, engine_->storage().zscore());
    for (z.SeekToFirst(); z.Valid(); z.Next()) ++index;
    EXPECT_EQ(rec.meta.size, data) << "data CF disagrees for " << key;
    EXPECT_EQ(rec.meta.size, index) << "zscore CF disagrees for " << key;
    return data;
  }
  int64_t Add(std::string_view key, std::vector<ZAddPair> pairs, ZAddOptions o = {}) {
    auto r = ZSetAdd(db(), key, o, pairs);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    CheckedSize(key);
    return r.ok() ? r->changed : -1;
  }
  std::optional<double> Incr(std::string_view key, double by, std::string_view m,
                             ZAddOptions o = {}) {
    o.incr = true;
    auto r = ZSetAdd(db(), key, o, {{by, m}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    CheckedSize(key);
    return r.ok() ? r->score : std::nullopt;
  }
  Elements Range(std::string_view key, const ZRangeSpec& spec) {
    auto r = ZSetRange(db(), key, spec);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Elements{};
  }
  Elements All(std::string_view key) { return Range(key, ZRangeSpec{}); }
  std::optional<double> Score(std::string_view key, std::string_view m) {
    auto r = ZSetScores(db(), key, {m});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->front() : std::nullopt;
  }
  std::optional<int64_t> Rank(std::string_view key, std::string_view m, bool reverse = false) {
    auto r = ZSetRank(db(), key, m, reverse);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  bool Exists(std::string_view key) {
    KeyRecord rec;
    EXPECT_TRUE(engine_->Lookup(db(), key, &rec).ok());
    return rec.live();
  }
};

ZRangeSpec ByScore(double min, double max, bool reverse = false) {
  ZRangeSpec s;
  s.kind = ZRangeSpec::Kind::kScore;
  s.min.value = min;
  s.max.value = max;
  s.reverse = reverse;
  return s;
}

TEST_F(ZSetTest, AddOrdersByScoreThenMember) {
  EXPECT_EQ(Add("z", {{2, "b"}, {1, "c"}, {1, "a"}, {-kInf, "lo"}, {kInf, "hi"}}), 5);
  EXPECT_EQ(All("z"), (Elements{{"lo", -kInf}, {"a", 1}, {"c", 1}, {"b", 2}, {"hi", kInf}}));
  EXPECT_EQ(Add("z", {{3, "a"}, {4, "d"}}), 1);
  EXPECT_EQ(Score("z", "a"), 3);
  EXPECT_EQ(Score("z", "zz"), std::nullopt);
  EXPECT_EQ(*ZSetCard(db(), "z"), 6);
}

TEST_F(ZSetTest, NegativeZeroAndZeroAreOneScore) {
  EXPECT_EQ(Add("z", {{-0.0, "a"}, {0.0, "b"}}), 2);
  EXPECT_EQ(Add("z", {{0.0, "a"}}, ZAddOptions{.ch = true}), 0);
  EXPECT_EQ(All("z"), (Elements{{"a", 0}, {"b", 0}}));
}

TEST_F(ZSetTest, DuplicateMembersInOneCallLastWins) {
  EXPECT_EQ(Add("z", {{1, "a"}, {2, "a"}, {3, "a"}}), 1);
  EXPECT_EQ(All("z"), (Elements{{"a", 3}}));
}

TEST_F(ZSetTest, Flags) {
  Add("z", {{5, "a"}});
  EXPECT_EQ(Add("z", {{1, "a"}, {1, "b"}}, ZAddOptions{.nx = true}), 1);
  EXPECT_EQ(Score("z", "a"), 5);
  EXPECT_EQ(Add("z", {{7, "a"}, {1, "c"}}, ZAddOptions{.xx = true, .ch = true}), 1);
  EXPECT_EQ(Score("z", "a"), 7);
  EXPECT_EQ(Score("z", "c"), std::nullopt);
  EXPECT_EQ(Add("z", {{6, "a"}}, ZAddOptions{.gt = true, .ch = true}), 0);
  EXPECT_EQ(Add("z", {{8, "a"}}, ZAddOptions{.gt = true, .ch = true}), 1);
  EXPECT_EQ(Add("z", {{9, "a"}}, ZAddOptions{.lt = true, .ch = true}), 0);
  EXPECT_EQ(Add("z", {{2, "a"}, {0, "d"}}, ZAddOptions{.lt = true, .ch = true}), 2);
  EXPECT_EQ(Score("z", "a"), 2);
  EXPECT_EQ(Add("missing", {{1, "a"}}, ZAddOptions{.xx = true}), 0);
  EXPECT_FALSE(Exists("missing"));
}

TEST_F(ZSetTest, Incr) {
  EXPECT_EQ(Incr("z", 2.5, "a"), 2.5);
  EXPECT_EQ(Incr("z", 1, "a"), 3.5);
  EXPECT_EQ(Incr("z", 1, "a", ZAddOptions{.nx = true}), std::nullopt);
  EXPECT_EQ(Incr("z", -1, "a", ZAddOptions{.gt = true}), std::nullopt);
  EXPECT_EQ(Incr("z", 1, "b", ZAddOptions{.xx = true}), std::nullopt);
  EXPECT_EQ(Incr("z", kInf, "a"), kInf);
  auto r = ZSetAdd(db(), "z", ZAddOptions{.incr = true}, {{-kInf, "a"}});
  EXPECT_EQ(r.status().code(), Code::kScoreNaN);
  EXPECT_EQ(Score("z", "a"), kInf);
  CheckedSize("z");
}

TEST_F(ZSetTest, RemoveAndDeleteWhenEmpty) {
  Add("z", {{1, "a"}, {2, "b"}, {3, "c"}});
  auto r = ZSetRemove(db(), "z", {"a", "zz", "a"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(CheckedSize("z"), 2u);
  r = ZSetRemove(db(), "z", {"b", "c"});
  EXPECT_EQ(*r, 2);
  EXPECT_FALSE(Exists("z"));
  EXPECT_EQ(*ZSetRemove(db(), "z", {"b"}), 0);
}

TEST_F(ZSetTest, WrongType) {
  ASSERT_TRUE(StringSet(db(), "str", "v", {}).ok());
  EXPECT_EQ(ZSetAdd(db(), "str", {}, {{1, "a"}}).status().code(), Code::kWrongType);
  EXPECT_EQ(ZSetCard(db(), "str").status().code(), Code::kWrongType);
  EXPECT_EQ(ZSetRange(db(), "str", {}).status().code(), Code::kWrongType);
  EXPECT_EQ(ZSetRank(db(), "str", "a", false).status().code(), Code::kWrongType);
}

TEST_F(ZSetTest, RankRanges) {
  for (int i = 0; i < 10; ++i) Add("z", {{static_cast<double>(i), std::string(1, 'a' + i)}});
  ZRangeSpec s;
  s.start = 2;
  s.stop = 4;
  EXPECT_EQ(Range("z", s), (Elements{{"c", 2}, {"d", 3}, {"e", 4}}));
  s.start = -3;
  s.stop = -1;  // near the end: walked from the last element
  EXPECT_EQ(Range("z", s), (Elements{{"h", 7}, {"i", 8}, {"j", 9}}));
  s.reverse = true;
  EXPECT_EQ(Range("z", s), (Elements{{"c", 2}, {"b", 1}, {"a", 0}}));
  s.start = 0;
  s.stop = 1;
  EXPECT_EQ(Range("z", s), (Elements{{"j", 9}, {"i", 8}}));
  s.start = 5;
  s.stop = 2;
  EXPECT_TRUE(Range("z", s).empty());
  s.start = -100;
  s.stop = 100;
  EXPECT_EQ(Range("z", s).size(), 10u);
}

TEST_F(ZSetTest, Ranks) {
  for (int i = 0; i < 9; ++i) Add("z", {{static_cast<double>(i % 3), std::to_string(i)}});
  Elements all = All("z");
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(Rank("z", all[i].member), static_cast<int64_t>(i));
    EXPECT_EQ(Rank("z", all[i].member, true), static_cast<int64_t>(all.size() - 1 - i));
  }
  EXPECT_EQ(Rank("z", "nope"), std::nullopt);
  EXPECT_EQ(Rank("missing", "a"), std::nullopt);
}

TEST_F(ZSetTest, ScoreRanges) {
  Add("z", {{1, "a"}, {2, "b"}, {2, "c"}, {3, "d"}, {kInf, "e"}});
  EXPECT_EQ(Range("z", ByScore(2, 3)), (Elements{{"b", 2}, {"c", 2}, {"d", 3}}));
  ZRangeSpec s = ByScore(2, 3);
  s.min.exclusive = true;
  EXPECT_EQ(Range("z", s), (Elements{{"d", 3}}));
  EXPECT_EQ(Range("z", ByScore(-kInf, kInf, true)).front().member, "e");
  s = ByScore(1, 2.5, true);
  EXPECT_EQ(Range("z", s), (Elements{{"c", 2}, {"b", 2}, {"a", 1}}));
  s.max.exclusive = true;
  s.max.value = 2;
  EXPECT_EQ(Range("z", s), (Elements{{"a", 1}}));
  s = ByScore(-kInf, kInf);
  s.offset = 1;
  s.limit = 2;
  EXPECT_EQ(Range("z", s), (Elements{{"b", 2}, {"c", 2}}));
  s.offset = -1;
  EXPECT_TRUE(Range("z", s).empty());
  EXPECT_EQ(*ZSetCount(db(), "z", ByScore(2, kInf)), 4);
}

TEST_F(ZSetTest, LexRanges) {
  Add("z", {{0, "a"}, {0, "b"}, {0, "c"}, {0, "d"}});
  ZRangeSpec s;
  s.kind = ZRangeSpec::Kind::kLex;
  s.lex_min = {LexBound::Kind::kValue, "b", false};
  s.lex_max = {LexBound::Kind::kPosInf, "", false};
  EXPECT_EQ(Range("z", s), (Elements{{"b", 0}, {"c", 0}, {"d", 0}}));
  s.lex_min.exclusive = true;
  s.reverse = true;
  EXPECT_EQ(Range("z", s), (Elements{{"d", 0}, {"c", 0}}));
  EXPECT_EQ(*ZSetRemoveRange(db(), "z", s), 2);
  EXPECT_EQ(CheckedSize("z"), 2u);
}

TEST_F(ZSetTest, RemoveRangeAndStore) {
  Add("z", {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}});
  ZRangeSpec s;
  s.start = 1;
  s.stop = 2;
  ASSERT_TRUE(StringSet(db(), "dst", "x", {}).ok());
  EXPECT_EQ(*ZSetRangeStore(db(), "dst", "z", s), 2);
  EXPECT_EQ(All("dst"), (Elements{{"b", 2}, {"c", 3}}));
  CheckedSize("dst");
  EXPECT_EQ(*ZSetRangeStore(db(), "dst", "missing", s), 0);
  EXPECT_FALSE(Exists("dst"));
  EXPECT_EQ(*ZSetRemoveRange(db(), "z", s), 2);
  EXPECT_EQ(CheckedSize("z"), 2u);
  EXPECT_EQ(*ZSetRemoveRange(db(), "z", ByScore(-kInf, kInf)), 2);
  EXPECT_FALSE(Exists("z"));
}

TEST_F(ZSetTest, Pop) {
  Add("z", {{1, "a"}, {2, "b"}, {3, "c"}});
  EXPECT_EQ(*ZSetPop(db(), "z", 1, false), (Elements{{"a", 1}}));
  EXPECT_EQ(CheckedSize("z"), 2u);
  EXPECT_EQ(*ZSetPop(db(), "z", 5, true), (Elements{{"c", 3}, {"b", 2}}));
  EXPECT_FALSE(Exists("z"));
  EXPECT_TRUE(ZSetPop(db(), "z", 1, true)->empty());
}

TEST_F(ZSetTest, RandomAndScan) {
  for (int i = 0; i < 20; ++i) Add("z", {{static_cast<double>(i), "m" + std::to_string(i)}});
  auto r = ZSetRandomMembers(db(), "z", 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 5u);
  for (const auto& e : *r) EXPECT_EQ(Score("z", e.member), e.score);
  EXPECT_EQ(ZSetRandomMembers(db(), "z", -50)->size(), 50u);
  EXPECT_EQ(ZSetRandomMembers(db(), "z", 100)->size(), 20u);
  std::map<std::string, double> seen;
  std::optional<std::string> after;
  do {
    auto page = ZSetScan(db(), "z", after, "", 3);
    ASSERT_TRUE(page.ok());
    for (const auto& e : page->elements) seen[e.member] = e.score;
    after = page->resume_after;
  } while (after.has_value());
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_EQ(seen["m7"], 7);
}

TEST_F(ZSetTest, RandomOperationsAgainstModel) {
  std::mt19937 rng(7);
  std::map<std::string, double> model;
  for (int step = 0; step < 300; ++step) {
    std::string m = "m" + std::to_string(rng() % 30);
    double score = static_cast<double>(static_cast<int>(rng() % 11) - 5);
    if (rng() % 3 == 0) {
      EXPECT_EQ(*ZSetRemove(db(), "z", {m}), model.erase(m) ? 1 : 0);
    } else {
      Add("z", {{score, m}});
      model[m] = score;
    }
    ASSERT_EQ(CheckedSize("z"), model.size());
  }
  Elements expected;
  for (const auto& [m, s] : model) expected.push_back({m, s});
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return a.score != b.score ? a.score < b.score : a.member < b.member;
  });
  EXPECT_EQ(All("z"), expected);
}

TEST_F(ZSetTest, AlgebraAndStore) {
  Add("a", {{1, "x"}, {2, "y"}});
  Add("b", {{10, "y"}, {20, "z"}});
  auto u = ZSetCombine(db(), ZSetOp::kUnion, {"a", "b", "missing"}, {}, ZAggregate::kSum);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, (Elements{{"x", 1}, {"y", 12}, {"z", 20}}));
  auto i = ZSetCombine(db(), ZSetOp::kInter, {"a", "b"}, {2, 1}, ZAggregate::kMin);
  EXPECT_EQ(*i, (Elements{{"y", 4}}));
  auto d = ZSetCombine(db(), ZSetOp::kDiff, {"a", "b"}, {}, ZAggregate::kSum);
  EXPECT_EQ(*d, (Elements{{"x", 1}}));
  EXPECT_EQ(*ZSetInterCard(db(), {"a", "b"}, 0), 1);
  EXPECT_EQ(*ZSetCombineStore(db(), ZSetOp::kUnion, "a", {"a", "b"}, {}, ZAggregate::kMax), 3);
  EXPECT_EQ(CheckedSize("a"), 3u);
  EXPECT_EQ(*ZSetCombineStore(db(), ZSetOp::kInter, "a", {"a", "missing"}, {}, ZAggregate::kSum),
            0);
  EXPECT_FALSE(Exists("a"));
  ASSERT_TRUE(StringSet(db(), "str", "v", {}).ok());
  EXPECT_EQ(ZSetCheckSources(db(), {"b", "str"}).code(), Code::kWrongType);
}

// Tombstones of popped entries skipped by the last operation of `fn` (RocksDB perf context).
template <typename Fn>
uint64_t TombstonesSkipped(Fn fn) {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();
  fn();
  const uint64_t n = rocksdb::get_perf_context()->internal_delete_skipped_count;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  return n;
}

using Model = std::set<std::pair<double, std::string>>;

std::string Show(const Elements& v) {
  std::string out;
  for (const ScoredMember& e : v) {
    out += "(" + std::to_string(e.score) + " '";
    for (char ch : e.member) out += ch == '\0' ? std::string("\\0") : std::string(1, ch);
    out += "') ";
  }
  return out;
}

// Pops `count` from one end of both the sorted set and the model and compares.
void ExpectPop(const Db& db, Model* model, uint64_t count, bool max) {
  Elements want;
  for (uint64_t i = 0; i < count && !model->empty(); ++i) {
    auto it = max ? std::prev(model->end()) : model->begin();
    want.push_back({it->second, it->first});
    model->erase(it);
  }
  auto got = ZSetPop(db, "z", count, max);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(Show(*got), Show(want));
  ASSERT_EQ(*got, want);
}

// Regression: ZPOPMIN/ZPOPMAX positioned with SeekToFirst/SeekToLast walked the tombstones of
// every earlier pop, so draining a big sorted set was quadratic (~40 pops/s after 50k pops).
TEST_F(ZSetTest, PopsDrainingABigSetSkipNoTombstonesAndKeepOrder) {
  std::mt19937_64 rng(7);
  Model model;
  for (int b = 0; b < 100; ++b) {
    std::vector<std::string> members;
    std::vector<ZAddPair> pairs;
    for (int i = 0; i < 1000; ++i) members.push_back("m" + std::to_string(rng() % 1000000));
    for (const std::string& m : members) {
      double score = static_cast<double>(rng() % 5000);  // many ties: member order decides
      if (rng() % 1000 == 0) score = (rng() % 2) ? kInf : -kInf;
      pairs.push_back({score, m});
    }
    auto r = ZSetAdd(db(), "z", {}, pairs);
    ASSERT_TRUE(r.ok());
  }
  for (const ScoredMember& e : All("z")) model.insert({e.score, e.member});
  ASSERT_GT(model.size(), 90000u);
  for (int i = 0; i < 50000; ++i) ExpectPop(db(), &model, 1, false);
  for (int i = 0; i < 10000; ++i) ExpectPop(db(), &model, 1 + i % 3, true);
  EXPECT_LT(TombstonesSkipped([&] { ExpectPop(db(), &model, 1, false); }), 4u);
  EXPECT_LT(TombstonesSkipped([&] { ExpectPop(db(), &model, 1, true); }), 4u);
  EXPECT_EQ(CheckedSize("z"), model.size());
  // After a restart the hints are gone: the first pop walks the tombstones once, then no more.
  Reopen();
  // (That first pop skips ~52,000 tombstones: what every pop cost before the hints.)
  ExpectPop(db(), &model, 1, false);
  ExpectPop(db(), &model, 1, true);
  EXPECT_LT(TombstonesSkipped([&] { ExpectPop(db(), &model, 1, false); }), 4u);
  EXPECT_LT(TombstonesSkipped([&] { ExpectPop(db(), &model, 1, true); }), 4u);
  Elements rest;
  for (const auto& [score, m] : model) rest.push_back({m, score});
  EXPECT_EQ(All("z"), rest);
}

// Writes between pops that land beyond a popped end must be seen by the next pop.
TEST_F(ZSetTest, PopSeesMembersAddedBeyondThePoppedEnds) {
  Model model;
  for (int i = 0; i < 200; ++i) {
    Add("z", {{static_cast<double>(i % 20), "m" + std::to_string(i)}});
    model.insert({static_cast<double>(i % 20), "m" + std::to_string(i)});
  }
  ExpectPop(db(), &model, 30, false);
  ExpectPop(db(), &model, 30, true);
  // Below the floor, at the floor's score with smaller members, and the empty member.
  for (auto [score, m] : std::vector<std::pair<double, std::string>>{
           {0, "a"}, {1, ""}, {-kInf, "x"}, {1, std::string("\0", 1)}, {19, "zz"}, {kInf, "top"}}) {
    Add("z", {{score, m}});
    model.insert({score, m});
  }
  ExpectPop(db(), &model, 3, false);
  ExpectPop(db(), &model, 2, true);
  // ZINCRBY moves members across both ends; ZREM removes the next one to pop.
  for (double by : {-1000.0, 1000.0}) {
    auto moved = by < 0 ? *model.rbegin() : *model.begin();
    ASSERT_TRUE(ZSetAdd(db(), "z", {.incr = true}, {{by, moved.second}}).ok());
    model.erase(moved);
    model.insert({moved.first + by, moved.second});
  }
  auto lowest = *model.begin();
  ASSERT_EQ(*ZSetRemove(db(), "z", {lowest.second}), 1);
  model.erase(lowest);
  ExpectPop(db(), &model, 2, false);
  ExpectPop(db(), &model, 2, true);
  // Store forms rewrite the key under a new version; the old hints never apply.
  ASSERT_EQ(*ZSetRangeStore(db(), "z", "z", ByScore(-kInf, kInf)),
            static_cast<int64_t>(model.size()));
  Add("z", {{-1000, "low"}, {1000, "high"}});
  model.insert({-1000, "low"});
  model.insert({1000, "high"});
  while (!model.empty()) {
    ExpectPop(db(), &model, 7, false);
    ExpectPop(db(), &model, 5, true);
  }
  EXPECT_FALSE(Exists("z"));
}

TEST_F(ZSetTest, PopAfterDeleteAndRecreateStartsAfresh) {
  Add("z", {{1, "a"}, {2, "b"}, {3, "c"}});
  EXPECT_EQ(*ZSetPop(db(), "z", 1, false), (Elements{{"a", 1}}));
  EXPECT_EQ(*ZSetPop(db(), "z", 1, true), (Elements{{"c", 3}}));
  ASSERT_TRUE(StringSet(db(), "z", "v", {}).ok());  // overwrite with another type
  Add("y", {{5, "x"}});
  ASSERT_TRUE(KeysDelete(db(), {"z"}).ok());
  Add("z", {{0, "a"}, {9, "d"}});
  EXPECT_EQ(*ZSetPop(db(), "z", 1, false), (Elements{{"a", 0}}));
  EXPECT_EQ(*ZSetPop(db(), "z", 1, true), (Elements{{"d", 9}}));
}

// A hint is never trusted blindly: one that excludes too many live entries is dropped.
TEST_F(ZSetTest, PopIgnoresAHintThatExcludesLiveEntries) {
  Add("z", {{1, "a"}, {2, "b"}, {3, "c"}});
  KeyRecord rec;
  ASSERT_TRUE(engine_->Lookup(db(), "z", &rec).ok());
  auto& hints = engine_->zset_hints();
  hints.Narrow(db().physical, "z", rec.meta.version, EndHints::End::kMin, std::string(20, '\xff'));
  hints.Narrow(db().physical, "z", rec.meta.version, EndHints::End::kMax, "");
  EXPECT_EQ(*ZSetPop(db(), "z", 2, false), (Elements{{"a", 1}, {"b", 2}}));
  ASSERT_TRUE(engine_->Lookup(db(), "z", &rec).ok());
  hints.Narrow(db().physical, "z", rec.meta.version, EndHints::End::kMax, "");
  EXPECT_EQ(*ZSetPop(db(), "z", 1, true), (Elements{{"c", 3}}));
  EXPECT_FALSE(Exists("z"));
}

TEST_F(ZSetTest, SurvivesReopen) {
  Add("z", {{1.5, "a"}, {-2, "b"}});
  Reopen();
  EXPECT_EQ(All("z"), (Elements{{"b", -2}, {"a", 1.5}}));
  EXPECT_EQ(CheckedSize("z"), 2u);
}

}  // namespace
}  // namespace basalt::engine
