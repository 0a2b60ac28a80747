#include "engine/hot_tier.h"

#include <cstring>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "codec/metadata.h"

namespace basalt::engine {

namespace {

// Heap bytes a std::string holds beyond its own object (0 while it fits the inline buffer),
// counting one malloc header.
uint64_t HeapBytes(size_t size) { return size < 16 ? 0 : size + 1 + 16; }

}  // namespace

// An entry is in its shard's map and LRU list together, or in neither (then it is deleted).
struct HotTier::Entry {
  Entry* next = nullptr;
  Entry* prev = nullptr;
  std::string key;  // db:u8 | user_key; the map's key views into it
  std::string value;
  uint64_t charge = 0;  // ChargeOf(key, value) + the charge of the cached elements
  std::array<ElementsPtr, kNumElementCfs> elems;
  std::array<uint64_t, kNumElementCfs> too_large{};  // a version known to exceed the threshold
  std::array<uint64_t, kNumElementCfs> probed{};     // a version that missed once since a write
};

namespace {

uint64_t ChargeOfElements(const HotTier::Elements& e) {
  return sizeof(HotTier::Elements) + 32 + HotTier::ElementsCharge(e.items.size(), e.buf.size());
}

}  // namespace

class HotTier::Shard {
 public:
  Shard() {
    lru_.next = &lru_;
    lru_.prev = &lru_;
    gen_.fill(0);
  }
  ~Shard() {
    for (Entry* e = lru_.next; e != &lru_;) {
      Entry* next = e->next;
      delete e;
      e = next;
    }
  }

  bool Lookup(std::string_view k, uint64_t hash, std::string* value, FillToken* token) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = map_.find(k);
    if (it != map_.end()) {
      ++hits_;
      Entry* e = it->second;
      Unlink(e);
      Append(e);
      value->assign(e->value);
      return true;
    }
    ++misses_;
    token->generation = gen_[Slot(hash)];
    token->valid = capacity_ > 0;
    return false;
  }

  void Fill(std::string_view k, uint64_t hash, std::string_view value, const FillToken& token) {
    std::lock_guard<std::mutex> l(mu_);
    if (gen_[Slot(hash)] != token.generation || map_.count(k) != 0) return;
    Insert(k, value);
  }

  // Write-through: always bumps the slot, then replaces or removes the entry.
  void Put(std::string_view k, uint64_t hash, std::string_view value) {
    std::lock_guard<std::mutex> l(mu_);
    ++gen_[Slot(hash)];
    Remove(k);
    if (value.size() <= kMaxValueBytes) Insert(k, value);
  }

  void Erase(std::string_view k, uint64_t hash) {
    std::lock_guard<std::mutex> l(mu_);
    ++gen_[Slot(hash)];
    Remove(k);
  }

  bool LookupElements(std::string_view k, uint64_t hash, int cf, uint64_t version,
                      uint64_t max_bytes, ElementsPtr* elems, FillToken* token) {
    std::lock_guard<std::mutex> l(mu_);
    token->valid = false;
    auto it = map_.find(k);
    Entry* e = it == map_.end() ? nullptr : it->second;
    if (e != nullptr && e->elems[cf] != nullptr && e->elems[cf]->version == version) {
      ++element_hits_;
      Unlink(e);
      Append(e);
      *elems = e->elems[cf];
      return true;
    }
    ++element_misses_;
    if (e == nullptr || e->too_large[cf] == version || max_bytes == 0) return false;
    codec::Metadata m;
    if (!codec::DecodeMetadata(e->value, &m) || m.version != version) return false;
    if (HotTier::ElementsCharge(m.size, 0) > max_bytes) return false;
    if (e->probed[cf] != version) {  // the first miss since the last write only takes note
      e->probed[cf] = version;
      return false;
    }
    token->generation = gen_[Slot(hash)];
    token->valid = true;
    return false;
  }

