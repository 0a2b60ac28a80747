// The hot tier: an in-RAM cache of metadata records (the `meta` column family's values: for a
// string the value itself, for a collection its metadata), keyed by (physical db, user key), so
// that a hit answers GET/EXISTS/TYPE/TTL and every collection's metadata lookup without touching
// RocksDB. It is a cache only: an entry is never the only copy of anything.
//
// Structure (after LevelDB's util/cache.cc): kNumShards shards chosen by the key's hash; each
// shard is a mutex, a hash map from key to entry, and an intrusive doubly linked LRU list whose
// head is the least recently used entry. Every entry is in both or in neither. A shard's `usage`
// is the sum of its entries' charges and never exceeds its share of the capacity once the call
// that changed it returns: inserts and SetCapacity evict from the LRU head until it fits.
//
// Negative entries: an empty value means "RocksDB holds no record for this key" (every real
// record is at least 10 bytes). They follow the same rules as any entry: a miss that finds nothing
// fills one (with the generation check), and the write that creates the key replaces it.
//
// Charge of an entry: key bytes + value bytes (heap parts only when they do not fit in the
// string's inline buffer) + sizeof(Entry) + the hash map's node and bucket (kMapSlotBytes), so
// `used_bytes` tracks what the tier really holds, not just payload.
//
// Consistency protocol (the invariant the engine keeps: outside a key lock, a cached entry equals
// what RocksDB holds, or is absent):
//   - Writers call Put or Erase after their WriteBatch is in RocksDB and before they release the
//     key's stripe lock. Both always act (overwrite or remove) and bump the generation of the
//     key's generation slot, under the shard mutex.
//   - A reader that misses gets a FillToken (the slot's generation, read under the shard mutex in
//     the same critical section as the miss), reads RocksDB, then calls Fill, which installs the
//     value only if the slot's generation is unchanged. A reader whose RocksDB read predates a
//     write either fills before that write's Put/Erase (which then overwrites or removes it) or
//     after it (the generation moved, so the fill is dropped). It can never leave the older value
//     behind. Unrelated keys sharing a slot only cost a skipped fill.
//   - ClearDb (FLUSHDB) bumps every slot of every shard while it clears, for the same reason.
//
// Thread-safety: all methods are thread-safe. Locking of keys is the caller's business; the tier
// takes only its shard mutexes, never while calling out.
#ifndef BASALT_ENGINE_HOT_TIER_H_
#define BASALT_ENGINE_HOT_TIER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace basalt::engine {

class HotTier {
 public:
  static constexpr int kNumShardBits = 4;
  static constexpr int kNumShards = 1 << kNumShardBits;
  static constexpr int kGenSlots = 256;  // generation slots per shard
  // Per-entry bookkeeping outside the Entry struct: an unordered_map node (next pointer, cached
  // hash, key view, entry pointer) plus its bucket pointer, and malloc's headers.
  static constexpr uint64_t kMapSlotBytes = 64;
  // Records larger than this are never cached (a hit copies the value under the shard mutex;
  // large values gain little over RocksDB's block cache anyway).
  static constexpr uint64_t kMaxValueBytes = 256 << 10;

  // What a miss hands to Fill.
  struct FillToken {
    uint64_t generation = 0;
    bool valid = false;  // false: the tier is disabled or the key too large; Fill does nothing
  };

  struct Stats {
    uint64_t used_bytes = 0;
    uint64_t capacity = 0;
    uint64_t entries = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
  };

  // `capacity_bytes` = 0 disables the tier (every Lookup misses, nothing is stored).
  explicit HotTier(uint64_t capacity_bytes);
  ~HotTier();
  HotTier(const HotTier&) = delete;
  HotTier& operator=(const HotTier&) = delete;

  // On a hit copies the record into *value and returns true (an empty value: the key is known
  // to be absent). On a miss returns false and sets
  // *token for a later Fill.
  bool Lookup(uint8_t db, std::string_view key, std::string* value, FillToken* token);
  // Installs `value` read from RocksDB after the miss that produced `token`, unless a Put, Erase
  // or ClearDb touched the key's generation slot since.
  void Fill(uint8_t db, std::string_view key, std::string_view value, const FillToken& token);

  // Write-through. REQUIRES: the new state is committed in RocksDB and the caller still holds the
  // key's stripe lock. Put stores `value` (or drops the entry if it is too large to cache).
  void Put(uint8_t db, std::string_view key, std::string_view value);
  void Erase(uint8_t db, std::string_view key);
  // Drops every entry of physical database `db` (FLUSHDB). REQUIRES: the flush is committed.
  void ClearDb(uint8_t db);

  // Changes the budget; shrinking evicts at once. 0 disables (and empties) the tier.
  void SetCapacity(uint64_t bytes);
  uint64_t capacity() const { return capacity_.load(std::memory_order_relaxed); }
  Stats GetStats() const;
  void ResetStats();

  // The charge of an entry for (db, key) -> value: what it adds to used_bytes.
  static uint64_t ChargeOf(std::string_view key, std::string_view value);

 private:
  struct Entry;
  class Shard;

  // Key as stored: db:u8 | user_key. Short keys are composed on the stack (no allocation on the
  // hit path).
  class TierKey {
   public:
    TierKey(uint8_t db, std::string_view key);
    TierKey(const TierKey&) = delete;  // view_ may point into small_
    TierKey& operator=(const TierKey&) = delete;
    std::string_view view() const { return view_; }

   private:
    char small_[64];
    std::string large_;
    std::string_view view_;
  };
  static uint64_t Hash(std::string_view k);
  Shard& ShardOf(uint64_t hash) { return *shards_[hash >> (64 - kNumShardBits)]; }

  std::mutex resize_mu_;  // serializes SetCapacity, so all shards end with the same share
  std::atomic<uint64_t> capacity_;
  std::array<std::unique_ptr<Shard>, kNumShards> shards_;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_HOT_TIER_H_
