#include "tools/dump/store.h"

#include <stdlib.h>

#include <filesystem>

#include "codec/key_format.h"
#include "codec/sortable_double.h"
#include "engine/collection.h"
#include "engine/inspect.h"

namespace basalt::dump {

namespace fs = std::filesystem;

namespace {

// Fills in where RocksDB lives: `path`/db for a server's dir, `path` itself for a checkpoint.
Status ResolveDir(const std::string& path, engine::StorageOptions* o) {
  std::error_code ec;
  o->dir = path;
  if (fs::exists(fs::path(path) / "db" / "CURRENT", ec)) return Status::OK();
  if (fs::exists(fs::path(path) / "CURRENT", ec)) {
    o->db_path = path;
    return Status::OK();
  }
  return Status::InvalidArgument(path + " is not a Basalt data directory (neither " + path +
                                 "/db nor " + path + " holds a RocksDB database)");
}

StatusOr<std::unique_ptr<engine::Engine>> OpenEngine(engine::StorageOptions storage) {
  storage.block_cache_bytes = 64ull << 20;
  storage.write_buffer_bytes = 64ull << 20;
  storage.created_by = "basalt-dump";
  engine::EngineOptions o;
  o.storage = std::move(storage);
  o.databases = engine::kMaxDatabases;  // every logical database the map can name
  o.warm_up = false;                    // one pass over the data: nothing to warm for
  return engine::Engine::Open(o);
}

}  // namespace

StatusOr<std::unique_ptr<DataDir>> DataDir::OpenForRead(const std::string& path) {
  engine::StorageOptions so;
  BASALT_RETURN_IF_ERROR(ResolveDir(path, &so));
  std::unique_ptr<DataDir> d(new DataDir());
  char tmpl[] = "/tmp/basalt-dump-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return Status::IOError("cannot create a scratch directory");
  d->scratch_ = tmpl;
  so.mode = engine::OpenMode::kSecondary;
  so.secondary_path = d->scratch_;
  auto e = OpenEngine(std::move(so));
  if (!e.ok()) return e.status();  // ~DataDir removes the scratch directory
  d->engine_ = std::move(e.value());
  return d;
}

StatusOr<std::unique_ptr<DataDir>> DataDir::OpenForWrite(const std::string& path) {
  engine::StorageOptions so;
  std::error_code ec;
  so.dir = path;
  if (!fs::exists(fs::path(path) / "db" / "CURRENT", ec) &&
      fs::exists(fs::path(path) / "CURRENT", ec)) {
    so.db_path = path;  // a RocksDB directory such as a checkpoint
  }
  auto e = OpenEngine(std::move(so));
  if (!e.ok()) return e.status();
  std::unique_ptr<DataDir> d(new DataDir());
  d->engine_ = std::move(e.value());
  return d;
}

DataDir::~DataDir() {
  engine_.reset();
  std::error_code ec;
  if (!scratch_.empty()) fs::remove_all(scratch_, ec);
}

Status ForEachKey(DataDir& dir, int db, const std::function<Status(const KeyEntry&)>& visit) {
  int first = db < 0 ? 0 : db, last = db < 0 ? engine::kMaxDatabases - 1 : db;
  for (int i = first; i <= last; ++i) {
    KeyEntry e;
    e.db = i;
    e.physical = dir.db(i).physical;
    engine::RecordIterator it(&dir.engine(), engine::RecordFamily::kMeta, e.physical);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      uint8_t p;
      if (!codec::DecodeMetaKey(it.key(), &p, &e.key)) continue;
      e.raw = it.value();
      e.meta = codec::Metadata{};
      e.decoded = codec::DecodeMetadata(e.raw, &e.meta);
      BASALT_RETURN_IF_ERROR(visit(e));
    }
    BASALT_RETURN_IF_ERROR(it.status());
  }
  return Status::OK();
}

