#include "engine/txn.h"

#include <rocksdb/comparator.h>

#include <algorithm>

namespace basalt::engine {

namespace {

thread_local Txn* current_txn = nullptr;

// Replays a WriteBatch's records into the transaction's indexed batch. Batches hold only
// Put, Delete, SingleDelete and Merge records; anything else is refused.
class Replayer : public rocksdb::WriteBatch::Handler {
 public:
  Replayer(Storage* storage, rocksdb::WriteBatchWithIndex* out) : storage_(storage), out_(out) {}

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    auto* h = storage_->FamilyById(cf);
    return h == nullptr ? Unknown() : out_->Put(h, key, value);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    auto* h = storage_->FamilyById(cf);
    return h == nullptr ? Unknown() : out_->Delete(h, key);
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    auto* h = storage_->FamilyById(cf);
    return h == nullptr ? Unknown() : out_->SingleDelete(h, key);
  }
  rocksdb::Status MergeCF(uint32_t cf, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
    auto* h = storage_->FamilyById(cf);
    return h == nullptr ? Unknown() : out_->Merge(h, key, value);
  }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::NotSupported("range delete inside a transaction");
  }

 private:
  static rocksdb::Status Unknown() {
    return rocksdb::Status::InvalidArgument("unknown column family in a staged batch");
  }
  Storage* storage_;
  rocksdb::WriteBatchWithIndex* out_;
};

// Replays a staged batch into a new index, leaving out the records of one physical database in
// the column families keyed by database (all but "default"), for a FLUSHDB of it.
class DropDb : public rocksdb::WriteBatch::Handler {
 public:
  DropDb(Storage* storage, uint8_t physical, rocksdb::WriteBatchWithIndex* out)
      : storage_(storage), physical_(static_cast<char>(physical)), replay_(storage, out) {}

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Dropped(cf, key) ? rocksdb::Status::OK() : replay_.PutCF(cf, key, value);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return Dropped(cf, key) ? rocksdb::Status::OK() : replay_.DeleteCF(cf, key);
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return Dropped(cf, key) ? rocksdb::Status::OK() : replay_.SingleDeleteCF(cf, key);
  }
  rocksdb::Status MergeCF(uint32_t cf, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
    return Dropped(cf, key) ? rocksdb::Status::OK() : replay_.MergeCF(cf, key, value);
  }

 private:
  bool Dropped(uint32_t cf, const rocksdb::Slice& key) const {
    return cf != storage_->reserved()->GetID() && !key.empty() && key[0] == physical_;
  }
  Storage* storage_;
  char physical_;
  Replayer replay_;
};

}  // namespace

Txn::Txn(Engine* engine)
    : engine_(engine),
      index_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true),
      saved_view_(Storage::ThreadView()) {
  current_txn = this;
  Storage::ThreadView().pending = &index_;
}

Txn::~Txn() {
  Storage::ThreadView() = saved_view_;
  Engine::txn_map_ = nullptr;
  current_txn = nullptr;
}

Txn* Txn::Current() { return current_txn; }

Status Txn::Absorb(rocksdb::WriteBatch* batch, WriteEffects* effects) {
  Replayer replay(&engine_->storage(), &index_);
  BASALT_RETURN_IF_ERROR(FromRocks(batch->Iterate(&replay)));
  effects_.Absorb(std::move(*effects));
  return Status::OK();
}

Status Txn::StageFlush(uint8_t physical, int logical) {
  rocksdb::WriteBatchWithIndex kept(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true);
  DropDb drop(&engine_->storage(), physical, &kept);
  BASALT_RETURN_IF_ERROR(FromRocks(index_.GetWriteBatch()->Iterate(&drop)));
  index_ = std::move(kept);
  // Counter deltas and hot-tier updates of the dropped writes go too: Commit resets the
  // counters and clears the tier's copy of the database. Written-key reports stay, as the
  // commands that wrote those keys did run.
  auto& deltas = effects_.deltas;
  deltas.erase(std::remove_if(deltas.begin(), deltas.end(),
                              [&](const auto& d) { return d.physical == physical; }),
               deltas.end());
  auto& tier = effects_.tier;
  tier.erase(std::remove_if(tier.begin(), tier.end(),
                            [&](const auto& op) { return op.physical == physical; }),
             tier.end());
  db_ops_.flushed.set(physical);
  db_ops_.replaced.push_back(logical);
  Storage::ThreadView().flushed = &db_ops_.flushed;
  return Status::OK();
}

void Txn::StageSwap(const std::array<uint8_t, kMaxDatabases>& map, int a, int b) {
  db_ops_.remapped = true;
  db_ops_.map = map;
  db_ops_.replaced.push_back(a);
  db_ops_.replaced.push_back(b);
  Engine::txn_map_ = &db_ops_.map;
}

WriteEffects::Delta Txn::StagedDelta(uint8_t physical) const {
  for (const auto& d : effects_.deltas) {
    if (d.physical == physical) return d;
  }
  return {physical, 0, 0};
}

Status Txn::Commit() {
  engine_->AppendCounterMerges(effects_, &index_);
  rocksdb::WriteBatch* batch = index_.GetWriteBatch();
  Status s;
  if (!db_ops_.empty()) {
    s = engine_->CommitWithDbOps(batch, &db_ops_, &effects_);
    db_ops_.Clear();
    Engine::txn_map_ = nullptr;
    Storage::ThreadView().flushed = nullptr;
  } else if (batch->Count() > 0) {
    s = engine_->storage().Write(batch);
    if (s.ok()) engine_->Publish(&effects_);
  } else {
    engine_->Publish(&effects_);
  }
  index_.Clear();
  effects_.Clear();
  return s;
}

}  // namespace basalt::engine
