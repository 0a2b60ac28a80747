#include "engine/storage.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "codec/key_format.h"
#include "codec/proto/format.pb.h"
#include "engine/compaction_filter.h"
#include "engine/info_log.h"

namespace basalt::engine {

namespace {

// RocksDB's info log is rotated (to LOG.old) past this size.
constexpr uint64_t kInfoLogMaxBytes = 64ull << 20;

constexpr char kFormatKey[] =
    "\x01"
    "format";
// Column families by handle index. The first is RocksDB's default one, spelled out: its name
// constant (rocksdb::kDefaultColumnFamilyName) is a global string that another translation
// unit's static initialization may reach before it is constructed (so it does with a static
// librocksdb).
const char* const kCfNames[] = {"default", "meta", "data", "zscore", "expire"};

// Adds little-endian int64 deltas: the reserved CF holds per-database key counters that every
// write batch adjusts with a Merge, so the counts commit atomically with the keys they count.
class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    int64_t sum = Decode(value);
    if (existing != nullptr) sum += Decode(*existing);
    new_value->clear();
    codec::PutFixed64LE(new_value, static_cast<uint64_t>(sum));
    return true;
  }
  const char* Name() const override { return "BasaltInt64Add"; }

 private:
  static int64_t Decode(const rocksdb::Slice& s) {
    if (s.size() != 8) return 0;
    return static_cast<int64_t>(codec::DecodeFixed64LE(s.data()));
  }
};

rocksdb::BlockBasedTableOptions TableOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                             bool whole_key_bloom) {
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned index and filters: a point lookup loads one ~4 KB partition of each instead of
  // a table's whole index (~0.5 MB for a 64 MB table) and filter (~1 MB). With whole blocks, a
  // block cache smaller than all indexes and filters together (20M keys: ~40 MB of them beside a
  // 64 MB cache) thrashed on uniform reads, each GET re-reading a megabyte. The top-level
  // blocks (a few KB per table) stay pinned; partitions are cached with high priority.
  t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  t.partition_filters = true;
  t.metadata_block_size = 4096;
  t.pin_top_level_index_and_filter = true;
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.whole_key_filtering = whole_key_bloom;
  t.format_version = 5;
  return t;
}

rocksdb::ColumnFamilyOptions BaseCfOptions(const StorageOptions& o) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = o.write_buffer_bytes;
  cf.level_compaction_dynamic_level_bytes = true;
  switch (o.compression) {
    case Compression::kLz4:
      cf.compression = rocksdb::kLZ4Compression;
      break;
    case Compression::kZstd:
      cf.compression = rocksdb::kLZ4Compression;
      cf.bottommost_compression = rocksdb::kZSTD;
      break;
    case Compression::kNone:
      cf.compression = rocksdb::kNoCompression;
      break;
  }
  return cf;
}

std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors(
    const StorageOptions& o, const std::shared_ptr<rocksdb::Cache>& cache,
    const std::shared_ptr<SubkeyFilterFactory>& filter) {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  rocksdb::ColumnFamilyOptions reserved = BaseCfOptions(o);
  reserved.merge_operator = std::make_shared<Int64AddOperator>();
  reserved.write_buffer_size = 4 << 20;
  out.emplace_back(kCfNames[0], reserved);

  rocksdb::ColumnFamilyOptions meta = BaseCfOptions(o);
  meta.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache, true)));
  meta.optimize_filters_for_hits = false;
  // Every write reads its key's metadata first; a bloom over the memtable's keys answers most
  // lookups of new keys without searching the skiplist.
  meta.memtable_whole_key_filtering = true;
  meta.memtable_prefix_bloom_size_ratio = 0.02;
  out.emplace_back(kCfNames[1], meta);

  // Subkeys share the 1 + 4 + keylen + 8 byte prefix of their key; a fixed 5-byte prefix
  // (db + keylen) is what a plain SliceTransform can extract without parsing, so the data and
  // zscore CFs use whole-key blooms for point lookups and rely on bounded iteration for scans.
  for (int i = 2; i <= 3; ++i) {
    rocksdb::ColumnFamilyOptions c = BaseCfOptions(o);
    c.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache, true)));
    c.compaction_filter_factory = filter;
    if (i == 2) {
      // Element writes (HSET, SADD, ZADD) look their element up first, as writes do their key
      // (the zscore CF is only ever walked by iterators, which a bloom does not help).
      c.memtable_whole_key_filtering = true;
      c.memtable_prefix_bloom_size_ratio = 0.02;
    }
    out.emplace_back(kCfNames[i], c);
  }
  rocksdb::ColumnFamilyOptions expire = BaseCfOptions(o);
  expire.write_buffer_size = 8 << 20;
  expire.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache, false)));
  out.emplace_back(kCfNames[4], expire);
  return out;
}

