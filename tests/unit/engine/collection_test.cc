// The shared collection machinery: data-key encoding, subkey iteration bounded to one version,
// and the compaction filter that reclaims the subkeys of deleted, overwritten and expired
// collections.
#include "engine/collection.h"

#include <algorithm>
#include <thread>

#include "codec/key_format.h"
#include "engine/keys.h"
#include "engine/string.h"
#include "tests/unit/engine/engine_fixture.h"

namespace basalt::engine {
namespace {

using codec::KeyType;

TEST(DataKeyTest, RoundTripAndOrdering) {
  std::string k = codec::EncodeDataKey(3, std::string("k\0y", 3), 42, "field");
  uint8_t db;
  std::string_view key, sub;
  uint64_t version;
  ASSERT_TRUE(codec::DecodeDataKey(k, &db, &key, &version, &sub));
  EXPECT_EQ(db, 3);
  EXPECT_EQ(key, std::string_view("k\0y", 3));
  EXPECT_EQ(version, 42u);
  EXPECT_EQ(sub, "field");
  EXPECT_FALSE(codec::DecodeDataKey("short", &db, &key, &version, &sub));
  std::string truncated = k.substr(0, 10);
  EXPECT_FALSE(codec::DecodeDataKey(truncated, &db, &key, &version, &sub));
  // Subkeys of one version sort by subkey bytes, and all sort before the next version's.
  EXPECT_LT(codec::EncodeDataKey(0, "k", 1, "a"), codec::EncodeDataKey(0, "k", 1, "b"));
  EXPECT_LT(codec::EncodeDataKey(0, "k", 1, "\xff\xff"), codec::EncodeDataKey(0, "k", 2, ""));
  EXPECT_LT(codec::EncodeDataKey(0, "k", 1, "\xff"), codec::EncodeDataPrefix(0, "k", 2));
  // A key that is a prefix of another never shares its subkey range.
  EXPECT_FALSE(
      codec::EncodeDataKey(0, "ab", 1, "").starts_with(codec::EncodeDataPrefix(0, "a", 1)));
}

class CollectionTest : public EngineTest {
 protected:
  // Writes a "hash" with `n` fields directly through the machinery.
  void MakeCollection(const Db& d, std::string_view key, int n, uint64_t expire_at_ms = 0) {
    KeyRecord old;
    ASSERT_TRUE(LookupCollection(d, key, KeyType::kHash, &old).ok());
    codec::Metadata m = CollectionMetaForWrite(engine_.get(), old, KeyType::kHash);
    m.expire_at_ms = expire_at_ms;
    Batch batch(engine_.get());
    CollectionWriter w(&batch, d, key, m);
    for (int i = 0; i < n; ++i) w.Put("f" + std::to_string(i), "v" + std::to_string(i));
    m.size = n;
    w.Finish(old, m);
    ASSERT_TRUE(batch.Commit().ok());
  }

  int CountLive(const Db& d, std::string_view key) {
    KeyRecord rec;
    EXPECT_TRUE(engine_->Lookup(d, key, &rec).ok());
    if (!rec.live()) return 0;
    SubkeyIterator it(d, key, rec.meta.version);
    int n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++n;
    return n;
  }

  // Every subkey in the data CF, any version.
  int CountRaw() {
    Storage& st = engine_->storage();
    std::unique_ptr<rocksdb::Iterator> it(st.db()->NewIterator(rocksdb::ReadOptions(), st.data()));
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }
};

TEST_F(CollectionTest, IterationIsBoundedToTheCurrentVersion) {
  MakeCollection(db(), "h", 5);
  MakeCollection(db(), "h2", 3);  // a neighbour with a longer name
  EXPECT_EQ(CountLive(db(), "h"), 5);
  KeyRecord rec;
  ASSERT_TRUE(engine_->Lookup(db(), "h", &rec).ok());
  EXPECT_EQ(rec.meta.size, 5u);
  SubkeyIterator it(db(), "h", rec.meta.version);
  it.Seek("f3");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.subkey(), "f3");
  EXPECT_EQ(it.value(), "v3");
  it.SeekToLast();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.subkey(), "f4");
  std::string v;
  ASSERT_TRUE(GetSubkey(db(), "h", rec.meta.version, "f1", &v).ok());
  EXPECT_EQ(v, "v1");
  EXPECT_TRUE(GetSubkey(db(), "h", rec.meta.version, "nope", &v).IsNotFound());
  // Deleting is one metadata write; the old subkeys are invisible at once.
  EXPECT_EQ(*KeysDelete(db(), {"h"}), 1);
  MakeCollection(db(), "h", 2);
  EXPECT_EQ(CountLive(db(), "h"), 2);
}

TEST_F(CollectionTest, WrongTypeAndStringOverwrite) {
  MakeCollection(db(), "h", 3);
  KeyRecord rec;
  EXPECT_EQ(LookupCollection(db(), "h", KeyType::kSet, &rec).code(), Code::kWrongType);
  EXPECT_EQ(StringGet(db(), "h").status().code(), Code::kWrongType);
  ASSERT_TRUE(StringSet(db(), "h", "now a string", {}).ok());
  EXPECT_EQ(**StringGet(db(), "h"), "now a string");
  EXPECT_EQ(engine_->KeyCount(db()), 1);
}

