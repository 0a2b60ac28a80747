// String commands: GET SET and its options, counters, ranges, multi-key forms and LCS.
// Handlers parse and validate in Redis's order, call engine/string.h, and reply.
#include <optional>

#include "codec/numbers.h"
#include "engine/string.h"
#include "server/commands/args.h"
#include "server/errors.h"

namespace basalt::server {

namespace {

using engine::ExpireChange;
using engine::SetOptions;

void ReplyOptional(CommandContext& ctx, const std::optional<std::string>& v) {
  if (v.has_value()) {
    ctx.reply.Bulk(*v);
  } else {
    ctx.reply.Null();
  }
}

void ReplyExpireError(CommandContext& ctx, std::string_view command) {
  ctx.reply.Error("ERR invalid expire time in '" + std::string(command) + "' command");
}

// Turns an EX/PX/EXAT/PXAT argument into an absolute deadline, as Redis validates it.
bool ParseDeadline(CommandContext& ctx, size_t i, bool seconds, bool relative,
                   std::string_view command, uint64_t* at_ms) {
  int64_t v = 0;
  if (!ArgInt64(ctx, i, &v)) return false;
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    ReplyExpireError(ctx, command);
    return false;
  }
  if (seconds) v *= 1000;
  if (relative) {
    int64_t now = static_cast<int64_t>(engine::NowMs());
    if (v > INT64_MAX - now) {
      ReplyExpireError(ctx, command);
      return false;
    }
    v += now;
  }
  *at_ms = static_cast<uint64_t>(v);
  return true;
}

// Options shared by SET and GETEX. `is_set` allows NX/XX/GET/KEEPTTL, otherwise PERSIST.
struct ExtendedArgs {
  SetOptions set;
  size_t expire_arg = 0;  // index of the EX/PX/... value, 0 if none
  bool seconds = false, relative = false;
  bool persist = false;
};

bool ParseExtendedArgs(CommandContext& ctx, size_t first, bool is_set, ExtendedArgs* out) {
  enum {
    kNX = 1,
    kXX = 2,
    kGet = 4,
    kKeepTtl = 8,
    kPersist = 16,
    kEX = 32,
    kPX = 64,
    kEXAT = 128,
    kPXAT = 256
  };
  constexpr int kAnyExpire = kEX | kPX | kEXAT | kPXAT;
  int flags = 0;
  for (size_t j = first; j < ctx.argc(); ++j) {
    const std::string& opt = ctx.arg(j);
    bool has_next = j + 1 < ctx.argc();
    auto take_expire = [&](int flag, bool seconds, bool relative) {
      flags |= flag;
      out->expire_arg = ++j;
      out->seconds = seconds;
      out->relative = relative;
    };
    if (is_set && IEquals(opt, "nx") && !(flags & kXX)) {
      flags |= kNX;
    } else if (is_set && IEquals(opt, "xx") && !(flags & kNX)) {
      flags |= kXX;
    } else if (is_set && IEquals(opt, "get")) {
      flags |= kGet;
    } else if (is_set && IEquals(opt, "keepttl") && !(flags & (kPersist | kAnyExpire))) {
      flags |= kKeepTtl;
    } else if (!is_set && IEquals(opt, "persist") && !(flags & (kKeepTtl | kAnyExpire))) {
      flags |= kPersist;
    } else if (IEquals(opt, "ex") && !(flags & (kKeepTtl | kPersist | kEXAT | kPX | kPXAT)) &&
               has_next) {
      take_expire(kEX, true, true);
    } else if (IEquals(opt, "px") && !(flags & (kKeepTtl | kPersist | kEX | kEXAT | kPXAT)) &&
               has_next) {
      take_expire(kPX, false, true);
    } else if (IEquals(opt, "exat") && !(flags & (kKeepTtl | kPersist | kEX | kPX | kPXAT)) &&
               has_next) {
      take_expire(kEXAT, true, false);
    } else if (IEquals(opt, "pxat") && !(flags & (kKeepTtl | kPersist | kEX | kEXAT | kPX)) &&
               has_next) {
      take_expire(kPXAT, false, false);
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  using Cond = SetOptions::Condition;
  out->set.condition = (flags & kNX)   ? Cond::kIfAbsent
                       : (flags & kXX) ? Cond::kIfPresent
                                       : Cond::kAlways;
  out->set.get_old = flags & kGet;
  out->persist = flags & kPersist;
  if (flags & kKeepTtl) out->set.expire.mode = ExpireChange::Mode::kKeep;
  return true;
}

// SET key value [NX | XX] [GET] [EX seconds | PX ms | EXAT ts | PXAT ms-ts | KEEPTTL]
void SetCommand(CommandContext& ctx) {
  ExtendedArgs args;
  if (!ParseExtendedArgs(ctx, 3, true, &args)) return;
  if (args.expire_arg != 0) {
    args.set.expire.mode = ExpireChange::Mode::kSetAt;
    if (!ParseDeadline(ctx, args.expire_arg, args.seconds, args.relative, "set",
                       &args.set.expire.at_ms)) {
      return;
    }
  }
  auto r = engine::StringSet(ctx.db(), ctx.arg(1), ctx.arg(2), args.set);
  if (!CheckStatus(ctx, r.status())) return;
  if (args.set.get_old) {
    ReplyOptional(ctx, r->old);
  } else if (r->written) {
    ctx.reply.SimpleString("OK");
  } else {
    ctx.reply.Null();
  }
}

// GET key
void GetCommand(CommandContext& ctx) {
  auto r = engine::StringGet(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ReplyOptional(ctx, *r);
}

// SETNX key value
void SetNxCommand(CommandContext& ctx) {
  SetOptions o;
  o.condition = SetOptions::Condition::kIfAbsent;
  auto r = engine::StringSet(ctx.db(), ctx.arg(1), ctx.arg(2), o);
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(r->written ? 1 : 0);
}

void SetWithTtl(CommandContext& ctx, bool seconds, std::string_view name) {
  SetOptions o;
  o.expire.mode = ExpireChange::Mode::kSetAt;
  if (!ParseDeadline(ctx, 2, seconds, true, name, &o.expire.at_ms)) return;
  auto r = engine::StringSet(ctx.db(), ctx.arg(1), ctx.arg(3), o);
  if (CheckStatus(ctx, r.status())) ctx.reply.SimpleString("OK");
}

// SETEX key seconds value
void SetExCommand(CommandContext& ctx) { SetWithTtl(ctx, true, "setex"); }
// PSETEX key milliseconds value
void PSetExCommand(CommandContext& ctx) { SetWithTtl(ctx, false, "psetex"); }

// GETSET key value
void GetSetCommand(CommandContext& ctx) {
  SetOptions o;
  o.get_old = true;
  auto r = engine::StringSet(ctx.db(), ctx.arg(1), ctx.arg(2), o);
  if (CheckStatus(ctx, r.status())) ReplyOptional(ctx, r->old);
}

// GETDEL key
void GetDelCommand(CommandContext& ctx) {
  auto r = engine::StringGetDel(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ReplyOptional(ctx, *r);
}

// GETEX key [EX seconds | PX ms | EXAT ts | PXAT ms-ts | PERSIST]
void GetExCommand(CommandContext& ctx) {
  ExtendedArgs args;
  if (!ParseExtendedArgs(ctx, 2, false, &args)) return;
  // Redis looks the key up (and checks its type) before it validates the expire time.
  auto current = engine::StringGet(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, current.status())) return;
  if (!current->has_value()) {
    ctx.reply.Null();
    return;
  }
  ExpireChange change;
  change.mode = args.persist ? ExpireChange::Mode::kClear : ExpireChange::Mode::kKeep;
  if (args.expire_arg != 0) {
    change.mode = ExpireChange::Mode::kSetAt;
    if (!ParseDeadline(ctx, args.expire_arg, args.seconds, args.relative, "getex", &change.at_ms)) {
      return;
    }
  }
  auto r = engine::StringGetEx(ctx.db(), ctx.arg(1), change);
  if (CheckStatus(ctx, r.status())) ReplyOptional(ctx, *r);
}

// MGET key [key ...]
void MGetCommand(CommandContext& ctx) {
  auto r = engine::StringMGet(ctx.db(), ArgViews(ctx, 1));
  if (!CheckStatus(ctx, r.status())) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(r->size()));
  for (const auto& v : *r) ReplyOptional(ctx, v);
}

void MSetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply.Error("ERR wrong number of arguments for '" + std::string(nx ? "msetnx" : "mset") +
                    "' command");
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> kvs;
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) kvs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  auto r = engine::StringMSet(ctx.db(), kvs, nx);
  if (!CheckStatus(ctx, r.status())) return;
  if (nx) {
    ctx.reply.Integer(*r ? 1 : 0);
  } else {
    ctx.reply.SimpleString("OK");
  }
}

// MSET key value [key value ...]
void MSetCommand(CommandContext& ctx) { MSetGeneric(ctx, false); }
// MSETNX key value [key value ...]
void MSetNxCommand(CommandContext& ctx) { MSetGeneric(ctx, true); }

void IncrGeneric(CommandContext& ctx, int64_t delta) {
  auto r = engine::StringIncrBy(ctx.db(), ctx.arg(1), delta);
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// INCR key
void IncrCommand(CommandContext& ctx) { IncrGeneric(ctx, 1); }
// DECR key
void DecrCommand(CommandContext& ctx) { IncrGeneric(ctx, -1); }
// INCRBY key increment
void IncrByCommand(CommandContext& ctx) {
  int64_t d = 0;
  if (ArgInt64(ctx, 2, &d)) IncrGeneric(ctx, d);
}
// DECRBY key decrement
void DecrByCommand(CommandContext& ctx) {
  int64_t d = 0;
  if (!ArgInt64(ctx, 2, &d)) return;
  if (d == INT64_MIN) {
    ctx.reply.Error("ERR decrement would overflow");
    return;
  }
  IncrGeneric(ctx, -d);
}

// INCRBYFLOAT key increment
void IncrByFloatCommand(CommandContext& ctx) {
  long double d = 0;
  if (!codec::ParseLongDouble(ctx.arg(2), &d)) {
    // Redis type-checks the key before it parses the increment.
    auto current = engine::StringGet(ctx.db(), ctx.arg(1));
    if (CheckStatus(ctx, current.status())) ctx.reply.Error(kErrNotFloat);
    return;
  }
  auto r = engine::StringIncrByFloat(ctx.db(), ctx.arg(1), d);
  if (CheckStatus(ctx, r.status())) ctx.reply.Bulk(*r);
}

// APPEND key value
void AppendCommand(CommandContext& ctx) {
  auto r = engine::StringAppend(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// STRLEN key
void StrLenCommand(CommandContext& ctx) {
  auto r = engine::StringLength(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// GETRANGE key start end (SUBSTR is the old name)
void GetRangeCommand(CommandContext& ctx) {
  int64_t start = 0, end = 0;
  if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &end)) return;
  auto r = engine::StringGetRange(ctx.db(), ctx.arg(1), start, end);
  if (CheckStatus(ctx, r.status())) ctx.reply.Bulk(*r);
}

// SETRANGE key offset value
void SetRangeCommand(CommandContext& ctx) {
  int64_t offset = 0;
  if (!ArgInt64(ctx, 2, &offset)) return;
  if (offset < 0) {
    ctx.reply.Error("ERR offset is out of range");
    return;
  }
  auto r = engine::StringSetRange(ctx.db(), ctx.arg(1), offset, ctx.arg(3));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
void LcsCommand(CommandContext& ctx) {
  std::string values[2];
  for (int k = 0; k < 2; ++k) {
    engine::KeyRecord rec;
    if (!CheckStatus(ctx, ctx.server.engine->Lookup(ctx.db(), ctx.arg(1 + k), &rec))) return;
    if (rec.live() && rec.meta.type != codec::KeyType::kString) {
      ctx.reply.Error("ERR The specified keys must contain string values");
      return;
    }
    if (rec.live()) values[k].assign(rec.meta.value);
  }
  bool len = false, idx = false, with_len = false;
  int64_t min_len = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const std::string& opt = ctx.arg(j);
    if (IEquals(opt, "idx")) {
      idx = true;
    } else if (IEquals(opt, "len")) {
      len = true;
    } else if (IEquals(opt, "withmatchlen")) {
      with_len = true;
    } else if (IEquals(opt, "minmatchlen") && j + 1 < ctx.argc()) {
      if (!ArgInt64(ctx, ++j, &min_len)) return;
      if (min_len < 0) min_len = 0;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  if (len && idx) {
    ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  // The dynamic-programming table holds (alen+1)*(blen+1) 32-bit cells; refuse what Redis
  // refuses rather than let one command exhaust memory.
  const uint64_t alen = values[0].size(), blen = values[1].size();
  if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
    ctx.reply.Error("ERR String too long for LCS");
    return;
  }
  if ((alen + 1) * (blen + 1) * sizeof(uint32_t) >
      static_cast<uint64_t>(ctx.server.proto_max_bulk_len.load())) {
    ctx.reply.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  engine::LcsResult r = engine::ComputeLcs(values[0], values[1], idx, min_len);
  if (len) {
    ctx.reply.Integer(static_cast<int64_t>(r.sequence.size()));
  } else if (!idx) {
    ctx.reply.Bulk(r.sequence);
  } else {
    ctx.reply.MapHeader(2);
    ctx.reply.Bulk("matches");
    ctx.reply.ArrayHeader(static_cast<int64_t>(r.matches.size()));
    for (const auto& m : r.matches) {
      ctx.reply.ArrayHeader(with_len ? 3 : 2);
      ctx.reply.ArrayHeader(2);
      ctx.reply.Integer(m.a_start);
      ctx.reply.Integer(m.a_end);
      ctx.reply.ArrayHeader(2);
      ctx.reply.Integer(m.b_start);
      ctx.reply.Integer(m.b_end);
      if (with_len) ctx.reply.Integer(m.a_end - m.a_start + 1);
    }
    ctx.reply.Bulk("len");
    ctx.reply.Integer(static_cast<int64_t>(r.sequence.size()));
  }
}

}  // namespace

void RegisterStringCommands(CommandTable* t) {
  const uint32_t kW = kCmdWrite | kCmdDenyOom;
  const uint32_t kR = kCmdReadOnly;
  const std::string s = "string";
  auto add = [&](const char* name, int arity, uint32_t flags, int first, int last, int step,
                 CommandHandler h, const char* since, const char* summary, bool write) {
    t->Add(MakeCommand(
        name, arity, flags, first, last, step, h, s, since, summary,
        {write ? "@write" : "@read", "@string", (flags & kCmdFast) ? "@fast" : "@slow"}));
  };
  add("get", 2, kR | kCmdFast, 1, 1, 1, GetCommand, "1.0.0", "Get the value of a key", false);
  add("set", -3, kW, 1, 1, 1, SetCommand, "1.0.0", "Set the string value of a key", true);
  add("setnx", 3, kW | kCmdFast, 1, 1, 1, SetNxCommand, "1.0.0",
      "Set the value of a key, only if the key does not exist", true);
  add("setex", 4, kW, 1, 1, 1, SetExCommand, "2.0.0", "Set the value and expiration of a key",
      true);
  add("psetex", 4, kW, 1, 1, 1, PSetExCommand, "2.6.0",
      "Set the value and expiration in milliseconds of a key", true);
  add("getset", 3, kW | kCmdFast, 1, 1, 1, GetSetCommand, "1.0.0",
      "Set the string value of a key and return its old value", true);
  add("getdel", 2, kCmdWrite | kCmdFast, 1, 1, 1, GetDelCommand, "6.2.0",
      "Get the value of a key and delete the key", true);
  add("getex", -2, kCmdWrite | kCmdFast, 1, 1, 1, GetExCommand, "6.2.0",
      "Get the value of a key and optionally set its expiration", true);
  add("mget", -2, kR | kCmdFast, 1, -1, 1, MGetCommand, "1.0.0",
      "Get the values of all the given keys", false);
  add("mset", -3, kW, 1, -1, 2, MSetCommand, "1.0.1", "Set multiple keys to multiple values", true);
  add("msetnx", -3, kW, 1, -1, 2, MSetNxCommand, "1.0.1",
      "Set multiple keys to multiple values, only if none of the keys exist", true);
  add("incr", 2, kW | kCmdFast, 1, 1, 1, IncrCommand, "1.0.0",
      "Increment the integer value of a key by one", true);
  add("decr", 2, kW | kCmdFast, 1, 1, 1, DecrCommand, "1.0.0",
      "Decrement the integer value of a key by one", true);
  add("incrby", 3, kW | kCmdFast, 1, 1, 1, IncrByCommand, "1.0.0",
      "Increment the integer value of a key by the given amount", true);
  add("decrby", 3, kW | kCmdFast, 1, 1, 1, DecrByCommand, "1.0.0",
      "Decrement the integer value of a key by the given number", true);
  add("incrbyfloat", 3, kW | kCmdFast, 1, 1, 1, IncrByFloatCommand, "2.6.0",
      "Increment the float value of a key by the given amount", true);
  add("append", 3, kW | kCmdFast, 1, 1, 1, AppendCommand, "2.0.0", "Append a value to a key", true);
  add("strlen", 2, kR | kCmdFast, 1, 1, 1, StrLenCommand, "2.2.0",
      "Get the length of the value stored in a key", false);
  add("getrange", 4, kR, 1, 1, 1, GetRangeCommand, "2.4.0",
      "Get a substring of the string stored at a key", false);
  add("substr", 4, kR, 1, 1, 1, GetRangeCommand, "1.0.0",
      "Get a substring of the string stored at a key", false);
  add("setrange", 4, kW, 1, 1, 1, SetRangeCommand, "2.2.0",
      "Overwrite part of a string at key starting at the specified offset", true);
  add("lcs", -3, kR, 1, 2, 1, LcsCommand, "7.0.0", "Find longest common substring", false);
}

}  // namespace basalt::server
