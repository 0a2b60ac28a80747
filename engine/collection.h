// Machinery shared by the collection types (hash, set, list, sorted set): versioned metadata,
// subkey iteration, and the writes that keep metadata and subkeys in one batch.
//
// Layout (DESIGN.md "RocksDB layout"): a collection's metadata record (meta CF) carries a
// version; each element is a subkey in the data CF under
//   data key := db:u8 | keylen:u32be | user_key | version:u64be | subkey
// Deleting or overwriting a collection rewrites only its metadata (a fresh version, or no
// record): old subkeys become garbage that reads never see, because every read is bounded to
// the current version's prefix, and that the compaction filter (compaction_filter.h) removes.
//
// Thread-safety and locking: as for every engine function (key_locks.h): functions that write
// REQUIRE the world lock shared and the key's stripe; readers need no lock.
#ifndef BASALT_ENGINE_COLLECTION_H_
#define BASALT_ENGINE_COLLECTION_H_

#include <rocksdb/iterator.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "codec/metadata.h"
#include "engine/keyspace.h"

namespace basalt::engine {

// Looks up `key` as a collection of `type`. kWrongType if it holds a live value of another
// type. On OK, rec->live() tells whether the collection exists.
Status LookupCollection(const Db& db, std::string_view key, codec::KeyType type, KeyRecord* rec);

// Metadata for a collection about to be created (fresh version, size 0, no expiry).
codec::Metadata NewCollectionMeta(Engine* engine, codec::KeyType type);

// The metadata a write starts from: the live record's, or a fresh one if the key is absent or
// expired (an expired collection's subkeys are garbage, so a new version is needed).
codec::Metadata CollectionMetaForWrite(Engine* engine, const KeyRecord& rec, codec::KeyType type);

// Adds collection writes to a Batch.
class CollectionWriter {
 public:
  CollectionWriter(Batch* batch, const Db& db, std::string_view key, const codec::Metadata& meta,
                   rocksdb::ColumnFamilyHandle* cf = nullptr);  // cf: default the data CF

  void Put(std::string_view subkey, std::string_view value);
  void Delete(std::string_view subkey);
  // Writes the metadata (`meta.size` must be the new element count): a collection whose size
  // reaches 0 is deleted, as Redis deletes empty collections. `old` is the key's record.
  void Finish(const KeyRecord& old, const codec::Metadata& meta);

 private:
  Batch* batch_;
  Db db_;
  std::string key_;
  std::string prefix_;
  rocksdb::ColumnFamilyHandle* cf_;
};

// The hot tier's copy of one collection version's subkeys of `cf` (nullptr: the data CF),
// loading it from RocksDB first when the collection is small enough (hot_tier.h). nullptr when
// the tier cannot answer (the thread reads through a transaction, the metadata is not
// cached, the collection is too large): read RocksDB instead.
HotTier::ElementsPtr CachedElements(const Db& db, std::string_view key, uint64_t version,
                                    rocksdb::ColumnFamilyHandle* cf = nullptr);

// Iterates the subkeys of one collection version in byte order, from the hot tier's copy when
// there is one (CachedElements), else from RocksDB. One in kMeterEvery of a thread's RocksDB
// iterators counts the tombstones it steps over (counting costs a few percent on every step, so
// not all of them do; a collection full of tombstones is walked again and again, so it is found
// all the same); one that stepped over kCompactAfterTombstones or more asks for the
// collection's range to be compacted (Storage::CompactRangeSoon).
class SubkeyIterator {
 public:
  static constexpr uint64_t kCompactAfterTombstones = 1024;
  static constexpr uint32_t kMeterEvery = 8;

  // cf: the data CF by default.
  SubkeyIterator(const Db& db, std::string_view key, uint64_t version,
                 rocksdb::ColumnFamilyHandle* cf = nullptr);
  ~SubkeyIterator();
  SubkeyIterator(const SubkeyIterator&) = delete;
  SubkeyIterator& operator=(const SubkeyIterator&) = delete;

  void SeekToFirst();
  void Seek(std::string_view subkey);  // first subkey >= `subkey`
  void SeekToLast();
  void SeekForPrev(std::string_view subkey);  // last subkey <= `subkey`
  bool Valid() const;
  void Next();
  void Prev();
  std::string_view subkey() const;  // valid until the iterator moves
  std::string_view value() const;
  Status status() const;

 private:
  std::string prefix_;
  std::string upper_;
  rocksdb::Slice upper_slice_;
  Storage* storage_;
  rocksdb::ColumnFamilyHandle* cf_;
  std::optional<TombstoneMeter> meter_;    // on one RocksDB iterator in kMeterEvery
  std::unique_ptr<rocksdb::Iterator> it_;  // null when reading `cached_`
  HotTier::ElementsPtr cached_;
  size_t pos_ = 0;  // into cached_->items; == items.size() when not valid
};

// Point read of one subkey of a collection version (from the hot tier when it holds the
// collection). kNotFound if absent.
Status GetSubkey(const Db& db, std::string_view key, uint64_t version, std::string_view subkey,
                 std::string* value, rocksdb::ColumnFamilyHandle* cf = nullptr);

// One step of a *SCAN over a collection version: examines up to `count` subkeys that sort after
// `after` (nullopt = from the first), calls `visit(subkey, value)` for those matching the glob
// `match` (empty = all), and sets *resume_after to the subkey to resume after (nullopt when the
// scan is complete). A non-OK status from `visit` stops the scan and is returned.
Status ScanSubkeys(const Db& db, std::string_view key, uint64_t version,
                   const std::optional<std::string>& after, std::string_view match, size_t count,
                   const std::function<Status(std::string_view, std::string_view)>& visit,
                   std::optional<std::string>* resume_after);

// Copies a live collection `rec` (of `src_db`/`src`) to `dst` in `dst_db` under a fresh
// version, replacing `old_dst`. Costs one write per element. Used by RENAME, COPY and MOVE.
Status CopyCollection(Batch* batch, const Db& src_db, std::string_view src, const KeyRecord& rec,
                      const Db& dst_db, std::string_view dst, const KeyRecord& old_dst);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_COLLECTION_H_