// Applies an upper bound to an iterator over a transaction's pending writes merged with the
// database: RocksDB 7.8's merged iterator bounds only its base, so staged keys at or beyond
// the bound would otherwise show (a scan of one database would walk into the next).
class UpperBounded : public rocksdb::Iterator {
 public:
  UpperBounded(rocksdb::Iterator* it, std::string upper) : it_(it), upper_(std::move(upper)) {}

  bool Valid() const override { return it_->Valid() && it_->key().compare(upper_) < 0; }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { SeekForPrev(upper_); }
  void Seek(const rocksdb::Slice& target) override { it_->Seek(target); }
  void SeekForPrev(const rocksdb::Slice& target) override {
    it_->SeekForPrev(target);
    while (it_->Valid() && it_->key().compare(upper_) >= 0) it_->Prev();
  }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  rocksdb::Slice key() const override { return it_->key(); }
  rocksdb::Slice value() const override { return it_->value(); }
  rocksdb::Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string upper_;
};

// Hides the records of the databases a transaction emptied from the database iterator under its
// merged view. Those records are contiguous (keys start with the physical database byte), so
// the iterator seeks past them instead of stepping over them.
class HideFlushed : public rocksdb::Iterator {
 public:
  HideFlushed(rocksdb::Iterator* it, const std::bitset<256>& flushed)
      : it_(it), flushed_(flushed) {}

  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override {
    it_->SeekToFirst();
    SkipForward();
  }
  void SeekToLast() override {
    it_->SeekToLast();
    SkipBackward();
  }
  void Seek(const rocksdb::Slice& target) override {
    it_->Seek(target);
    SkipForward();
  }
  void SeekForPrev(const rocksdb::Slice& target) override {
    it_->SeekForPrev(target);
    SkipBackward();
  }
  void Next() override {
    it_->Next();
    SkipForward();
  }
  void Prev() override {
    it_->Prev();
    SkipBackward();
  }
  rocksdb::Slice key() const override { return it_->key(); }
  rocksdb::Slice value() const override { return it_->value(); }
  rocksdb::Status status() const override { return it_->status(); }

 private:
  int HiddenDb() const {
    if (!it_->Valid() || it_->key().empty()) return -1;
    uint8_t p = static_cast<uint8_t>(it_->key()[0]);
    return flushed_.test(p) ? p : -1;
  }
  void SkipForward() {
    // Physical databases are below kMaxDatabases (255), so p + 1 still fits the byte.
    for (int p = HiddenDb(); p >= 0; p = HiddenDb()) {
      it_->Seek(std::string(1, static_cast<char>(p + 1)));
    }
  }
  void SkipBackward() {
    for (int p = HiddenDb(); p >= 0; p = HiddenDb()) {
      // Every key of database p is greater than the one-byte string "p"; a record whose key is
      // exactly that byte would be hidden too, so step before it as well.
      it_->SeekForPrev(std::string(1, static_cast<char>(p)));
      if (it_->Valid() && it_->key().size() == 1 && static_cast<uint8_t>(it_->key()[0]) == p) {
        it_->Prev();
      }
    }
  }

  std::unique_ptr<rocksdb::Iterator> it_;
  const std::bitset<256>& flushed_;
};

}  // namespace

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound();
  if (s.IsCorruption()) return Status::Corruption(s.ToString());
  if (s.IsIOError()) return Status::IOError(s.ToString());
  if (s.IsBusy() || s.IsTryAgain()) return Status(Code::kBusy, s.ToString());
  return Status::InvalidArgument(s.ToString());
}