TEST_F(CollectionTest, CompactionDropsStaleVersionsAndKeepsLiveOnes) {
  MakeCollection(db(), "deleted", 100);
  MakeCollection(db(), "overwritten", 50);
  MakeCollection(db(), "replaced", 30);
  MakeCollection(db(), "expiring", 20, NowMs() + 30);
  MakeCollection(db(), "live", 40);
  MakeCollection(db(1), "other-db", 10);
  ASSERT_EQ(CountRaw(), 250);
  EXPECT_EQ(*KeysDelete(db(), {"deleted"}), 1);
  ASSERT_TRUE(StringSet(db(), "overwritten", "s", {}).ok());
  ASSERT_TRUE(KeysDelete(db(), {"replaced"}).ok());
  MakeCollection(db(), "replaced", 7);  // a new version under the same name
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(engine_->storage().CompactAll().ok());
  // Live: "live" 40, new "replaced" 7, "other-db" 10.
  EXPECT_EQ(CountRaw(), 57);
  EXPECT_EQ(CountLive(db(), "live"), 40);
  EXPECT_EQ(CountLive(db(), "replaced"), 7);
  EXPECT_EQ(CountLive(db(1), "other-db"), 10);
  Reopen();
  EXPECT_EQ(CountLive(db(), "live"), 40);
}

TEST_F(CollectionTest, WalksOverManyTombstonesGetTheRangeCompacted) {
  MakeCollection(db(), "h", 5000);
  MakeCollection(db(), "neighbour", 10);
  KeyRecord rec;
  ASSERT_TRUE(engine_->Lookup(db(), "h", &rec).ok());
  {  // deletes all but the last 10 fields: their tombstones now precede the live ones
    Batch batch(engine_.get());
    CollectionWriter w(&batch, db(), "h", rec.meta);
    std::vector<std::string> names;
    for (int i = 0; i < 5000; ++i) names.push_back("f" + std::to_string(i));
    std::sort(names.begin(), names.end());
    for (size_t i = 0; i + 10 < names.size(); ++i) w.Delete(names[i]);
    codec::Metadata m = rec.meta;
    m.size = 10;
    w.Finish(rec, m);
    ASSERT_TRUE(batch.Commit().ok());
  }
  ASSERT_EQ(engine_->storage().range_compactions(), 0u);
  {
    TombstoneMeter meter;
    EXPECT_EQ(CountLive(db(), "h"), 10);
    EXPECT_GE(meter.skipped(), 4990u);
  }
  // One of the next kMeterEvery walks counts what it skips and asks for the range to be
  // compacted, in the background.
  for (uint32_t i = 0; i < SubkeyIterator::kMeterEvery; ++i) EXPECT_EQ(CountLive(db(), "h"), 10);
  for (int i = 0; i < 1000 && engine_->storage().range_compactions() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(engine_->storage().range_compactions(), 1u);
  {
    TombstoneMeter meter;
    EXPECT_EQ(CountLive(db(), "h"), 10);
    EXPECT_LT(meter.skipped(), 10u);
  }
  EXPECT_EQ(CountLive(db(), "neighbour"), 10);
  // Walks that meet few tombstones ask for nothing.
  for (uint32_t i = 0; i < 2 * SubkeyIterator::kMeterEvery; ++i) CountLive(db(), "h");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(engine_->storage().range_compactions(), 1u);
}

TEST_F(CollectionTest, RenameCopyMoveCarrySubkeys) {
  MakeCollection(db(), "a", 10, NowMs() + 100000);
  EXPECT_TRUE(*KeyRename(db(), "a", "b", false));
  EXPECT_EQ(CountLive(db(), "a"), 0);
  EXPECT_EQ(CountLive(db(), "b"), 10);
  EXPECT_GT(*KeyExpireAt(db(), "b"), 0);
  EXPECT_TRUE(*KeyCopy(db(), "b", db(2), "c", false));
  EXPECT_EQ(CountLive(db(2), "c"), 10);
  EXPECT_TRUE(*KeyMove(db(), "b", db(3)));
  EXPECT_EQ(CountLive(db(3), "b"), 10);
  EXPECT_EQ(engine_->KeyCount(db()), 0);
  // The copies are independent: deleting one leaves the other.
  EXPECT_EQ(*KeysDelete(db(3), {"b"}), 1);
  EXPECT_EQ(CountLive(db(2), "c"), 10);
  ASSERT_TRUE(engine_->storage().CompactAll().ok());
  EXPECT_EQ(CountRaw(), 10);
}

TEST_F(CollectionTest, EmptyCollectionIsDeleted) {
  MakeCollection(db(), "h", 1);
  KeyRecord old;
  ASSERT_TRUE(LookupCollection(db(), "h", KeyType::kHash, &old).ok());
  codec::Metadata m = old.meta;
  Batch batch(engine_.get());
  CollectionWriter w(&batch, db(), "h", m);
  w.Delete("f0");
  m.size = 0;
  w.Finish(old, m);
  ASSERT_TRUE(batch.Commit().ok());
  EXPECT_EQ(*KeyTypeOf(db(), "h"), KeyType::kNone);
  EXPECT_EQ(engine_->KeyCount(db()), 0);
}

}  // namespace
}  // namespace basalt::engine
