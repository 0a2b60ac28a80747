#include "engine/range_compactor.h"

#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

namespace basalt::engine {

RangeCompactor::RangeCompactor(rocksdb::DB* db) : db_(db), thread_([this] { Loop(); }) {}

RangeCompactor::~RangeCompactor() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  db_->DisableManualCompaction();  // a running CompactRange returns early
  if (thread_.joinable()) thread_.join();
}

void RangeCompactor::Request(rocksdb::ColumnFamilyHandle* cf, std::string begin, std::string end) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_ || queue_.size() >= kMaxQueued) return;
    auto same = [&](const Range& r) { return r.cf == cf && r.begin == begin && r.end == end; };
    if (running_.has_value() && same(*running_)) return;
    for (const Range& r : queue_) {
      if (same(r)) return;
    }
    queue_.push_back(Range{cf, std::move(begin), std::move(end)});
  }
  cv_.notify_one();
}

uint64_t RangeCompactor::completed() const {
  std::lock_guard<std::mutex> l(mu_);
  return completed_;
}

void RangeCompactor::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    running_ = std::move(queue_.front());
    queue_.pop_front();
    const Range& r = *running_;
    l.unlock();
    rocksdb::CompactRangeOptions o;
    // The tombstones go only where nothing older lies below: the bottom level.
    o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    o.exclusive_manual_compaction = false;
    const rocksdb::Slice begin(r.begin), end(r.end);
    // A failure (a disk error, shutdown) leaves the range as it was: reads stay correct.
    db_->CompactRange(o, r.cf, &begin, &end).PermitUncheckedError();
    l.lock();
    running_.reset();
    ++completed_;
    cv_.wait_for(l, kMinInterval, [this] { return stop_; });
  }
}

TombstoneMeter::TombstoneMeter() : saved_level_(static_cast<int>(rocksdb::GetPerfLevel())) {
  if (saved_level_ < static_cast<int>(rocksdb::PerfLevel::kEnableCount)) {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  }
  start_ = rocksdb::get_perf_context()->internal_delete_skipped_count;
}

TombstoneMeter::~TombstoneMeter() {
  rocksdb::SetPerfLevel(static_cast<rocksdb::PerfLevel>(saved_level_));
}

uint64_t TombstoneMeter::skipped() const {
  return rocksdb::get_perf_context()->internal_delete_skipped_count - start_;
}

}  // namespace basalt::engine