StatusOr<std::unique_ptr<Storage>> Storage::Open(const StorageOptions& options) {
  std::unique_ptr<Storage> st(new Storage());
  st->dir_ = options.dir;
  const OpenMode mode = options.read_only ? OpenMode::kReadOnly : options.mode;
  st->read_only_ = mode != OpenMode::kReadWrite;
  st->sync_mode_ = options.sync_mode;
  st->log_ = options.log;
  // Half of the cache is reserved for high-priority entries (index and filter partitions), so a
  // scan of data blocks cannot evict them.
  st->block_cache_ = rocksdb::NewLRUCache(options.block_cache_bytes, -1, false, 0.5);

  std::error_code ec;
  if (!st->read_only_) std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::IOError("cannot create " + options.dir + ": " + ec.message());

  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.max_background_jobs = 4;
  dbo.bytes_per_sync = 1 << 20;
  dbo.keep_log_file_num = 5;
  dbo.max_total_wal_size = 4 * options.write_buffer_bytes + (64 << 20);
  dbo.enable_pipelined_write = false;
  // WAL bytes are handed to the OS by HandOffWal, once per batch of pipelined commands.
  dbo.manual_wal_flush = true;
  if (options.env != nullptr) dbo.env = options.env;

  std::string db_path = options.db_path.empty() ? options.dir + "/db" : options.db_path;
  if (mode == OpenMode::kReadWrite) {
    // RocksDB's own LOG writer aborts the process on a second failed write (disk full).
    std::filesystem::create_directories(db_path, ec);
    dbo.info_log = std::make_shared<InfoLog>(db_path + "/LOG", kInfoLogMaxBytes);
  }
  if (st->read_only_) {
    // Open refuses what is not a RocksDB directory rather than creating one.
    dbo.create_if_missing = false;
    dbo.create_missing_column_families = false;
    if (!std::filesystem::exists(db_path + "/CURRENT", ec)) {
      return Status::InvalidArgument(db_path +
                                     " is not a Basalt data directory (no RocksDB CURRENT file)");
    }
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  st->filter_ = std::make_shared<SubkeyFilterFactory>();
  auto descriptors = Descriptors(options, st->block_cache_, st->filter_);
  if (mode == OpenMode::kReadOnly) {
    s = rocksdb::DB::OpenForReadOnly(dbo, db_path, descriptors, &st->handles_, &raw);
  } else if (mode == OpenMode::kSecondary) {
    // A secondary must keep every table file open: the primary may delete a file (after a
    // compaction) that the secondary's view still refers to.
    dbo.max_open_files = -1;
    s = rocksdb::DB::OpenAsSecondary(dbo, db_path, options.secondary_path, descriptors,
                                     &st->handles_, &raw);
  } else {
    s = rocksdb::DB::Open(dbo, db_path, descriptors, &st->handles_, &raw);
  }
  if (!s.ok()) return FromRocks(s);
  st->db_.reset(raw);
  // Recovery flushed what the WAL held into synced table files: everything is durable now, and
  // HasUnsyncedWrites must not hold the first reads under `always` for an fsync of nothing.
  st->durable_seq_ = st->synced_seq_ = raw->GetLatestSequenceNumber();
  st->filter_->SetDb(raw, st->meta());
  BASALT_RETURN_IF_ERROR(st->CheckFormat(options));
  if (!st->read_only_) {
    st->StartTicker();
    st->compactor_ = std::make_unique<RangeCompactor>(raw);
  }
  return st;
}

Status Storage::CheckFormat(const StorageOptions& options) {
  std::string raw;
  Status s = Get(reserved(), kFormatKey, &raw);
  codec::proto::FormatDescriptor fd;
  if (s.IsNotFound()) {
    if (read_only_) return Status::Corruption("data directory has no Basalt format descriptor");
    fd.set_format_version(kFormatVersion);
    fd.set_databases(options.databases);
    fd.set_created_by(options.created_by);
    fd.set_created_at_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
    std::string out;
    if (!fd.SerializeToString(&out)) return Status::Corruption("cannot encode format descriptor");
    BASALT_RETURN_IF_ERROR(
        FromRocks(db_->Put(rocksdb::WriteOptions(), reserved(), kFormatKey, out)));
    BASALT_RETURN_IF_ERROR(FromRocks(db_->FlushWAL(true)));
    databases_at_create_ = options.databases;
    return Status::OK();
  }
  if (!s.ok()) return s;
  if (!fd.ParseFromString(raw)) return Status::Corruption("unreadable format descriptor");
  if (fd.format_version() != kFormatVersion) {
    return Status::Corruption("data directory has format version " +
                              std::to_string(fd.format_version()) + "; this build reads version " +
                              std::to_string(kFormatVersion));
  }
  databases_at_create_ = fd.databases();
  return Status::OK();
}

Storage::~Storage() {
  compactor_.reset();
  StopTicker();
  // Compactions (and their filters, which read through db_) stop before anything is torn down.
  if (db_ != nullptr) rocksdb::CancelAllBackgroundWork(db_.get(), true);
  if (filter_ != nullptr) filter_->ClearDb();
  if (db_ != nullptr && !read_only_ && !disk_error()) {
    db_->FlushWAL(true).PermitUncheckedError();
  }
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  handles_.clear();
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

namespace {

// How often a write (or the ticker) asks RocksDB to resume after a disk error.
constexpr auto kResumeInterval = std::chrono::milliseconds(100);

// The newest sequence number this thread committed and has not yet seen made durable (0:
// none). A worker thread calls HandOffWal once per loop iteration for every connection that
// wrote in it (group commit), so this covers all of them: on a disk error they are all refused.
thread_local uint64_t tl_pending_seq = 0;

// Test hook: BASALT_TEST_FSYNC_DELAY_MS stretches every WAL fsync (the group commit's and the
// ticker's) by that many milliseconds, so that e2e tests can act while one is in flight. Unset
// in production: no delay.
int64_t TestFsyncDelayMs() {
  static const int64_t ms = [] {
    const char* v = std::getenv("BASALT_TEST_FSYNC_DELAY_MS");
    return v == nullptr ? int64_t{0} : std::max<int64_t>(0, std::atoll(v));
  }();
  return ms;
}

// What a client is told when its write cannot be stored.
std::string DiskErrorText(const rocksdb::Status& s) {
  // A background error (a failed flush) may come back wrapped, e.g. as "Result incomplete: IO
  // error: No space left on device: ...".
  if (s.IsNoSpace() || s.ToString().find("No space left on device") != std::string::npos) {
    return "No space left on device";
  }
  return s.ToString();
}

}  // namespace

Status Storage::Write(rocksdb::WriteBatch* batch) {
  if (disk_error() && !TryResume(false)) {
    std::lock_guard<std::mutex> l(resume_mu_);
    return Status(Code::kDiskError, disk_error_text_);
  }
  rocksdb::Status s;
  {
    std::shared_lock<std::shared_mutex> l(wal_mu_);
    s = db_->Write(rocksdb::WriteOptions(), batch);
    if (s.ok()) {
      tl_pending_seq = db_->GetLatestSequenceNumber();
      return Status::OK();
    }
  }
  if (!s.IsIOError() && !s.IsIncomplete() && !disk_error()) return FromRocks(s);
  // The WAL (or, earlier, a flush) failed: RocksDB has stopped writes.
  EnterDiskError(s);
  return Status(Code::kDiskError, DiskErrorText(s));
}

uint64_t Storage::ThreadWriteSeq() { return tl_pending_seq; }

void Storage::ForgetThreadWrites() { tl_pending_seq = 0; }

Status Storage::HandOffWal(uint64_t foreign_seq, HandOff* out) {
  *out = HandOff();
  if (read_only_) return Status::OK();
  const uint64_t pending = std::max(tl_pending_seq, foreign_seq);
  tl_pending_seq = 0;
  out->had_writes = pending != 0;
  if (!disk_error()) {
    Status s = FlushWal(false);
    if (s.ok()) {
      out->sync = sync_mode_.load(std::memory_order_relaxed) == SyncMode::kAlways;
      return Status::OK();
    }
    if (pending == 0) return Status::OK();
    return s;
  }
  // The writes are safe if they reached the OS (and, under `always`, were fsynced) before the
  // error.
  const bool always = sync_mode_.load(std::memory_order_relaxed) == SyncMode::kAlways;
  if (pending <= (always ? synced_seq_ : durable_seq_).load()) return Status::OK();
  return Status(Code::kDiskError, "writes committed before a disk error may not be durable");
}

Status Storage::SyncWal() {
  if (read_only_) return Status::OK();
  const uint64_t seq = durable_seq_.load();  // handed to the OS, so covered by the fsync
  if (const int64_t delay = TestFsyncDelayMs(); delay > 0) {
    // A slow fsync: it covers what was handed off when it began. Not under the lock, which
    // would stall hand-offs meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  std::shared_lock<std::shared_mutex> l(wal_mu_);
  if (disk_error()) return Status(Code::kDiskError, "writes are stopped");
  rocksdb::Status s = db_->SyncWAL();
  if (!s.ok()) {
    EnterDiskError(s);
    return Status(Code::kDiskError, DiskErrorText(s));
  }
  uint64_t synced = synced_seq_.load();
  while (seq > synced && !synced_seq_.compare_exchange_weak(synced, seq)) {
  }
  return Status::OK();
}

// The flush (user-space WAL buffer to the OS) runs with writes excluded, so it never touches a
// WAL writer that a failing write just broke. The fsync that may follow runs beside writes, as
// RocksDB intends, so writes do not wait for the disk.
Status Storage::FlushWal(bool sync) {
  {
    std::unique_lock<std::shared_mutex> l(wal_mu_);
    if (disk_error()) return Status(Code::kDiskError, "writes are stopped");
    const uint64_t seq = db_->GetLatestSequenceNumber();
    rocksdb::Status s = db_->FlushWAL(false);
    if (!s.ok()) {
      EnterDiskError(s);
      return Status(Code::kDiskError, DiskErrorText(s));
    }
    if (seq > durable_seq_.load()) durable_seq_.store(seq);
  }
  return sync ? SyncWal() : Status::OK();
}

void Storage::EnterDiskError(const rocksdb::Status& s) {
  std::lock_guard<std::mutex> l(resume_mu_);
  if (!disk_error()) {
    disk_error_text_ = DiskErrorText(s);
    last_resume_ = std::chrono::steady_clock::now();
    disk_error_.store(true, std::memory_order_release);
    if (log_) log_(true, "writes stopped: cannot write the data directory: " + s.ToString());
  }
}

bool Storage::TryResume(bool force) {
  std::unique_lock<std::shared_mutex> wal(wal_mu_);
  std::lock_guard<std::mutex> l(resume_mu_);
  if (!disk_error()) return true;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_resume_ < kResumeInterval) return false;
  last_resume_ = now;
  // Resume flushes every memtable to a table file and starts a new WAL, so every write
  // committed so far is durable once it succeeds.
  const uint64_t seq = db_->GetLatestSequenceNumber();
  rocksdb::Status s = db_->Resume();
  if (!s.ok()) return false;
  durable_seq_.store(seq);
  synced_seq_.store(seq);
  disk_error_.store(false, std::memory_order_release);
  if (log_) log_(false, "the data directory takes writes again: writes resumed");
  return true;
}

ReadView& Storage::ThreadView() {
  thread_local ReadView view;
  return view;
}

Status Storage::Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string* value) {
  const ReadView& view = ThreadView();
  rocksdb::ReadOptions ro;
  rocksdb::Slice k(key.data(), key.size());
  if (view.pending != nullptr) {
    if (HidesDatabase(view, cf, key)) {
      return FromRocks(view.pending->GetFromBatch(cf, db_->GetDBOptions(), k, value));
    }
    return FromRocks(view.pending->GetFromBatchAndDB(db_.get(), ro, cf, k, value));
  }
  return FromRocks(db_->Get(ro, cf, k, value));
}

std::unique_ptr<rocksdb::Iterator> Storage::NewIterator(rocksdb::ReadOptions ro,
                                                        rocksdb::ColumnFamilyHandle* cf) {
  const ReadView& view = ThreadView();
  rocksdb::Iterator* base = db_->NewIterator(ro, cf);
  if (view.pending == nullptr) return std::unique_ptr<rocksdb::Iterator>(base);
  if (view.flushed != nullptr && view.flushed->any() && cf != reserved()) {
    base = new HideFlushed(base, *view.flushed);
  }
  // The batch index was built with overwrite_key=true, so the merged iterator shows one entry
  // per key. It may keep a pointer to its options, so they live on the heap until it is
  // destroyed.
  auto* opts = new rocksdb::ReadOptions(ro);
  rocksdb::Iterator* it = view.pending->NewIteratorWithBase(cf, base, opts);
  it->RegisterCleanup([](void* a, void*) { delete static_cast<rocksdb::ReadOptions*>(a); }, opts,
                      nullptr);
  if (ro.iterate_upper_bound == nullptr) return std::unique_ptr<rocksdb::Iterator>(it);
  return std::make_unique<UpperBounded>(it, ro.iterate_upper_bound->ToString());
}

bool Storage::HidesDatabase(const ReadView& view, rocksdb::ColumnFamilyHandle* cf,
                            std::string_view key) {
  return view.flushed != nullptr && cf != reserved() && !key.empty() &&
         view.flushed->test(static_cast<uint8_t>(key[0]));
}

rocksdb::ColumnFamilyHandle* Storage::FamilyById(uint32_t id) {
  for (auto* h : handles_) {
    if (h->GetID() == id) return h;
  }
  return nullptr;
}

Status Storage::Sync() {
  if (read_only_) return Status::OK();
  return FlushWal(true);
}

Status Storage::Checkpoint(const std::string& path) {
  if (disk_error()) {
    std::lock_guard<std::mutex> l(resume_mu_);
    return Status(Code::kDiskError, disk_error_text_);
  }
  rocksdb::Checkpoint* raw = nullptr;
  BASALT_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw)));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  return FromRocks(cp->CreateCheckpoint(path));
}

