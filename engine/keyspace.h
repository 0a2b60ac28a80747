// The keyspace: Basalt's engine entry point. It owns Storage and the key locks, maps logical
// databases (SELECT n) to physical ones (the db byte in every RocksDB key), reads metadata with
// lazy expiry, and funnels every write through Batch so that the expire index, the per-database
// key counters (and later the hot tier and keyspace events) stay in step with the data.
//
// Logical -> physical mapping: SWAPDB swaps two entries of a persisted map instead of moving
// any data, so it costs one write.
//
// Thread-safety: Engine is thread-safe. Callers follow the locking protocol of key_locks.h:
// a write holds the world lock shared (exclusive for whole-database commands) and the stripes
// of every key it writes for as long as it reads-then-writes them.
#ifndef BASALT_ENGINE_KEYSPACE_H_
#define BASALT_ENGINE_KEYSPACE_H_

#include <rocksdb/write_batch.h>

#include <array>
#include <atomic>
#include <bitset>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "codec/metadata.h"
#include "engine/end_hints.h"
#include "engine/hot_tier.h"
#include "engine/key_locks.h"
#include "engine/status.h"
#include "engine/storage.h"

namespace basalt::engine {

constexpr int kMaxDatabases = 255;

struct EngineOptions {
  StorageOptions storage;
  int databases = 16;  // `databases`: logical databases, 1..255
  // `hot-tier-max-memory`: byte budget of the in-RAM tier of metadata records (hot_tier.h).
  // 0 disables it. Default: 256 MiB. Changeable at runtime (Engine::hot_tier().SetCapacity).
  uint64_t hot_tier_bytes = 256ull << 20;
  // `hot-tier-max-collection-bytes`: collections whose elements count at most this many bytes
  // (HotTier::ElementsCharge: subkey + value bytes + 40 per element) are cached whole, larger
  // ones by metadata only. 0 caches metadata only. Default: 16 KiB (about Redis's listpack
  // limits: 128 fields of ~80 bytes, or a few hundred small members). Changeable at runtime
  // (HotTier::SetMaxCollectionBytes; lowering it drops the elements now over the limit).
  uint64_t hot_tier_collection_bytes = 16ull << 10;
  // Load the records of a restarted data directory back into the hot tier in the background
  // (Engine::WarmUp). Tools that open a directory for one pass turn it off.
  bool warm_up = true;
};

// Milliseconds since the unix epoch.
uint64_t NowMs();

// What a meta lookup found. `present` means a record exists on disk; `expired` that it exists
// but its deadline has passed (it is absent to every command, yet still counted by DBSIZE
// until the reaper or a write removes it, as in Redis).
struct KeyRecord {
  bool present = false;
  bool expired = false;
  std::string raw;       // the encoded record
  codec::Metadata meta;  // views into `raw` (do not copy a KeyRecord; move it)

  bool live() const { return present && !expired; }
  codec::KeyType type() const { return live() ? meta.type : codec::KeyType::kNone; }

  KeyRecord() = default;
  KeyRecord(const KeyRecord&) = delete;
  KeyRecord& operator=(const KeyRecord&) = delete;
  KeyRecord(KeyRecord&& other) noexcept { *this = std::move(other); }
  KeyRecord& operator=(KeyRecord&& other) noexcept;
};

class Engine;

// A key a committed batch wrote: its logical database (SELECT number), its name, and the type
// it holds afterwards (KeyType::kNone when the batch deleted it).
struct WrittenKey {
  int db;
  std::string key;
  codec::KeyType type;
  bool created = false;  // the key did not exist (or had expired) before this write
};

// Watches writes on behalf of server/ (clients blocked on keys, WATCH). The engine calls every
// observer on the writing thread, right after the write reached RocksDB and while the writer
// still holds the stripe locks of the keys it wrote.
//
// Thread-safety: callbacks run concurrently on any thread that writes.
class KeyObserver {
 public:
  virtual ~KeyObserver() = default;
  // Whether batches should record the keys they write. Read on every write: keep it cheap.
  virtual bool Interested() const = 0;
  virtual void KeysWritten(const std::vector<WrittenKey>& keys) = 0;
  // Every key of logical database `db` may have changed at once (FLUSHDB, FLUSHALL, SWAPDB).
  // Called with the world lock held exclusively.
  virtual void DbReplaced(int db) = 0;
  // Expirations (keyspace `expired` events): a Lookup, by a command or by the reaper, found
  // `key` of logical database `db` past its deadline `expire_at_ms`. The same expiration may
  // be reported more than once (every lookup until the key is removed). Only called while
  // WantsExpired() (read on such lookups: keep it cheap).
  virtual bool WantsExpired() const { return false; }
  virtual void Expired(int /*db*/, std::string_view /*key*/, uint64_t /*expire_at_ms*/) {}
  // A read found no live key (a keyspace miss). Called only while WantsMisses().
  virtual bool WantsMisses() const { return false; }
  virtual void KeyMissed(int /*db*/, std::string_view /*key*/) {}
};

// What a committed write changes outside RocksDB: the in-memory key counters, the number of
// keys written (INFO rdb_changes_since_last_save) and the keys the observers are told of.
// A Batch collects them and applies them when it commits; inside a transaction (txn.h) they
// are gathered from every batch and applied once, when the transaction commits.
//
// `tier` lists the metadata records written (and the keys whose subkeys were written), in order,
// for the hot tier's write-through: they are applied after the batch (or the transaction's one
// batch) is in RocksDB, while the writer still holds the key locks, so the tier never shows a write
// RocksDB does not hold, nor misses one.
struct WriteEffects {
  struct Delta {
    uint8_t physical;
    int64_t keys;
    int64_t expires;
  };
  std::vector<Delta> deltas;
  int64_t keys_written = 0;
  std::vector<WrittenKey> written;  // only while an observer is interested
  struct TierOp {
    // kErase: the key was deleted; kForget: its new record is too large to cache.
    enum class Kind : uint8_t { kPut, kErase, kForget, kDropElements };
    uint8_t physical;
    Kind kind;
    std::string key;
    std::string record;  // the new metadata record (kPut only)
  };
  std::vector<TierOp> tier;