  void FillElements(std::string_view k, uint64_t hash, int cf, uint64_t version, ElementsPtr elems,
                    const FillToken& token) {
    std::lock_guard<std::mutex> l(mu_);
    if (gen_[Slot(hash)] != token.generation) return;
    auto it = map_.find(k);
    if (it == map_.end()) return;
    Entry* e = it->second;
    codec::Metadata m;
    if (e->elems[cf] != nullptr || !codec::DecodeMetadata(e->value, &m) || m.version != version) {
      return;
    }
    if (elems == nullptr) {
      e->too_large[cf] = version;
      return;
    }
    const uint64_t charge = ChargeOfElements(*elems);
    e->elems[cf] = std::move(elems);
    e->charge += charge;
    usage_ += charge;
    EvictToFit();
  }

  void DropElements(std::string_view k, uint64_t hash) {
    std::lock_guard<std::mutex> l(mu_);
    ++gen_[Slot(hash)];
    auto it = map_.find(k);
    if (it == map_.end()) return;
    Entry* e = it->second;
    for (int cf = 0; cf < kNumElementCfs; ++cf) {
      if (e->elems[cf] != nullptr) {
        const uint64_t charge = ChargeOfElements(*e->elems[cf]);
        e->charge -= charge;
        usage_ -= charge;
        e->elems[cf].reset();
      }
      e->too_large[cf] = 0;
      e->probed[cf] = 0;
    }
  }

  // Drops the cached elements counting more than `max_bytes` (their metadata stays).
  void DropElementsOver(uint64_t max_bytes) {
    std::lock_guard<std::mutex> l(mu_);
    for (Entry* e = lru_.next; e != &lru_; e = e->next) {
      for (auto& elems : e->elems) {
        if (elems == nullptr ||
            HotTier::ElementsCharge(elems->items.size(), elems->buf.size()) <= max_bytes) {
          continue;
        }
        const uint64_t charge = ChargeOfElements(*elems);
        e->charge -= charge;
        usage_ -= charge;
        elems.reset();
      }
    }
  }

  void ClearDb(uint8_t db) {
    std::lock_guard<std::mutex> l(mu_);
    for (uint64_t& g : gen_) ++g;
    for (Entry* e = lru_.next; e != &lru_;) {
      Entry* next = e->next;
      if (static_cast<uint8_t>(e->key[0]) == db) Remove(e->key);
      e = next;
    }
  }

  void SetCapacity(uint64_t bytes) {
    std::lock_guard<std::mutex> l(mu_);
    capacity_ = bytes;
    EvictToFit();
  }

  void AddStats(Stats* s) {
    std::lock_guard<std::mutex> l(mu_);
    s->used_bytes += usage_;
    s->entries += map_.size();
    s->hits += hits_;
    s->misses += misses_;
    s->evictions += evictions_;
    s->element_hits += element_hits_;
    s->element_misses += element_misses_;
  }

  void ResetStats() {
    std::lock_guard<std::mutex> l(mu_);
    hits_ = misses_ = evictions_ = element_hits_ = element_misses_ = 0;
  }

 private:
  static size_t Slot(uint64_t hash) { return hash & (kGenSlots - 1); }

  // REQUIRES: mu_ held and `k` not in the map.
  void Insert(std::string_view k, std::string_view value) {
    const uint64_t charge = ChargeOf(k.substr(1), value);
    if (charge > capacity_) return;  // also covers a disabled tier
    auto* e = new Entry;
    e->key.assign(k);
    e->value.assign(value);
    e->charge = charge;
    map_.emplace(std::string_view(e->key), e);
    Append(e);
    usage_ += charge;
    EvictToFit();
  }

  // REQUIRES: mu_ held. Removes and frees the entry for `k`, if any.
  void Remove(std::string_view k) {
    auto it = map_.find(k);
    if (it == map_.end()) return;
    Entry* e = it->second;
    map_.erase(it);
    Unlink(e);
    usage_ -= e->charge;
    delete e;
  }

  void EvictToFit() {
    while (usage_ > capacity_ && lru_.next != &lru_) {
      Remove(lru_.next->key);
      ++evictions_;
    }
  }

  static void Unlink(Entry* e) {
    e->next->prev = e->prev;
    e->prev->next = e->next;
  }

