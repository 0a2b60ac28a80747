#include "engine/hot_tier.h"

#include <algorithm>
#include <bitset>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <new>
#include <string>
#include <unordered_set>

#include "codec/metadata.h"

namespace basalt::engine {

namespace {

// The chunk glibc's malloc carves for a request of `n` bytes: an 8-byte size header, rounded up
// to 16 bytes, 32 at least. A block of MallocChunk(n) - 8 bytes costs the same chunk.
constexpr uint64_t MallocChunk(uint64_t n) {
  return std::max<uint64_t>(32, (n + 8 + 15) & ~uint64_t{15});
}

uint64_t ChargeOfElements(const HotTier::Elements& e) {
  return sizeof(HotTier::Elements) + 32 + HotTier::ElementsCharge(e.items.size(), e.buf.size());
}

// The cached elements of an entry and its too-large marks, allocated only for the collections
// that have some, so that a string's entry does not carry them.
struct CachedElements {
  std::array<HotTier::ElementsPtr, HotTier::kNumElementCfs> lists;
  std::array<uint64_t, HotTier::kNumElementCfs> too_large{};  // a version over the threshold
  uint64_t charge = MallocChunk(sizeof(CachedElements));      // this block + each list's charge

  bool empty() const {
    for (int cf = 0; cf < HotTier::kNumElementCfs; ++cf) {
      if (lists[cf] != nullptr || too_large[cf] != 0) return false;
    }
    return true;
  }
};

}  // namespace

// One block: this header, then the key (db:u8 | user_key), then `value_capacity` bytes of which
// the first `value_size` are the value. Allocated by New, freed by Free. An entry is in its
// shard's table and FIFO list together, or in neither (then it is freed).
struct HotTier::Entry {
  Entry* next = nullptr;  // FIFO list: the shard's sentinel's next is the oldest entry
  Entry* prev = nullptr;
  std::unique_ptr<CachedElements> elements;       // null while it has none
  std::array<uint64_t, kNumElementCfs> probed{};  // a version that missed once since a write
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t value_capacity = 0;
  bool referenced = false;  // used since it was inserted or last passed the FIFO head

  // The block for `key` -> `value`, with the value capacity that malloc's rounding gives for free.
  static Entry* New(std::string_view key, std::string_view value) {
    const uint64_t block = MallocChunk(sizeof(Entry) + key.size() + value.size()) - 8;
    Entry* e = new (::operator new(block)) Entry;
    e->key_size = static_cast<uint32_t>(key.size());
    e->value_capacity = static_cast<uint32_t>(block - sizeof(Entry) - key.size());
    key.copy(e->data(), key.size());
    e->SetValue(value);
    return e;
  }
  static void Free(Entry* e) {
    e->~Entry();
    ::operator delete(e);
  }

  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view key() const { return {data(), key_size}; }
  std::string_view value() const { return {data() + key_size, value_size}; }
  // REQUIRES: value.size() <= value_capacity.
  void SetValue(std::string_view value) {
    value.copy(data() + key_size, value.size());
    value_size = static_cast<uint32_t>(value.size());
  }
  uint64_t charge() const {
    return MallocChunk(sizeof(Entry) + key_size + value_capacity) + kMapSlotBytes +
           (elements != nullptr ? elements->charge : 0);
  }
};

// One shard's open-addressing table of {hash, entry} slots: a power-of-two array, linear probing
// from the hash's low bits, deletion by backward shift (each later slot of the run moves back
// into the hole unless that would put it before its home slot), so there are no tombstones and
// a probe ends at the first empty slot. A probe compares the stored hash before it dereferences
// an entry. The table grows ×2 above 70% load and, after removals, shrinks to between 25% and
// 50% load once under 1/8 (never below kMinSlots). It does not own the entries.
class HotTier::Table {
 public:
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();

  Table() { Resize(kMinSlots); }

  size_t size() const { return count_; }
  Entry* at(size_t i) const { return slots_[i].entry; }

