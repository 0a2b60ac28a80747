#include "codec/metadata.h"

#include "codec/key_format.h"

namespace basalt::codec {

namespace {
constexpr uint8_t kFlagsKnownMask = 0x0f;
constexpr uint8_t kCurrentRevision = 0;

void PutHeader(std::string* out, KeyType type, uint64_t expire_at_ms, uint8_t flags = 0) {
  out->push_back(static_cast<char>(type));
  out->push_back(static_cast<char>(kCurrentRevision | flags));
  PutFixed64LE(out, expire_at_ms);
}
}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return "string";
    case KeyType::kList:
      return "list";
    case KeyType::kSet:
      return "set";
    case KeyType::kZSet:
      return "zset";
    case KeyType::kHash:
      return "hash";
    case KeyType::kNone:
      break;
  }
  return "none";
}

std::string EncodeStringMeta(uint64_t expire_at_ms, std::string_view value, bool raw) {
  std::string out;
  out.reserve(kMetaHeaderSize + value.size());
  PutHeader(&out, KeyType::kString, expire_at_ms, raw ? kFlagRawString : 0);
  out.append(value);
  return out;
}

std::string EncodeCollectionMeta(const Metadata& meta) {
  std::string out;
  out.reserve(kMetaHeaderSize + 32);
  PutHeader(&out, meta.type, meta.expire_at_ms);
  PutFixed64LE(&out, meta.version);
  PutFixed64LE(&out, meta.size);
  if (meta.type == KeyType::kList) {
    PutFixed64LE(&out, meta.head);
    PutFixed64LE(&out, meta.tail);
  }
  return out;
}

bool DecodeMetadata(std::string_view encoded, Metadata* meta) {
  if (encoded.size() < kMetaHeaderSize) return false;
  uint8_t type = static_cast<uint8_t>(encoded[0]);
  uint8_t flags = static_cast<uint8_t>(encoded[1]);
  if (type < 1 || type > 5) return false;
  uint8_t allowed =
      kFlagsKnownMask | (type == static_cast<uint8_t>(KeyType::kString) ? kFlagRawString : 0);
  if ((flags & ~allowed) != 0 || (flags & kFlagsKnownMask) != kCurrentRevision) return false;
  *meta = Metadata{};
  meta->type = static_cast<KeyType>(type);
  meta->flags = flags;
  meta->expire_at_ms = DecodeFixed64LE(encoded.data() + 2);
  std::string_view rest = encoded.substr(kMetaHeaderSize);
  if (meta->type == KeyType::kString) {
    meta->value = rest;
    return true;
  }
  size_t need = meta->type == KeyType::kList ? 32 : 16;
  if (rest.size() != need) return false;
  meta->version = DecodeFixed64LE(rest.data());
  meta->size = DecodeFixed64LE(rest.data() + 8);
  if (meta->type == KeyType::kList) {
    meta->head = DecodeFixed64LE(rest.data() + 16);
    meta->tail = DecodeFixed64LE(rest.data() + 24);
  }
  return true;
}

void SetEncodedExpire(std::string* encoded, uint64_t expire_at_ms) {
  std::string le;
  PutFixed64LE(&le, expire_at_ms);
  encoded->replace(2, 8, le);
}

}  // namespace basalt::codec
