#include "engine/hash.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

#include "codec/glob.h"
#include "codec/numbers.h"
#include "engine/collection.h"

namespace basalt::engine {

namespace {

using codec::KeyType;

Status LookupHash(const Db& db, std::string_view key, KeyRecord* rec) {
  return LookupCollection(db, key, KeyType::kHash, rec);
}

// Looks up a hash for a read command and counts the hit or miss (INFO keyspace_hits).
Status LookupHashForRead(const Db& db, std::string_view key, KeyRecord* rec) {
  BASALT_RETURN_IF_ERROR(LookupHash(db, key, rec));
  db.engine->CountRead(db, key, rec->live());
  return Status::OK();
}

// Reads one field of a live hash: nullopt when absent.
StatusOr<std::optional<std::string>> ReadField(const Db& db, std::string_view key,
                                               const KeyRecord& rec, std::string_view field) {
  if (!rec.live()) return std::optional<std::string>();
  std::string value;
  Status s = GetSubkey(db, key, rec.meta.version, field, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return s;
  return std::optional<std::string>(std::move(value));
}

// Writes one field's new value (creating the hash or the field as needed) in one batch.
Status WriteField(const Db& db, std::string_view key, const KeyRecord& rec, std::string_view field,
                  std::string_view value, bool existed) {
  codec::Metadata meta = CollectionMetaForWrite(db.engine, rec, KeyType::kHash);
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  writer.Put(field, value);
  if (!existed) ++meta.size;
  writer.Finish(rec, meta);
  return batch.Commit();
}

// Every entry of a live hash, in field order.
Status ReadAll(const Db& db, std::string_view key, const KeyRecord& rec, bool with_values,
               FieldValues* out) {
  out->reserve(rec.meta.size);
  SubkeyIterator it(db, key, rec.meta.version);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    out->emplace_back(std::string(it.subkey()),
                      with_values ? std::string(it.value()) : std::string());
  }
  return it.status();
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// Walks the hash once and copies the entries at the positions `wanted` (sorted ascending, may
// repeat) into `out`, one entry per element of `wanted`.
Status CollectPositions(const Db& db, std::string_view key, uint64_t version,
                        const std::vector<uint64_t>& wanted, bool with_values, FieldValues* out) {
  SubkeyIterator it(db, key, version);
  size_t w = 0;
  uint64_t pos = 0;
  for (it.SeekToFirst(); it.Valid() && w < wanted.size(); it.Next(), ++pos) {
    while (w < wanted.size() && wanted[w] == pos) {
      out->emplace_back(std::string(it.subkey()),
                        with_values ? std::string(it.value()) : std::string());
      ++w;
    }
  }
  return it.status();
}

// `count` distinct positions in [0, size), sorted (Floyd's sampling). REQUIRES: count <= size.
std::vector<uint64_t> DistinctPositions(uint64_t size, uint64_t count) {
  std::unordered_set<uint64_t> chosen;
  for (uint64_t j = size - count; j < size; ++j) {
    uint64_t t = std::uniform_int_distribution<uint64_t>(0, j)(Rng());
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  std::vector<uint64_t> out(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  return out;
}

// `count` positions in [0, size) drawn with repetition, sorted.
std::vector<uint64_t> RepeatedPositions(uint64_t size, uint64_t count) {
  std::vector<uint64_t> out(count);
  std::uniform_int_distribution<uint64_t> dist(0, size - 1);
  for (uint64_t& p : out) p = dist(Rng());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

StatusOr<int64_t> HashSet(const Db& db, std::string_view key, const FieldValueViews& fvs,
                          bool only_if_absent) {
  if (fvs.empty()) return int64_t{0};
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHash(db, key, &rec));
  codec::Metadata meta = CollectionMetaForWrite(db.engine, rec, KeyType::kHash);
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  // The last value given for a field wins, so walk backwards and skip fields already written.
  std::unordered_set<std::string_view> seen;
  int64_t created = 0;
  for (auto it = fvs.rbegin(); it != fvs.rend(); ++it) {
    if (!seen.insert(it->first).second) continue;
    auto current = ReadField(db, key, rec, it->first);
    if (!current.ok()) return current.status();
    if (current->has_value() && only_if_absent) continue;
    if (!current->has_value()) ++created;
    writer.Put(it->first, it->second);
  }
  if (only_if_absent && created == 0) return int64_t{0};
  meta.size += static_cast<uint64_t>(created);
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return created;
}

StatusOr<std::optional<std::string>> HashGet(const Db& db, std::string_view key,
                                             std::string_view field) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHashForRead(db, key, &rec));
  return ReadField(db, key, rec, field);
}

StatusOr<std::vector<std::optional<std::string>>> HashMGet(
    const Db& db, std::string_view key, const std::vector<std::string_view>& fields) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHashForRead(db, key, &rec));
  std::vector<std::optional<std::string>> out;
  out.reserve(fields.size());
  for (std::string_view field : fields) {
    auto v = ReadField(db, key, rec, field);
    if (!v.ok()) return v.status();
    out.push_back(std::move(*v));
  }
  return out;
}

StatusOr<int64_t> HashDelete(const Db& db, std::string_view key,
                             const std::vector<std::string_view>& fields) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHash(db, key, &rec));
  if (!rec.live()) return int64_t{0};
  codec::Metadata meta = rec.meta;
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  std::unordered_set<std::string_view> seen;
  int64_t removed = 0;
  for (std::string_view field : fields) {
    if (!seen.insert(field).second) continue;
    auto current = ReadField(db, key, rec, field);
    if (!current.ok()) return current.status();
    if (!current->has_value()) continue;
    writer.Delete(field);
    ++removed;
  }
  if (removed == 0) return int64_t{0};
  meta.size -= static_cast<uint64_t>(removed);
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return removed;
}

