// The hot tier (hot_tier.h): the cache itself (byte bound, second-chance eviction order, the
// slot table, in-place overwrites, shrink, sharding, the fill generation check) and its place in
// the engine (write-through on every write path, reads inside a transaction bypass it, FLUSHDB
// and SWAPDB, the reaper).
#include "engine/hot_tier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "codec/key_format.h"
#include "engine/collection.h"
#include "engine/expiry.h"
#include "engine/hash.h"
#include "engine/keys.h"
#include "engine/list.h"
#include "engine/set.h"
#include "engine/string.h"
#include "engine/txn.h"
#include "engine/zset.h"
#include "engine_fixture.h"

namespace basalt::engine {
namespace {

std::string Get(HotTier& t, uint8_t db, std::string_view key) {
  std::string v;
  HotTier::FillToken token;
  return t.Lookup(db, key, &v, &token) ? v : std::string("<miss>");
}

void FillNow(HotTier& t, uint8_t db, std::string_view key, std::string_view value) {
  std::string v;
  HotTier::FillToken token;
  if (!t.Lookup(db, key, &v, &token)) t.Fill(db, key, value, token);
}

TEST(HotTierCache, HitAfterPutAndFill) {
  HotTier t(1 << 20);
  EXPECT_EQ(Get(t, 0, "a"), "<miss>");
  t.Put(0, "a", "1");
  EXPECT_EQ(Get(t, 0, "a"), "1");
  EXPECT_EQ(Get(t, 1, "a"), "<miss>");  // another physical db is another key
  FillNow(t, 1, "a", "2");
  EXPECT_EQ(Get(t, 1, "a"), "2");
  t.Erase(0, "a");
  EXPECT_EQ(Get(t, 0, "a"), "<miss>");
  HotTier::Stats s = t.GetStats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 4u);
  EXPECT_EQ(s.used_bytes, HotTier::ChargeOf("a", "2"));
}

TEST(HotTierCache, ChargeCountsOverheadAndPayload) {
  EXPECT_GE(HotTier::ChargeOf("k", "v"), HotTier::kMapSlotBytes + 2 * sizeof(std::string));
  // Key and value are inline in one block now (no free short-string buffer): each payload byte
  // counts, up to malloc's 16-byte rounding, both ways.
  EXPECT_GE(HotTier::ChargeOf("k", std::string(1000, 'x')),
            HotTier::ChargeOf("k", "v") + 1000 - 16);
  EXPECT_GE(HotTier::ChargeOf(std::string(500, 'k'), "v"), HotTier::ChargeOf("k", "v") + 500 - 16);
  EXPECT_LE(HotTier::ChargeOf("k", std::string(1000, 'x')),
            HotTier::ChargeOf("k", "v") + 1000 + 16);
}

TEST(HotTierCache, StaysUnderBudgetAndEvicts) {
  const uint64_t budget = 64 << 10;
  HotTier t(budget);
  for (int i = 0; i < 10000; ++i) {
    t.Put(0, "key" + std::to_string(i), std::string(100, 'v'));
    ASSERT_LE(t.GetStats().used_bytes, budget);
  }
  HotTier::Stats s = t.GetStats();
  EXPECT_GT(s.evictions, 0u);
  EXPECT_GT(s.entries, 100u);  // the budget is really used
  EXPECT_EQ(s.entries + s.evictions, 10000u);
  EXPECT_GT(s.used_bytes, budget / 2);
}

TEST(HotTierCache, EvictsLeastRecentlyUsedFirst) {
  // Keys of one shard only, so that the shard's own order is observable. Short keys and
  // values all have the same charge.
  const uint64_t charge = HotTier::ChargeOf("k0", "v");
  std::vector<std::string> same_shard = {"k0"};
  for (int i = 1; same_shard.size() < 4 && i < 10000; ++i) {
    std::string k = "k" + std::to_string(i);
    HotTier one(charge * HotTier::kNumShards);  // exactly one entry per shard
    one.Put(0, same_shard[0], "v");
    one.Put(0, k, "v");
    if (Get(one, 0, same_shard[0]) == "<miss>") same_shard.push_back(k);  // evicted: same shard
  }
  HotTier t(charge * 3 * HotTier::kNumShards);  // three entries per shard
  ASSERT_EQ(same_shard.size(), 4u);
  t.Put(0, same_shard[0], "v");
  t.Put(0, same_shard[1], "v");
  t.Put(0, same_shard[2], "v");
  EXPECT_EQ(Get(t, 0, same_shard[0]), "v");  // now [1] is the least recently used
  t.Put(0, same_shard[3], "v");
  EXPECT_EQ(Get(t, 0, same_shard[1]), "<miss>");
  EXPECT_EQ(Get(t, 0, same_shard[0]), "v");
  EXPECT_EQ(Get(t, 0, same_shard[2]), "v");
  EXPECT_EQ(Get(t, 0, same_shard[3]), "v");
  EXPECT_EQ(t.GetStats().evictions, 1u);
}

// `n` keys of the same shard as "k0" (found as in EvictsLeastRecentlyUsedFirst); each has the
// charge of ChargeOf("k0", "v") with a one-byte value.
std::vector<std::string> KeysOfOneShard(size_t n) {
  const uint64_t charge = HotTier::ChargeOf("k0", "v");
  std::vector<std::string> keys = {"k0"};
  for (int i = 1; keys.size() < n && i < 100000; ++i) {
    std::string k = "k" + std::to_string(i);
    HotTier one(charge * HotTier::kNumShards);  // exactly one entry per shard
    one.Put(0, keys[0], "v");
    one.Put(0, k, "v");
    if (Get(one, 0, keys[0]) == "<miss>") keys.push_back(k);
  }
  return keys;
}

TEST(HotTierCache, AHitGivesOneSecondChance) {
  const std::vector<std::string> k = KeysOfOneShard(5);
  ASSERT_EQ(k.size(), 5u);
  HotTier t(HotTier::ChargeOf("k0", "v") * 3 * HotTier::kNumShards);  // three entries per shard
  t.Put(0, k[0], "v");
  t.Put(0, k[1], "v");
  t.Put(0, k[2], "v");
  EXPECT_EQ(Get(t, 0, k[1]), "v");  // read between inserts
  t.Put(0, k[3], "v");              // evicts [0]: oldest and unread
  t.Put(0, k[4], "v");              // [1] goes to the tail with its flag cleared; [2] goes
  EXPECT_EQ(t.GetStats().evictions, 2u);
  EXPECT_EQ(Get(t, 0, k[0]), "<miss>");
  EXPECT_EQ(Get(t, 0, k[2]), "<miss>");
  EXPECT_EQ(Get(t, 0, k[1]), "v");
  EXPECT_EQ(Get(t, 0, k[3]), "v");
  EXPECT_EQ(Get(t, 0, k[4]), "v");
}

TEST(HotTierCache, TheSecondChanceIsSpentByOneRound) {
  const std::vector<std::string> k = KeysOfOneShard(5);
  ASSERT_EQ(k.size(), 5u);
  HotTier t(HotTier::ChargeOf("k0", "v") * 2 * HotTier::kNumShards);  // two entries per shard
  t.Put(0, k[0], "v");
  t.Put(0, k[1], "v");
  EXPECT_EQ(Get(t, 0, k[0]), "v");
  t.Put(0, k[2], "v");  // [0] passes the head once: [1] goes
  t.Put(0, k[3], "v");  // [0] is at the head again, unread since: it goes now
  EXPECT_EQ(t.GetStats().evictions, 2u);
  EXPECT_EQ(Get(t, 0, k[0]), "<miss>");
  EXPECT_EQ(Get(t, 0, k[1]), "<miss>");
  EXPECT_EQ(Get(t, 0, k[2]), "v");
  EXPECT_EQ(Get(t, 0, k[3]), "v");
}

TEST(HotTierCache, APutOverACachedKeyCountsAsAUse) {
  const std::vector<std::string> k = KeysOfOneShard(4);
  ASSERT_EQ(k.size(), 4u);
  HotTier t(HotTier::ChargeOf("k0", "v") * 3 * HotTier::kNumShards);
  t.Put(0, k[0], "v");
  t.Put(0, k[1], "v");
  t.Put(0, k[2], "v");
  t.Put(0, k[0], "w");  // in place: keeps its place, referenced
  t.Put(0, k[3], "v");
  EXPECT_EQ(t.GetStats().evictions, 1u);
  EXPECT_EQ(Get(t, 0, k[1]), "<miss>");
  EXPECT_EQ(Get(t, 0, k[0]), "w");
}

TEST(HotTierCache, OverwritesKeepHitsCorrectWhateverTheNewSize) {
  HotTier t(1 << 20);
  const std::string key = "key";
  t.Put(0, key, std::string(100, 'a'));
  const uint64_t block = t.GetStats().used_bytes;
  EXPECT_EQ(block, HotTier::ChargeOf(key, std::string(100, 'a')));
  // Smaller, but not by half: written in place, the block (and the charge) stays.
  t.Put(0, key, std::string(60, 'b'));
  EXPECT_EQ(Get(t, 0, key), std::string(60, 'b'));
  EXPECT_EQ(t.GetStats().used_bytes, block);
  // Larger again, within the block's capacity.
  t.Put(0, key, std::string(100, 'c'));
  EXPECT_EQ(Get(t, 0, key), std::string(100, 'c'));
  EXPECT_EQ(t.GetStats().used_bytes, block);
  // Larger than the block: a new one.
  t.Put(0, key, std::string(5000, 'd'));
  EXPECT_EQ(Get(t, 0, key), std::string(5000, 'd'));
  EXPECT_EQ(t.GetStats().used_bytes, HotTier::ChargeOf(key, std::string(5000, 'd')));
  // Far smaller: a new, small block rather than a big one pinned.
  t.Put(0, key, "e");
  EXPECT_EQ(Get(t, 0, key), "e");
  EXPECT_EQ(t.GetStats().used_bytes, HotTier::ChargeOf(key, "e"));
  // Empty (a negative entry) and back.
  t.Put(0, key, "");
  EXPECT_EQ(Get(t, 0, key), "");
  t.Put(0, key, "fg");
  EXPECT_EQ(Get(t, 0, key), "fg");
  EXPECT_EQ(t.GetStats().entries, 1u);
  t.Erase(0, key);
  EXPECT_EQ(t.GetStats().used_bytes, 0u);
}

TEST(HotTierCache, ErasesKeepEveryOtherKeyFindable) {
  HotTier t(256 << 20);
  constexpr int kKeys = 10000;
  for (int i = 0; i < kKeys; ++i) t.Put(0, "key" + std::to_string(i), std::to_string(i));
  for (int i = 1; i < kKeys; i += 2) t.Erase(0, "key" + std::to_string(i));
  EXPECT_EQ(t.GetStats().entries, static_cast<uint64_t>(kKeys / 2));
  for (int i = 0; i < kKeys; ++i) {
    const std::string k = "key" + std::to_string(i);
    ASSERT_EQ(Get(t, 0, k), i % 2 == 0 ? std::to_string(i) : "<miss>") << k;
  }
  // Down to a few keys: the tables shrink and still find them.
  for (int i = 0; i < kKeys; i += 2) {
    if (i % 1000 != 0) t.Erase(0, "key" + std::to_string(i));
  }
  EXPECT_EQ(t.GetStats().entries, 10u);
  for (int i = 0; i < kKeys; i += 1000)
    EXPECT_EQ(Get(t, 0, "key" + std::to_string(i)), std::to_string(i));
  EXPECT_EQ(Get(t, 0, "key2"), "<miss>");
}

TEST(HotTierCache, GrowthKeepsEveryKey) {
  HotTier t(256 << 20);
  constexpr int kKeys = 100000;  // thousands per shard, from tables of 64 slots
  for (int i = 0; i < kKeys; ++i) t.Put(1, "key" + std::to_string(i), "v" + std::to_string(i));
  for (int i = 0; i < kKeys; ++i) FillNow(t, 2, "key" + std::to_string(i), "w");
  HotTier::Stats s = t.GetStats();
  EXPECT_EQ(s.entries, 2u * kKeys);
  EXPECT_EQ(s.evictions, 0u);
  for (int i = 0; i < kKeys; ++i) {
    const std::string k = "key" + std::to_string(i);
    ASSERT_EQ(Get(t, 1, k), "v" + std::to_string(i)) << k;
    ASSERT_EQ(Get(t, 2, k), "w") << k;
  }
  t.ClearDb(1);
  EXPECT_EQ(t.GetStats().entries, static_cast<uint64_t>(kKeys));
  for (int i = 0; i < kKeys; i += 7) {
    const std::string k = "key" + std::to_string(i);
    ASSERT_EQ(Get(t, 1, k), "") << k;  // the emptied database is complete
    ASSERT_EQ(Get(t, 2, k), "w") << k;
  }
}

TEST(HotTierCache, PrefetchIsOnlyAHintEvenWhileTablesResize) {
  HotTier t(64 << 20);
  std::vector<std::string> keys;
  for (int i = 0; i < 4000; ++i) keys.push_back("key" + std::to_string(i));
  std::vector<std::string_view> views(keys.begin(), keys.end());
  for (int i = 0; i < 2000; ++i) t.Put(0, keys[i], "v" + std::to_string(i));
  const HotTier::Stats before = t.GetStats();
  // A writer grows and shrinks the tables (slot arrays are reallocated) under the prefetches.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop.load()) {
      for (int i = 2000; i < 4000; ++i) t.Put(0, keys[i], "w");
      for (int i = 2000; i < 4000; ++i) t.Erase(0, keys[i]);
    }
  });
  for (int round = 0; round < 2000; ++round) {
    t.Prefetch(0, views.data() + (round * 37) % 3900, 100);  // more than one batch of 32
  }
  stop.store(true);
  writer.join();
  const HotTier::Stats after = t.GetStats();
  EXPECT_EQ(after.hits, before.hits);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.entries, before.entries);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(Get(t, 0, keys[i]), "v" + std::to_string(i));
  for (int i = 2000; i < 4000; ++i) ASSERT_EQ(Get(t, 0, keys[i]), "<miss>");
}

