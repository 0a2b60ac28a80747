#include "server/lua_runtime.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <lua.hpp>
#include <memory>

#include "codec/sha1.h"
#include "server/command.h"
#include "server/lua_convert.h"
#include "server/lua_libs.h"

extern "C" {
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace basalt::server {

namespace {

thread_local ScriptRun* current_run = nullptr;
// While FUNCTION LOAD runs a library's code: when it must have finished (Redis: 500 ms).
thread_local int64_t load_deadline_ms = 0;
constexpr int64_t kLoadTimeoutMs = 500;

constexpr char kErrHandlerKey[] = "basalt_err_handler";
constexpr char kGlobalsKey[] = "basalt_globals";       // the real globals table
constexpr char kProxyKey[] = "basalt_globals_proxy";   // what scripts see as _G
constexpr char kReadonlyKey[] = "basalt_readonly";     // set of protected proxies
constexpr char kScriptsKey[] = "basalt_scripts";       // sha -> function
constexpr char kFunctionsKey[] = "basalt_functions";   // name -> function
constexpr char kRegisterKey[] = "basalt_registering";  // name -> {fn, flags} during a load
constexpr char kLoadRedisKey[] = "basalt_load_redis";  // the redis table libraries see
constexpr char kReadonlyError[] = "Attempt to modify a readonly table";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ---- the redis.* API -----------------------------------------------------------------------

// redis.call / redis.pcall. Builds argv, runs the command, converts its reply.
int GenericCall(lua_State* L, bool raise) {
  bool failed = false;
  {
    ScriptRun* run = current_run;
    int argc = lua_gettop(L);
    std::string error;
    codec::Argv argv;
    if (run == nullptr) {
      error = "redis.call is not available here";
    } else if (argc == 0) {
      error = "Please specify at least one argument for this redis lib call";
    }
    for (int i = 1; error.empty() && i <= argc; ++i) {
      if (lua_type(L, i) == LUA_TNUMBER) {
        char buf[64];
        int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, i)));
        argv.emplace_back(buf, static_cast<size_t>(n));
      } else if (lua_type(L, i) == LUA_TSTRING) {
        size_t len;
        const char* s = lua_tolstring(L, i, &len);
        argv.emplace_back(s, len);
      } else {
        error = "Lua redis lib command arguments must be strings or integers";
      }
    }
    std::string out;
    if (error.empty() && !ScriptCommand(run, argv, &out, &error)) {
      if (run->restart || run->kill) raise = true;
    }
    if (!error.empty()) {
      PushErrorTable(L, error);
      failed = true;
    } else {
      std::string_view in(out);
      if (!in.empty() && in[0] == '-') {
        std::string text = "-";
        text.append(in.substr(1, in.size() - 3));
        PushErrorTable(L, text);
        failed = true;
      } else {
        PushReply(L, &in);
      }
    }
  }
  if (failed && raise) return lua_error(L);
  return 1;
}

int RedisCall(lua_State* L) { return GenericCall(L, true); }
int RedisPcall(lua_State* L) { return GenericCall(L, false); }

int RedisSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    lua_pushstring(L, "wrong number of arguments");
    return lua_error(L);
  }
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  char hex[41];
  {
    std::string h = codec::Sha1Hex(std::string_view(s == nullptr ? "" : s, s ? len : 0));
    std::memcpy(hex, h.data(), 40);
  }
  lua_pushlstring(L, hex, 40);
  return 1;
}

// redis.error_reply(msg) / redis.status_reply(msg).
int RedisErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    lua_pushstring(L, "wrong number or type of arguments");
    return lua_error(L);
  }
  std::string_view err(lua_tostring(L, 1));
  if (!err.empty() && err[0] == '-') {
    PushErrorTable(L, err);
  } else {
    PushErrorTable(L, "-" + std::string(err));
  }
  return 1;
}

int RedisStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    lua_pushstring(L, "wrong number or type of arguments");
    return lua_error(L);
  }
  lua_newtable(L);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int RedisLog(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) {
    lua_pushstring(L, "redis.log() requires two arguments or more.");
    return lua_error(L);
  }
  if (!lua_isnumber(L, 1)) {
    lua_pushstring(L, "First argument must be a number (log level).");
    return lua_error(L);
  }
  int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < 0 || level > 3) {
    lua_pushstring(L, "Invalid debug level.");
    return lua_error(L);
  }
  {
    std::string msg;
    for (int i = 2; i <= argc; ++i) {
      size_t len;
      const char* s = lua_tolstring(L, i, &len);
      if (s == nullptr) continue;
      if (!msg.empty()) msg.push_back(' ');
      msg.append(s, len);
    }
    static const spdlog::level::level_enum kLevels[] = {spdlog::level::debug, spdlog::level::debug,
                                                        spdlog::level::info, spdlog::level::warn};
    spdlog::log(kLevels[level], "script: {}", msg);
  }
  return 0;
}

int RedisSetResp(lua_State* L) {
  if (lua_gettop(L) != 1) {
    lua_pushstring(L, "redis.setresp() requires one argument.");
    return lua_error(L);
  }
  int resp = static_cast<int>(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) {
    lua_pushstring(L, "RESP version must be 2 or 3.");
    return lua_error(L);
  }
  if (current_run != nullptr) {
    current_run->resp = resp;
    current_run->client->set_resp(resp);
  }
  return 0;
}

int ReturnTrue(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}
int ReturnNothing(lua_State*) { return 0; }

// redis.register_function(name, fn) or redis.register_function{function_name=, callback=,
// flags=, description=}: records into the registering table.
int RedisRegisterFunction(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 1 && lua_istable(L, 1)) {
    lua_getfield(L, 1, "function_name");
    lua_getfield(L, 1, "callback");
    lua_getfield(L, 1, "flags");
  } else if (argc == 2) {
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushnil(L);
  } else {
    PushErrorTable(L, "wrong number of arguments to redis.register_function");
    return lua_error(L);
  }
  // Stack: name, callback, flags.
  if (lua_type(L, -3) != LUA_TSTRING || lua_type(L, -2) != LUA_TFUNCTION) {
    PushErrorTable(L,
                   "function_name and callback argument given to redis.register_function "
                   "must be a string and a function");
    return lua_error(L);
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kRegisterKey);
  if (!lua_istable(L, -1)) {
    PushErrorTable(L, "redis.register_function can only be called on FUNCTION LOAD command");
    return lua_error(L);
  }
  lua_pushvalue(L, -4);
  lua_rawget(L, -2);
  if (!lua_isnil(L, -1)) {
    PushErrorTable(L, "Function already exists in the library");
    return lua_error(L);
  }
  lua_pop(L, 1);
  lua_pushvalue(L, -4);  // name
  lua_newtable(L);
  lua_pushvalue(L, -5);
  lua_setfield(L, -2, "callback");
  lua_pushvalue(L, -4);
  lua_setfield(L, -2, "flags");
  lua_rawset(L, -3);
  return 0;
}

// ---- sandbox -------------------------------------------------------------------------------

// __index of the globals proxy: reading an unknown global is an error, as in Redis.
int StrictIndex(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (lua_isnil(L, -1)) {
    const char* name = lua_tostring(L, 2);
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                      name == nullptr ? "?" : name);
  }
  return 1;
}

int ReadonlyNewIndex(lua_State* L) { return luaL_error(L, kReadonlyError); }

bool IsReadonly(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return false;
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  bool ro = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return ro;
}

