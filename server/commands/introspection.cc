// Introspection commands. COMMAND and its subcommands (COUNT INFO DOCS GETKEYS LIST HELP) answer
// from the command table in Redis 7.0's reply shapes; CLIENT and its subcommands (ID SETNAME
// GETNAME LIST INFO KILL SETINFO NO-EVICT NO-TOUCH REPLY GETREDIR HELP) answer from the client
// registry and the calling client.
//
// What the table does not hold is reported empty: COMMAND INFO has no command tips and no key
// specs (first/last/step are exact), COMMAND DOCS has no arguments or history. CLIENT LIST prints
// Redis 7.2's line (7.0's plus lib-name and lib-ver); fields for features Basalt lacks (pub/sub,
// MULTI, tracking, per-client buffers) print their idle values.
#include <fmt/format.h>

#include <memory>

#include "codec/glob.h"
#include "codec/numbers.h"
#include "server/blocking.h"
#include "server/client_registry.h"
#include "server/commands/args.h"
#include "server/errors.h"

namespace basalt::server {

namespace {

// ----------------------------------------------------------------------------------- COMMAND

// Flag names in the order Redis 7.0 prints them. may_replicate and sentinel are hidden there too.
const std::pair<uint32_t, const char*> kFlagNames[] = {
    {kCmdWrite, "write"},
    {kCmdReadOnly, "readonly"},
    {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},
    {kCmdPubSub, "pubsub"},
    {kCmdNoScript, "noscript"},
    {kCmdBlocking, "blocking"},
    {kCmdLoading, "loading"},
    {kCmdStale, "stale"},
    {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"},
    {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},
    {kCmdNoAsyncLoading, "no_async_loading"},
    {kCmdNoMulti, "no_multi"},
    {kCmdAllowBusy, "allow_busy"},
};

void ReplyFlags(codec::ReplyWriter& reply, uint32_t flags) {
  int64_t n = 0;
  for (const auto& [bit, name] : kFlagNames) n += (flags & bit) ? 1 : 0;
  reply.SetHeader(n);
  for (const auto& [bit, name] : kFlagNames) {
    if (flags & bit) reply.SimpleString(name);
  }
}

// One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories, tips,
// key specs, subcommands (entries of the same shape).
void ReplyCommandInfo(codec::ReplyWriter& reply, const CommandSpec& cmd) {
  reply.ArrayHeader(10);
  reply.Bulk(cmd.name);
  reply.Integer(cmd.arity);
  ReplyFlags(reply, cmd.flags);
  reply.Integer(cmd.first_key);
  reply.Integer(cmd.last_key);
  reply.Integer(cmd.step);
  reply.SetHeader(static_cast<int64_t>(cmd.acl_categories.size()));
  for (const std::string& cat : cmd.acl_categories) reply.SimpleString(cat);
  reply.SetHeader(0);  // tips
  reply.SetHeader(0);  // key specs
  if (!cmd.IsContainer()) {
    reply.SetHeader(0);  // Redis answers a set when there are none, an array otherwise
    return;
  }
  reply.ArrayHeader(static_cast<int64_t>(cmd.subcommands.size()));
  for (const auto& sub : cmd.subcommands) ReplyCommandInfo(reply, *sub);
}

// One COMMAND DOCS value: a map of summary, since, group, complexity (when known) and
// subcommands (a map of name to the same kind of map).
void ReplyCommandDocs(codec::ReplyWriter& reply, const CommandSpec& cmd) {
  bool complexity = !cmd.complexity.empty();
  reply.MapHeader(3 + (complexity ? 1 : 0) + (cmd.IsContainer() ? 1 : 0));
  reply.Bulk("summary");
  reply.Bulk(cmd.summary);
  reply.Bulk("since");
  reply.Bulk(cmd.since);
  reply.Bulk("group");
  reply.Bulk(cmd.group);
  if (complexity) {
    reply.Bulk("complexity");
    reply.Bulk(cmd.complexity);
  }
  if (!cmd.IsContainer()) return;
  reply.Bulk("subcommands");
  reply.MapHeader(static_cast<int64_t>(cmd.subcommands.size()));
  for (const auto& sub : cmd.subcommands) {
    reply.Bulk(sub->name);
    ReplyCommandDocs(reply, *sub);
  }
}

// "get" or "config|get" (case-insensitive), as COMMAND INFO and COMMAND DOCS accept them.
const CommandSpec* FindByFullName(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.Find(name);
  const CommandSpec* parent = table.Find(name.substr(0, bar));
  std::string_view sub = name.substr(bar + 1);
  if (parent == nullptr || sub.find('|') != std::string_view::npos) return nullptr;
  return table.FindSub(*parent, sub);
}

// COMMAND
void CommandCommand(CommandContext& ctx) {
  const auto& all = ctx.server.commands->all();
  ctx.reply.ArrayHeader(static_cast<int64_t>(all.size()));
  for (const CommandSpec* cmd : all) ReplyCommandInfo(ctx.reply, *cmd);
}

// COMMAND COUNT
void CommandCountCommand(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.commands->size()));
}

// COMMAND INFO [command-name ...]
void CommandInfoCommand(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    CommandCommand(ctx);
    return;
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const CommandSpec* cmd = FindByFullName(*ctx.server.commands, ctx.arg(i));
    if (cmd == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyCommandInfo(ctx.reply, *cmd);
    }
  }
}