TEST(HotTierCache, ShrinkEvictsAtOnceAndZeroDisables) {
  HotTier t(1 << 20);
  for (int i = 0; i < 2000; ++i) t.Put(0, "key" + std::to_string(i), std::string(50, 'v'));
  uint64_t before = t.GetStats().used_bytes;
  ASSERT_GT(before, 100u << 10);
  t.SetCapacity(32 << 10);
  EXPECT_LE(t.GetStats().used_bytes, 32u << 10);
  EXPECT_GT(t.GetStats().evictions, 0u);
  t.SetCapacity(0);
  EXPECT_EQ(t.GetStats().used_bytes, 0u);
  EXPECT_EQ(t.GetStats().entries, 0u);
  t.Put(0, "a", "1");
  FillNow(t, 0, "b", "2");
  EXPECT_EQ(Get(t, 0, "a"), "<miss>");
  EXPECT_EQ(Get(t, 0, "b"), "<miss>");
  t.SetCapacity(1 << 20);
  t.Put(0, "a", "1");
  EXPECT_EQ(Get(t, 0, "a"), "1");
}

TEST(HotTierCache, KeysSpreadOverShards) {
  // With a budget of one entry per shard, N keys leave one entry in each shard they reach.
  const uint64_t charge = HotTier::ChargeOf("key0000", std::string(8, 'v'));
  HotTier t(charge * HotTier::kNumShards);
  for (int i = 0; i < 1000; ++i) {
    char name[16];
    snprintf(name, sizeof(name), "key%04d", i);
    t.Put(0, name, std::string(8, 'v'));
  }
  EXPECT_EQ(t.GetStats().entries, static_cast<uint64_t>(HotTier::kNumShards));
}

