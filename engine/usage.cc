#include "engine/usage.h"

#include "engine/collection.h"

namespace basalt::engine {

namespace {

// The cost of one element record of a collection of `type` under `key`.
uint64_t ElementBytes(codec::KeyType type, std::string_view key, std::string_view subkey,
                      std::string_view value) {
  uint64_t bytes = kSubkeyPrefix + key.size() + subkey.size() + value.size();
  if (type == codec::KeyType::kZSet) bytes += kSubkeyPrefix + key.size() + 8 + subkey.size();
  return bytes;
}

}  // namespace

StatusOr<std::optional<uint64_t>> EstimateKeyBytes(const Db& db, std::string_view key,
                                                   uint64_t samples) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
  if (!rec.live()) return std::optional<uint64_t>();
  const uint64_t own = kKeyOverhead + 1 + key.size() + rec.raw.size();
  const codec::KeyType type = rec.meta.type;
  if (type == codec::KeyType::kString || rec.meta.size == 0) return std::optional<uint64_t>(own);
  SubkeyIterator it(db, key, rec.meta.version);
  uint64_t seen = 0, bytes = 0;
  for (it.SeekToFirst(); it.Valid() && (samples == 0 || seen < samples); it.Next()) {
    bytes += ElementBytes(type, key, it.subkey(), it.value());
    ++seen;
  }
  BASALT_RETURN_IF_ERROR(it.status());
  if (seen == 0) return std::optional<uint64_t>(own);
  // Mean element cost times the element count (exact when every element was read).
  const long double per = static_cast<long double>(bytes) / static_cast<long double>(seen);
  return std::optional<uint64_t>(own + static_cast<uint64_t>(per * rec.meta.size));
}

}  // namespace basalt::engine
