#include "engine/keyspace.h"

#include <bitset>
#include <chrono>

#include "codec/key_format.h"
#include "engine/txn.h"

namespace basalt::engine {

namespace {

// Reserved records (column family "default"):
//   "\x01dbmap"              -> physical db byte for each logical db, in order
//   "\x02keys"    | physical -> int64le key count (merge: add)
//   "\x03expires" | physical -> int64le count of keys with a TTL (merge: add)
constexpr char kDbMapKey[] =
    "\x01"
    "dbmap";

std::string CounterKey(char tag, uint8_t physical) {
  std::string k(1, tag);
  k += tag == '\x02' ? "keys" : "expires";
  k.push_back(static_cast<char>(physical));
  return k;
}

std::string EncodeDelta(int64_t v) {
  std::string out;
  codec::PutFixed64LE(&out, static_cast<uint64_t>(v));
  return out;
}

// Whether physical database `physical` holds any metadata record (any key, expired or not).
bool HasMetaRecords(Storage* storage, uint8_t physical) {
  const std::string end = codec::MetaDbEnd(physical);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(storage->db()->NewIterator(ro, storage->meta()));
  it->Seek(codec::MetaDbBegin(physical));
  // An error counts as "maybe": the range deletions are then written as always.
  return it->Valid() || !it->status().ok();
}

}  // namespace

uint64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

KeyRecord& KeyRecord::operator=(KeyRecord&& other) noexcept {
  present = other.present;
  expired = other.expired;
  raw = std::move(other.raw);
  meta = codec::Metadata{};
  // meta.value views into raw, whose bytes may have moved: decode again.
  if (present) (void)codec::DecodeMetadata(raw, &meta);
  other.present = false;
  return *this;
}

StatusOr<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  if (options.databases < 1 || options.databases > kMaxDatabases) {
    return Status::InvalidArgument("databases must be between 1 and 255");
  }
  auto storage = Storage::Open(options.storage);
  if (!storage.ok()) return storage.status();
  std::unique_ptr<Engine> e(new Engine());
  e->storage_ = std::move(storage.value());
  e->databases_ = options.databases;
  e->hot_tier_ =
      std::make_unique<HotTier>(options.hot_tier_bytes, options.hot_tier_collection_bytes);
  BASALT_RETURN_IF_ERROR(e->LoadReserved(options.databases));
  // The tier, empty now, holds every record of a database that has none: from here on a key it
  // does not know is a key RocksDB does not hold, until it has to let a record of that database
  // go. Only this process writes a read-write database, so nothing else adds records behind it.
  const StorageOptions& so = options.storage;
  if (so.read_only || so.mode != OpenMode::kReadWrite) return e;
  std::vector<uint8_t> warm;  // the reachable databases that hold records
  std::bitset<kMaxDatabases> reachable;
  for (int i = 0; i < e->databases_; ++i) reachable.set(e->physical_[i].load());
  uint64_t keys = 0;
  for (int p = 0; p < kMaxDatabases; ++p) {
    if (!HasMetaRecords(e->storage_.get(), static_cast<uint8_t>(p))) {
      e->hot_tier_->MarkEmpty(static_cast<uint8_t>(p));
    } else if (reachable.test(p)) {
      warm.push_back(static_cast<uint8_t>(p));
      keys += static_cast<uint64_t>(std::max<int64_t>(0, e->key_count_[p].load()));
    }
  }
  // Warm up only when the records may fit: an entry costs at least ChargeOf(empty key, 1-byte
  // record), and real ones more, so a warm-up can still end full (it then stops, nothing lost).
  const uint64_t capacity = e->hot_tier_->capacity();
  if (options.warm_up && !warm.empty() && capacity > 0 &&
      keys <= capacity / HotTier::ChargeOf("", "x")) {
    Engine* raw = e.get();
    e->warm_up_ = std::thread([raw, warm] { raw->WarmUp(warm); });
  }
  return e;
}