TEST(HotTierCache, TooLargeValuesAreNotCached) {
  HotTier t(64 << 20);
  t.Put(0, "big", "old");
  t.Put(0, "big", std::string(HotTier::kMaxValueBytes + 1, 'x'));
  EXPECT_EQ(Get(t, 0, "big"), "<miss>");  // the old value is gone too
  FillNow(t, 0, "big", std::string(HotTier::kMaxValueBytes + 1, 'x'));
  EXPECT_EQ(Get(t, 0, "big"), "<miss>");
}

TEST(HotTierCache, FillAfterAWriteIsDropped) {
  HotTier t(1 << 20);
  std::string v;
  HotTier::FillToken token;
  ASSERT_FALSE(t.Lookup(0, "k", &v, &token));
  // A reader read "old" from RocksDB; meanwhile a writer committed "new" and wrote through.
  t.Put(0, "k", "new");
  t.Fill(0, "k", "old", token);
  EXPECT_EQ(Get(t, 0, "k"), "new");
  // Same with a delete: the key must stay absent, not come back as the stale read.
  ASSERT_FALSE(t.Lookup(0, "gone", &v, &token));
  t.Erase(0, "gone");
  t.Fill(0, "gone", "old", token);
  EXPECT_EQ(Get(t, 0, "gone"), "<miss>");
  // And with FLUSHDB.
  ASSERT_FALSE(t.Lookup(3, "f", &v, &token));
  t.ClearDb(3);
  t.Fill(3, "f", "old", token);
  EXPECT_EQ(t.GetStats().entries, 1u);  // only "k"
  EXPECT_EQ(Get(t, 3, "f"), "");        // known absent: the emptied database is complete
}

TEST(HotTierCache, FillBeforeTheWriteIsOverwritten) {
  HotTier t(1 << 20);
  std::string v;
  HotTier::FillToken token;
  ASSERT_FALSE(t.Lookup(0, "k", &v, &token));
  t.Fill(0, "k", "old", token);
  t.Put(0, "k", "new");
  EXPECT_EQ(Get(t, 0, "k"), "new");
  t.Erase(0, "k");
  EXPECT_EQ(Get(t, 0, "k"), "<miss>");
}

TEST(HotTierCache, ClearDbDropsOnlyThatDb) {
  HotTier t(1 << 20);
  t.Put(1, "a", "1");
  t.Put(2, "a", "2");
  t.ClearDb(1);
  EXPECT_EQ(Get(t, 1, "a"), "");  // known absent: the emptied database is complete
  EXPECT_EQ(Get(t, 2, "a"), "2");
  EXPECT_TRUE(t.Complete(1));
  EXPECT_FALSE(t.Complete(2));
}

// A complete database answers a miss as "no record"; the mark goes with the first record that
// leaves the tier or cannot enter it, and only emptying the database brings it back.
TEST(HotTierCache, CompleteDatabaseAnswersMissesUntilARecordIsLost) {
  HotTier t(1 << 20);
  EXPECT_FALSE(t.Complete(1));
  t.MarkEmpty(1);
  EXPECT_TRUE(t.Complete(1));
  EXPECT_EQ(Get(t, 1, "x"), "");
  EXPECT_EQ(Get(t, 0, "x"), "<miss>");  // other databases are untouched
  t.Put(1, "a", "1");
  EXPECT_EQ(Get(t, 1, "a"), "1");
  t.Erase(1, "a");  // deleted: still complete
  EXPECT_EQ(Get(t, 1, "a"), "");
  EXPECT_TRUE(t.Complete(1));
  t.Forget(1, "big");  // a record the tier will not hold (only its shard loses the mark)
  EXPECT_FALSE(t.Complete(1));
  EXPECT_EQ(Get(t, 1, "big"), "<miss>");
  t.ClearDb(1);
  EXPECT_TRUE(t.Complete(1));
  t.Put(1, "huge", std::string(HotTier::kMaxValueBytes + 1, 'v'));  // too large to cache
  EXPECT_FALSE(t.Complete(1));
  EXPECT_EQ(Get(t, 1, "huge"), "<miss>");
  t.ClearDb(1);
  t.SetCapacity(0);
  EXPECT_FALSE(t.Complete(1));
  t.SetCapacity(1 << 20);
  EXPECT_FALSE(t.Complete(1));
  t.SetCapacity(0);
  t.MarkEmpty(2);  // a disabled tier holds nothing, so nothing is complete
  EXPECT_FALSE(t.Complete(2));
}

TEST(HotTierCache, EvictingARecordEndsCompletenessButEvictingANegativeEntryDoesNot) {
  HotTier t(64 << 10);  // 4 KB per shard
  for (int i = 0; i < 200; ++i) FillNow(t, 1, "absent" + std::to_string(i), "");
  t.MarkEmpty(1);
  // Records of database 2 push every negative entry of database 1 out.
  for (int i = 0; i < 2000; ++i) t.Put(2, "r" + std::to_string(i), "v");
  ASSERT_GT(t.GetStats().evictions, 200u);
  EXPECT_TRUE(t.Complete(1));
  EXPECT_EQ(Get(t, 1, "absent0"), "");
  // Records of database 1 push each other out.
  for (int i = 0; i < 2000; ++i) t.Put(1, "r" + std::to_string(i), "v");
  EXPECT_FALSE(t.Complete(1));
  EXPECT_EQ(Get(t, 1, "r0"), "<miss>");  // evicted: a miss again, so readers go to RocksDB
}

// Many readers fill from a "store" while writers change it under a per-key lock and write
// through: at the end (no lock held) every cached entry equals the store.
TEST(HotTierCache, ConcurrentReadersNeverInstallStaleValues) {
  HotTier t(16 << 10);  // small: constant eviction as well
  constexpr int kKeys = 64;
  std::vector<std::mutex> locks(kKeys);
  std::vector<std::string> store(kKeys, "0");
  std::mutex store_mu;  // the "RocksDB" of this test: reads and writes are atomic
  auto read_store = [&](int k) {
    std::lock_guard<std::mutex> l(store_mu);
    return store[k];
  };
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 20000; ++i) {
        int k = (i * 7 + w) % kKeys;
        std::lock_guard<std::mutex> key_lock(locks[k]);
        std::string value = std::to_string(w) + ":" + std::to_string(i);
        {
          std::lock_guard<std::mutex> l(store_mu);
          store[k] = value;  // commit
        }
        if (i % 5 == 0) {
          t.Erase(0, std::to_string(k));
        } else {
          t.Put(0, std::to_string(k), value);
        }
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&, r] {
      for (int i = 0; !stop.load(); ++i) {
        int k = (i + r) % kKeys;
        std::string v;
        HotTier::FillToken token;
        if (!t.Lookup(0, std::to_string(k), &v, &token)) {
          std::string disk = read_store(k);
          if (i % 3 == 0) std::this_thread::yield();  // widen the race window
          t.Fill(0, std::to_string(k), disk, token);
        }
      }
    });
  }
  threads[0].join();
  threads[1].join();
  stop = true;
  for (size_t i = 2; i < threads.size(); ++i) threads[i].join();
  for (int k = 0; k < kKeys; ++k) {
    std::string cached = Get(t, 0, std::to_string(k));
    if (cached != "<miss>") {
      EXPECT_EQ(cached, store[k]) << "key " << k;
    }
  }
  EXPECT_LE(t.GetStats().used_bytes, 16u << 10);
}