StatusOr<int64_t> HashLength(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHashForRead(db, key, &rec));
  return rec.live() ? static_cast<int64_t>(rec.meta.size) : 0;
}

StatusOr<int64_t> HashStrLen(const Db& db, std::string_view key, std::string_view field) {
  auto v = HashGet(db, key, field);
  if (!v.ok()) return v.status();
  return v->has_value() ? static_cast<int64_t>((*v)->size()) : 0;
}

StatusOr<bool> HashExists(const Db& db, std::string_view key, std::string_view field) {
  auto v = HashGet(db, key, field);
  if (!v.ok()) return v.status();
  return v->has_value();
}

StatusOr<FieldValues> HashGetAll(const Db& db, std::string_view key, bool with_values) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHashForRead(db, key, &rec));
  FieldValues out;
  if (rec.live()) BASALT_RETURN_IF_ERROR(ReadAll(db, key, rec, with_values, &out));
  return out;
}

StatusOr<int64_t> HashIncrBy(const Db& db, std::string_view key, std::string_view field,
                             int64_t delta) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHash(db, key, &rec));
  auto old = ReadField(db, key, rec, field);
  if (!old.ok()) return old.status();
  int64_t current = 0;
  if (old->has_value() && !codec::ParseInt64(**old, &current)) {
    return Status(Code::kHashNotInteger, "");
  }
  if ((delta < 0 && current < 0 && delta < INT64_MIN - current) ||
      (delta > 0 && current > 0 && delta > INT64_MAX - current)) {
    return Status(Code::kOverflow, "");
  }
  const int64_t next = current + delta;
  BASALT_RETURN_IF_ERROR(
      WriteField(db, key, rec, field, codec::FormatInt64(next), old->has_value()));
  return next;
}

StatusOr<std::string> HashIncrByFloat(const Db& db, std::string_view key, std::string_view field,
                                      long double delta) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHash(db, key, &rec));
  auto old = ReadField(db, key, rec, field);
  if (!old.ok()) return old.status();
  long double current = 0;
  if (old->has_value() && !codec::ParseLongDouble(**old, &current)) {
    return Status(Code::kHashNotFloat, "");
  }
  const long double next = current + delta;
  if (std::isnan(next) || std::isinf(next)) return Status(Code::kNanOrInfinity, "");
  std::string text = codec::FormatLongDoubleHuman(next);
  BASALT_RETURN_IF_ERROR(WriteField(db, key, rec, field, text, old->has_value()));
  return text;
}

StatusOr<FieldValues> HashRandomFields(const Db& db, std::string_view key, int64_t count,
                                       bool with_values) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHashForRead(db, key, &rec));
  FieldValues out;
  if (!rec.live() || count == 0) return out;
  const uint64_t size = rec.meta.size;
  if (size == 0) return out;  // never for a live hash; keeps the distributions well defined
  const bool unique = count > 0;
  const uint64_t n = unique ? static_cast<uint64_t>(count) : static_cast<uint64_t>(-count);
  if (unique && n >= size) {
    BASALT_RETURN_IF_ERROR(ReadAll(db, key, rec, with_values, &out));
    return out;
  }
  std::vector<uint64_t> positions =
      unique ? DistinctPositions(size, n) : RepeatedPositions(size, n);
  out.reserve(n);
  BASALT_RETURN_IF_ERROR(CollectPositions(db, key, rec.meta.version, positions, with_values, &out));
  // Positions were visited in field order; callers expect a random order.
  std::shuffle(out.begin(), out.end(), Rng());
  return out;
}

StatusOr<HashScanPage> HashScan(const Db& db, std::string_view key,
                                const std::optional<std::string>& after,
                                const HashScanOptions& options) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHashForRead(db, key, &rec));
  HashScanPage page;
  if (!rec.live()) return page;
  BASALT_RETURN_IF_ERROR(ScanSubkeys(
      db, key, rec.meta.version, after, options.match, options.count,
      [&](std::string_view field, std::string_view value) {
        page.entries.emplace_back(std::string(field), std::string(value));
        return Status::OK();
      },
      &page.resume_after));
  return page;
}

StatusOr<std::string> HashObjectEncoding(const Db& db, std::string_view key,
                                         int64_t max_listpack_entries, int64_t max_listpack_value) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupHash(db, key, &rec));
  if (!rec.live()) return Status::NotFound();
  if (rec.meta.size > static_cast<uint64_t>(std::max<int64_t>(max_listpack_entries, 0))) {
    return std::string("hashtable");
  }
  const uint64_t limit = static_cast<uint64_t>(std::max<int64_t>(max_listpack_value, 0));
  SubkeyIterator it(db, key, rec.meta.version);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.subkey().size() > limit || it.value().size() > limit) return std::string("hashtable");
  }
  BASALT_RETURN_IF_ERROR(it.status());
  return std::string("listpack");
}

}  // namespace basalt::engine
