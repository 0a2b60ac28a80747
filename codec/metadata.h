// The value stored under a meta key: what a key is, when it expires, and (for strings) its
// bytes. Hand-encoded because it is read on every command; fixed-width integers in values are
// little-endian.
//
//   string     := type:u8 | flags:u8 | expire_at_ms:u64le | value bytes
//   collection := type:u8 | flags:u8 | expire_at_ms:u64le | version:u64le | size:u64le
//                 [ | head:u64le | tail:u64le ]                               (lists only)
//
// type: see KeyType (persisted: do not change the numbers). flags: low nibble = record format
// revision (0 today); bit 4 (strings only) = kFlagRawString: the value was modified in place
// (APPEND, SETRANGE), which Redis reports as encoding "raw"; bits 5-7 reserved (must be 0). A
// reader refuses unknown revisions or reserved bits as corruption, which leaves room to evolve
// each record type independently.
// expire_at_ms: unix milliseconds, 0 = no expiry.
#ifndef BASALT_CODEC_METADATA_H_
#define BASALT_CODEC_METADATA_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::codec {

// Persisted: do not change the numbers.
enum class KeyType : uint8_t {
  kNone = 0,  // never stored; "no such key" in APIs
  kString = 1,
  kList = 2,
  kSet = 3,
  kZSet = 4,
  kHash = 5,
};

// Redis's TYPE reply for a type ("string", "list", ..., "none").
std::string_view KeyTypeName(KeyType type);

struct Metadata {
  KeyType type = KeyType::kNone;
  uint8_t flags = 0;
  uint64_t expire_at_ms = 0;
  // Strings: the value (a view into the decoded buffer). Collections: unused.
  std::string_view value;
  // Collections only.
  uint64_t version = 0;
  uint64_t size = 0;
  uint64_t head = 0;  // lists only
  uint64_t tail = 0;  // lists only

  bool IsExpired(uint64_t now_ms) const { return expire_at_ms != 0 && expire_at_ms <= now_ms; }
};

constexpr size_t kMetaHeaderSize = 10;  // type + flags + expire_at_ms
constexpr uint8_t kFlagRawString = 0x10;

std::string EncodeStringMeta(uint64_t expire_at_ms, std::string_view value, bool raw = false);
std::string EncodeCollectionMeta(const Metadata& meta);
// Decodes `encoded`; string values point into `encoded`, which must outlive *meta.
// Returns false on a record this version cannot read.
bool DecodeMetadata(std::string_view encoded, Metadata* meta);
// Rewrites only the expire field of an encoded record in place (any type).
void SetEncodedExpire(std::string* encoded, uint64_t expire_at_ms);

}  // namespace basalt::codec

#endif  // BASALT_CODEC_METADATA_H_