// ------------------------------------------------------------------- collection elements

HotTier::ElementsPtr MakeElements(uint64_t version,
                                  const std::vector<std::pair<std::string, std::string>>& kv) {
  auto e = std::make_shared<HotTier::Elements>();
  e->version = version;
  for (const auto& [k, v] : kv) e->buf += k + v;
  const char* p = e->buf.data();
  for (const auto& [k, v] : kv) {
    e->items.emplace_back(std::string_view(p, k.size()), std::string_view(p + k.size(), v.size()));
    p += k.size() + v.size();
  }
  return e;
}

std::string CollectionRecord(uint64_t version, uint64_t size) {
  codec::Metadata m;
  m.type = codec::KeyType::kHash;
  m.version = version;
  m.size = size;
  return codec::EncodeCollectionMeta(m);
}

bool HasElements(HotTier& t, std::string_view key, uint64_t version) {
  HotTier::ElementsPtr e;
  HotTier::FillToken token;
  return t.LookupElements(0, key, HotTier::ElementCf::kData, version, &e, &token);
}

TEST(HotTierElements, FillNeedsTheMetadataEntryAndItsVersion) {
  HotTier t(1 << 20, 16 << 10);
  HotTier::ElementsPtr e;
  HotTier::FillToken token;
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(token.valid);  // no metadata entry: nothing to hang elements on
  t.Put(0, "h", CollectionRecord(7, 1));
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 6, &e, &token));
  EXPECT_FALSE(token.valid);  // another version
  const uint64_t before = t.GetStats().used_bytes;
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(token.valid);  // the first miss since a write only takes note
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  ASSERT_TRUE(token.valid);
  t.FillElements(0, "h", HotTier::ElementCf::kData, 7, MakeElements(7, {{"f", "v"}}), token);
  ASSERT_TRUE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  ASSERT_EQ(e->items.size(), 1u);
  EXPECT_EQ(e->items[0].first, "f");
  EXPECT_EQ(e->items[0].second, "v");
  EXPECT_GT(t.GetStats().used_bytes, before + HotTier::ElementsCharge(1, 2));  // counted
  EXPECT_FALSE(HasElements(t, "h2", 7));
  EXPECT_EQ(Get(t, 0, "h"), CollectionRecord(7, 1));  // the metadata is still served
  t.DropElements(0, "h");
  EXPECT_FALSE(HasElements(t, "h", 7));
  EXPECT_EQ(t.GetStats().used_bytes, before);
  EXPECT_EQ(Get(t, 0, "h"), CollectionRecord(7, 1));
}

TEST(HotTierElements, WritesDropElementsAndStaleFillsAreRefused) {
  HotTier t(1 << 20, 16 << 10);
  t.Put(0, "h", CollectionRecord(7, 1));
  HotTier::ElementsPtr e;
  HotTier::FillToken token;
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  ASSERT_TRUE(token.valid);
  t.DropElements(0, "h");  // a subkey write committed after the reader's miss
  t.FillElements(0, "h", HotTier::ElementCf::kData, 7, MakeElements(7, {{"f", "old"}}), token);
  EXPECT_FALSE(HasElements(t, "h", 7));
  for (int step = 0; step < 3; ++step) {
    EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
    EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
    t.FillElements(0, "h", HotTier::ElementCf::kData, 7, MakeElements(7, {{"f", "v"}}), token);
    ASSERT_TRUE(HasElements(t, "h", 7));
    if (step == 0) t.Put(0, "h", CollectionRecord(7, 1));  // metadata rewritten (same bytes)
    if (step == 1) t.Erase(0, "h");
    if (step == 2) t.ClearDb(0);
    EXPECT_FALSE(HasElements(t, "h", 7)) << step;
    t.Put(0, "h", CollectionRecord(7, 1));
  }
}

