// Set type: round trips, the size invariant (metadata size == live subkeys) after every
// mutation, deletion of emptied sets, STORE overwrite semantics and persistence.
#include "engine/set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "engine/collection.h"
#include "engine/string.h"
#include "engine_fixture.h"

namespace basalt::engine {
namespace {

using Members = std::vector<std::string>;
using Views = std::vector<std::string_view>;

class SetTest : public EngineTest {
 protected:
  // Checks the invariant and returns the number of live subkeys (0 for a missing key).
  uint64_t CheckedSize(std::string_view key) {
    KeyRecord rec;
    EXPECT_TRUE(engine_->Lookup(db(), key, &rec).ok());
    if (!rec.live()) return 0;
    EXPECT_EQ(rec.meta.type, codec::KeyType::kSet);
    uint64_t n = 0;
    SubkeyIterator it(db(), key, rec.meta.version);
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++n;
    EXPECT_TRUE(it.status().ok());
    EXPECT_EQ(rec.meta.size, n) << "metadata size disagrees with subkeys of " << key;
    return n;
  }
  Members MembersOf(std::string_view key) {
    auto r = SetMembers(db(), key);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Members{};
  }
  int64_t Add(std::string_view key, Views members) {
    auto r = SetAdd(db(), key, members);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    CheckedSize(key);
    return r.ok() ? *r : -1;
  }
  bool Exists(std::string_view key) {
    KeyRecord rec;
    EXPECT_TRUE(engine_->Lookup(db(), key, &rec).ok());
    return rec.live();
  }
  // Draws `rounds` times SRANDMEMBER key -`count` from a set of members "m:<number>" and checks
  // that each block of `block` consecutive numbers comes up within half of its fair share.
  void ExpectEvenDraws(std::string_view key, int rounds, int64_t count, int block, int blocks) {
    std::vector<int> seen(blocks, 0);
    for (int round = 0; round < rounds; ++round) {
      auto drawn = SetRandomMembers(db(), key, -count);
      ASSERT_TRUE(drawn.ok());
      ASSERT_EQ(drawn->size(), static_cast<size_t>(count));
      for (const auto& m : *drawn) ++seen[std::stoi(m.substr(2)) / block];
    }
    const int fair = static_cast<int>(rounds * count / blocks);
    for (int n : seen) {
      EXPECT_GT(n, fair / 2);
      EXPECT_LT(n, fair * 3 / 2);
    }
  }
};

// Members "m:000000" ... with `digits` digits, numbered [0, n).
std::vector<std::string> NumberedMembers(int n, int digits) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "m:%0*d", digits, i);
    out.emplace_back(buf);
  }
  return out;
}

TEST_F(SetTest, AddRemoveRoundTrip) {
  EXPECT_EQ(Add("s", {"b", "a", "c", "a"}), 3);
  EXPECT_EQ(Add("s", {"a", "d"}), 1);
  EXPECT_EQ(MembersOf("s"), (Members{"a", "b", "c", "d"}));
  EXPECT_EQ(*SetCard(db(), "s"), 4);
  auto rm = SetRemove(db(), "s", {"a", "zz", "a"});
  ASSERT_TRUE(rm.ok());
  EXPECT_EQ(*rm, 1);
  EXPECT_EQ(CheckedSize("s"), 3u);
  auto in = SetIsMember(db(), "s", {"a", "b", "x"});
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(*in, (std::vector<bool>{false, true, false}));
}

TEST_F(SetTest, RemovingLastMemberDeletesKey) {
  Add("s", {"x", "y"});
  ASSERT_TRUE(SetRemove(db(), "s", {"x", "y"}).ok());
  EXPECT_FALSE(Exists("s"));
  EXPECT_EQ(engine_->KeyCount(db()), 0);
  EXPECT_EQ(*SetCard(db(), "s"), 0);
  // A new set under the same name starts empty.
  EXPECT_EQ(Add("s", {"z"}), 1);
  EXPECT_EQ(MembersOf("s"), (Members{"z"}));
}

TEST_F(SetTest, WrongType) {
  ASSERT_TRUE(StringSet(db(), "str", "v", {}).ok());
  EXPECT_EQ(SetAdd(db(), "str", {"a"}).status().code(), Code::kWrongType);
  EXPECT_EQ(SetCard(db(), "str").status().code(), Code::kWrongType);
  EXPECT_EQ(SetInter(db(), {"missing", "str"}).status().code(), Code::kWrongType);
  EXPECT_EQ(SetMove(db(), "str", "d", "a").status().code(), Code::kWrongType);
  Add("s", {"a"});
  EXPECT_EQ(SetMove(db(), "s", "str", "a").status().code(), Code::kWrongType);
  auto moved = SetMove(db(), "missing", "str", "a");  // missing source answers first
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(*moved);
}