Engine::~Engine() {
  stop_warm_up_.store(true);
  JoinWarmUp();
}

void Engine::JoinWarmUp() {
  if (warm_up_.joinable()) warm_up_.join();
}

void Engine::WarmUp(const std::vector<uint8_t>& dbs) {
  // Every kRefresh records the iterator moves to a newer view, so that it does not pin old
  // memtables and table files for a long pass; any view taken after BeginWarm will do.
  constexpr uint64_t kCheck = 1024, kRefresh = 64 * 1024;
  for (uint8_t p : dbs) {
    hot_tier_->BeginWarm(p);
    const std::string end = codec::MetaDbEnd(p);
    const rocksdb::Slice upper(end);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper;
    ro.fill_cache = false;  // one pass over everything: keep the block cache for real reads
    ro.readahead_size = 1 << 20;
    std::unique_ptr<rocksdb::Iterator> it(storage_->db()->NewIterator(ro, storage_->meta()));
    bool full = false, hopeless = false;
    uint64_t n = 0;
    std::string last;
    for (it->Seek(codec::MetaDbBegin(p)); it->Valid(); it->Next()) {
      if (++n % kCheck == 0) {
        if (stop_warm_up_.load(std::memory_order_relaxed)) break;
        if ((hopeless = hot_tier_->WarmLost(p))) break;  // no shard can end complete
        if (n % kRefresh == 0) {
          last = it->key().ToString();
          if (!it->Refresh().ok()) break;
          it->Seek(last);
          if (!it->Valid()) break;
        }
      }
      const rocksdb::Slice k = it->key(), v = it->value();
      full =
          hot_tier_->WarmFill(p, std::string_view(k.data() + 1, k.size() - 1),
                              std::string_view(v.data(), v.size())) == HotTier::WarmResult::kFull;
      if (full) break;
    }
    // Complete only when the loop saw every record.
    const bool complete = !it->Valid() && it->status().ok() && !full && !hopeless &&
                          !stop_warm_up_.load(std::memory_order_relaxed);
    hot_tier_->EndWarm(p, complete);
    if (full || stop_warm_up_.load()) return;
  }
}

Status Engine::LoadReserved(int databases) {
  std::string map;
  Status s = storage_->Get(storage_->reserved(), kDbMapKey, &map);
  if (!s.ok() && !s.IsNotFound()) return s;
  if (!map.empty() && map.size() != static_cast<size_t>(kMaxDatabases)) {
    return Status::Corruption("database map has the wrong size");
  }
  // The map must be a permutation, or two logical databases would share keys.
  std::array<bool, kMaxDatabases> used{};
  for (int i = 0; i < kMaxDatabases; ++i) {
    uint8_t p = map.empty() ? static_cast<uint8_t>(i) : static_cast<uint8_t>(map[i]);
    if (p >= kMaxDatabases || used[p])
      return Status::Corruption("database map is not a permutation");
    used[p] = true;
    physical_[i].store(p);
  }
  (void)databases;
  for (int p = 0; p <= kMaxDatabases; ++p) {
    for (char tag : {'\x02', '\x03'}) {
      std::string v;
      Status g = storage_->Get(storage_->reserved(), CounterKey(tag, p), &v);
      if (!g.ok() && !g.IsNotFound()) return g;
      int64_t n = v.size() == 8 ? static_cast<int64_t>(codec::DecodeFixed64LE(v.data())) : 0;
      (tag == '\x02' ? key_count_ : expires_count_)[p].store(n);
    }
  }
  return Status::OK();
}

