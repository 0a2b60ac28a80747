#include "server/scripting.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <shared_mutex>

#include "codec/glob.h"
#include "codec/numbers.h"
#include "codec/resp_parser.h"
#include "codec/sha1.h"
#include "engine/server_records.h"
#include "engine/txn.h"
#include "server/blocking.h"
#include "server/commands/args.h"
#include "server/config.h"
#include "server/dispatcher.h"
#include "server/errors.h"
#include "server/lua_runtime.h"
#include "server/script_executor.h"
#include "server/stats.h"

namespace basalt::server {

namespace {

// Persisted FUNCTION libraries, server record "functions":
//   value := format:u8 (= 1) | { code_len:u32be | code }*
// Each code starts with its "#!lua name=<lib>" line; the rest is derived by loading it.
constexpr char kFunctionsRecord[] = "functions";
constexpr uint8_t kFunctionsFormat = 1;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Parses "#!lua name=<lib>" (the first line) into *name. False: Redis's error text in *error.
bool ParseShebang(const std::string& code, std::string* name, std::string* error) {
  if (code.compare(0, 2, "#!") != 0) {
    *error = "ERR Missing library metadata";
    return false;
  }
  std::string line = code.substr(
      2, code.find('\n') == std::string::npos ? std::string::npos : code.find('\n') - 2);
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= line.size()) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string::npos) sp = line.size();
    if (sp > pos) parts.push_back(line.substr(pos, sp - pos));
    pos = sp + 1;
  }
  if (parts.empty() || parts[0] != "lua" || parts.size() != 2 ||
      parts[1].compare(0, 5, "name=") != 0 || !ValidName(parts[1].substr(5))) {
    *error = "ERR Invalid library metadata";
    return false;
  }
  *name = parts[1].substr(5);
  return true;
}

// EVAL scripts may start with "#!lua [flags=f1,f2]" (Redis 7). Sets *skip to the shebang's
// length (the code compiled starts at its newline, so line numbers stay) and *no_writes.
// False with Redis's error text.
bool ParseEvalShebang(const std::string& body, size_t* skip, bool* no_writes, std::string* error) {
  *skip = 0;
  *no_writes = false;
  if (body.compare(0, 2, "#!") != 0) return true;
  size_t nl = body.find('\n');
  if (nl == std::string::npos) {
    *error = "ERR Invalid script shebang";
    return false;
  }
  codec::Argv parts;
  if (!codec::SplitInlineArgs(std::string_view(body).substr(0, nl), &parts) || parts.empty()) {
    *error = "ERR Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *error = "ERR Unexpected engine in script shebang: " + parts[0];
    return false;
  }
  static const char* const kFlags[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                                       "allow-cross-slot-keys"};
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].compare(0, 6, "flags=") != 0) {
      *error = "ERR Unknown lua shebang option: " + parts[i];
      return false;
    }
    std::string list = parts[i].substr(6);
    size_t pos = 0;
    while (pos < list.size()) {
      size_t comma = std::min(list.find(',', pos), list.size());
      std::string flag = list.substr(pos, comma - pos);
      if (std::find(std::begin(kFlags), std::end(kFlags), flag) == std::end(kFlags)) {
        *error = "ERR Unexpected flag in script shebang: " + flag;
        return false;
      }
      if (flag == "no-writes") *no_writes = true;
      pos = comma + 1;
    }
  }
  *skip = nl;
  return true;
}

// Parses numkeys at argv[2] and splits keys / args. False after replying the error.
bool SplitKeys(CommandContext& ctx, std::vector<std::string>* keys,
               std::vector<std::string>* args) {
  int64_t numkeys;
  if (!codec::ParseInt64(ctx.arg(2), &numkeys)) {
    ctx.reply.Error("ERR value is not an integer or out of range");
    return false;
  }
  if (numkeys < 0) {
    ctx.reply.Error("ERR Number of keys can't be negative");
    return false;
  }
  if (static_cast<uint64_t>(numkeys) > ctx.argc() - 3) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  keys->assign(ctx.argv.begin() + 3, ctx.argv.begin() + 3 + numkeys);
  args->assign(ctx.argv.begin() + 3 + numkeys, ctx.argv.end());
  return true;
}