// rawset and setmetatable refuse the protected tables (Redis: lua_enablereadonlytable).
int GuardedRawset(lua_State* L) {
  if (IsReadonly(L, 1)) {
    lua_pushstring(L, kReadonlyError);
    return lua_error(L);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// Replaces the table at the top of the stack with a read-only proxy of it. `strict`: unknown
// fields are errors (the globals).
void MakeReadonly(lua_State* L, bool strict) {
  int table = lua_gettop(L);
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  if (strict) {
    lua_pushvalue(L, table);
    lua_pushcclosure(L, StrictIndex, 1);
  } else {
    lua_pushvalue(L, table);
  }
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_replace(L, table);
}

void SetFunctions(lua_State* L, const luaL_Reg* fns) {
  for (; fns->name != nullptr; ++fns) {
    lua_pushcfunction(L, fns->func);
    lua_setfield(L, -2, fns->name);
  }
}

void PushRedisConstants(lua_State* L) {
  const std::pair<const char*, int> kInts[] = {{"LOG_DEBUG", 0},  {"LOG_VERBOSE", 1},
                                               {"LOG_NOTICE", 2}, {"LOG_WARNING", 3},
                                               {"REPL_NONE", 0},  {"REPL_AOF", 1},
                                               {"REPL_SLAVE", 2}, {"REPL_REPLICA", 2},
                                               {"REPL_ALL", 3},   {"REDIS_VERSION_NUM", 0x07000f}};
  for (const auto& [name, v] : kInts) {
    lua_pushnumber(L, v);
    lua_setfield(L, -2, name);
  }
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
}

// Redis's __redis__err__handler: errors become {err=, source=, line=} of the script frame.
constexpr char kErrHandler[] = R"(
local dbg = debug
return function(err)
  local i = dbg.getinfo(2,'nSl')
  if i and i.what == 'C' then
    i = dbg.getinfo(3,'nSl')
  end
  if type(err) ~= 'table' then
    err = {err='ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end)";

void OpenLibraries(lua_State* L) {
  const luaL_Reg libs[] = {{"", luaopen_base},
                           {LUA_TABLIBNAME, luaopen_table},
                           {LUA_STRLIBNAME, luaopen_string},
                           {LUA_MATHLIBNAME, luaopen_math},
                           {LUA_DBLIBNAME, luaopen_debug}};
  for (const luaL_Reg& lib : libs) {
    lua_pushcfunction(L, lib.func);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 0);
  }
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  lua_pushcfunction(L, luaopen_bit);
  lua_call(L, 0, 1);
  lua_setglobal(L, "bit");
  OpenStructAndMsgpack(L);
  luaL_loadstring(L, kErrHandler);
  lua_call(L, 0, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, kErrHandlerKey);
  for (const char* name : {"debug", "loadfile", "dofile", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
}

void InstallRedisApi(lua_State* L) {
  const luaL_Reg shared[] = {{"sha1hex", RedisSha1Hex},          {"error_reply", RedisErrorReply},
                             {"status_reply", RedisStatusReply}, {"log", RedisLog},
                             {"setresp", RedisSetResp},          {nullptr, nullptr}};
  const luaL_Reg run_only[] = {{"call", RedisCall},
                               {"pcall", RedisPcall},
                               {"replicate_commands", ReturnTrue},
                               {"set_repl", ReturnNothing},
                               {"breakpoint", ReturnNothing},
                               {"debug", ReturnNothing},
                               {nullptr, nullptr}};
  lua_newtable(L);
  SetFunctions(L, shared);
  SetFunctions(L, run_only);
  PushRedisConstants(L);
  MakeReadonly(L, false);
  lua_setglobal(L, "redis");
  // Libraries see a smaller redis table while FUNCTION LOAD runs their code.
  const luaL_Reg load_only[] = {{"register_function", RedisRegisterFunction}, {nullptr, nullptr}};
  lua_newtable(L);
  SetFunctions(L, shared);
  SetFunctions(L, load_only);
  PushRedisConstants(L);
  MakeReadonly(L, true);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadRedisKey);
}

// Makes the library tables and the globals read-only; scripts see the proxy as their globals.
void Protect(lua_State* L) {
  for (const char* name :
       {"string", "table", "math", "cjson", "bit", "struct", "cmsgpack", "coroutine"}) {
    lua_getglobal(L, name);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    MakeReadonly(L, false);
    lua_setglobal(L, name);
  }
  lua_getglobal(L, "rawset");
  lua_pushcclosure(L, GuardedRawset, 1);
  lua_setglobal(L, "rawset");
  lua_getglobal(L, "setmetatable");
  lua_pushcclosure(L, GuardedRawset, 1);
  lua_setglobal(L, "setmetatable");
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  MakeReadonly(L, true);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kProxyKey);
  lua_getfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "_G");
  lua_pop(L, 1);
  lua_replace(L, LUA_GLOBALSINDEX);
}

// Count hook: busy-reply-threshold and SCRIPT KILL.
void Hook(lua_State* L, lua_Debug*) {
  ScriptRun* run = current_run;
  if (run == nullptr) {
    if (load_deadline_ms != 0 && NowMs() > load_deadline_ms) {
      PushErrorTable(L, "FUNCTION LOAD timeout");
      lua_error(L);
    }
    return;
  }
  if (!run->busy && NowMs() - run->start_ms >= run->threshold_ms) {
    run->busy = true;
    run->scripting->MarkBusy(run);
  }
  if (run->kill.load()) {
    lua_sethook(L, Hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);  // pcall cannot swallow it
    PushErrorTable(L, "Script killed by user with SCRIPT KILL...");
    lua_error(L);
  }
}

void PushStringArray(lua_State* L, const std::vector<std::string>& items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

LuaRuntime::LuaRuntime(Scripting* scripting)
    : scripting_(scripting), L_(luaL_newstate()), scripts_gen_(scripting->scripts_generation()) {
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kScriptsKey);
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kFunctionsKey);
  OpenLibraries(L_);
  InstallRedisApi(L_);
  Protect(L_);
}

