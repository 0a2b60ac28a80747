#include "server/dispatcher.h"

#include <chrono>
#include <mutex>
#include <shared_mutex>

#include "server/blocking.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/monitor.h"
#include "server/scripting.h"
#include "server/stats.h"

namespace basalt::server {

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// printf("%.*s") stops at a NUL byte; Redis formats these messages that way.
std::string_view CString(std::string_view s, size_t max) {
  size_t nul = s.find('\0');
  if (nul != std::string_view::npos) s = s.substr(0, nul);
  return s.substr(0, max);
}

// A RESP2 client with subscriptions may only run these (RESP3 clients may run anything).
bool AllowedWhenSubscribed(const CommandSpec& cmd) {
  static constexpr std::string_view kAllowed[] = {"ping",         "subscribe",    "ssubscribe",
                                                  "unsubscribe",  "sunsubscribe", "psubscribe",
                                                  "punsubscribe", "quit",         "reset"};
  for (std::string_view name : kAllowed) {
    if (cmd.name == name) return true;
  }
  return false;
}

bool ArityOk(const CommandSpec& cmd, size_t argc) {
  if (cmd.arity > 0) return argc == static_cast<size_t>(cmd.arity);
  return argc >= static_cast<size_t>(-cmd.arity);
}

// True, with the -BUSY text in *busy, once a script runs past busy-reply-threshold.
bool ScriptBusy(ServerContext& server, std::string* busy) {
  if (server.scripting != nullptr) *busy = server.scripting->BusyError();
  return !busy->empty();
}

}  // namespace

void RejectBusy(bool exec, Client& client, codec::ReplyWriter& reply, const std::string& busy) {
  if (exec) {
    // Redis's execCommandAbort, also without MULTI: any transaction is discarded.
    reply.Error("EXECABORT Transaction discarded because of: " + busy);
    client.txn().EndMulti();
    client.txn().UnwatchAll();
    return;
  }
  reply.Error(busy);
  client.txn().FlagError();
}

bool LockWorldUnlessBusy(CommandContext& ctx, bool exclusive, CommandLocks* held) {
  engine::KeyLocks::WorldMutex& world = ctx.server.engine->locks().world();
  constexpr std::chrono::milliseconds kPoll(1);
  std::string busy;
  while (!(exclusive ? world.try_lock_for(kPoll) : world.try_lock_shared_for(kPoll))) {
    if (ScriptBusy(ctx.server, &busy)) {
      ctx.reply.Error(busy);
      return false;
    }
  }
  if (exclusive) {
    held->world = std::unique_lock<engine::KeyLocks::WorldMutex>(world, std::adopt_lock);
  } else {
    held->shared = std::shared_lock<engine::KeyLocks::WorldMutex>(world, std::adopt_lock);
  }
  return true;
}

bool LockStripesUnlessBusy(CommandContext& ctx, const std::vector<uint16_t>& stripes,
                           CommandLocks* held) {
  std::string busy;
  if (ctx.server.engine->locks().LockUnless(
          stripes, [&] { return ScriptBusy(ctx.server, &busy); }, &held->guard)) {
    return true;
  }
  ctx.reply.Error(busy);
  if (held->shared.owns_lock()) held->shared.unlock();
  return false;
}

bool AuthRequired(const ServerContext& server, const Client& client) {
  return !client.authenticated() && server.requirepass_set.load(std::memory_order_relaxed);
}

std::string Dispatcher::UnknownCommandText(const codec::Argv& argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += "'";
    args += CString(argv[i], room);
    args += "' ";
  }
  std::string text = "ERR unknown command '";
  text += CString(argv[0], 128);
  text += "', with args beginning with: ";
  text += args;
  return text;
}