// Runs `body` (a script or a function call) once: under the world lock exclusively, or
// shared with the stripes of `keys`. Returns false when the optimistic attempt must be redone
// exclusively. Writes the reply into *out.
template <typename Body>
bool Attempt(CommandContext& ctx, ScriptRun* run, const std::vector<std::string>& keys,
             std::string* out, Body body) {
  ServerContext& server = ctx.server;
  engine::KeyLocks& locks = server.engine->locks();
  const bool in_exec = engine::Txn::Current() != nullptr;  // EXEC holds the world exclusively
  std::unique_lock<std::shared_timed_mutex> world(locks.world(), std::defer_lock);
  std::shared_lock<std::shared_timed_mutex> shared(locks.world(), std::defer_lock);
  engine::KeyLocks::Guard guard;
  if (in_exec) {
    run->exclusive = true;
  } else if (run->exclusive) {
    world.lock();
  } else {
    shared.lock();
    std::vector<uint16_t> stripes;
    uint8_t physical = server.engine->db(ctx.client.db()).physical;
    for (const std::string& k : keys) stripes.push_back(engine::KeyLocks::StripeOf(physical, k));
    guard = locks.Lock(stripes);
  }
  run->guard = &guard;
  codec::ReplyWriter writer(out, ctx.reply.protocol());
  engine::Status committed;
  if (in_exec) {
    body(writer);
  } else {
    engine::Txn txn(server.engine);
    body(writer);
    // The Txn is dropped: nothing was written.
    if (run->restart || run->abandon.load()) return false;
    committed = txn.Commit();
  }
  if (writer.errors() > 0) server.stats->error_replies.fetch_add(writer.errors());
  if (!committed.ok()) {
    out->clear();
    codec::ReplyWriter err(out, ctx.reply.protocol());
    ReplyError(err, committed);
  }
  if (in_exec) return true;
  server.blocking->ServeReady(&guard);
  guard.Release();
  if (world.owns_lock()) world.unlock();
  if (shared.owns_lock()) shared.unlock();
  server.blocking->ServeDeferred();
  return true;
}

// Runs a script or function with the optimistic-then-exclusive protocol and replies.
template <typename Body>
void RunAtomically(CommandContext& ctx, Scripting* scripting, ScriptRun* run,
                   const std::vector<std::string>& keys, Body body) {
  run->caller = &ctx;
  run->scripting = scripting;
  run->threshold_ms = ctx.server.config->GetInt("busy-reply-threshold");
  run->exclusive = keys.empty();
  std::string out;
  for (;;) {
    Client script_client(0, "lua", "", ctx.client.worker(), 0);  // MONITOR shows [db lua]
    script_client.set_db(ctx.client.db());
    script_client.set_authenticated(true);
    script_client.txn().set_in_exec(true);  // blocking commands do not block in scripts
    run->client = &script_client;
    run->resp = 2;
    run->restart = false;
    run->start_ms = NowMs();
    out.clear();
    scripting->Enter(run);
    bool done = Attempt(ctx, run, keys, &out, body);
    scripting->Leave(run);
    if (script_client.take_wrote()) ctx.client.mark_wrote();
    if (done) break;
    if (run->abandon.load()) {
      out.clear();
      codec::ReplyWriter(&out, ctx.reply.protocol()).Error("ERR Server is shutting down");
      break;
    }
    run->exclusive = true;
    run->wrote = false;
  }
  ctx.reply.Raw(out);
}

}  // namespace

// ---- redis.call ----------------------------------------------------------------------------