  // Prefetches the home slot of `hash`.
  void PrefetchSlot(uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }
  // Prefetches the entry in the home slot of `hash` when that slot holds `hash` (the common
  // case: most keys sit in their home slot): its header, key and the start of its value.
  void PrefetchEntry(uint64_t hash) const {
    const Slot& s = slots_[hash & mask_];
    if (s.entry == nullptr || s.hash != hash) return;
    const char* p = reinterpret_cast<const char*>(s.entry);
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + 128);
  }

  // The slot holding key `k`, or kNone.
  size_t Find(std::string_view k, uint64_t hash) const {
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.entry == nullptr) return kNone;
      if (s.hash == hash && s.entry->key() == k) return i;
    }
  }

  // The slot holding `e`. REQUIRES: `e` is in the table under `hash`.
  size_t IndexOf(const Entry* e, uint64_t hash) const {
    size_t i = hash & mask_;
    while (slots_[i].entry != e) i = (i + 1) & mask_;
    return i;
  }

  // REQUIRES: no entry with e's key is in the table.
  void Insert(uint64_t hash, Entry* e) {
    if ((count_ + 1) * 10 > (mask_ + 1) * 7) Resize((mask_ + 1) * 2);
    Place(hash, e);
    ++count_;
  }

  void EraseAt(size_t hole) {
    for (size_t j = (hole + 1) & mask_; slots_[j].entry != nullptr; j = (j + 1) & mask_) {
      // Slot j may move back into the hole only if its home is not in (hole, j] (cyclically).
      const size_t home = slots_[j].hash & mask_;
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --count_;
  }

  void ShrinkIfSparse() {
    size_t n = mask_ + 1;
    if (n <= kMinSlots || count_ * 8 >= n) return;
    while (n > kMinSlots && count_ * 4 < n) n /= 2;
    Resize(n);
  }

 private:
  static constexpr size_t kMinSlots = 64;
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;  // null: empty
  };

  void Place(uint64_t hash, Entry* e) {
    size_t i = hash & mask_;
    while (slots_[i].entry != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, e};
  }

  void Resize(size_t n) {
    std::unique_ptr<Slot[]> old = std::move(slots_);
    const size_t old_n = old == nullptr ? 0 : mask_ + 1;
    slots_ = std::make_unique<Slot[]>(n);
    mask_ = n - 1;
    for (size_t i = 0; i < old_n; ++i) {
      if (old[i].entry != nullptr) Place(old[i].hash, old[i].entry);
    }
  }

  std::unique_ptr<Slot[]> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

class HotTier::Shard {
 public:
  Shard() {
    fifo_.next = &fifo_;
    fifo_.prev = &fifo_;
    gen_.fill(0);
  }
  ~Shard() {
    for (Entry* e = fifo_.next; e != &fifo_;) {
      Entry* next = e->next;
      Entry::Free(e);
      e = next;
    }
  }

  bool Lookup(std::string_view k, uint64_t hash, std::string* value, FillToken* token) {
    std::lock_guard<std::mutex> l(mu_);
    const size_t i = table_.Find(k, hash);
    if (i != Table::kNone) {
      ++hits_;
      Entry* e = table_.at(i);
      if (!e->referenced) e->referenced = true;  // a clean cache line stays clean
      value->assign(e->value());
      return true;
    }
    if (complete_.test(DbOf(k))) {  // not cached, so not in RocksDB either
      ++hits_;
      value->clear();
      return true;
    }
    ++misses_;
    token->generation = gen_[GenSlot(hash)];
    token->valid = capacity_ > 0;
    return false;
  }

  void PrefetchSlot(uint64_t hash) {
    std::lock_guard<std::mutex> l(mu_);
    table_.PrefetchSlot(hash);
  }
  void PrefetchEntry(uint64_t hash) {
    std::lock_guard<std::mutex> l(mu_);
    table_.PrefetchEntry(hash);
  }

  void Fill(std::string_view k, uint64_t hash, std::string_view value, const FillToken& token) {
    std::lock_guard<std::mutex> l(mu_);
    if (gen_[GenSlot(hash)] != token.generation || table_.Find(k, hash) != Table::kNone) return;
    Insert(k, hash, value);
  }

