#include "engine/key_locks.h"

#include <algorithm>
#include <chrono>
#include <functional>

namespace basalt::engine {

KeyLocks::Guard::Guard(Guard&& other) noexcept
    : owner_(other.owner_), stripes_(std::move(other.stripes_)) {
  other.owner_ = nullptr;
}

KeyLocks::Guard& KeyLocks::Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    stripes_ = std::move(other.stripes_);
    other.owner_ = nullptr;
  }
  return *this;
}

void KeyLocks::Guard::Release() {
  if (owner_ == nullptr) return;
  for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) owner_->stripes_[*it].unlock();
  stripes_.clear();
  owner_ = nullptr;
}

uint16_t KeyLocks::StripeOf(uint8_t db, std::string_view key) {
  size_t h = std::hash<std::string_view>()(key) * 31 + db;
  return static_cast<uint16_t>(h % kStripes);
}

KeyLocks::Guard KeyLocks::Lock(const std::vector<uint16_t>& stripes) {
  Guard g;
  g.owner_ = this;
  g.stripes_ = stripes;
  std::sort(g.stripes_.begin(), g.stripes_.end());
  g.stripes_.erase(std::unique(g.stripes_.begin(), g.stripes_.end()), g.stripes_.end());
  for (uint16_t s : g.stripes_) stripes_[s].lock();
  return g;
}

bool KeyLocks::LockUnless(const std::vector<uint16_t>& stripes,
                          const std::function<bool()>& give_up, Guard* out) {
  std::vector<uint16_t> sorted = stripes;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    while (!stripes_[sorted[i]].try_lock_for(std::chrono::milliseconds(1))) {
      if (!give_up()) continue;
      for (size_t j = i; j-- > 0;) stripes_[sorted[j]].unlock();
      return false;
    }
  }
  Guard g;
  g.owner_ = this;
  g.stripes_ = std::move(sorted);
  *out = std::move(g);
  return true;
}

bool KeyLocks::TryAdd(Guard* guard, uint16_t stripe) {
  auto pos = std::lower_bound(guard->stripes_.begin(), guard->stripes_.end(), stripe);
  if (pos != guard->stripes_.end() && *pos == stripe) return true;
  if (!stripes_[stripe].try_lock()) return false;
  guard->owner_ = this;
  guard->stripes_.insert(pos, stripe);
  return true;
}

}  // namespace basalt::engine
