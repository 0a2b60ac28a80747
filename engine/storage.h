// Storage owns the RocksDB instance: it opens the data directory with Basalt's column families
// and options, checks the FormatDescriptor, commits write batches with the configured
// durability, and makes checkpoints. It is the only file that converts rocksdb::Status.
//
// Column families (see DESIGN.md "RocksDB layout"):
//   default  reserved records: format descriptor, db map, key counters
//   meta     db | user_key -> metadata (strings: the value itself)
//   data     collection subkeys
//   zscore   sorted-set score index
//   expire   db | expire_at_ms | user_key -> "" (active-expiry index)
//
// Thread-safety: all methods are safe to call from any thread; RocksDB serialises writes.
#ifndef BASALT_ENGINE_STORAGE_H_
#define BASALT_ENGINE_STORAGE_H_

#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <bitset>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "engine/range_compactor.h"
#include "engine/status.h"

namespace basalt::engine {

class SubkeyFilterFactory;

// appendfsync: when an acknowledged write reaches stable storage.
enum class SyncMode {
  kAlways,    // every write batch is fsynced before it is acknowledged
  kEverySec,  // WAL written on every batch (survives kill -9), fsynced once a second
  kNo,        // WAL written on every batch, fsync left to the OS
};

// rocksdb-compression: how table files are compressed. Every level uses the same codec except
// in kZstd, where the bottommost level (most of the data) trades read speed for size.
enum class Compression {
  kLz4,   // LZ4 everywhere: a point read that misses the block cache decompresses fast
  kZstd,  // LZ4 above the bottommost level, ZSTD on it: smaller, slower reads past the cache
  kNone,  // no compression
};

// How Storage opens a data directory.
enum class OpenMode {
  kReadWrite,  // the server: takes RocksDB's LOCK, creates the directory if missing
  kReadOnly,   // nothing is written; fails if another process could be changing the files
               // underneath (use on a stopped directory or a checkpoint)
  kSecondary,  // a RocksDB secondary instance: safe beside a running server that holds the
               // LOCK; sees the data as of Open (plus any TryCatchUp). Writes nothing into `dir`.
};

struct StorageOptions {
  std::string dir;                              // data directory; created if missing
  uint64_t block_cache_bytes = 256ull << 20;    // rocksdb-block-cache-size, shared by all CFs
  uint64_t write_buffer_bytes = 64ull << 20;    // rocksdb-write-buffer-size, per CF memtable
  SyncMode sync_mode = SyncMode::kEverySec;     // appendfsync
  Compression compression = Compression::kLz4;  // rocksdb-compression, for new table files
  int databases = 16;                           // recorded in the FormatDescriptor on create
  bool read_only = false;                       // open without writing anything (kReadOnly)
  OpenMode mode = OpenMode::kReadWrite;         // kReadOnly also when `read_only` is set
  // The RocksDB directory; empty = `dir` + "/db". A checkpoint (dir/checkpoints/...) is a
  // RocksDB directory itself.
  std::string db_path;
  // kSecondary: a scratch directory for the secondary's own info log; required.
  std::string secondary_path;
  std::string created_by = "basalt";  // recorded in the FormatDescriptor on create
  // The Env RocksDB works through; nullptr = the default. Tests pass one that injects faults.
  rocksdb::Env* env = nullptr;
  // Told (from any thread) when writes stop on a disk error (`error` true) and when they
  // resume, with a message for the server's log. Optional.
  std::function<void(bool error, const std::string& message)> log;
};

// The on-disk format this build reads and writes.
constexpr uint32_t kFormatVersion = 1;

// Converts a RocksDB status into ours. The only place that does.
Status FromRocks(const rocksdb::Status& s);

// How the current thread reads, when it should not simply read the latest committed state:
// through the pending writes of a transaction (engine/txn.h), so that a transaction reads its
// own writes. Installed for a scope by Txn; every engine read (Storage::Get,
// Storage::NewIterator) honours it.
struct ReadView {
  rocksdb::WriteBatchWithIndex* pending = nullptr;  // nullptr: no transaction
  // With `pending`: physical databases the transaction emptied (FLUSHDB). Their records in the
  // column families keyed by database are read from `pending` only.
  const std::bitset<256>* flushed = nullptr;
};

class Storage {
 public:
  // Opens or creates the directory. Fails with kCorruption (and a clear message) for a
  // directory whose FormatDescriptor this build does not understand.
  static StatusOr<std::unique_ptr<Storage>> Open(const StorageOptions& options);
  ~Storage();  // stops the fsync ticker, syncs the WAL, closes the database

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* reserved() { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* meta() { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* data() { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* zscore() { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* expire() { return handles_[4]; }

  // Commits `batch` atomically. The WAL record stays in RocksDB's user-space buffer until
  // HandOffWal (or the ticker) runs: the server hands off once per pipelined batch of
  // commands, before their replies leave, which turns N write() syscalls into one.
  // While the data directory cannot be written (disk_error()), fails with kDiskError and
  // writes nothing; each call first tries, at most every kResumeInterval, to resume.
  Status Write(rocksdb::WriteBatch* batch);
  // Making committed writes as durable as appendfsync promises, before acknowledging them, in
  // two halves so that a caller can wait for the fsync elsewhere while it goes on serving.
  // HandOffWal hands buffered WAL bytes to the OS (survives kill -9; all that `everysec` and
  // `no` ask) and reports what the second half must do: under `always`, SyncWal (callable from
  // any thread) fsyncs everything handed off so far. After a disk error, HandOffWal fails
  // (kDiskError) if writes the caller acknowledges may not be safe: those the calling thread
  // committed since its last call, and those up to `foreign_seq` (0: none), which other threads
  // made on the caller's behalf (a script's writes, a blocked client's pop served elsewhere). A
  // caller with no such writes (all failed) gets OK and had_writes false, so its error replies go.
  struct HandOff {
    bool sync = false;        // appendfsync always: SyncWal before acknowledging
    bool had_writes = false;  // there were writes to acknowledge (see above)
  };
  Status HandOffWal(uint64_t foreign_seq, HandOff* out);
  // The newest write the calling thread committed since its last HandOffWal or
  // ForgetThreadWrites (0: none): what a thread that made writes for another thread's client
  // passes on as that one's `foreign_seq`.
  static uint64_t ThreadWriteSeq();
  // For a thread that never hands off (a script executor), before each task: ThreadWriteSeq()
  // then names only the writes made for that task.
  static void ForgetThreadWrites();
  Status SyncWal();
  // appendfsync always: whether some committed write has not yet been fsynced. A reply sent
  // now may show such a write, so, as in Redis (whose every reply waits for the fsync of its
  // event loop iteration), it must wait for an fsync first. False after a disk error, when
  // reads are served as they are. When true, *latest is the newest write's sequence number
  // (the newest the reply may show).
  bool HasUnsyncedWrites(uint64_t* latest) const {
    if (sync_mode_.load(std::memory_order_relaxed) != SyncMode::kAlways || read_only_ ||
        disk_error()) {
      return false;
    }
    *latest = LatestSequence();
    return *latest > synced_seq_.load(std::memory_order_acquire);
  }
  // The sequence number of the newest committed write.
  uint64_t LatestSequence() const { return db_->GetLatestSequenceNumber(); }
  // Whether writes are refused because the data directory could not be written (disk full,
  // I/O error). Reads keep working. Cleared when RocksDB resumes (DB::Resume), which Write and
  // the ticker retry until the disk takes writes again.
  bool disk_error() const { return disk_error_.load(std::memory_order_acquire); }
  // Point read. kNotFound if absent. Honours the thread's ReadView.
  Status Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string* value);
  // An iterator over `cf` that honours the thread's ReadView (the transaction's pending writes
  // merged over the database, iterate_upper_bound applied to both). Every engine iterator is
  // made here. The caller owns it; it must not outlive the ReadView it was made under.
  std::unique_ptr<rocksdb::Iterator> NewIterator(rocksdb::ReadOptions ro,
                                                 rocksdb::ColumnFamilyHandle* cf);

  // The calling thread's read view (default: latest committed, no transaction).
  static ReadView& ThreadView();
  // True when `view` hides the database record `key` of `cf` (a FLUSHDB in its transaction).
  bool HidesDatabase(const ReadView& view, rocksdb::ColumnFamilyHandle* cf, std::string_view key);
  // The column family whose id is `id` (nullptr if none): used to replay a WriteBatch.
  rocksdb::ColumnFamilyHandle* FamilyById(uint32_t id);

  // Flushes and fsyncs the WAL now (SAVE, SHUTDOWN).
  Status Sync();
  // Compacts every column family down to the bottom level now, dropping garbage subkeys and
  // tombstones (the COMPACT command). Blocks until done.
  Status CompactAll();
  // Asks for [begin, end) of `cf` to be compacted soon, in the background, because reads there
  // step over many tombstones (range_compactor.h). Does nothing on a read-only Storage.
  void CompactRangeSoon(rocksdb::ColumnFamilyHandle* cf, std::string begin, std::string end);
  // Such compactions completed so far.
  uint64_t range_compactions() const;
  // Creates a RocksDB checkpoint (hard links) at `path`, which must not exist.
  Status Checkpoint(const std::string& path);

  SyncMode sync_mode() const { return sync_mode_.load(); }
  void set_sync_mode(SyncMode mode);
  const std::string& dir() const { return dir_; }
  uint32_t databases_at_create() const { return databases_at_create_; }

  // Approximate memory held by memtables and the block cache, in bytes.
  uint64_t MemoryUsage();
  // Its two parts: bytes in the block cache, and in every column family's memtables.
  uint64_t BlockCacheUsage() const;
  uint64_t MemtableUsage();
  uint64_t block_cache_capacity() const;
  void SetBlockCacheCapacity(uint64_t bytes);
  // Total size of live SST files plus WAL, in bytes.
  uint64_t DiskUsage();

 private:
  Storage() = default;
  Status CheckFormat(const StorageOptions& options);
  void TickerLoop();
  void StartTicker();
  void StopTicker();
  // Flushes (and with `sync` fsyncs) the WAL unless writes are stopped by a disk error.
  // REQUIRES: wal_mu_ not held.
  Status FlushWal(bool sync);
  // Records a failed write or WAL flush: writes stop until TryResume succeeds.
  void EnterDiskError(const rocksdb::Status& s);
  // Asks RocksDB to resume after a disk error (at most every kResumeInterval unless `force`).
  // True if writes are allowed again.
  bool TryResume(bool force);

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  std::shared_ptr<SubkeyFilterFactory> filter_;
  std::unique_ptr<RangeCompactor> compactor_;  // null when read-only
  std::atomic<SyncMode> sync_mode_{SyncMode::kEverySec};
  uint32_t databases_at_create_ = 16;
  bool read_only_ = false;

  // Disk errors. RocksDB stops writes after a failed WAL or table write (a "background
  // error"); the WAL writer that failed must then not be touched again until DB::Resume
  // replaced it (RocksDB asserts on it otherwise). So WAL flushes take wal_mu_ exclusively and
  // writes (and fsyncs) take it shared: a flush never runs while a write may be failing, and
  // none runs after one failed. wal_mu_ before resume_mu_.
  std::shared_mutex wal_mu_;
  std::atomic<bool> disk_error_{false};
  std::function<void(bool, const std::string&)> log_;
  std::string disk_error_text_;           // guarded by resume_mu_
  std::atomic<uint64_t> durable_seq_{0};  // every write up to it reached the OS
  std::atomic<uint64_t> synced_seq_{0};   // ... and was fsynced
  std::mutex resume_mu_;
  std::chrono::steady_clock::time_point last_resume_;  // guarded by resume_mu_

  // everysec fsync ticker
  std::thread ticker_;
  std::mutex ticker_mu_;
  std::condition_variable ticker_cv_;
  bool ticker_stop_ = false;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_STORAGE_H_
