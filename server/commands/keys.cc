// Generic key commands: existence, deletion, TTLs, renames, database moves, iteration, and the
// whole-database commands (FLUSHDB, FLUSHALL, SWAPDB, DBSIZE, SELECT).
#include "engine/keys.h"

#include <algorithm>
#include <mutex>

#include "codec/numbers.h"
#include "engine/collection.h"
#include "engine/hash.h"
#include "engine/set.h"
#include "engine/string.h"
#include "server/commands/args.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_cursors.h"

namespace basalt::server {

namespace {

using engine::ExpireCondition;

// Parses a database index argument as Redis's getIntFromObject + selectDb do.
bool ArgDb(CommandContext& ctx, size_t i, int* out) {
  int64_t v = 0;
  if (!codec::ParseInt64(ctx.arg(i), &v) || v < INT32_MIN || v > INT32_MAX) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  if (v < 0 || v >= ctx.server.engine->databases()) {
    ctx.reply.Error(kErrDbRange);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// DEL key [key ...] / UNLINK key [key ...]
void DelCommand(CommandContext& ctx) {
  std::vector<std::string_view> keys = ArgViews(ctx, 1);
  // With `del` events on, learn which keys exist first (the stripes are held, so that cannot
  // change), then delete them all in one batch as usual.
  std::vector<std::string_view> existed;
  if (NotifyEnabled(ctx, kNotifyGeneric)) {
    std::vector<std::string_view> unique = keys;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    for (std::string_view key : unique) {
      auto e = engine::KeysExist(ctx.db(), {key});
      if (!CheckStatus(ctx, e.status())) return;
      if (*e > 0) existed.push_back(key);
    }
  }
  auto r = engine::KeysDelete(ctx.db(), keys);
  if (!CheckStatus(ctx, r.status())) return;
  for (std::string_view key : existed) Notify(ctx, kNotifyGeneric, "del", key);
  ctx.reply.Integer(*r);
}

// EXISTS key [key ...] / TOUCH key [key ...]
void ExistsCommand(CommandContext& ctx) {
  auto r = engine::KeysExist(ctx.db(), ArgViews(ctx, 1));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// TYPE key
void TypeCommand(CommandContext& ctx) {
  auto r = engine::KeyTypeOf(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ctx.reply.SimpleString(codec::KeyTypeName(*r));
}

// [NX | XX | GT | LT] after EXPIRE's time argument.
bool ParseExpireCondition(CommandContext& ctx, ExpireCondition* out, bool* require_ttl) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const std::string& o = ctx.arg(j);
    if (IEquals(o, "nx")) {
      nx = true;
    } else if (IEquals(o, "xx")) {
      xx = true;
    } else if (IEquals(o, "gt")) {
      gt = true;
    } else if (IEquals(o, "lt")) {
      lt = true;
    } else {
      ctx.reply.Error("ERR Unsupported option " + o);
      return false;
    }
  }
  if (nx && (xx || gt || lt)) {
    ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if (gt && lt) {
    ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
    return false;
  }
  *out = nx   ? ExpireCondition::kNX
         : xx ? (gt   ? ExpireCondition::kGT
                 : lt ? ExpireCondition::kLT
                      : ExpireCondition::kXX)
         : gt ? ExpireCondition::kGT
         : lt ? ExpireCondition::kLT
              : ExpireCondition::kAlways;
  // XX with LT: LT alone succeeds on a key without a TTL, XX additionally requires one.
  *require_ttl = xx && lt;
  return true;
}

void ExpireGeneric(CommandContext& ctx, bool seconds, bool relative, std::string_view name) {
  ExpireCondition cond;
  bool require_ttl = false;
  if (!ParseExpireCondition(ctx, &cond, &require_ttl)) return;
  int64_t when = 0;
  if (!ArgInt64(ctx, 2, &when)) return;
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      ctx.reply.Error("ERR invalid expire time in '" + std::string(name) + "' command");
      return;
    }
    when *= 1000;
  }
  if (relative) {
    int64_t now = static_cast<int64_t>(engine::NowMs());
    if (when > INT64_MAX - now) {
      ctx.reply.Error("ERR invalid expire time in '" + std::string(name) + "' command");
      return;
    }
    when += now;
  }
  if (require_ttl) {
    auto at = engine::KeyExpireAt(ctx.db(), ctx.arg(1));
    if (!CheckStatus(ctx, at.status())) return;
    if (*at < 0) {
      ctx.reply.Integer(0);
      return;
    }
  }
  uint64_t at_ms = when < 0 ? 0 : static_cast<uint64_t>(when);
  auto r = engine::KeySetExpire(ctx.db(), ctx.arg(1), at_ms, cond);
  if (!CheckStatus(ctx, r.status())) return;
  if (*r) {
    // A deadline already past deletes the key, as Redis's checkAlreadyExpired.
    Notify(ctx, kNotifyGeneric, at_ms <= engine::NowMs() ? "del" : "expire", ctx.arg(1));
  }
  ctx.reply.Integer(*r ? 1 : 0);
}

// EXPIRE key seconds [NX | XX | GT | LT]
void ExpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, true, true, "expire"); }
// PEXPIRE key milliseconds [NX | XX | GT | LT]
void PExpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, false, true, "pexpire"); }
// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
void ExpireAtCommand(CommandContext& ctx) { ExpireGeneric(ctx, true, false, "expireat"); }
// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
void PExpireAtCommand(CommandContext& ctx) { ExpireGeneric(ctx, false, false, "pexpireat"); }