const CommandSpec* Dispatcher::Resolve(const codec::Argv& argv, codec::ReplyWriter& reply,
                                       const CommandSpec** known) const {
  const CommandSpec* cmd = table_->Find(argv[0]);
  if (cmd == nullptr) {
    reply.Error(UnknownCommandText(argv));
    return nullptr;
  }
  if (cmd->IsContainer() && argv.size() >= 2) {
    const CommandSpec* sub = table_->FindSub(*cmd, argv[1]);
    if (sub == nullptr) {
      std::string text = "ERR unknown subcommand '";
      text += CString(argv[1], 128);
      text += "'. Try " + Upper(cmd->name) + " HELP.";
      reply.Error(text);
      return nullptr;
    }
    cmd = sub;
  }
  *known = cmd;
  if (!ArityOk(*cmd, argv.size())) {
    reply.Error("ERR wrong number of arguments for '" + cmd->name + "' command");
    return nullptr;
  }
  return cmd;
}

void Dispatcher::Execute(Client& client, const codec::Argv& argv, codec::ReplyWriter& reply) {
  if (argv.empty()) return;
  const size_t start = reply.buffer()->size();
  const int64_t errors = reply.errors();
  const CommandSpec* known = nullptr;
  const CommandSpec* cmd = Admit(client, argv, reply, &known);
  if (cmd == nullptr) {
    // Refused (or queued by MULTI): an error reply counts for INFO errorstats and, when the
    // command exists, as one of its rejected_calls.
    if (reply.errors() > errors && (*reply.buffer())[start] == '-') {
      server_->diagnostics.errors.Count(std::string_view(*reply.buffer()).substr(start + 1));
      if (known != nullptr) known->counters->Add(client.worker(), CommandCounters::kRejected, 1);
    }
    return;
  }
  CommandContext ctx{argv, client, reply, *server_};
  RunLocked(*cmd, ctx);
}

const CommandSpec* Dispatcher::Admit(Client& client, const codec::Argv& argv,
                                     codec::ReplyWriter& reply, const CommandSpec** known) {
  const CommandSpec* cmd = Resolve(argv, reply, known);
  if (cmd == nullptr) {
    client.txn().FlagError();  // a rejected command aborts an open MULTI
    return nullptr;
  }
  if (!(cmd->flags & kCmdNoAuth) && AuthRequired(*server_, client)) {
    reply.Error(kErrNoAuth);
    client.txn().FlagError();
    return nullptr;
  }
  if (client.subscribed() && client.resp() == 2 && !AllowedWhenSubscribed(*cmd)) {
    reply.Error("ERR Can't execute '" + cmd->name +
                "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                "this context");
    client.txn().FlagError();
    return nullptr;
  }
  if (server_->scripting != nullptr && !(cmd->flags & kCmdAllowBusy)) {
    std::string busy = server_->scripting->BusyError();
    if (!busy.empty()) {
      RejectBusy(cmd->name == "exec", client, reply, busy);
      return nullptr;
    }
  }
  if (client.txn().in_multi() && QueueInTransaction(*cmd, client, argv, reply)) return nullptr;
  return cmd;
}

namespace {

// The bookkeeping after a command ran for `us` microseconds: INFO commandstats and errorstats,
// the slow log and the latency monitor. `start`/`errors` are the reply buffer's size and error
// count before the handler: the command failed when its reply is an error.
void AfterCommand(const CommandSpec& cmd, CommandContext& ctx, int64_t us, size_t start,
                  int64_t errors) {
  CommandCounters& counters = *cmd.counters;
  const int worker = ctx.client.worker();
  counters.Add(worker, CommandCounters::kCalls, 1);
  counters.Add(worker, CommandCounters::kUsec, us);
  Diagnostics& diag = ctx.server.diagnostics;
  const std::string& out = *ctx.reply.buffer();
  if (ctx.reply.errors() > errors && out.size() > start && out[start] == '-') {
    counters.Add(worker, CommandCounters::kFailed, 1);
    diag.errors.Count(std::string_view(out).substr(start + 1));
  }
  // A script handed to its executor is timed there (server/scripting.cc), not here.
  if (ctx.client.running_script()) return;
  if (!(cmd.flags & kCmdSkipSlowlog) && diag.slowlog.Wanted(us)) {
    if (SlowLog::MayRedact(cmd.name)) {
      diag.slowlog.Push(SlowLog::Redact(cmd.name, ctx.argv), us, ctx.client.addr(),
                        ctx.client.name());
    } else {
      diag.slowlog.Push(ctx.argv, us, ctx.client.addr(), ctx.client.name());
    }
  }
  if (diag.latency.Wanted(us / 1000)) {
    diag.latency.Add((cmd.flags & kCmdFast) ? "fast-command" : "command", us / 1000);
  }
}

}  // namespace

void InvokeCommand(const CommandSpec& cmd, CommandContext& ctx) {
  ctx.server.stats->commands_processed.fetch_add(1, std::memory_order_relaxed);
  ctx.client.set_last_command(cmd.name);
  if (cmd.flags & (kCmdWrite | kCmdWholeDb)) ctx.client.mark_wrote();
  const size_t start = ctx.reply.buffer()->size();
  const int64_t errors = ctx.reply.errors();
  const auto began = std::chrono::steady_clock::now();
  cmd.handler(ctx);
  const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - began)
                         .count();
  AfterCommand(cmd, ctx, us, start, errors);
  if (ctx.server.monitors->active() && !(cmd.flags & (kCmdSkipMonitor | kCmdAdmin))) {
    ctx.server.monitors->Feed(ctx.client, cmd.name, ctx.argv);
  }
}

