// List commands: pushes, pops, indexing, ranges, in-place edits, LPOS, moves between lists, and
// the blocking pops and moves (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, built on
// server/blocking.h). Handlers parse and validate in Redis 7.0's order (LINDEX and LSET look the
// key up before parsing the index; LRANGE, LTRIM, LREM, LPOS, LPOP's count, the LMOVE
// directions and blocking timeouts are parsed first), call engine/list.h, and reply.
#include <string>
#include <vector>

#include "codec/numbers.h"
#include "engine/list.h"
#include "server/blocking.h"
#include "server/commands/args.h"
#include "server/errors.h"
#include "server/notify.h"

namespace basalt::server {

namespace {

using engine::ListEnd;

constexpr std::string_view kErrPositive = "ERR value is out of range, must be positive";
constexpr std::string_view kErrRank =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kErrCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kErrMaxlenNegative = "ERR MAXLEN can't be negative";
constexpr std::string_view kErrNumKeys = "ERR numkeys should be greater than 0";
constexpr std::string_view kErrCountPositive = "ERR count should be greater than 0";

void ReplyArray(CommandContext& ctx, const std::vector<std::string>& elements) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(elements.size()));
  for (const std::string& e : elements) ctx.reply.Bulk(e);
}

// Parses LEFT / RIGHT; replies a syntax error otherwise.
bool ArgEnd(CommandContext& ctx, size_t i, ListEnd* end) {
  if (IEquals(ctx.arg(i), "left")) {
    *end = ListEnd::kLeft;
  } else if (IEquals(ctx.arg(i), "right")) {
    *end = ListEnd::kRight;
  } else {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  return true;
}

const char* PushEvent(ListEnd end) { return end == ListEnd::kLeft ? "lpush" : "rpush"; }
const char* PopEvent(ListEnd end) { return end == ListEnd::kLeft ? "lpop" : "rpop"; }

// The events of popping from `key` of `db`: lpop/rpop, then del if that emptied it.
void NotifyPopped(const engine::Db& db, ListEnd end, std::string_view key) {
  NotifyServe(db, kNotifyList, PopEvent(end), key);
  NotifyServeDelIfGone(db, key);
}

void PushCommand(CommandContext& ctx, ListEnd end, bool only_if_exists) {
  auto r = engine::ListPush(ctx.db(), ctx.arg(1), end, ArgViews(ctx, 2), only_if_exists);
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) Notify(ctx, kNotifyList, PushEvent(end), ctx.arg(1));
  ctx.reply.Integer(*r);
}

// LPUSH key element [element ...]
void LPushCommand(CommandContext& ctx) { PushCommand(ctx, ListEnd::kLeft, false); }
// RPUSH key element [element ...]
void RPushCommand(CommandContext& ctx) { PushCommand(ctx, ListEnd::kRight, false); }
// LPUSHX key element [element ...]
void LPushXCommand(CommandContext& ctx) { PushCommand(ctx, ListEnd::kLeft, true); }
// RPUSHX key element [element ...]
void RPushXCommand(CommandContext& ctx) { PushCommand(ctx, ListEnd::kRight, true); }

void PopCommand(CommandContext& ctx, ListEnd end) {
  if (ctx.argc() > 3) {  // arity -2 in Redis's table, but at most one count
    ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.arg(0)) + "' command");
    return;
  }
  int64_t count = 1;
  const bool has_count = ctx.argc() == 3;
  if (has_count && (!codec::ParseInt64(ctx.arg(2), &count) || count < 0)) {
    ctx.reply.Error(kErrPositive);
    return;
  }
  auto r = engine::ListPop(ctx.db(), ctx.arg(1), end, static_cast<uint64_t>(count));
  if (!CheckStatus(ctx, r.status())) return;
  if (r->has_value() && !(*r)->empty()) NotifyPopped(ctx.db(), end, ctx.arg(1));
  if (!r->has_value()) {
    if (has_count) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
  } else if (has_count) {
    ReplyArray(ctx, **r);
  } else {
    ctx.reply.Bulk((*r)->front());
  }
}

// LPOP key [count]
void LPopCommand(CommandContext& ctx) { PopCommand(ctx, ListEnd::kLeft); }
// RPOP key [count]
void RPopCommand(CommandContext& ctx) { PopCommand(ctx, ListEnd::kRight); }

