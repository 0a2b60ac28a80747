// Connection commands: PING ECHO QUIT RESET HELLO AUTH. (SELECT lives with the keyspace
// commands; CLIENT with the introspection commands.)
#include "codec/numbers.h"
#include "server/commands/args.h"
#include "server/config.h"
#include "server/dispatcher.h"
#include "server/errors.h"
#include "server/monitor.h"
#include "server/pubsub.h"

namespace basalt::server {

namespace {

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

// Checks credentials for the default user (the only user until ACLs arrive).
bool CheckPassword(CommandContext& ctx, std::string_view user, std::string_view pass) {
  if (!IEquals(user, "default")) return false;
  std::string required = ctx.server.config->GetString("requirepass");
  return required.empty() || required == pass;
}

// PING [message]
void PingCommand(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (ctx.client.subscribed() && ctx.client.resp() == 2) {
    // In RESP2 subscribed mode the reply looks like a message: ["pong", <message or "">].
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argc() == 2 ? std::string_view(ctx.arg(1)) : "");
  } else if (ctx.argc() == 2) {
    ctx.reply.Bulk(ctx.arg(1));
  } else {
    ctx.reply.SimpleString("PONG");
  }
}

// ECHO message
void EchoCommand(CommandContext& ctx) { ctx.reply.Bulk(ctx.arg(1)); }

// QUIT
void QuitCommand(CommandContext& ctx) {
  ctx.reply.SimpleString("OK");
  ctx.client.set_close_after_reply();
}

// RESET
void ResetCommand(CommandContext& ctx) {
  ctx.client.txn().EndMulti();
  ctx.client.txn().UnwatchAll();
  ctx.server.pubsub->UnsubscribeAll(ctx.client);
  if (ctx.client.monitor.load()) ctx.server.monitors->Remove(ctx.client);
  ctx.client.set_db(0);
  ctx.client.set_resp(2);
  ctx.reply.set_protocol(2);
  ctx.client.set_name("");
  if (!ctx.server.config->GetString("requirepass").empty()) ctx.client.set_authenticated(false);
  ctx.reply.SimpleString("RESET");
}

// AUTH [username] password
void AuthCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  std::string_view user = ctx.argc() == 3 ? std::string_view(ctx.arg(1)) : "default";
  std::string_view pass = ctx.arg(ctx.argc() - 1);
  if (ctx.argc() == 2 && ctx.server.config->GetString("requirepass").empty()) {
    ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
    return;
  }
  if (!CheckPassword(ctx, user, pass)) {
    ctx.reply.Error(kWrongPass);
    return;
  }
  ctx.client.set_authenticated(true);
  ctx.reply.SimpleString("OK");
}

bool ValidClientName(std::string_view name) {
  for (unsigned char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void HelloCommand(CommandContext& ctx) {
  int64_t ver = 0;
  size_t j = 1;
  if (ctx.argc() >= 2) {
    if (!codec::ParseInt64(ctx.arg(1), &ver) || ver < INT32_MIN || ver > INT32_MAX) {
      ctx.reply.Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (ver < 2 || ver > 3) {
      ctx.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
    j = 2;
  }
  std::string_view user, pass, name;
  bool auth = false, setname = false;
  for (; j < ctx.argc(); ++j) {
    size_t more = ctx.argc() - j - 1;
    if (IEquals(ctx.arg(j), "auth") && more >= 2) {
      auth = true;
      user = ctx.arg(j + 1);
      pass = ctx.arg(j + 2);
      j += 2;
    } else if (IEquals(ctx.arg(j), "setname") && more >= 1) {
      setname = true;
      name = ctx.arg(++j);
      if (!ValidClientName(name)) {
        ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    } else {
      ctx.reply.Error("ERR Syntax error in HELLO option '" + ctx.arg(j) + "'");
      return;
    }
  }
  if (auth) {
    if (!CheckPassword(ctx, user, pass)) {
      ctx.reply.Error(kWrongPass);
      return;
    }
    ctx.client.set_authenticated(true);
  }
  if (AuthRequired(ctx.server, ctx.client)) {
    ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select "
        "the RESP protocol version at the same time");
    return;
  }
  if (setname) ctx.client.set_name(std::string(name));
  if (ver != 0) {
    ctx.client.set_resp(static_cast<int>(ver));
    ctx.reply.set_protocol(static_cast<int>(ver));
  }
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk("7.0.15");
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(ctx.client.resp());
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id()));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.ArrayHeader(0);
}

}  // namespace

void RegisterConnectionCommands(CommandTable* t) {
  const std::string g = "connection";
  const uint32_t kBase = kCmdLoading | kCmdStale | kCmdFast;
  t->Add(MakeCommand("ping", -1, kCmdFast, 0, 0, 0, PingCommand, g, "1.0.0", "Ping the server",
                     {"@fast", "@connection"}));
  t->Add(MakeCommand("echo", 2, kBase, 0, 0, 0, EchoCommand, g, "1.0.0", "Echo the given string",
                     {"@fast", "@connection"}));
  t->Add(MakeCommand("quit", -1, kBase | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, QuitCommand, g,
                     "1.0.0", "Close the connection", {"@fast", "@connection"}));
  t->Add(MakeCommand("reset", 1, kBase | kCmdNoAuth | kCmdNoScript, 0, 0, 0, ResetCommand, g,
                     "6.2.0", "Reset the connection", {"@fast", "@connection"}));
  // Redis 7.0 shows AUTH and HELLO to MONITOR, credentials redacted (server/monitor.h).
  t->Add(MakeCommand("auth", -2, kBase | kCmdNoAuth | kCmdNoScript | kCmdAllowBusy, 0, 0, 0,
                     AuthCommand, g, "1.0.0", "Authenticate to the server",
                     {"@fast", "@connection"}));
  t->Add(MakeCommand("hello", -1, kBase | kCmdNoAuth | kCmdNoScript | kCmdAllowBusy, 0, 0, 0,
                     HelloCommand, g, "6.0.0", "Handshake with Redis", {"@fast", "@connection"}));
}

}  // namespace basalt::server
