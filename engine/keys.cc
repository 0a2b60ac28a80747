#include "engine/keys.h"

#include <rocksdb/iterator.h>

#include <memory>
#include <random>
#include <unordered_set>

#include "codec/glob.h"
#include "codec/key_format.h"
#include "engine/collection.h"

namespace basalt::engine {

namespace {

using codec::KeyType;

// Writes a copy of the live record `rec` (key `src` of `src_db`) as `dst` in `dst_db`, whose
// current record is `old_dst`, keeping the deadline. Strings carry their value in the record;
// collections copy their subkeys under a fresh version (one write per element).
Status CopyRecord(Batch* batch, const Db& src_db, std::string_view src, const KeyRecord& rec,
                  const Db& dst_db, std::string_view dst, const KeyRecord& old_dst) {
  if (rec.meta.type != KeyType::kString) {
    return CopyCollection(batch, src_db, src, rec, dst_db, dst, old_dst);
  }
  batch->PutKey(dst_db, dst, old_dst, rec.raw, rec.meta.expire_at_ms);
  return Status::OK();
}

// Glob patterns with a literal prefix ("user:*") only need the keys under that prefix.
std::string LiteralPrefix(std::string_view pattern) {
  std::string out;
  for (char c : pattern) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') break;
    out.push_back(c);
  }
  return out;
}

// An iterator over one database's meta records, bounded so it never walks into the next.
class MetaScan {
 public:
  explicit MetaScan(const Db& db) : upper_(codec::MetaDbEnd(db.physical)), bound_(upper_) {
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &bound_;
    Storage& st = db.engine->storage();
    it_ = st.NewIterator(ro, st.meta());
  }
  rocksdb::Iterator* operator->() { return it_.get(); }
  rocksdb::Iterator* get() { return it_.get(); }

 private:
  std::string upper_;
  rocksdb::Slice bound_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Decodes the iterator's current entry; false if it is expired or undecodable.
bool LiveEntry(rocksdb::Iterator* it, uint64_t now, std::string_view* key, codec::Metadata* m) {
  uint8_t db = 0;
  if (!codec::DecodeMetaKey(std::string_view(it->key().data(), it->key().size()), &db, key)) {
    return false;
  }
  if (!codec::DecodeMetadata(std::string_view(it->value().data(), it->value().size()), m)) {
    return false;
  }
  return !m->IsExpired(now);
}

}  // namespace

StatusOr<int64_t> KeysExist(const Db& db, const std::vector<std::string_view>& keys) {
  int64_t n = 0;
  for (std::string_view key : keys) {
    KeyRecord rec;
    BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
    db.engine->CountRead(db, key, rec.live());
    n += rec.live();
  }
  return n;
}

StatusOr<int64_t> KeysDelete(const Db& db, const std::vector<std::string_view>& keys) {
  int64_t n = 0;
  Batch batch(db.engine);
  std::unordered_set<std::string_view> seen;
  for (std::string_view key : keys) {
    if (!seen.insert(key).second) continue;  // DEL a a deletes (and counts) a once
    KeyRecord rec;
    BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
    if (!rec.present) continue;
    // An expired record is deleted too (it still occupies space) but does not count.
    batch.DeleteKey(db, key, rec);
    n += rec.live();
  }
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return n;
}

StatusOr<KeyType> KeyTypeOf(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  return rec.type();
}

StatusOr<bool> KeySetExpire(const Db& db, std::string_view key, uint64_t at_ms,
                            ExpireCondition condition) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
  if (!rec.live()) return false;
  const uint64_t current = rec.meta.expire_at_ms;  // 0 = none (infinite)
  switch (condition) {
    case ExpireCondition::kAlways:
      break;
    case ExpireCondition::kNX:
      if (current != 0) return false;
      break;
    case ExpireCondition::kXX:
      if (current == 0) return false;
      break;
    case ExpireCondition::kGT:
      if (current == 0 || at_ms <= current) return false;
      break;
    case ExpireCondition::kLT:
      if (current != 0 && at_ms >= current) return false;
      break;
  }
  Batch batch(db.engine);
  if (at_ms <= NowMs()) {
    batch.DeleteKey(db, key, rec);
  } else {
    std::string encoded = rec.raw;
    codec::SetEncodedExpire(&encoded, at_ms);
    batch.PutKey(db, key, rec, encoded, at_ms);
  }
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return true;
}

StatusOr<int64_t> KeyExpireAt(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
  if (!rec.live()) return -2;
  if (rec.meta.expire_at_ms == 0) return -1;
  return static_cast<int64_t>(rec.meta.expire_at_ms);
}

StatusOr<bool> KeyPersist(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
  if (!rec.live() || rec.meta.expire_at_ms == 0) return false;
  std::string encoded = rec.raw;
  codec::SetEncodedExpire(&encoded, 0);
  Batch batch(db.engine);
  batch.PutKey(db, key, rec, encoded, 0);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return true;
}