bool ScriptCommand(ScriptRun* run, const codec::Argv& argv, std::string* out, std::string* error) {
  if (run->kill.load()) {
    *error = "Script killed by user with SCRIPT KILL...";
    return false;
  }
  if (run->restart) {
    *error = "script must be rerun";
    return false;
  }
  ServerContext& server = run->caller->server;
  const CommandSpec* cmd = server.commands->Find(argv[0]);
  if (cmd != nullptr && cmd->IsContainer() && argv.size() >= 2) {
    cmd = server.commands->FindSub(*cmd, argv[1]);
  }
  if (cmd == nullptr) {
    *error = "Unknown Redis command called from script";
    return false;
  }
  bool arity_ok = cmd->arity > 0 ? argv.size() == static_cast<size_t>(cmd->arity)
                                 : argv.size() >= static_cast<size_t>(-cmd->arity);
  if (!arity_ok) {
    *error = "Wrong number of args calling Redis command from script";
    return false;
  }
  if (cmd->flags & kCmdNoScript) {
    *error = "This Redis command is not allowed from script";
    return false;
  }
  if ((cmd->flags & (kCmdWrite | kCmdWholeDb)) && run->read_only) {
    *error = "Write commands are not allowed from read-only scripts.";
    return false;
  }
  if (!run->exclusive) {
    std::vector<uint16_t> stripes;
    AppendLockStripes(*cmd, argv, run->client->db(), server, &stripes);
    bool held = !cmd->TouchesUnlistedKeys(argv.size());
    for (size_t i = 0; held && i < stripes.size(); ++i) {
      held = server.engine->locks().TryAdd(run->guard, stripes[i]);
    }
    if (!held) {
      run->restart = true;
      *error = "script must be rerun";
      return false;
    }
  }
  if (cmd->flags & (kCmdWrite | kCmdWholeDb)) run->wrote = true;
  codec::ReplyWriter writer(out, run->resp);
  CommandContext ctx{argv, *run->client, writer, server};
  InvokeCommand(*cmd, ctx);
  return true;
}

// ---- Scripting -----------------------------------------------------------------------------

std::string Scripting::AddScript(const std::string& body) {
  std::string sha = codec::Sha1Hex(body);
  std::lock_guard<std::mutex> lock(mu_);
  scripts_.emplace(sha, body);
  return sha;
}

bool Scripting::ScriptBody(const std::string& sha, std::string* body) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = scripts_.find(Lower(sha));
  if (it == scripts_.end()) return false;
  *body = it->second;
  return true;
}

bool Scripting::ScriptExists(const std::string& sha) {
  std::lock_guard<std::mutex> lock(mu_);
  return scripts_.count(Lower(sha)) > 0;
}

void Scripting::FlushScripts() {
  std::lock_guard<std::mutex> lock(mu_);
  scripts_.clear();
  scripts_gen_.fetch_add(1);
}

std::vector<FunctionLibrary> Scripting::Libraries() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FunctionLibrary> out;
  for (const auto& [name, lib] : libraries_) out.push_back(lib);
  return out;
}

bool Scripting::FindFunction(const std::string& name, FunctionLibrary::Function* fn) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [lib_name, lib] : libraries_) {
    for (const auto& f : lib.functions) {
      if (f.name == name) {
        *fn = f;
        return true;
      }
    }
  }
  return false;
}

void Scripting::Enter(ScriptRun* run) {
  std::lock_guard<std::mutex> lock(run_mu_);
  running_.insert(run);
  if (stopping_) {
    run->abandon.store(true);
    run->kill.store(true);
  }
}

void Scripting::Leave(ScriptRun* run) {
  std::lock_guard<std::mutex> lock(run_mu_);
  running_.erase(run);
  if (run->busy) {
    busy_.fetch_sub(1);
    run->busy = false;
  }
}

void Scripting::MarkBusy(ScriptRun* run) {
  busy_function_.store(run->is_function);
  busy_.fetch_add(1);
}

namespace {

std::string BusyText(bool function) {
  return function ? "BUSY Redis is busy running a script. You can only call FUNCTION KILL or "
                    "SHUTDOWN NOSAVE."
                  : "BUSY Redis is busy running a script. You can only call SCRIPT KILL or "
                    "SHUTDOWN NOSAVE.";
}

constexpr char kUnkillable[] =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";

}  // namespace

std::string Scripting::BusyError() const {
  if (busy_.load(std::memory_order_relaxed) == 0) return "";
  return BusyText(busy_function_.load());
}