// COMMAND DOCS [command-name ...]: unknown names are left out.
void CommandDocsCommand(CommandContext& ctx) {
  std::vector<const CommandSpec*> found;
  if (ctx.argc() == 2) {
    const auto& all = ctx.server.commands->all();
    found.assign(all.begin(), all.end());
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const CommandSpec* cmd = FindByFullName(*ctx.server.commands, ctx.arg(i));
      if (cmd != nullptr) found.push_back(cmd);
    }
  }
  ctx.reply.MapHeader(static_cast<int64_t>(found.size()));
  for (const CommandSpec* cmd : found) {
    ctx.reply.Bulk(cmd->name);
    ReplyCommandDocs(ctx.reply, *cmd);
  }
}

// COMMAND GETKEYS command [arg ...]
void CommandGetKeysCommand(CommandContext& ctx) {
  const CommandTable& table = *ctx.server.commands;
  const int64_t argc = static_cast<int64_t>(ctx.argc()) - 2;  // arity guarantees >= 2
  const CommandSpec* cmd = table.Find(ctx.arg(2));
  if (cmd != nullptr && cmd->IsContainer()) cmd = table.FindSub(*cmd, ctx.arg(3));
  if (cmd == nullptr) {
    ctx.reply.Error("ERR Invalid command specified");
    return;
  }
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
    ctx.reply.Error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<size_t> positions = cmd->KeyPositions(static_cast<size_t>(argc));
  if (positions.empty()) {
    ctx.reply.Error("ERR The command has no key arguments");
    return;
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(positions.size()));
  for (size_t pos : positions) ctx.reply.Bulk(ctx.arg(2 + pos));
}

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
void CommandListCommand(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string arg;
  for (size_t i = 2; i < ctx.argc(); i += 3) {
    bool two_more = ctx.argc() - 1 - i == 2;
    if (!two_more || !IEquals(ctx.arg(i), "filterby")) {
      ctx.reply.Error(kErrSyntax);
      return;
    }
    const std::string& type = ctx.arg(i + 1);
    if (IEquals(type, "module")) {
      filter = Filter::kModule;
    } else if (IEquals(type, "aclcat")) {
      filter = Filter::kAclCat;
    } else if (IEquals(type, "pattern")) {
      filter = Filter::kPattern;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
    arg = ctx.arg(i + 2);
  }
  auto keep = [&](const CommandSpec& cmd) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // no modules
      case Filter::kAclCat:
        for (const std::string& cat : cmd.acl_categories) {
          if (IEquals(cat, "@" + arg)) return true;
        }
        return false;
      case Filter::kPattern:
        return codec::GlobMatch(arg, cmd.name, true);
    }
    return false;
  };
  std::vector<const std::string*> names;
  for (const CommandSpec* cmd : ctx.server.commands->all()) {
    if (keep(*cmd)) names.push_back(&cmd->name);
    for (const auto& sub : cmd->subcommands) {
      if (keep(*sub)) names.push_back(&sub->name);
    }
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(names.size()));
  for (const std::string* name : names) ctx.reply.Bulk(*name);
}

void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(lines.size()));
  for (const char* l : lines) ctx.reply.SimpleString(l);
}

// COMMAND HELP
void CommandHelpCommand(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "(no subcommand)",
                     "    Return details about all Redis commands.",
                     "COUNT",
                     "    Return the total number of commands in this Redis server.",
                     "LIST",
                     "    Return a list of all commands in this Redis server.",
                     "INFO [<command-name> ...]",
                     "    Return details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "DOCS [<command-name> ...]",
                     "    Return documentation details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "GETKEYS <full-command>",
                     "    Return the keys from a full Redis command.",
                     "HELP",
                     "    Prints this help.",
                 });
}

