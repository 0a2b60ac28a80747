// Hash commands: HSET and friends, counters, whole-hash reads, HRANDFIELD and HSCAN.
// Handlers parse and validate in Redis's order (arguments Redis checks before its key lookup
// are checked first here too, the rest after), call engine/hash.h, and reply.
#include <cmath>
#include <limits>
#include <optional>

#include "codec/numbers.h"
#include "engine/hash.h"
#include "server/commands/args.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_cursors.h"

namespace basalt::server {

namespace {

// HRANDFIELD with a negative count returns that many fields, building the whole reply in
// memory; Redis has no bound, Basalt refuses counts beyond this so one command cannot exhaust
// memory.
constexpr int64_t kMaxRandomFieldCount = int64_t{1} << 24;

void ReplyOptional(CommandContext& ctx, const std::optional<std::string>& v) {
  if (v.has_value()) {
    ctx.reply.Bulk(*v);
  } else {
    ctx.reply.Null();
  }
}

void ReplyWrongArgs(CommandContext& ctx, std::string_view name) {
  ctx.reply.Error("ERR wrong number of arguments for '" + std::string(name) + "' command");
}

// HSET and HMSET; `name` for the arity error, `ok_reply` for HMSET's +OK.
void HashSetGeneric(CommandContext& ctx, std::string_view name, bool ok_reply) {
  if (ctx.argc() % 2 == 1) {
    ReplyWrongArgs(ctx, name);
    return;
  }
  engine::FieldValueViews fvs;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) fvs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  auto r = engine::HashSet(ctx.db(), ctx.arg(1), fvs, false);
  if (!CheckStatus(ctx, r.status())) return;
  Notify(ctx, kNotifyHash, "hset", ctx.arg(1));
  if (ok_reply) {
    ctx.reply.SimpleString("OK");
  } else {
    ctx.reply.Integer(*r);
  }
}

// HSET key field value [field value ...]
void HSetCommand(CommandContext& ctx) { HashSetGeneric(ctx, "hset", false); }
// HMSET key field value [field value ...]
void HMSetCommand(CommandContext& ctx) { HashSetGeneric(ctx, "hmset", true); }

// HSETNX key field value
void HSetNxCommand(CommandContext& ctx) {
  auto r = engine::HashSet(ctx.db(), ctx.arg(1), {{ctx.arg(2), ctx.arg(3)}}, true);
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) Notify(ctx, kNotifyHash, "hset", ctx.arg(1));
  ctx.reply.Integer(*r);
}

