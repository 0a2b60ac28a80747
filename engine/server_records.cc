#include "engine/server_records.h"

#include <rocksdb/db.h>

#include "engine/storage.h"

namespace basalt::engine {

namespace {

std::string RecordKey(std::string_view name) {
  std::string key = "\x04srv:";
  key.append(name);
  return key;
}

}  // namespace

Status GetServerRecord(Storage* storage, std::string_view name, std::string* value) {
  rocksdb::PinnableSlice out;
  rocksdb::Status s =
      storage->db()->Get(rocksdb::ReadOptions(), storage->reserved(), RecordKey(name), &out);
  if (s.IsNotFound()) return Status(Code::kNotFound, "no such record");
  if (!s.ok()) return Status(Code::kIOError, s.ToString());
  value->assign(out.data(), out.size());
  return Status::OK();
}

Status PutServerRecord(Storage* storage, std::string_view name, std::string_view value) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s =
      batch.Put(storage->reserved(), RecordKey(name), rocksdb::Slice(value.data(), value.size()));
  if (!s.ok()) return Status(Code::kIOError, s.ToString());
  return storage->Write(&batch);
}

}  // namespace basalt::engine