// LLEN key
void LLenCommand(CommandContext& ctx) {
  auto r = engine::ListLen(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// LINDEX key index
void LIndexCommand(CommandContext& ctx) {
  int64_t index = 0;
  if (!codec::ParseInt64(ctx.arg(2), &index)) {
    // Redis looks the key up first: a missing key answers nil whatever the index.
    auto len = engine::ListLen(ctx.db(), ctx.arg(1));
    if (!CheckStatus(ctx, len.status())) return;
    if (*len == 0) {
      ctx.reply.Null();
    } else {
      ctx.reply.Error(kErrNotInteger);
    }
    return;
  }
  auto r = engine::ListIndex(ctx.db(), ctx.arg(1), index);
  if (!CheckStatus(ctx, r.status())) return;
  if (r->has_value()) {
    ctx.reply.Bulk(**r);
  } else {
    ctx.reply.Null();
  }
}

// LRANGE key start stop
void LRangeCommand(CommandContext& ctx) {
  int64_t start = 0, stop = 0;
  if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &stop)) return;
  // The elements go straight from the engine into the reply; a read error midway takes back
  // the part already written.
  std::string& out = *ctx.reply.buffer();
  const size_t mark = out.size();
  engine::Status s = engine::ListRange(
      ctx.db(), ctx.arg(1), start, stop,
      [&](uint64_t n) { ctx.reply.ArrayHeader(static_cast<int64_t>(n)); },
      [&](std::string_view element) { ctx.reply.Bulk(element); });
  if (!s.ok()) {
    out.resize(mark);
    CheckStatus(ctx, s);
  }
}

// LSET key index element
void LSetCommand(CommandContext& ctx) {
  int64_t index = 0;
  if (!codec::ParseInt64(ctx.arg(2), &index)) {
    // Redis looks the key up (no such key / WRONGTYPE) before parsing the index.
    auto len = engine::ListLen(ctx.db(), ctx.arg(1));
    if (!CheckStatus(ctx, len.status())) return;
    if (*len == 0) {
      CheckStatus(ctx, engine::Status::NotFound());
    } else {
      ctx.reply.Error(kErrNotInteger);
    }
    return;
  }
  if (CheckStatus(ctx, engine::ListSet(ctx.db(), ctx.arg(1), index, ctx.arg(3)))) {
    Notify(ctx, kNotifyList, "lset", ctx.arg(1));
    ctx.reply.SimpleString("OK");
  }
}

// LTRIM key start stop
void LTrimCommand(CommandContext& ctx) {
  int64_t start = 0, stop = 0;
  if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &stop)) return;
  // Redis reports ltrim (and del if it emptied the list) only for an existing list.
  const bool existed =
      NotifyEnabled(ctx, kNotifyList | kNotifyGeneric) && KeyExists(ctx, ctx.arg(1));
  if (!CheckStatus(ctx, engine::ListTrim(ctx.db(), ctx.arg(1), start, stop))) return;
  if (existed) {
    Notify(ctx, kNotifyList, "ltrim", ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
  }
  ctx.reply.SimpleString("OK");
}

// LREM key count element
void LRemCommand(CommandContext& ctx) {
  int64_t count = 0;
  if (!ArgInt64(ctx, 2, &count)) return;
  auto r = engine::ListRemove(ctx.db(), ctx.arg(1), count, ctx.arg(3));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) {
    Notify(ctx, kNotifyList, "lrem", ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
  }
  ctx.reply.Integer(*r);
}

// LINSERT key <BEFORE | AFTER> pivot element
void LInsertCommand(CommandContext& ctx) {
  bool before = false;
  if (IEquals(ctx.arg(2), "before")) {
    before = true;
  } else if (!IEquals(ctx.arg(2), "after")) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  auto r = engine::ListInsert(ctx.db(), ctx.arg(1), before, ctx.arg(3), ctx.arg(4));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) Notify(ctx, kNotifyList, "linsert", ctx.arg(1));
  ctx.reply.Integer(*r);
}

struct LPosArgs {
  int64_t rank = 1;
  int64_t count = -1;  // -1: not given (reply a single position)
  int64_t maxlen = 0;
};