StatusOr<bool> KeyRename(const Db& db, std::string_view src, std::string_view dst, bool if_absent) {
  KeyRecord from;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, src, &from));
  if (!from.live()) return Status::NotFound();
  if (src == dst) return !if_absent;
  KeyRecord to;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, dst, &to));
  if (if_absent && to.live()) return false;
  Batch batch(db.engine);
  BASALT_RETURN_IF_ERROR(CopyRecord(&batch, db, src, from, db, dst, to));
  batch.DeleteKey(db, src, from);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return true;
}

StatusOr<bool> KeyCopy(const Db& src_db, std::string_view src, const Db& dst_db,
                       std::string_view dst, bool replace) {
  if (src_db.physical == dst_db.physical && src == dst) return Status(Code::kSameObject, "");
  KeyRecord from;
  BASALT_RETURN_IF_ERROR(src_db.engine->Lookup(src_db, src, &from));
  if (!from.live()) return false;
  KeyRecord to;
  BASALT_RETURN_IF_ERROR(dst_db.engine->Lookup(dst_db, dst, &to));
  if (to.live() && !replace) return false;
  Batch batch(src_db.engine);
  BASALT_RETURN_IF_ERROR(CopyRecord(&batch, src_db, src, from, dst_db, dst, to));
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return true;
}

StatusOr<bool> KeyMove(const Db& db, std::string_view key, const Db& dst_db) {
  if (db.physical == dst_db.physical) return Status(Code::kSameObject, "");
  KeyRecord from;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &from));
  if (!from.live()) return false;
  KeyRecord to;
  BASALT_RETURN_IF_ERROR(dst_db.engine->Lookup(dst_db, key, &to));
  if (to.live()) return false;
  Batch batch(db.engine);
  BASALT_RETURN_IF_ERROR(CopyRecord(&batch, db, key, from, dst_db, key, to));
  batch.DeleteKey(db, key, from);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return true;
}

StatusOr<ScanPage> KeysScan(const Db& db, const std::optional<std::string>& after,
                            const ScanOptions& options) {
  MetaScan it(db);
  std::string start = codec::EncodeMetaKey(db.physical, after.value_or(""));
  it->Seek(start);
  if (after.has_value() && it->Valid() && it->key() == rocksdb::Slice(start)) it->Next();
  ScanPage page;
  const uint64_t now = NowMs();
  size_t examined = 0;
  std::string last;
  for (; it->Valid() && examined < std::max<size_t>(options.count, 1); it->Next()) {
    ++examined;
    std::string_view key;
    codec::Metadata m;
    bool live = LiveEntry(it.get(), now, &key, &m);
    last.assign(key);
    if (!live) continue;
    if (options.type != KeyType::kNone && m.type != options.type) continue;
    if (!options.match.empty() && !codec::GlobMatch(options.match, key)) continue;
    page.keys.emplace_back(key);
  }
  BASALT_RETURN_IF_ERROR(FromRocks(it->status()));
  if (it->Valid()) page.resume_after = last;
  return page;
}

StatusOr<std::vector<std::string>> KeysMatching(const Db& db, std::string_view pattern) {
  MetaScan it(db);
  // Redis answers "*" without matching (the glob "*" does not match an empty key).
  const bool all = pattern == "*";
  std::string prefix = LiteralPrefix(pattern);
  std::vector<std::string> out;
  const uint64_t now = NowMs();
  for (it->Seek(codec::EncodeMetaKey(db.physical, prefix)); it->Valid(); it->Next()) {
    std::string_view key;
    codec::Metadata m;
    bool live = LiveEntry(it.get(), now, &key, &m);
    if (key.substr(0, prefix.size()) != prefix) break;
    if (live && (all || codec::GlobMatch(pattern, key))) out.emplace_back(key);
  }
  BASALT_RETURN_IF_ERROR(FromRocks(it->status()));
  return out;
}

StatusOr<std::optional<std::string>> KeysRandom(const Db& db) {
  if (db.engine->KeyCount(db) <= 0) return std::optional<std::string>();
  thread_local std::mt19937_64 rng{std::random_device{}()};
  MetaScan it(db);
  const uint64_t now = NowMs();
  // Seek to a random point of the key space and take the first live key at or after it,
  // wrapping around once; skip over expired keys a bounded number of times.
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string probe(1 + rng() % 8, '\0');
    for (char& c : probe) c = static_cast<char>(rng());
    it->Seek(codec::EncodeMetaKey(db.physical, probe));
    if (!it->Valid()) it->Seek(codec::MetaDbBegin(db.physical));
    for (int step = 0; it->Valid() && step < 64; ++step, it->Next()) {
      std::string_view key;
      codec::Metadata m;
      if (LiveEntry(it.get(), now, &key, &m)) return std::optional<std::string>(std::string(key));
    }
  }
  BASALT_RETURN_IF_ERROR(FromRocks(it->status()));
  return std::optional<std::string>();
}

}  // namespace basalt::engine
