#include "server/scan_cursors.h"

#include <random>

namespace basalt::server {

ScanCursors::ScanCursors(size_t capacity) : capacity_(capacity) {
  // Start at a random point so cursors from before a restart are unlikely to alias new ones.
  next_ = (std::random_device{}() % 1000000) * 1000 + 1;
}

uint64_t ScanCursors::Save(std::string resume_after) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t id = next_++;
  if (next_ > (1ull << 53)) next_ = 1;  // stay exact for clients that parse as doubles
  keys_[id] = std::move(resume_after);
  order_.push_back(id);
  while (order_.size() > capacity_) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
  return id;
}

std::optional<std::string> ScanCursors::Resolve(uint64_t cursor) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = keys_.find(cursor);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

}  // namespace basalt::server
