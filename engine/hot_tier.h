// The hot tier: an in-RAM cache of metadata records (the `meta` column family's values: for a
// string the value itself, for a collection its metadata) and, for small collections, of their
// elements, keyed by (physical db, user key), so that a hit answers GET/EXISTS/TYPE/TTL, every
// collection's metadata lookup and every element read of a small collection (HGET, HGETALL,
// SISMEMBER, SMEMBERS, ZSCORE, ZRANGE, LINDEX, LRANGE, ...) without touching RocksDB. It is a
// cache only: an entry is never the only copy of anything.
//
// Structure: kNumShards shards chosen by the top bits of the key's hash; each shard is a mutex,
// an open-addressing hash table of {full hash, entry pointer} slots indexed by the hash's low
// bits (linear probing, backward-shift deletion, so there are no tombstones and a probe ends at
// the first empty slot; a probe compares the stored hash before it touches an entry), and an
// intrusive FIFO list of its entries in insertion order. Every entry is in both or in neither.
// An entry is one allocation: a small header, the key, then the value with some spare capacity,
// so that a hit costs the slot, the entry and a copy of its value, and a Put whose value fits the
// capacity overwrites it in place.
//
// Eviction is second chance (CLOCK) rather than strict LRU: a hit only sets the entry's
// `referenced` flag, so reads never relink the list. To make room, the shard looks at the FIFO
// head: a referenced entry has its flag cleared and moves to the tail, an unreferenced one is
// evicted. A Put over a cached key counts as a use: when the new value fits the entry's
// capacity it is written in place and the entry keeps its place with `referenced` set; when it
// needs a larger (or a much smaller) block, the new block enters at the tail like a new entry.
// New entries (Put of an uncached key, Fill) enter at the tail unreferenced, after room has been
// made, so an insert never evicts the entry it adds. A shard's `usage` is the sum of its
// entries' charges and never exceeds its share of the capacity once the call that changed it
// returns: inserts and SetCapacity evict until it fits.
//
// Negative entries: an empty value means "RocksDB holds no record for this key" (every real
// record is at least 10 bytes). They follow the same rules as any entry: a miss that finds nothing
// fills one (with the generation check), and the write that creates the key replaces it.
//
// Charge of an entry: what it really costs: the malloc chunk of its block (header + key + value
// capacity, rounded as glibc rounds it) + kMapSlotBytes for its share of the slot table, plus its
// cached elements if any, so `used_bytes` tracks what the tier really holds, not just payload.
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
// Complete databases: while a shard knows that it holds every record of a physical database
// under its keys, a miss there answers "no record" at once, without RocksDB (a GET of an absent
// key, the metadata read of a write that creates a key). The engine marks a database complete
// when it is empty: at open (MarkEmpty) and after FLUSHDB (ClearDb). The mark goes, for good,
// as soon as a record of that database is evicted or cannot be cached (too large: Put of such a
// value, Forget; a disabled tier). Negative entries may be evicted freely. Writers keep the mark
// true by the write-through above: a record enters RocksDB only with its Put, under the key
// lock. A reader that misses between a writer's commit and its Put answers "absent", as it
// would have answered before the write: the writer has not replied yet.
//
// Collection elements (the second step): an entry whose record is a collection's metadata may also
// hold that collection version's subkeys, per subkey column family (data; zscore for sorted
// sets), decoded into an immutable, sorted Elements list that readers share by shared_ptr, so
// a hit costs no copy. Only collections whose counted size (ElementsCharge: subkey and value
// bytes + kElementOverhead each) is at most `max_collection_bytes` are loaded; larger ones are
// remembered as such for their version and read from RocksDB (its block cache) as before. A
// collection is loaded only at its second element miss since the last write to it: the first
// only takes note. Writes read elements too (HSET checks whether the field exists) and drop them
// at commit, so loading at every first miss would rescan a collection on every write to it.
// Elements live and die with their metadata entry: Put, Erase, ClearDb and eviction drop them,
// and DropElements drops them alone (bumping the generation) for writes that rewrite subkeys
// without changing the metadata (HSET over an existing field, LSET, ZADD of a new score): the
// engine calls it for every batch that writes any subkey of the key (CollectionWriter). Element
// fills use the same FillToken protocol and install only when the entry's metadata still names
// the same version, so the invariant above covers them too. Their bytes count in the entry's
// charge.
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
#include <utility>
#include <vector>

namespace basalt::engine {

class HotTier {
 public:
  static constexpr int kNumShardBits = 4;
  static constexpr int kNumShards = 1 << kNumShardBits;
  static constexpr int kGenSlots = 256;  // generation slots per shard
  // An entry's share of its shard's slot table: a slot is 16 bytes (hash, entry pointer) and a
  // table that doubles at 70% load runs between 35% and 70% full, so an entry holds about two.
  static constexpr uint64_t kMapSlotBytes = 32;
  // Records larger than this are never cached (a hit copies the value under the shard mutex;
  // large values gain little over RocksDB's block cache anyway).
  static constexpr uint64_t kMaxValueBytes = 256 << 10;

  // Per-element bookkeeping counted against the collection threshold and the budget (two
  // string_views in the items vector plus slack).
  static constexpr uint64_t kElementOverhead = 40;

  // The subkey column families whose elements can be cached.
  enum class ElementCf : uint8_t { kData = 0, kZScore = 1 };
  static constexpr int kNumElementCfs = 2;

  // One collection version's subkeys of one column family, in byte order. Immutable once
  // published; `items` view into `buf`, so it is neither copyable nor movable.
  struct Elements {
    uint64_t version = 0;
    std::string buf;
    std::vector<std::pair<std::string_view, std::string_view>> items;  // (subkey, value)