Status Engine::Lookup(const Db& db, std::string_view key, KeyRecord* rec) {
  rec->present = false;
  rec->expired = false;
  const ReadView& view = Storage::ThreadView();
  const bool use_tier = view.pending == nullptr;
  HotTier::FillToken token;
  if (!use_tier || !hot_tier_->Lookup(db.physical, key, &rec->raw, &token)) {
    Status s = storage_->Get(storage_->meta(), codec::EncodeMetaKey(db.physical, key), &rec->raw);
    if (s.IsNotFound()) {
      rec->raw.clear();
      if (use_tier) hot_tier_->Fill(db.physical, key, {}, token);  // a negative entry
      return Status::OK();
    }
    if (!s.ok()) return s;
    if (!codec::DecodeMetadata(rec->raw, &rec->meta)) {
      return Status::Corruption("undecodable metadata for a key");
    }
    if (use_tier) hot_tier_->Fill(db.physical, key, rec->raw, token);
  } else if (rec->raw.empty()) {
    return Status::OK();  // a negative entry: the key is absent
  } else if (!codec::DecodeMetadata(rec->raw, &rec->meta)) {
    return Status::Corruption("undecodable metadata in the hot tier");
  }
  rec->present = true;
  // Most keys have no TTL: the clock is read only for those that do.
  rec->expired = rec->meta.expire_at_ms != 0 && rec->meta.IsExpired(NowMs());
  if (rec->expired) ReportExpired(db, key, rec->meta.expire_at_ms);
  return Status::OK();
}

void Engine::ReportExpired(const Db& db, std::string_view key, uint64_t expire_at_ms) {
  for (KeyObserver* o : observers_) {
    if (!o->WantsExpired()) continue;
    o->Expired(db.index >= 0 ? db.index : LogicalOf(db.physical), key, expire_at_ms);
  }
}

void Engine::ReportMissed(const Db& db, std::string_view key) {
  for (KeyObserver* o : observers_) {
    if (!o->WantsMisses()) continue;
    o->KeyMissed(db.index >= 0 ? db.index : LogicalOf(db.physical), key);
  }
}

uint64_t Engine::NewVersion() {
  uint64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  uint64_t candidate = micros << 11;
  uint64_t last = last_version_.load();
  while (true) {
    uint64_t next = candidate > last ? candidate : last + 1;
    if (last_version_.compare_exchange_weak(last, next)) return next;
  }
}

// Inside a transaction the thread also counts what it staged (DBSIZE after SET in one EXEC).
// After a FLUSHDB in the transaction only what it staged since counts.
int64_t Engine::KeyCount(const Db& db) const {
  const Txn* txn = Txn::Current();
  if (txn == nullptr) return key_count_[db.physical].load();
  int64_t base = txn->Flushed(db.physical) ? 0 : key_count_[db.physical].load();
  return base + txn->StagedDelta(db.physical).keys;
}

int64_t Engine::ExpiresCount(const Db& db) const {
  const Txn* txn = Txn::Current();
  if (txn == nullptr) return expires_count_[db.physical].load();
  int64_t base = txn->Flushed(db.physical) ? 0 : expires_count_[db.physical].load();
  return base + txn->StagedDelta(db.physical).expires;
}

bool Engine::Observed() const {
  for (const KeyObserver* o : observers_) {
    if (o->Interested()) return true;
  }
  return false;
}

thread_local const std::array<uint8_t, kMaxDatabases>* Engine::txn_map_ = nullptr;

// Defined here, beside the thread_local it reads: inlined into other translation units, GCC's
// UndefinedBehaviorSanitizer at -O2 reported the TLS access as a load through a null pointer
// (a false report: the load itself succeeded).
Db Engine::db(int index) {
  if (txn_map_ != nullptr) return Db{this, index, (*txn_map_)[index]};
  return Db{this, index, physical_[index].load(std::memory_order_acquire)};
}

int Engine::LogicalOf(uint8_t physical) const {
  for (int i = 0; i < databases_; ++i) {
    uint8_t p = txn_map_ != nullptr ? (*txn_map_)[i] : physical_[i].load(std::memory_order_relaxed);
    if (p == physical) return i;
  }
  return -1;
}

void Engine::NotifyDbReplaced(int db) {
  for (KeyObserver* o : observers_) o->DbReplaced(db);
}

