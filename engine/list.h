// Lists: ordered sequences of byte strings, pushed and popped at either end (Redis's LIST).
//
// Layout: a list is a collection (engine/collection.h). Its metadata record carries the
// version, the element count and two cursors, head and tail; each element is one subkey of the
// data CF keyed by its big-endian 64-bit index:
//   list element key := db:u8 | keylen:u32be | user_key | version:u64be | index:u64be
// Elements occupy the half-open index range [head, tail): LPUSH writes head-1 and decrements
// head, RPUSH writes tail and increments tail. A new list starts with head == tail == 2^63 so
// both ends can grow. The invariant every write keeps:
//   size == tail - head == number of live subkeys of the current version,
// and the indexes are contiguous, so logical position i lives at head + i and a point read or
// an index seek costs one lookup. An emptied list is deleted (no metadata record).
//
// Costs: pushes and pops are O(elements moved) (a pop of up to 8 elements reads them with point
// reads, which skip building an iterator; a larger pop walks one bounded iterator); LINDEX/LSET
// are one point read/write; LRANGE and LTRIM are O(elements returned/removed). Writes in the
// middle (LINSERT, LREM) keep the indexes contiguous by rewriting the shorter side (LINSERT) or
// everything after the first removed element (LREM): O(N) writes in the worst case.
//
// Locking (key_locks.h): functions that write REQUIRE the world lock shared and the stripes of
// every key they touch (both keys for ListMove). Readers need no lock. Errors: kWrongType when a
// key holds another type; kNotFound (ListSet on a missing key) and kOutOfRange (ListSet index).
#ifndef BASALT_ENGINE_LIST_H_
#define BASALT_ENGINE_LIST_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"

namespace basalt::engine {

enum class ListEnd { kLeft, kRight };

// LPUSH / RPUSH (and the X forms with `only_if_exists`): pushes each element in turn at `end`
// and returns the new length (0 when `only_if_exists` and the key is missing).
StatusOr<int64_t> ListPush(const Db& db, std::string_view key, ListEnd end,
                           const std::vector<std::string_view>& elements, bool only_if_exists);
// LPOP / RPOP: removes and returns up to `count` elements from `end`; nullopt for a missing
// key (an existing key with count 0 yields an empty vector).
StatusOr<std::optional<std::vector<std::string>>> ListPop(const Db& db, std::string_view key,
                                                          ListEnd end, uint64_t count);
// LLEN: 0 for a missing key.
StatusOr<int64_t> ListLen(const Db& db, std::string_view key);
// LINDEX: the element at `index` (negative counts from the end); nullopt when out of range.
StatusOr<std::optional<std::string>> ListIndex(const Db& db, std::string_view key, int64_t index);
// LRANGE: elements [start, stop] with Redis's clamping of negative and oversize bounds, handed
// over without copying: begin(n) with their number (0 for a missing key or an empty range),
// then visit(element) for each in order (the view is valid only during the call). On an error
// after begin, the caller discards what it was given.
Status ListRange(const Db& db, std::string_view key, int64_t start, int64_t stop,
                 const std::function<void(uint64_t)>& begin,
                 const std::function<void(std::string_view)>& visit);
// The same elements as a vector.
StatusOr<std::vector<std::string>> ListRange(const Db& db, std::string_view key, int64_t start,
                                             int64_t stop);
// LSET: kNotFound for a missing key, kOutOfRange for a bad index.
Status ListSet(const Db& db, std::string_view key, int64_t index, std::string_view element);
// LTRIM: keeps [start, stop] (Redis's clamping); trimming everything deletes the key.
Status ListTrim(const Db& db, std::string_view key, int64_t start, int64_t stop);
// LREM: removes elements equal to `element`: the first `count` from the head (count > 0), the
// last -count from the tail (count < 0) or all (count == 0). Returns the number removed.
StatusOr<int64_t> ListRemove(const Db& db, std::string_view key, int64_t count,
                             std::string_view element);
// LINSERT: inserts `element` before/after the first `pivot`. Returns the new length, -1 if the
// pivot is absent, 0 if the key is missing.
StatusOr<int64_t> ListInsert(const Db& db, std::string_view key, bool before,
                             std::string_view pivot, std::string_view element);
// LPOS: positions of matches of `element`. rank != 0: start from the rank-th match (negative:
// from the tail); count: at most that many matches (0 = all); maxlen: compare at most that
// many elements (0 = all).
StatusOr<std::vector<int64_t>> ListPos(const Db& db, std::string_view key, std::string_view element,
                                       int64_t rank, uint64_t count, uint64_t maxlen);
// LMOVE / RPOPLPUSH: pops from `from` of `src` and pushes at `to` of `dst` atomically; returns
// the element, or nullopt if `src` is missing (dst is then not type-checked, as in Redis).
StatusOr<std::optional<std::string>> ListMove(const Db& db, std::string_view src,
                                              std::string_view dst, ListEnd from, ListEnd to);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_LIST_H_
