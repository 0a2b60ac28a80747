#include "tools/dump/export.h"

#include <cstdio>
#include <memory>

#include "tools/dump/cli.h"
#include "tools/dump/resp_emit.h"
#include "tools/dump/text.h"

namespace basalt::dump {

void AppendJsonlChunk(std::string* out, const ChunkHeader& h, const Value& v) {
  out->append("{\"db\":" + std::to_string(h.db) + ",\"key\":");
  AppendJsonBytes(out, h.key);
  out->append(",\"type\":\"");
  out->append(codec::KeyTypeName(v.type));
  out->append("\",\"expire_at_ms\":" + std::to_string(h.expire_at_ms));
  out->append(h.first ? ",\"continued\":false" : ",\"continued\":true");
  out->append(",\"value\":");
  switch (v.type) {
    case codec::KeyType::kString:
      AppendJsonBytes(out, v.str);
      break;
    case codec::KeyType::kList:
    case codec::KeyType::kSet:
      out->push_back('[');
      for (size_t i = 0; i < v.elements.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonBytes(out, v.elements[i]);
      }
      out->push_back(']');
      break;
    case codec::KeyType::kHash:
      out->push_back('[');
      for (size_t i = 0; i < v.fields.size(); ++i) {
        out->append(i > 0 ? ",[" : "[");
        AppendJsonBytes(out, v.fields[i].first);
        out->push_back(',');
        AppendJsonBytes(out, v.fields[i].second);
        out->push_back(']');
      }
      out->push_back(']');
      break;
    case codec::KeyType::kZSet:
      out->push_back('[');
      for (size_t i = 0; i < v.members.size(); ++i) {
        out->append(i > 0 ? ",[" : "[");
        AppendJsonBytes(out, v.members[i].first);
        out->push_back(',');
        std::string score = FormatScore(v.members[i].second);
        // JSON has no infinities: they are written as the strings "inf" and "-inf".
        if (score == "inf" || score == "-inf") score = "\"" + score + "\"";
        out->append(score);
        out->push_back(']');
      }
      out->push_back(']');
      break;
    default:
      out->append("null");
  }
  out->append("}\n");
}

namespace {

void AppendInBatches(std::string* out, std::string_view command, std::string_view key,
                     const std::vector<std::string_view>& items, size_t per_item,
                     size_t per_command) {
  size_t step = per_command * per_item;
  for (size_t i = 0; i < items.size(); i += step) {
    std::vector<std::string_view> args = {command, key};
    size_t end = std::min(items.size(), i + step);
    args.insert(args.end(), items.begin() + i, items.begin() + end);
    AppendRespCommand(out, args);
  }
}

}  // namespace

void AppendRespChunk(std::string* out, const ChunkHeader& h, const Value& v, int* current_db,
                     size_t per_command) {
  if (h.first) {
    if (*current_db != h.db) {
      AppendRespCommand(out, {"SELECT", std::to_string(h.db)});
      *current_db = h.db;
    }
    AppendRespCommand(out, {"DEL", h.key});
  }
  std::vector<std::string_view> items;
  std::vector<std::string> scores;
  switch (v.type) {
    case codec::KeyType::kString:
      AppendRespCommand(out, {"SET", h.key, v.str});
      break;
    case codec::KeyType::kList:
    case codec::KeyType::kSet:
      items.assign(v.elements.begin(), v.elements.end());
      AppendInBatches(out, v.type == codec::KeyType::kList ? "RPUSH" : "SADD", h.key, items, 1,
                      per_command);
      break;
    case codec::KeyType::kHash:
      for (const auto& [f, val] : v.fields) items.insert(items.end(), {f, val});
      AppendInBatches(out, "HSET", h.key, items, 2, per_command);
      break;
    case codec::KeyType::kZSet:
      scores.reserve(v.members.size());
      for (const auto& [m, score] : v.members) {
        scores.push_back(FormatScore(score));
        items.insert(items.end(), {scores.back(), m});
      }
      AppendInBatches(out, "ZADD", h.key, items, 2, per_command);
      break;
    default:
      break;
  }
  if (h.last && h.expire_at_ms != 0) {
    AppendRespCommand(out, {"PEXPIREAT", h.key, std::to_string(h.expire_at_ms)});
  }
}

void ToRecord(const ChunkHeader& h, const Value& v, codec::proto::Record* r) {
  r->Clear();
  r->set_db(static_cast<uint32_t>(h.db));
  r->set_key(std::string(h.key));
  r->set_type(static_cast<codec::proto::Record::Type>(v.type));
  r->set_expire_at_ms(h.expire_at_ms);
  r->set_continued(!h.first);
  switch (v.type) {
    case codec::KeyType::kString:
      r->set_string_value(v.str);
      break;
    case codec::KeyType::kList:
    case codec::KeyType::kSet:
      for (const auto& e : v.elements) r->add_elements(e);
      break;
    case codec::KeyType::kHash:
      for (const auto& [f, val] : v.fields) {
        auto* fv = r->add_fields();
        fv->set_field(f);
        fv->set_value(val);
      }
      break;
    case codec::KeyType::kZSet:
      for (const auto& [m, score] : v.members) {
        auto* sm = r->add_members();
        sm->set_member(m);
        sm->set_score(score);
      }
      break;
    default:
      break;
  }
}

void AppendDelimited(std::string* out, const std::string& message) {
  uint64_t n = message.size();
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
  out->append(message);
}

namespace {

constexpr char kExportHelp[] =
    "usage: basalt-dump export DIR --format jsonl|resp|pb [-o FILE] [--db N]\n"
    "\n"
    "Writes every live key (expired keys are skipped) of every logical database, or of\n"
    "database N, to FILE (default: standard output), from one consistent view of the data:\n"
    "  jsonl  one JSON object per line (README documents the fields and the binary-safe\n"
    "         escape: non-UTF-8 byte strings become {\"base64\": ...});\n"
    "  resp   RESP commands for `redis-cli --pipe`: SELECT, DEL, SET/RPUSH/SADD/HSET/ZADD,\n"
    "         and PEXPIREAT for keys with a TTL;\n"
    "  pb     length-delimited Record messages (codec/proto/dump.proto), read by import.\n"
    "Large collections are split into chunks of 10,000 elements (RESP: 1,000 per command).\n";

constexpr size_t kChunkElements = 10000;

enum class Format { kJsonl, kResp, kPb };

}  // namespace

int RunExport(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, 2, {"format", "output", "db"}, &args)) return kExitUsage;
  if (args.help) return std::fputs(kExportHelp, stdout), kExitOk;
  if (args.positional.size() != 1 || !args.Has("format")) {
    return std::fputs(kExportHelp, stderr), kExitUsage;
  }
  std::string fmt = args.Get("format");
  Format format = fmt == "jsonl" ? Format::kJsonl : fmt == "resp" ? Format::kResp : Format::kPb;
  if (fmt != "jsonl" && fmt != "resp" && fmt != "pb") {
    std::fprintf(stderr, "basalt-dump: --format must be jsonl, resp or pb\n");
    return kExitUsage;
  }
  int only_db;
  if (!DbOption(args, -1, &only_db)) return kExitUsage;
  auto dir = OpenForReadOrReport(args.positional[0]);
  if (dir == nullptr) return kExitFailure;
  std::unique_ptr<FILE, int (*)(FILE*)> file(nullptr, &std::fclose);
  FILE* out = stdout;
  if (args.Has("output")) {
    file.reset(std::fopen(args.Get("output").c_str(), "wb"));
    if (file == nullptr) {
      std::perror(("basalt-dump: cannot write " + args.Get("output")).c_str());
      return kExitFailure;
    }
    out = file.get();
  }
  const uint64_t now = engine::NowMs();
  int current_db = -1;
  int64_t undecodable = 0;
  std::string buf;
  codec::proto::Record record;
  Progress progress("export", CountedKeys(*dir, only_db));
  Status s = ForEachKey(*dir, only_db, [&](const KeyEntry& e) -> Status {
    progress.Add();
    if (!e.decoded) return ++undecodable, Status::OK();
    if (e.meta.IsExpired(now)) return Status::OK();
    ChunkHeader h{e.db, e.key, e.meta.expire_at_ms, true, true};
    return ReadValue(*dir, e, kChunkElements, [&](const Value& v, bool first, bool last) {
      h.first = first;
      h.last = last;
      if (format == Format::kResp) {
        AppendRespChunk(&buf, h, v, &current_db);
      } else if (first || v.Count() > 0) {  // an empty tail chunk carries nothing
        if (format == Format::kJsonl) {
          AppendJsonlChunk(&buf, h, v);
        } else {
          ToRecord(h, v, &record);
          std::string bytes;
          if (!record.SerializeToString(&bytes)) return Status::Corruption("cannot encode");
          AppendDelimited(&buf, bytes);
        }
      }
      if (buf.size() >= (1 << 20)) {
        if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size())
          return Status::IOError("write failed");
        buf.clear();
      }
      return Status::OK();
    });
  });
  if (s.ok() && std::fwrite(buf.data(), 1, buf.size(), out) != buf.size())
    s = Status::IOError("write failed");
  if (s.ok() && std::fflush(out) != 0) s = Status::IOError("write failed");
  if (!s.ok()) return Fail("export", s);
  if (undecodable > 0) {
    std::fprintf(stderr, "basalt-dump: export skipped %lld undecodable records (run verify)\n",
                 static_cast<long long>(undecodable));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace basalt::dump