// As Redis: -UNKILLABLE once the script wrote; SCRIPT KILL of a function (FUNCTION KILL of an
// EVAL script) answers the -BUSY text that names the right command.
void Scripting::Kill(CommandContext& ctx, bool functions) {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (running_.empty()) {
    ctx.reply.Error("NOTBUSY No scripts in execution right now.");
    return;
  }
  std::vector<ScriptRun*> targets;
  for (ScriptRun* run : running_) {
    if (run->is_function == functions) targets.push_back(run);
  }
  const bool other_kind = targets.empty();
  if (other_kind) targets.assign(running_.begin(), running_.end());
  for (ScriptRun* run : targets) {
    if (run->wrote.load()) {
      ctx.reply.Error(kUnkillable);
      return;
    }
  }
  if (other_kind) {
    ctx.reply.Error(BusyText(!functions));
    return;
  }
  for (ScriptRun* run : targets) run->kill.store(true);
  ctx.reply.SimpleString("OK");
}

// ---- executors -----------------------------------------------------------------------------

Scripting::Scripting(ServerContext* server) : server_(server) {}

Scripting::~Scripting() { StopExecutors(); }

void Scripting::EnableExecutors(DeliverFn deliver) {
  std::lock_guard<std::mutex> lock(exec_mu_);
  deliver_ = std::move(deliver);
}

void Scripting::StopExecutors() {
  std::vector<std::unique_ptr<ScriptExecutor>> executors;
  {
    std::lock_guard<std::mutex> lock(exec_mu_);
    executors_stopped_ = true;
    executors.swap(executors_);
  }
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stopping_ = true;
    for (ScriptRun* run : running_) {
      run->abandon.store(true);
      run->kill.store(true);
    }
  }
  for (auto& executor : executors) {
    if (executor != nullptr) executor->Stop();
  }
}

ScriptExecutor* Scripting::ExecutorFor(int worker) {
  std::lock_guard<std::mutex> lock(exec_mu_);
  if (!deliver_ || executors_stopped_ || worker < 0) return nullptr;
  const size_t i = static_cast<size_t>(worker);
  if (executors_.size() <= i) executors_.resize(i + 1);
  if (executors_[i] == nullptr) executors_[i] = std::make_unique<ScriptExecutor>();
  return executors_[i].get();
}

bool Scripting::Offload(CommandContext& ctx, std::function<void(CommandContext&)> run) {
  if (ctx.client.in_exec() || engine::Txn::Current() != nullptr) return false;
  ScriptExecutor* executor = ExecutorFor(ctx.client.worker());
  if (executor == nullptr) return false;
  // The task owns copies of everything it needs: the client may disconnect meanwhile (its
  // reply is then dropped by the worker).
  auto task = [this, argv = ctx.argv, id = ctx.client.id(), worker = ctx.client.worker(),
               db = ctx.client.db(), resp = ctx.client.resp(), addr = ctx.client.addr(),
               name = ctx.client.name(), run = std::move(run)] {
    Client caller(id, "", "", worker, 0);
    caller.set_db(db);
    caller.set_resp(resp);
    caller.set_authenticated(true);
    std::string out;
    codec::ReplyWriter reply(&out, resp);
    CommandContext ctx{argv, caller, reply, *server_};
    // The earlier scripts' writes went with their replies (Worker::DeliverBlocked).
    engine::Storage::ForgetThreadWrites();
    const auto began = std::chrono::steady_clock::now();
    run(ctx);
    // The script's run is what SLOWLOG and LATENCY see (the dispatcher only saw it handed
    // over), under the calling client's address and name.
    const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - began)
                           .count();
    Diagnostics& diag = server_->diagnostics;
    if (diag.slowlog.Wanted(us)) diag.slowlog.Push(argv, us, addr, name);
    if (diag.latency.Wanted(us / 1000)) diag.latency.Add("command", us / 1000);
    if (reply.errors() > 0) server_->stats->error_replies.fetch_add(reply.errors());
    {
      // SHUTDOWN NOSAVE killed it: its client's connection just closes, as in Redis.
      std::lock_guard<std::mutex> lock(run_mu_);
      if (stopping_) return;
    }
    deliver_(worker, id, std::move(out));
  };
  ctx.client.set_running_script(true);
  if (!executor->Post(std::move(task))) {
    ctx.client.set_running_script(false);
    return false;
  }
  return true;
}

// ---- EVAL and FCALL ------------------------------------------------------------------------

void Scripting::Eval(CommandContext& ctx, bool by_sha, bool read_only) {
  if (Offload(ctx,
              [this, by_sha, read_only](CommandContext& c) { EvalNow(c, by_sha, read_only); })) {
    return;
  }
  EvalNow(ctx, by_sha, read_only);
}