LuaRuntime::~LuaRuntime() { lua_close(L_); }

LuaRuntime* LuaRuntime::ForThread(Scripting* scripting) {
  thread_local std::unique_ptr<LuaRuntime> runtime;
  if (runtime == nullptr || runtime->scripting_ != scripting ||
      runtime->scripts_gen_ != scripting->scripts_generation()) {
    runtime.reset(new LuaRuntime(scripting));
  }
  return runtime.get();
}

bool LuaRuntime::CompileScript(const std::string& sha, const std::string& body, size_t skip,
                               std::string* error) {
  lua_getfield(L_, LUA_REGISTRYINDEX, kScriptsKey);
  lua_getfield(L_, -1, sha.c_str());
  bool have = lua_isfunction(L_, -1);
  lua_pop(L_, 1);
  if (!have) {
    if (luaL_loadbuffer(L_, body.data() + skip, body.size() - skip, "@user_script") != 0) {
      *error = "ERR Error compiling script (new function): ";
      *error += lua_tostring(L_, -1);
      lua_pop(L_, 2);
      return false;
    }
    lua_setfield(L_, -2, sha.c_str());
  }
  lua_pop(L_, 1);
  return true;
}

void LuaRuntime::Call(ScriptRun* run, int nargs, codec::ReplyWriter& out) {
  // Stack: handler, function, args...
  int handler = lua_gettop(L_) - nargs - 1;
  current_run = run;
  lua_sethook(L_, Hook, LUA_MASKCOUNT, 100000);
  int rc = lua_pcall(L_, nargs, 1, handler);
  lua_sethook(L_, nullptr, 0, 0);
  current_run = nullptr;
  if (rc == 0) {
    LuaToReply(L_, lua_gettop(L_), out, run->resp, 0);
  } else if (lua_istable(L_, -1)) {
    std::string msg, source;
    if (!StringField(L_, lua_gettop(L_), "err", &msg)) msg = "ERR unknown error";
    while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
    lua_getfield(L_, -1, "line");
    std::string line = lua_isnumber(L_, -1) ? lua_tostring(L_, -1) : "";
    lua_pop(L_, 1);
    if (StringField(L_, lua_gettop(L_), "source", &source) && !line.empty()) {
      msg += " script: " + run->name + ", on " + source + ":" + line + ".";
    }
    out.Error(msg);
  } else {
    const char* msg = lua_tostring(L_, -1);
    out.Error("ERR Error running script " + run->name + ", " +
              std::string(msg == nullptr ? "execution failure" : msg).substr(0, 100));
  }
  lua_settop(L_, 0);
  // Restores what a script may have changed outside the read-only tables.
  lua_getfield(L_, LUA_REGISTRYINDEX, kProxyKey);
  lua_replace(L_, LUA_GLOBALSINDEX);
  lua_gc(L_, LUA_GCSTEP, 1);
}

void LuaRuntime::RunScript(ScriptRun* run, const std::string& sha,
                           const std::vector<std::string>& keys,
                           const std::vector<std::string>& args, codec::ReplyWriter& out) {
  lua_getfield(L_, LUA_REGISTRYINDEX, kGlobalsKey);
  PushStringArray(L_, keys);
  lua_setfield(L_, -2, "KEYS");
  PushStringArray(L_, args);
  lua_setfield(L_, -2, "ARGV");
  lua_pop(L_, 1);
  lua_getfield(L_, LUA_REGISTRYINDEX, kErrHandlerKey);
  lua_getfield(L_, LUA_REGISTRYINDEX, kScriptsKey);
  lua_getfield(L_, -1, sha.c_str());
  lua_remove(L_, -2);
  Call(run, 0, out);
}

