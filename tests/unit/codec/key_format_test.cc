// Golden-byte tests for the persisted key and metadata layouts: these bytes are on users'
// disks, so any change here is a format change.
#include "codec/key_format.h"

#include <gtest/gtest.h>

#include "codec/metadata.h"

namespace basalt::codec {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(KeyFormatTest, MetaKeyGoldenBytes) {
  EXPECT_EQ(EncodeMetaKey(3, "ab"), Bytes({3, 'a', 'b'}));
  uint8_t db = 0;
  std::string_view key;
  ASSERT_TRUE(DecodeMetaKey(EncodeMetaKey(7, std::string("k\0y", 3)), &db, &key));
  EXPECT_EQ(db, 7);
  EXPECT_EQ(key, std::string_view("k\0y", 3));
  EXPECT_FALSE(DecodeMetaKey("", &db, &key));
}

TEST(KeyFormatTest, ExpireKeyGoldenBytesAndOrder) {
  EXPECT_EQ(EncodeExpireKey(1, 0x0102030405060708ull, "k"),
            Bytes({1, 1, 2, 3, 4, 5, 6, 7, 8, 'k'}));
  // Byte order is deadline order within a database, whatever the key.
  EXPECT_LT(EncodeExpireKey(0, 255, "zzz"), EncodeExpireKey(0, 256, "a"));
  EXPECT_LT(EncodeExpireKey(0, UINT64_MAX, "z"), EncodeExpireKey(1, 0, "a"));
  EXPECT_LT(EncodeExpireKey(2, 99, "k"), ExpireBound(2, 100));
  EXPECT_GE(EncodeExpireKey(2, 100, ""), ExpireBound(2, 100));
  uint8_t db;
  uint64_t at;
  std::string_view key;
  ASSERT_TRUE(DecodeExpireKey(EncodeExpireKey(9, 12345, "key"), &db, &at, &key));
  EXPECT_EQ(db, 9);
  EXPECT_EQ(at, 12345u);
  EXPECT_EQ(key, "key");
  EXPECT_FALSE(DecodeExpireKey("short", &db, &at, &key));
}

TEST(KeyFormatTest, DataPrefixGoldenBytes) {
  EXPECT_EQ(EncodeDataPrefix(2, "ab", 0x0a0b),
            Bytes({2, 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0, 0, 0, 0x0a, 0x0b}));
  // Length-prefixing keeps one key's subkeys from interleaving with a longer key's.
  EXPECT_NE(EncodeDataPrefix(0, "a", 1).substr(0, 5), EncodeDataPrefix(0, "ab", 1).substr(0, 5));
}

TEST(KeyFormatTest, DbRangeBounds) {
  EXPECT_LT(EncodeMetaKey(4, std::string(100, '\xff')), MetaDbEnd(4));
  EXPECT_GE(EncodeMetaKey(4, ""), MetaDbBegin(4));
  EXPECT_LT(EncodeMetaKey(3, std::string(10, '\xff')), MetaDbBegin(4));
}

TEST(MetadataTest, StringGoldenBytes) {
  std::string enc = EncodeStringMeta(0x0102, "hi");
  EXPECT_EQ(enc, Bytes({1, 0, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 'h', 'i'}));
  Metadata m;
  ASSERT_TRUE(DecodeMetadata(enc, &m));
  EXPECT_EQ(m.type, KeyType::kString);
  EXPECT_EQ(m.expire_at_ms, 0x0102u);
  EXPECT_EQ(m.value, "hi");
}

TEST(MetadataTest, CollectionRoundTrip) {
  Metadata in;
  in.type = KeyType::kList;
  in.expire_at_ms = 5;
  in.version = 77;
  in.size = 3;
  in.head = 1ull << 63;
  in.tail = (1ull << 63) + 3;
  std::string enc = EncodeCollectionMeta(in);
  EXPECT_EQ(enc.size(), kMetaHeaderSize + 32);
  Metadata out;
  ASSERT_TRUE(DecodeMetadata(enc, &out));
  EXPECT_EQ(out.type, KeyType::kList);
  EXPECT_EQ(out.version, 77u);
  EXPECT_EQ(out.size, 3u);
  EXPECT_EQ(out.head, in.head);
  EXPECT_EQ(out.tail, in.tail);
  in.type = KeyType::kHash;
  EXPECT_EQ(EncodeCollectionMeta(in).size(), kMetaHeaderSize + 16);
}

TEST(MetadataTest, RejectsUnknownFormats) {
  Metadata m;
  EXPECT_FALSE(DecodeMetadata("", &m));
  EXPECT_FALSE(DecodeMetadata(Bytes({1, 0, 0}), &m));                          // truncated
  EXPECT_FALSE(DecodeMetadata(Bytes({9, 0, 0, 0, 0, 0, 0, 0, 0, 0}), &m));     // unknown type
  EXPECT_FALSE(DecodeMetadata(Bytes({1, 1, 0, 0, 0, 0, 0, 0, 0, 0}), &m));     // revision 1
  EXPECT_FALSE(DecodeMetadata(Bytes({1, 0x20, 0, 0, 0, 0, 0, 0, 0, 0}), &m));  // reserved bit
  EXPECT_FALSE(DecodeMetadata(
      Bytes({5, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
      &m));  // raw flag on a hash
  ASSERT_TRUE(DecodeMetadata(EncodeStringMeta(0, "x", true), &m));
  EXPECT_EQ(m.flags & kFlagRawString, kFlagRawString);
  Metadata hash;
  hash.type = KeyType::kHash;
  std::string enc = EncodeCollectionMeta(hash);
  enc.pop_back();
  EXPECT_FALSE(DecodeMetadata(enc, &m));
}

TEST(MetadataTest, SetEncodedExpireKeepsTheRest) {
  std::string enc = EncodeStringMeta(10, "value");
  SetEncodedExpire(&enc, 99);
  Metadata m;
  ASSERT_TRUE(DecodeMetadata(enc, &m));
  EXPECT_EQ(m.expire_at_ms, 99u);
  EXPECT_EQ(m.value, "value");
  EXPECT_EQ(KeyTypeName(KeyType::kZSet), "zset");
  EXPECT_EQ(KeyTypeName(KeyType::kNone), "none");
}

}  // namespace
}  // namespace basalt::codec