  // Write-through: always bumps the slot, then replaces or removes the entry.
  void Put(std::string_view k, uint64_t hash, std::string_view value) {
    std::lock_guard<std::mutex> l(mu_);
    ++gen_[GenSlot(hash)];
    const size_t i = table_.Find(k, hash);
    bool cached = true;
    if (i == Table::kNone) {
      cached = value.size() <= kMaxValueBytes && Insert(k, hash, value);
    } else if (value.size() <= kMaxValueBytes && FitsInPlace(*table_.at(i), value)) {
      Overwrite(table_.at(i), value);
    } else {
      RemoveAt(i);
      cached = value.size() <= kMaxValueBytes && Insert(k, hash, value);
      table_.ShrinkIfSparse();
    }
    if (!cached) LoseRecord(DbOf(k));
  }

  // `present`: the key still has a record in RocksDB (one too large to cache), so the tier no
  // longer holds every record of its database.
  void Erase(std::string_view k, uint64_t hash, bool present) {
    std::lock_guard<std::mutex> l(mu_);
    ++gen_[GenSlot(hash)];
    if (present) {
      LoseRecord(DbOf(k));
    } else if (warming_.test(DbOf(k)) && !warm_lost_.test(DbOf(k))) {
      if (erased_.size() >= kMaxErased) {  // give up rather than grow without bound
        warm_lost_ |= warming_;
        erased_.clear();
      } else {
        erased_.emplace(k);  // the warm-up's older copy of it must not come back
      }
    }
    const size_t i = table_.Find(k, hash);
    if (i == Table::kNone) return;
    RemoveAt(i);
    table_.ShrinkIfSparse();
  }

  bool LookupElements(std::string_view k, uint64_t hash, int cf, uint64_t version,
                      uint64_t max_bytes, ElementsPtr* elems, FillToken* token) {
    std::lock_guard<std::mutex> l(mu_);
    token->valid = false;
    const size_t i = table_.Find(k, hash);
    Entry* e = i == Table::kNone ? nullptr : table_.at(i);
    const CachedElements* ce = e == nullptr ? nullptr : e->elements.get();
    if (ce != nullptr && ce->lists[cf] != nullptr && ce->lists[cf]->version == version) {
      ++element_hits_;
      e->referenced = true;
      *elems = ce->lists[cf];
      return true;
    }
    ++element_misses_;
    const uint64_t too_large = ce != nullptr ? ce->too_large[cf] : 0;
    if (e == nullptr || too_large == version || max_bytes == 0) return false;
    codec::Metadata m;
    if (!codec::DecodeMetadata(e->value(), &m) || m.version != version) return false;
    if (HotTier::ElementsCharge(m.size, 0) > max_bytes) return false;
    if (e->probed[cf] != version) {  // the first miss since the last write only takes note
      e->probed[cf] = version;
      return false;
    }
    token->generation = gen_[GenSlot(hash)];
    token->valid = true;
    return false;
  }

  void FillElements(std::string_view k, uint64_t hash, int cf, uint64_t version, ElementsPtr elems,
                    const FillToken& token) {
    std::lock_guard<std::mutex> l(mu_);
    if (gen_[GenSlot(hash)] != token.generation) return;
    const size_t i = table_.Find(k, hash);
    if (i == Table::kNone) return;
    Entry* e = table_.at(i);
    codec::Metadata m;
    if ((e->elements != nullptr && e->elements->lists[cf] != nullptr) ||
        !codec::DecodeMetadata(e->value(), &m) || m.version != version) {
      return;
    }
    if (e->elements == nullptr) {
      e->elements = std::make_unique<CachedElements>();
      usage_ += e->elements->charge;
    }
    if (elems == nullptr) {
      e->elements->too_large[cf] = version;
    } else {
      const uint64_t charge = ChargeOfElements(*elems);
      e->elements->lists[cf] = std::move(elems);
      e->elements->charge += charge;
      usage_ += charge;
    }
    EvictToFit(0);
  }

