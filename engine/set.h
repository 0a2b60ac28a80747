// Sets: an unordered collection of unique byte strings (Redis's SET type).
//
// Layout: a set is a collection (engine/collection.h). Its metadata record carries the version
// and the member count; each member is one subkey of the data CF with an empty value:
//   set member key := db:u8 | keylen:u32be | user_key | version:u64be | member
// Members therefore iterate in byte order, and membership is one point read. The invariant
// every write keeps: metadata `size` == number of live subkeys of the current version. An
// emptied set is deleted (no metadata record), as Redis deletes empty sets.
//
// Randomness (SRANDMEMBER, SPOP): indexes are drawn uniformly from [0, size) using `size` from
// the metadata, sorted, and resolved in one forward walk over the members, so a draw costs
// O(largest index drawn) reads, never O(size) memory. Sets of more than 1024 members asked for
// at most 1/16 of them are sampled by seeking to random points between their first and last
// member instead (set.cc: O(count) seeks, close to but not exactly uniform, like Redis's).
//
// Ordering: results come back in member byte order (set algebra, SMEMBERS, SSCAN); Redis's
// order is unspecified for hashtables and numeric for intsets. Random results are shuffled.
//
// Locking (key_locks.h): functions that write REQUIRE the world lock shared and the stripes of
// every key they write (for SMOVE and the STORE forms, also of the keys they read, so the
// result is consistent). Readers need no lock. Errors: kWrongType when a key holds another
// type; kOutOfRange when a random draw with repeats asks for more than kMaxRandomDraw members.
#ifndef BASALT_ENGINE_SET_H_
#define BASALT_ENGINE_SET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"

namespace basalt::engine {

// Largest number of members one SRANDMEMBER with a negative count may return. Redis has no
// such cap (it would try to build the reply); Basalt refuses with kOutOfRange instead of
// exhausting memory.
constexpr uint64_t kMaxRandomDraw = uint64_t{1} << 24;

// SADD: returns the number of members that were not already present.
StatusOr<int64_t> SetAdd(const Db& db, std::string_view key,
                         const std::vector<std::string_view>& members);
// SREM: returns the number of members removed. Removing the last member deletes the key.
StatusOr<int64_t> SetRemove(const Db& db, std::string_view key,
                            const std::vector<std::string_view>& members);
// SCARD: 0 for a missing key.
StatusOr<int64_t> SetCard(const Db& db, std::string_view key);
// SISMEMBER / SMISMEMBER: one answer per member, all false for a missing key.
StatusOr<std::vector<bool>> SetIsMember(const Db& db, std::string_view key,
                                        const std::vector<std::string_view>& members);
// SMEMBERS: all members in byte order (empty for a missing key).
StatusOr<std::vector<std::string>> SetMembers(const Db& db, std::string_view key);

// SRANDMEMBER: count >= 0 returns min(count, size) distinct members; count < 0 returns
// exactly -count members drawn with repetition (empty for a missing key). Order is random.
StatusOr<std::vector<std::string>> SetRandomMembers(const Db& db, std::string_view key,
                                                    int64_t count);
// SPOP: removes and returns min(count, size) distinct random members.
StatusOr<std::vector<std::string>> SetPop(const Db& db, std::string_view key, uint64_t count);
// SMOVE: returns whether `member` was in `src` (it is then in `dst`, created if needed).
// A missing `src` answers false before `dst`'s type is checked, as in Redis.
StatusOr<bool> SetMove(const Db& db, std::string_view src, std::string_view dst,
                       std::string_view member);

// Set algebra over `keys` (missing keys are empty sets; every key is type-checked first, in
// order, as Redis 7.0 does). Results are distinct members in byte order.
enum class SetOp { kInter, kUnion, kDiff };
StatusOr<std::vector<std::string>> SetCombine(const Db& db, SetOp op,
                                              const std::vector<std::string_view>& keys);
inline StatusOr<std::vector<std::string>> SetInter(const Db& db,
                                                   const std::vector<std::string_view>& keys) {
  return SetCombine(db, SetOp::kInter, keys);
}
inline StatusOr<std::vector<std::string>> SetUnion(const Db& db,
                                                   const std::vector<std::string_view>& keys) {
  return SetCombine(db, SetOp::kUnion, keys);
}
inline StatusOr<std::vector<std::string>> SetDiff(const Db& db,
                                                  const std::vector<std::string_view>& keys) {
  return SetCombine(db, SetOp::kDiff, keys);
}
// SINTERCARD: the size of the intersection, counting stops at `limit` (0 = no limit).
StatusOr<int64_t> SetInterCard(const Db& db, const std::vector<std::string_view>& keys,
                               uint64_t limit);
// SINTERSTORE / SUNIONSTORE / SDIFFSTORE: writes the result to `dst` in one batch and returns
// its size. `dst` (of any type) is replaced by a fresh version without a TTL; an empty result
// deletes it. `dst` may be one of `keys`.
StatusOr<int64_t> SetStore(const Db& db, SetOp op, std::string_view dst,
                           const std::vector<std::string_view>& keys);

struct SetScanPage {
  std::vector<std::string> members;
  std::optional<std::string> resume_after;  // nullopt: the scan is complete
};
// One SSCAN step: examines up to `count` members that sort after `after` (nullopt = from the
// start) and returns those matching the glob `match` (empty = all). A missing key is an empty,
// complete scan.
StatusOr<SetScanPage> SetScan(const Db& db, std::string_view key,
                              const std::optional<std::string>& after, std::string_view match,
                              size_t count);

// OBJECT ENCODING for a set, as Redis 7.0 reports it: "intset" when every member is an integer
// in canonical form (what Redis's string2ll accepts: no sign '+', no leading zeros, no "-0",
// within int64) and the set has at most `max_intset_entries` members
// (set-max-intset-entries), else "hashtable". Redis never converts a hashtable back to an
// intset (e.g. after SREM of the last non-integer); Basalt keeps no conversion history and
// answers from the current contents. kNotFound for a missing key, kWrongType for a non-set.
StatusOr<std::string> SetObjectEncoding(const Db& db, std::string_view key,
                                        int64_t max_intset_entries);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_SET_H_
