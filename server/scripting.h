// Lua scripting: EVAL / EVALSHA / EVAL_RO / EVALSHA_RO, SCRIPT, FUNCTION and FCALL / FCALL_RO.
//
// Where scripts run. A worker must keep serving its connections while a script runs (-BUSY
// replies, SCRIPT KILL, SHUTDOWN NOSAVE), so EVAL/EVALSHA/EVAL_RO/EVALSHA_RO/FCALL/FCALL_RO
// outside MULTI/EXEC are handed to the script executor thread of the client's worker
// (server/script_executor.h; one per worker, made on first use) and the client is suspended
// like a blocked client (Client::running_script): its connection keeps reading and buffering
// input but runs nothing more. The executor runs the whole command (argument checks, compile,
// the atomic run below) on a copy of what it needs, then posts the reply through
// Worker::DeliverBlocked -> Connection::Unblocked, which makes the client's writes durable
// (the group commit) before the reply leaves and resumes the pipelined commands in order. A client
// that disconnected meanwhile has its reply dropped there; the script still runs to its end or
// until killed. One executor per worker keeps today's concurrency: clients of one worker run
// their scripts one after the other (as they did on the worker), clients of different workers
// in parallel under the key locks below; the executor, never the worker, takes those locks,
// and a worker waiting for locks a script holds gives up with -BUSY once the script is busy
// (server/dispatcher.h, CommandLocks). Inside EXEC a script runs inline on the worker, under
// EXEC's locks and inside its Txn, as a queued command must.
//
// Runtime. Each executor thread (and each worker, for SCRIPT LOAD, FUNCTION LOAD and scripts
// inside EXEC) owns one Lua 5.1 interpreter (server/lua_runtime.h), made on first use; scripts
// and function libraries are shared as source text here and compiled into a thread's
// interpreter when it first needs them. SCRIPT FLUSH and FUNCTION LOAD/DELETE/FLUSH bump
// generations that make each interpreter rebuild lazily.
//
// Atomicity and locking. A script runs inside one engine::Txn, so everything it writes commits
// as ONE RocksDB WriteBatch when it returns (also when it ends in an error: Redis has no
// rollback); readers without locks see all of it or none. Writers are kept out like this:
//   1. Optimistic: the world lock shared plus the stripes of the declared KEYS. Before each
//      redis.call the stripes of the command's keys are taken with try-lock (never waiting while
//      holding others, so this cannot deadlock). A stripe another client holds, a command that
//      rewrites whole databases, or a command with no key positions that may touch keys
//      (KEYS, SCAN, RANDOMKEY, ...) aborts the attempt: its staged writes are dropped, nothing
//      was visible, and
//   2. the script is run again from the start with the world lock held exclusively.
// Scripts with numkeys = 0 go straight to (2). A script whose every key is declared runs in
// parallel with writers of other keys; one that lies about its keys is still atomic, only
// slower. Side effects outside the transaction (redis.log) may repeat on a rerun.
// Inside EXEC a script runs under EXEC's exclusive world lock and inside EXEC's Txn.
//
// Busy scripts. A count hook checks the clock; once a script runs longer than
// busy-reply-threshold, other clients get -BUSY (except allow-busy commands such as SCRIPT
// KILL) until it ends. SCRIPT KILL / FUNCTION KILL stop a running script that has not written
// (-UNKILLABLE otherwise), from any connection. SHUTDOWN NOSAVE stops the executors
// (StopExecutors): running scripts are killed even if they wrote, and their staged writes
// dropped. A script inside EXEC still occupies its worker (other workers' clients get -BUSY).
//
// Thread-safety: Scripting is shared by all workers; its methods are thread-safe.
#ifndef BASALT_SERVER_SCRIPTING_H_
#define BASALT_SERVER_SCRIPTING_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/status.h"