TEST(HotTierElements, ThresholdAndTooLargeMarker) {
  HotTier t(1 << 20, HotTier::ElementsCharge(4, 100));
  HotTier::ElementsPtr e;
  HotTier::FillToken token;
  t.Put(0, "big", CollectionRecord(7, 7));  // 7 elements cannot fit: no load attempt at all
  EXPECT_FALSE(t.LookupElements(0, "big", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(token.valid);
  t.Put(0, "h", CollectionRecord(7, 2));
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  ASSERT_TRUE(token.valid);
  t.FillElements(0, "h", HotTier::ElementCf::kData, 7, nullptr, token);  // loaded: too large
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(token.valid);  // remembered until a write
  t.DropElements(0, "h");
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(token.valid);  // a write resets the note too
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_TRUE(token.valid);
  t.FillElements(0, "h", HotTier::ElementCf::kData, 7, MakeElements(7, {{"f", "v"}}), token);
  const uint64_t with_elements = t.GetStats().used_bytes;
  t.SetMaxCollectionBytes(HotTier::ElementsCharge(1, 2));  // still fits: kept
  EXPECT_TRUE(HasElements(t, "h", 7));
  t.SetMaxCollectionBytes(0);  // dropped at once, the metadata stays
  EXPECT_LT(t.GetStats().used_bytes, with_elements);
  EXPECT_EQ(Get(t, 0, "h"), CollectionRecord(7, 2));
  EXPECT_FALSE(t.LookupElements(0, "h", HotTier::ElementCf::kData, 7, &e, &token));
  EXPECT_FALSE(token.valid);
}

TEST(HotTierElements, ElementsCountTowardsTheBudget) {
  const uint64_t budget = 64 << 10;
  HotTier t(budget, 1 << 20);
  for (int i = 0; i < 200; ++i) {
    const std::string k = "h" + std::to_string(i);
    t.Put(0, k, CollectionRecord(7, 10));
    HotTier::ElementsPtr e;
    HotTier::FillToken token;
    (void)t.LookupElements(0, k, HotTier::ElementCf::kData, 7, &e, &token);
    if (t.LookupElements(0, k, HotTier::ElementCf::kData, 7, &e, &token)) continue;
    std::vector<std::pair<std::string, std::string>> kv;
    for (int j = 0; j < 10; ++j) kv.emplace_back("field" + std::to_string(j), std::string(50, 'v'));
    t.FillElements(0, k, HotTier::ElementCf::kData, 7, MakeElements(7, kv), token);
    ASSERT_LE(t.GetStats().used_bytes, budget);
  }
  EXPECT_GT(t.GetStats().evictions, 0u);
}

// ------------------------------------------------------------------------ in the engine

class HotTierEngineTest : public EngineTest {
 protected:
  // These tests look at the tier itself, whatever budget the suite runs with, as it is once it
  // has lost a record (disabling it does that): no database complete, so a key the tier does not
  // know is a miss. HotTierCompleteTest looks at complete databases.
  void SetUp() override {
    EngineTest::SetUp();
    engine_->hot_tier().SetCapacity(0);
    engine_->hot_tier().SetCapacity(64 << 20);
  }
  // The key's record as RocksDB holds it ("<absent>" if none), bypassing the tier.
  std::string Disk(const Db& d, std::string_view key) {
    std::string v;
    Status s = engine_->storage().Get(engine_->storage().meta(),
                                      codec::EncodeMetaKey(d.physical, key), &v);
    return s.ok() ? v : "<absent>";
  }
  // The tier's entry ("<miss>" if none).
  std::string Cached(const Db& d, std::string_view key) {
    return Get(engine_->hot_tier(), d.physical, key);
  }
  // The invariant: the entry is absent or equals RocksDB (a negative entry: RocksDB has none).
  void ExpectCoherent(const Db& d, std::string_view key) {
    std::string c = Cached(d, key);
    if (c != "<miss>") {
      EXPECT_EQ(c.empty() ? "<absent>" : c, Disk(d, key)) << key;
    }
  }
};

TEST_F(HotTierEngineTest, WritesGoThroughAndReadsHit) {
  ASSERT_TRUE(StringSet(db(), "s", "v1", {}).ok());
  EXPECT_EQ(Cached(db(), "s"), Disk(db(), "s"));
  uint64_t hits = engine_->hot_tier().GetStats().hits;
  EXPECT_EQ(**StringGet(db(), "s"), "v1");
  EXPECT_GT(engine_->hot_tier().GetStats().hits, hits);
  ASSERT_TRUE(StringAppend(db(), "s", "x").ok());
  ExpectCoherent(db(), "s");
  EXPECT_EQ(**StringGet(db(), "s"), "v1x");
  ASSERT_TRUE(StringIncrBy(db(), "n", 5).ok());
  ASSERT_TRUE(StringIncrBy(db(), "n", 5).ok());
  EXPECT_EQ(**StringGet(db(), "n"), "10");
  ExpectCoherent(db(), "n");
  ASSERT_TRUE(HashSet(db(), "h", {{"f", "1"}}, false).ok());
  ExpectCoherent(db(), "h");
  EXPECT_NE(Cached(db(), "h"), "<miss>");
  ASSERT_EQ(*KeysDelete(db(), {"s", "h"}), 2);
  EXPECT_EQ(Cached(db(), "s"), "<miss>");
  EXPECT_EQ(Cached(db(), "h"), "<miss>");
  EXPECT_FALSE(StringGet(db(), "s")->has_value());
}

TEST_F(HotTierEngineTest, AbsentKeysAreCachedAsNegativeEntries) {
  EXPECT_FALSE(StringGet(db(), "nope")->has_value());  // miss: fills a negative entry
  EXPECT_EQ(Cached(db(), "nope"), "");
  uint64_t hits = engine_->hot_tier().GetStats().hits;
  EXPECT_FALSE(StringGet(db(), "nope")->has_value());
  EXPECT_EQ(*KeyTypeOf(db(), "nope"), codec::KeyType::kNone);
  EXPECT_EQ(engine_->hot_tier().GetStats().hits, hits + 2);
  ASSERT_TRUE(StringSet(db(), "nope", "now", {}).ok());  // the write replaces it
  EXPECT_EQ(**StringGet(db(), "nope"), "now");
  ExpectCoherent(db(), "nope");
  ASSERT_EQ(*KeysDelete(db(), {"nope"}), 1);
  EXPECT_FALSE(StringGet(db(), "nope")->has_value());
  ASSERT_TRUE(HashSet(db(), "nope", {{"f", "1"}}, false).ok());
  EXPECT_EQ(*KeyTypeOf(db(), "nope"), codec::KeyType::kHash);
  // FLUSHDB drops negative entries too, and leaves the emptied database complete.
  EXPECT_FALSE(StringGet(db(), "other")->has_value());
  ASSERT_TRUE(engine_->FlushDb(db()).ok());
  EXPECT_EQ(engine_->hot_tier().GetStats().entries, 0u);
  EXPECT_TRUE(engine_->hot_tier().Complete(db().physical));
  EXPECT_EQ(Cached(db(), "other"), "");
}

TEST_F(HotTierEngineTest, TransactionsUpdateTheTierOnlyAtCommit) {
  ASSERT_TRUE(StringSet(db(), "a", "old", {}).ok());
  {
    Txn txn(engine_.get());
    ASSERT_TRUE(StringSet(db(), "a", "new", {}).ok());
    EXPECT_EQ(**StringGet(db(), "a"), "new");  // reads its own write, not the tier
    EXPECT_EQ(Cached(db(), "a"), codec::EncodeStringMeta(0, "old"));
    ASSERT_TRUE(txn.Commit().ok());
    EXPECT_EQ(Cached(db(), "a"), codec::EncodeStringMeta(0, "new"));
  }
  {
    Txn txn(engine_.get());
    ASSERT_TRUE(StringSet(db(), "a", "dropped", {}).ok());
  }  // never committed
  EXPECT_EQ(**StringGet(db(), "a"), "new");
  ExpectCoherent(db(), "a");
}

TEST_F(HotTierEngineTest, FlushDbClearsAndSwapDbKeepsPhysicalEntries) {
  ASSERT_TRUE(StringSet(db(0), "k", "zero", {}).ok());
  ASSERT_TRUE(StringSet(db(1), "k", "one", {}).ok());
  ASSERT_TRUE(engine_->SwapDb(0, 1).ok());
  EXPECT_EQ(**StringGet(db(0), "k"), "one");
  EXPECT_EQ(**StringGet(db(1), "k"), "zero");
  ASSERT_TRUE(engine_->FlushDb(db(0)).ok());
  EXPECT_EQ(Cached(db(0), "k"), "");  // the emptied database is complete
  EXPECT_FALSE(StringGet(db(0), "k")->has_value());
  EXPECT_EQ(**StringGet(db(1), "k"), "zero");
  ASSERT_TRUE(engine_->FlushAll().ok());
  EXPECT_EQ(engine_->hot_tier().GetStats().entries, 0u);
  EXPECT_FALSE(StringGet(db(1), "k")->has_value());
}

TEST_F(HotTierEngineTest, ReaperDeletesGoThrough) {
  SetOptions o;
  o.expire.mode = ExpireChange::Mode::kSetAt;
  o.expire.at_ms = NowMs() + 20;
  ASSERT_TRUE(StringSet(db(), "t", "v", o).ok());
  EXPECT_NE(Cached(db(), "t"), "<miss>");
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  EXPECT_FALSE(StringGet(db(), "t")->has_value());  // lazily expired, from the tier
  Reaper reaper(engine_.get());
  ASSERT_EQ(*reaper.RunOnce(100), 1);
  EXPECT_EQ(Cached(db(), "t"), "<miss>");
  EXPECT_EQ(Disk(db(), "t"), "<absent>");
}

TEST_F(HotTierEngineTest, RenameAndMoveStayCoherent) {
  ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
  ASSERT_TRUE(HashSet(db(), "h", {{"f", "1"}}, false).ok());
  ASSERT_TRUE(*KeyRename(db(), "a", "b", false));
  ASSERT_TRUE(*KeyRename(db(), "h", "h2", false));
  ASSERT_TRUE(*KeyMove(db(), "b", db(2)));
  for (const char* k : {"a", "b", "h", "h2"}) ExpectCoherent(db(), k);
  ExpectCoherent(db(2), "b");
  EXPECT_EQ(**StringGet(db(2), "b"), "1");
  EXPECT_FALSE(StringGet(db(), "a")->has_value());
}

TEST_F(HotTierEngineTest, DisabledTierStillServes) {
  engine_->hot_tier().SetCapacity(0);
  ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
  EXPECT_EQ(**StringGet(db(), "a"), "1");
  EXPECT_EQ(engine_->hot_tier().GetStats().entries, 0u);
  engine_->hot_tier().SetCapacity(1 << 20);
  EXPECT_EQ(**StringGet(db(), "a"), "1");  // miss, fill
  EXPECT_EQ(Cached(db(), "a"), Disk(db(), "a"));
}

// A warm-up installs its (possibly older) copies only where no write since BeginWarm has
// spoken, and completes the database only where nothing was lost.
TEST(HotTierCache, WarmUpKeepsWritesMadeMeanwhileAndCompletesTheDatabase) {
  HotTier t(1 << 20);
  t.Put(1, "cached", "new");
  t.BeginWarm(1);
  t.Put(1, "put", "new");  // written since: the warm-up's copies below are older
  t.Erase(1, "gone");
  using R = HotTier::WarmResult;
  EXPECT_EQ(t.WarmFill(1, "cached", "old"), R::kOk);
  EXPECT_EQ(t.WarmFill(1, "put", "old"), R::kOk);
  EXPECT_EQ(t.WarmFill(1, "gone", "old"), R::kOk);
  EXPECT_EQ(t.WarmFill(1, "plain", "v"), R::kOk);
  t.Erase(1, "plain");  // erased after its copy went in
  EXPECT_EQ(t.WarmFill(1, "other", "v"), R::kOk);
  EXPECT_FALSE(t.Complete(1));
  EXPECT_TRUE(t.EndWarm(1, true));
  EXPECT_EQ(Get(t, 1, "cached"), "new");
  EXPECT_EQ(Get(t, 1, "put"), "new");
  EXPECT_EQ(Get(t, 1, "gone"), "");
  EXPECT_EQ(Get(t, 1, "plain"), "");
  EXPECT_EQ(Get(t, 1, "other"), "v");
  EXPECT_EQ(Get(t, 1, "never"), "");  // complete
  EXPECT_EQ(Get(t, 0, "never"), "<miss>");
}

TEST(HotTierCache, WarmUpThatSawLessThanEverythingDoesNotComplete) {
  HotTier t(1 << 20);
  t.BeginWarm(1);
  EXPECT_EQ(t.WarmFill(1, "a", "v"), HotTier::WarmResult::kOk);
  EXPECT_FALSE(t.EndWarm(1, false));  // stopped before the end
  EXPECT_EQ(Get(t, 1, "a"), "v");     // what it loaded stays, as a cache
  EXPECT_EQ(Get(t, 1, "b"), "<miss>");
}

TEST(HotTierCache, WarmUpIsLostToEvictionsTooLargeRecordsAndFlushes) {
  {
    HotTier t(64 << 10);  // 4 KB per shard
    t.BeginWarm(1);
    for (int i = 0; i < 2000; ++i) t.Put(1, "r" + std::to_string(i), "v");  // evicts records
    EXPECT_EQ(t.WarmFill(1, "r0", "old"), HotTier::WarmResult::kLost);
    EXPECT_FALSE(t.EndWarm(1, true));
    EXPECT_EQ(Get(t, 1, "r0"), "<miss>");  // evicted, and the old copy did not come back
  }
  {
    HotTier t(1 << 20);
    t.BeginWarm(1);
    EXPECT_EQ(t.WarmFill(1, "big", std::string(HotTier::kMaxValueBytes + 1, 'v')),
              HotTier::WarmResult::kLost);
    EXPECT_FALSE(t.EndWarm(1, true));
  }
  {
    HotTier t(1 << 20);
    t.BeginWarm(1);
    t.ClearDb(1);  // FLUSHDB: the warm-up's copies predate it
    EXPECT_EQ(t.WarmFill(1, "a", "old"), HotTier::WarmResult::kLost);
    EXPECT_TRUE(t.EndWarm(1, true));  // complete, from the flush
    EXPECT_EQ(Get(t, 1, "a"), "");
  }
  {
    HotTier t(16 << 10);  // 1 KB per shard: a record larger than that is lost, not "full"
    t.BeginWarm(1);
    EXPECT_EQ(t.WarmFill(1, "wide", std::string(2048, 'v')), HotTier::WarmResult::kLost);
    EXPECT_EQ(t.WarmFill(1, "a", "v"), HotTier::WarmResult::kOk);  // other shards go on
    EXPECT_FALSE(t.WarmLost(1));
    t.ClearDb(1);
    EXPECT_TRUE(t.WarmLost(1));  // every shard: the warm-up can stop
    EXPECT_TRUE(t.EndWarm(1, true));
  }
  {
    HotTier t(16 << 10);  // 1 KB per shard: a warm-up never evicts, it stops
    t.BeginWarm(1);
    HotTier::WarmResult r = HotTier::WarmResult::kOk;
    for (int i = 0; i < 1000 && r == HotTier::WarmResult::kOk; ++i) {
      r = t.WarmFill(1, "k" + std::to_string(i), "v");
    }
    EXPECT_EQ(r, HotTier::WarmResult::kFull);
    EXPECT_EQ(t.GetStats().evictions, 0u);
    EXPECT_FALSE(t.EndWarm(1, false));
  }
}

// A fresh engine's databases are empty, so the tier starts with each of them complete.
class HotTierCompleteTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (engine_->hot_tier().capacity() == 0) GTEST_SKIP() << "the hot tier is off";
  }
  HotTier& tier() { return engine_->hot_tier(); }
};