void Scripting::FCall(CommandContext& ctx, bool read_only) {
  if (Offload(ctx, [this, read_only](CommandContext& c) { FCallNow(c, read_only); })) return;
  FCallNow(ctx, read_only);
}

void Scripting::EvalNow(CommandContext& ctx, bool by_sha, bool read_only) {
  std::vector<std::string> keys, args;
  if (!SplitKeys(ctx, &keys, &args)) return;
  std::string sha, body;
  if (by_sha) {
    sha = Lower(ctx.arg(1));
    if (!ScriptBody(sha, &body)) {
      ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
      return;
    }
  } else {
    body = ctx.arg(1);
    sha = codec::Sha1Hex(body);
  }
  LuaRuntime* lua = LuaRuntime::ForThread(this);
  std::string error;
  size_t skip;
  bool no_writes;
  if (!ParseEvalShebang(body, &skip, &no_writes, &error) ||
      !lua->CompileScript(sha, body, skip, &error)) {
    ctx.reply.Error(error);
    return;
  }
  if (!by_sha) AddScript(body);
  ScriptRun run;
  run.read_only = read_only || no_writes;
  run.name = sha;
  RunAtomically(ctx, this, &run, keys,
                [&](codec::ReplyWriter& out) { lua->RunScript(&run, sha, keys, args, out); });
}

void Scripting::FCallNow(CommandContext& ctx, bool read_only) {
  std::vector<std::string> keys, args;
  if (!SplitKeys(ctx, &keys, &args)) return;
  FunctionLibrary::Function fn;
  if (!FindFunction(ctx.arg(1), &fn)) {
    ctx.reply.Error("ERR Function not found");
    return;
  }
  if (read_only && !fn.no_writes) {
    ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  LuaRuntime* lua = LuaRuntime::ForThread(this);
  ScriptRun run;
  run.read_only = read_only || fn.no_writes;
  run.is_function = true;
  run.name = fn.name;
  RunAtomically(ctx, this, &run, keys, [&](codec::ReplyWriter& out) {
    if (!lua->RunFunction(&run, fn.name, keys, args, out)) out.Error("ERR Function not found");
  });
}

void Scripting::ScriptLoad(CommandContext& ctx) {
  std::string sha = codec::Sha1Hex(ctx.arg(2));
  std::string error;
  size_t skip;
  bool no_writes;
  if (!ParseEvalShebang(ctx.arg(2), &skip, &no_writes, &error) ||
      !LuaRuntime::ForThread(this)->CompileScript(sha, ctx.arg(2), skip, &error)) {
    ctx.reply.Error(error);
    return;
  }
  AddScript(ctx.arg(2));
  ctx.reply.Bulk(sha);
}

engine::Status Scripting::PersistLocked() {
  std::string value(1, static_cast<char>(kFunctionsFormat));
  for (const auto& [name, lib] : libraries_) {
    uint32_t n = static_cast<uint32_t>(lib.code.size());
    for (int i = 3; i >= 0; --i) value.push_back(static_cast<char>(n >> (8 * i)));
    value += lib.code;
  }
  return engine::PutServerRecord(&server_->engine->storage(), kFunctionsRecord, value);
}

engine::Status Scripting::LoadFunctions() {
  std::string value;
  engine::Status s = engine::GetServerRecord(&server_->engine->storage(), kFunctionsRecord, &value);
  if (s.code() == engine::Code::kNotFound) return engine::Status::OK();
  if (!s.ok()) return s;
  if (value.empty() || static_cast<uint8_t>(value[0]) != kFunctionsFormat) {
    return engine::Status(engine::Code::kCorruption, "unknown functions record format");
  }
  LuaRuntime* lua = LuaRuntime::ForThread(this);
  size_t pos = 1;
  while (pos + 4 <= value.size()) {
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = n << 8 | static_cast<uint8_t>(value[pos + i]);
    pos += 4;
    if (pos + n > value.size()) break;
    FunctionLibrary lib;
    lib.code = value.substr(pos, n);
    pos += n;
    std::string error;
    if (!ParseShebang(lib.code, &lib.name, &error) || !lua->LoadLibrary(&lib, false, &error)) {
      return engine::Status(engine::Code::kCorruption, "stored function library: " + error);
    }
    libraries_[lib.name] = std::move(lib);
  }
  functions_gen_.fetch_add(1);
  return engine::Status::OK();
}

void Scripting::FunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t i = 2;
  if (ctx.argc() == 4 && Lower(ctx.arg(2)) == "replace") {
    replace = true;
    i = 3;
  } else if (ctx.argc() != 3) {
    ctx.reply.Error("ERR Unknown option given: " + ctx.arg(2));
    return;
  }
  FunctionLibrary lib;
  lib.code = ctx.arg(i);
  std::string error;
  if (!ParseShebang(lib.code, &lib.name, &error)) {
    ctx.reply.Error(error);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!replace && libraries_.count(lib.name)) {
      ctx.reply.Error("ERR Library '" + lib.name + "' already exists");
      return;
    }
  }
  if (!LuaRuntime::ForThread(this)->LoadLibrary(&lib, false, &error)) {
    ctx.reply.Error(error);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& f : lib.functions) {
    if (!ValidName(f.name)) {
      ctx.reply.Error(
          "ERR Error registering functions: ERR Library names can only contain letters, "
          "numbers, or underscores(_) and must be at least one character long");
      return;
    }
    for (const auto& [other_name, other] : libraries_) {
      if (other_name == lib.name) continue;
      for (const auto& g : other.functions) {
        if (g.name == f.name) {
          ctx.reply.Error("ERR Function " + f.name + " already exists");
          return;
        }
      }
    }
  }
  std::string name = lib.name;
  libraries_[name] = std::move(lib);
  functions_gen_.fetch_add(1);
  if (!CheckStatus(ctx, PersistLocked())) return;
  ctx.reply.Bulk(name);
}

