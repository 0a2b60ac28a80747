// Scripting commands: EVAL EVALSHA EVAL_RO EVALSHA_RO, SCRIPT LOAD|EXISTS|FLUSH|KILL, FUNCTION
// LOAD|LIST|DELETE|FLUSH|KILL, FCALL FCALL_RO. The work is in server/scripting.{h,cc}; these
// handlers only forward. The EVAL family takes its own locks (declared KEYS, or the world), so
// the table gives it no key positions and no write flag: the dispatcher runs it unlocked.
#include "server/scripting.h"

#include "server/commands/args.h"
#include "server/monitor.h"

namespace basalt::server {

namespace {

Scripting& S(CommandContext& ctx) { return *ctx.server.scripting; }

// The EVAL and FCALL families are flagged skip-monitor, yet Redis shows them to MONITOR
// before the commands the script runs (which appear as "[db lua]").
Scripting& Shown(CommandContext& ctx) {
  if (ctx.server.monitors->active()) {
    ctx.server.monitors->Feed(ctx.client, ToLower(ctx.arg(0)), ctx.argv);
  }
  return S(ctx);
}

// EVAL script numkeys [key ...] [arg ...]   (and EVALSHA, EVAL_RO, EVALSHA_RO)
void EvalCommand(CommandContext& ctx) { Shown(ctx).Eval(ctx, false, false); }
void EvalShaCommand(CommandContext& ctx) { Shown(ctx).Eval(ctx, true, false); }
void EvalRoCommand(CommandContext& ctx) { Shown(ctx).Eval(ctx, false, true); }
void EvalShaRoCommand(CommandContext& ctx) { Shown(ctx).Eval(ctx, true, true); }
// FCALL function numkeys [key ...] [arg ...]   (and FCALL_RO)
void FCallCommand(CommandContext& ctx) { Shown(ctx).FCall(ctx, false); }
void FCallRoCommand(CommandContext& ctx) { Shown(ctx).FCall(ctx, true); }

// SCRIPT LOAD script
void ScriptLoadCommand(CommandContext& ctx) { S(ctx).ScriptLoad(ctx); }

// SCRIPT EXISTS sha1 [sha1 ...]
void ScriptExistsCommand(CommandContext& ctx) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply.Integer(S(ctx).ScriptExists(ctx.arg(i)));
}

// SCRIPT FLUSH [ASYNC|SYNC]
void ScriptFlushCommand(CommandContext& ctx) {
  std::string mode = ctx.argc() == 3 ? ctx.arg(2) : "sync";
  for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ctx.argc() > 3 || (mode != "sync" && mode != "async")) {
    ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  S(ctx).FlushScripts();
  ctx.reply.SimpleString("OK");
}

// SCRIPT KILL / FUNCTION KILL
void ScriptKillCommand(CommandContext& ctx) { S(ctx).Kill(ctx, false); }
void FunctionKillCommand(CommandContext& ctx) { S(ctx).Kill(ctx, true); }

// FUNCTION LOAD [REPLACE] code
void FunctionLoadCommand(CommandContext& ctx) { S(ctx).FunctionLoad(ctx); }
// FUNCTION DELETE library
void FunctionDeleteCommand(CommandContext& ctx) { S(ctx).FunctionDelete(ctx); }
// FUNCTION FLUSH [ASYNC|SYNC]
void FunctionFlushCommand(CommandContext& ctx) { S(ctx).FunctionFlush(ctx); }
// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
void FunctionListCommand(CommandContext& ctx) { S(ctx).FunctionList(ctx); }

}  // namespace

void RegisterScriptingCommands(CommandTable* t) {
  const std::string g = "scripting";
  const uint32_t kRun = kCmdNoScript | kCmdSkipMonitor | kCmdMayReplicate | kCmdStale;
  const std::vector<std::string> acl = {"@slow", "@scripting"};
  t->Add(MakeCommand("eval", -3, kRun, 0, 0, 0, EvalCommand, g, "2.6.0",
                     "Execute a Lua script server side", acl));
  t->Add(MakeCommand("evalsha", -3, kRun, 0, 0, 0, EvalShaCommand, g, "2.6.0",
                     "Execute a Lua script server side", acl));
  t->Add(MakeCommand("eval_ro", -3, kRun, 0, 0, 0, EvalRoCommand, g, "7.0.0",
                     "Execute a read-only Lua script server side", acl));
  t->Add(MakeCommand("evalsha_ro", -3, kRun, 0, 0, 0, EvalShaRoCommand, g, "7.0.0",
                     "Execute a read-only Lua script server side", acl));
  t->Add(
      MakeCommand("fcall", -3, kRun, 0, 0, 0, FCallCommand, g, "7.0.0", "Invoke a function", acl));
  t->Add(MakeCommand("fcall_ro", -3, kRun, 0, 0, 0, FCallRoCommand, g, "7.0.0",
                     "Invoke a read-only function", acl));

  const uint32_t kAdmin = kCmdNoScript;
  t->Add(MakeCommand("script", -2, 0, 0, 0, 0, nullptr, g, "2.6.0",
                     "A container for Lua scripts management commands", {"@slow"}));
  t->AddSubcommand(
      "script", MakeCommand("load", 3, kAdmin | kCmdStale, 0, 0, 0, ScriptLoadCommand, g, "2.6.0",
                            "Load the specified Lua script into the script cache", acl));
  t->AddSubcommand("script",
                   MakeCommand("exists", -3, kAdmin, 0, 0, 0, ScriptExistsCommand, g, "2.6.0",
                               "Check existence of scripts in the script cache", acl));
  t->AddSubcommand("script",
                   MakeCommand("flush", -2, kAdmin, 0, 0, 0, ScriptFlushCommand, g, "2.6.0",
                               "Remove all the scripts from the script cache", acl));
  t->AddSubcommand("script",
                   MakeCommand("kill", 2, kAdmin | kCmdAllowBusy, 0, 0, 0, ScriptKillCommand, g,
                               "2.6.0", "Kill the script currently in execution", acl));

  t->Add(MakeCommand("function", -2, 0, 0, 0, 0, nullptr, g, "7.0.0",
                     "A container for function commands", {"@slow"}));
  const uint32_t kFnWrite = kCmdNoScript | kCmdWrite | kCmdDenyOom;
  t->AddSubcommand("function",
                   MakeCommand("load", -3, kFnWrite, 0, 0, 0, FunctionLoadCommand, g, "7.0.0",
                               "Create a function with the given arguments "
                               "(name, code, description)",
                               {"@write", "@slow", "@scripting"}));
  t->AddSubcommand(
      "function",
      MakeCommand("delete", 3, kCmdNoScript | kCmdWrite, 0, 0, 0, FunctionDeleteCommand, g, "7.0.0",
                  "Delete a function by name", {"@write", "@slow", "@scripting"}));
  t->AddSubcommand(
      "function",
      MakeCommand("flush", -2, kCmdNoScript | kCmdWrite, 0, 0, 0, FunctionFlushCommand, g, "7.0.0",
                  "Deleting all functions", {"@write", "@slow", "@scripting"}));
  t->AddSubcommand("function",
                   MakeCommand("list", -2, kCmdNoScript, 0, 0, 0, FunctionListCommand, g, "7.0.0",
                               "List information about all the functions", acl));
  t->AddSubcommand(
      "function", MakeCommand("kill", 2, kCmdNoScript | kCmdAllowBusy, 0, 0, 0, FunctionKillCommand,
                              g, "7.0.0", "Kill the function currently in execution.", acl));
}

}  // namespace basalt::server
