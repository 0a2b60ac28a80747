#include "engine/expiry.h"

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <vector>

#include "codec/key_format.h"

namespace basalt::engine {

namespace {
constexpr size_t kBatchLimit = 256;  // keys per database per pass
constexpr auto kInterval = std::chrono::milliseconds(100);

struct Due {
  std::string key;
  uint64_t at_ms;
};

// Collects up to `limit` index entries of `physical` whose deadline is <= now.
Status CollectDue(Storage& st, uint8_t physical, uint64_t now, size_t limit,
                  std::vector<Due>* out) {
  std::string upper = codec::ExpireBound(physical, now + 1);
  rocksdb::Slice bound(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it = st.NewIterator(ro, st.expire());
  for (it->Seek(codec::MetaDbBegin(physical)); it->Valid() && out->size() < limit; it->Next()) {
    uint8_t db = 0;
    uint64_t at = 0;
    std::string_view key;
    if (!codec::DecodeExpireKey(std::string_view(it->key().data(), it->key().size()), &db, &at,
                                &key)) {
      continue;
    }
    out->push_back({std::string(key), at});
  }
  return FromRocks(it->status());
}
}  // namespace

void Reaper::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Reaper::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reaper::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    l.unlock();
    auto reaped = RunOnce(kBatchLimit);
    bool more = reaped.ok() && *reaped > 0;
    l.lock();
    // Keep going without sleeping while a backlog of expired keys remains.
    if (!more) cv_.wait_for(l, kInterval);
  }
}

StatusOr<int64_t> Reaper::RunOnce(size_t limit) {
  int64_t total = 0;
  // Every physical database that holds keys with a TTL, whatever logical number it has now.
  for (int p = 0; p < kMaxDatabases; ++p) {
    if (engine_->ExpiresCountPhysical(static_cast<uint8_t>(p)) <= 0) continue;
    auto n = ReapDatabase(static_cast<uint8_t>(p), limit);
    if (!n.ok()) return n.status();
    total += *n;
  }
  return total;
}

StatusOr<int64_t> Reaper::ReapDatabase(uint8_t physical, size_t limit) {
  Storage& st = engine_->storage();
  std::vector<Due> due;
  BASALT_RETURN_IF_ERROR(CollectDue(st, physical, NowMs(), limit, &due));
  int64_t deleted = 0;
  for (const Due& d : due) {
    std::shared_lock<std::shared_timed_mutex> world(engine_->locks().world());
    KeyLocks::Guard guard = engine_->locks().LockOne(physical, d.key);
    Db db{engine_, -1, physical};
    KeyRecord rec;
    BASALT_RETURN_IF_ERROR(engine_->Lookup(db, d.key, &rec));
    Batch batch(engine_);
    if (rec.present && rec.meta.expire_at_ms == d.at_ms && rec.expired) {
      batch.DeleteKey(db, d.key, rec);
      ++deleted;
    } else {
      // Stale entry: the key was rewritten with another deadline or deleted.
      batch.raw()->Delete(st.expire(), codec::EncodeExpireKey(physical, d.at_ms, d.key));
    }
    BASALT_RETURN_IF_ERROR(batch.Commit());
  }
  expired_keys_.fetch_add(deleted);
  return static_cast<int64_t>(due.size());
}

}  // namespace basalt::engine