void Scripting::FunctionDelete(CommandContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  if (libraries_.erase(ctx.arg(2)) == 0) {
    ctx.reply.Error("ERR Library not found");
    return;
  }
  functions_gen_.fetch_add(1);
  if (!CheckStatus(ctx, PersistLocked())) return;
  ctx.reply.SimpleString("OK");
}

void Scripting::FunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 ||
      (ctx.argc() == 3 && Lower(ctx.arg(2)) != "async" && Lower(ctx.arg(2)) != "sync")) {
    ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  libraries_.clear();
  functions_gen_.fetch_add(1);
  if (!CheckStatus(ctx, PersistLocked())) return;
  ctx.reply.SimpleString("OK");
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
void Scripting::FunctionList(CommandContext& ctx) {
  bool with_code = false;
  std::string pattern;
  bool has_pattern = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string opt = Lower(ctx.arg(i));
    if (opt == "withcode") {
      with_code = true;
    } else if (opt == "libraryname" && i + 1 < ctx.argc()) {
      pattern = ctx.arg(++i);
      has_pattern = true;
    } else {
      ctx.reply.Error("ERR Unknown argument " + ctx.arg(i));
      return;
    }
  }
  std::vector<FunctionLibrary> libs;
  for (FunctionLibrary& lib : Libraries()) {
    if (!has_pattern || codec::GlobMatch(pattern, lib.name, false)) libs.push_back(lib);
  }
  codec::ReplyWriter& w = ctx.reply;
  w.ArrayHeader(static_cast<int64_t>(libs.size()));
  for (const FunctionLibrary& lib : libs) {
    w.MapHeader(with_code ? 4 : 3);
    w.Bulk("library_name");
    w.Bulk(lib.name);
    w.Bulk("engine");
    w.Bulk("LUA");
    w.Bulk("functions");
    w.ArrayHeader(static_cast<int64_t>(lib.functions.size()));
    for (const auto& f : lib.functions) {
      w.MapHeader(3);
      w.Bulk("name");
      w.Bulk(f.name);
      w.Bulk("description");
      w.Null();
      w.Bulk("flags");
      w.SetHeader(static_cast<int64_t>(f.flags.size()));
      for (const std::string& flag : f.flags) w.SimpleString(flag);
    }
    if (with_code) {
      w.Bulk("library_code");
      w.Bulk(lib.code);
    }
  }
}

}  // namespace basalt::server
