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
      cf_(cf != nullptr ? cf : db.engine->storage().data()) {}

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

SubkeyIterator::SubkeyIterator(const Db& db, std::string_view key, uint64_t version,
                               rocksdb::ColumnFamilyHandle* cf)
    : prefix_(codec::EncodeDataPrefix(db.physical, key, version)),
      upper_(codec::EncodeDataPrefix(db.physical, key, version + 1)),
      upper_slice_(upper_) {
  Storage& st = db.engine->storage();
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice_;
  ro.prefix_same_as_start = false;
  it_ = st.NewIterator(ro, cf != nullptr ? cf : st.data());
}

void SubkeyIterator::SeekToFirst() { it_->Seek(prefix_); }

void SubkeyIterator::Seek(std::string_view subkey) {
  std::string k = prefix_;
  k.append(subkey);
  it_->Seek(k);
}

void SubkeyIterator::SeekToLast() {
  it_->SeekForPrev(upper_);
  // SeekForPrev lands on the last key <= upper_, which is below the bound by construction,
  // but may belong to an earlier key when this collection is empty: Valid() checks.
}

void SubkeyIterator::SeekForPrev(std::string_view subkey) {
  std::string k = prefix_;
  k.append(subkey);
  it_->SeekForPrev(k);  // below the prefix when nothing qualifies: Valid() checks
}

bool SubkeyIterator::Valid() const {
  return it_->Valid() && it_->key().starts_with(rocksdb::Slice(prefix_));
}

void SubkeyIterator::Next() { it_->Next(); }
void SubkeyIterator::Prev() { it_->Prev(); }

std::string_view SubkeyIterator::subkey() const {
  rocksdb::Slice k = it_->key();
  return std::string_view(k.data() + prefix_.size(), k.size() - prefix_.size());
}

std::string_view SubkeyIterator::value() const {
  rocksdb::Slice v = it_->value();
  return std::string_view(v.data(), v.size());
}

Status SubkeyIterator::status() const { return FromRocks(it_->status()); }

Status GetSubkey(const Db& db, std::string_view key, uint64_t version, std::string_view subkey,
                 std::string* value, rocksdb::ColumnFamilyHandle* cf) {
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
