#include "engine/collection.h"

#include <algorithm>
#include <vector>

#include "codec/glob.h"
#include "codec/key_format.h"

namespace basalt::engine {

Status LookupCollection(const Db& db, std::string_view key, codec::KeyType type, KeyRecord* rec) {
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, rec));
  if (rec->live() && rec->meta.type != type) return Status::WrongType();
  return Status::OK();
}

codec::Metadata NewCollectionMeta(Engine* engine, codec::KeyType type) {
  codec::Metadata m;
  m.type = type;
  m.version = engine->NewVersion();
  if (type == codec::KeyType::kList) {
    m.head = m.tail = 1ull << 63;  // both ends can grow
  }
  return m;
}

codec::Metadata CollectionMetaForWrite(Engine* engine, const KeyRecord& rec, codec::KeyType type) {
  if (rec.live() && rec.meta.type == type) return rec.meta;
  return NewCollectionMeta(engine, type);
}

CollectionWriter::CollectionWriter(Batch* batch, const Db& db, std::string_view key,
                                   const codec::Metadata& meta, rocksdb::ColumnFamilyHandle* cf)
    : batch_(batch),
      db_(db),
      key_(key),
      prefix_(codec::EncodeDataPrefix(db.physical, key, meta.version)),
      cf_(cf != nullptr ? cf : db.engine->storage().data()) {
  batch_->TouchElements(db, key);
}

void CollectionWriter::Put(std::string_view subkey, std::string_view value) {
  std::string k = prefix_;
  k.append(subkey);
  batch_->raw()->Put(cf_, k, rocksdb::Slice(value.data(), value.size()));
}

void CollectionWriter::Delete(std::string_view subkey) {
  std::string k = prefix_;
  k.append(subkey);
  batch_->raw()->Delete(cf_, k);
}

void CollectionWriter::Finish(const KeyRecord& old, const codec::Metadata& meta) {
  if (meta.size == 0) {
    if (old.present) batch_->DeleteKey(db_, key_, old);
    return;
  }
  batch_->PutKey(db_, key_, old, codec::EncodeCollectionMeta(meta), meta.expire_at_ms);
}

namespace {

std::unique_ptr<rocksdb::Iterator> NewSubkeyIterator(Storage& st, rocksdb::ColumnFamilyHandle* cf,
                                                     const rocksdb::Slice* upper,
                                                     uint64_t max_skipped = 0) {
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = upper;
  ro.max_skippable_internal_keys = max_skipped;
  ro.prefix_same_as_start = false;
  return st.NewIterator(ro, cf);
}

// Reads version `version` of a collection's `cf` subkeys into an Elements list; nullptr when
// they count more than `max_bytes` (HotTier::ElementsCharge). *status reports a read error.
HotTier::ElementsPtr LoadElements(const Db& db, std::string_view key, uint64_t version,
                                  rocksdb::ColumnFamilyHandle* cf, uint64_t max_bytes,
                                  Status* status) {
  const std::string prefix = codec::EncodeDataPrefix(db.physical, key, version);
  const std::string upper = codec::EncodeDataPrefix(db.physical, key, version + 1);
  const rocksdb::Slice upper_slice(upper);
  // A collection that popped or deleted many elements lies among their tombstones until
  // compaction; loading it would walk them all, on every load (a write drops what was loaded).
  // Past a bound the iterator gives up (Incomplete) and the collection is not cached this time.
  const uint64_t max_skipped = 2 * max_bytes / HotTier::ElementsCharge(1, 0) + 256;
  auto it = NewSubkeyIterator(db.engine->storage(), cf, &upper_slice, max_skipped);
  auto elems = std::make_shared<HotTier::Elements>();
  elems->version = version;
  std::vector<std::pair<size_t, size_t>> lengths;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice k = it->key(), v = it->value();
    elems->buf.append(k.data() + prefix.size(), k.size() - prefix.size());
    elems->buf.append(v.data(), v.size());
    lengths.emplace_back(k.size() - prefix.size(), v.size());
    if (HotTier::ElementsCharge(lengths.size(), elems->buf.size()) > max_bytes) return nullptr;
  }
  if (it->status().IsIncomplete()) {
    // What stopped the load was tombstones: have them compacted away.
    db.engine->storage().CompactRangeSoon(cf, prefix, upper);
    return nullptr;
  }
  *status = FromRocks(it->status());
  if (!status->ok()) return nullptr;
  elems->items.reserve(lengths.size());
  const char* p = elems->buf.data();
  for (const auto& [klen, vlen] : lengths) {
    elems->items.emplace_back(std::string_view(p, klen), std::string_view(p + klen, vlen));
    p += klen + vlen;
  }
  return elems;
}

}  // namespace

