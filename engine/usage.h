// MEMORY USAGE's estimate of what one key costs: the bytes of its records as Basalt stores
// them, before RocksDB's compression. Redis reports the allocator's bytes for a key's objects;
// Basalt's data lives in RocksDB records, so the estimate counts those instead:
//
//   key cost     := kKeyOverhead + meta record (db byte + key + encoded metadata)
//   element cost := subkey record (kSubkeyPrefix + key + subkey + value)
//                   [+ the zscore index record (kSubkeyPrefix + key + 8 + member) for sorted sets]
//
// For a collection only `samples` elements are read (0: all), in subkey order, and their mean
// cost is multiplied by the element count, as Redis samples nested values.
//
// Thread-safety: reads only; safe from any thread without key locks.
#ifndef BASALT_ENGINE_USAGE_H_
#define BASALT_ENGINE_USAGE_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/keyspace.h"

namespace basalt::engine {

// Fixed cost of a key beyond its bytes (its metadata slot in the hot tier and the index of
// RocksDB's block), a rough constant in the spirit of Redis's dictEntry + robj overhead.
constexpr uint64_t kKeyOverhead = 48;
// The bytes every subkey record repeats: db:u8 | keylen:u32be | version:u64be.
constexpr uint64_t kSubkeyPrefix = 13;

// nullopt when `key` does not exist (or has expired).
StatusOr<std::optional<uint64_t>> EstimateKeyBytes(const Db& db, std::string_view key,
                                                   uint64_t samples);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_USAGE_H_