int64_t CountedKeys(DataDir& dir, int db) {
  if (db >= 0) return dir.engine().KeyCount(dir.db(db));
  int64_t total = 0;
  for (int i = 0; i < engine::kMaxDatabases; ++i) total += dir.engine().KeyCount(dir.db(i));
  return total;
}

size_t Value::Count() const {
  switch (type) {
    case codec::KeyType::kString:
      return str.size();
    case codec::KeyType::kHash:
      return fields.size();
    case codec::KeyType::kZSet:
      return members.size();
    default:
      return elements.size();
  }
}

void Value::Clear() {
  str.clear();
  elements.clear();
  fields.clear();
  members.clear();
}

namespace {

// Appends one subkey of a collection to `v`. False if it does not decode.
bool AddSubkey(Value* v, std::string_view subkey, std::string_view value) {
  switch (v->type) {
    case codec::KeyType::kList:
      v->elements.emplace_back(value);
      return subkey.size() == 8;
    case codec::KeyType::kSet:
      v->elements.emplace_back(subkey);
      return true;
    case codec::KeyType::kHash:
      v->fields.emplace_back(subkey, value);
      return true;
    case codec::KeyType::kZSet: {
      double score;
      if (subkey.size() < 8 || !codec::DecodeSortableDouble(subkey.substr(0, 8), &score)) {
        return false;
      }
      v->members.emplace_back(subkey.substr(8), score);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Status ReadValue(DataDir& dir, const KeyEntry& entry, size_t chunk, const ValueSink& sink) {
  Value v;
  v.type = entry.meta.type;
  if (v.type == codec::KeyType::kString) {
    v.str.assign(entry.meta.value);
    return sink(v, true, true);
  }
  engine::Db db = dir.db(entry.db);
  engine::Storage& st = dir.engine().storage();
  // Sorted sets are read from the score index: (score, member) order, as ZRANGE returns them.
  auto* cf = v.type == codec::KeyType::kZSet ? st.zscore() : st.data();
  engine::SubkeyIterator it(db, entry.key, entry.meta.version, cf);
  bool first = true;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (!AddSubkey(&v, it.subkey(), it.value())) {
      return Status::Corruption("undecodable element of key " + std::string(entry.key));
    }
    if (v.Count() >= chunk) {
      BASALT_RETURN_IF_ERROR(sink(v, first, false));
      first = false;
      v.Clear();
    }
  }
  BASALT_RETURN_IF_ERROR(it.status());
  return sink(v, first, true);
}

StatusOr<Footprint> MeasureKey(DataDir& dir, const KeyEntry& entry) {
  Footprint f;
  const uint64_t keylen = entry.key.size();
  f.bytes = 1 + keylen + entry.raw.size();
  if (entry.meta.expire_at_ms != 0) f.bytes += 1 + 8 + keylen;
  if (entry.meta.type == codec::KeyType::kString) {
    f.elements = entry.meta.value.size();
    return f;
  }
  const uint64_t prefix = 1 + 4 + keylen + 8;
  engine::Storage& st = dir.engine().storage();
  engine::Db db = dir.db(entry.db);
  for (auto* cf : {st.data(), st.zscore()}) {
    if (cf == st.zscore() && entry.meta.type != codec::KeyType::kZSet) continue;
    engine::SubkeyIterator it(db, entry.key, entry.meta.version, cf);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      if (cf == st.data()) ++f.elements;
      f.bytes += prefix + it.subkey().size() + it.value().size();
    }
    BASALT_RETURN_IF_ERROR(it.status());
  }
  return f;
}

codec::KeyType ParseTypeName(std::string_view name) {
  for (auto t : {codec::KeyType::kString, codec::KeyType::kList, codec::KeyType::kSet,
                 codec::KeyType::kZSet, codec::KeyType::kHash}) {
    if (codec::KeyTypeName(t) == name) return t;
  }
  return codec::KeyType::kNone;
}

}  // namespace basalt::dump
