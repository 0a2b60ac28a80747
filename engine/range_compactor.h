// Compacts key ranges whose reads walk many tombstones, in the background.
//
// A collection that lost most of its elements (SPOP down to a few members, HDEL of most
// fields) lies among their tombstones until RocksDB's own compactions reach them, which can be
// never while nothing else is written there: every read that iterates it steps over all of
// them (an SPOP walk over 90,000 tombstones per pop). Readers measure what they skipped
// (TombstoneMeter) and ask for that range to be compacted; a background thread flushes the
// memtable that holds them and compacts the range down to the bottom level, where the
// tombstones and what they delete are dropped (CompactRange).
//
// A compaction of a small range still rewrites every level-0 file overlapping it, so requests
// are rate-limited: at most one compaction per kMinInterval, a bounded queue, and a range that
// is already queued or being compacted is not queued again.
//
// Thread-safety: Request is safe from any thread. The owner destroys the compactor before the
// database: the destructor stops a running compaction and joins the thread.
#ifndef BASALT_ENGINE_RANGE_COMPACTOR_H_
#define BASALT_ENGINE_RANGE_COMPACTOR_H_

#include <rocksdb/db.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace basalt::engine {

class RangeCompactor {
 public:
  static constexpr auto kMinInterval = std::chrono::seconds(1);
  static constexpr size_t kMaxQueued = 16;

  explicit RangeCompactor(rocksdb::DB* db);
  ~RangeCompactor();
  RangeCompactor(const RangeCompactor&) = delete;
  RangeCompactor& operator=(const RangeCompactor&) = delete;

  // Queues [begin, end) of `cf` (dropped when the queue is full or already holds it).
  void Request(rocksdb::ColumnFamilyHandle* cf, std::string begin, std::string end);

  // Compactions run so far (INFO, tests).
  uint64_t completed() const;

 private:
  struct Range {
    rocksdb::ColumnFamilyHandle* cf;
    std::string begin, end;
  };
  void Loop();

  rocksdb::DB* db_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Range> queue_;       // guarded by mu_
  std::optional<Range> running_;  // guarded by mu_; the range being compacted
  bool stop_ = false;             // guarded by mu_
  uint64_t completed_ = 0;        // guarded by mu_
  std::thread thread_;
};

// Counts the tombstones (deletions) RocksDB steps over in reads on this thread while it lives.
// Turns on RocksDB's per-thread counters for its lifetime (they are off otherwise); nests.
class TombstoneMeter {
 public:
  TombstoneMeter();
  ~TombstoneMeter();
  TombstoneMeter(const TombstoneMeter&) = delete;
  TombstoneMeter& operator=(const TombstoneMeter&) = delete;

  uint64_t skipped() const;

 private:
  int saved_level_;
  uint64_t start_;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_RANGE_COMPACTOR_H_
