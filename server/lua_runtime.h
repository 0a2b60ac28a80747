// One Lua 5.1 interpreter per thread that runs scripts (script executors; workers for SCRIPT
// LOAD, FUNCTION LOAD and scripts inside EXEC), set up as Redis 7.0 sets up its own: the base,
// table, string and math libraries plus cjson and bit; no os, io, package, loadfile, dofile or
// debug; the redis.* API; globals and library tables read-only ("Attempt to modify a readonly
// table"), unknown globals an error. The conversions between Lua values and RESP follow Redis's
// rules exactly (see the comments above ReplyToLua and LuaToReply in lua_runtime.cc).
//
// Lua raises errors with longjmp, which would skip C++ destructors: every C function called
// from Lua keeps its C++ objects in an inner scope and raises only after leaving it.
//
// Thread-safety: a LuaRuntime belongs to the thread that made it (ForThread).
#ifndef BASALT_SERVER_LUA_RUNTIME_H_
#define BASALT_SERVER_LUA_RUNTIME_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/resp_parser.h"
#include "codec/resp_writer.h"
#include "engine/key_locks.h"
#include "server/client.h"
#include "server/scripting.h"

struct lua_State;

namespace basalt::server {

struct CommandContext;

// One execution of a script or function.
struct ScriptRun {
  CommandContext* caller = nullptr;
  Client* client = nullptr;  // the script's own client: db and RESP version of redis.call
  Scripting* scripting = nullptr;
  engine::KeyLocks::Guard* guard = nullptr;  // stripes held (optimistic mode)
  bool read_only = false;                    // EVAL_RO, FCALL_RO, no-writes
  bool exclusive = false;                    // world lock held exclusively
  bool is_function = false;
  bool restart = false;  // needs the exclusive world lock: rerun from scratch
  std::string name;      // SHA or function name, for error texts
  int resp = 2;          // redis.setresp
  int64_t start_ms = 0;
  int64_t threshold_ms = 5000;
  bool busy = false;
  std::atomic<bool> wrote{false};
  std::atomic<bool> kill{false};
  std::atomic<bool> abandon{false};  // shutdown: drop the staged writes, do not commit
};

class LuaRuntime {
 public:
  // The calling thread's interpreter, rebuilt when SCRIPT FLUSH ran since it was made.
  static LuaRuntime* ForThread(Scripting* scripting);
  ~LuaRuntime();

  // Compiles `body` from byte `skip` on (past a shebang) as script `sha` unless already
  // compiled. False with Redis's error text.
  bool CompileScript(const std::string& sha, const std::string& body, size_t skip,
                     std::string* error);
  // Runs a compiled script (KEYS and ARGV globals) and writes its reply.
  void RunScript(ScriptRun* run, const std::string& sha, const std::vector<std::string>& keys,
                 const std::vector<std::string>& args, codec::ReplyWriter& out);
  // Runs a function of a loaded library (keys and args as parameters). False if unknown.
  bool RunFunction(ScriptRun* run, const std::string& name, const std::vector<std::string>& keys,
                   const std::vector<std::string>& args, codec::ReplyWriter& out);

  // Runs a library's code (shebang already parsed into lib->name) and records the functions
  // it registers in lib->functions. With `install`, they become callable here. False with
  // Redis's error text.
  bool LoadLibrary(FunctionLibrary* lib, bool install, std::string* error);

 private:
  explicit LuaRuntime(Scripting* scripting);
  void SyncFunctions();
  void Call(ScriptRun* run, int nargs, codec::ReplyWriter& out);

  Scripting* scripting_;
  lua_State* L_;
  uint64_t scripts_gen_;
  uint64_t functions_gen_ = 0;
};

// Runs one command for redis.call: checks, key locking, InvokeCommand. Writes the reply into
// *out (RESP run->resp) and returns true, or returns false with the error text in *error.
// Sets run->restart when the script must be rerun under the exclusive world lock.
bool ScriptCommand(ScriptRun* run, const codec::Argv& argv, std::string* out, std::string* error);

}  // namespace basalt::server

#endif  // BASALT_SERVER_LUA_RUNTIME_H_