void TtlGeneric(CommandContext& ctx, bool ms, bool absolute) {
  auto r = engine::KeyExpireAt(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, r.status())) return;
  int64_t v = *r;
  if (v < 0) {
    ctx.reply.Integer(v);
    return;
  }
  if (!absolute) v = std::max<int64_t>(0, v - static_cast<int64_t>(engine::NowMs()));
  ctx.reply.Integer(ms ? v : (v + 500) / 1000);
}

// TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key
void TtlCommand(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void PTtlCommand(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void ExpireTimeCommand(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void PExpireTimeCommand(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

// PERSIST key
void PersistCommand(CommandContext& ctx) {
  auto r = engine::KeyPersist(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r) Notify(ctx, kNotifyGeneric, "persist", ctx.arg(1));
  ctx.reply.Integer(*r ? 1 : 0);
}

// rename_from / rename_to, unless the key was renamed to itself (Redis is silent then).
void NotifyRenamed(CommandContext& ctx) {
  if (ctx.arg(1) == ctx.arg(2)) return;
  Notify(ctx, kNotifyGeneric, "rename_from", ctx.arg(1));
  Notify(ctx, kNotifyGeneric, "rename_to", ctx.arg(2));
}

// RENAME key newkey
void RenameCommand(CommandContext& ctx) {
  auto r = engine::KeyRename(ctx.db(), ctx.arg(1), ctx.arg(2), false);
  if (!CheckStatus(ctx, r.status())) return;
  NotifyRenamed(ctx);
  ctx.reply.SimpleString("OK");
}

// RENAMENX key newkey
void RenameNxCommand(CommandContext& ctx) {
  auto r = engine::KeyRename(ctx.db(), ctx.arg(1), ctx.arg(2), true);
  if (!CheckStatus(ctx, r.status())) return;
  if (*r) NotifyRenamed(ctx);
  ctx.reply.Integer(*r ? 1 : 0);
}

// COPY source destination [DB destination-db] [REPLACE]
void CopyCommand(CommandContext& ctx) {
  int dst_db = ctx.client.db();
  bool replace = false;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (IEquals(ctx.arg(j), "replace")) {
      replace = true;
    } else if (IEquals(ctx.arg(j), "db") && j + 1 < ctx.argc()) {
      if (!ArgDb(ctx, ++j, &dst_db)) return;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  auto r =
      engine::KeyCopy(ctx.db(), ctx.arg(1), ctx.server.engine->db(dst_db), ctx.arg(2), replace);
  if (!CheckStatus(ctx, r.status())) return;
  if (*r) NotifyDb(ctx, kNotifyGeneric, "copy_to", ctx.arg(2), dst_db);
  ctx.reply.Integer(*r ? 1 : 0);
}

void CopyLockKeys(const codec::Argv& argv, int, std::vector<std::pair<int, std::string>>* out) {
  for (size_t j = 3; j + 1 < argv.size(); ++j) {
    int64_t db = 0;
    if (IEquals(argv[j], "db") && codec::ParseInt64(argv[j + 1], &db) && db >= 0 && db < 256) {
      out->emplace_back(static_cast<int>(db), argv[2]);
    }
  }
}

// MOVE key db
void MoveCommand(CommandContext& ctx) {
  int dst_db = 0;
  if (!ArgDb(ctx, 2, &dst_db)) return;
  auto r = engine::KeyMove(ctx.db(), ctx.arg(1), ctx.server.engine->db(dst_db));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r) {
    Notify(ctx, kNotifyGeneric, "move_from", ctx.arg(1));
    NotifyDb(ctx, kNotifyGeneric, "move_to", ctx.arg(1), dst_db);
  }
  ctx.reply.Integer(*r ? 1 : 0);
}

void MoveLockKeys(const codec::Argv& argv, int, std::vector<std::pair<int, std::string>>* out) {
  int64_t db = 0;
  if (codec::ParseInt64(argv[2], &db) && db >= 0 && db < 256) {
    out->emplace_back(static_cast<int>(db), argv[1]);
  }
}

// KEYS pattern
void KeysCommand(CommandContext& ctx) {
  auto r = engine::KeysMatching(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, r.status())) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(r->size()));
  for (const auto& k : *r) ctx.reply.Bulk(k);
}

codec::KeyType TypeByName(std::string_view name, bool* known) {
  for (auto t : {codec::KeyType::kString, codec::KeyType::kList, codec::KeyType::kSet,
                 codec::KeyType::kZSet, codec::KeyType::kHash}) {
    if (IEquals(name, codec::KeyTypeName(t))) {
      *known = true;
      return t;
    }
  }
  *known = false;
  return codec::KeyType::kNone;
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void ScanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!codec::ParseUint64(ctx.arg(1), &cursor)) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  ScanArgs args;
  std::string_view type_name;
  if (!ParseScanArgs(ctx, 2, &args, &type_name)) return;
  engine::ScanOptions opts;
  opts.match = args.match;
  opts.count = args.count;
  bool type_known = true;
  if (!type_name.empty()) opts.type = TypeByName(type_name, &type_known);
  std::optional<std::string> after;
  if (cursor != 0) after = ctx.server.cursors->Resolve(cursor);
  auto r = engine::KeysScan(ctx.db(), after, opts);
  if (!CheckStatus(ctx, r.status())) return;
  uint64_t next = r->resume_after ? ctx.server.cursors->Save(*r->resume_after) : 0;
  if (!type_known) r->keys.clear();
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(codec::FormatInt64(static_cast<int64_t>(next)));
  ctx.reply.ArrayHeader(static_cast<int64_t>(r->keys.size()));
  for (const auto& k : r->keys) ctx.reply.Bulk(k);
}

// RANDOMKEY
void RandomKeyCommand(CommandContext& ctx) {
  auto r = engine::KeysRandom(ctx.db());
  if (!CheckStatus(ctx, r.status())) return;
  if (r->has_value()) {
    ctx.reply.Bulk(**r);
  } else {
    ctx.reply.Null();
  }
}

// DBSIZE
void DbSizeCommand(CommandContext& ctx) {
  ctx.reply.Integer(ctx.server.engine->KeyCount(ctx.db()));
}

bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.argc() > 2 ||
      (ctx.argc() == 2 && !IEquals(ctx.arg(1), "async") && !IEquals(ctx.arg(1), "sync"))) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  return true;
}