TEST_F(SetTest, LargeSetsAreSampledEvenlyAndPopsStayDistinct) {
  // 20,000 members `m:000000` .. `m:019999`, more than the exact walk's limit.
  const std::vector<std::string> members = NumberedMembers(20000, 6);
  for (size_t i = 0; i < members.size(); i += 1000) {
    Add("s", Views(members.begin() + i, members.begin() + i + 1000));
  }
  // With repeats: every thousand-block of members comes up about equally often (20,000 draws).
  ExpectEvenDraws("s", 40, 500, 1000, 20);
  // Pops one at a time: distinct members of the set, and the set shrinks by one each time.
  std::set<std::string> popped;
  for (int i = 0; i < 1200; ++i) {
    auto p = SetPop(db(), "s", 1);
    ASSERT_TRUE(p.ok());
    ASSERT_EQ(p->size(), 1u);
    EXPECT_TRUE(popped.insert((*p)[0]).second);
  }
  EXPECT_EQ(CheckedSize("s"), 20000u - 1200u);
  for (const auto& m : popped) EXPECT_FALSE((*SetIsMember(db(), "s", {m}))[0]);
}

TEST_F(SetTest, MidSizedSetsAreSampledEvenlyToo) {
  // 500 members: above the exact walk's limit (128, Redis 7.2's set-max-listpack-entries),
  // below the 1,024 it used to be. Draws of 20 (<= size / 16) are sampled by seeking.
  const std::vector<std::string> members = NumberedMembers(500, 3);
  Add("s", Views(members.begin(), members.end()));
  ExpectEvenDraws("s", 1000, 20, 50, 10);  // 20,000 draws, 2,000 per block expected
}

TEST_F(SetTest, SpopRemembersTheEndsItSamplesBetweenAndAddsWidenThem) {
  std::vector<std::string> members;
  for (int i = 1000; i < 3000; ++i) members.push_back("m:" + std::to_string(i));
  Add("s", Views(members.begin(), members.end()));
  KeyRecord rec;
  ASSERT_TRUE(engine_->Lookup(db(), "s", &rec).ok());
  EndHints& hints = engine_->set_hints();
  const auto end = [&](EndHints::End e) {
    return hints.Get(db().physical, "s", rec.meta.version, e);
  };
  // A read holds no key lock: it samples without remembering.
  ASSERT_TRUE(SetRandomMembers(db(), "s", -10).ok());
  EXPECT_EQ(end(EndHints::End::kMin), std::nullopt);
  ASSERT_TRUE(SetPop(db(), "s", 1).ok());
  EXPECT_EQ(end(EndHints::End::kMin), std::optional<std::string>("m:1000"));
  EXPECT_EQ(end(EndHints::End::kMax), std::optional<std::string>("m:2999"));
  // Members beyond the remembered ends widen them before they are written.
  Add("s", {"a:0", "z:0"});
  Add("other", {"zz"});
  ASSERT_TRUE(*SetMove(db(), "other", "s", "zz"));
  EXPECT_EQ(end(EndHints::End::kMin), std::optional<std::string>("a:0"));
  EXPECT_EQ(end(EndHints::End::kMax), std::optional<std::string>("zz"));
  // Draining pops every member exactly once, the added ones included.
  std::set<std::string> popped;
  for (;;) {
    auto p = SetPop(db(), "s", 1);
    ASSERT_TRUE(p.ok());
    if (p->empty()) break;
    ASSERT_TRUE(popped.insert((*p)[0]).second) << (*p)[0];
  }
  EXPECT_EQ(popped.size(), 2000u - 1 + 3);
  EXPECT_TRUE(popped.count("a:0") && popped.count("z:0") && popped.count("zz"));
  EXPECT_FALSE(Exists("s"));
}

TEST_F(SetTest, PopKeepsInvariantAndDeletesWhenEmpty) {
  Add("s", {"1", "2", "3", "4", "5"});
  auto p = SetPop(db(), "s", 2);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->size(), 2u);
  EXPECT_EQ(CheckedSize("s"), 3u);
  for (const auto& m : *p) EXPECT_FALSE((*SetIsMember(db(), "s", {m}))[0]);
  auto rest = SetPop(db(), "s", 10);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 3u);
  std::set<std::string> all(p->begin(), p->end());
  all.insert(rest->begin(), rest->end());
  EXPECT_EQ(all.size(), 5u);
  EXPECT_FALSE(Exists("s"));
}

TEST_F(SetTest, RandomMembers) {
  Add("s", {"a", "b", "c", "d", "e"});
  auto r = SetRandomMembers(db(), "s", 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::set<std::string>(r->begin(), r->end()).size(), 3u);
  r = SetRandomMembers(db(), "s", 50);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 5u);
  r = SetRandomMembers(db(), "s", -50);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 50u);
  for (const auto& m : *r) EXPECT_TRUE((*SetIsMember(db(), "s", {m}))[0]);
  EXPECT_EQ(CheckedSize("s"), 5u);
}