void Engine::AppendCounterMerges(const WriteEffects& effects, rocksdb::WriteBatchBase* batch) {
  for (const auto& d : effects.deltas) {
    if (d.keys != 0) {
      batch->Merge(storage_->reserved(), CounterKey('\x02', d.physical), EncodeDelta(d.keys))
          .PermitUncheckedError();
    }
    if (d.expires != 0) {
      batch->Merge(storage_->reserved(), CounterKey('\x03', d.physical), EncodeDelta(d.expires))
          .PermitUncheckedError();
    }
  }
}

void Engine::Publish(WriteEffects* effects) {
  for (const auto& d : effects->deltas) {
    key_count_[d.physical].fetch_add(d.keys);
    expires_count_[d.physical].fetch_add(d.expires);
  }
  changes_.fetch_add(effects->keys_written, std::memory_order_relaxed);
  for (const auto& op : effects->tier) {
    switch (op.kind) {
      case WriteEffects::TierOp::Kind::kPut:
        hot_tier_->Put(op.physical, op.key, op.record);
        break;
      case WriteEffects::TierOp::Kind::kErase:
        hot_tier_->Erase(op.physical, op.key);
        break;
      case WriteEffects::TierOp::Kind::kForget:
        hot_tier_->Forget(op.physical, op.key);
        break;
      case WriteEffects::TierOp::Kind::kDropElements:
        hot_tier_->DropElements(op.physical, op.key);
        break;
    }
  }
  if (!effects->written.empty()) {
    for (KeyObserver* o : observers_) o->KeysWritten(effects->written);
  }
  effects->Clear();
}

namespace {
// FlushDb calls since one last flushed the memtables, process-wide (it only paces the flushes).
constexpr int kFlushDbsPerMemtableFlush = 32;
std::atomic<int> flushdbs_since_memtable_flush{0};

}  // namespace

Status Engine::FlushDb(const Db& db) {
  if (Txn* txn = Txn::Current(); txn != nullptr) return txn->StageFlush(db.physical, db.index);
  DbOps ops;
  ops.flushed.set(db.physical);
  ops.replaced.push_back(db.index);
  rocksdb::WriteBatch none;
  WriteEffects no_effects;
  return CommitWithDbOps(&none, &ops, &no_effects);
}

Status Engine::FlushAll() {
  for (int i = 0; i < databases_; ++i) BASALT_RETURN_IF_ERROR(FlushDb(db(i)));
  return Status::OK();
}

Status Engine::SwapDb(int a, int b) {
  // The whole map is persisted, whatever `databases` is now, so a restart with another
  // `databases` setting still sees every physical database exactly once. The hot tier is keyed
  // by physical database, like RocksDB, and no (physical db, key) record changes here: only the
  // logical -> physical map does, so the tier stays valid as it is.
  DbOps ops;
  ops.remapped = true;
  for (int i = 0; i < kMaxDatabases; ++i) {
    int src = i == a ? b : (i == b ? a : i);
    ops.map[i] = db(src).physical;
  }
  if (Txn* txn = Txn::Current(); txn != nullptr) {
    txn->StageSwap(ops.map, a, b);
    return Status::OK();
  }
  ops.replaced = {a, b};
  rocksdb::WriteBatch none;
  WriteEffects no_effects;
  return CommitWithDbOps(&none, &ops, &no_effects);
}

namespace {

// Copies a staged batch's records after the whole-database operations of the same write.
class Appender : public rocksdb::WriteBatch::Handler {
 public:
  Appender(Storage* storage, rocksdb::WriteBatch* out) : storage_(storage), out_(out) {}

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return out_->Put(storage_->FamilyById(cf), key, value);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return out_->Delete(storage_->FamilyById(cf), key);
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return out_->SingleDelete(storage_->FamilyById(cf), key);
  }
  rocksdb::Status MergeCF(uint32_t cf, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
    return out_->Merge(storage_->FamilyById(cf), key, value);
  }

 private:
  Storage* storage_;
  rocksdb::WriteBatch* out_;
};

}  // namespace