  void DropElements(std::string_view k, uint64_t hash) {
    std::lock_guard<std::mutex> l(mu_);
    ++gen_[GenSlot(hash)];
    const size_t i = table_.Find(k, hash);
    if (i != Table::kNone) ResetElements(table_.at(i));
  }

  // Drops the cached elements counting more than `max_bytes` (their metadata stays).
  void DropElementsOver(uint64_t max_bytes) {
    std::lock_guard<std::mutex> l(mu_);
    for (Entry* e = fifo_.next; e != &fifo_; e = e->next) {
      if (e->elements == nullptr) continue;
      for (ElementsPtr& list : e->elements->lists) {
        if (list == nullptr ||
            HotTier::ElementsCharge(list->items.size(), list->buf.size()) <= max_bytes) {
          continue;
        }
        const uint64_t charge = ChargeOfElements(*list);
        e->elements->charge -= charge;
        usage_ -= charge;
        list.reset();
      }
      if (e->elements->empty()) FreeElements(e);
    }
  }

  void ClearDb(uint8_t db) {
    std::lock_guard<std::mutex> l(mu_);
    for (uint64_t& g : gen_) ++g;
    for (Entry* e = fifo_.next; e != &fifo_;) {
      Entry* next = e->next;
      if (DbOf(e->key()) == db) RemoveAt(table_.IndexOf(e, Hash(e->key())));
      e = next;
    }
    table_.ShrinkIfSparse();
    complete_.set(db, capacity_ > 0);
    warm_lost_.set(db);  // a warm-up's records predate the flush: it must not install them
  }

  void BeginWarm(uint8_t db) {
    std::lock_guard<std::mutex> l(mu_);
    warming_.set(db);
    warm_lost_.set(db, complete_.test(db) || capacity_ == 0);
  }

  // The warm-up's copy of a record, read from a RocksDB snapshot taken after BeginWarm. A key
  // cached now is newer than the copy, and so is a key erased since BeginWarm (absent); any
  // other key holds the copy's record now, as every write since BeginWarm either cached its
  // key (still cached, or its eviction marked the warm-up lost) or erased it.
  WarmResult WarmFill(std::string_view k, uint64_t hash, std::string_view value) {
    std::lock_guard<std::mutex> l(mu_);
    const uint8_t db = DbOf(k);
    if (!warming_.test(db) || warm_lost_.test(db)) return WarmResult::kLost;
    if (table_.Find(k, hash) != Table::kNone || erased_.count(k) != 0) return WarmResult::kOk;
    const uint64_t charge = ChargeOf(k.substr(1), value);
    if (value.size() > kMaxValueBytes || !Cacheable(k, charge)) {  // too large for the shard
      warm_lost_.set(db);
      return WarmResult::kLost;
    }
    if (usage_ + charge > capacity_) {  // a warm-up never evicts
      warm_lost_.set(db);
      return WarmResult::kFull;
    }
    Add(k, hash, value, charge);
    return WarmResult::kOk;
  }

  bool WarmLost(uint8_t db) {
    std::lock_guard<std::mutex> l(mu_);
    return warm_lost_.test(db);
  }

  // Ends the warm-up of `db`: complete if nothing was lost (`complete`: the warm-up saw every
  // record). Returns whether this shard now holds `db` complete.
  bool EndWarm(uint8_t db, bool complete) {
    std::lock_guard<std::mutex> l(mu_);
    if (complete && warming_.test(db) && !warm_lost_.test(db) && capacity_ > 0) complete_.set(db);
    warming_.reset(db);
    warm_lost_.reset(db);
    if (warming_.none()) {
      erased_.clear();
    } else {
      for (auto it = erased_.begin(); it != erased_.end();) {
        it = DbOf(*it) == db ? erased_.erase(it) : std::next(it);
      }
    }
    return complete_.test(db);
  }

  // REQUIRES: `db` holds no record and none of its keys is cached.
  void MarkEmpty(uint8_t db) {
    std::lock_guard<std::mutex> l(mu_);
    complete_.set(db, capacity_ > 0);
  }

  bool Complete(uint8_t db) {
    std::lock_guard<std::mutex> l(mu_);
    return complete_.test(db);
  }

