// basalt-dump keys / get / stats: read-only views of a data directory.
#include <bit>
#include <cstdio>
#include <map>

#include "codec/glob.h"
#include "engine/inspect.h"
#include "tools/dump/cli.h"
#include "tools/dump/text.h"

namespace basalt::dump {

namespace {

constexpr char kKeysHelp[] =
    "usage: basalt-dump keys DIR [--db N] [--match GLOB] [--type T] [--limit N]\n"
    "\n"
    "Lists live keys, one per line, tab-separated:\n"
    "  db  key  type  ttl_ms  elements  bytes\n"
    "db is the logical database (SELECT's number); ttl_ms is -1 without a TTL; elements is the\n"
    "string length for strings; bytes is the encoded size of the key's records (RocksDB keys\n"
    "and values, before compression). Keys that are not plain printable ASCII are quoted with\n"
    "\\xHH escapes. Expired keys the reaper has not removed yet are not listed (see stats).\n"
    "\n"
    "  --db N        only logical database N (default: all)\n"
    "  --match GLOB  only keys matching GLOB (Redis's KEYS pattern syntax)\n"
    "  --type T      only keys of type T: string, list, set, zset, hash\n"
    "  --limit N     stop after N keys\n";

constexpr char kGetHelp[] =
    "usage: basalt-dump get DIR KEY [--db N]\n"
    "\n"
    "Prints the type, TTL and value of KEY in logical database N (default 0): a string's\n"
    "bytes; a list's elements by index; a set's members; a hash's field => value pairs; a\n"
    "sorted set's members with scores, lowest first. Bytes that are not printable ASCII are\n"
    "shown as \\xHH inside double quotes. Exit status 1 if the key does not exist.\n";

constexpr char kStatsHelp[] =
    "usage: basalt-dump stats DIR\n"
    "\n"
    "Prints, per logical database, the number of live keys of each type, keys with a TTL and\n"
    "expired keys not yet reaped; histograms of element counts per type (string: bytes) in\n"
    "power-of-two buckets; and the bytes each column family occupies (SST files and memtables).\n";

std::string TtlText(const codec::Metadata& m, uint64_t now) {
  if (m.expire_at_ms == 0) return "-1";
  return std::to_string(m.expire_at_ms > now ? m.expire_at_ms - now : 0);
}

}  // namespace

int RunKeys(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, 2, {"db", "match", "type", "limit"}, &args)) return kExitUsage;
  if (args.help) return std::fputs(kKeysHelp, stdout), kExitOk;
  if (args.positional.size() != 1) return std::fputs(kKeysHelp, stderr), kExitUsage;
  int db;
  int64_t limit = INT64_MAX;
  if (!DbOption(args, -1, &db)) return kExitUsage;
  if (args.Has("limit") && !IntOption(args, "limit", 0, INT64_MAX, &limit)) return kExitUsage;
  codec::KeyType type = codec::KeyType::kNone;
  if (args.Has("type") && (type = ParseTypeName(args.Get("type"))) == codec::KeyType::kNone) {
    std::fprintf(stderr, "basalt-dump: unknown --type %s\n", args.Get("type").c_str());
    return kExitUsage;
  }
  std::string match = args.Get("match");
  auto dir = OpenForReadOrReport(args.positional[0]);
  if (dir == nullptr) return kExitFailure;
  const uint64_t now = engine::NowMs();
  int64_t shown = 0;
  Progress progress("keys", CountedKeys(*dir, db));
  Status s = ForEachKey(*dir, db, [&](const KeyEntry& e) -> Status {
    progress.Add();
    if (shown >= limit) return Status(engine::Code::kBusy, "limit");  // stops the walk
    if (!e.decoded || e.meta.IsExpired(now)) return Status::OK();
    if (type != codec::KeyType::kNone && e.meta.type != type) return Status::OK();
    if (!match.empty() && !codec::GlobMatch(match, e.key)) return Status::OK();
    auto f = MeasureKey(*dir, e);
    if (!f.ok()) return f.status();
    std::printf("%d\t%s\t%s\t%s\t%llu\t%llu\n", e.db, QuoteForDisplay(e.key).c_str(),
                std::string(codec::KeyTypeName(e.meta.type)).c_str(), TtlText(e.meta, now).c_str(),
                static_cast<unsigned long long>(f->elements),
                static_cast<unsigned long long>(f->bytes));
    ++shown;
    return Status::OK();
  });
  if (!s.ok() && s.code() != engine::Code::kBusy) return Fail("keys", s);
  return kExitOk;
}

namespace {

void PrintChunk(const Value& v, uint64_t* index) {
  switch (v.type) {
    case codec::KeyType::kString:
      std::printf("%s\n", QuoteForDisplay(v.str).c_str());
      break;
    case codec::KeyType::kList:
      for (const auto& e : v.elements)
        std::printf("%llu) %s\n", static_cast<unsigned long long>((*index)++),
                    QuoteForDisplay(e).c_str());
      break;
    case codec::KeyType::kSet:
      for (const auto& e : v.elements) std::printf("%s\n", QuoteForDisplay(e).c_str());
      break;
    case codec::KeyType::kHash:
      for (const auto& [f, val] : v.fields)
        std::printf("%s => %s\n", QuoteForDisplay(f).c_str(), QuoteForDisplay(val).c_str());
      break;
    case codec::KeyType::kZSet:
      for (const auto& [m, score] : v.members)
        std::printf("%s %s\n", QuoteForDisplay(m).c_str(), FormatScore(score).c_str());
      break;
    default:
      break;
  }
}

}  // namespace

