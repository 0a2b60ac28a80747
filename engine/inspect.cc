#include "engine/inspect.h"

#include "codec/key_format.h"

namespace basalt::engine {

rocksdb::ColumnFamilyHandle* FamilyHandle(Storage& storage, RecordFamily family) {
  switch (family) {
    case RecordFamily::kMeta:
      return storage.meta();
    case RecordFamily::kData:
      return storage.data();
    case RecordFamily::kZScore:
      return storage.zscore();
    case RecordFamily::kExpire:
      return storage.expire();
  }
  return storage.meta();
}

// Every record of a physical database, in every family, starts with the db byte, so one range
// per database covers them (FlushDb deletes the same range).
RecordIterator::RecordIterator(Engine* engine, RecordFamily family, uint8_t physical)
    : begin_(codec::MetaDbBegin(physical)), end_(codec::MetaDbEnd(physical)), end_slice_(end_) {
  Storage& st = engine->storage();
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &end_slice_;
  ro.fill_cache = false;  // a full walk would only evict what the cache holds
  it_.reset(st.db()->NewIterator(ro, FamilyHandle(st, family)));
}

void RecordIterator::SeekToFirst() { it_->Seek(begin_); }

std::string_view RecordIterator::key() const {
  rocksdb::Slice k = it_->key();
  return std::string_view(k.data(), k.size());
}

std::string_view RecordIterator::value() const {
  rocksdb::Slice v = it_->value();
  return std::string_view(v.data(), v.size());
}

Status RecordIterator::status() const { return FromRocks(it_->status()); }

int LogicalOf(Engine& engine, uint8_t physical) {
  for (int i = 0; i < kMaxDatabases; ++i) {
    if (engine.db(i).physical == physical) return i;
  }
  return -1;
}

std::vector<FamilyUsage> ColumnFamilyUsage(Storage& storage) {
  std::vector<FamilyUsage> out;
  for (auto* h :
       {storage.reserved(), storage.meta(), storage.data(), storage.zscore(), storage.expire()}) {
    FamilyUsage u;
    u.name = h->GetName();
    rocksdb::DB* db = storage.db();
    if (!db->GetIntProperty(h, rocksdb::DB::Properties::kTotalSstFilesSize, &u.sst_bytes))
      u.sst_bytes = 0;
    if (!db->GetIntProperty(h, rocksdb::DB::Properties::kSizeAllMemTables, &u.memtable_bytes))
      u.memtable_bytes = 0;
    if (!db->GetIntProperty(h, rocksdb::DB::Properties::kEstimateNumKeys, &u.estimated_keys))
      u.estimated_keys = 0;
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace basalt::engine