  void SetCapacity(uint64_t bytes) {
    std::lock_guard<std::mutex> l(mu_);
    capacity_ = bytes;
    if (bytes == 0) {
      complete_.reset();
      warm_lost_ = warming_;
    }
    EvictToFit(0);
    table_.ShrinkIfSparse();
  }

  void AddStats(Stats* s) {
    std::lock_guard<std::mutex> l(mu_);
    s->used_bytes += usage_;
    s->entries += table_.size();
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
  static size_t GenSlot(uint64_t hash) { return hash & (kGenSlots - 1); }
  static uint8_t DbOf(std::string_view k) { return static_cast<uint8_t>(k[0]); }
  // Keys erased during warm-ups that a shard remembers before it gives them up.
  static constexpr size_t kMaxErased = 100000;

  // REQUIRES: mu_ held. A record of `db` left the shard, or could not enter it, while RocksDB
  // keeps it.
  void LoseRecord(uint8_t db) {
    complete_.reset(db);
    if (warming_.test(db)) warm_lost_.set(db);
  }

  // Whether a Put of `value` may overwrite `e` in place: the value fits, and a new block would
  // not be less than half of the current one (so a shrunken value does not pin a big block).
  static bool FitsInPlace(const Entry& e, std::string_view value) {
    if (value.size() > e.value_capacity) return false;
    const uint64_t now = sizeof(Entry) + e.key_size + e.value_capacity;
    return 2 * (sizeof(Entry) + e.key_size + value.size()) >= now;
  }

  // REQUIRES: mu_ held and `k` not in the table. Makes room first, so the new entry is never
  // the one evicted. Returns whether the entry went in.
  bool Insert(std::string_view k, uint64_t hash, std::string_view value) {
    const uint64_t charge = ChargeOf(k.substr(1), value);
    if (!Cacheable(k, charge)) return false;
    EvictToFit(charge);
    Add(k, hash, value, charge);
    return true;
  }

  // Whether an entry of key `k` and charge `charge` can be held at all (a disabled tier holds
  // none).
  bool Cacheable(std::string_view k, uint64_t charge) const {
    return charge <= capacity_ && k.size() <= std::numeric_limits<uint32_t>::max();
  }

  // REQUIRES: mu_ held, `k` not in the table, room for `charge`. Adds the entry as the newest.
  void Add(std::string_view k, uint64_t hash, std::string_view value, uint64_t charge) {
    Entry* e = Entry::New(k, value);
    Append(e);
    table_.Insert(hash, e);
    usage_ += charge;
  }

  // A write over a cached entry whose block can hold the new value: counts as a use, keeps its
  // place and its charge (the block is unchanged), and drops its elements like a new entry.
  void Overwrite(Entry* e, std::string_view value) {
    ResetElements(e);
    e->SetValue(value);
    e->referenced = true;
  }

  // REQUIRES: mu_ held. Unlinks and frees the entry in slot `i`.
  void RemoveAt(size_t i) {
    Entry* e = table_.at(i);
    table_.EraseAt(i);
    Unlink(e);
    usage_ -= e->charge();
    Entry::Free(e);
  }

  // Second chance: a referenced head loses its flag and goes to the tail, an unreferenced head
  // is evicted. Each entry is passed over at most once per call, so this ends.
  void EvictToFit(uint64_t incoming) {
    while (usage_ + incoming > capacity_ && fifo_.next != &fifo_) {
      Entry* e = fifo_.next;
      if (e->referenced) {
        e->referenced = false;
        Unlink(e);
        Append(e);
        continue;
      }
      // Evicting a negative entry loses no record; evicting a record leaves one uncached.
      if (e->value_size > 0) LoseRecord(DbOf(e->key()));
      RemoveAt(table_.IndexOf(e, Hash(e->key())));
      ++evictions_;
    }
  }

  // Drops `e`'s elements and too-large marks and forgets its noted misses (after a write).
  void ResetElements(Entry* e) {
    FreeElements(e);
    e->probed.fill(0);
  }

  void FreeElements(Entry* e) {
    if (e->elements == nullptr) return;
    usage_ -= e->elements->charge;
    e->elements.reset();
  }

  static void Unlink(Entry* e) {
    e->next->prev = e->prev;
    e->prev->next = e->next;
  }

  // Makes `e` the newest entry (just before the sentinel).
  void Append(Entry* e) {
    e->next = &fifo_;
    e->prev = fifo_.prev;
    e->prev->next = e;
    e->next->prev = e;
  }

  std::mutex mu_;
  uint64_t capacity_ = 0;
  uint64_t usage_ = 0;
  // The FIFO's sentinel (never in the table): fifo_.next is the oldest entry, fifo_.prev the
  // newest. Only its links are used.
  Entry fifo_;
  Table table_;
  std::array<uint64_t, kGenSlots> gen_;
  // complete_[db]: every record that RocksDB holds for physical database `db` under a key of
  // this shard is cached here (outside the writers' key locks), so a miss means "no record".
  // Set when the database is known empty (MarkEmpty, ClearDb); cleared when a record leaves
  // the shard or cannot enter it while it stays in RocksDB (eviction, a Put or Forget of a
  // record too large to cache, a disabled tier). Nothing sets it again but an emptied database.
  std::bitset<256> complete_;
  // A warm-up (BeginWarm .. EndWarm) of a database runs while warming_ is set; warm_lost_ says
  // it can no longer make the database complete here; erased_ holds the keys erased meanwhile.
  std::bitset<256> warming_;
  std::bitset<256> warm_lost_;
  struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
  };
  std::unordered_set<std::string, ViewHash, std::equal_to<>> erased_;
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

// A fresh entry's block is the chunk malloc gives for header + key + value (Entry::New uses the
// rounding as value capacity), plus its share of the table.
uint64_t HotTier::ChargeOf(std::string_view key, std::string_view value) {
  return MallocChunk(sizeof(Entry) + 1 + key.size() + value.size()) + kMapSlotBytes;
}

bool HotTier::Lookup(uint8_t db, std::string_view key, std::string* value, FillToken* token) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  return ShardOf(h).Lookup(k, h, value, token);
}

