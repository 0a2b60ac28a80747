// Engine transactions (txn.h): a transaction reads its own staged writes for every type, the
// rest of the world (other threads) sees nothing until Commit and then everything at once in
// one WriteBatch, counters and observers change only at Commit, and a reader holding the keys'
// stripes sees all or none of it.
#include "engine/txn.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/hash.h"
#include "engine/keys.h"
#include "engine/list.h"
#include "engine/set.h"
#include "engine/string.h"
#include "engine/zset.h"
#include "engine_fixture.h"

namespace basalt::engine {
namespace {

using Views = std::vector<std::string_view>;

// Records what the engine reports.
class Recorder : public KeyObserver {
 public:
  bool Interested() const override { return true; }
  void KeysWritten(const std::vector<WrittenKey>& keys) override {
    ++calls;
    for (const auto& k : keys) names.push_back(k.key);
  }
  void DbReplaced(int) override { ++replaced; }
  int calls = 0;
  int replaced = 0;
  std::vector<std::string> names;
};

class TxnTest : public EngineTest {
 protected:
  // What another thread (no transaction) reads for a string key.
  std::optional<std::string> OutsideGet(std::string_view key) {
    std::optional<std::string> out;
    std::thread t([&] { out = *StringGet(db(), key); });
    t.join();
    return out;
  }
  int64_t OutsideLLen(std::string_view key) {
    int64_t n = -1;
    std::thread t([&] { n = *ListLen(db(), key); });
    t.join();
    return n;
  }
};

TEST_F(TxnTest, StringsReadTheirOwnWrites) {
  ASSERT_TRUE(StringSet(db(), "pre", "1", {}).ok());
  Txn txn(engine_.get());
  ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
  EXPECT_EQ(*StringIncrBy(db(), "a", 5), 6);
  EXPECT_EQ(*StringAppend(db(), "a", "x"), 2);
  EXPECT_EQ(*StringGet(db(), "a"), "6x");
  EXPECT_EQ(*StringIncrBy(db(), "pre", 1), 2);
  EXPECT_EQ(*KeysDelete(db(), Views{"pre"}), 1);
  EXPECT_EQ(*StringGet(db(), "pre"), std::nullopt);
  // Nothing reached the database yet.
  EXPECT_EQ(OutsideGet("a"), std::nullopt);
  EXPECT_EQ(OutsideGet("pre"), "1");
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(OutsideGet("a"), "6x");
  EXPECT_EQ(OutsideGet("pre"), std::nullopt);
}

TEST_F(TxnTest, ListsReadTheirOwnWrites) {
  ASSERT_TRUE(ListPush(db(), "l", ListEnd::kRight, {"x"}, false).ok());
  Txn txn(engine_.get());
  EXPECT_EQ(*ListPush(db(), "l", ListEnd::kLeft, {"a", "b"}, false), 3);
  EXPECT_EQ(*ListPush(db(), "l", ListEnd::kRight, {"z"}, false), 4);
  EXPECT_EQ(*ListRange(db(), "l", 0, -1), (std::vector<std::string>{"b", "a", "x", "z"}));
  EXPECT_EQ(*ListIndex(db(), "l", -1), "z");
  auto popped = ListPop(db(), "l", ListEnd::kRight, 2);
  ASSERT_TRUE(popped.ok());
  EXPECT_EQ(**popped, (std::vector<std::string>{"z", "x"}));
  EXPECT_EQ(*ListRange(db(), "l", 0, -1), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(OutsideLLen("l"), 1);
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(OutsideLLen("l"), 2);
  EXPECT_EQ(*ListRange(db(), "l", 0, -1), (std::vector<std::string>{"b", "a"}));
}

TEST_F(TxnTest, HashesSetsAndZsetsReadTheirOwnWrites) {
  ASSERT_TRUE(HashSet(db(), "h", {{"f0", "v0"}}, false).ok());
  Txn txn(engine_.get());
  EXPECT_EQ(*HashSet(db(), "h", {{"f1", "v1"}, {"f2", "v2"}}, false), 2);
  EXPECT_EQ(*HashDelete(db(), "h", Views{"f0"}), 1);
  EXPECT_EQ(*HashGet(db(), "h", "f1"), "v1");
  EXPECT_EQ(*HashGet(db(), "h", "f0"), std::nullopt);
  EXPECT_EQ(*HashLength(db(), "h"), 2);
  EXPECT_EQ(HashGetAll(db(), "h")->size(), 2u);

  EXPECT_EQ(*SetAdd(db(), "s", Views{"m1", "m2", "m3"}), 3);
  EXPECT_EQ(*SetRemove(db(), "s", Views{"m2"}), 1);
  EXPECT_EQ(*SetMembers(db(), "s"), (std::vector<std::string>{"m1", "m3"}));

  EXPECT_EQ(ZSetAdd(db(), "z", {}, {{3, "c"}, {1, "a"}, {2, "b"}})->changed, 3);
  EXPECT_EQ(*ZSetRemove(db(), "z", Views{"b"}), 1);
  ZRangeSpec all;
  auto range = ZSetRange(db(), "z", all);
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].member, "a");
  EXPECT_EQ((*range)[1].member, "c");
  all.reverse = true;
  range = ZSetRange(db(), "z", all);
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].member, "c");
  EXPECT_EQ(*ZSetRank(db(), "z", "c", false), 1);
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(*HashLength(db(), "h"), 2);
  EXPECT_EQ(*SetCard(db(), "s"), 2);
  EXPECT_EQ(*ZSetCard(db(), "z"), 2);
}