TEST_F(SetTest, MoveKeepsBothInvariants) {
  Add("a", {"x", "y"});
  Add("b", {"y"});
  EXPECT_TRUE(*SetMove(db(), "a", "b", "y"));
  EXPECT_EQ(CheckedSize("a"), 1u);
  EXPECT_EQ(CheckedSize("b"), 1u);
  EXPECT_TRUE(*SetMove(db(), "a", "c", "x"));
  EXPECT_FALSE(Exists("a"));
  EXPECT_EQ(MembersOf("c"), (Members{"x"}));
  EXPECT_FALSE(*SetMove(db(), "c", "b", "nope"));
  EXPECT_TRUE(*SetMove(db(), "c", "c", "x"));
  EXPECT_EQ(CheckedSize("c"), 1u);
}

TEST_F(SetTest, Algebra) {
  Add("a", {"1", "2", "3", "4"});
  Add("b", {"2", "3", "5"});
  Add("c", {"3", "2", "9"});
  EXPECT_EQ(*SetInter(db(), {"a", "b", "c"}), (Members{"2", "3"}));
  EXPECT_EQ(*SetUnion(db(), {"a", "b", "missing"}), (Members{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(*SetDiff(db(), {"a", "b", "missing"}), (Members{"1", "4"}));
  EXPECT_TRUE(SetInter(db(), {"a", "missing"})->empty());
  EXPECT_EQ(*SetInterCard(db(), {"a", "b"}, 0), 2);
  EXPECT_EQ(*SetInterCard(db(), {"a", "b"}, 1), 1);
}

TEST_F(SetTest, StoreOverwritesAndEmptyResultDeletes) {
  Add("a", {"1", "2"});
  Add("b", {"2", "3"});
  ASSERT_TRUE(StringSet(db(), "dst", "string", {}).ok());
  EXPECT_EQ(*SetStore(db(), SetOp::kUnion, "dst", {"a", "b"}), 3);
  EXPECT_EQ(MembersOf("dst"), (Members{"1", "2", "3"}));
  EXPECT_EQ(CheckedSize("dst"), 3u);
  // Overwrite: old members do not leak into the new version.
  EXPECT_EQ(*SetStore(db(), SetOp::kInter, "dst", {"a", "b"}), 1);
  EXPECT_EQ(MembersOf("dst"), (Members{"2"}));
  EXPECT_EQ(CheckedSize("dst"), 1u);
  // Destination among the sources.
  EXPECT_EQ(*SetStore(db(), SetOp::kDiff, "a", {"a", "dst"}), 1);
  EXPECT_EQ(MembersOf("a"), (Members{"1"}));
  EXPECT_EQ(*SetStore(db(), SetOp::kInter, "dst", {"a", "missing"}), 0);
  EXPECT_FALSE(Exists("dst"));
  EXPECT_EQ(engine_->KeyCount(db()), 2);
}

TEST_F(SetTest, Scan) {
  Views in;
  std::vector<std::string> names;
  for (int i = 0; i < 57; ++i) names.push_back("m" + std::to_string(i));
  for (const auto& n : names) in.push_back(n);
  Add("s", in);
  std::set<std::string> seen;
  std::optional<std::string> after;
  int pages = 0;
  do {
    auto page = SetScan(db(), "s", after, "", 10);
    ASSERT_TRUE(page.ok());
    seen.insert(page->members.begin(), page->members.end());
    after = page->resume_after;
    ++pages;
  } while (after.has_value());
  EXPECT_EQ(seen.size(), 57u);
  EXPECT_GE(pages, 6);
  auto matched = SetScan(db(), "s", std::nullopt, "m1*", 1000);
  ASSERT_TRUE(matched.ok());
  EXPECT_EQ(matched->members.size(), 11u);  // m1, m10..m19
  EXPECT_FALSE(matched->resume_after.has_value());
}

TEST_F(SetTest, ObjectEncoding) {
  Add("ints", {"1", "-5", "9223372036854775807"});
  EXPECT_EQ(*SetObjectEncoding(db(), "ints", 512), "intset");
  EXPECT_EQ(*SetObjectEncoding(db(), "ints", 2), "hashtable");
  Add("leading", {"01"});
  EXPECT_EQ(*SetObjectEncoding(db(), "leading", 512), "hashtable");
  Add("text", {"1", "a"});
  EXPECT_EQ(*SetObjectEncoding(db(), "text", 512), "hashtable");
  EXPECT_EQ(SetObjectEncoding(db(), "missing", 512).status().code(), Code::kNotFound);
}

TEST_F(SetTest, SurvivesReopen) {
  Add("s", {"a", "b", "c"});
  ASSERT_TRUE(SetRemove(db(), "s", {"b"}).ok());
  Reopen();
  EXPECT_EQ(MembersOf("s"), (Members{"a", "c"}));
  EXPECT_EQ(CheckedSize("s"), 2u);
}

}  // namespace
}  // namespace basalt::engine