    Elements() = default;
    Elements(const Elements&) = delete;
    Elements& operator=(const Elements&) = delete;
  };
  using ElementsPtr = std::shared_ptr<const Elements>;
  // What a list of `count` elements of `bytes` subkey+value bytes counts.
  static uint64_t ElementsCharge(uint64_t count, uint64_t bytes) {
    return count * kElementOverhead + bytes;
  }

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
    uint64_t element_hits = 0;    // collection element reads answered from the tier
    uint64_t element_misses = 0;  // ... that went to RocksDB (including uncacheable ones)
  };

  // `capacity_bytes` = 0 disables the tier (every Lookup misses, nothing is stored).
  explicit HotTier(uint64_t capacity_bytes, uint64_t max_collection_bytes = 0);
  ~HotTier();
  HotTier(const HotTier&) = delete;
  HotTier& operator=(const HotTier&) = delete;

  // On a hit copies the record into *value and returns true (an empty value: the key is known
  // to be absent). On a miss returns false and sets
  // *token for a later Fill.
  bool Lookup(uint8_t db, std::string_view key, std::string* value, FillToken* token);
  // Starts loading the table slots, then the entries, of `keys` into the CPU cache, so that a
  // pipeline of commands about to look them up finds them there: n independent memory loads
  // overlap instead of running one after another. Changes nothing a lookup answers.
  void Prefetch(uint8_t db, const std::string_view* keys, size_t n);
  // Installs `value` read from RocksDB after the miss that produced `token`, unless a Put, Erase
  // or ClearDb touched the key's generation slot since.
  void Fill(uint8_t db, std::string_view key, std::string_view value, const FillToken& token);

  // Write-through. REQUIRES: the new state is committed in RocksDB and the caller still holds the
  // key's stripe lock. Put stores `value` (or drops the entry if it is too large to cache).
  void Put(uint8_t db, std::string_view key, std::string_view value);
  // Erase: the key was deleted. Forget: its record stays in RocksDB but will not be cached (too
  // large), so its database is no longer complete.
  void Erase(uint8_t db, std::string_view key);
  void Forget(uint8_t db, std::string_view key);
  // Drops every entry of physical database `db` (FLUSHDB) and marks it complete. REQUIRES: the
  // flush is committed and no writer of `db` runs until this returns.
  void ClearDb(uint8_t db);
  // Marks physical database `db` complete. REQUIRES: RocksDB holds no record of `db`, the tier
  // none of its keys, and no writer of `db` runs until this returns.
  void MarkEmpty(uint8_t db);
  // Whether every shard holds `db` complete (tests and INFO).
  bool Complete(uint8_t db);

  // Warm-up after a restart: loads a database's records from a RocksDB snapshot taken after
  // BeginWarm, without evicting anything, and marks the database complete in every shard where
  // nothing got in the way (a record of it evicted or too large, FLUSHDB, a full shard) if the
  // caller saw every record. Writers and readers run as usual meanwhile: a key written since
  // BeginWarm keeps what the writer left. One warm-up per database at a time.
  enum class WarmResult { kOk, kLost, kFull };  // kFull: the tier has no room; stop
  void BeginWarm(uint8_t db);
  WarmResult WarmFill(uint8_t db, std::string_view key, std::string_view value);
  // Whether no shard can end the warm-up of `db` complete any more.
  bool WarmLost(uint8_t db);
  // Returns whether `db` is now complete in every shard.
  bool EndWarm(uint8_t db, bool complete);

  // Collection elements. On a hit sets *elems to the cached subkeys of version `version` of
  // `key`'s `cf` and returns true. On a miss returns false; token->valid then says whether the
  // caller should load the elements and FillElements (the metadata entry is cached, names
  // `version`, the collection is not known to be over the threshold, and this is not the
  // first miss since the last write).
  bool LookupElements(uint8_t db, std::string_view key, ElementCf cf, uint64_t version,
                      ElementsPtr* elems, FillToken* token);
  // Installs `elems` (version elems->version) read after the miss that produced `token`, unless
  // the generation moved or the entry's metadata no longer names that version. A null `elems`
  // records that version `version` is over the threshold (no more load attempts until a write).
  void FillElements(uint8_t db, std::string_view key, ElementCf cf, uint64_t version,
                    ElementsPtr elems, const FillToken& token);
  // Write-through for subkey writes. REQUIRES: as for Put. Drops `key`'s cached elements.
  void DropElements(uint8_t db, std::string_view key);

  // `hot-tier-max-collection-bytes`: the largest collection (ElementsCharge) whose elements are
  // cached; 0 caches metadata only. Lowering it drops the cached elements now over the limit.
  void SetMaxCollectionBytes(uint64_t bytes);
  uint64_t max_collection_bytes() const {
    return max_collection_bytes_.load(std::memory_order_relaxed);
  }

  // Changes the budget; shrinking evicts at once. 0 disables (and empties) the tier.
  void SetCapacity(uint64_t bytes);
  uint64_t capacity() const { return capacity_.load(std::memory_order_relaxed); }
  Stats GetStats() const;
  void ResetStats();

  // The charge of an entry for (db, key) -> value: what it adds to used_bytes.
  static uint64_t ChargeOf(std::string_view key, std::string_view value);

 private:
  struct Entry;
  class Table;
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
  std::atomic<uint64_t> max_collection_bytes_;
  std::array<std::unique_ptr<Shard>, kNumShards> shards_;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_HOT_TIER_H_