namespace basalt::server {

struct CommandContext;
struct ServerContext;
struct ScriptRun;
class ScriptExecutor;

// A FUNCTION library: its source and the functions it registers.
struct FunctionLibrary {
  struct Function {
    std::string name;
    std::vector<std::string> flags;  // "no-writes", "allow-oom", ...
    bool no_writes = false;
  };
  std::string name;
  std::string code;
  std::vector<Function> functions;
};

class Scripting {
 public:
  explicit Scripting(ServerContext* server);
  ~Scripting();  // StopExecutors()

  // Loads the persisted FUNCTION libraries. Called once at start-up, before serving.
  engine::Status LoadFunctions();

  // Posts `reply` to client `client_id` on worker `worker`, which sends it and resumes the
  // client (Worker::DeliverBlocked).
  using DeliverFn = std::function<void(int worker, uint64_t client_id, std::string reply)>;
  // Called by the server before its workers start: from then on scripts run outside MULTI/EXEC
  // go to the caller's worker's executor thread, and their replies come back through
  // `deliver`. Without it (in-process tests) they run inline.
  void EnableExecutors(DeliverFn deliver);
  // Shutdown: kills every running script, also one that wrote (its staged writes are dropped:
  // SHUTDOWN NOSAVE), drops queued ones and joins the executor threads. No script runs on an
  // executor afterwards. Call before the workers stop. Idempotent.
  void StopExecutors();

  // Command entry points (server/commands/scripting.cc). Each writes one reply.
  void Eval(CommandContext& ctx, bool by_sha, bool read_only);
  void FCall(CommandContext& ctx, bool read_only);
  void ScriptLoad(CommandContext& ctx);
  void FunctionLoad(CommandContext& ctx);
  void FunctionDelete(CommandContext& ctx);
  void FunctionFlush(CommandContext& ctx);
  void FunctionList(CommandContext& ctx);
  // SCRIPT KILL (functions = false) / FUNCTION KILL (functions = true).
  void Kill(CommandContext& ctx, bool functions);

  bool ScriptExists(const std::string& sha);
  void FlushScripts();

  // Non-empty while a script runs past busy-reply-threshold: the -BUSY error text for others.
  std::string BusyError() const;

  // Script source by SHA (lower case); false if unknown.
  bool ScriptBody(const std::string& sha, std::string* body);
  // Remembers `body` under its SHA and returns the SHA.
  std::string AddScript(const std::string& body);
  uint64_t scripts_generation() const { return scripts_gen_.load(); }
  uint64_t functions_generation() const { return functions_gen_.load(); }
  std::vector<FunctionLibrary> Libraries();

  // Running-script registry, used by the count hook, SCRIPT KILL and BusyError.
  void Enter(ScriptRun* run);
  void Leave(ScriptRun* run);
  void MarkBusy(ScriptRun* run);

  ServerContext* server() { return server_; }

 private:
  engine::Status PersistLocked();
  // Runs `run` for ctx on ctx's worker's executor and suspends ctx.client until the reply is
  // delivered. False (nothing done) when the script must run inline: inside EXEC, without
  // executors, or during shutdown.
  bool Offload(CommandContext& ctx, std::function<void(CommandContext&)> run);
  ScriptExecutor* ExecutorFor(int worker);
  void EvalNow(CommandContext& ctx, bool by_sha, bool read_only);
  void FCallNow(CommandContext& ctx, bool read_only);
  bool FindFunction(const std::string& name, FunctionLibrary::Function* fn);

  ServerContext* server_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> scripts_;  // sha -> body
  std::map<std::string, FunctionLibrary> libraries_;      // by library name
  std::atomic<uint64_t> scripts_gen_{1};
  std::atomic<uint64_t> functions_gen_{1};
  mutable std::mutex run_mu_;
  std::set<ScriptRun*> running_;
  std::atomic<int> busy_{0};  // running scripts past the threshold
  std::atomic<bool> busy_function_{false};
  bool stopping_ = false;  // guarded by run_mu_: runs that enter from now on are killed

  std::mutex exec_mu_;
  DeliverFn deliver_;                                       // set once, before any script runs
  std::vector<std::unique_ptr<ScriptExecutor>> executors_;  // by worker, made on first use
  bool executors_stopped_ = false;
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_SCRIPTING_H_
