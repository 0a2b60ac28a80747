// Sorted sets: unique byte-string members, each with a double score, ordered by (score, member)
// (Redis's ZSET type).
//
// Layout: a sorted set is a collection (engine/collection.h) with two subkeys per member, both
// under the same key version:
//   data CF   member key := db:u8 | keylen:u32be | user_key | version:u64be | member
//             value      := score:8B sortable (codec/sortable_double.h)
//   zscore CF score key  := db:u8 | keylen:u32be | user_key | version:u64be
//                           | score:8B sortable | member            value := empty
// The data CF answers ZSCORE with one point read; the zscore CF iterates in (score, member)
// order, exactly Redis's order, so a score range is one Seek plus an ordered walk. Every write
// keeps the invariant: metadata `size` == live members in the data CF == live entries in the
// zscore CF of the current version, and commits one Batch. An emptied set is deleted.
//
// Ranks: there is no order-statistic index, so a rank costs a walk. ZRANK walks the score
// index from both ends at once and stops when either side meets the member, so its cost is
// O(min(rank, size - rank)) iterator steps. ZRANGE by rank starts from whichever end is nearer
// to the requested window. A lex range walks the score index in order (Redis's lex commands
// assume equal scores, and then score order is member order).
//
// Pops: ZPOPMIN/ZPOPMAX delete the lowest/highest entries, and until compaction drops them
// their tombstones pile up at that end of the key's zscore range; positioning with SeekToFirst
// or SeekToLast would step over all of them, so the k-th pop of a draining set cost O(k). The
// plan: an in-memory hint per (db, key, version) (engine/end_hints.h) bounds where the live
// entries lie (floor: every live entry >= it; ceiling: <= it). A pop seeks to the bound, which
// costs O(log n) whatever lies behind it, collects its elements without stepping past the last
// one wanted, and after committing moves the bound to what it popped. Every write that adds a
// score entry widens the bound first (ZWriter::Put), versions are never reused, so a bound is
// never wrong; a pop that finds fewer elements than the metadata promises drops the hint and
// walks again from the end. Cost: a few hundred bytes of RAM per popped-from set (bounded),
// one hash lookup per pop and per score write while hints exist; the first pop after a
// restart walks the tombstones once. Reads (ZRANGE and friends) do not use the hints.
//
// Scores are never NaN: the command layer rejects NaN input, and an increment that would
// produce NaN fails with kScoreNaN before anything is written.
//
// Locking (key_locks.h): functions that write REQUIRE the world lock shared and the stripes of
// the keys they write (ZRANGESTORE: also the source). Readers need no lock. Errors: kWrongType
// when a key holds another type; kScoreNaN as above.
#ifndef BASALT_ENGINE_ZSET_H_
#define BASALT_ENGINE_ZSET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"

namespace basalt::engine {

struct ScoredMember {
  std::string member;
  double score = 0;
  bool operator==(const ScoredMember&) const = default;
};

struct ZAddOptions {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};
struct ZAddPair {
  double score;
  std::string_view member;
};
struct ZAddResult {
  int64_t changed = 0;          // added, plus updated when `ch`
  std::optional<double> score;  // INCR: the new score, nullopt when the update was refused
};
// ZADD / ZINCRBY. REQUIRES: options are compatible (as the command layer checks) and `incr`
// implies exactly one pair. A missing key with XX creates nothing.
StatusOr<ZAddResult> ZSetAdd(const Db& db, std::string_view key, const ZAddOptions& options,
                             const std::vector<ZAddPair>& pairs);

// ZREM: the number of members removed.
StatusOr<int64_t> ZSetRemove(const Db& db, std::string_view key,
                             const std::vector<std::string_view>& members);
// ZCARD: 0 for a missing key.
StatusOr<int64_t> ZSetCard(const Db& db, std::string_view key);
// ZSCORE / ZMSCORE: one score per member, nullopt when absent.
StatusOr<std::vector<std::optional<double>>> ZSetScores(
    const Db& db, std::string_view key, const std::vector<std::string_view>& members);
// ZRANK / ZREVRANK: nullopt for a missing key or member.
StatusOr<std::optional<int64_t>> ZSetRank(const Db& db, std::string_view key,
                                          std::string_view member, bool reverse);

struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};
struct LexBound {
  enum class Kind { kNegInf, kPosInf, kValue };
  Kind kind = Kind::kNegInf;
  std::string value;
  bool exclusive = false;
};