TEST_F(HotTierCompleteTest, AbsentKeysAnswerFromTheTierUntilARecordIsTooLarge) {
  EXPECT_TRUE(tier().Complete(db(0).physical));
  EXPECT_TRUE(tier().Complete(db(5).physical));
  EXPECT_FALSE(StringGet(db(), "nope")->has_value());
  EXPECT_EQ(*KeyTypeOf(db(), "nope"), codec::KeyType::kNone);
  HotTier::Stats s = tier().GetStats();
  EXPECT_EQ(s.misses, 0u);
  EXPECT_EQ(s.entries, 0u);  // no negative entry was needed
  ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
  ASSERT_TRUE(HashSet(db(), "h", {{"f", "1"}}, false).ok());
  EXPECT_EQ(**StringGet(db(), "a"), "1");
  EXPECT_EQ(*KeyTypeOf(db(), "h"), codec::KeyType::kHash);
  // A record too large to cache stays in RocksDB only: the database is no longer complete, and
  // reads of it go there.
  const std::string big(HotTier::kMaxValueBytes + 1, 'b');
  ASSERT_TRUE(StringSet(db(), "big", big, {}).ok());
  EXPECT_FALSE(tier().Complete(db().physical));
  EXPECT_EQ(**StringGet(db(), "big"), big);
  EXPECT_EQ(**StringGet(db(), "a"), "1");
  EXPECT_TRUE(tier().Complete(db(1).physical));
  // Emptying it makes it complete again.
  ASSERT_TRUE(engine_->FlushDb(db()).ok());
  EXPECT_TRUE(tier().Complete(db().physical));
  EXPECT_FALSE(StringGet(db(), "big")->has_value());
  EXPECT_FALSE(StringGet(db(), "a")->has_value());
}

TEST_F(HotTierCompleteTest, EvictedRecordsAreReadFromRocksDB) {
  tier().SetCapacity(64 << 10);
  constexpr int kKeys = 3000;
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(StringSet(db(), "k" + std::to_string(i), "v" + std::to_string(i), {}).ok());
  }
  ASSERT_GT(tier().GetStats().evictions, 0u);
  EXPECT_FALSE(tier().Complete(db().physical));
  for (int i = 0; i < kKeys; ++i) {
    auto v = StringGet(db(), "k" + std::to_string(i));
    ASSERT_TRUE(v.ok() && v->has_value()) << i;
    ASSERT_EQ(**v, "v" + std::to_string(i));
  }
}