int RunGet(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, 2, {"db"}, &args)) return kExitUsage;
  if (args.help) return std::fputs(kGetHelp, stdout), kExitOk;
  if (args.positional.size() != 2) return std::fputs(kGetHelp, stderr), kExitUsage;
  int db;
  if (!DbOption(args, 0, &db)) return kExitUsage;
  auto dir = OpenForReadOrReport(args.positional[0]);
  if (dir == nullptr) return kExitFailure;
  const std::string& key = args.positional[1];
  engine::KeyRecord rec;
  Status s = dir->engine().Lookup(dir->db(db), key, &rec);
  if (!s.ok()) return Fail("get", s);
  if (!rec.live()) {
    std::fprintf(stderr, "basalt-dump: no such key in db %d: %s\n", db,
                 QuoteForDisplay(key).c_str());
    return kExitFailure;
  }
  KeyEntry e;
  e.db = db;
  e.physical = dir->db(db).physical;
  e.key = key;
  e.raw = rec.raw;
  e.decoded = true;
  e.meta = rec.meta;
  std::printf("type: %s\nttl_ms: %s\n", std::string(codec::KeyTypeName(e.meta.type)).c_str(),
              TtlText(e.meta, engine::NowMs()).c_str());
  if (e.meta.expire_at_ms != 0)
    std::printf("expire_at_ms: %llu\n", static_cast<unsigned long long>(e.meta.expire_at_ms));
  if (e.meta.type != codec::KeyType::kString)
    std::printf("elements: %llu\n", static_cast<unsigned long long>(e.meta.size));
  uint64_t index = 0;
  s = ReadValue(*dir, e, 10000, [&](const Value& v, bool, bool) {
    PrintChunk(v, &index);
    return Status::OK();
  });
  if (!s.ok()) return Fail("get", s);
  return kExitOk;
}

namespace {

struct DbStats {
  std::map<codec::KeyType, int64_t> keys;  // live keys by type
  int64_t with_ttl = 0, expired = 0, undecodable = 0;
};

// Histogram bucket of a size: 0 -> "0", then [2^(k-1), 2^k - 1].
using Histogram = std::map<int, int64_t>;

void PrintHistogram(const char* name, const Histogram& h) {
  std::printf("  %s:\n", name);
  for (const auto& [bucket, n] : h) {
    uint64_t lo = bucket == 0 ? 0 : 1ull << (bucket - 1);
    uint64_t hi = bucket == 0 ? 0 : (bucket >= 64 ? UINT64_MAX : (1ull << bucket) - 1);
    std::printf("    %llu..%llu\t%lld\n", static_cast<unsigned long long>(lo),
                static_cast<unsigned long long>(hi), static_cast<long long>(n));
  }
}

}  // namespace

int RunStats(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, 2, {}, &args)) return kExitUsage;
  if (args.help) return std::fputs(kStatsHelp, stdout), kExitOk;
  if (args.positional.size() != 1) return std::fputs(kStatsHelp, stderr), kExitUsage;
  auto dir = OpenForReadOrReport(args.positional[0]);
  if (dir == nullptr) return kExitFailure;
  const uint64_t now = engine::NowMs();
  std::map<int, DbStats> dbs;
  std::map<codec::KeyType, Histogram> hist;
  Progress progress("stats", CountedKeys(*dir, -1));
  Status s = ForEachKey(*dir, -1, [&](const KeyEntry& e) -> Status {
    progress.Add();
    DbStats& d = dbs[e.db];
    if (!e.decoded) return ++d.undecodable, Status::OK();
    if (e.meta.IsExpired(now)) return ++d.expired, Status::OK();
    ++d.keys[e.meta.type];
    if (e.meta.expire_at_ms != 0) ++d.with_ttl;
    uint64_t size = e.meta.type == codec::KeyType::kString ? e.meta.value.size() : e.meta.size;
    ++hist[e.meta.type][std::bit_width(size)];
    return Status::OK();
  });
  if (!s.ok()) return Fail("stats", s);
  int64_t total = 0;
  std::printf("keys per database (live):\n");
  for (const auto& [db, d] : dbs) {
    int64_t live = 0;
    std::string by_type;
    for (const auto& [t, n] : d.keys) {
      live += n;
      by_type += " " + std::string(codec::KeyTypeName(t)) + "=" + std::to_string(n);
    }
    total += live;
    std::printf("  db%d: keys=%lld%s with_ttl=%lld expired_not_reaped=%lld", db,
                static_cast<long long>(live), by_type.c_str(), static_cast<long long>(d.with_ttl),
                static_cast<long long>(d.expired));
    if (d.undecodable > 0) std::printf(" undecodable=%lld", static_cast<long long>(d.undecodable));
    std::printf("\n");
  }
  std::printf("total live keys: %lld\n", static_cast<long long>(total));
  std::printf("element counts (strings: bytes), keys per bucket:\n");
  for (const auto& [t, h] : hist) PrintHistogram(std::string(codec::KeyTypeName(t)).c_str(), h);
  std::printf("column families (bytes):\n");
  for (const auto& u : engine::ColumnFamilyUsage(dir->engine().storage())) {
    std::printf("  %-8s sst=%llu memtable=%llu estimated_records=%llu\n", u.name.c_str(),
                static_cast<unsigned long long>(u.sst_bytes),
                static_cast<unsigned long long>(u.memtable_bytes),
                static_cast<unsigned long long>(u.estimated_keys));
  }
  return kExitOk;
}

}  // namespace basalt::dump
