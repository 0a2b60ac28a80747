#include "codec/key_format.h"

namespace basalt::codec {

void PutFixed32BE(std::string* dst, uint32_t v) {
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 4);
}

void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 8);
}

uint32_t DecodeFixed32BE(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint64_t DecodeFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void PutFixed64LE(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 8);
}

uint64_t DecodeFixed64LE(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string EncodeMetaKey(uint8_t db, std::string_view user_key) {
  std::string out;
  out.reserve(1 + user_key.size());
  out.push_back(static_cast<char>(db));
  out.append(user_key);
  return out;
}

bool DecodeMetaKey(std::string_view encoded, uint8_t* db, std::string_view* user_key) {
  if (encoded.empty()) return false;
  *db = static_cast<uint8_t>(encoded[0]);
  *user_key = encoded.substr(1);
  return true;
}

std::string MetaDbBegin(uint8_t db) { return std::string(1, static_cast<char>(db)); }

std::string MetaDbEnd(uint8_t db) {
  // The engine caps `databases` at 255, so db + 1 always fits in the byte.
  return std::string(1, static_cast<char>(db + 1));
}

std::string EncodeExpireKey(uint8_t db, uint64_t expire_at_ms, std::string_view user_key) {
  std::string out;
  out.reserve(9 + user_key.size());
  out.push_back(static_cast<char>(db));
  PutFixed64BE(&out, expire_at_ms);
  out.append(user_key);
  return out;
}

bool DecodeExpireKey(std::string_view encoded, uint8_t* db, uint64_t* expire_at_ms,
                     std::string_view* user_key) {
  if (encoded.size() < 9) return false;
  *db = static_cast<uint8_t>(encoded[0]);
  *expire_at_ms = DecodeFixed64BE(encoded.data() + 1);
  *user_key = encoded.substr(9);
  return true;
}

std::string ExpireBound(uint8_t db, uint64_t until_ms) {
  std::string out(1, static_cast<char>(db));
  PutFixed64BE(&out, until_ms);
  return out;
}

std::string EncodeDataPrefix(uint8_t db, std::string_view user_key, uint64_t version) {
  std::string out;
  out.reserve(13 + user_key.size());
  out.push_back(static_cast<char>(db));
  PutFixed32BE(&out, static_cast<uint32_t>(user_key.size()));
  out.append(user_key);
  PutFixed64BE(&out, version);
  return out;
}

std::string EncodeDataKey(uint8_t db, std::string_view user_key, uint64_t version,
                          std::string_view subkey) {
  std::string out = EncodeDataPrefix(db, user_key, version);
  out.append(subkey);
  return out;
}

bool DecodeDataKey(std::string_view encoded, uint8_t* db, std::string_view* user_key,
                   uint64_t* version, std::string_view* subkey) {
  if (encoded.size() < 13) return false;
  uint32_t keylen = DecodeFixed32BE(encoded.data() + 1);
  if (encoded.size() < 13ull + keylen) return false;
  *db = static_cast<uint8_t>(encoded[0]);
  *user_key = encoded.substr(5, keylen);
  *version = DecodeFixed64BE(encoded.data() + 5 + keylen);
  *subkey = encoded.substr(13 + keylen);
  return true;
}

}  // namespace basalt::codec