  void Count(uint8_t physical, int64_t keys, int64_t expires);
  void Absorb(WriteEffects&& other);
  void Clear();
};

class Txn;

// The whole-database operations a transaction staged (FLUSHDB, FLUSHALL, SWAPDB), applied by
// its Commit before its other staged writes, in the same WriteBatch.
struct DbOps {
  std::bitset<256> flushed;  // physical databases emptied
  bool remapped = false;     // SWAPDB staged: `map` replaces the database map
  std::array<uint8_t, kMaxDatabases> map{};
  std::vector<int> replaced;  // logical databases to report replaced to the observers

  bool empty() const { return flushed.none() && !remapped; }
  void Clear() { *this = DbOps(); }
};

// A database as one command sees it.
struct Db {
  Engine* engine;
  int index;         // logical number (SELECT)
  uint8_t physical;  // db byte in RocksDB keys
};

class Engine {
 public:
  static StatusOr<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine();

  Storage& storage() { return *storage_; }
  KeyLocks& locks() { return locks_; }
  // Where the live ends of sorted sets lie, for ZPOPMIN/ZPOPMAX (end_hints.h).
  EndHints& zset_hints() { return zset_hints_; }
  // Where the first and last members of large sets lie, for sampling them (end_hints.h).
  EndHints& set_hints() { return set_hints_; }
  int databases() const { return databases_; }

  // REQUIRES: 0 <= index < databases(). Stable while the world lock is held (any mode). Inside
  // a transaction that staged a SWAPDB, the map as it will be once the transaction commits.
  Db db(int index);

  // Reads a key's record. kOk with rec->present == false when there is none. Answers from the
  // hot tier when it can; a thread inside a transaction (txn.h) bypasses the tier, because the
  // tier holds only the latest committed state.
  Status Lookup(const Db& db, std::string_view key, KeyRecord* rec);
  // Hints that `keys` of `db` are about to be looked up (a pipeline of commands): their hot
  // tier entries are prefetched into the CPU cache. Changes no answer.
  void Prefetch(const Db& db, const std::string_view* keys, size_t n) {
    hot_tier_->Prefetch(db.physical, keys, n);
  }

  // The in-RAM tier of metadata records and small collections' elements. Only the engine writes
  // it (Batch, Txn, FlushDb, the warm-up).
  HotTier& hot_tier() { return *hot_tier_; }
  // Waits for the warm-up that Open started (if any) to end.
  void JoinWarmUp();

  // Adds an observer of writes. REQUIRES: called before any write; `observer` outlives the
  // engine.
  void AddObserver(KeyObserver* observer) { observers_.push_back(observer); }
  bool Observed() const;

  // The logical number of a physical database (-1 if none maps to it).
  int LogicalOf(uint8_t physical) const;

  // A fresh collection version: monotonic microseconds << 11 | counter.
  uint64_t NewVersion();