bool LuaRuntime::RunFunction(ScriptRun* run, const std::string& name,
                             const std::vector<std::string>& keys,
                             const std::vector<std::string>& args, codec::ReplyWriter& out) {
  SyncFunctions();
  lua_getfield(L_, LUA_REGISTRYINDEX, kErrHandlerKey);
  lua_getfield(L_, LUA_REGISTRYINDEX, kFunctionsKey);
  lua_getfield(L_, -1, name.c_str());
  lua_remove(L_, -2);
  if (!lua_isfunction(L_, -1)) {
    lua_settop(L_, 0);
    return false;
  }
  PushStringArray(L_, keys);
  PushStringArray(L_, args);
  Call(run, 2, out);
  return true;
}

void LuaRuntime::SyncFunctions() {
  uint64_t gen = scripting_->functions_generation();
  if (gen == functions_gen_) return;
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kFunctionsKey);
  for (FunctionLibrary& lib : scripting_->Libraries()) {
    std::string error;
    if (!LoadLibrary(&lib, true, &error)) spdlog::error("library {}: {}", lib.name, error);
  }
  functions_gen_ = gen;
}

bool LuaRuntime::LoadLibrary(FunctionLibrary* lib, bool install, std::string* error) {
  lib->functions.clear();
  std::string code = lib->code.substr(
      lib->code.find('\n') == std::string::npos ? lib->code.size() : lib->code.find('\n'));
  if (luaL_loadbuffer(L_, code.data(), code.size(), "@user_function") != 0) {
    *error = std::string("ERR Error compiling function: ") + lua_tostring(L_, -1);
    lua_settop(L_, 0);
    return false;
  }
  // The library's code runs with `redis` bound to the load-time table.
  lua_getfield(L_, LUA_REGISTRYINDEX, kGlobalsKey);
  lua_getfield(L_, -1, "redis");
  lua_getfield(L_, LUA_REGISTRYINDEX, kLoadRedisKey);
  lua_setfield(L_, -3, "redis");
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kRegisterKey);
  lua_getfield(L_, LUA_REGISTRYINDEX, kErrHandlerKey);
  lua_pushvalue(L_, 1);
  lua_sethook(L_, Hook, LUA_MASKCOUNT, 100000);
  load_deadline_ms = NowMs() + kLoadTimeoutMs;
  int rc = lua_pcall(L_, 0, 0, -2);
  load_deadline_ms = 0;
  lua_sethook(L_, nullptr, 0, 0);
  // Stack: chunk, globals, run-time redis, handler, [error].
  lua_pushvalue(L_, 3);
  lua_setfield(L_, 2, "redis");
  bool ok = rc == 0;
  if (!ok) {
    std::string msg;
    if (!lua_istable(L_, -1) || !StringField(L_, lua_gettop(L_), "err", &msg)) {
      msg = lua_tostring(L_, -1) == nullptr ? "unknown error" : lua_tostring(L_, -1);
    }
    *error = "ERR Error registering functions: " + msg;
  }
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegisterKey);
  int reg = lua_gettop(L_);
  lua_pushnil(L_);
  while (ok && lua_next(L_, reg) != 0) {
    FunctionLibrary::Function fn;
    fn.name = lua_tostring(L_, -2);
    lua_getfield(L_, -1, "flags");
    if (lua_istable(L_, -1)) {
      for (int j = 1;; ++j) {
        lua_rawgeti(L_, -1, j);
        if (lua_type(L_, -1) != LUA_TSTRING) {
          lua_pop(L_, 1);
          break;
        }
        fn.flags.emplace_back(lua_tostring(L_, -1));
        if (fn.flags.back() == "no-writes") fn.no_writes = true;
        lua_pop(L_, 1);
      }
    }
    lua_pop(L_, 1);
    if (install) {
      lua_getfield(L_, LUA_REGISTRYINDEX, kFunctionsKey);
      lua_getfield(L_, -2, "callback");
      lua_setfield(L_, -2, fn.name.c_str());
      lua_pop(L_, 1);
    }
    lib->functions.push_back(std::move(fn));
    lua_pop(L_, 1);
  }
  lua_pushnil(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kRegisterKey);
  lua_settop(L_, 0);
  if (ok && lib->functions.empty()) {
    *error = "ERR No functions registered";
    ok = false;
  }
  return ok;
}

}  // namespace basalt::server