TEST_F(HotTierCompleteTest, OnlyEmptyDatabasesAreCompleteAfterAReopen) {
  ASSERT_TRUE(StringSet(db(0), "a", "1", {}).ok());
  ASSERT_TRUE(StringSet(db(2), "b", "2", {}).ok());
  ASSERT_TRUE(KeysDelete(db(2), {"b"}).ok());
  Reopen();
  if (tier().capacity() == 0) GTEST_SKIP() << "the hot tier is off";
  EXPECT_FALSE(tier().Complete(db(0).physical));
  EXPECT_TRUE(tier().Complete(db(1).physical));
  EXPECT_TRUE(tier().Complete(db(2).physical));
  EXPECT_EQ(**StringGet(db(0), "a"), "1");
  EXPECT_FALSE(StringGet(db(2), "b")->has_value());
}

TEST_F(HotTierCompleteTest, WarmUpAfterAReopenCompletesWhileWritersRun) {
  constexpr int kKeys = 70000;  // more than one iterator refresh (every 65,536 records)
  for (int i = 0; i < kKeys; i += 1000) {
    Txn txn(engine_.get());
    for (int j = i; j < i + 1000; ++j) {
      ASSERT_TRUE(StringSet(db(), "k" + std::to_string(j), "v" + std::to_string(j), {}).ok());
    }
    ASSERT_TRUE(txn.Commit().ok());
  }
  ASSERT_TRUE(HashSet(db(3), "h", {{"f", "1"}}, false).ok());
  Reopen();
  if (tier().capacity() == 0) GTEST_SKIP() << "the hot tier is off";
  // Writers change keys while the warm-up loads them, under key locks as the server takes them.
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([this, w] {
      for (int i = w; i < kKeys; i += 7) {
        const std::string k = "k" + std::to_string(i);
        KeyLocks::Guard g = engine_->locks().LockOne(db().physical, k);
        if (i % 2 == 0) {
          ASSERT_TRUE(KeysDelete(db(), {k}).ok());
        } else {
          ASSERT_TRUE(StringSet(db(), k, "w" + std::to_string(i), {}).ok());
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  engine_->JoinWarmUp();
  EXPECT_TRUE(tier().Complete(db().physical));
  EXPECT_TRUE(tier().Complete(db(3).physical));
  for (int i = 0; i < kKeys; ++i) {
    const std::string k = "k" + std::to_string(i);
    auto v = StringGet(db(), k);
    ASSERT_TRUE(v.ok()) << k;
    if (i % 7 < 2 && i % 2 == 0) {
      ASSERT_FALSE(v->has_value()) << k;
    } else {
      ASSERT_TRUE(v->has_value()) << k;
      ASSERT_EQ(**v, (i % 7 < 2 ? "w" : "v") + std::to_string(i)) << k;
    }
  }
  EXPECT_EQ(*KeyTypeOf(db(3), "h"), codec::KeyType::kHash);
  EXPECT_FALSE(StringGet(db(), "never")->has_value());
}

TEST_F(HotTierCompleteTest, OnlyReachableDatabasesWarmUp) {
  ASSERT_TRUE(StringSet(db(0), "a", "1", {}).ok());
  ASSERT_TRUE(StringSet(db(5), "b", "2", {}).ok());
  engine_.reset();
  EngineOptions o;
  o.storage.dir = dir_;
  o.databases = 2;  // database 5 is out of reach now
  auto e = Engine::Open(o);
  ASSERT_TRUE(e.ok());
  engine_ = std::move(e.value());
  engine_->JoinWarmUp();
  EXPECT_TRUE(tier().Complete(db(0).physical));
  EXPECT_FALSE(tier().Complete(5));
  EXPECT_EQ(tier().GetStats().entries, 1u);
}

TEST_F(HotTierCompleteTest, NoWarmUpWhenTheRecordsCannotFit) {
  ASSERT_TRUE(StringSet(db(), "a", "1", {}).ok());
  ASSERT_TRUE(StringSet(db(), "b", "2", {}).ok());
  engine_.reset();
  EngineOptions o;
  o.storage.dir = dir_;
  o.hot_tier_bytes = HotTier::ChargeOf("", "x");  // room for one key's record at most
  auto e = Engine::Open(o);
  ASSERT_TRUE(e.ok());
  engine_ = std::move(e.value());
  engine_->JoinWarmUp();
  EXPECT_FALSE(tier().Complete(db().physical));
  EXPECT_EQ(tier().GetStats().entries, 0u);
  EXPECT_EQ(**StringGet(db(), "b"), "2");
}

// ------------------------------------------------------- collection elements in the engine

// Small collections of every type, read whole and point-wise through the engine: each check
// reads twice with element caching on (a load, then hits) and once with it off (RocksDB), and
// the three must agree after every write path, including writes that leave the metadata record
// byte-for-byte unchanged (HSET over a field with a value of the same length, LSET, ZADD of a
// new score, SMOVE of a member into a set that loses another).
class HotTierElementsTest : public HotTierEngineTest {
 protected:
  void SetUp() override {
    HotTierEngineTest::SetUp();
    engine_->hot_tier().SetMaxCollectionBytes(16 << 10);
    ASSERT_TRUE(HashSet(db(), "h", {{"f1", "a"}, {"f2", "b"}, {"n", "1"}}, false).ok());
    ASSERT_TRUE(SetAdd(db(), "s", {"m1", "m2", "m3"}).ok());
    ASSERT_TRUE(ZSetAdd(db(), "z", {}, {{1, "a"}, {2, "b"}, {3, "c"}}).ok());
    ASSERT_TRUE(ListPush(db(), "l", ListEnd::kRight, {"x", "y", "z", "y"}, false).ok());
  }

  std::string Read() {
    std::string out;
    for (const char* k : {"h", "h3"}) {
      const FieldValues fvs = *HashGetAll(db(), k);
      for (const auto& [f, v] : fvs) out += f + "=" + v + ",";
      out += (*HashGet(db(), k, "f1")).value_or("-") + ";";
    }
    for (const char* k : {"s", "s2"}) {
      const std::vector<std::string> members = *SetMembers(db(), k);
      for (const auto& m : members) out += m + ",";
      out += std::to_string((*SetIsMember(db(), k, {"m1", "m4"}))[0]) + ";";
    }
    ZRangeSpec all;
    const std::vector<ScoredMember> range = *ZSetRange(db(), "z", all);
    for (const auto& sm : range) out += sm.member + std::to_string(sm.score);
    auto score = (*ZSetScores(db(), "z", {"b"}))[0];
    out += score ? std::to_string(*score) : "-";
    out += ";";
    const std::vector<std::string> elements = *ListRange(db(), "l", 0, -1);
    for (const auto& e : elements) out += e + ",";
    out += (*ListIndex(db(), "l", 1)).value_or("-");
    return out;
  }

  // `cached`: some collection exists, so the second read must hit.
  void Check(const std::string& what, bool cached = true) {
    const std::string loaded = Read();
    const uint64_t hits = engine_->hot_tier().GetStats().element_hits;
    const std::string again = Read();
    if (cached) {
      EXPECT_GT(engine_->hot_tier().GetStats().element_hits, hits) << what;
    }
    engine_->hot_tier().SetMaxCollectionBytes(0);
    const std::string disk = Read();
    engine_->hot_tier().SetMaxCollectionBytes(16 << 10);
    EXPECT_EQ(loaded, disk) << what;
    EXPECT_EQ(again, disk) << what;
  }
};

TEST_F(HotTierElementsTest, EveryWritePathDropsTheCachedElements) {
  Check("initial");
  ASSERT_TRUE(HashSet(db(), "h", {{"f1", "A"}}, false).ok());  // same size, same metadata
  Check("HSET existing field");
  ASSERT_TRUE(HashSet(db(), "h", {{"f9", "new"}}, false).ok());
  Check("HSET new field");
  ASSERT_TRUE(HashIncrBy(db(), "h", "n", 5).ok());
  Check("HINCRBY");
  ASSERT_TRUE(HashDelete(db(), "h", {"f2"}).ok());
  Check("HDEL");
  ASSERT_TRUE(SetAdd(db(), "s", {"m4"}).ok());
  Check("SADD");
  ASSERT_TRUE(SetRemove(db(), "s", {"m4"}).ok());
  Check("SREM");
  ASSERT_TRUE(SetAdd(db(), "s2", {"m9"}).ok());
  ASSERT_TRUE(SetMove(db(), "s", "s2", "m1").ok());
  Check("SMOVE");
  ASSERT_TRUE(SetPop(db(), "s2", 1).ok());
  Check("SPOP");
  ASSERT_TRUE(ZSetAdd(db(), "z", {}, {{5, "b"}}).ok());  // a new score, same size
  Check("ZADD existing member");
  ZAddOptions incr;
  incr.incr = true;
  ASSERT_TRUE(ZSetAdd(db(), "z", incr, {{-10, "c"}}).ok());
  Check("ZINCRBY");
  ASSERT_TRUE(ZSetRemove(db(), "z", {"a"}).ok());
  Check("ZREM");
  ZRangeSpec first;
  first.stop = 0;
  ASSERT_TRUE(ZSetRemoveRange(db(), "z", first).ok());
  Check("ZREMRANGEBYRANK");
  ASSERT_TRUE(ListSet(db(), "l", 1, "Y").ok());  // same metadata
  Check("LSET");
  ASSERT_TRUE(ListPush(db(), "l", ListEnd::kLeft, {"w"}, false).ok());
  Check("LPUSH");
  ASSERT_TRUE(ListPop(db(), "l", ListEnd::kRight, 1).ok());
  Check("RPOP");
  ASSERT_TRUE(ListInsert(db(), "l", true, "z", "q").ok());
  Check("LINSERT");
  ASSERT_TRUE(ListRemove(db(), "l", 0, "q").ok());
  Check("LREM");
  ASSERT_TRUE(ListTrim(db(), "l", 1, -1).ok());
  Check("LTRIM");
  ASSERT_TRUE(*KeyRename(db(), "h", "h3", false));
  Check("RENAME");
  ASSERT_TRUE(HashSet(db(), "h", {{"f1", "fresh"}}, false).ok());
  Check("recreate after RENAME");
  ASSERT_TRUE(*KeyCopy(db(), "h", db(), "h3", true));
  Check("COPY REPLACE");
  ASSERT_EQ(*KeysDelete(db(), {"s", "l"}), 2);
  Check("DEL");
  ASSERT_TRUE(SetAdd(db(), "s", {"m1"}).ok());
  ASSERT_TRUE(ListPush(db(), "l", ListEnd::kRight, {"again"}, false).ok());
  Check("recreate after DEL");
  ASSERT_TRUE(*KeySetExpire(db(), "z", NowMs() - 1, ExpireCondition::kAlways));
  Check("EXPIRE in the past");
  ASSERT_TRUE(engine_->FlushDb(db()).ok());
  Check("FLUSHDB", false);
}

// Every command rewrites the metadata too today, which alone replaces the entry; this pins the
// second line of defence: a batch that writes only subkeys still drops the cached elements.
TEST_F(HotTierElementsTest, SubkeyWritesWithoutAMetadataWriteDropToo) {
  Check("initial");
  KeyRecord rec;
  ASSERT_TRUE(engine_->Lookup(db(), "h", &rec).ok());
  Batch batch(engine_.get());
  CollectionWriter writer(&batch, db(), "h", rec.meta);
  writer.Put("f1", "Z");
  ASSERT_TRUE(batch.Commit().ok());
  Check("subkey-only write");
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "Z");
}

// HSET reads the field it overwrites; if that read loaded the hash, every write would rescan it.
TEST_F(HotTierElementsTest, WritesAloneNeverLoadTheCollection) {
  const uint64_t used = engine_->hot_tier().GetStats().used_bytes;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(HashSet(db(), "h", {{"f1", std::to_string(i)}}, false).ok());
    ASSERT_TRUE(HashGet(db(), "h", "f1").ok());  // one read between writes: noted only
  }
  EXPECT_EQ(engine_->hot_tier().GetStats().element_hits, 0u);
  EXPECT_EQ(engine_->hot_tier().GetStats().used_bytes, used);
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "19");  // the second read loads
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "19");
  EXPECT_GT(engine_->hot_tier().GetStats().element_hits, 0u);
}