// HGET key field
void HGetCommand(CommandContext& ctx) {
  auto r = engine::HashGet(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (CheckStatus(ctx, r.status())) ReplyOptional(ctx, *r);
}

// HMGET key field [field ...]
void HMGetCommand(CommandContext& ctx) {
  auto r = engine::HashMGet(ctx.db(), ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(r->size()));
  for (const auto& v : *r) ReplyOptional(ctx, v);
}

// HDEL key field [field ...]
void HDelCommand(CommandContext& ctx) {
  auto r = engine::HashDelete(ctx.db(), ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) {
    Notify(ctx, kNotifyHash, "hdel", ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
  }
  ctx.reply.Integer(*r);
}

// HLEN key
void HLenCommand(CommandContext& ctx) {
  auto r = engine::HashLength(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// HSTRLEN key field
void HStrLenCommand(CommandContext& ctx) {
  auto r = engine::HashStrLen(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// HEXISTS key field
void HExistsCommand(CommandContext& ctx) {
  auto r = engine::HashExists(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r ? 1 : 0);
}

enum class Part { kFields, kValues, kBoth };

void HashGetAllGeneric(CommandContext& ctx, Part part) {
  auto r = engine::HashGetAll(ctx.db(), ctx.arg(1), part != Part::kFields);
  if (!CheckStatus(ctx, r.status())) return;
  const auto n = static_cast<int64_t>(r->size());
  if (part == Part::kBoth) {
    ctx.reply.MapHeader(n);
  } else {
    ctx.reply.ArrayHeader(n);
  }
  for (const auto& [field, value] : *r) {
    if (part != Part::kValues) ctx.reply.Bulk(field);
    if (part != Part::kFields) ctx.reply.Bulk(value);
  }
}

// HKEYS key
void HKeysCommand(CommandContext& ctx) { HashGetAllGeneric(ctx, Part::kFields); }
// HVALS key
void HValsCommand(CommandContext& ctx) { HashGetAllGeneric(ctx, Part::kValues); }
// HGETALL key
void HGetAllCommand(CommandContext& ctx) { HashGetAllGeneric(ctx, Part::kBoth); }

// HINCRBY key field increment
void HIncrByCommand(CommandContext& ctx) {
  int64_t delta = 0;
  if (!ArgInt64(ctx, 3, &delta)) return;
  auto r = engine::HashIncrBy(ctx.db(), ctx.arg(1), ctx.arg(2), delta);
  if (!CheckStatus(ctx, r.status())) return;
  Notify(ctx, kNotifyHash, "hincrby", ctx.arg(1));
  ctx.reply.Integer(*r);
}

// HINCRBYFLOAT key field increment
void HIncrByFloatCommand(CommandContext& ctx) {
  long double delta = 0;
  if (!codec::ParseLongDouble(ctx.arg(3), &delta)) {
    ctx.reply.Error(kErrNotFloat);
    return;
  }
  if (std::isnan(delta) || std::isinf(delta)) {
    ctx.reply.Error("ERR value is NaN or Infinity");
    return;
  }
  auto r = engine::HashIncrByFloat(ctx.db(), ctx.arg(1), ctx.arg(2), delta);
  if (!CheckStatus(ctx, r.status())) return;
  Notify(ctx, kNotifyHash, "hincrbyfloat", ctx.arg(1));
  ctx.reply.Bulk(*r);
}

// Parses HRANDFIELD's count and WITHVALUES as Redis does (before the key lookup).
bool ParseRandomFieldArgs(CommandContext& ctx, int64_t* count, bool* with_values) {
  if (!ArgInt64(ctx, 2, count)) return false;
  if (*count == std::numeric_limits<int64_t>::min()) {
    ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return false;
  }
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !IEquals(ctx.arg(3), "withvalues"))) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  *with_values = ctx.argc() == 4;
  constexpr int64_t kHalf = std::numeric_limits<int64_t>::max() / 2;
  if (*with_values && (*count < -kHalf - 1 || *count > kHalf)) {
    ctx.reply.Error("ERR value is out of range");
    return false;
  }
  return true;
}

// A negative count beyond kMaxRandomFieldCount is refused once the key is known to be a
// non-empty hash (a missing key still answers an empty array, WRONGTYPE still comes first).
bool CheckRandomFieldCount(CommandContext& ctx, int64_t count) {
  if (count >= -kMaxRandomFieldCount) return true;
  auto len = engine::HashLength(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, len.status())) return false;
  if (*len == 0) {
    ctx.reply.ArrayHeader(0);
    return false;
  }
  ctx.reply.Error("ERR value is out of range");
  return false;
}

void ReplyRandomFields(CommandContext& ctx, const engine::FieldValues& entries, bool with_values) {
  const auto n = static_cast<int64_t>(entries.size());
  const bool resp2 = ctx.reply.protocol() == 2;
  ctx.reply.ArrayHeader(with_values && resp2 ? 2 * n : n);
  for (const auto& [field, value] : entries) {
    if (with_values && !resp2) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(field);
    if (with_values) ctx.reply.Bulk(value);
  }
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandFieldCommand(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    auto r = engine::HashRandomFields(ctx.db(), ctx.arg(1), 1, false);
    if (!CheckStatus(ctx, r.status())) return;
    ReplyOptional(ctx, r->empty() ? std::nullopt : std::optional<std::string>(r->front().first));
    return;
  }
  int64_t count = 0;
  bool with_values = false;
  if (!ParseRandomFieldArgs(ctx, &count, &with_values)) return;
  if (!CheckRandomFieldCount(ctx, count)) return;
  auto r = engine::HashRandomFields(ctx.db(), ctx.arg(1), count, with_values);
  if (CheckStatus(ctx, r.status())) ReplyRandomFields(ctx, *r, with_values);
}

void ReplyScanPage(CommandContext& ctx, uint64_t cursor, const engine::FieldValues& entries) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(codec::FormatInt64(static_cast<int64_t>(cursor)));
  ctx.reply.ArrayHeader(2 * static_cast<int64_t>(entries.size()));
  for (const auto& [field, value] : entries) {
    ctx.reply.Bulk(field);
    ctx.reply.Bulk(value);
  }
}

// Parses HSCAN's MATCH and COUNT (Redis parses them after the key lookup).
bool ParseHashScanOptions(CommandContext& ctx, engine::HashScanOptions* opts) {
  ScanArgs args;
  if (!ParseScanArgs(ctx, 3, &args)) return false;
  opts->match = args.match;
  opts->count = args.count;
  return true;
}

// Redis answers HSCAN on a listpack-encoded hash with every field in one reply (cursor 0);
// Basalt does the same for hashes that Redis would keep as a listpack.
bool ScansInOnePage(CommandContext& ctx) {
  auto enc = engine::HashObjectEncoding(ctx.db(), ctx.arg(1),
                                        ctx.server.config->GetInt("hash-max-listpack-entries"),
                                        ctx.server.config->GetInt("hash-max-listpack-value"));
  return enc.ok() && *enc == "listpack";
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void HScanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!codec::ParseUint64(ctx.arg(2), &cursor)) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  auto len = engine::HashLength(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, len.status())) return;
  if (*len == 0) {
    ReplyScanPage(ctx, 0, {});
    return;
  }
  engine::HashScanOptions opts;
  if (!ParseHashScanOptions(ctx, &opts)) return;
  std::optional<std::string> after;
  if (ScansInOnePage(ctx)) {
    opts.count = std::numeric_limits<size_t>::max();
  } else if (cursor != 0) {
    after = ctx.server.cursors->Resolve(cursor);
  }
  auto r = engine::HashScan(ctx.db(), ctx.arg(1), after, opts);
  if (!CheckStatus(ctx, r.status())) return;
  const uint64_t next = r->resume_after ? ctx.server.cursors->Save(*r->resume_after) : 0;
  ReplyScanPage(ctx, next, r->entries);
}

}  // namespace