// What a range command selects. For kRank, `start`/`stop` are Redis ranks (negative counts
// from the end). For kScore/kLex, `offset`/`limit` are LIMIT's (limit < 0 = no limit; offset
// < 0 selects nothing, as in Redis). `reverse` walks from the highest element.
struct ZRangeSpec {
  enum class Kind { kRank, kScore, kLex };
  Kind kind = Kind::kRank;
  bool reverse = false;
  int64_t start = 0, stop = -1;
  ScoreBound min, max;
  LexBound lex_min, lex_max;
  int64_t offset = 0, limit = -1;
};

// ZRANGE and its relatives: the selected elements in walk order (empty for a missing key).
StatusOr<std::vector<ScoredMember>> ZSetRange(const Db& db, std::string_view key,
                                              const ZRangeSpec& spec);
// ZCOUNT / ZLEXCOUNT: the number of elements `spec` selects.
StatusOr<int64_t> ZSetCount(const Db& db, std::string_view key, const ZRangeSpec& spec);
// ZREMRANGEBYRANK / BYSCORE / BYLEX: removes the selected elements, returns how many.
StatusOr<int64_t> ZSetRemoveRange(const Db& db, std::string_view key, const ZRangeSpec& spec);
// ZRANGESTORE: replaces `dst` (any type; no TTL kept) with the selected elements of `src` and
// returns their number; an empty result deletes `dst`.
StatusOr<int64_t> ZSetRangeStore(const Db& db, std::string_view dst, std::string_view src,
                                 const ZRangeSpec& spec);
// ZPOPMIN / ZPOPMAX: removes and returns up to `count` lowest (or highest) elements.
StatusOr<std::vector<ScoredMember>> ZSetPop(const Db& db, std::string_view key, uint64_t count,
                                            bool max);
// ZRANDMEMBER: count >= 0 returns min(count, size) distinct elements; count < 0 returns
// exactly -count elements drawn with repetition. Order is random. kOutOfRange if -count
// exceeds kMaxRandomDraw (engine/set.h).
StatusOr<std::vector<ScoredMember>> ZSetRandomMembers(const Db& db, std::string_view key,
                                                      int64_t count);

// Sorted-set algebra (ZUNION, ZINTER, ZDIFF and their STORE forms). Sources may be sorted sets
// or plain sets (whose members score 1), as in Redis; a missing key is empty; every key is
// type-checked first, in order (kWrongType). Each source score is multiplied by its weight
// (`weights` empty = all 1; a NaN product counts as 0) and combined with `aggregate` (a NaN
// sum counts as 0). Union and intersection combine sources from the smallest to the largest,
// as Redis does; difference keeps the first source's scores. Results are in (score, member)
// order. Union builds the result in memory (O(total members)); intersection walks the
// smallest source and point-reads the others; difference walks the first.
enum class ZSetOp { kUnion, kInter, kDiff };
// Type-checks algebra sources in order: kWrongType at the first that is neither a sorted set
// nor a set. (The command layer calls it before parsing options, as Redis does.)
Status ZSetCheckSources(const Db& db, const std::vector<std::string_view>& keys);
enum class ZAggregate { kSum, kMin, kMax };
StatusOr<std::vector<ScoredMember>> ZSetCombine(const Db& db, ZSetOp op,
                                                const std::vector<std::string_view>& keys,
                                                const std::vector<double>& weights,
                                                ZAggregate aggregate);
// The STORE forms: replaces `dst` (any type; no TTL kept) and returns the result's size; an
// empty result deletes `dst`. `dst` may be one of `keys`.
StatusOr<int64_t> ZSetCombineStore(const Db& db, ZSetOp op, std::string_view dst,
                                   const std::vector<std::string_view>& keys,
                                   const std::vector<double>& weights, ZAggregate aggregate);
// ZINTERCARD: the intersection's size; counting stops at `limit` (0 = no limit).
StatusOr<int64_t> ZSetInterCard(const Db& db, const std::vector<std::string_view>& keys,
                                uint64_t limit);
struct ZSetScanPage {
  std::vector<ScoredMember> elements;
  std::optional<std::string> resume_after;  // nullopt: the scan is complete
};
// One ZSCAN step over members in byte order, as SetScan (engine/set.h).
StatusOr<ZSetScanPage> ZSetScan(const Db& db, std::string_view key,
                                const std::optional<std::string>& after, std::string_view match,
                                size_t count);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_ZSET_H_