void Storage::set_sync_mode(SyncMode mode) { sync_mode_.store(mode); }

uint64_t Storage::MemoryUsage() { return BlockCacheUsage() + MemtableUsage(); }

uint64_t Storage::BlockCacheUsage() const { return block_cache_->GetUsage(); }

uint64_t Storage::MemtableUsage() {
  uint64_t total = 0;
  for (auto* h : handles_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kSizeAllMemTables, &v)) total += v;
  }
  return total;
}

Status Storage::CompactAll() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : handles_)
    BASALT_RETURN_IF_ERROR(FromRocks(db_->CompactRange(o, h, nullptr, nullptr)));
  return Status::OK();
}

void Storage::CompactRangeSoon(rocksdb::ColumnFamilyHandle* cf, std::string begin,
                               std::string end) {
  if (compactor_ != nullptr) compactor_->Request(cf, std::move(begin), std::move(end));
}

uint64_t Storage::range_compactions() const {
  return compactor_ != nullptr ? compactor_->completed() : 0;
}

uint64_t Storage::block_cache_capacity() const { return block_cache_->GetCapacity(); }

void Storage::SetBlockCacheCapacity(uint64_t bytes) { block_cache_->SetCapacity(bytes); }

uint64_t Storage::DiskUsage() {
  uint64_t total = 0;
  for (auto* h : handles_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kTotalSstFilesSize, &v)) total += v;
  }
  return total;
}

// The everysec ticker: WAL bytes reach the OS on every write (a process crash loses nothing);
// this thread makes them durable against power loss once a second.
void Storage::StartTicker() {
  ticker_ = std::thread([this] { TickerLoop(); });
}

void Storage::StopTicker() {
  {
    std::lock_guard<std::mutex> l(ticker_mu_);
    ticker_stop_ = true;
  }
  ticker_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void Storage::TickerLoop() {
  std::unique_lock<std::mutex> l(ticker_mu_);
  while (!ticker_stop_) {
    ticker_cv_.wait_for(l, std::chrono::seconds(1));
    if (ticker_stop_) break;
    // Background writers (the reaper) rely on this flush too; `no` leaves fsync to the OS.
    bool sync = sync_mode_.load() != SyncMode::kNo;
    l.unlock();
    if (disk_error()) {
      (void)TryResume(true);  // writes resume on their own once the disk has room again
    } else {
      (void)FlushWal(sync);
    }
    l.lock();
  }
}

}  // namespace basalt::engine