Status Engine::CommitWithDbOps(rocksdb::WriteBatch* staged, DbOps* ops, WriteEffects* effects) {
  // One WriteBatch applies in order: the range deletes and counter resets of the flushed
  // databases first, then the map, then what the transaction wrote (after its FLUSHDB: what it
  // wrote before one was dropped when it was staged).
  rocksdb::WriteBatch b;
  const std::vector<rocksdb::ColumnFamilyHandle*> cfs = {storage_->meta(), storage_->data(),
                                                         storage_->zscore(), storage_->expire()};
  int nonempty = 0;
  for (int p = 0; p < kMaxDatabases; ++p) {
    if (!ops->flushed.test(p)) continue;
    // An empty database (no metadata record: whatever subkeys or index entries remain belong to
    // no key and are garbage already) needs no range deletions: FLUSHALL mostly meets such.
    if (HasMetaRecords(storage_.get(), p)) {
      ++nonempty;
      std::string begin = codec::MetaDbBegin(p), end = codec::MetaDbEnd(p);
      for (auto* cf : cfs) b.DeleteRange(cf, begin, end);
    }
    b.Put(storage_->reserved(), CounterKey('\x02', p), EncodeDelta(0));
    b.Put(storage_->reserved(), CounterKey('\x03', p), EncodeDelta(0));
  }
  if (ops->remapped) {
    b.Put(storage_->reserved(), kDbMapKey,
          std::string_view(reinterpret_cast<const char*>(ops->map.data()), ops->map.size()));
  }
  if (staged->Count() > 0) {
    Appender append(storage_.get(), &b);
    BASALT_RETURN_IF_ERROR(FromRocks(staged->Iterate(&append)));
  }
  BASALT_RETURN_IF_ERROR(storage_->Write(&b));
  for (int p = 0; p < kMaxDatabases; ++p) {
    if (!ops->flushed.test(p)) continue;
    hot_tier_->ClearDb(p);
    changes_.fetch_add(key_count_[p].exchange(0));
    expires_count_[p].store(0);
  }
  if (ops->remapped) {
    for (int i = 0; i < kMaxDatabases; ++i) physical_[i].store(ops->map[i]);
  }
  // Every read re-fragments the range deletions still in the mutable memtables (RocksDB 7.x),
  // so a client that runs FLUSHALL between tests would make all reads slower and slower. Moving
  // them to SST files now and then keeps that cost bounded.
  if (nonempty > 0 &&
      flushdbs_since_memtable_flush.fetch_add(nonempty) + nonempty >= kFlushDbsPerMemtableFlush) {
    flushdbs_since_memtable_flush.store(0);
    rocksdb::FlushOptions o;
    o.wait = false;  // the flush runs in the background; reads see the immutable memtable
    o.allow_write_stall = true;
    // Only pacing: a failed flush leaves the data as it is, and a later one retries.
    storage_->db()->Flush(o, cfs).PermitUncheckedError();
  }
  for (int logical : ops->replaced) NotifyDbReplaced(logical);
  ops->Clear();
  Publish(effects);
  return Status::OK();
}

void WriteEffects::Count(uint8_t physical, int64_t keys, int64_t expires) {
  if (keys == 0 && expires == 0) return;
  for (auto& d : deltas) {
    if (d.physical == physical) {
      d.keys += keys;
      d.expires += expires;
      return;
    }
  }
  deltas.push_back({physical, keys, expires});
}

void WriteEffects::Absorb(WriteEffects&& other) {
  for (const auto& d : other.deltas) Count(d.physical, d.keys, d.expires);
  keys_written += other.keys_written;
  for (auto& w : other.written) written.push_back(std::move(w));
  for (auto& t : other.tier) tier.push_back(std::move(t));
  other.Clear();
}

void WriteEffects::Clear() {
  deltas.clear();
  keys_written = 0;
  written.clear();
  tier.clear();
}

using Kind = WriteEffects::TierOp::Kind;