  // Makes `e` the most recently used entry (just before the dummy head).
  void Append(Entry* e) {
    e->next = &lru_;
    e->prev = lru_.prev;
    e->prev->next = e;
    e->next->prev = e;
  }

  std::mutex mu_;
  uint64_t capacity_ = 0;
  uint64_t usage_ = 0;
  // lru_.next is the least recently used entry, lru_.prev the most recently used one.
  Entry lru_;
  std::unordered_map<std::string_view, Entry*> map_;
  std::array<uint64_t, kGenSlots> gen_;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0, element_hits_ = 0, element_misses_ = 0;
};

HotTier::HotTier(uint64_t capacity_bytes, uint64_t max_collection_bytes)
    : capacity_(0), max_collection_bytes_(max_collection_bytes) {
  for (auto& s : shards_) s = std::make_unique<Shard>();
  SetCapacity(capacity_bytes);
}

HotTier::~HotTier() = default;

HotTier::TierKey::TierKey(uint8_t db, std::string_view key) {
  if (key.size() < sizeof(small_)) {
    small_[0] = static_cast<char>(db);
    std::memcpy(small_ + 1, key.data(), key.size());
    view_ = std::string_view(small_, key.size() + 1);
  } else {
    large_.reserve(key.size() + 1);
    large_.push_back(static_cast<char>(db));
    large_.append(key);
    view_ = large_;
  }
}

uint64_t HotTier::Hash(std::string_view k) { return std::hash<std::string_view>()(k); }

uint64_t HotTier::ChargeOf(std::string_view key, std::string_view value) {
  return sizeof(Entry) + kMapSlotBytes + HeapBytes(key.size() + 1) + HeapBytes(value.size());
}

bool HotTier::Lookup(uint8_t db, std::string_view key, std::string* value, FillToken* token) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  return ShardOf(h).Lookup(k, h, value, token);
}

void HotTier::Fill(uint8_t db, std::string_view key, std::string_view value,
                   const FillToken& token) {
  if (!token.valid || value.size() > kMaxValueBytes) return;
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  ShardOf(h).Fill(k, h, value, token);
}

void HotTier::Put(uint8_t db, std::string_view key, std::string_view value) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  ShardOf(h).Put(k, h, value);
}

void HotTier::Erase(uint8_t db, std::string_view key) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  ShardOf(h).Erase(k, h);
}

bool HotTier::LookupElements(uint8_t db, std::string_view key, ElementCf cf, uint64_t version,
                             ElementsPtr* elems, FillToken* token) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  return ShardOf(h).LookupElements(k, h, static_cast<int>(cf), version, max_collection_bytes(),
                                   elems, token);
}

void HotTier::FillElements(uint8_t db, std::string_view key, ElementCf cf, uint64_t version,
                           ElementsPtr elems, const FillToken& token) {
  if (!token.valid) return;
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  ShardOf(h).FillElements(k, h, static_cast<int>(cf), version, std::move(elems), token);
}

void HotTier::DropElements(uint8_t db, std::string_view key) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  ShardOf(h).DropElements(k, h);
}

// Elements cached under the old limit stay valid (they equal RocksDB); only memory is at stake.
void HotTier::SetMaxCollectionBytes(uint64_t bytes) {
  const uint64_t old = max_collection_bytes_.exchange(bytes, std::memory_order_relaxed);
  if (bytes >= old) return;
  for (auto& s : shards_) s->DropElementsOver(bytes);
}

void HotTier::ClearDb(uint8_t db) {
  for (auto& s : shards_) s->ClearDb(db);
}

// Each shard gets an equal share, rounded down, so the total never exceeds `bytes`.
void HotTier::SetCapacity(uint64_t bytes) {
  std::lock_guard<std::mutex> l(resize_mu_);
  capacity_.store(bytes, std::memory_order_relaxed);
  for (auto& s : shards_) s->SetCapacity(bytes / kNumShards);
}

HotTier::Stats HotTier::GetStats() const {
  Stats s;
  s.capacity = capacity();
  for (const auto& shard : shards_) shard->AddStats(&s);
  return s;
}

void HotTier::ResetStats() {
  for (auto& s : shards_) s->ResetStats();
}

}  // namespace basalt::engine