// FLUSHDB [ASYNC | SYNC]
void FlushDbCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  if (CheckStatus(ctx, ctx.server.engine->FlushDb(ctx.db()))) ctx.reply.SimpleString("OK");
}

// FLUSHALL [ASYNC | SYNC]
void FlushAllCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  if (CheckStatus(ctx, ctx.server.engine->FlushAll())) ctx.reply.SimpleString("OK");
}

// SWAPDB index1 index2
void SwapDbCommand(CommandContext& ctx) {
  int64_t a = 0, b = 0;
  if (!codec::ParseInt64(ctx.arg(1), &a) || a < INT32_MIN || a > INT32_MAX) {
    ctx.reply.Error("ERR invalid first DB index");
    return;
  }
  if (!codec::ParseInt64(ctx.arg(2), &b) || b < INT32_MIN || b > INT32_MAX) {
    ctx.reply.Error("ERR invalid second DB index");
    return;
  }
  int n = ctx.server.engine->databases();
  if (a < 0 || a >= n || b < 0 || b >= n) {
    ctx.reply.Error(kErrDbRange);
    return;
  }
  if (CheckStatus(ctx, ctx.server.engine->SwapDb(static_cast<int>(a), static_cast<int>(b)))) {
    ctx.reply.SimpleString("OK");
  }
}

