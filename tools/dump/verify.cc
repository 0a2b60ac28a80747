// basalt-dump verify: checks the invariants the engine's write paths keep (see
// engine/collection.h, engine/list.h, engine/zset.h, engine/keyspace.h) against what is on
// disk, and reports every key that breaks one.
#include <cstdio>

#include "codec/key_format.h"
#include "codec/sortable_double.h"
#include "engine/collection.h"
#include "engine/inspect.h"
#include "tools/dump/cli.h"
#include "tools/dump/text.h"

namespace basalt::dump {

namespace {

constexpr char kVerifyHelp[] =
    "usage: basalt-dump verify DIR\n"
    "\n"
    "Checks every key and reports each violation, one per line:\n"
    "  - every metadata record decodes, and no collection is stored empty;\n"
    "  - a hash's or set's size equals its live subkeys;\n"
    "  - a list's size equals tail - head and its elements are exactly the indexes [head, tail);\n"
    "  - a sorted set's size equals its members in the data CF and its entries in the zscore\n"
    "    CF, and every member's score has its zscore entry;\n"
    "  - every key with a TTL has its expire-index entry, and every expire-index entry belongs\n"
    "    to a key with that deadline;\n"
    "  - the persisted per-database key and TTL counters equal the records counted.\n"
    "Exit status 0 when clean, 1 on any finding.\n";

class Verifier {
 public:
  explicit Verifier(DataDir& dir) : dir_(dir) {}

  Status Run() {
    for (int db = 0; db < engine::kMaxDatabases; ++db) BASALT_RETURN_IF_ERROR(CheckDb(db));
    return Status::OK();
  }
  int64_t findings() const { return findings_; }
  int64_t keys() const { return keys_; }

 private:
  void Report(int db, std::string_view key, const std::string& what) {
    ++findings_;
    std::printf("db=%d key=%s: %s\n", db, QuoteForDisplay(key).c_str(), what.c_str());
  }

  Status CheckDb(int db) {
    int64_t records = 0, with_ttl = 0;
    Status s = ForEachKey(dir_, db, [&](const KeyEntry& e) -> Status {
      ++records;
      ++keys_;
      if (progress_ != nullptr) progress_->Add();
      if (!e.decoded) return Report(db, e.key, "metadata record does not decode"), Status::OK();
      if (e.meta.expire_at_ms != 0) {
        ++with_ttl;
        BASALT_RETURN_IF_ERROR(CheckExpireEntry(e));
      }
      return CheckValue(e);
    });
    BASALT_RETURN_IF_ERROR(s);
    BASALT_RETURN_IF_ERROR(CheckExpireIndex(db));
    engine::Db d = dir_.db(db);
    int64_t counted = dir_.engine().KeyCount(d), counted_ttl = dir_.engine().ExpiresCount(d);
    if (counted != records || counted_ttl != with_ttl) {
      ++findings_;
      std::printf("db=%d: key counter says %lld keys / %lld with TTL; found %lld / %lld\n", db,
                  static_cast<long long>(counted), static_cast<long long>(counted_ttl),
                  static_cast<long long>(records), static_cast<long long>(with_ttl));
    }
    return Status::OK();
  }

  Status CheckExpireEntry(const KeyEntry& e) {
    std::string v;
    Status s = dir_.engine().storage().Get(
        dir_.engine().storage().expire(),
        codec::EncodeExpireKey(e.physical, e.meta.expire_at_ms, e.key), &v);
    if (s.IsNotFound()) {
      Report(e.db, e.key,
             "TTL " + std::to_string(e.meta.expire_at_ms) + " has no expire-index entry");
      return Status::OK();
    }
    return s;
  }

  // Every expire-index entry must name a key whose metadata carries that deadline.
  Status CheckExpireIndex(int db) {
    engine::Db d = dir_.db(db);
    engine::RecordIterator it(&dir_.engine(), engine::RecordFamily::kExpire, d.physical);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      uint8_t p;
      uint64_t at;
      std::string_view key;
      if (!codec::DecodeExpireKey(it.key(), &p, &at, &key)) {
        Report(db, it.key(), "undecodable expire-index entry");
        continue;
      }
      engine::KeyRecord rec;
      Status s = dir_.engine().Lookup(d, key, &rec);
      if (s.code() == engine::Code::kCorruption) continue;  // reported by the metadata walk
      BASALT_RETURN_IF_ERROR(s);
      if (!rec.present || rec.meta.expire_at_ms != at) {
        Report(db, key,
               "expire-index entry " + std::to_string(at) + " does not match the metadata (" +
                   (rec.present ? "TTL " + std::to_string(rec.meta.expire_at_ms) : "no key") + ")");
      }
    }
    return it.status();
  }

