#include "engine/end_hints.h"

#include <functional>

#include "codec/key_format.h"

namespace basalt::engine {

// map key := db:u8 | version:u64be | user_key (in memory only, never persisted)
std::string EndHints::MapKey(uint8_t db, std::string_view key, uint64_t version) {
  std::string k(1, static_cast<char>(db));
  codec::PutFixed64BE(&k, version);
  k.append(key);
  return k;
}

EndHints::Shard& EndHints::ShardOf(const std::string& map_key) {
  return shards_[std::hash<std::string>{}(map_key) % kShards];
}

std::optional<std::string> EndHints::Get(uint8_t db, std::string_view key, uint64_t version,
                                         End end) {
  if (entries_.load(std::memory_order_relaxed) == 0) return std::nullopt;
  const std::string k = MapKey(db, key, version);
  Shard& shard = ShardOf(k);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(k);
  if (it == shard.map.end()) return std::nullopt;
  return end == End::kMin ? it->second.floor : it->second.ceiling;
}

void EndHints::Narrow(uint8_t db, std::string_view key, uint64_t version, End end,
                      std::string subkey) {
  std::string k = MapKey(db, key, version);
  if (k.size() + 2 * subkey.size() > kMaxEntryBytes) return;
  Shard& shard = ShardOf(k);
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.map.size() >= kMaxEntriesPerShard && shard.map.find(k) == shard.map.end()) {
    entries_.fetch_sub(shard.map.size(), std::memory_order_relaxed);
    shard.map.clear();
  }
  auto [it, inserted] = shard.map.try_emplace(std::move(k));
  if (inserted) entries_.fetch_add(1, std::memory_order_relaxed);
  (end == End::kMin ? it->second.floor : it->second.ceiling) = std::move(subkey);
}

void EndHints::Widen(uint8_t db, std::string_view key, uint64_t version, std::string_view subkey) {
  if (entries_.load(std::memory_order_relaxed) == 0) return;
  const std::string k = MapKey(db, key, version);
  Shard& shard = ShardOf(k);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(k);
  if (it == shard.map.end()) return;
  Bounds& b = it->second;
  if (b.floor.has_value() && subkey < *b.floor) b.floor->assign(subkey);
  if (b.ceiling.has_value() && subkey > *b.ceiling) b.ceiling->assign(subkey);
}

void EndHints::Erase(uint8_t db, std::string_view key, uint64_t version) {
  if (entries_.load(std::memory_order_relaxed) == 0) return;
  const std::string k = MapKey(db, key, version);
  Shard& shard = ShardOf(k);
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.map.erase(k) != 0) entries_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace basalt::engine