// SELECT index
void SelectCommand(CommandContext& ctx) {
  int db = 0;
  if (!ArgDb(ctx, 1, &db)) return;
  ctx.client.set_db(db);
  ctx.reply.SimpleString("OK");
}

// Redis 7.0 keeps a sorted set as a listpack while it has at most zset-max-listpack-entries
// members of at most zset-max-listpack-value bytes, else as a skiplist. Computed from the
// current members (the one-way conversion history is not tracked).
engine::StatusOr<std::string> ZSetEncoding(CommandContext& ctx, const engine::KeyRecord& rec) {
  const Config& config = *ctx.server.config;
  if (rec.meta.size > static_cast<uint64_t>(config.GetInt("zset-max-listpack-entries"))) {
    return std::string("skiplist");
  }
  const uint64_t max_value = config.GetInt("zset-max-listpack-value");
  engine::SubkeyIterator it(ctx.db(), ctx.arg(2), rec.meta.version);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.subkey().size() > max_value) return std::string("skiplist");
  }
  BASALT_RETURN_IF_ERROR(it.status());
  return std::string("listpack");
}

// OBJECT ENCODING key: answered from the value as Redis would encode it.
void ObjectEncodingCommand(CommandContext& ctx) {
  engine::KeyRecord rec;
  if (!CheckStatus(ctx, ctx.server.engine->Lookup(ctx.db(), ctx.arg(2), &rec))) return;
  if (!rec.live()) {
    ctx.reply.Null();
    return;
  }
  if (rec.meta.type != codec::KeyType::kString) {
    // Collections: computed from their current contents and the encoding thresholds.
    Config& config = *ctx.server.config;
    engine::StatusOr<std::string> enc = engine::Status::InvalidArgument("unknown type");
    if (rec.meta.type == codec::KeyType::kList) {
      enc = std::string("quicklist");  // Redis 7.0 encodes every list as a quicklist
    } else if (rec.meta.type == codec::KeyType::kHash) {
      enc = engine::HashObjectEncoding(ctx.db(), ctx.arg(2),
                                       config.GetInt("hash-max-listpack-entries"),
                                       config.GetInt("hash-max-listpack-value"));
    } else if (rec.meta.type == codec::KeyType::kZSet) {
      enc = ZSetEncoding(ctx, rec);
    } else if (rec.meta.type == codec::KeyType::kSet) {
      enc =
          engine::SetObjectEncoding(ctx.db(), ctx.arg(2), config.GetInt("set-max-intset-entries"));
    }
    if (enc.ok()) {
      ctx.reply.Bulk(*enc);
    } else if (enc.status().IsNotFound()) {
      ctx.reply.Null();
    } else {
      (void)CheckStatus(ctx, enc.status());
    }
    return;
  }
  int64_t n = 0;
  std::string_view v = rec.meta.value;
  if (rec.meta.flags & codec::kFlagRawString) {
    ctx.reply.Bulk("raw");
  } else if (v.size() <= 20 && codec::ParseInt64(v, &n)) {
    ctx.reply.Bulk("int");
  } else {
    ctx.reply.Bulk(v.size() <= 44 ? "embstr" : "raw");
  }
}

