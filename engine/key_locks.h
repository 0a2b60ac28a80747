// Striped key locks. A write command locks the stripes of every key it writes, in ascending
// stripe order, so two multi-key commands can never deadlock. A read of several keys (MGET,
// SUNION, ...) locks its keys' stripes the same way, so that it sees all or none of any write
// (the hot tier is updated under the writer's stripes); stripes are exclusive, so such reads
// also exclude each other on shared stripes. Reads of a single key take no key lock. Commands
// that rewrite whole databases (FLUSHDB, FLUSHALL, SWAPDB) take the world lock exclusively;
// every other locking command holds it shared while it runs.
//
// Thread-safety: all methods are thread-safe. A Guard must be released on the thread that
// acquired it (std::mutex rule).
#ifndef BASALT_ENGINE_KEY_LOCKS_H_
#define BASALT_ENGINE_KEY_LOCKS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <vector>

namespace basalt::engine {

class KeyLocks {
 public:
  static constexpr size_t kStripes = 1024;

  // Holds a set of stripes until destroyed.
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& other) noexcept;
    Guard& operator=(Guard&& other) noexcept;
    ~Guard() { Release(); }
    void Release();

   private:
    friend class KeyLocks;
    KeyLocks* owner_ = nullptr;
    std::vector<uint16_t> stripes_;  // ascending, unique
  };

  // Stripe of (physical db, key).
  static uint16_t StripeOf(uint8_t db, std::string_view key);

  // Locks the stripes of all (db, key) pairs. Blocks until all are held.
  Guard Lock(const std::vector<uint16_t>& stripes);
  Guard LockOne(uint8_t db, std::string_view key) { return Lock({StripeOf(db, key)}); }
  // Adds `stripe` to `guard` without waiting: true if the guard holds it now (or already did),
  // false if another thread holds it. Never blocks, so it cannot deadlock whatever `guard` holds.
  bool TryAdd(Guard* guard, uint16_t stripe);
  // Like Lock, but while a stripe is held elsewhere asks `give_up` about once a millisecond
  // (a release still wakes the waiter at once); when it answers true, releases what it took
  // and returns false. On success *out holds the stripes.
  bool LockUnless(const std::vector<uint16_t>& stripes, const std::function<bool()>& give_up,
                  Guard* out);

  // Timed, so that a worker can stop waiting behind a busy script (server/scripting.h).
  using WorldMutex = std::shared_timed_mutex;
  WorldMutex& world() { return world_; }

 private:
  std::array<std::timed_mutex, kStripes> stripes_;
  WorldMutex world_;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_KEY_LOCKS_H_
