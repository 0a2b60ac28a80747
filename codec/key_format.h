// Byte layouts of Basalt's RocksDB keys. Integers in keys are big-endian so that byte order is
// numeric order. Pure functions; thread-safe.
//
//   meta key    := db:u8 | user_key                                  (column family "meta")
//   expire key  := db:u8 | expire_at_ms:u64be | user_key             (column family "expire")
//   data prefix := db:u8 | keylen:u32be | user_key | version:u64be    (column families "data",
//                                                                      "zscore"; subkey follows)
//
// `db` is the physical database number (see engine/keyspace.h for the logical mapping that
// makes SWAPDB cheap). Persisted formats: do not change.
#ifndef BASALT_CODEC_KEY_FORMAT_H_
#define BASALT_CODEC_KEY_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::codec {

void PutFixed32BE(std::string* dst, uint32_t v);
void PutFixed64BE(std::string* dst, uint64_t v);
uint32_t DecodeFixed32BE(const char* p);
uint64_t DecodeFixed64BE(const char* p);
void PutFixed64LE(std::string* dst, uint64_t v);
uint64_t DecodeFixed64LE(const char* p);

std::string EncodeMetaKey(uint8_t db, std::string_view user_key);
// Splits a meta key. Returns false if `encoded` is too short to be one.
bool DecodeMetaKey(std::string_view encoded, uint8_t* db, std::string_view* user_key);
// The smallest key of database `db` and the first key after it, for range scans and deletes.
std::string MetaDbBegin(uint8_t db);
std::string MetaDbEnd(uint8_t db);

std::string EncodeExpireKey(uint8_t db, uint64_t expire_at_ms, std::string_view user_key);
bool DecodeExpireKey(std::string_view encoded, uint8_t* db, uint64_t* expire_at_ms,
                     std::string_view* user_key);
// All expire entries of `db` with deadline < `until_ms` sort below this key.
std::string ExpireBound(uint8_t db, uint64_t until_ms);

std::string EncodeDataPrefix(uint8_t db, std::string_view user_key, uint64_t version);
// data key := data prefix | subkey
std::string EncodeDataKey(uint8_t db, std::string_view user_key, uint64_t version,
                          std::string_view subkey);
// Splits a data (or zscore) key. Returns false if `encoded` is not one.
bool DecodeDataKey(std::string_view encoded, uint8_t* db, std::string_view* user_key,
                   uint64_t* version, std::string_view* subkey);

}  // namespace basalt::codec

#endif  // BASALT_CODEC_KEY_FORMAT_H_
