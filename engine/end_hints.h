// EndHints: in-memory bounds on where the live subkeys of one collection version lie. The
// engine keeps two: one for sorted sets' score index, one for sets' members.
//
// Why, sorted sets: pops delete the lowest (or highest) entries of the zscore CF. Until
// compaction drops them, those deletions stay as tombstones at the front (or back) of the
// key's range, and an iterator positioned with SeekToFirst/SeekToLast steps over every one of
// them: the k-th pop of a draining queue costs O(k). ZSetPop seeks to the floor (SeekForPrev
// to the ceiling) instead, which costs O(log n) however many tombstones lie behind it, and
// moves the bound to what it popped after its batch commits.
// Why, sets: sampling a large set for SPOP/SRANDMEMBER needs its first and last member
// (engine/set.cc); finding them is two seeks, over the tombstones of earlier pops, before every
// draw. SPOP remembers them here; deleted members only leave the bounds wider than they need be.
//
// A hint remembers, per collection version:
//   floor   := a subkey such that every live subkey of the version is >= floor
//   ceiling := a subkey such that every live subkey of the version is <= ceiling
//
// Correctness: a hint is only ever a bound, never data. It is keyed by (physical db, key,
// version); versions are never reused, so a deleted, overwritten, renamed or expired
// collection can never meet an old hint. Deletions keep a bound true. The only writes that add
// subkeys to an existing version call Widen before they write (ZWriter::Put in engine/zset.cc;
// SADD and SMOVE's destination in engine/set.cc), so a bound is widened (never narrowed) ahead
// of any subkey it would exclude; a write that fails afterwards leaves a wider, still true,
// bound. Narrow runs only under the key's lock (after a pop commits, or when SPOP found the
// ends). A hint that is missing (restart, eviction) only costs one slow pop, which re-creates
// it. ZSetPop also checks on use: a walk from a hint that finds fewer elements than the
// metadata promises drops the hint and walks again from the end of the range.
//
// Cost: a few hundred bytes per popped-from collection. Memory is bounded: kShards shards of
// at most kMaxEntriesPerShard entries (a full shard is cleared: hints are disposable), and
// entries larger than kMaxEntryBytes are not kept. Widen costs one atomic load when no hint
// exists at all, otherwise a hash lookup under a shard mutex.
//
// Thread-safety: all methods are thread-safe. Callers REQUIRE the key's stripe lock for
// Narrow and Widen (so a bound and the data it describes change together); Get also needs it
// for the answer to be meaningful.
#ifndef BASALT_ENGINE_END_HINTS_H_
#define BASALT_ENGINE_END_HINTS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::engine {

class EndHints {
 public:
  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxEntriesPerShard = 1024;
  static constexpr size_t kMaxEntryBytes = 1024;

  enum class End { kMin, kMax };

  // The bound for `end` of (db, key, version), nullopt when none is known.
  std::optional<std::string> Get(uint8_t db, std::string_view key, uint64_t version, End end);
  // Records that every live entry is >= `subkey` (kMin) or <= `subkey` (kMax).
  void Narrow(uint8_t db, std::string_view key, uint64_t version, End end, std::string subkey);
  // A score subkey is about to be written: moves the bounds out to include it.
  void Widen(uint8_t db, std::string_view key, uint64_t version, std::string_view subkey);
  // Forgets the hints of (db, key, version).
  void Erase(uint8_t db, std::string_view key, uint64_t version);

 private:
  struct Bounds {
    std::optional<std::string> floor, ceiling;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bounds> map;
  };
  static std::string MapKey(uint8_t db, std::string_view key, uint64_t version);
  Shard& ShardOf(const std::string& map_key);

  std::array<Shard, kShards> shards_;
  std::atomic<size_t> entries_{0};  // across shards; lets Widen skip the lookup when zero
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_END_HINTS_H_
