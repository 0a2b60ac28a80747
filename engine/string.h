// Strings: the value lives inline in the key's metadata record, so every string command is one
// point read and at most one write batch.
//
// Every function takes a Db and follows the locking protocol of key_locks.h: functions that
// write REQUIRE the caller to hold the world lock shared and the stripes of the keys they write.
// Results that Redis distinguishes are typed: kWrongType, kNotInteger, kNotFloat, kOverflow,
// kNanOrInfinity, kTooLarge, kSyntax.
#ifndef BASALT_ENGINE_STRING_H_
#define BASALT_ENGINE_STRING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"

namespace basalt::engine {

// How a write treats the key's TTL.
struct ExpireChange {
  enum class Mode { kClear, kKeep, kSetAt };
  Mode mode = Mode::kClear;
  uint64_t at_ms = 0;  // for kSetAt
};

struct SetOptions {
  enum class Condition { kAlways, kIfAbsent, kIfPresent };  // -, NX, XX
  Condition condition = Condition::kAlways;
  ExpireChange expire;   // EX/PX/EXAT/PXAT set, KEEPTTL keeps, default clears
  bool get_old = false;  // GET: reply with the old value (WRONGTYPE if not a string)
};

struct SetResult {
  bool written = false;
  std::optional<std::string> old;  // with get_old
};

// Largest string a write may create (proto-max-bulk-len). Changeable at runtime.
void SetMaxStringBytes(uint64_t bytes);
uint64_t MaxStringBytes();

StatusOr<std::optional<std::string>> StringGet(const Db& db, std::string_view key);
StatusOr<SetResult> StringSet(const Db& db, std::string_view key, std::string_view value,
                              const SetOptions& options);
// GETDEL
StatusOr<std::optional<std::string>> StringGetDel(const Db& db, std::string_view key);
// GETEX: returns the value and applies `change` (kKeep = leave the TTL alone).
StatusOr<std::optional<std::string>> StringGetEx(const Db& db, std::string_view key,
                                                 const ExpireChange& change);
// MGET: non-strings read as absent.
StatusOr<std::vector<std::optional<std::string>>> StringMGet(
    const Db& db, const std::vector<std::string_view>& keys);
// MSET / MSETNX (if_none_exist): returns whether the values were written.
StatusOr<bool> StringMSet(const Db& db,
                          const std::vector<std::pair<std::string_view, std::string_view>>& kvs,
                          bool if_none_exist);
// INCRBY and friends.
StatusOr<int64_t> StringIncrBy(const Db& db, std::string_view key, int64_t delta);
// INCRBYFLOAT: returns the new value formatted as Redis stores it.
StatusOr<std::string> StringIncrByFloat(const Db& db, std::string_view key, long double delta);
// APPEND: returns the new length.
StatusOr<int64_t> StringAppend(const Db& db, std::string_view key, std::string_view suffix);
StatusOr<int64_t> StringLength(const Db& db, std::string_view key);
// GETRANGE with Redis's negative-index rules.
StatusOr<std::string> StringGetRange(const Db& db, std::string_view key, int64_t start,
                                     int64_t end);
// SETRANGE: returns the new length. `offset` must be >= 0 (checked by the caller).
StatusOr<int64_t> StringSetRange(const Db& db, std::string_view key, int64_t offset,
                                 std::string_view value);

// The longest common subsequence of two strings, for LCS.
struct LcsMatch {
  int64_t a_start, a_end, b_start, b_end;  // inclusive ranges
};
struct LcsResult {
  std::string sequence;
  std::vector<LcsMatch> matches;  // from the end of the strings backwards, as Redis reports
};
// `want_matches` also collects matched ranges of length >= min_match_len.
LcsResult ComputeLcs(std::string_view a, std::string_view b, bool want_matches,
                     int64_t min_match_len);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_STRING_H_