TEST_F(TxnTest, KeyScansSeeStagedKeysAndStayInTheirDatabase) {
  ASSERT_TRUE(StringSet(db(0), "old", "1", {}).ok());
  Txn txn(engine_.get());
  ASSERT_TRUE(StringSet(db(0), "new", "1", {}).ok());
  ASSERT_TRUE(StringSet(db(1), "other", "1", {}).ok());  // beyond db 0's upper bound
  EXPECT_EQ(*KeysDelete(db(0), Views{"old"}), 1);
  auto keys = KeysMatching(db(0), "*");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::vector<std::string>{"new"}));
  ASSERT_TRUE(txn.Commit().ok());
}

TEST_F(TxnTest, ReverseWalksStopAtTheBoundOfStagedNeighbours) {
  Txn txn(engine_.get());
  // Two lists whose subkeys sit side by side in the data CF; reverse reads of the first
  // must not start inside the second.
  ASSERT_TRUE(ListPush(db(), "a", ListEnd::kRight, {"1", "2"}, false).ok());
  ASSERT_TRUE(ListPush(db(), "b", ListEnd::kRight, {"x", "y"}, false).ok());
  EXPECT_EQ(*ListIndex(db(), "a", -1), "2");
  EXPECT_EQ(*ListRange(db(), "a", -2, -1), (std::vector<std::string>{"1", "2"}));
  ASSERT_TRUE(ZSetAdd(db(), "za", {}, {{1, "p"}, {2, "q"}}).ok());
  ASSERT_TRUE(ZSetAdd(db(), "zb", {}, {{9, "r"}}).ok());
  ZRangeSpec rev;
  rev.reverse = true;
  auto range = ZSetRange(db(), "za", rev);
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].member, "q");
  ASSERT_TRUE(txn.Commit().ok());
}

TEST_F(TxnTest, OneBatchCountersAndObserversAtCommit) {
  Recorder rec;
  engine_->AddObserver(&rec);
  const int64_t changes = engine_->changes();
  Txn txn(engine_.get());
  ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
  ASSERT_TRUE(StringSet(db(), "b", "1", {}).ok());
  EXPECT_TRUE(*KeySetExpire(db(), "b", NowMs() + 100000, ExpireCondition::kAlways));
  // The transaction's own thread counts what it staged; nothing is published yet.
  EXPECT_EQ(engine_->KeyCount(db()), 2);
  std::thread([&] { EXPECT_EQ(engine_->KeyCount(db()), 0); }).join();
  EXPECT_EQ(rec.calls, 0);
  EXPECT_GT(txn.staged(), 0u);
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(txn.staged(), 0u);
  EXPECT_EQ(engine_->KeyCount(db()), 2);
  EXPECT_EQ(engine_->ExpiresCount(db()), 1);
  EXPECT_EQ(engine_->changes(), changes + 3);
  EXPECT_EQ(rec.calls, 1);  // one notification for the whole transaction
  EXPECT_EQ(rec.names, (std::vector<std::string>{"a", "b", "b"}));
}

TEST_F(TxnTest, PersistedCountersSurviveReopen) {
  {
    Txn txn(engine_.get());
    ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
    ASSERT_TRUE(ListPush(db(), "l", ListEnd::kLeft, {"x"}, false).ok());
    ASSERT_TRUE(txn.Commit().ok());
  }
  Reopen();
  EXPECT_EQ(engine_->KeyCount(db()), 2);
  EXPECT_EQ(*StringGet(db(), "a"), "1");
}

TEST_F(TxnTest, DestroyedWithoutCommitDiscards) {
  {
    Txn txn(engine_.get());
    ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
  }
  EXPECT_EQ(Txn::Current(), nullptr);
  EXPECT_EQ(*StringGet(db(), "a"), std::nullopt);
  EXPECT_EQ(engine_->KeyCount(db()), 0);
}

