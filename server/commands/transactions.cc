// Transaction commands: MULTI EXEC DISCARD WATCH UNWATCH, and the queueing rule the dispatcher
// applies while a client is in MULTI.
//
// EXEC runs the queued commands atomically: it holds the world lock shared plus the stripes of
// every key of every queued command and of every watched key, or the world lock exclusively
// when a queued command rewrites whole databases (FLUSHDB, FLUSHALL, SWAPDB) or changes the
// client's database (SELECT: the later commands' keys are not known in advance). Inside, an
// engine::Txn stages every write so that they commit as ONE RocksDB WriteBatch, read their
// own pending writes, and notify observers once. Replies are gathered apart and sent only
// once the batch is written, so a failed commit never acknowledges a write.
#include <mutex>
#include <shared_mutex>

#include "engine/txn.h"
#include "server/blocking.h"
#include "server/commands/args.h"
#include "server/dispatcher.h"
#include "server/errors.h"
#include "server/stats.h"

namespace basalt::server {

namespace {

constexpr std::string_view kErrExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";

// Commands that act at once even inside MULTI, as in Redis's processCommand.
bool RunsInsideMulti(const CommandSpec& cmd) {
  for (std::string_view name : {"exec", "discard", "multi", "watch", "quit", "reset"}) {
    if (cmd.name == name) return true;
  }
  return false;
}

// Whether EXEC must hold the world lock exclusively for these commands.
bool NeedsWorld(const std::vector<Transaction::Queued>& queued) {
  for (const auto& q : queued) {
    // Scripts touch keys not known in advance (server/scripting.h).
    if (q.cmd->TouchesUnlistedKeys(q.argv.size()) || q.cmd->name == "select") return true;
    if (q.cmd->group == "scripting") return true;
  }
  return false;
}

// Stripes of every key the queued commands touch and of every watched key.
// REQUIRES: the world lock held (the logical -> physical map is stable).
std::vector<uint16_t> ExecStripes(CommandContext& ctx, const Transaction& t) {
  std::vector<uint16_t> stripes;
  for (const auto& q : t.queued()) {
    AppendLockStripes(*q.cmd, q.argv, ctx.client.db(), ctx.server, &stripes);
  }
  for (const auto& w : t.watched()) {
    stripes.push_back(engine::KeyLocks::StripeOf(ctx.server.engine->db(w.db).physical, w.key));
  }
  return stripes;
}

// Redis 7.0: EXEC fails if a key that was live when watched has expired since, even if
// nothing deleted it yet. REQUIRES: the watched keys' stripes (or the world) held.
bool WatchedKeyExpired(CommandContext& ctx, Transaction& t) {
  if (t.watched().empty()) return false;
  for (const auto& w : ctx.server.watches->LiveAtWatch(&t)) {
    engine::KeyRecord rec;
    engine::Db db = ctx.server.engine->db(w.db);
    if (!ctx.server.engine->Lookup(db, w.key, &rec).ok()) continue;
    if (rec.present && rec.expired) return true;
  }
  return false;
}

void EndTransaction(Transaction& t) {
  t.EndMulti();
  t.UnwatchAll();
}

// Runs the queued commands inside one engine transaction and replies with their replies.
// REQUIRES: the locks of ExecStripes (or the world exclusively) held.
void RunQueued(CommandContext& ctx, Transaction& t) {
  std::string replies;
  codec::ReplyWriter sub(&replies, ctx.reply.protocol());
  engine::Status committed;
  {
    engine::Txn txn(ctx.server.engine);
    t.set_in_exec(true);
    for (const auto& q : t.queued()) {
      CommandContext qctx{q.argv, ctx.client, sub, ctx.server};
      InvokeCommand(*q.cmd, qctx);
    }
    t.set_in_exec(false);
    committed = txn.Commit();
  }
  if (sub.errors() > 0) ctx.server.stats->error_replies.fetch_add(sub.errors());
  if (!committed.ok()) {
    ReplyError(ctx.reply, committed);
    return;
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(t.queued().size()));
  ctx.reply.Raw(replies);
}

// MULTI
void MultiCommand(CommandContext& ctx) {
  Transaction& t = ctx.client.txn();
  if (t.in_multi()) {
    ctx.reply.Error("ERR MULTI calls can not be nested");
    return;
  }
  t.Begin();
  ctx.reply.SimpleString("OK");
}

// EXEC
void ExecCommand(CommandContext& ctx) {
  Transaction& t = ctx.client.txn();
  if (!t.in_multi()) {
    ctx.reply.Error("ERR EXEC without MULTI");
    return;
  }
  if (t.aborted()) {
    ctx.reply.Error(kErrExecAbort);
    EndTransaction(t);
    return;
  }
  // Waits for its locks only until a script turns busy; then EXEC is refused as the dispatcher
  // refuses it (RejectBusy: the transaction is discarded).
  CommandLocks held;
  const bool exclusive = NeedsWorld(t.queued());
  std::string refused;  // "-BUSY ...\r\n" when given up
  codec::ReplyWriter refused_writer(&refused, ctx.reply.protocol());
  CommandContext probe{ctx.argv, ctx.client, refused_writer, ctx.server};
  if (!LockWorldUnlessBusy(probe, exclusive, &held) ||
      (!exclusive && !LockStripesUnlessBusy(probe, ExecStripes(ctx, t), &held))) {
    RejectBusy(true, ctx.client, ctx.reply, refused.substr(1, refused.size() - 3));
    return;
  }
  engine::KeyLocks::Guard& guard = held.guard;
  if (t.dirty() || WatchedKeyExpired(ctx, t)) {
    ctx.reply.NullArray();
    EndTransaction(t);
    return;
  }
  t.UnwatchAll();  // before running: the transaction's own writes must not dirty it
  RunQueued(ctx, t);
  t.EndMulti();
  // Clients blocked on keys the transaction filled are served before anyone else sees them.
  ctx.server.blocking->ServeReady(&guard);
  guard.Release();
  if (held.world.owns_lock()) held.world.unlock();
  if (held.shared.owns_lock()) held.shared.unlock();
  ctx.server.blocking->ServeDeferred();
}

// DISCARD
void DiscardCommand(CommandContext& ctx) {
  Transaction& t = ctx.client.txn();
  if (!t.in_multi()) {
    ctx.reply.Error("ERR DISCARD without MULTI");
    return;
  }
  EndTransaction(t);
  ctx.reply.SimpleString("OK");
}

// WATCH key [key ...]
void WatchCommand(CommandContext& ctx) {
  Transaction& t = ctx.client.txn();
  if (t.in_multi()) {
    ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  // The stripes are held so that no write falls between reading a key's state and watching it.
  // Waits for those locks only until a script turns busy (-BUSY; keys watched before stay).
  engine::Engine& engine = *ctx.server.engine;
  CommandLocks held;
  if (!LockWorldUnlessBusy(ctx, false, &held)) return;
  engine::Db db = ctx.db();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (!LockStripesUnlessBusy(ctx, {engine::KeyLocks::StripeOf(db.physical, ctx.arg(i))}, &held)) {
      return;
    }
    engine::KeyLocks::Guard guard = std::move(held.guard);
    engine::KeyRecord rec;
    if (!CheckStatus(ctx, engine.Lookup(db, ctx.arg(i), &rec))) return;
    t.Watch(ctx.server.watches, db.index, ctx.arg(i), rec.present, rec.present && rec.expired);
  }
  ctx.reply.SimpleString("OK");
}

// UNWATCH
void UnwatchCommand(CommandContext& ctx) {
  ctx.client.txn().UnwatchAll();
  ctx.reply.SimpleString("OK");
}

}  // namespace

bool QueueInTransaction(const CommandSpec& cmd, Client& client, const codec::Argv& argv,
                        codec::ReplyWriter& reply) {
  if (RunsInsideMulti(cmd)) return false;
  if (cmd.flags & kCmdNoMulti) {
    reply.Error("ERR Command not allowed inside a transaction");
    client.txn().FlagError();
    return true;
  }
  client.txn().Queue(&cmd, argv);
  reply.SimpleString("QUEUED");
  return true;
}

void RegisterTransactionCommands(CommandTable* t) {
  const std::string g = "transactions";
  const uint32_t kBase = kCmdNoScript | kCmdLoading | kCmdStale;
  const uint32_t kQuick = kBase | kCmdFast | kCmdAllowBusy;
  const std::vector<std::string> fast = {"@fast", "@transaction"};
  t->Add(MakeCommand("multi", 1, kQuick, 0, 0, 0, MultiCommand, g, "1.2.0", "Start a transaction",
                     fast));
  t->Add(MakeCommand("exec", 1, kBase | kCmdSkipSlowlog, 0, 0, 0, ExecCommand, g, "1.2.0",
                     "Execute all commands issued after MULTI", {"@slow", "@transaction"}));
  t->Add(MakeCommand("discard", 1, kQuick, 0, 0, 0, DiscardCommand, g, "2.0.0",
                     "Discard all commands issued after MULTI", fast));
  t->Add(MakeCommand("watch", -2, kQuick, 1, -1, 1, WatchCommand, g, "2.2.0",
                     "Watch the given keys to determine execution of the MULTI/EXEC block", fast));
  t->Add(MakeCommand("unwatch", 1, kQuick, 0, 0, 0, UnwatchCommand, g, "2.2.0",
                     "Forget about all watched keys", fast));
}

}  // namespace basalt::server
