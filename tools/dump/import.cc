// basalt-dump import: loads a pb or jsonl export into a data directory through the engine's
// own write paths (StringSet, HashSet, SetAdd, ListPush, ZSetAdd, KeySetExpire), so metadata,
// key counters and the expire index stay consistent exactly as they do for commands.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "engine/hash.h"
#include "engine/keys.h"
#include "engine/list.h"
#include "engine/set.h"
#include "engine/string.h"
#include "engine/zset.h"
#include "tools/dump/cli.h"
#include "tools/dump/export.h"
#include "tools/dump/text.h"

namespace basalt::dump {

namespace {

constexpr char kImportHelp[] =
    "usage: basalt-dump import DIR FILE --format pb|jsonl\n"
    "\n"
    "Loads an export (FILE, or - for standard input) into DIR, which is created if missing.\n"
    "The server must not be running on DIR. A key in the export replaces any key of the same\n"
    "name in the same logical database; keys whose TTL has already passed are skipped.\n";

// One record of either input format.
struct Incoming {
  int db = 0;
  std::string key;
  uint64_t expire_at_ms = 0;
  bool continued = false;
  Value value;
};

Status FromRecord(const codec::proto::Record& r, Incoming* in) {
  in->db = static_cast<int>(r.db());
  in->key = r.key();
  in->expire_at_ms = r.expire_at_ms();
  in->continued = r.continued();
  in->value.Clear();
  in->value.type = static_cast<codec::KeyType>(r.type());
  in->value.str = r.string_value();
  in->value.elements.assign(r.elements().begin(), r.elements().end());
  for (const auto& f : r.fields()) in->value.fields.emplace_back(f.field(), f.value());
  for (const auto& m : r.members()) in->value.members.emplace_back(m.member(), m.score());
  return Status::OK();
}

Status Bad(const std::string& what) { return Status::InvalidArgument(what); }

Status JsonPair(const Json& item, std::string* a, const Json** b) {
  if (item.kind != Json::Kind::kArray || item.items.size() != 2 || !JsonToBytes(item.items[0], a))
    return Bad("expected a [bytes, value] pair");
  *b = &item.items[1];
  return Status::OK();
}

Status JsonValue(const Json& v, Value* out) {
  if (out->type == codec::KeyType::kString) {
    return JsonToBytes(v, &out->str) ? Status::OK() : Bad("string value is not bytes");
  }
  if (v.kind != Json::Kind::kArray) return Bad("collection value is not an array");
  for (const Json& item : v.items) {
    std::string a, b;
    const Json* second = nullptr;
    switch (out->type) {
      case codec::KeyType::kList:
      case codec::KeyType::kSet:
        if (!JsonToBytes(item, &a)) return Bad("element is not bytes");
        out->elements.push_back(std::move(a));
        break;
      case codec::KeyType::kHash:
        BASALT_RETURN_IF_ERROR(JsonPair(item, &a, &second));
        if (!JsonToBytes(*second, &b)) return Bad("hash value is not bytes");
        out->fields.emplace_back(std::move(a), std::move(b));
        break;
      case codec::KeyType::kZSet: {
        BASALT_RETURN_IF_ERROR(JsonPair(item, &a, &second));
        double score;
        if ((second->kind != Json::Kind::kNumber && second->kind != Json::Kind::kString) ||
            !ParseScore(second->text, &score))
          return Bad("bad score");
        out->members.emplace_back(std::move(a), score);
        break;
      }
      default:
        return Bad("unknown type");
    }
  }
  return Status::OK();
}

Status FromJsonLine(std::string_view line, Incoming* in) {
  Json j;
  std::string error;
  if (!ParseJson(line, &j, &error)) return Bad("invalid JSON: " + error);
  const Json *db = j.Find("db"), *key = j.Find("key"), *type = j.Find("type"),
             *expire = j.Find("expire_at_ms"), *continued = j.Find("continued"),
             *value = j.Find("value");
  if (db == nullptr || db->kind != Json::Kind::kNumber || key == nullptr || type == nullptr ||
      type->kind != Json::Kind::kString || value == nullptr)
    return Bad("a record needs db, key, type and value");
  in->value.Clear();
  in->value.type = ParseTypeName(type->text);
  if (in->value.type == codec::KeyType::kNone) return Bad("unknown type " + type->text);
  in->db = std::atoi(db->text.c_str());
  if (!JsonToBytes(*key, &in->key)) return Bad("key is not bytes");
  in->expire_at_ms = 0;
  if (expire != nullptr && expire->kind == Json::Kind::kNumber)
    in->expire_at_ms = std::strtoull(expire->text.c_str(), nullptr, 10);
  in->continued =
      continued != nullptr && continued->kind == Json::Kind::kBool && continued->boolean;
  return JsonValue(*value, &in->value);
}

// Applies records in order; remembers the key being continued.
class Loader {
 public:
  explicit Loader(DataDir& dir) : dir_(dir), now_(engine::NowMs()) {}

