// Set commands: membership, random draws, moves, set algebra and SSCAN. Handlers parse and
// validate in Redis 7.0's order (for instance SPOP and SRANDMEMBER parse their count before
// looking the key up, while SSCAN looks the key up before parsing its options), call
// engine/set.h, and reply. Results that Redis sends as sets use the RESP3 set type.
#include <charconv>
#include <optional>
#include <string>

#include "codec/numbers.h"
#include "engine/set.h"
#include "server/commands/args.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_cursors.h"

namespace basalt::server {

namespace {

constexpr std::string_view kErrPositive = "ERR value is out of range, must be positive";
constexpr std::string_view kErrRandRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";
constexpr std::string_view kErrNumKeys = "ERR numkeys should be greater than 0";
constexpr std::string_view kErrTooManyKeys =
    "ERR Number of keys can't be greater than number of args";
constexpr std::string_view kErrLimit = "ERR LIMIT can't be negative";

void ReplySet(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply.SetHeader(static_cast<int64_t>(members.size()));
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

void ReplyArray(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(members.size()));
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

void ReplyFirstOrNull(CommandContext& ctx, const std::vector<std::string>& members) {
  if (members.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(members.front());
  }
}

// Parses a non-negative count as Redis's getPositiveLongFromObjectOrReply does.
bool ArgNonNegative(CommandContext& ctx, size_t i, std::string_view error, int64_t* out) {
  if (codec::ParseInt64(ctx.arg(i), out) && *out >= 0) return true;
  ctx.reply.Error(error);
  return false;
}

// SADD key member [member ...]
void SAddCommand(CommandContext& ctx) {
  auto r = engine::SetAdd(ctx.db(), ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) Notify(ctx, kNotifySet, "sadd", ctx.arg(1));
  ctx.reply.Integer(*r);
}

// SREM key member [member ...]
void SRemCommand(CommandContext& ctx) {
  auto r = engine::SetRemove(ctx.db(), ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) {
    Notify(ctx, kNotifySet, "srem", ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
  }
  ctx.reply.Integer(*r);
}

// SCARD key
void SCardCommand(CommandContext& ctx) {
  auto r = engine::SetCard(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// SISMEMBER key member
void SIsMemberCommand(CommandContext& ctx) {
  auto r = engine::SetIsMember(ctx.db(), ctx.arg(1), {ctx.arg(2)});
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(r->front() ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void SMIsMemberCommand(CommandContext& ctx) {
  auto r = engine::SetIsMember(ctx.db(), ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(r->size()));
  for (bool in : *r) ctx.reply.Integer(in ? 1 : 0);
}

// SMEMBERS key
void SMembersCommand(CommandContext& ctx) {
  auto r = engine::SetMembers(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ReplySet(ctx, *r);
}

// SRANDMEMBER key [count]
void SRandMemberCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  int64_t count = 1;
  if (ctx.argc() == 3) {
    if (!ArgInt64(ctx, 2, &count)) return;
    if (count == INT64_MIN) {
      ctx.reply.Error(kErrRandRange);
      return;
    }
  }
  auto r = engine::SetRandomMembers(ctx.db(), ctx.arg(1), count);
  if (!CheckStatus(ctx, r.status())) return;
  if (ctx.argc() == 3) {
    ReplyArray(ctx, *r);
  } else {
    ReplyFirstOrNull(ctx, *r);
  }
}

// SPOP key [count]
void SPopCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  int64_t count = 1;
  if (ctx.argc() == 3 && !ArgNonNegative(ctx, 2, kErrPositive, &count)) return;
  auto r = engine::SetPop(ctx.db(), ctx.arg(1), static_cast<uint64_t>(count));
  if (!CheckStatus(ctx, r.status())) return;
  if (!r->empty()) {
    Notify(ctx, kNotifySet, "spop", ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
  }
  if (ctx.argc() == 3) {
    ReplySet(ctx, *r);
  } else {
    ReplyFirstOrNull(ctx, *r);
  }
}

// SMOVE source destination member
void SMoveCommand(CommandContext& ctx) {
  // Redis reports `sadd` only if the member was new in the destination.
  bool in_dst = false;
  if (NotifyEnabled(ctx, kNotifySet)) {
    auto m = engine::SetIsMember(ctx.db(), ctx.arg(2), {ctx.arg(3)});
    in_dst = m.ok() && m->front();
  }
  auto r = engine::SetMove(ctx.db(), ctx.arg(1), ctx.arg(2), ctx.arg(3));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r && ctx.arg(1) != ctx.arg(2)) {
    Notify(ctx, kNotifySet, "srem", ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
    if (!in_dst) Notify(ctx, kNotifySet, "sadd", ctx.arg(2));
  }
  ctx.reply.Integer(*r ? 1 : 0);
}

void CombineCommand(CommandContext& ctx, engine::SetOp op) {
  auto r = engine::SetCombine(ctx.db(), op, ArgViews(ctx, 1));
  if (CheckStatus(ctx, r.status())) ReplySet(ctx, *r);
}

void StoreCommand(CommandContext& ctx, engine::SetOp op) {
  const bool events = NotifyEnabled(ctx, kNotifyGeneric | kNotifySet);
  const bool dst_existed = events && KeyExists(ctx, ctx.arg(1));
  auto r = engine::SetStore(ctx.db(), op, ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) {
    Notify(ctx, kNotifySet,
           op == engine::SetOp::kInter   ? "sinterstore"
           : op == engine::SetOp::kUnion ? "sunionstore"
                                         : "sdiffstore",
           ctx.arg(1));
  } else if (dst_existed) {
    Notify(ctx, kNotifyGeneric, "del", ctx.arg(1));
  }
  ctx.reply.Integer(*r);
}

// SINTER key [key ...]
void SInterCommand(CommandContext& ctx) { CombineCommand(ctx, engine::SetOp::kInter); }
// SUNION key [key ...]
void SUnionCommand(CommandContext& ctx) { CombineCommand(ctx, engine::SetOp::kUnion); }
// SDIFF key [key ...]
void SDiffCommand(CommandContext& ctx) { CombineCommand(ctx, engine::SetOp::kDiff); }
// SINTERSTORE destination key [key ...]
void SInterStoreCommand(CommandContext& ctx) { StoreCommand(ctx, engine::SetOp::kInter); }
// SUNIONSTORE destination key [key ...]
void SUnionStoreCommand(CommandContext& ctx) { StoreCommand(ctx, engine::SetOp::kUnion); }
// SDIFFSTORE destination key [key ...]
void SDiffStoreCommand(CommandContext& ctx) { StoreCommand(ctx, engine::SetOp::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void SInterCardCommand(CommandContext& ctx) {
  int64_t numkeys = 0;
  if (!codec::ParseInt64(ctx.arg(1), &numkeys) || numkeys < 1) {
    ctx.reply.Error(kErrNumKeys);
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 2) {
    ctx.reply.Error(kErrTooManyKeys);
    return;
  }
  const size_t end = 2 + static_cast<size_t>(numkeys);
  int64_t limit = 0;
  for (size_t j = end; j < ctx.argc(); ++j) {
    if (IEquals(ctx.arg(j), "limit") && j + 1 < ctx.argc()) {
      if (!ArgNonNegative(ctx, ++j, kErrLimit, &limit)) return;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  std::vector<std::string_view> keys(ctx.argv.begin() + 2, ctx.argv.begin() + end);
  auto r = engine::SetInterCard(ctx.db(), keys, static_cast<uint64_t>(limit));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// Redis parses cursors with strtoul: an optional sign (a negative cursor wraps around), no
// leading space, and an empty string reads as 0.
bool ParseScanCursor(std::string_view s, uint64_t* cursor) {
  const bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  uint64_t v = 0;
  if (!s.empty()) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return false;
  }
  *cursor = negative ? 0 - v : v;
  return true;
}

void ReplyScanPage(CommandContext& ctx, uint64_t next, const std::vector<std::string>& members) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(codec::FormatInt64(static_cast<int64_t>(next)));
  ReplyArray(ctx, members);
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void SScanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  auto card = engine::SetCard(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, card.status())) return;
  if (*card == 0) {
    ReplyScanPage(ctx, 0, {});
    return;
  }
  ScanArgs args;
  if (!ParseScanArgs(ctx, 3, &args)) return;
  std::optional<std::string> after;
  if (cursor != 0) after = ctx.server.cursors->Resolve(cursor);
  auto r = engine::SetScan(ctx.db(), ctx.arg(1), after, args.match, args.count);
  if (!CheckStatus(ctx, r.status())) return;
  uint64_t next = r->resume_after ? ctx.server.cursors->Save(*r->resume_after) : 0;
  ReplyScanPage(ctx, next, r->members);
}

}  // namespace

void RegisterSetCommands(CommandTable* t) {
  const std::string g = "set";
  auto add = [&](const char* name, int arity, uint32_t flags, int first, int last, int step,
                 CommandHandler h, const char* since, const char* summary) {
    return t->Add(MakeCommand(name, arity, flags, first, last, step, h, g, since, summary,
                              {(flags & kCmdWrite) ? "@write" : "@read", "@set",
                               (flags & kCmdFast) ? "@fast" : "@slow"}));
  };
  const uint32_t kW = kCmdWrite, kR = kCmdReadOnly, kF = kCmdFast, kOom = kCmdDenyOom;
  add("sadd", -3, kW | kOom | kF, 1, 1, 1, SAddCommand, "1.0.0",
      "Add one or more members to a set");
  add("srem", -3, kW | kF, 1, 1, 1, SRemCommand, "1.0.0", "Remove one or more members from a set");
  add("scard", 2, kR | kF, 1, 1, 1, SCardCommand, "1.0.0", "Get the number of members in a set");
  add("sismember", 3, kR | kF, 1, 1, 1, SIsMemberCommand, "1.0.0",
      "Determine if a given value is a member of a set");
  add("smismember", -3, kR | kF, 1, 1, 1, SMIsMemberCommand, "6.2.0",
      "Returns the membership associated with the given elements for a set");
  add("smembers", 2, kR, 1, 1, 1, SMembersCommand, "1.0.0", "Get all the members in a set");
  add("srandmember", -2, kR, 1, 1, 1, SRandMemberCommand, "1.0.0",
      "Get one or multiple random members from a set");
  add("spop", -2, kW | kF, 1, 1, 1, SPopCommand, "1.0.0",
      "Remove and return one or multiple random members from a set");
  add("smove", 4, kW | kF, 1, 2, 1, SMoveCommand, "1.0.0", "Move a member from one set to another");
  add("sinter", -2, kR, 1, -1, 1, SInterCommand, "1.0.0", "Intersect multiple sets");
  add("sintercard", -3, kR, 0, 0, 0, SInterCardCommand, "7.0.0",
      "Intersect multiple sets and return the cardinality of the result")
      ->lock_keys = NumKeysLockKeys<1>;
  add("sunion", -2, kR, 1, -1, 1, SUnionCommand, "1.0.0", "Add multiple sets");
  add("sdiff", -2, kR, 1, -1, 1, SDiffCommand, "1.0.0", "Subtract multiple sets");
  add("sinterstore", -3, kW | kOom, 1, -1, 1, SInterStoreCommand, "1.0.0",
      "Intersect multiple sets and store the resulting set in a key");
  add("sunionstore", -3, kW | kOom, 1, -1, 1, SUnionStoreCommand, "1.0.0",
      "Add multiple sets and store the resulting set in a key");
  add("sdiffstore", -3, kW | kOom, 1, -1, 1, SDiffStoreCommand, "1.0.0",
      "Subtract multiple sets and store the resulting set in a key");
  add("sscan", -3, kR, 1, 1, 1, SScanCommand, "2.8.0", "Incrementally iterate Set elements");
}

}  // namespace basalt::server