  Status CheckValue(const KeyEntry& e) {
    switch (e.meta.type) {
      case codec::KeyType::kString:
        return Status::OK();
      case codec::KeyType::kList:
        return CheckList(e);
      case codec::KeyType::kZSet:
        return CheckZSet(e);
      case codec::KeyType::kHash:
      case codec::KeyType::kSet:
        return CheckPlain(e);
      default:
        Report(e.db, e.key, "unknown type " + std::to_string(static_cast<int>(e.meta.type)));
        return Status::OK();
    }
  }

  void CheckSize(const KeyEntry& e, uint64_t live, const char* where) {
    if (e.meta.size == 0) Report(e.db, e.key, "collection stored with size 0");
    if (live != e.meta.size) {
      Report(e.db, e.key,
             "metadata size " + std::to_string(e.meta.size) + " but " + std::to_string(live) +
                 " live subkeys in " + where);
    }
  }

  Status CheckPlain(const KeyEntry& e) {
    engine::SubkeyIterator it(dir_.db(e.db), e.key, e.meta.version);
    uint64_t n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++n;
    BASALT_RETURN_IF_ERROR(it.status());
    CheckSize(e, n, "data");
    return Status::OK();
  }

  Status CheckList(const KeyEntry& e) {
    if (e.meta.tail < e.meta.head || e.meta.tail - e.meta.head != e.meta.size) {
      Report(e.db, e.key,
             "list size " + std::to_string(e.meta.size) +
                 " but tail - head = " + std::to_string(e.meta.tail - e.meta.head));
    }
    engine::SubkeyIterator it(dir_.db(e.db), e.key, e.meta.version);
    uint64_t n = 0, expect = e.meta.head;
    bool gap_reported = false;
    for (it.SeekToFirst(); it.Valid(); it.Next(), ++n, ++expect) {
      std::string_view sk = it.subkey();
      uint64_t index = sk.size() == 8 ? codec::DecodeFixed64BE(sk.data()) : 0;
      if ((sk.size() != 8 || index != expect) && !gap_reported) {
        gap_reported = true;
        Report(e.db, e.key,
               "list element #" + std::to_string(n) + " is not at index head + " +
                   std::to_string(n) + " (indexes must be [head, tail))");
      }
    }
    BASALT_RETURN_IF_ERROR(it.status());
    CheckSize(e, n, "data");
    return Status::OK();
  }

  Status CheckZSet(const KeyEntry& e) {
    engine::Db db = dir_.db(e.db);
    engine::Storage& st = dir_.engine().storage();
    engine::SubkeyIterator it(db, e.key, e.meta.version);
    uint64_t members = 0, missing = 0, bad = 0;
    std::string ignored;
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      ++members;
      double score;
      if (it.value().size() != 8 || !codec::DecodeSortableDouble(it.value(), &score)) {
        ++bad;
        continue;
      }
      std::string score_key(it.value());
      score_key.append(it.subkey());
      Status s = engine::GetSubkey(db, e.key, e.meta.version, score_key, &ignored, st.zscore());
      if (s.IsNotFound()) {
        ++missing;
      } else {
        BASALT_RETURN_IF_ERROR(s);
      }
    }
    BASALT_RETURN_IF_ERROR(it.status());
    engine::SubkeyIterator zit(db, e.key, e.meta.version, st.zscore());
    uint64_t scored = 0;
    for (zit.SeekToFirst(); zit.Valid(); zit.Next()) ++scored;
    BASALT_RETURN_IF_ERROR(zit.status());
    CheckSize(e, members, "data");
    if (scored != e.meta.size) CheckSize(e, scored, "zscore");
    if (bad > 0) Report(e.db, e.key, std::to_string(bad) + " members with undecodable scores");
    if (missing > 0) {
      Report(e.db, e.key, std::to_string(missing) + " members whose score has no zscore entry");
    }
    return Status::OK();
  }

 public:
  Progress* progress_ = nullptr;

 private:
  DataDir& dir_;
  int64_t findings_ = 0, keys_ = 0;
};

}  // namespace

int RunVerify(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, 2, {}, &args)) return kExitUsage;
  if (args.help) return std::fputs(kVerifyHelp, stdout), kExitOk;
  if (args.positional.size() != 1) return std::fputs(kVerifyHelp, stderr), kExitUsage;
  auto dir = OpenForReadOrReport(args.positional[0]);
  if (dir == nullptr) return kExitFailure;
  Verifier v(*dir);
  Progress progress("verify", CountedKeys(*dir, -1));
  v.progress_ = &progress;
  Status s = v.Run();
  if (!s.ok()) return Fail("verify", s);
  std::printf("verify: %lld keys checked, %lld findings\n", static_cast<long long>(v.keys()),
              static_cast<long long>(v.findings()));
  return v.findings() == 0 ? kExitOk : kExitFailure;
}

}  // namespace basalt::dump