  // Read statistics (INFO keyspace_hits/misses) and the number of keys written since start
  // (INFO rdb_changes_since_last_save is derived from it).
  // Counts a read of `key` that found it live (hit) or not; a miss is reported to observers.
  void CountRead(const Db& db, std::string_view key, bool hit) {
    (hit ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
    if (!hit) ReportMissed(db, key);
  }
  int64_t hits() const { return hits_.load(); }
  int64_t misses() const { return misses_.load(); }
  int64_t changes() const { return changes_.load(); }
  void ResetReadStats() {
    hits_.store(0);
    misses_.store(0);
  }

  // Keys (including expired-but-unreaped ones) and keys with a TTL, per logical db.
  int64_t KeyCount(const Db& db) const;
  // Keys with a TTL in a physical database (the reaper visits those with any).
  int64_t ExpiresCountPhysical(uint8_t physical) const { return expires_count_[physical].load(); }
  int64_t ExpiresCount(const Db& db) const;

  // Whole-database operations. REQUIRE: the world lock held exclusively. Inside a transaction
  // (txn.h) they are staged like any write and commit in its one WriteBatch.
  Status FlushDb(const Db& db);
  Status FlushAll();
  Status SwapDb(int a, int b);

 private:
  friend class Batch;
  friend class Txn;
  Engine() = default;
  Status LoadReserved(int databases);
  // Loads the records of physical databases `dbs` into the hot tier, from a background thread
  // that Open starts, so that a restarted server's tier is warm and, when a database fits,
  // complete (hot_tier.h) again.
  void WarmUp(const std::vector<uint8_t>& dbs);
  // Adds the persisted counter updates of `effects` (Merge operands) to `batch`.
  void AppendCounterMerges(const WriteEffects& effects, rocksdb::WriteBatchBase* batch);
  // Applies `effects` once their batch is in RocksDB: counters, changes, observers. Clears it.
  void Publish(WriteEffects* effects);
  void NotifyDbReplaced(int db);
  // Writes a transaction's staged batch after its whole-database operations, as one WriteBatch,
  // then applies both (counters, hot tier, database map, observers).
  Status CommitWithDbOps(rocksdb::WriteBatch* staged, DbOps* ops, WriteEffects* effects);
  // Tells the observers that want expirations that `key` was found expired.
  void ReportExpired(const Db& db, std::string_view key, uint64_t expire_at_ms);
  void ReportMissed(const Db& db, std::string_view key);

  std::unique_ptr<Storage> storage_;
  std::unique_ptr<HotTier> hot_tier_;
  KeyLocks locks_;
  EndHints zset_hints_;
  EndHints set_hints_;
  int databases_ = 16;
  std::array<std::atomic<uint8_t>, kMaxDatabases> physical_{};
  // The calling thread's transaction's database map after its staged SWAPDBs (nullptr: none).
  static thread_local const std::array<uint8_t, kMaxDatabases>* txn_map_;
  std::array<std::atomic<int64_t>, kMaxDatabases + 1> key_count_{};      // by physical db
  std::array<std::atomic<int64_t>, kMaxDatabases + 1> expires_count_{};  // by physical db
  std::atomic<uint64_t> last_version_{0};
  std::atomic<int64_t> hits_{0}, misses_{0}, changes_{0};
  std::vector<KeyObserver*> observers_;
  std::atomic<bool> stop_warm_up_{false};
  std::thread warm_up_;
};

// One atomic write: collects metadata, subkeys, expire-index entries and counter deltas, and
// commits them in one RocksDB WriteBatch. While a transaction is active on the calling thread
// (txn.h), Commit hands everything to the transaction instead of writing it.
class Batch {
 public:
  explicit Batch(Engine* engine) : engine_(engine) {}

  // Writes `encoded` as the metadata of `key`, whose previous record is `old` (as returned by
  // Lookup; it may be absent or expired). Keeps the expire index and counters in step.
  // REQUIRES: `old.raw` is exactly what this thread's view holds for `key` now: a record equal
  // to it is not written again when the batch writes something else (its effects still are).
  void PutKey(const Db& db, std::string_view key, const KeyRecord& old, const std::string& encoded,
              uint64_t expire_at_ms);
  // Removes `key` (whose record is `old`, which must be present). Collection subkeys become
  // garbage through the version scheme.
  void DeleteKey(const Db& db, std::string_view key, const KeyRecord& old);

  // Records that this batch writes subkeys of `key`, so that its cached elements are dropped at
  // commit even when the metadata record does not change. CollectionWriter calls it; any other
  // code that writes subkeys through raw() must too.
  void TouchElements(const Db& db, std::string_view key);

  rocksdb::WriteBatch* raw() { return &batch_; }
  bool empty() const { return batch_.Count() == 0; }
  Status Commit();

 private:
  // Remembers a written key for the observers; `encoded` is its new record (empty: deleted).
  void Record(const Db& db, std::string_view key, std::string_view encoded, bool created);
  // Whether this batch already wrote or deleted the record of `key`.
  bool WritesKey(const Db& db, std::string_view key) const;

  Engine* engine_;
  rocksdb::WriteBatch batch_;
  WriteEffects effects_;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_KEYSPACE_H_
