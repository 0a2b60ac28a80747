// Read-side access for offline tools (basalt-dump): ordered walks over the raw records of one
// physical database in any column family, the inverse of the logical -> physical database map,
// and per-column-family usage. Nothing here writes; nothing here decodes values beyond what a
// caller asks for, so a tool can report a record that does not decode instead of failing.
//
// Thread-safety: a RecordIterator belongs to one thread; the free functions are thread-safe.
#ifndef BASALT_ENGINE_INSPECT_H_
#define BASALT_ENGINE_INSPECT_H_

#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"

namespace basalt::engine {

// The column families a RecordIterator can walk (storage.h lists their layouts).
enum class RecordFamily { kMeta, kData, kZScore, kExpire };

// Walks every record of physical database `physical` in one column family, in key order. The
// keys are whole encoded keys (codec/key_format.h decodes them).
class RecordIterator {
 public:
  RecordIterator(Engine* engine, RecordFamily family, uint8_t physical);
  void SeekToFirst();
  bool Valid() const { return it_->Valid(); }
  void Next() { it_->Next(); }
  std::string_view key() const;    // valid until the iterator moves
  std::string_view value() const;  // valid until the iterator moves
  Status status() const;

 private:
  std::string begin_, end_;
  rocksdb::Slice end_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

rocksdb::ColumnFamilyHandle* FamilyHandle(Storage& storage, RecordFamily family);

// The logical database (SELECT number) that maps to `physical`, or -1 if none does below
// kMaxDatabases.
int LogicalOf(Engine& engine, uint8_t physical);

struct FamilyUsage {
  std::string name;
  uint64_t sst_bytes = 0;       // live SST files
  uint64_t memtable_bytes = 0;  // memtables (unflushed writes)
  uint64_t estimated_keys = 0;  // RocksDB's estimate, counting tombstones and garbage
};
// Usage of every column family, in storage.h's order.
std::vector<FamilyUsage> ColumnFamilyUsage(Storage& storage);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_INSPECT_H_