// ------------------------------------------------------------------------------------ CLIENT

enum class ClientType { kNormal, kReplica, kPubSub, kMaster, kUnknown };

// Redis's getClientTypeByName.
ClientType ClientTypeByName(std::string_view name) {
  if (IEquals(name, "normal")) return ClientType::kNormal;
  if (IEquals(name, "slave") || IEquals(name, "replica")) return ClientType::kReplica;
  if (IEquals(name, "pubsub")) return ClientType::kPubSub;
  if (IEquals(name, "master")) return ClientType::kMaster;
  return ClientType::kUnknown;
}

// Every Basalt client is a normal one until pub/sub and replication arrive.
ClientType TypeOf(const Client&) { return ClientType::kNormal; }

// Parses a CLIENT LIST TYPE / CLIENT KILL TYPE argument; replies the error when unknown.
bool ArgClientType(CommandContext& ctx, size_t i, ClientType* out) {
  *out = ClientTypeByName(ctx.arg(i));
  if (*out != ClientType::kUnknown) return true;
  ctx.reply.Error("ERR Unknown client type '" + ctx.arg(i) + "'");
  return false;
}

// Client names and library attributes: printable ASCII, no spaces (Redis's validateClientAttr).
bool ValidClientAttr(std::string_view v) {
  for (unsigned char c : v) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

std::string ClientFlags(const Client& c) {
  std::string f;
  if (c.txn().multi_count() >= 0) f += 'x';
  if (c.txn().dirty()) f += 'd';
  if (c.kill_requested.load()) f += 'A';
  if (c.no_evict.load()) f += 'e';
  if (c.no_touch.load()) f += 'T';
  if (c.blocked()) f += 'b';
  return f.empty() ? "N" : f;
}

// One CLIENT LIST / CLIENT INFO line, newline included.
std::string ClientLine(const Client& c, int64_t now_ms) {
  uint64_t qbuf = c.query_buffer_bytes.load();
  uint64_t omem = c.output_buffer_bytes.load();
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 "
      "multi={} qbuf={} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem={} "
      "tot-mem={} events=r cmd={} user=default redir=-1 resp={} lib-name={} lib-ver={}\n",
      c.id(), c.addr(), c.laddr(), c.fd(), c.name(), (now_ms - c.created_ms()) / 1000,
      (now_ms - c.last_interaction_ms()) / 1000, ClientFlags(c), c.db(), c.txn().multi_count(),
      qbuf, omem, qbuf + omem, c.last_command(), c.resp(), c.lib_name(), c.lib_ver());
}

int64_t NowMsSigned() { return static_cast<int64_t>(engine::NowMs()); }

// CLIENT ID
void ClientIdCommand(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id()));
}