void HotTier::Prefetch(uint8_t db, const std::string_view* keys, size_t n) {
  constexpr size_t kBatch = 32;
  uint64_t hashes[kBatch];
  for (size_t done = 0; done < n; done += kBatch) {
    const size_t m = std::min(kBatch, n - done);
    for (size_t i = 0; i < m; ++i) {
      const TierKey tk(db, keys[done + i]);
      hashes[i] = Hash(tk.view());
      ShardOf(hashes[i]).PrefetchSlot(hashes[i]);
    }
    for (size_t i = 0; i < m; ++i) ShardOf(hashes[i]).PrefetchEntry(hashes[i]);
  }
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
  ShardOf(h).Erase(k, h, /*present=*/false);
}

void HotTier::Forget(uint8_t db, std::string_view key) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  ShardOf(h).Erase(k, h, /*present=*/true);
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

void HotTier::MarkEmpty(uint8_t db) {
  for (auto& s : shards_) s->MarkEmpty(db);
}

void HotTier::BeginWarm(uint8_t db) {
  for (auto& s : shards_) s->BeginWarm(db);
}

HotTier::WarmResult HotTier::WarmFill(uint8_t db, std::string_view key, std::string_view value) {
  const TierKey tk(db, key);
  const std::string_view k = tk.view();
  uint64_t h = Hash(k);
  return ShardOf(h).WarmFill(k, h, value);
}

bool HotTier::WarmLost(uint8_t db) {
  for (auto& s : shards_) {
    if (!s->WarmLost(db)) return false;
  }
  return true;
}

bool HotTier::EndWarm(uint8_t db, bool complete) {
  bool all = true;
  for (auto& s : shards_) all = s->EndWarm(db, complete) && all;
  return all;
}

bool HotTier::Complete(uint8_t db) {
  for (auto& s : shards_) {
    if (!s->Complete(db)) return false;
  }
  return true;
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