bool ParseLPosArgs(CommandContext& ctx, LPosArgs* out) {
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const bool has_next = j + 1 < ctx.argc();
    if (IEquals(ctx.arg(j), "rank") && has_next) {
      if (!ArgInt64(ctx, ++j, &out->rank)) return false;
      if (out->rank == 0) {
        ctx.reply.Error(kErrRank);
        return false;
      }
    } else if (IEquals(ctx.arg(j), "count") && has_next) {
      if (!codec::ParseInt64(ctx.arg(++j), &out->count) || out->count < 0) {
        ctx.reply.Error(kErrCountNegative);
        return false;
      }
    } else if (IEquals(ctx.arg(j), "maxlen") && has_next) {
      if (!codec::ParseInt64(ctx.arg(++j), &out->maxlen) || out->maxlen < 0) {
        ctx.reply.Error(kErrMaxlenNegative);
        return false;
      }
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void LPosCommand(CommandContext& ctx) {
  LPosArgs a;
  if (!ParseLPosArgs(ctx, &a)) return;
  const uint64_t count = a.count < 0 ? 1 : static_cast<uint64_t>(a.count);
  auto r = engine::ListPos(ctx.db(), ctx.arg(1), ctx.arg(2), a.rank, count,
                           static_cast<uint64_t>(a.maxlen));
  if (!CheckStatus(ctx, r.status())) return;
  if (a.count >= 0) {
    ctx.reply.ArrayHeader(static_cast<int64_t>(r->size()));
    for (int64_t pos : *r) ctx.reply.Integer(pos);
  } else if (r->empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Integer(r->front());
  }
}

// LMOVE's events in Redis's order: the push to the destination, the pop from the source, del.
void NotifyMoved(const engine::Db& db, std::string_view src, std::string_view dst, ListEnd from,
                 ListEnd to) {
  NotifyServe(db, kNotifyList, PushEvent(to), dst);
  NotifyPopped(db, from, src);
}

void MoveCommand(CommandContext& ctx, ListEnd from, ListEnd to) {
  auto r = engine::ListMove(ctx.db(), ctx.arg(1), ctx.arg(2), from, to);
  if (!CheckStatus(ctx, r.status())) return;
  if (r->has_value()) NotifyMoved(ctx.db(), ctx.arg(1), ctx.arg(2), from, to);
  if (r->has_value()) {
    ctx.reply.Bulk(**r);
  } else {
    ctx.reply.Null();
  }
}

// LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT>
void LMoveCommand(CommandContext& ctx) {
  ListEnd from = ListEnd::kLeft, to = ListEnd::kLeft;
  if (!ArgEnd(ctx, 3, &from) || !ArgEnd(ctx, 4, &to)) return;
  MoveCommand(ctx, from, to);
}

// RPOPLPUSH source destination
void RPopLPushCommand(CommandContext& ctx) { MoveCommand(ctx, ListEnd::kRight, ListEnd::kLeft); }

// LMPOP's numkeys: a positive integer, else Redis's numkeys error.
bool ParseNumKeys(std::string_view arg, int64_t* numkeys) {
  return codec::ParseInt64(arg, numkeys) && *numkeys > 0;
}

// numkeys key [key ...] <LEFT | RIGHT> [COUNT count], from argv[first]: the keys, the end and
// the count. Replies Redis's error and returns false on bad input.
bool ParseMPopArgs(CommandContext& ctx, size_t first, std::vector<std::string>* keys, ListEnd* end,
                   int64_t* count) {
  int64_t numkeys = 0;
  if (!ParseNumKeys(ctx.arg(first), &numkeys)) {
    ctx.reply.Error(kErrNumKeys);
    return false;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc() - first) - 2) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  const size_t where = first + 1 + static_cast<size_t>(numkeys);
  if (!ArgEnd(ctx, where, end)) return false;
  *count = 1;
  bool has_count = false;
  for (size_t j = where + 1; j < ctx.argc(); ++j) {
    if (!has_count && IEquals(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      has_count = true;
      if (!codec::ParseInt64(ctx.arg(++j), count) || *count <= 0) {
        ctx.reply.Error(kErrCountPositive);
        return false;
      }
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  keys->assign(ctx.argv.begin() + static_cast<ptrdiff_t>(first + 1),
               ctx.argv.begin() + static_cast<ptrdiff_t>(where));
  return true;
}

// Serves LMPOP/BLMPOP from `key`: [key, [element ...]].
bool ServeMPop(const engine::Db& db, const BlockedCommand& cmd, std::string_view key,
               codec::ReplyWriter& reply) {
  auto r = engine::ListPop(db, key, static_cast<ListEnd>(cmd.from), cmd.count);
  if (!r.ok()) {
    ReplyError(reply, r.status());
    return true;
  }
  if (!r->has_value()) return false;
  NotifyPopped(db, static_cast<ListEnd>(cmd.from), key);
  reply.ArrayHeader(2);
  reply.Bulk(key);
  reply.ArrayHeader(static_cast<int64_t>((*r)->size()));
  for (const std::string& e : **r) reply.Bulk(e);
  return true;
}

// LMPOP numkeys key [key ...] <LEFT | RIGHT> [COUNT count]
void LMPopCommand(CommandContext& ctx) {
  BlockedCommand cmd;
  ListEnd end = ListEnd::kLeft;
  int64_t count = 1;
  if (!ParseMPopArgs(ctx, 1, &cmd.keys, &end, &count)) return;
  cmd.serve = ServeMPop;
  cmd.from = static_cast<int>(end);
  cmd.count = static_cast<uint64_t>(count);
  if (!ServeFirst(ctx, cmd)) ctx.reply.NullArray();
}

// BLMPOP timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]
void BLMPopCommand(CommandContext& ctx) {
  BlockedCommand cmd;
  ListEnd end = ListEnd::kLeft;
  int64_t count = 1;
  if (!ParseBlockTimeout(ctx, 1, &cmd.deadline_ms)) return;
  if (!ParseMPopArgs(ctx, 2, &cmd.keys, &end, &count)) return;
  cmd.serve = ServeMPop;
  cmd.from = static_cast<int>(end);
  cmd.count = static_cast<uint64_t>(count);
  ServeOrBlock(ctx, std::move(cmd), true);
}

// Serves BLPOP/BRPOP from `key`: [key, element].
bool ServePop(const engine::Db& db, const BlockedCommand& cmd, std::string_view key,
              codec::ReplyWriter& reply) {
  auto r = engine::ListPop(db, key, static_cast<ListEnd>(cmd.from), 1);
  if (!r.ok()) {
    ReplyError(reply, r.status());
    return true;
  }
  if (!r->has_value() || (*r)->empty()) return false;
  NotifyPopped(db, static_cast<ListEnd>(cmd.from), key);
  reply.ArrayHeader(2);
  reply.Bulk(key);
  reply.Bulk((*r)->front());
  return true;
}

void BlockingPop(CommandContext& ctx, ListEnd end) {
  BlockedCommand cmd;
  if (!ParseBlockTimeout(ctx, ctx.argc() - 1, &cmd.deadline_ms)) return;
  cmd.serve = ServePop;
  cmd.from = static_cast<int>(end);
  cmd.keys.assign(ctx.argv.begin() + 1, ctx.argv.end() - 1);
  ServeOrBlock(ctx, std::move(cmd), true);
}

// BLPOP key [key ...] timeout
void BLPopCommand(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kLeft); }
// BRPOP key [key ...] timeout
void BRPopCommand(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kRight); }

// Serves BLMOVE/BRPOPLPUSH from `key` into cmd.dst: the element.
bool ServeMove(const engine::Db& db, const BlockedCommand& cmd, std::string_view key,
               codec::ReplyWriter& reply) {
  auto r = engine::ListMove(db, key, cmd.dst, static_cast<ListEnd>(cmd.from),
                            static_cast<ListEnd>(cmd.to));
  if (!r.ok()) {
    ReplyError(reply, r.status());
    return true;
  }
  if (!r->has_value()) return false;
  NotifyMoved(db, key, cmd.dst, static_cast<ListEnd>(cmd.from), static_cast<ListEnd>(cmd.to));
  reply.Bulk(**r);
  return true;
}

void BlockingMove(CommandContext& ctx, ListEnd from, ListEnd to, size_t timeout_at) {
  BlockedCommand cmd;
  if (!ParseBlockTimeout(ctx, timeout_at, &cmd.deadline_ms)) return;
  cmd.serve = ServeMove;
  cmd.keys = {ctx.arg(1)};
  cmd.dst = ctx.arg(2);
  cmd.from = static_cast<int>(from);
  cmd.to = static_cast<int>(to);
  ServeOrBlock(ctx, std::move(cmd), false);
}

// BLMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout
void BLMoveCommand(CommandContext& ctx) {
  ListEnd from = ListEnd::kLeft, to = ListEnd::kLeft;
  if (!ArgEnd(ctx, 3, &from) || !ArgEnd(ctx, 4, &to)) return;
  BlockingMove(ctx, from, to, 5);
}

// BRPOPLPUSH source destination timeout
void BRPopLPushCommand(CommandContext& ctx) {
  BlockingMove(ctx, ListEnd::kRight, ListEnd::kLeft, 3);
}

}  // namespace

void RegisterListCommands(CommandTable* t) {
  const std::string g = "list";
  auto add = [&](const char* name, int arity, uint32_t flags, int first, int last, int step,
                 CommandHandler h, const char* since, const char* summary) {
    std::vector<std::string> acl = {(flags & kCmdWrite) ? "@write" : "@read", "@list",
                                    (flags & kCmdFast) ? "@fast" : "@slow"};
    if (flags & kCmdBlocking) acl.push_back("@blocking");
    return t->Add(
        MakeCommand(name, arity, flags, first, last, step, h, g, since, summary, std::move(acl)));
  };
  const uint32_t kW = kCmdWrite, kR = kCmdReadOnly, kF = kCmdFast, kOom = kCmdDenyOom;
  add("lpush", -3, kW | kOom | kF, 1, 1, 1, LPushCommand, "1.0.0",
      "Prepend one or multiple elements to a list");
  add("rpush", -3, kW | kOom | kF, 1, 1, 1, RPushCommand, "1.0.0",
      "Append one or multiple elements to a list");
  add("lpushx", -3, kW | kOom | kF, 1, 1, 1, LPushXCommand, "2.2.0",
      "Prepend an element to a list, only if the list exists");
  add("rpushx", -3, kW | kOom | kF, 1, 1, 1, RPushXCommand, "2.2.0",
      "Append an element to a list, only if the list exists");
  add("lpop", -2, kW | kF, 1, 1, 1, LPopCommand, "1.0.0",
      "Remove and get the first elements in a list");
  add("rpop", -2, kW | kF, 1, 1, 1, RPopCommand, "1.0.0",
      "Remove and get the last elements in a list");
  add("llen", 2, kR | kF, 1, 1, 1, LLenCommand, "1.0.0", "Get the length of a list");
  add("lindex", 3, kR, 1, 1, 1, LIndexCommand, "1.0.0", "Get an element from a list by its index");
  add("lrange", 4, kR, 1, 1, 1, LRangeCommand, "1.0.0", "Get a range of elements from a list");
  add("lset", 4, kW | kOom, 1, 1, 1, LSetCommand, "1.0.0",
      "Set the value of an element in a list by its index");
  add("ltrim", 4, kW, 1, 1, 1, LTrimCommand, "1.0.0", "Trim a list to the specified range");
  add("lrem", 4, kW, 1, 1, 1, LRemCommand, "1.0.0", "Remove elements from a list");
  add("linsert", 5, kW | kOom, 1, 1, 1, LInsertCommand, "2.2.0",
      "Insert an element before or after another element in a list");
  add("lpos", -3, kR, 1, 1, 1, LPosCommand, "6.0.6",
      "Return the index of matching elements on a list");
  add("lmove", 5, kW | kOom, 1, 2, 1, LMoveCommand, "6.2.0",
      "Pop an element from a list, push it to another list and return it");
  add("rpoplpush", 3, kW | kOom, 1, 2, 1, RPopLPushCommand, "1.2.0",
      "Remove the last element in a list, prepend it to another list and return it");
  add("lmpop", -4, kW, 0, 0, 0, LMPopCommand, "7.0.0", "Pop elements from a list")->lock_keys =
      NumKeysLockKeys<1>;
  const uint32_t kB = kCmdWrite | kCmdBlocking;
  add("blpop", -3, kB | kCmdNoScript, 1, -2, 1, BLPopCommand, "2.0.0",
      "Remove and get the first element in a list, or block until one is available");
  add("brpop", -3, kB | kCmdNoScript, 1, -2, 1, BRPopCommand, "2.0.0",
      "Remove and get the last element in a list, or block until one is available");
  add("blmove", 6, kB | kOom | kCmdNoScript, 1, 2, 1, BLMoveCommand, "6.2.0",
      "Pop an element from a list, push it to another list and return it; or block until one "
      "is available");
  add("brpoplpush", 4, kB | kOom | kCmdNoScript, 1, 2, 1, BRPopLPushCommand, "2.2.0",
      "Pop an element from a list, push it to another list and return it; or block until one "
      "is available");
  add("blmpop", -5, kB, 0, 0, 0, BLMPopCommand, "7.0.0",
      "Pop elements from a list, or block until one is available")
      ->lock_keys = NumKeysLockKeys<2>;
}

}  // namespace basalt::server
