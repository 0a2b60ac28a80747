#include "engine/compaction_filter.h"

#include <string>

#include "codec/key_format.h"
#include "codec/metadata.h"
#include "engine/keyspace.h"

namespace basalt::engine {

namespace {

class SubkeyFilter : public rocksdb::CompactionFilter {
 public:
  SubkeyFilter(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta) : db_(db), meta_(meta) {}

  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice&, std::string*,
              bool*) const override {
    if (db_ == nullptr) return false;
    uint8_t physical = 0;
    std::string_view user_key, subkey;
    uint64_t version = 0;
    if (!codec::DecodeDataKey(std::string_view(key.data(), key.size()), &physical, &user_key,
                              &version, &subkey)) {
      return false;  // not ours to judge
    }
    const Verdict& v = Judge(physical, user_key);
    if (v.unknown) return false;
    return !v.live || v.version != version;
  }

  const char* Name() const override { return "BasaltSubkeyFilter"; }

 private:
  struct Verdict {
    bool unknown = true;  // the metadata could not be read: keep everything
    bool live = false;
    uint64_t version = 0;
  };

  // Consecutive subkeys belong to the same key, so the last lookup is cached.
  const Verdict& Judge(uint8_t physical, std::string_view user_key) const {
    std::string meta_key = codec::EncodeMetaKey(physical, user_key);
    if (meta_key == cached_key_) return cached_;
    cached_key_ = meta_key;
    cached_ = Verdict{};
    std::string raw;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, meta_key, &raw);
    if (s.IsNotFound()) {
      cached_.unknown = false;
      return cached_;
    }
    codec::Metadata m;
    if (!s.ok() || !codec::DecodeMetadata(raw, &m)) return cached_;
    cached_.unknown = false;
    cached_.live = m.type != codec::KeyType::kString && !m.IsExpired(NowMs());
    cached_.version = m.version;
    return cached_;
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* meta_;
  mutable std::string cached_key_;
  mutable Verdict cached_;
};

}  // namespace

void SubkeyFilterFactory::SetDb(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta) {
  meta_.store(meta);
  db_.store(db);
}

void SubkeyFilterFactory::ClearDb() {
  db_.store(nullptr);
  meta_.store(nullptr);
}

std::unique_ptr<rocksdb::CompactionFilter> SubkeyFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context&) {
  return std::make_unique<SubkeyFilter>(db_.load(), meta_.load());
}

}  // namespace basalt::engine
