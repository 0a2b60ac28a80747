// Server-owned records in the reserved column family: small blobs the server layer persists
// beside the data (today: the FUNCTION libraries), kept apart from every key space.
//
// Record key := "\x04srv:" | name      (the "\x01".."\x03" prefixes belong to storage/keyspace)
// The value is opaque to the engine; its owner documents its grammar.
//
// Thread-safety: thread-safe (RocksDB). Callers serialise writers of one name themselves.
#ifndef BASALT_ENGINE_SERVER_RECORDS_H_
#define BASALT_ENGINE_SERVER_RECORDS_H_

#include <string>
#include <string_view>

#include "engine/status.h"

namespace basalt::engine {

class Storage;

// Reads record `name`: kOk with *value, or kNotFound when it was never written (or deleted).
// Reads committed data only, never a transaction's staged writes.
Status GetServerRecord(Storage* storage, std::string_view name, std::string* value);
// Writes (replaces) record `name` at once, outside any transaction.
Status PutServerRecord(Storage* storage, std::string_view name, std::string_view value);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_SERVER_RECORDS_H_