HotTier::ElementsPtr CachedElements(const Db& db, std::string_view key, uint64_t version,
                                    rocksdb::ColumnFamilyHandle* cf) {
  HotTier& tier = db.engine->hot_tier();
  const uint64_t max_bytes = tier.max_collection_bytes();
  if (max_bytes == 0 || tier.capacity() == 0) return nullptr;
  const ReadView& view = Storage::ThreadView();
  if (view.pending != nullptr) return nullptr;
  Storage& st = db.engine->storage();
  if (cf == nullptr) cf = st.data();
  const auto which = cf == st.zscore() ? HotTier::ElementCf::kZScore : HotTier::ElementCf::kData;
  HotTier::ElementsPtr elems;
  HotTier::FillToken token;
  if (tier.LookupElements(db.physical, key, which, version, &elems, &token)) return elems;
  if (!token.valid) return nullptr;
  Status s;
  elems = LoadElements(db, key, version, cf, max_bytes, &s);
  if (!s.ok()) return nullptr;  // the caller's own read will meet the error
  tier.FillElements(db.physical, key, which, version, elems, token);
  return elems;
}

SubkeyIterator::SubkeyIterator(const Db& db, std::string_view key, uint64_t version,
                               rocksdb::ColumnFamilyHandle* cf)
    : prefix_(codec::EncodeDataPrefix(db.physical, key, version)),
      upper_(codec::EncodeDataPrefix(db.physical, key, version + 1)),
      upper_slice_(upper_),
      storage_(&db.engine->storage()),
      cf_(cf != nullptr ? cf : storage_->data()),
      cached_(CachedElements(db, key, version, cf)) {
  if (cached_ != nullptr) return;
  thread_local uint32_t made = 0;
  if (++made % kMeterEvery == 0) meter_.emplace();
  it_ = NewSubkeyIterator(*storage_, cf_, &upper_slice_);
}

SubkeyIterator::~SubkeyIterator() {
  if (meter_.has_value() && meter_->skipped() >= kCompactAfterTombstones) {
    storage_->CompactRangeSoon(cf_, prefix_, upper_);
  }
}

namespace {

using Item = std::pair<std::string_view, std::string_view>;

bool SubkeyLess(const Item& a, std::string_view b) { return a.first < b; }

}  // namespace

void SubkeyIterator::SeekToFirst() {
  if (cached_ != nullptr) {
    pos_ = 0;
    return;
  }
  it_->Seek(prefix_);
}

void SubkeyIterator::Seek(std::string_view subkey) {
  if (cached_ != nullptr) {
    const auto& items = cached_->items;
    pos_ = std::lower_bound(items.begin(), items.end(), subkey, SubkeyLess) - items.begin();
    return;
  }
  std::string k = prefix_;
  k.append(subkey);
  it_->Seek(k);
}

void SubkeyIterator::SeekToLast() {
  if (cached_ != nullptr) {
    pos_ = cached_->items.empty() ? 0 : cached_->items.size() - 1;
    return;
  }
  it_->SeekForPrev(upper_);
  // SeekForPrev lands on the last key <= upper_, which is below the bound by construction,
  // but may belong to an earlier key when this collection is empty: Valid() checks.
}

void SubkeyIterator::SeekForPrev(std::string_view subkey) {
  if (cached_ != nullptr) {
    const auto& items = cached_->items;
    auto it = std::upper_bound(items.begin(), items.end(), subkey,
                               [](std::string_view b, const Item& a) { return b < a.first; });
    pos_ = it == items.begin() ? items.size() : (it - items.begin()) - 1;
    return;
  }
  std::string k = prefix_;
  k.append(subkey);
  it_->SeekForPrev(k);  // below the prefix when nothing qualifies: Valid() checks
}

