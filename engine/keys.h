// Type-independent key commands: existence, deletion, TTLs, renames, copies between databases,
// and iteration (KEYS, SCAN, RANDOMKEY).
//
// Locking protocol (key_locks.h): functions that write REQUIRE the world lock shared and the
// stripes of every key they write (for MOVE and COPY, in both databases). Read-only functions
// need no key lock.
#ifndef BASALT_ENGINE_KEYS_H_
#define BASALT_ENGINE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/metadata.h"
#include "engine/keyspace.h"

namespace basalt::engine {

// Number of the given keys that exist (a key named twice counts twice), as EXISTS and TOUCH.
StatusOr<int64_t> KeysExist(const Db& db, const std::vector<std::string_view>& keys);
// Deletes the given keys; returns how many existed.
StatusOr<int64_t> KeysDelete(const Db& db, const std::vector<std::string_view>& keys);
StatusOr<codec::KeyType> KeyTypeOf(const Db& db, std::string_view key);

enum class ExpireCondition { kAlways, kNX, kXX, kGT, kLT };
// Sets the deadline of `key` to `at_ms` (unix ms) if `condition` allows. A deadline in the
// past deletes the key. Returns whether the key was changed.
StatusOr<bool> KeySetExpire(const Db& db, std::string_view key, uint64_t at_ms,
                            ExpireCondition condition);
// Deadline of a key: -2 no such key, -1 no deadline, else unix ms.
StatusOr<int64_t> KeyExpireAt(const Db& db, std::string_view key);
// PERSIST: returns whether a deadline was removed.
StatusOr<bool> KeyPersist(const Db& db, std::string_view key);

// RENAME / RENAMENX. kNotFound if `src` does not exist. Returns false when `if_absent` and
// `dst` exists.
StatusOr<bool> KeyRename(const Db& db, std::string_view src, std::string_view dst, bool if_absent);
// COPY: returns false if `src` is missing or `dst` exists without `replace`. kSameObject when
// source and destination are the same key of the same database.
StatusOr<bool> KeyCopy(const Db& src_db, std::string_view src, const Db& dst_db,
                       std::string_view dst, bool replace);
// MOVE: returns false if `key` is missing or exists in `dst_db`.
StatusOr<bool> KeyMove(const Db& db, std::string_view key, const Db& dst_db);

struct ScanOptions {
  std::string_view match;                       // empty = all
  size_t count = 10;                            // keys to examine (a hint, as in Redis)
  codec::KeyType type = codec::KeyType::kNone;  // kNone = any type
};
struct ScanPage {
  std::vector<std::string> keys;
  std::optional<std::string> resume_after;  // nullopt: the scan is complete
};
// One SCAN step over the live keys that sort after `after` (nullopt = from the start).
StatusOr<ScanPage> KeysScan(const Db& db, const std::optional<std::string>& after,
                            const ScanOptions& options);
// KEYS pattern.
StatusOr<std::vector<std::string>> KeysMatching(const Db& db, std::string_view pattern);
// RANDOMKEY: nullopt for an empty database.
StatusOr<std::optional<std::string>> KeysRandom(const Db& db);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_KEYS_H_