void Batch::Record(const Db& db, std::string_view key, std::string_view encoded, bool created) {
  if (!engine_->Observed()) return;
  codec::Metadata meta;
  codec::KeyType type = codec::KeyType::kNone;
  if (!encoded.empty() && codec::DecodeMetadata(encoded, &meta)) type = meta.type;
  int logical = db.index >= 0 ? db.index : engine_->LogicalOf(db.physical);
  effects_.written.push_back({logical, std::string(key), type, created});
}

void Batch::PutKey(const Db& db, std::string_view key, const KeyRecord& old,
                   const std::string& encoded, uint64_t expire_at_ms) {
  Storage& st = engine_->storage();
  // A record equal to the stored one (an update of present elements: HSET of a present field,
  // HINCRBY, ZINCRBY, LSET) is not written again, which saves a memtable insert. Only when the
  // batch writes something else, so that it still commits and publishes the effects below, and
  // has not written this key before, whose later record must not be lost.
  const bool unchanged =
      old.live() && old.raw == encoded && batch_.Count() > 0 && !WritesKey(db, key);
  if (!unchanged) batch_.Put(st.meta(), codec::EncodeMetaKey(db.physical, key), encoded);
  uint64_t old_expire = old.present ? old.meta.expire_at_ms : 0;
  if (old_expire != expire_at_ms) {
    if (old_expire != 0) {
      batch_.Delete(st.expire(), codec::EncodeExpireKey(db.physical, old_expire, key));
    }
    if (expire_at_ms != 0) {
      batch_.Put(st.expire(), codec::EncodeExpireKey(db.physical, expire_at_ms, key), "");
    }
  }
  effects_.Count(db.physical, old.present ? 0 : 1, (expire_at_ms != 0) - (old_expire != 0));
  ++effects_.keys_written;
  Record(db, key, encoded, !old.live());
  // A record too large to cache is dropped from the tier rather than copied here.
  if (encoded.size() <= HotTier::kMaxValueBytes) {
    effects_.tier.push_back({db.physical, Kind::kPut, std::string(key), encoded});
  } else {
    effects_.tier.push_back({db.physical, Kind::kForget, std::string(key), {}});
  }
}

void Batch::DeleteKey(const Db& db, std::string_view key, const KeyRecord& old) {
  Storage& st = engine_->storage();
  batch_.Delete(st.meta(), codec::EncodeMetaKey(db.physical, key));
  if (old.meta.expire_at_ms != 0) {
    batch_.Delete(st.expire(), codec::EncodeExpireKey(db.physical, old.meta.expire_at_ms, key));
  }
  effects_.Count(db.physical, -1, old.meta.expire_at_ms != 0 ? -1 : 0);
  ++effects_.keys_written;
  Record(db, key, {}, false);
  effects_.tier.push_back({db.physical, Kind::kErase, std::string(key), {}});
}

bool Batch::WritesKey(const Db& db, std::string_view key) const {
  constexpr size_t kMaxScan = 32;  // a larger batch is assumed to write it
  if (effects_.tier.size() > kMaxScan) return true;
  for (const WriteEffects::TierOp& op : effects_.tier) {
    if (op.physical == db.physical && op.key == key &&
        op.kind != WriteEffects::TierOp::Kind::kDropElements) {
      return true;
    }
  }
  return false;
}

void Batch::TouchElements(const Db& db, std::string_view key) {
  effects_.tier.push_back({db.physical, Kind::kDropElements, std::string(key), {}});
}

Status Batch::Commit() {
  if (Txn* txn = Txn::Current(); txn != nullptr) {
    BASALT_RETURN_IF_ERROR(txn->Absorb(&batch_, &effects_));
    batch_.Clear();
    return Status::OK();
  }
  engine_->AppendCounterMerges(effects_, &batch_);
  if (batch_.Count() == 0) return Status::OK();
  BASALT_RETURN_IF_ERROR(engine_->storage().Write(&batch_));
  batch_.Clear();
  engine_->Publish(&effects_);
  return Status::OK();
}

}  // namespace basalt::engine
