// How basalt-dump reaches a data directory: opening it (as a RocksDB secondary beside a running
// server, or read-write for import), walking its keys by logical database, and reading one
// key's value in bounded chunks.
//
// Thread-safety: a DataDir and everything read from it belong to one thread.
#ifndef BASALT_TOOLS_DUMP_STORE_H_
#define BASALT_TOOLS_DUMP_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/metadata.h"
#include "engine/keyspace.h"

namespace basalt::dump {

using engine::Status;
using engine::StatusOr;

// An open data directory. Accepts a server's `dir` (RocksDB in dir/db) or a RocksDB directory
// itself, such as a BGSAVE checkpoint (dir/checkpoints/checkpoint-<ms>).
class DataDir {
 public:
  // Read side: opens a RocksDB secondary instance, which never takes the LOCK, never writes
  // into the directory and sees the data as of this call; a running server is unaffected.
  static StatusOr<std::unique_ptr<DataDir>> OpenForRead(const std::string& path);
  // Import: opens read-write (creating the directory if missing). Fails while a server holds
  // the directory.
  static StatusOr<std::unique_ptr<DataDir>> OpenForWrite(const std::string& path);
  ~DataDir();

  engine::Engine& engine() { return *engine_; }
  // Logical database `index` (as SELECT numbers them). REQUIRES: 0 <= index < kMaxDatabases.
  engine::Db db(int index) { return engine_->db(index); }

 private:
  DataDir() = default;
  std::unique_ptr<engine::Engine> engine_;
  std::string scratch_;  // the secondary's private directory, removed on close
};

// One metadata record as a walk finds it.
struct KeyEntry {
  int db = 0;  // logical
  uint8_t physical = 0;
  std::string_view key;  // valid during the callback
  std::string_view raw;  // the encoded metadata record
  bool decoded = false;  // false: `meta` is unusable (the record does not decode)
  codec::Metadata meta;
};

// Calls `visit` for every metadata record of logical database `db` (-1 = every database, in
// logical order), expired ones included. A non-OK status from `visit` stops the walk.
Status ForEachKey(DataDir& dir, int db, const std::function<Status(const KeyEntry&)>& visit);
// Number of keys the persisted counters report for logical `db` (-1 = all): a progress total.
int64_t CountedKeys(DataDir& dir, int db);

// A value or a chunk of one. Only the part matching `type` is used.
struct Value {
  codec::KeyType type = codec::KeyType::kNone;
  std::string str;                                          // string
  std::vector<std::string> elements;                        // list (in order), set
  std::vector<std::pair<std::string, std::string>> fields;  // hash, by field
  std::vector<std::pair<std::string, double>> members;      // zset, by (score, member)
  size_t Count() const;
  void Clear();
};

// Reads the value of a decoded record, calling `sink(chunk, first, last)` with up to `chunk`
// elements at a time (a string is one chunk). Every key yields at least one call.
using ValueSink = std::function<Status(const Value&, bool first, bool last)>;
Status ReadValue(DataDir& dir, const KeyEntry& entry, size_t chunk, const ValueSink& sink);

// Elements (string: bytes) and encoded size (RocksDB keys + values of the metadata record and
// every live subkey, before compression) of a decoded record. Walks the collection.
struct Footprint {
  uint64_t elements = 0;
  uint64_t bytes = 0;
};
StatusOr<Footprint> MeasureKey(DataDir& dir, const KeyEntry& entry);

// Parses a type name ("string", "list", "set", "zset", "hash"); kNone if unknown.
codec::KeyType ParseTypeName(std::string_view name);

}  // namespace basalt::dump

#endif  // BASALT_TOOLS_DUMP_STORE_H_