// CLIENT SETNAME connection-name (an empty name clears it)
void ClientSetNameCommand(CommandContext& ctx) {
  if (!ValidClientAttr(ctx.arg(2))) {
    ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  ctx.client.set_name(ctx.arg(2));
  ctx.reply.SimpleString("OK");
}

// CLIENT GETNAME
void ClientGetNameCommand(CommandContext& ctx) {
  std::string name = ctx.client.name();
  if (name.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(name);
  }
}

// CLIENT LIST [TYPE NORMAL | MASTER | REPLICA | PUBSUB] | [ID client-id [client-id ...]]
void ClientListCommand(CommandContext& ctx) {
  auto clients = ctx.server.clients->Snapshot();
  std::vector<const Client*> chosen;
  if (ctx.argc() == 4 && IEquals(ctx.arg(2), "type")) {
    ClientType type;
    if (!ArgClientType(ctx, 3, &type)) return;
    for (const auto& c : clients) {
      if (TypeOf(*c) == type) chosen.push_back(c.get());
    }
  } else if (ctx.argc() >= 4 && IEquals(ctx.arg(2), "id")) {
    for (size_t j = 3; j < ctx.argc(); ++j) {
      int64_t id = 0;
      if (!codec::ParseInt64(ctx.arg(j), &id)) {
        ctx.reply.Error("ERR Invalid client ID");
        return;
      }
      for (const auto& c : clients) {
        if (static_cast<int64_t>(c->id()) == id) chosen.push_back(c.get());
      }
    }
  } else if (ctx.argc() != 2) {
    ctx.reply.Error(kErrSyntax);
    return;
  } else {
    for (const auto& c : clients) chosen.push_back(c.get());
  }
  int64_t now = NowMsSigned();
  std::string out;
  for (const Client* c : chosen) out += ClientLine(*c, now);
  ctx.reply.Verbatim(out);
}

// CLIENT INFO
void ClientInfoCommand(CommandContext& ctx) {
  ctx.reply.Verbatim(ClientLine(ctx.client, NowMsSigned()));
}

// Which clients CLIENT KILL closes.
struct KillFilter {
  const std::string* addr = nullptr;
  const std::string* laddr = nullptr;
  ClientType type = ClientType::kUnknown;  // kUnknown: any type
  uint64_t id = 0;                         // 0: any id
  bool skipme = true;

  bool Matches(const Client& c, const Client& self) const {
    return (addr == nullptr || c.addr() == *addr) && (laddr == nullptr || c.laddr() == *laddr) &&
           (type == ClientType::kUnknown || TypeOf(c) == type) && (id == 0 || c.id() == id) &&
           !(skipme && &c == &self);
  }
};

// Parses CLIENT KILL's <option> <value> pairs from argv[2]; replies the error on failure.
bool ParseKillFilter(CommandContext& ctx, KillFilter* f) {
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    const std::string& opt = ctx.arg(i);
    if (i + 1 >= ctx.argc()) {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
    const std::string& val = ctx.arg(i + 1);
    if (IEquals(opt, "id")) {
      int64_t id = 0;
      if (!codec::ParseInt64(val, &id) || id < 1) {
        ctx.reply.Error("ERR client-id should be greater than 0");
        return false;
      }
      f->id = static_cast<uint64_t>(id);
    } else if (IEquals(opt, "type")) {
      if (!ArgClientType(ctx, i + 1, &f->type)) return false;
    } else if (IEquals(opt, "addr")) {
      f->addr = &val;
    } else if (IEquals(opt, "laddr")) {
      f->laddr = &val;
    } else if (IEquals(opt, "user")) {
      if (val != "default") {  // the only user until ACLs arrive; every client is logged in as it
        ctx.reply.Error("ERR No such user '" + val + "'");
        return false;
      }
    } else if (IEquals(opt, "skipme") && (IEquals(val, "yes") || IEquals(val, "no"))) {
      f->skipme = IEquals(val, "yes");
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// CLIENT KILL ip:port  (old form: +OK or an error)
// CLIENT KILL <ID id | TYPE type | USER user | ADDR ip:port | LADDR ip:port | SKIPME yes/no> ...
// (new form: the number killed). Killing oneself closes the connection after the reply.
void ClientKillCommand(CommandContext& ctx) {
  const bool old_form = ctx.argc() == 3;
  KillFilter filter;
  if (old_form) {
    filter.addr = &ctx.arg(2);
    filter.skipme = false;
  } else if (!ParseKillFilter(ctx, &filter)) {
    return;
  }
  int64_t killed = 0;
  for (const auto& c : ctx.server.clients->Snapshot()) {
    if (!filter.Matches(*c, ctx.client)) continue;
    if (c.get() == &ctx.client) {
      ctx.client.set_close_after_reply();
      ++killed;
    } else if (ctx.server.clients->Kill(c->id())) {
      ++killed;
    }
  }
  if (!old_form) {
    ctx.reply.Integer(killed);
  } else if (killed == 0) {
    ctx.reply.Error("ERR No such client");
  } else {
    ctx.reply.SimpleString("OK");
  }
}

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
void ClientUnblockCommand(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    // Redis names the subcommand as the client typed it.
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    ctx.arg(1).substr(0, 128) + "'. Try CLIENT HELP.");
    return;
  }
  bool with_error = false;
  if (ctx.argc() == 4) {
    if (IEquals(ctx.arg(3), "error")) {
      with_error = true;
    } else if (!IEquals(ctx.arg(3), "timeout")) {
      ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  int64_t id = 0;
  if (!ArgInt64(ctx, 2, &id)) return;
  const bool done = ctx.server.blocking->Unblock(static_cast<uint64_t>(id), with_error);
  ctx.reply.Integer(done ? 1 : 0);
}

// CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>  (Redis 7.2)
void ClientSetInfoCommand(CommandContext& ctx) {
  const std::string& attr = ctx.arg(2);
  const std::string& value = ctx.arg(3);
  bool is_name = IEquals(attr, "lib-name");
  if (!is_name && !IEquals(attr, "lib-ver")) {
    ctx.reply.Error("ERR Unrecognized option '" + attr + "'");
    return;
  }
  if (!ValidClientAttr(value)) {
    ctx.reply.Error("ERR " + attr + " cannot contain spaces, newlines or special characters.");
    return;
  }
  ctx.client.set_lib(value, value, is_name, !is_name);
  ctx.reply.SimpleString("OK");
}

// Parses ON / OFF; replies a syntax error otherwise.
bool ArgOnOff(CommandContext& ctx, size_t i, bool* on) {
  if (IEquals(ctx.arg(i), "on") || IEquals(ctx.arg(i), "off")) {
    *on = IEquals(ctx.arg(i), "on");
    return true;
  }
  ctx.reply.Error(kErrSyntax);
  return false;
}

// CLIENT NO-EVICT ON|OFF. Basalt evicts no clients; the flag is kept and shown.
void ClientNoEvictCommand(CommandContext& ctx) {
  bool on = false;
  if (!ArgOnOff(ctx, 2, &on)) return;
  ctx.client.no_evict.store(on);
  ctx.reply.SimpleString("OK");
}

// CLIENT NO-TOUCH ON|OFF (Redis 7.2). Basalt keeps no access times; the flag is kept and shown.
void ClientNoTouchCommand(CommandContext& ctx) {
  bool on = false;
  if (!ArgOnOff(ctx, 2, &on)) return;
  ctx.client.no_touch.store(on);
  ctx.reply.SimpleString("OK");
}

// CLIENT REPLY ON|OFF|SKIP. Only ON (the default) is supported: suppressing replies needs the
// connection's cooperation, which it does not offer yet.
void ClientReplyCommand(CommandContext& ctx) {
  const std::string& mode = ctx.arg(2);
  if (IEquals(mode, "on")) {
    ctx.reply.SimpleString("OK");
  } else if (IEquals(mode, "off") || IEquals(mode, "skip")) {
    ctx.reply.Error("ERR CLIENT REPLY OFF/SKIP is not supported by Basalt yet");
  } else {
    ctx.reply.Error(kErrSyntax);
  }
}

// CLIENT GETREDIR: -1, tracking is never on.
void ClientGetRedirCommand(CommandContext& ctx) { ctx.reply.Integer(-1); }

// CLIENT HELP
void ClientHelpCommand(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "GETREDIR",
                     "    Return the client ID we are redirecting to when tracking is enabled.",
                     "GETNAME",
                     "    Return the name of the current connection.",
                     "ID",
                     "    Return the ID of the current connection.",
                     "INFO",
                     "    Return information about the current client connection.",
                     "KILL <ip:port>",
                     "    Kill connection made from <ip:port>.",
                     "KILL <option> <value> [<option> <value> [...]]",
                     "    Kill connections. Options are:",
                     "    * ADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made from the specified address",
                     "    * LADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made to specified local address",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Kill connections by type.",
                     "    * USER <username>",
                     "      Kill connections authenticated by <username>.",
                     "    * SKIPME (YES|NO)",
                     "      Skip killing current connection (default: yes).",
                     "LIST [options ...]",
                     "    Return information about client connections. Options:",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Return clients of specified type.",
                     "REPLY (ON|OFF|SKIP)",
                     "    Control the replies sent to the current connection.",
                     "SETNAME <name>",
                     "    Assign the name <name> to the current connection.",
                     "SETINFO <option> <value>",
                     "    Set client meta attr. Options are:",
                     "    * LIB-NAME: the client lib name.",
                     "    * LIB-VER: the client lib version.",
                     "NO-EVICT (ON|OFF)",
                     "    Protect current client connection from eviction.",
                     "NO-TOUCH (ON|OFF)",
                     "    Will not touch LRU/LFU stats when this mode is on.",
                     "HELP",
                     "    Prints this help.",
                 });
}

}  // namespace

void RegisterIntrospectionCommands(CommandTable* t) {
  const uint32_t kMeta = kCmdLoading | kCmdStale;
  const std::vector<std::string> kConnAcl = {"@slow", "@connection"};
  const std::vector<std::string> kAdminAcl = {"@admin", "@slow", "@dangerous", "@connection"};
  auto add = [&](CommandSpec spec, const char* complexity) {
    spec.complexity = complexity;
    return t->Add(std::move(spec));
  };
  auto sub = [&](const char* parent, CommandSpec spec, const char* complexity) {
    spec.complexity = complexity;
    return t->AddSubcommand(parent, std::move(spec));
  };

  std::string g = "server";
  const char* kAllCommands = "O(N) where N is the total number of Redis commands";
  const char* kLookedUp = "O(N) where N is the number of commands to look up";
  add(MakeCommand("command", -1, kMeta, 0, 0, 0, CommandCommand, g, "2.8.13",
                  "Get array of Redis command details", kConnAcl),
      kAllCommands);
  sub("command",
      MakeCommand("count", 2, kMeta, 0, 0, 0, CommandCountCommand, g, "2.8.13",
                  "Get total number of Redis commands", kConnAcl),
      "O(1)");
  sub("command",
      MakeCommand("docs", -2, kMeta, 0, 0, 0, CommandDocsCommand, g, "7.0.0",
                  "Get array of specific Redis command documentation", kConnAcl),
      kLookedUp);
  sub("command",
      MakeCommand("getkeys", -4, kMeta, 0, 0, 0, CommandGetKeysCommand, g, "2.8.13",
                  "Extract keys given a full Redis command", kConnAcl),
      "O(N) where N is the number of arguments to the command");
  sub("command",
      MakeCommand("help", 2, kMeta, 0, 0, 0, CommandHelpCommand, g, "5.0.0",
                  "Show helpful text about the different subcommands", kConnAcl),
      "O(1)");
  sub("command",
      MakeCommand("info", -2, kMeta, 0, 0, 0, CommandInfoCommand, g, "2.8.13",
                  "Get array of specific Redis command details, or all when no argument is given.",
                  kConnAcl),
      kLookedUp);
  sub("command",
      MakeCommand("list", -2, kMeta, 0, 0, 0, CommandListCommand, g, "7.0.0",
                  "Get an array of Redis command names", kConnAcl),
      kAllCommands);

  g = "connection";
  const uint32_t kConn = kCmdNoScript | kMeta;
  const uint32_t kAdmin = kCmdAdmin | kConn;
  const char* kPerClient = "O(N) where N is the number of client connections";
  add(MakeCommand("client", -2, 0, 0, 0, 0, nullptr, g, "2.4.0",
                  "A container for client connection commands", {"@slow"}),
      "Depends on subcommand.");
  sub("client",
      MakeCommand("id", 2, kConn, 0, 0, 0, ClientIdCommand, g, "5.0.0",
                  "Returns the client ID for the current connection", kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("setname", 3, kConn, 0, 0, 0, ClientSetNameCommand, g, "2.6.9",
                  "Set the current connection name", kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("getname", 2, kConn, 0, 0, 0, ClientGetNameCommand, g, "2.6.9",
                  "Get the current connection name", kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("list", -2, kAdmin, 0, 0, 0, ClientListCommand, g, "2.4.0",
                  "Get the list of client connections", kAdminAcl),
      kPerClient);
  sub("client",
      MakeCommand("info", 2, kConn, 0, 0, 0, ClientInfoCommand, g, "6.2.0",
                  "Returns information about the current client connection.", kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("kill", -3, kAdmin, 0, 0, 0, ClientKillCommand, g, "2.4.0",
                  "Kill the connection of a client", kAdminAcl),
      kPerClient);
  sub("client",
      MakeCommand("unblock", -3, kAdmin, 0, 0, 0, ClientUnblockCommand, g, "5.0.0",
                  "Unblock a client blocked in a blocking command from a different connection",
                  kAdminAcl),
      "O(log N) where N is the number of client connections");
  sub("client",
      MakeCommand("setinfo", 4, kConn, 0, 0, 0, ClientSetInfoCommand, g, "7.2.0",
                  "Set client or connection specific info", kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("no-evict", 3, kAdmin, 0, 0, 0, ClientNoEvictCommand, g, "7.0.0",
                  "Set client eviction mode for the current connection", kAdminAcl),
      "O(1)");
  sub("client",
      MakeCommand("no-touch", 3, kConn, 0, 0, 0, ClientNoTouchCommand, g, "7.2.0",
                  "Controls whether commands sent by the client will alter the LRU/LFU of the "
                  "keys they access.",
                  kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("reply", 3, kConn, 0, 0, 0, ClientReplyCommand, g, "3.2.0",
                  "Instruct the server whether to reply to commands", kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("getredir", 2, kConn, 0, 0, 0, ClientGetRedirCommand, g, "6.0.0",
                  "Get tracking notifications redirection client ID if any", kConnAcl),
      "O(1)");
  sub("client",
      MakeCommand("help", 2, kMeta, 0, 0, 0, ClientHelpCommand, g, "5.0.0",
                  "Show helpful text about the different subcommands", kConnAcl),
      "O(1)");
}

}  // namespace basalt::server
