#include "engine/txn.h"

#include <rocksdb/comparator.h>

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
  current_txn = nullptr;
}

Txn* Txn::Current() { return current_txn; }

Status Txn::Absorb(rocksdb::WriteBatch* batch, WriteEffects* effects) {
  Replayer replay(&engine_->storage(), &index_);
  BASALT_RETURN_IF_ERROR(FromRocks(batch->Iterate(&replay)));
  effects_.Absorb(std::move(*effects));
  return Status::OK();
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
  Status s = batch->Count() == 0 ? Status::OK() : engine_->storage().Write(batch);
  index_.Clear();
  if (!s.ok()) {
    effects_.Clear();
    return s;
  }
  engine_->Publish(&effects_);
  return Status::OK();
}

ScopedSnapshot::ScopedSnapshot(Storage* storage) : storage_(storage) {
  ReadView& view = Storage::ThreadView();
  if (view.snapshot != nullptr || view.pending != nullptr) return;
  snapshot_ = storage_->db()->GetSnapshot();
  view.snapshot = snapshot_;
}

ScopedSnapshot::~ScopedSnapshot() {
  if (snapshot_ == nullptr) return;
  Storage::ThreadView().snapshot = nullptr;
  storage_->db()->ReleaseSnapshot(snapshot_);
}

}  // namespace basalt::engine