void RegisterHashCommands(CommandTable* t) {
  const uint32_t kW = kCmdWrite | kCmdDenyOom;
  const uint32_t kR = kCmdReadOnly;
  const uint32_t kF = kCmdFast;
  auto add = [&](const char* name, int arity, uint32_t flags, CommandHandler h, const char* since,
                 const char* summary, const char* complexity) {
    const bool write = flags & kCmdWrite;
    CommandSpec spec =
        MakeCommand(name, arity, flags, 1, 1, 1, h, "hash", since, summary,
                    {write ? "@write" : "@read", "@hash", (flags & kCmdFast) ? "@fast" : "@slow"});
    spec.complexity = complexity;
    t->Add(std::move(spec));
  };
  const char* kOne = "O(1)";
  const char* kWhole = "O(N) where N is the size of the hash.";
  add("hset", -4, kW | kF, HSetCommand, "2.0.0", "Set the string value of a hash field",
      "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
      "command is called with multiple field/value pairs.");
  add("hsetnx", 4, kW | kF, HSetNxCommand, "2.0.0",
      "Set the value of a hash field, only if the field does not exist", kOne);
  add("hget", 3, kR | kF, HGetCommand, "2.0.0", "Get the value of a hash field", kOne);
  add("hmget", -3, kR | kF, HMGetCommand, "2.0.0", "Get the values of all the given hash fields",
      "O(N) where N is the number of fields being requested.");
  add("hmset", -4, kW | kF, HMSetCommand, "2.0.0", "Set multiple hash fields to multiple values",
      "O(N) where N is the number of fields being set.");
  add("hdel", -3, kCmdWrite | kF, HDelCommand, "2.0.0", "Delete one or more hash fields",
      "O(N) where N is the number of fields to be removed.");
  add("hlen", 2, kR | kF, HLenCommand, "2.0.0", "Get the number of fields in a hash", kOne);
  add("hstrlen", 3, kR | kF, HStrLenCommand, "3.2.0", "Get the length of the value of a hash field",
      kOne);
  add("hexists", 3, kR | kF, HExistsCommand, "2.0.0", "Determine if a hash field exists", kOne);
  add("hkeys", 2, kR, HKeysCommand, "2.0.0", "Get all the fields in a hash", kWhole);
  add("hvals", 2, kR, HValsCommand, "2.0.0", "Get all the values in a hash", kWhole);
  add("hgetall", 2, kR, HGetAllCommand, "2.0.0", "Get all the fields and values in a hash", kWhole);
  add("hincrby", 4, kW | kF, HIncrByCommand, "2.0.0",
      "Increment the integer value of a hash field by the given number", kOne);
  add("hincrbyfloat", 4, kW | kF, HIncrByFloatCommand, "2.6.0",
      "Increment the float value of a hash field by the given amount", kOne);
  add("hrandfield", -2, kR, HRandFieldCommand, "6.2.0",
      "Get one or multiple random fields from a hash",
      "O(N) where N is the number of fields returned");
  add("hscan", -3, kR, HScanCommand, "2.8.0",
      "Incrementally iterate hash fields and associated values",
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
      "the cursor to return back to 0. N is the number of elements inside the collection..");
}

}  // namespace basalt::server