TEST_F(TxnTest, FlushDbIsStagedAndCommitsInTheSameBatch) {
  Recorder rec;
  engine_->AddObserver(&rec);
  ASSERT_TRUE(StringSet(db(0), "old", "1", {}).ok());
  ASSERT_TRUE(ListPush(db(0), "l", ListEnd::kLeft, {"x", "y"}, false).ok());
  Txn txn(engine_.get());
  ASSERT_TRUE(StringSet(db(0), "a", "1", {}).ok());
  ASSERT_TRUE(StringSet(db(1), "b", "1", {}).ok());
  ASSERT_TRUE(engine_->FlushDb(db(0)).ok());
  ASSERT_TRUE(StringSet(db(0), "c", "1", {}).ok());
  ASSERT_TRUE(ListPush(db(0), "l", ListEnd::kLeft, {"n"}, false).ok());
  // Inside: the flushed database shows only what was staged after FLUSHDB.
  EXPECT_EQ(*StringGet(db(0), "old"), std::nullopt);
  EXPECT_EQ(*StringGet(db(0), "a"), std::nullopt);
  EXPECT_EQ(*StringGet(db(0), "c"), "1");
  EXPECT_EQ(*ListLen(db(0), "l"), 1);
  EXPECT_EQ(*StringGet(db(1), "b"), "1");
  EXPECT_EQ(engine_->KeyCount(db(0)), 2);
  auto keys = KeysMatching(db(0), "*");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::vector<std::string>{"c", "l"}));
  // Outside: nothing of it until Commit.
  EXPECT_EQ(OutsideGet("old"), "1");
  EXPECT_EQ(OutsideLLen("l"), 2);
  std::thread([&] { EXPECT_EQ(engine_->KeyCount(db(0)), 2); }).join();
  EXPECT_EQ(rec.replaced, 0);
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(rec.replaced, 1);
  EXPECT_EQ(OutsideGet("old"), std::nullopt);
  EXPECT_EQ(OutsideGet("a"), std::nullopt);
  EXPECT_EQ(OutsideGet("c"), "1");
  EXPECT_EQ(OutsideLLen("l"), 1);
  EXPECT_EQ(*StringGet(db(1), "b"), "1");
  EXPECT_EQ(engine_->KeyCount(db(0)), 2);
  EXPECT_EQ(engine_->KeyCount(db(1)), 1);
  Reopen();
  EXPECT_EQ(engine_->KeyCount(db(0)), 2);
  EXPECT_EQ(*StringGet(db(0), "c"), "1");
  EXPECT_EQ(*StringGet(db(0), "old"), std::nullopt);
}

TEST_F(TxnTest, SwapDbIsStagedAndCommitsInTheSameBatch) {
  ASSERT_TRUE(StringSet(db(0), "zero", "0", {}).ok());
  ASSERT_TRUE(StringSet(db(1), "one", "1", {}).ok());
  {
    Txn txn(engine_.get());
    ASSERT_TRUE(engine_->SwapDb(0, 1).ok());
    // This thread sees the swapped map; others still see the old one.
    EXPECT_EQ(*StringGet(db(0), "one"), "1");
    EXPECT_EQ(*StringGet(db(0), "zero"), std::nullopt);
    ASSERT_TRUE(StringSet(db(0), "new", "n", {}).ok());
    EXPECT_EQ(OutsideGet("zero"), "0");
    EXPECT_EQ(OutsideGet("new"), std::nullopt);
    ASSERT_TRUE(txn.Commit().ok());
  }
  EXPECT_EQ(*StringGet(db(0), "one"), "1");
  EXPECT_EQ(*StringGet(db(0), "new"), "n");
  EXPECT_EQ(*StringGet(db(1), "zero"), "0");
  {
    // A transaction dropped without Commit leaves the map alone.
    Txn txn(engine_.get());
    ASSERT_TRUE(engine_->SwapDb(0, 1).ok());
  }
  EXPECT_EQ(*StringGet(db(0), "one"), "1");
  Reopen();
  EXPECT_EQ(*StringGet(db(0), "new"), "n");
  EXPECT_EQ(*StringGet(db(1), "zero"), "0");
}

// The server's protocol for multi-key reads (server/dispatcher.cc): the reader holds the
// stripes of its keys, as the transaction's committer does, and reads through the hot tier,
// which Commit brings up to date before the committer lets go.
TEST_F(TxnTest, ReaderHoldingTheStripesNeverSeesHalfATransaction) {
  ASSERT_TRUE(StringSet(db(), "a", "0", {}).ok());
  ASSERT_TRUE(StringSet(db(), "b", "0", {}).ok());
  const std::vector<uint16_t> stripes = {KeyLocks::StripeOf(db().physical, "a"),
                                         KeyLocks::StripeOf(db().physical, "b")};
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!stop.load()) {
      KeyLocks::Guard held = engine_->locks().Lock(stripes);
      auto v = StringMGet(db(), Views{"a", "b"});
      if (!v.ok() || (*v)[0] != (*v)[1]) ++torn;
      ++reads;
    }
  });
  // At least 3000 transactions, and on until the reader has read 300 times between them (a
  // mutex need not be fair, so the writer could otherwise finish before the reader starts).
  for (int i = 1; i <= 3000 || (reads.load() < 300 && i <= 1000000); ++i) {
    {
      KeyLocks::Guard held = engine_->locks().Lock(stripes);
      Txn txn(engine_.get());
      ASSERT_TRUE(StringSet(db(), "a", std::to_string(i), {}).ok());
      ASSERT_TRUE(StringSet(db(), "b", std::to_string(i), {}).ok());
      ASSERT_TRUE(txn.Commit().ok());
    }
    std::this_thread::yield();
  }
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GE(reads.load(), 300);
}

}  // namespace
}  // namespace basalt::engine
