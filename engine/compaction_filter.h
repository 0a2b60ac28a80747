// The compaction filter of the `data` and `zscore` column families: it drops subkeys that no
// read can reach any more — those whose key has no metadata, whose metadata carries another
// version or is not a collection, or whose key has expired. This is how DEL, overwrites and
// expiry of collections reclaim space without touching every element (DESIGN.md "Versions").
//
// Safety: a subkey is dropped only when the metadata read *now* proves it unreachable. Metadata
// and subkeys are written in one batch, and versions are never reused, so a subkey that is
// unreachable now stays unreachable.
//
// Thread-safety: filters run on RocksDB's compaction threads; the factory is shared and
// thread-safe. Until SetDb is called (i.e. while the database is opening) nothing is dropped.
#ifndef BASALT_ENGINE_COMPACTION_FILTER_H_
#define BASALT_ENGINE_COMPACTION_FILTER_H_

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>

#include <atomic>
#include <memory>

namespace basalt::engine {

class SubkeyFilterFactory : public rocksdb::CompactionFilterFactory {
 public:
  // `db` and `meta` must stay valid until ClearDb is called.
  void SetDb(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta);
  void ClearDb();

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return "BasaltSubkeyFilterFactory"; }

 private:
  std::atomic<rocksdb::DB*> db_{nullptr};
  std::atomic<rocksdb::ColumnFamilyHandle*> meta_{nullptr};
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_COMPACTION_FILTER_H_