TEST_F(HotTierElementsTest, LazyExpiryHidesCachedElements) {
  Check("initial");
  ASSERT_TRUE(*KeySetExpire(db(), "h", NowMs() + 30, ExpireCondition::kAlways));
  Check("EXPIRE");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(HashGetAll(db(), "h")->empty());
  EXPECT_FALSE(HashGet(db(), "h", "f1")->has_value());
  ASSERT_TRUE(HashSet(db(), "h", {{"f1", "new"}}, false).ok());
  Check("recreated after expiry");
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "new");
}

TEST_F(HotTierElementsTest, TransactionsBypassAndDropAtCommit) {
  Check("initial");
  {
    Txn txn(engine_.get());
    ASSERT_TRUE(HashSet(db(), "h", {{"f1", "T"}}, false).ok());
    EXPECT_EQ(**HashGet(db(), "h", "f1"), "T");  // its own write, not the tier's copy
    ASSERT_TRUE(ListSet(db(), "l", 0, "T").ok());
    EXPECT_EQ(**ListIndex(db(), "l", 0), "T");
    ASSERT_TRUE(txn.Commit().ok());
  }
  Check("after commit");
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "T");
  {
    Txn txn(engine_.get());
    ASSERT_TRUE(HashSet(db(), "h", {{"f1", "U"}}, false).ok());
  }  // discarded
  Check("after discard");
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "T");
}

TEST_F(HotTierElementsTest, LargeCollectionsStayMetadataOnly) {
  engine_->hot_tier().SetMaxCollectionBytes(HotTier::ElementsCharge(3, 64));
  std::vector<std::pair<std::string, std::string>> fields;
  for (int i = 0; i < 10; ++i) fields.emplace_back("f" + std::to_string(i), "v");
  FieldValueViews views(fields.begin(), fields.end());
  ASSERT_TRUE(HashSet(db(), "big", views, false).ok());
  EXPECT_EQ(HashGetAll(db(), "big")->size(), 10u);
  const uint64_t hits = engine_->hot_tier().GetStats().element_hits;
  EXPECT_EQ(HashGetAll(db(), "big")->size(), 10u);
  EXPECT_EQ(**HashGet(db(), "big", "f3"), "v");
  EXPECT_EQ(engine_->hot_tier().GetStats().element_hits, hits);
  // "h" (3 fields of 2+1 bytes) fits: noted, loaded, then hit.
  EXPECT_EQ(HashGetAll(db(), "h")->size(), 3u);
  EXPECT_EQ(HashGetAll(db(), "h")->size(), 3u);
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "a");
  EXPECT_GT(engine_->hot_tier().GetStats().element_hits, hits);
}

TEST_F(HotTierElementsTest, ConcurrentWritersAndReadersStayCoherent) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      KeyLocks::Guard g = engine_->locks().LockOne(db().physical, "h");
      (void)HashSet(db(), "h", {{"f1", std::to_string(i % 10)}}, false);
    }
    stop = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop) (void)HashGet(db(), "h", "f1");
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "9");
  engine_->hot_tier().SetMaxCollectionBytes(0);
  EXPECT_EQ(**HashGet(db(), "h", "f1"), "9");
}

}  // namespace
}  // namespace basalt::engine