bool SubkeyIterator::Valid() const {
  if (cached_ != nullptr) return pos_ < cached_->items.size();
  return it_->Valid() && it_->key().starts_with(rocksdb::Slice(prefix_));
}

void SubkeyIterator::Next() {
  if (cached_ != nullptr) {
    ++pos_;
    return;
  }
  it_->Next();
}

void SubkeyIterator::Prev() {
  if (cached_ != nullptr) {
    pos_ = pos_ == 0 ? cached_->items.size() : pos_ - 1;
    return;
  }
  it_->Prev();
}

std::string_view SubkeyIterator::subkey() const {
  if (cached_ != nullptr) return cached_->items[pos_].first;
  rocksdb::Slice k = it_->key();
  return std::string_view(k.data() + prefix_.size(), k.size() - prefix_.size());
}

std::string_view SubkeyIterator::value() const {
  if (cached_ != nullptr) return cached_->items[pos_].second;
  rocksdb::Slice v = it_->value();
  return std::string_view(v.data(), v.size());
}

Status SubkeyIterator::status() const {
  return cached_ != nullptr ? Status::OK() : FromRocks(it_->status());
}

Status GetSubkey(const Db& db, std::string_view key, uint64_t version, std::string_view subkey,
                 std::string* value, rocksdb::ColumnFamilyHandle* cf) {
  if (HotTier::ElementsPtr elems = CachedElements(db, key, version, cf); elems != nullptr) {
    const auto& items = elems->items;
    auto it = std::lower_bound(items.begin(), items.end(), subkey, SubkeyLess);
    if (it == items.end() || it->first != subkey) return Status::NotFound();
    value->assign(it->second);
    return Status::OK();
  }
  Storage& st = db.engine->storage();
  return st.Get(cf != nullptr ? cf : st.data(),
                codec::EncodeDataKey(db.physical, key, version, subkey), value);
}

Status ScanSubkeys(const Db& db, std::string_view key, uint64_t version,
                   const std::optional<std::string>& after, std::string_view match, size_t count,
                   const std::function<Status(std::string_view, std::string_view)>& visit,
                   std::optional<std::string>* resume_after) {
  resume_after->reset();
  SubkeyIterator it(db, key, version);
  if (after.has_value()) {
    it.Seek(*after);
    if (it.Valid() && it.subkey() == *after) it.Next();
  } else {
    it.SeekToFirst();
  }
  std::string last;
  for (size_t examined = 0; it.Valid() && examined < std::max<size_t>(count, 1); it.Next()) {
    ++examined;
    last.assign(it.subkey());
    if (!match.empty() && !codec::GlobMatch(match, last)) continue;
    BASALT_RETURN_IF_ERROR(visit(last, it.value()));
  }
  BASALT_RETURN_IF_ERROR(it.status());
  if (it.Valid()) *resume_after = std::move(last);
  return Status::OK();
}

Status CopyCollection(Batch* batch, const Db& src_db, std::string_view src, const KeyRecord& rec,
                      const Db& dst_db, std::string_view dst, const KeyRecord& old_dst) {
  codec::Metadata meta = rec.meta;
  meta.version = src_db.engine->NewVersion();
  Storage& st = src_db.engine->storage();
  for (rocksdb::ColumnFamilyHandle* cf : {st.data(), st.zscore()}) {
    SubkeyIterator it(src_db, src, rec.meta.version, cf);
    CollectionWriter out(batch, dst_db, dst, meta, cf);
    for (it.SeekToFirst(); it.Valid(); it.Next()) out.Put(it.subkey(), it.value());
    BASALT_RETURN_IF_ERROR(it.status());
  }
  batch->PutKey(dst_db, dst, old_dst, codec::EncodeCollectionMeta(meta), meta.expire_at_ms);
  return Status::OK();
}

}  // namespace basalt::engine