void AppendLockStripes(const CommandSpec& cmd, const codec::Argv& argv, int db,
                       ServerContext& server, std::vector<uint16_t>* stripes) {
  engine::Engine& engine = *server.engine;
  const uint8_t physical = engine.db(db).physical;
  for (size_t pos : cmd.KeyPositions(argv.size())) {
    stripes->push_back(engine::KeyLocks::StripeOf(physical, argv[pos]));
  }
  if (cmd.lock_keys != nullptr) {
    std::vector<std::pair<int, std::string>> extra;
    cmd.lock_keys(argv, db, &extra);
    for (const auto& [d, key] : extra) {
      if (d < 0 || d >= engine.databases()) continue;
      stripes->push_back(engine::KeyLocks::StripeOf(engine.db(d).physical, key));
    }
  }
}

void Dispatcher::RunLocked(const CommandSpec& cmd, CommandContext& ctx) {
  BlockingRegistry& blocking = *server_->blocking;
  CommandLocks held;
  if (cmd.flags & kCmdWholeDb) {
    if (!LockWorldUnlessBusy(ctx, true, &held)) return;
    InvokeCommand(cmd, ctx);
    engine::KeyLocks::Guard none = server_->engine->locks().Lock({});
    blocking.ServeReady(&none);  // SWAPDB may bring waited keys into view
    return;
  }
  const bool write = (cmd.flags & kCmdWrite) != 0;
  // A read of several keys sees them at one instant, never half of a transaction or script:
  // it holds their stripes as a write does (writers commit and update the hot tier under
  // theirs), so it can answer from the tier. Other commands that name keys without reading
  // them (WATCH takes its stripes itself, SSUBSCRIBE's are channels) take no locks.
  if (!write && (!(cmd.flags & kCmdReadOnly) ||
                 (cmd.KeyCount(ctx.argc()) <= 1 && cmd.lock_keys == nullptr))) {
    InvokeCommand(cmd, ctx);
    return;
  }
  if (!LockWorldUnlessBusy(ctx, false, &held)) return;
  std::vector<uint16_t> stripes;
  AppendLockStripes(cmd, ctx.argv, ctx.client.db(), *server_, &stripes);
  if (!LockStripesUnlessBusy(ctx, stripes, &held)) return;
  InvokeCommand(cmd, ctx);
  if (!write) return;
  // Clients blocked on keys this command filled are served before anyone else sees them.
  blocking.ServeReady(&held.guard);
  held.guard.Release();
  held.shared.unlock();
  blocking.ServeDeferred();
}

}  // namespace basalt::server