bool LfuPolicy(CommandContext& ctx) {
  return ctx.server.config->GetString("maxmemory-policy").find("lfu") != std::string::npos;
}

// OBJECT FREQ key
void ObjectFreqCommand(CommandContext& ctx) {
  engine::KeyRecord rec;
  if (!CheckStatus(ctx, ctx.server.engine->Lookup(ctx.db(), ctx.arg(2), &rec))) return;
  if (!rec.live()) {
    ctx.reply.Null();
    return;
  }
  if (!LfuPolicy(ctx)) {
    ctx.reply.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.");
    return;
  }
  ctx.reply.Integer(0);
}

// OBJECT IDLETIME key. Basalt does not record read times on disk; it reports 0.
void ObjectIdleTimeCommand(CommandContext& ctx) {
  engine::KeyRecord rec;
  if (!CheckStatus(ctx, ctx.server.engine->Lookup(ctx.db(), ctx.arg(2), &rec))) return;
  if (!rec.live()) {
    ctx.reply.Null();
    return;
  }
  if (LfuPolicy(ctx)) {
    ctx.reply.Error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    return;
  }
  ctx.reply.Integer(0);
}

// OBJECT REFCOUNT key: Redis shares small integers (reported as INT_MAX), others have 1.
void ObjectRefCountCommand(CommandContext& ctx) {
  engine::KeyRecord rec;
  if (!CheckStatus(ctx, ctx.server.engine->Lookup(ctx.db(), ctx.arg(2), &rec))) return;
  if (!rec.live()) {
    ctx.reply.Null();
    return;
  }
  int64_t n = -1;
  bool shared = rec.meta.type == codec::KeyType::kString && rec.meta.value.size() <= 20 &&
                codec::ParseInt64(rec.meta.value, &n) && n >= 0 && n < 10000;
  ctx.reply.Integer(shared ? 2147483647 : 1);
}

// OBJECT HELP
void ObjectHelpCommand(CommandContext& ctx) {
  static const char* const kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (const char* l : kLines) ctx.reply.SimpleString(l);
}

}  // namespace

