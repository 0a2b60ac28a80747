// Hashes: a Redis hash is a collection (collection.h) whose subkeys are the field names and
// whose subkey values are the field values:
//
//   data key   := db:u8 | keylen:u32be | user_key | version:u64be | field
//   data value := field value bytes
//
// The metadata record's `size` is the number of fields and is kept exact by every write (one
// Batch per command: metadata and subkeys commit together), so HLEN is one point read and
// HRANDFIELD can choose positions before it walks. Fields iterate in byte order, so HSCAN
// resumes after the last field it returned, like SCAN (keys.h). Removing the last field deletes
// the key, as Redis deletes empty hashes.
//
// Locking protocol (key_locks.h): functions that write REQUIRE the world lock shared and the
// key's stripe; read-only functions need no key lock.
//
// Errors: kWrongType when the key holds another type; HashIncrBy: kHashNotInteger (the stored
// value is not an integer), kOverflow; HashIncrByFloat: kHashNotFloat, kNanOrInfinity.
#ifndef BASALT_ENGINE_HASH_H_
#define BASALT_ENGINE_HASH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/keyspace.h"

namespace basalt::engine {

using FieldValueViews = std::vector<std::pair<std::string_view, std::string_view>>;
using FieldValues = std::vector<std::pair<std::string, std::string>>;

// HSET / HMSET (only_if_absent = false) and HSETNX (true: a field that exists is left alone).
// A field named twice takes its last value. Returns the number of fields created.
StatusOr<int64_t> HashSet(const Db& db, std::string_view key, const FieldValueViews& fvs,
                          bool only_if_absent);
// HGET: nullopt when the key or the field is absent.
StatusOr<std::optional<std::string>> HashGet(const Db& db, std::string_view key,
                                             std::string_view field);
// HMGET: one entry per requested field.
StatusOr<std::vector<std::optional<std::string>>> HashMGet(
    const Db& db, std::string_view key, const std::vector<std::string_view>& fields);
// HDEL: returns the number of fields removed (a field named twice counts once).
StatusOr<int64_t> HashDelete(const Db& db, std::string_view key,
                             const std::vector<std::string_view>& fields);
// HLEN
StatusOr<int64_t> HashLength(const Db& db, std::string_view key);
// HSTRLEN: 0 when the key or the field is absent.
StatusOr<int64_t> HashStrLen(const Db& db, std::string_view key, std::string_view field);
// HEXISTS
StatusOr<bool> HashExists(const Db& db, std::string_view key, std::string_view field);
// HGETALL / HKEYS / HVALS, in field byte order. `with_values` false leaves values empty.
StatusOr<FieldValues> HashGetAll(const Db& db, std::string_view key, bool with_values = true);
// HINCRBY: an absent field counts as 0. Returns the new value.
StatusOr<int64_t> HashIncrBy(const Db& db, std::string_view key, std::string_view field,
                             int64_t delta);
// HINCRBYFLOAT: `delta` must be finite (checked by the caller, as Redis does before the
// lookup). Returns the new value as Redis stores it (codec::FormatLongDoubleHuman).
StatusOr<std::string> HashIncrByFloat(const Db& db, std::string_view key, std::string_view field,
                                      long double delta);

// HRANDFIELD with a count, with Redis's meaning: count > 0 returns min(count, HLEN) distinct
// fields, count < 0 returns -count fields that may repeat, in random order. An absent key gives
// an empty result. `with_values` false leaves values empty. Costs one walk over the hash
// (O(HLEN) time) and O(|count|) memory.
// REQUIRES: count != INT64_MIN.
StatusOr<FieldValues> HashRandomFields(const Db& db, std::string_view key, int64_t count,
                                       bool with_values);

struct HashScanOptions {
  std::string_view match;  // empty = all fields
  size_t count = 10;       // fields to examine (a hint, as in Redis)
};
struct HashScanPage {
  FieldValues entries;
  std::optional<std::string> resume_after;  // nullopt: the scan is complete
};
// One HSCAN step over the fields that sort after `after` (nullopt = from the start). An absent
// key gives an empty, complete page.
StatusOr<HashScanPage> HashScan(const Db& db, std::string_view key,
                                const std::optional<std::string>& after,
                                const HashScanOptions& options);

// OBJECT ENCODING for a hash: "listpack" when it has at most `max_listpack_entries` fields and
// no field or value longer than `max_listpack_value` bytes (hash-max-listpack-entries/-value),
// else "hashtable". Answers from the current contents only: conversion history is not tracked,
// so a hash that grew past the limits and shrank back reports "listpack" where Redis (which
// never converts back) reports "hashtable". kNotFound if the key is absent, kWrongType if it is
// not a hash. Cost: O(1) above the entry limit, else one walk over at most that many fields.
StatusOr<std::string> HashObjectEncoding(const Db& db, std::string_view key,
                                         int64_t max_listpack_entries, int64_t max_listpack_value);

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_HASH_H_
