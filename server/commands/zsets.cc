// Sorted-set commands. Handlers parse and validate in Redis 7.0's order (ZADD parses every
// score before looking the key up; the range commands parse their range, then look the key up;
// ZSCAN looks the key up before parsing its options), call engine/zset.h, and reply. Scores are
// replied as Redis 7.0 does: "%.17g" bulk strings in RESP2, doubles in RESP3; WITHSCORES and
// counted pops reply flat member/score lists in RESP2 and [member, score] pairs in RESP3.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "codec/numbers.h"
#include "engine/zset.h"
#include "server/blocking.h"
#include "server/commands/args.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_cursors.h"

namespace basalt::server {

namespace {

using engine::ScoredMember;
using engine::ZRangeSpec;

constexpr std::string_view kErrScoreRange = "ERR min or max is not a float";
constexpr std::string_view kErrLexRange = "ERR min or max not valid string range item";
constexpr std::string_view kErrXxNx = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kErrGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kErrIncrPair =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kErrLimitRank =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kErrWithScoresLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
constexpr std::string_view kErrPositive = "ERR value is out of range, must be positive";
constexpr std::string_view kErrRandRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

bool Resp2(const CommandContext& ctx) { return ctx.reply.protocol() == 2; }

// Elements with scores: flat in RESP2, [member, score] pairs in RESP3 (or when `pairs` is
// false, always flat, as ZPOPMIN without a count replies).
void ReplyElements(CommandContext& ctx, const std::vector<ScoredMember>& elements, bool with_scores,
                   bool pairs = true) {
  const int64_t n = static_cast<int64_t>(elements.size());
  if (!with_scores) {
    ctx.reply.ArrayHeader(n);
    for (const ScoredMember& e : elements) ctx.reply.Bulk(e.member);
    return;
  }
  const bool nested = pairs && !Resp2(ctx);
  ctx.reply.ArrayHeader(nested ? n : 2 * n);
  for (const ScoredMember& e : elements) {
    if (nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(e.member);
    ctx.reply.Double(e.score);
  }
}

// Redis's zslParseRange item: "(" for exclusive, then a float that is not NaN.
bool ParseScoreBound(std::string_view s, engine::ScoreBound* out) {
  out->exclusive = !s.empty() && s.front() == '(';
  if (out->exclusive) s.remove_prefix(1);
  return codec::ParseDouble(s, &out->value) && !std::isnan(out->value);
}

// Redis's zslParseLexRangeItem: "+", "-", "(value" or "[value".
bool ParseLexBound(std::string_view s, engine::LexBound* out) {
  using Kind = engine::LexBound::Kind;
  if (s.empty()) return false;
  switch (s.front()) {
    case '+':
    case '-':
      if (s.size() != 1) return false;
      out->kind = s.front() == '+' ? Kind::kPosInf : Kind::kNegInf;
      return true;
    case '(':
    case '[':
      out->kind = Kind::kValue;
      out->exclusive = s.front() == '(';
      out->value.assign(s.substr(1));
      return true;
    default:
      return false;
  }
}

bool ParseScoreRange(CommandContext& ctx, size_t min, size_t max, ZRangeSpec* spec) {
  spec->kind = ZRangeSpec::Kind::kScore;
  if (ParseScoreBound(ctx.arg(min), &spec->min) && ParseScoreBound(ctx.arg(max), &spec->max)) {
    return true;
  }
  ctx.reply.Error(kErrScoreRange);
  return false;
}

bool ParseLexRange(CommandContext& ctx, size_t min, size_t max, ZRangeSpec* spec) {
  spec->kind = ZRangeSpec::Kind::kLex;
  if (ParseLexBound(ctx.arg(min), &spec->lex_min) && ParseLexBound(ctx.arg(max), &spec->lex_max)) {
    return true;
  }
  ctx.reply.Error(kErrLexRange);
  return false;
}

bool ParseRankRange(CommandContext& ctx, size_t start, size_t stop, ZRangeSpec* spec) {
  spec->kind = ZRangeSpec::Kind::kRank;
  return ArgInt64(ctx, start, &spec->start) && ArgInt64(ctx, stop, &spec->stop);
}

// ZADD's leading flags; returns the index of the first score.
size_t ParseZAddFlags(const CommandContext& ctx, engine::ZAddOptions* o) {
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool* flag = IEquals(a, "nx")     ? &o->nx
                 : IEquals(a, "xx")   ? &o->xx
                 : IEquals(a, "ch")   ? &o->ch
                 : IEquals(a, "incr") ? &o->incr
                 : IEquals(a, "gt")   ? &o->gt
                 : IEquals(a, "lt")   ? &o->lt
                                      : nullptr;
    if (flag == nullptr) break;
    *flag = true;
  }
  return i;
}

bool CheckZAddFlags(CommandContext& ctx, const engine::ZAddOptions& o, size_t elements) {
  std::string_view error;
  if (elements % 2 != 0 || elements == 0) {
    error = kErrSyntax;
  } else if (o.incr && elements > 2) {
    error = kErrIncrPair;
  } else if (o.nx && o.xx) {
    error = kErrXxNx;
  } else if ((o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt)) {
    error = kErrGtLtNx;
  }
  if (error.empty()) return true;
  ctx.reply.Error(error);
  return false;
}

// The number of distinct members of `pairs` not in the sorted set at ctx.arg(1), or -1 when
// that cannot be read (the write then reports the error).
int64_t CountAbsentMembers(CommandContext& ctx, const std::vector<engine::ZAddPair>& pairs) {
  std::vector<std::string_view> members;
  for (const auto& p : pairs) members.push_back(p.member);
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  auto scores = engine::ZSetScores(ctx.db(), ctx.arg(1), members);
  if (!scores.ok()) return -1;
  int64_t absent = 0;
  for (const auto& sc : *scores) absent += sc.has_value() ? 0 : 1;
  return absent;
}

void ZAddGeneric(CommandContext& ctx, engine::ZAddOptions o, size_t first) {
  if (!CheckZAddFlags(ctx, o, ctx.argc() - first)) return;
  std::vector<engine::ZAddPair> pairs;
  for (size_t i = first; i < ctx.argc(); i += 2) {
    double score = 0;
    if (!ArgDouble(ctx, i, &score)) return;
    pairs.push_back({score, ctx.arg(i + 1)});
  }
  // Redis publishes zadd when members were added or updated; without CH the reply counts only
  // the added ones, so with events on ask the engine for both and count the added ones here.
  int64_t added = -1;
  if (!o.incr && !o.ch && NotifyEnabled(ctx, kNotifyZset)) {
    added = CountAbsentMembers(ctx, pairs);
    if (added >= 0) {
      if (o.xx) added = 0;
      o.ch = true;
    }
  }
  auto r = engine::ZSetAdd(ctx.db(), ctx.arg(1), o, pairs);
  if (!CheckStatus(ctx, r.status())) return;
  if (o.incr ? r->score.has_value() : r->changed > 0) {
    Notify(ctx, kNotifyZset, o.incr ? "zincr" : "zadd", ctx.arg(1));
  }
  if (!o.incr) {
    ctx.reply.Integer(added >= 0 ? added : r->changed);
  } else if (r->score.has_value()) {
    ctx.reply.Double(*r->score);
  } else {
    ctx.reply.Null();
  }
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
void ZAddCommand(CommandContext& ctx) {
  engine::ZAddOptions o;
  size_t first = ParseZAddFlags(ctx, &o);
  ZAddGeneric(ctx, o, first);
}

// ZINCRBY key increment member
void ZIncrByCommand(CommandContext& ctx) {
  engine::ZAddOptions o;
  o.incr = true;
  ZAddGeneric(ctx, o, 2);
}

// ZREM key member [member ...]
void ZRemCommand(CommandContext& ctx) {
  auto r = engine::ZSetRemove(ctx.db(), ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) {
    Notify(ctx, kNotifyZset, "zrem", ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
  }
  ctx.reply.Integer(*r);
}

// ZCARD key
void ZCardCommand(CommandContext& ctx) {
  auto r = engine::ZSetCard(ctx.db(), ctx.arg(1));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

void ReplyScore(CommandContext& ctx, const std::optional<double>& score) {
  if (score.has_value()) {
    ctx.reply.Double(*score);
  } else {
    ctx.reply.Null();
  }
}

// ZSCORE key member
void ZScoreCommand(CommandContext& ctx) {
  auto r = engine::ZSetScores(ctx.db(), ctx.arg(1), {ctx.arg(2)});
  if (CheckStatus(ctx, r.status())) ReplyScore(ctx, r->front());
}

// ZMSCORE key member [member ...]
void ZMScoreCommand(CommandContext& ctx) {
  auto r = engine::ZSetScores(ctx.db(), ctx.arg(1), ArgViews(ctx, 2));
  if (!CheckStatus(ctx, r.status())) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(r->size()));
  for (const auto& s : *r) ReplyScore(ctx, s);
}

void RankGeneric(CommandContext& ctx, bool reverse) {
  auto r = engine::ZSetRank(ctx.db(), ctx.arg(1), ctx.arg(2), reverse);
  if (!CheckStatus(ctx, r.status())) return;
  if (r->has_value()) {
    ctx.reply.Integer(**r);
  } else {
    ctx.reply.Null();
  }
}

// ZRANK key member
void ZRankCommand(CommandContext& ctx) { RankGeneric(ctx, false); }
// ZREVRANK key member
void ZRevRankCommand(CommandContext& ctx) { RankGeneric(ctx, true); }

// ZCOUNT key min max
void ZCountCommand(CommandContext& ctx) {
  ZRangeSpec spec;
  if (!ParseScoreRange(ctx, 2, 3, &spec)) return;
  auto r = engine::ZSetCount(ctx.db(), ctx.arg(1), spec);
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// ZLEXCOUNT key min max
void ZLexCountCommand(CommandContext& ctx) {
  ZRangeSpec spec;
  if (!ParseLexRange(ctx, 2, 3, &spec)) return;
  auto r = engine::ZSetCount(ctx.db(), ctx.arg(1), spec);
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

struct RangeArgs {
  RangeType type;
  Direction direction;
  bool with_scores = false;
  bool limit_given = false;
};

// The options after min/max, as Redis's zrangeGenericCommand parses them.
bool ParseRangeOptions(CommandContext& ctx, size_t first, bool store, RangeArgs* a,
                       ZRangeSpec* spec) {
  for (size_t j = first; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if (!store && IEquals(opt, "withscores")) {
      a->with_scores = true;
    } else if (IEquals(opt, "limit") && left >= 2) {
      if (!ArgInt64(ctx, j + 1, &spec->offset) || !ArgInt64(ctx, j + 2, &spec->limit)) {
        return false;
      }
      a->limit_given = true;
      j += 2;
    } else if (a->direction == Direction::kAuto && IEquals(opt, "rev")) {
      a->direction = Direction::kReverse;
    } else if (a->type == RangeType::kAuto && IEquals(opt, "bylex")) {
      a->type = RangeType::kLex;
    } else if (a->type == RangeType::kAuto && IEquals(opt, "byscore")) {
      a->type = RangeType::kScore;
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Parses a ZRANGE-family command whose key is at `key` (min and max follow it) into `spec`.
bool ParseRange(CommandContext& ctx, size_t key, bool store, RangeArgs* a, ZRangeSpec* spec) {
  if (!ParseRangeOptions(ctx, key + 3, store, a, spec)) return false;
  if (a->direction == Direction::kAuto) a->direction = Direction::kForward;
  if (a->type == RangeType::kAuto) a->type = RangeType::kRank;
  if (a->limit_given && spec->limit != -1 && a->type == RangeType::kRank) {
    ctx.reply.Error(kErrLimitRank);
    return false;
  }
  if (a->with_scores && a->type == RangeType::kLex) {
    ctx.reply.Error(kErrWithScoresLex);
    return false;
  }
  spec->reverse = a->direction == Direction::kReverse;
  size_t min = key + 1, max = key + 2;
  if (spec->reverse && a->type != RangeType::kRank) std::swap(min, max);
  switch (a->type) {
    case RangeType::kScore:
      return ParseScoreRange(ctx, min, max, spec);
    case RangeType::kLex:
      return ParseLexRange(ctx, min, max, spec);
    default:
      return ParseRankRange(ctx, min, max, spec);
  }
}

void RangeGeneric(CommandContext& ctx, RangeType type, Direction direction) {
  RangeArgs a{type, direction};
  ZRangeSpec spec;
  if (!ParseRange(ctx, 1, false, &a, &spec)) return;
  auto r = engine::ZSetRange(ctx.db(), ctx.arg(1), spec);
  if (CheckStatus(ctx, r.status())) ReplyElements(ctx, *r, a.with_scores);
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
void ZRangeCommand(CommandContext& ctx) { RangeGeneric(ctx, RangeType::kAuto, Direction::kAuto); }
// ZREVRANGE key start stop [WITHSCORES]
void ZRevRangeCommand(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kRank, Direction::kReverse);
}
// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
void ZRangeByScoreCommand(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kScore, Direction::kForward);
}
// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
void ZRevRangeByScoreCommand(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kScore, Direction::kReverse);
}
// ZRANGEBYLEX key min max [LIMIT offset count]
void ZRangeByLexCommand(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kLex, Direction::kForward);
}
// ZREVRANGEBYLEX key max min [LIMIT offset count]
void ZRevRangeByLexCommand(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kLex, Direction::kReverse);
}

// The events of a store into ctx.arg(1): `event` if it stored something, else del if it
// deleted an existing destination.
void NotifyStored(CommandContext& ctx, const char* event, int64_t stored, bool existed) {
  if (stored > 0) {
    Notify(ctx, kNotifyZset, event, ctx.arg(1));
  } else if (existed) {
    Notify(ctx, kNotifyGeneric, "del", ctx.arg(1));
  }
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
void ZRangeStoreCommand(CommandContext& ctx) {
  RangeArgs a{RangeType::kAuto, Direction::kAuto};
  ZRangeSpec spec;
  if (!ParseRange(ctx, 2, true, &a, &spec)) return;
  const bool existed = NotifyEnabled(ctx, kNotifyGeneric) && KeyExists(ctx, ctx.arg(1));
  auto r = engine::ZSetRangeStore(ctx.db(), ctx.arg(1), ctx.arg(2), spec);
  if (!CheckStatus(ctx, r.status())) return;
  NotifyStored(ctx, "zrangestore", *r, existed);
  ctx.reply.Integer(*r);
}

void RemoveRange(CommandContext& ctx, const ZRangeSpec& spec, const char* event) {
  auto r = engine::ZSetRemoveRange(ctx.db(), ctx.arg(1), spec);
  if (!CheckStatus(ctx, r.status())) return;
  if (*r > 0) {
    Notify(ctx, kNotifyZset, event, ctx.arg(1));
    NotifyDelIfGone(ctx, ctx.arg(1));
  }
  ctx.reply.Integer(*r);
}

// ZREMRANGEBYRANK key start stop
void ZRemRangeByRankCommand(CommandContext& ctx) {
  ZRangeSpec spec;
  if (ParseRankRange(ctx, 2, 3, &spec)) RemoveRange(ctx, spec, "zremrangebyrank");
}
// ZREMRANGEBYSCORE key min max
void ZRemRangeByScoreCommand(CommandContext& ctx) {
  ZRangeSpec spec;
  if (ParseScoreRange(ctx, 2, 3, &spec)) RemoveRange(ctx, spec, "zremrangebyscore");
}
// ZREMRANGEBYLEX key min max
void ZRemRangeByLexCommand(CommandContext& ctx) {
  ZRangeSpec spec;
  if (ParseLexRange(ctx, 2, 3, &spec)) RemoveRange(ctx, spec, "zremrangebylex");
}

// zpopmin / zpopmax for `key` of `db`, then del if that emptied it.
void NotifyZPopped(const engine::Db& db, bool max, std::string_view key) {
  NotifyServe(db, kNotifyZset, max ? "zpopmax" : "zpopmin", key);
  NotifyServeDelIfGone(db, key);
}

void PopGeneric(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  int64_t count = 1;
  if (ctx.argc() == 3 && (!codec::ParseInt64(ctx.arg(2), &count) || count < 0)) {
    ctx.reply.Error(kErrPositive);
    return;
  }
  auto r = engine::ZSetPop(ctx.db(), ctx.arg(1), static_cast<uint64_t>(count), max);
  if (!CheckStatus(ctx, r.status())) return;
  if (!r->empty()) NotifyZPopped(ctx.db(), max, ctx.arg(1));
  ReplyElements(ctx, *r, true, ctx.argc() == 3);
}

// ZPOPMIN key [count]
void ZPopMinCommand(CommandContext& ctx) { PopGeneric(ctx, false); }
// ZPOPMAX key [count]
void ZPopMaxCommand(CommandContext& ctx) { PopGeneric(ctx, true); }

// ZRANDMEMBER key [count [WITHSCORES]]
void ZRandMemberCommand(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    auto r = engine::ZSetRandomMembers(ctx.db(), ctx.arg(1), 1);
    if (!CheckStatus(ctx, r.status())) return;
    if (r->empty()) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(r->front().member);
    }
    return;
  }
  int64_t count = 0;
  if (!ArgInt64(ctx, 2, &count)) return;
  if (count == INT64_MIN) {
    ctx.reply.Error(kErrRandRange);
    return;
  }
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !IEquals(ctx.arg(3), "withscores"))) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  const bool with_scores = ctx.argc() == 4;
  if (with_scores && (count < -INT64_MAX / 2 || count > INT64_MAX / 2)) {
    ctx.reply.Error("ERR value is out of range");
    return;
  }
  auto r = engine::ZSetRandomMembers(ctx.db(), ctx.arg(1), count);
  if (CheckStatus(ctx, r.status())) ReplyElements(ctx, *r, with_scores);
}

// --- algebra ---------------------------------------------------------------------------------

struct AlgebraArgs {
  std::vector<std::string_view> keys;
  std::vector<double> weights;
  engine::ZAggregate aggregate = engine::ZAggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;
};

// Parses "numkeys key [key ...]" starting at argv[at]; replies and returns false on error.
bool ParseNumKeys(CommandContext& ctx, size_t at, AlgebraArgs* a) {
  int64_t numkeys = 0;
  if (!ArgInt64(ctx, at, &numkeys)) return false;
  if (numkeys < 1) {
    ctx.reply.Error("ERR at least 1 input key is needed for '" + ToLower(ctx.arg(0)) + "' command");
    return false;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc() - at - 1)) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  a->keys.assign(ctx.argv.begin() + at + 1, ctx.argv.begin() + at + 1 + numkeys);
  return true;
}

// The options after the keys, as Redis's zunionInterDiffGenericCommand parses them. Returns
// the error text (empty on success) without replying.
std::string_view ParseAlgebraOptions(const CommandContext& ctx, size_t j, engine::ZSetOp op,
                                     bool store, bool card_only, AlgebraArgs* a) {
  const size_t n = a->keys.size();
  const bool scored = op != engine::ZSetOp::kDiff && !card_only;
  while (j < ctx.argc()) {
    const size_t remaining = ctx.argc() - j;
    std::string_view opt = ctx.arg(j);
    if (scored && remaining >= n + 1 && IEquals(opt, "weights")) {
      a->weights.resize(n);
      for (size_t i = 0; i < n; ++i) {
        if (!codec::ParseDouble(ctx.arg(j + 1 + i), &a->weights[i])) {
          return "ERR weight value is not a float";
        }
      }
      j += n + 1;
    } else if (scored && remaining >= 2 && IEquals(opt, "aggregate")) {
      std::string_view v = ctx.arg(j + 1);
      if (IEquals(v, "sum")) {
        a->aggregate = engine::ZAggregate::kSum;
      } else if (IEquals(v, "min")) {
        a->aggregate = engine::ZAggregate::kMin;
      } else if (IEquals(v, "max")) {
        a->aggregate = engine::ZAggregate::kMax;
      } else {
        return kErrSyntax;
      }
      j += 2;
    } else if (!store && !card_only && IEquals(opt, "withscores")) {
      a->with_scores = true;
      j += 1;
    } else if (card_only && remaining >= 2 && IEquals(opt, "limit")) {
      if (!codec::ParseInt64(ctx.arg(j + 1), &a->limit) || a->limit < 0) {
        return "ERR LIMIT can't be negative";
      }
      j += 2;
    } else {
      return kErrSyntax;
    }
  }
  return {};
}

// Parses numkeys, keys (type-checked before the options, as in Redis) and options.
bool ParseAlgebra(CommandContext& ctx, size_t numkeys_at, engine::ZSetOp op, bool store,
                  bool card_only, AlgebraArgs* a) {
  if (!ParseNumKeys(ctx, numkeys_at, a)) return false;
  if (!CheckStatus(ctx, engine::ZSetCheckSources(ctx.db(), a->keys))) return false;
  std::string_view error =
      ParseAlgebraOptions(ctx, numkeys_at + 1 + a->keys.size(), op, store, card_only, a);
  if (error.empty()) return true;
  ctx.reply.Error(error);
  return false;
}

void CombineCommand(CommandContext& ctx, engine::ZSetOp op) {
  AlgebraArgs a;
  if (!ParseAlgebra(ctx, 1, op, false, false, &a)) return;
  auto r = engine::ZSetCombine(ctx.db(), op, a.keys, a.weights, a.aggregate);
  if (CheckStatus(ctx, r.status())) ReplyElements(ctx, *r, a.with_scores);
}

void StoreCommand(CommandContext& ctx, engine::ZSetOp op) {
  AlgebraArgs a;
  if (!ParseAlgebra(ctx, 2, op, true, false, &a)) return;
  const bool existed = NotifyEnabled(ctx, kNotifyGeneric) && KeyExists(ctx, ctx.arg(1));
  auto r = engine::ZSetCombineStore(ctx.db(), op, ctx.arg(1), a.keys, a.weights, a.aggregate);
  if (!CheckStatus(ctx, r.status())) return;
  NotifyStored(ctx,
               op == engine::ZSetOp::kUnion   ? "zunionstore"
               : op == engine::ZSetOp::kInter ? "zinterstore"
                                              : "zdiffstore",
               *r, existed);
  ctx.reply.Integer(*r);
}

// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
void ZUnionCommand(CommandContext& ctx) { CombineCommand(ctx, engine::ZSetOp::kUnion); }
// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
void ZInterCommand(CommandContext& ctx) { CombineCommand(ctx, engine::ZSetOp::kInter); }
// ZDIFF numkeys key [key ...] [WITHSCORES]
void ZDiffCommand(CommandContext& ctx) { CombineCommand(ctx, engine::ZSetOp::kDiff); }
// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE ...]
void ZUnionStoreCommand(CommandContext& ctx) { StoreCommand(ctx, engine::ZSetOp::kUnion); }
// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE ...]
void ZInterStoreCommand(CommandContext& ctx) { StoreCommand(ctx, engine::ZSetOp::kInter); }
// ZDIFFSTORE destination numkeys key [key ...]
void ZDiffStoreCommand(CommandContext& ctx) { StoreCommand(ctx, engine::ZSetOp::kDiff); }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
void ZInterCardCommand(CommandContext& ctx) {
  AlgebraArgs a;
  if (!ParseAlgebra(ctx, 1, engine::ZSetOp::kInter, false, true, &a)) return;
  auto r = engine::ZSetInterCard(ctx.db(), a.keys, static_cast<uint64_t>(a.limit));
  if (CheckStatus(ctx, r.status())) ctx.reply.Integer(*r);
}

// Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) with a custom message.
bool ArgPositive(CommandContext& ctx, size_t i, std::string_view error, int64_t* out) {
  if (codec::ParseInt64(ctx.arg(i), out) && *out >= 1) return true;
  ctx.reply.Error(error);
  return false;
}

// numkeys key [key ...] MIN|MAX [COUNT count] from argv[first] (ZMPOP, BZMPOP): fills the keys,
// cmd->from (1 for MAX) and cmd->count. Replies Redis's error and returns false on bad input.
bool ParseZMPopArgs(CommandContext& ctx, size_t first, BlockedCommand* cmd) {
  int64_t numkeys = 0;
  if (!ArgPositive(ctx, first, "ERR numkeys should be greater than 0", &numkeys)) return false;
  const size_t where = first + 1 + static_cast<size_t>(std::min<int64_t>(numkeys, ctx.argc()));
  if (where >= ctx.argc() || !(IEquals(ctx.arg(where), "min") || IEquals(ctx.arg(where), "max"))) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  cmd->from = IEquals(ctx.arg(where), "max") ? 1 : 0;
  int64_t count = -1;
  for (size_t j = where + 1; j < ctx.argc(); ++j) {
    if (count == -1 && IEquals(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!ArgPositive(ctx, ++j, "ERR count should be greater than 0", &count)) return false;
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  cmd->count = count == -1 ? 1 : static_cast<uint64_t>(count);
  cmd->type = codec::KeyType::kZSet;
  cmd->keys.assign(ctx.argv.begin() + static_cast<ptrdiff_t>(first + 1),
                   ctx.argv.begin() + static_cast<ptrdiff_t>(where));
  return true;
}

// Serves ZMPOP/BZMPOP from `key`: [key, [[member, score] ...]].
bool ServeZMPop(const engine::Db& db, const BlockedCommand& cmd, std::string_view key,
                codec::ReplyWriter& reply) {
  auto r = engine::ZSetPop(db, key, cmd.count, cmd.from == 1);
  if (!r.ok()) {
    ReplyError(reply, r.status());
    return true;
  }
  if (r->empty()) return false;
  NotifyZPopped(db, cmd.from == 1, key);
  reply.ArrayHeader(2);
  reply.Bulk(key);
  reply.ArrayHeader(static_cast<int64_t>(r->size()));
  for (const ScoredMember& e : *r) {
    reply.ArrayHeader(2);
    reply.Bulk(e.member);
    reply.Double(e.score);
  }
  return true;
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void ZMPopCommand(CommandContext& ctx) {
  BlockedCommand cmd;
  if (!ParseZMPopArgs(ctx, 1, &cmd)) return;
  cmd.serve = ServeZMPop;
  if (!ServeFirst(ctx, cmd)) ctx.reply.NullArray();
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void BZMPopCommand(CommandContext& ctx) {
  BlockedCommand cmd;
  if (!ParseBlockTimeout(ctx, 1, &cmd.deadline_ms) || !ParseZMPopArgs(ctx, 2, &cmd)) return;
  cmd.serve = ServeZMPop;
  ServeOrBlock(ctx, std::move(cmd), true);
}

// Serves BZPOPMIN/BZPOPMAX from `key`: [key, member, score].
bool ServeBZPop(const engine::Db& db, const BlockedCommand& cmd, std::string_view key,
                codec::ReplyWriter& reply) {
  auto r = engine::ZSetPop(db, key, 1, cmd.from == 1);
  if (!r.ok()) {
    ReplyError(reply, r.status());
    return true;
  }
  if (r->empty()) return false;
  NotifyZPopped(db, cmd.from == 1, key);
  reply.ArrayHeader(3);
  reply.Bulk(key);
  reply.Bulk(r->front().member);
  reply.Double(r->front().score);
  return true;
}

void BZPopGeneric(CommandContext& ctx, bool max) {
  BlockedCommand cmd;
  if (!ParseBlockTimeout(ctx, ctx.argc() - 1, &cmd.deadline_ms)) return;
  cmd.serve = ServeBZPop;
  cmd.type = codec::KeyType::kZSet;
  cmd.from = max ? 1 : 0;
  cmd.keys.assign(ctx.argv.begin() + 1, ctx.argv.end() - 1);
  ServeOrBlock(ctx, std::move(cmd), true);
}

// BZPOPMIN key [key ...] timeout
void BZPopMinCommand(CommandContext& ctx) { BZPopGeneric(ctx, false); }
// BZPOPMAX key [key ...] timeout
void BZPopMaxCommand(CommandContext& ctx) { BZPopGeneric(ctx, true); }

// Redis parses cursors with strtoul: an optional sign (a negative cursor wraps around).
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

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void ZScanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  auto card = engine::ZSetCard(ctx.db(), ctx.arg(1));
  if (!CheckStatus(ctx, card.status())) return;
  ScanArgs args;
  if (*card > 0 && !ParseScanArgs(ctx, 3, &args)) return;
  std::optional<std::string> after;
  if (cursor != 0) after = ctx.server.cursors->Resolve(cursor);
  engine::ZSetScanPage page;
  if (*card > 0) {
    auto r = engine::ZSetScan(ctx.db(), ctx.arg(1), after, args.match, args.count);
    if (!CheckStatus(ctx, r.status())) return;
    page = std::move(*r);
  }
  const uint64_t next = page.resume_after ? ctx.server.cursors->Save(*page.resume_after) : 0;
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(codec::FormatInt64(static_cast<int64_t>(next)));
  ctx.reply.ArrayHeader(static_cast<int64_t>(2 * page.elements.size()));
  for (const ScoredMember& e : page.elements) {
    ctx.reply.Bulk(e.member);
    ctx.reply.Bulk(codec::FormatDouble(e.score));
  }
}

}  // namespace

void RegisterZSetCommands(CommandTable* t) {
  const std::string g = "sorted-set";
  auto add = [&](const char* name, int arity, uint32_t flags, int first, int last, int step,
                 CommandHandler h, const char* since, const char* summary) {
    return t->Add(MakeCommand(name, arity, flags, first, last, step, h, g, since, summary,
                              {(flags & kCmdWrite) ? "@write" : "@read", "@sortedset",
                               (flags & kCmdFast) ? "@fast" : "@slow"}));
  };
  const uint32_t kW = kCmdWrite, kR = kCmdReadOnly, kF = kCmdFast, kOom = kCmdDenyOom;
  add("zadd", -4, kW | kOom | kF, 1, 1, 1, ZAddCommand, "1.2.0",
      "Add one or more members to a sorted set, or update its score if it already exists");
  add("zincrby", 4, kW | kOom | kF, 1, 1, 1, ZIncrByCommand, "1.2.0",
      "Increment the score of a member in a sorted set");
  add("zrem", -3, kW | kF, 1, 1, 1, ZRemCommand, "1.2.0",
      "Remove one or more members from a sorted set");
  add("zcard", 2, kR | kF, 1, 1, 1, ZCardCommand, "1.2.0",
      "Get the number of members in a sorted set");
  add("zscore", 3, kR | kF, 1, 1, 1, ZScoreCommand, "1.2.0",
      "Get the score associated with the given member in a sorted set");
  add("zmscore", -3, kR | kF, 1, 1, 1, ZMScoreCommand, "6.2.0",
      "Get the score associated with the given members in a sorted set");
  add("zrank", 3, kR | kF, 1, 1, 1, ZRankCommand, "2.0.0",
      "Determine the index of a member in a sorted set");
  add("zrevrank", 3, kR | kF, 1, 1, 1, ZRevRankCommand, "2.0.0",
      "Determine the index of a member in a sorted set, with scores ordered from high to low");
  add("zcount", 4, kR | kF, 1, 1, 1, ZCountCommand, "2.0.0",
      "Count the members in a sorted set with scores within the given values");
  add("zlexcount", 4, kR | kF, 1, 1, 1, ZLexCountCommand, "2.8.9",
      "Count the number of members in a sorted set between a given lexicographical range");
  add("zrange", -4, kR, 1, 1, 1, ZRangeCommand, "1.2.0",
      "Return a range of members in a sorted set");
  add("zrangestore", -5, kW | kOom, 1, 2, 1, ZRangeStoreCommand, "6.2.0",
      "Store a range of members from sorted set into another key");
  add("zrevrange", -4, kR, 1, 1, 1, ZRevRangeCommand, "1.2.0",
      "Return a range of members in a sorted set, by index, with scores ordered from high to low");
  add("zrangebyscore", -4, kR, 1, 1, 1, ZRangeByScoreCommand, "1.0.5",
      "Return a range of members in a sorted set, by score");
  add("zrevrangebyscore", -4, kR, 1, 1, 1, ZRevRangeByScoreCommand, "2.2.0",
      "Return a range of members in a sorted set, by score, with scores ordered from high to low");
  add("zrangebylex", -4, kR, 1, 1, 1, ZRangeByLexCommand, "2.8.9",
      "Return a range of members in a sorted set, by lexicographical range");
  add("zrevrangebylex", -4, kR, 1, 1, 1, ZRevRangeByLexCommand, "2.8.9",
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher "
      "to lower strings.");
  add("zremrangebyrank", 4, kW, 1, 1, 1, ZRemRangeByRankCommand, "2.0.0",
      "Remove all members in a sorted set within the given indexes");
  add("zremrangebyscore", 4, kW, 1, 1, 1, ZRemRangeByScoreCommand, "1.2.0",
      "Remove all members in a sorted set within the given scores");
  add("zremrangebylex", 4, kW, 1, 1, 1, ZRemRangeByLexCommand, "2.8.9",
      "Remove all members in a sorted set between the given lexicographical range");
  add("zpopmin", -2, kW | kF, 1, 1, 1, ZPopMinCommand, "5.0.0",
      "Remove and return members with the lowest scores in a sorted set");
  add("zpopmax", -2, kW | kF, 1, 1, 1, ZPopMaxCommand, "5.0.0",
      "Remove and return members with the highest scores in a sorted set");
  add("zrandmember", -2, kR, 1, 1, 1, ZRandMemberCommand, "6.2.0",
      "Get one or multiple random elements from a sorted set");
  add("zunion", -3, kR, 0, 0, 0, ZUnionCommand, "6.2.0", "Add multiple sorted sets")->lock_keys =
      NumKeysLockKeys<1>;
  add("zinter", -3, kR, 0, 0, 0, ZInterCommand, "6.2.0", "Intersect multiple sorted sets")
      ->lock_keys = NumKeysLockKeys<1>;
  add("zdiff", -3, kR, 0, 0, 0, ZDiffCommand, "6.2.0", "Subtract multiple sorted sets")->lock_keys =
      NumKeysLockKeys<1>;
  add("zintercard", -3, kR, 0, 0, 0, ZInterCardCommand, "7.0.0",
      "Intersect multiple sorted sets and return the cardinality of the result")
      ->lock_keys = NumKeysLockKeys<1>;
  t->Add(MakeCommand("zunionstore", -4, kW | kOom, 1, 1, 1, ZUnionStoreCommand, g, "2.0.0",
                     "Add multiple sorted sets and store the resulting sorted set in a new key",
                     {"@write", "@sortedset", "@slow"}))
      ->lock_keys = NumKeysLockKeys<2>;
  t->Add(MakeCommand("zinterstore", -4, kW | kOom, 1, 1, 1, ZInterStoreCommand, g, "2.0.0",
                     "Intersect multiple sorted sets and store the resulting sorted set in a new "
                     "key",
                     {"@write", "@sortedset", "@slow"}))
      ->lock_keys = NumKeysLockKeys<2>;
  t->Add(MakeCommand("zdiffstore", -4, kW | kOom, 1, 1, 1, ZDiffStoreCommand, g, "6.2.0",
                     "Subtract multiple sorted sets and store the resulting sorted set in a new "
                     "key",
                     {"@write", "@sortedset", "@slow"}))
      ->lock_keys = NumKeysLockKeys<2>;
  t->Add(MakeCommand("zmpop", -4, kW, 0, 0, 0, ZMPopCommand, g, "7.0.0",
                     "Remove and return members with scores in a sorted set",
                     {"@write", "@sortedset", "@slow"}))
      ->lock_keys = NumKeysLockKeys<1>;
  const uint32_t kB = kCmdWrite | kCmdBlocking;
  t->Add(MakeCommand("bzpopmin", -3, kB | kF | kCmdNoScript, 1, -2, 1, BZPopMinCommand, g, "5.0.0",
                     "Remove and return the member with the lowest score from one or more sorted "
                     "sets, or block until one is available",
                     {"@write", "@sortedset", "@fast", "@blocking"}));
  t->Add(MakeCommand("bzpopmax", -3, kB | kF | kCmdNoScript, 1, -2, 1, BZPopMaxCommand, g, "5.0.0",
                     "Remove and return the member with the highest score from one or more sorted "
                     "sets, or block until one is available",
                     {"@write", "@sortedset", "@fast", "@blocking"}));
  t->Add(MakeCommand("bzmpop", -5, kB, 0, 0, 0, BZMPopCommand, g, "7.0.0",
                     "Remove and return members with scores in a sorted set or block until one is "
                     "available",
                     {"@write", "@sortedset", "@slow", "@blocking"}))
      ->lock_keys = NumKeysLockKeys<2>;
  add("zscan", -3, kR, 1, 1, 1, ZScanCommand, "2.8.0",
      "Incrementally iterate sorted sets elements and associated scores");
}

}  // namespace basalt::server
