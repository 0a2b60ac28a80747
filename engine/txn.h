// Engine transactions and read views: what MULTI/EXEC and multi-key reads need from the engine.
//
// A Txn stages the writes of several commands and commits them as ONE RocksDB WriteBatch, so a
// reader never sees part of them. While a Txn is active on a thread:
//   - Batch::Commit on that thread appends the batch to the transaction's indexed batch
//     (rocksdb::WriteBatchWithIndex, overwrite_key = true) instead of writing it;
//   - every engine read on that thread (Storage::Get, Storage::NewIterator) sees the staged
//     writes over the database (GetFromBatchAndDB, NewIteratorWithBase), so later commands read
//     what earlier ones wrote, as in Redis;
//   - the effects outside RocksDB (key counters, change count, KeyObserver notifications) are
//     gathered and applied only by Commit, right after the one batch is written.
// Persisted key counters are Merge operands; they are added to the batch only at Commit, so no
// read inside the transaction ever has to resolve a pending merge.
//
// Whole-database operations (FlushDb, SwapDb) are staged beside the batch, since an indexed
// batch has no range deletes and the database map lives in memory:
//   - FLUSHDB drops what the transaction staged for that physical database, and from then on
//     the thread reads that database from the staged writes only (the database below is
//     hidden); Commit writes the range deletes first and the staged writes after them;
//   - SWAPDB stages the new database map, which Engine::db() uses on this thread until Commit
//     writes it in the same batch and installs it.
// Callers hold the world lock exclusively for them (no other thread can read the map between
// the write and its installation).
//
// A multi-key read (MGET a b) sees either all or none of a concurrent transaction because it
// holds the stripes of its keys as the transaction does (server/dispatcher.cc).
//
// Thread-safety: a Txn belongs to the thread that made it and must be destroyed there; it affects
// only that thread's reads and writes. Locking is the caller's job (key_locks.h): hold the stripes
// of every key the staged commands touch until Commit.
#ifndef BASALT_ENGINE_TXN_H_
#define BASALT_ENGINE_TXN_H_

#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include "engine/keyspace.h"

namespace basalt::engine {

class Txn {
 public:
  // Activates a transaction on the calling thread. REQUIRES: none active on it already.
  explicit Txn(Engine* engine);
  // Deactivates it; staged writes not committed are discarded.
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // The transaction active on the calling thread, or nullptr.
  static Txn* Current();

  // Writes everything staged so far as one WriteBatch, then applies counters and notifies the
  // observers. The transaction stays active, empty. On error nothing was written and the staged
  // writes are dropped.
  Status Commit();

  // The key-count changes staged for a physical database (zero when none).
  WriteEffects::Delta StagedDelta(uint8_t physical) const;

  // Number of operations staged (Put/Delete/Merge records).
  uint32_t staged() { return index_.GetWriteBatch()->Count(); }

  // True when this transaction emptied the physical database `physical`.
  bool Flushed(uint8_t physical) const { return db_ops_.flushed.test(physical); }

 private:
  friend class Batch;
  friend class Engine;
  // Stages `batch` and takes `effects` (left empty).
  Status Absorb(rocksdb::WriteBatch* batch, WriteEffects* effects);
  // Stages FLUSHDB of `physical` (logical number `logical` for the observers).
  Status StageFlush(uint8_t physical, int logical);
  // Stages SWAPDB a b, whose resulting database map is `map`.
  void StageSwap(const std::array<uint8_t, kMaxDatabases>& map, int a, int b);

  Engine* engine_;
  rocksdb::WriteBatchWithIndex index_;
  WriteEffects effects_;
  DbOps db_ops_;
  ReadView saved_view_;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_TXN_H_