  Status Apply(const Incoming& in) {
    if (in.db < 0 || in.db >= engine::kMaxDatabases) return Bad("db out of range");
    engine::Db db = dir_.db(in.db);
    if (in.continued) {
      if (!have_current_ || in.db != current_db_ || in.key != current_key_) {
        return Bad("continued record does not follow its key");
      }
      if (skip_current_) return Status::OK();
    } else {
      have_current_ = true;
      current_db_ = in.db;
      current_key_ = in.key;
      skip_current_ = in.expire_at_ms != 0 && in.expire_at_ms <= now_;
      auto del = engine::KeysDelete(db, {in.key});
      if (!del.ok()) return del.status();
      if (skip_current_) return Status::OK();
      ++keys_;
    }
    BASALT_RETURN_IF_ERROR(Write(db, in));
    if (in.expire_at_ms != 0 && in.value.type != codec::KeyType::kString && in.value.Count() > 0) {
      auto e = engine::KeySetExpire(db, in.key, in.expire_at_ms, engine::ExpireCondition::kAlways);
      if (!e.ok()) return e.status();
    }
    return Status::OK();
  }
  int64_t keys() const { return keys_; }

 private:
  Status Write(const engine::Db& db, const Incoming& in) {
    const Value& v = in.value;
    std::vector<std::string_view> items(v.elements.begin(), v.elements.end());
    switch (v.type) {
      case codec::KeyType::kString: {
        engine::SetOptions o;
        if (in.expire_at_ms != 0) o.expire = {engine::ExpireChange::Mode::kSetAt, in.expire_at_ms};
        return engine::StringSet(db, in.key, v.str, o).status();
      }
      case codec::KeyType::kList:
        if (items.empty()) return Status::OK();
        return engine::ListPush(db, in.key, engine::ListEnd::kRight, items, false).status();
      case codec::KeyType::kSet:
        if (items.empty()) return Status::OK();
        return engine::SetAdd(db, in.key, items).status();
      case codec::KeyType::kHash: {
        if (v.fields.empty()) return Status::OK();
        engine::FieldValueViews fvs(v.fields.begin(), v.fields.end());
        return engine::HashSet(db, in.key, fvs, false).status();
      }
      case codec::KeyType::kZSet: {
        if (v.members.empty()) return Status::OK();
        std::vector<engine::ZAddPair> pairs;
        pairs.reserve(v.members.size());
        for (const auto& [m, score] : v.members) pairs.push_back({score, m});
        return engine::ZSetAdd(db, in.key, engine::ZAddOptions{}, pairs).status();
      }
      default:
        return Bad("record without a type");
    }
  }

  DataDir& dir_;
  uint64_t now_;
  bool have_current_ = false, skip_current_ = false;
  int current_db_ = 0;
  std::string current_key_;
  int64_t keys_ = 0;
};

// Reads one varint-framed message. Returns false at a clean end of input.
bool ReadDelimited(std::istream& in, std::string* msg, Status* s) {
  uint64_t len = 0;
  for (int shift = 0;; shift += 7) {
    int c = in.get();
    if (c == EOF) {
      if (shift != 0) *s = Bad("truncated record length");
      return false;
    }
    if (shift > 35) return *s = Bad("record length too large"), false;
    len |= static_cast<uint64_t>(c & 0x7F) << shift;
    if ((c & 0x80) == 0) break;
  }
  msg->resize(len);
  if (len > 0 && !in.read(msg->data(), static_cast<std::streamsize>(len))) {
    *s = Bad("truncated record");
    return false;
  }
  return true;
}

Status ImportStream(std::istream& in, bool pb, Loader* loader, int64_t* records) {
  Incoming rec;
  std::string buf;
  Progress progress("import", 0);
  while (true) {
    Status s;
    if (pb) {
      if (!ReadDelimited(in, &buf, &s)) return s;
      codec::proto::Record r;
      if (!r.ParseFromString(buf)) s = Bad("undecodable Record");
      if (s.ok()) s = FromRecord(r, &rec);
    } else {
      if (!std::getline(in, buf)) return Status::OK();
      if (buf.empty()) continue;
      s = FromJsonLine(buf, &rec);
    }
    if (s.ok()) s = loader->Apply(rec);
    ++*records;
    if (!s.ok()) return Status(s.code(), "record " + std::to_string(*records) + ": " + s.message());
    if (!rec.continued) progress.Add();
  }
}

}  // namespace

int RunImport(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, 2, {"format"}, &args)) return kExitUsage;
  if (args.help) return std::fputs(kImportHelp, stdout), kExitOk;
  std::string fmt = args.Get("format");
  if (args.positional.size() != 2 || (fmt != "pb" && fmt != "jsonl")) {
    return std::fputs(kImportHelp, stderr), kExitUsage;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (args.positional[1] != "-") {
    file.open(args.positional[1], std::ios::binary);
    if (!file) {
      std::perror(("basalt-dump: cannot read " + args.positional[1]).c_str());
      return kExitFailure;
    }
    in = &file;
  }
  auto dir = DataDir::OpenForWrite(args.positional[0]);
  if (!dir.ok()) {
    return Fail("cannot open " + args.positional[0] + " for writing (is a server running on it?)",
                dir.status());
  }
  Loader loader(*dir.value());
  int64_t records = 0;
  Status s = ImportStream(*in, fmt == "pb", &loader, &records);
  if (s.ok()) s = dir.value()->engine().storage().Sync();
  if (!s.ok()) return Fail("import", s);
  std::fprintf(stderr, "basalt-dump: imported %lld keys from %lld records\n",
               static_cast<long long>(loader.keys()), static_cast<long long>(records));
  return kExitOk;
}

}  // namespace basalt::dump