void RegisterKeyCommands(CommandTable* t) {
  const std::string g = "generic";
  auto add = [&](const char* name, int arity, uint32_t flags, int first, int last, int step,
                 CommandHandler h, const char* since, const char* summary) {
    return t->Add(MakeCommand(name, arity, flags, first, last, step, h, g, since, summary,
                              {"@keyspace", (flags & kCmdWrite) ? "@write" : "@read",
                               (flags & kCmdFast) ? "@fast" : "@slow"}));
  };
  const uint32_t kW = kCmdWrite, kR = kCmdReadOnly, kF = kCmdFast;
  add("del", -2, kW, 1, -1, 1, DelCommand, "1.0.0", "Delete a key");
  add("unlink", -2, kW | kF, 1, -1, 1, DelCommand, "4.0.0",
      "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non "
      "blocking.");
  add("exists", -2, kR | kF, 1, -1, 1, ExistsCommand, "1.0.0", "Determine if a key exists");
  add("touch", -2, kR | kF, 1, -1, 1, ExistsCommand, "3.2.1",
      "Alters the last access time of a key(s). Returns the number of existing keys specified.");
  add("type", 2, kR | kF, 1, 1, 1, TypeCommand, "1.0.0", "Determine the type stored at key");
  add("expire", -3, kW | kF, 1, 1, 1, ExpireCommand, "1.0.0",
      "Set a key's time to live in seconds");
  add("pexpire", -3, kW | kF, 1, 1, 1, PExpireCommand, "2.6.0",
      "Set a key's time to live in milliseconds");
  add("expireat", -3, kW | kF, 1, 1, 1, ExpireAtCommand, "1.2.0",
      "Set the expiration for a key as a UNIX timestamp");
  add("pexpireat", -3, kW | kF, 1, 1, 1, PExpireAtCommand, "2.6.0",
      "Set the expiration for a key as a UNIX timestamp specified in milliseconds");
  add("ttl", 2, kR | kF, 1, 1, 1, TtlCommand, "1.0.0", "Get the time to live for a key in seconds");
  add("pttl", 2, kR | kF, 1, 1, 1, PTtlCommand, "2.6.0",
      "Get the time to live for a key in milliseconds");
  add("expiretime", 2, kR | kF, 1, 1, 1, ExpireTimeCommand, "7.0.0",
      "Get the expiration Unix timestamp for a key");
  add("pexpiretime", 2, kR | kF, 1, 1, 1, PExpireTimeCommand, "7.0.0",
      "Get the expiration Unix timestamp for a key in milliseconds");
  add("persist", 2, kW | kF, 1, 1, 1, PersistCommand, "2.2.0", "Remove the expiration from a key");
  add("rename", 3, kW, 1, 2, 1, RenameCommand, "1.0.0", "Rename a key");
  add("renamenx", 3, kW | kF, 1, 2, 1, RenameNxCommand, "1.0.0",
      "Rename a key, only if the new key does not exist");
  add("copy", -3, kW | kCmdDenyOom, 1, 2, 1, CopyCommand, "6.2.0", "Copy a key")->lock_keys =
      CopyLockKeys;
  add("move", 3, kW | kF, 1, 1, 1, MoveCommand, "1.0.0", "Move a key to another database")
      ->lock_keys = MoveLockKeys;
  add("keys", 2, kR, 0, 0, 0, KeysCommand, "1.0.0", "Find all keys matching the given pattern");
  add("scan", -2, kR, 0, 0, 0, ScanCommand, "2.8.0", "Incrementally iterate the keys space");
  add("randomkey", 1, kR, 0, 0, 0, RandomKeyCommand, "1.0.0",
      "Return a random key from the keyspace");
  add("dbsize", 1, kR | kF, 0, 0, 0, DbSizeCommand, "1.0.0",
      "Return the number of keys in the selected database");
  add("flushdb", -1, kW | kCmdWholeDb, 0, 0, 0, FlushDbCommand, "1.0.0",
      "Remove all keys from the current database");
  add("flushall", -1, kW | kCmdWholeDb, 0, 0, 0, FlushAllCommand, "1.0.0",
      "Remove all keys from all databases");
  add("swapdb", 3, kW | kF | kCmdWholeDb, 0, 0, 0, SwapDbCommand, "4.0.0",
      "Swaps two Redis databases");
  t->Add(MakeCommand("select", 2, kCmdLoading | kCmdStale | kF, 0, 0, 0, SelectCommand,
                     "connection", "1.0.0",
                     "Change the selected database for the current "
                     "connection",
                     {"@keyspace", "@fast"}));
  t->Add(MakeCommand("object", -2, 0, 0, 0, 0, nullptr, g, "2.2.3",
                     "A container for object introspection commands", {"@slow"}));
  t->AddSubcommand("object",
                   MakeCommand("encoding", 3, kR, 2, 2, 1, ObjectEncodingCommand, g, "2.2.3",
                               "Inspect the internal encoding of a Redis "
                               "object",
                               {"@keyspace", "@read", "@slow"}));
  t->AddSubcommand("object", MakeCommand("freq", 3, kR, 2, 2, 1, ObjectFreqCommand, g, "4.0.0",
                                         "Get the logarithmic access frequency counter of a "
                                         "Redis object",
                                         {"@keyspace", "@read", "@slow"}));
  t->AddSubcommand("object",
                   MakeCommand("idletime", 3, kR, 2, 2, 1, ObjectIdleTimeCommand, g, "2.2.3",
                               "Get the time since a Redis object was last "
                               "accessed",
                               {"@keyspace", "@read", "@slow"}));
  t->AddSubcommand("object",
                   MakeCommand("refcount", 3, kR, 2, 2, 1, ObjectRefCountCommand, g, "2.2.3",
                               "Get the number of references to the value of "
                               "the key",
                               {"@keyspace", "@read", "@slow"}));
  t->AddSubcommand("object", MakeCommand("help", 2, kCmdLoading | kCmdStale, 0, 0, 0,
                                         ObjectHelpCommand, g, "6.2.0",
                                         "Show helpful text "
                                         "about the different subcommands",
                                         {"@keyspace", "@slow"}));
}

}  // namespace basalt::server
