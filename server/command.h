// The command table: one entry per command (name, arity, flags, key positions, handler, docs).
// Dispatch, COMMAND, COMMAND INFO/DOCS/GETKEYS/COUNT all read this one table.
//
// Handlers parse their arguments, call the engine, and append one reply through ctx.reply;
// they never touch sockets. Arity is checked centrally before a handler runs.
//
// Thread-safety: the table is built once at start-up and read-only afterwards.
#ifndef BASALT_SERVER_COMMAND_H_
#define BASALT_SERVER_COMMAND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/numbers.h"
#include "codec/resp_parser.h"
#include "codec/resp_writer.h"
#include "engine/keyspace.h"
#include "server/client.h"
#include "server/diagnostics.h"
#include "server/pubsub.h"

namespace basalt::engine {
class Reaper;
}

namespace basalt::server {

class Config;
class BlockingRegistry;
class ClientRegistry;
class Monitors;
class Notifier;
class CommandTable;
class ScanCursors;
class Scripting;
class WatchRegistry;
struct Stats;

// Command flags, reported by COMMAND INFO with Redis's names.
enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,
  kCmdReadOnly = 1 << 1,
  kCmdDenyOom = 1 << 2,
  kCmdAdmin = 1 << 3,
  kCmdPubSub = 1 << 4,
  kCmdNoScript = 1 << 5,
  kCmdBlocking = 1 << 6,
  kCmdLoading = 1 << 7,
  kCmdStale = 1 << 8,
  kCmdSkipMonitor = 1 << 9,
  kCmdFast = 1 << 10,
  kCmdNoAuth = 1 << 11,
  kCmdMayReplicate = 1 << 12,
  kCmdAllowBusy = 1 << 13,
  kCmdNoMulti = 1 << 14,
  kCmdSkipSlowlog = 1 << 15,
  kCmdSentinel = 1 << 16,
  kCmdNoAsyncLoading = 1 << 17,
  // Basalt-only (not reported): rewrites whole databases, runs with the world lock exclusive.
  kCmdWholeDb = 1 << 24,
};

// Services a command may use. Owned by the Server; outlives every command.
struct ServerContext {
  engine::Engine* engine = nullptr;
  engine::Reaper* reaper = nullptr;
  Config* config = nullptr;
  ClientRegistry* clients = nullptr;
  Stats* stats = nullptr;
  ScanCursors* cursors = nullptr;
  BlockingRegistry* blocking = nullptr;
  const CommandTable* commands = nullptr;
  WatchRegistry* watches = nullptr;
  Scripting* scripting = nullptr;
  PubSub* pubsub = nullptr;
  Monitors* monitors = nullptr;
  Notifier* notifier = nullptr;
  OutputLimits output_limits;  // client-output-buffer-limit, mirrored by a config hook
  std::function<void()> request_shutdown;
  // Settings read on every request, mirrored from Config by change hooks (server.cc).
  std::atomic<bool> requirepass_set{false};
  std::atomic<int64_t> proto_max_bulk_len{512ll << 20};
  std::atomic<int64_t> query_buffer_limit{1ll << 30};
  std::atomic<int64_t> last_save_s{0};
  std::atomic<int64_t> changes_at_last_save{0};  // Engine::changes() at the last save
  int64_t start_ms = 0;
  int tcp_port = 0;
  std::string executable;
  std::string config_file;
  // SAVE / BGSAVE bookkeeping for INFO persistence. save_mu serialises checkpoints.
  std::mutex save_mu;
  std::atomic<int64_t> rdb_saves{0};
  std::atomic<bool> last_save_ok{true};
  std::atomic<int64_t> last_save_duration_ms{-1};
  // SLOWLOG, LATENCY, INFO errorstats and the instantaneous rates (server/diagnostics.h).
  Diagnostics diagnostics;
  // Process resident set size when the server became ready (MEMORY STATS startup.allocated).
  int64_t startup_rss = 0;
};

struct CommandContext {
  const codec::Argv& argv;
  Client& client;
  codec::ReplyWriter& reply;
  ServerContext& server;

  engine::Db db() const { return server.engine->db(client.db()); }
  size_t argc() const { return argv.size(); }
  const std::string& arg(size_t i) const { return argv[i]; }
};

using CommandHandler = void (*)(CommandContext& ctx);

// Per-command statistics for INFO commandstats, updated by every worker. calls and usec count
// the runs of the handler; failed counts the runs whose reply was an error; rejected counts the
// calls refused before the handler ran (arity, NOAUTH, ...). Each worker adds to its own
// cache-line-sized slot (relaxed atomics), so workers running the same command do not contend;
// readers sum the slots.
class CommandCounters {
 public:
  enum Field { kCalls, kUsec, kFailed, kRejected };
  void Add(int worker, Field f, int64_t n) {
    slots_[static_cast<size_t>(worker) % kSlots].v[f].fetch_add(n, std::memory_order_relaxed);
  }
  int64_t Sum(Field f) const {
    int64_t total = 0;
    for (const Slot& s : slots_) total += s.v[f].load(std::memory_order_relaxed);
    return total;
  }
  void Reset() {
    for (Slot& s : slots_) {
      for (auto& v : s.v) v.store(0, std::memory_order_relaxed);
    }
  }

 private:
  static constexpr size_t kSlots = 8;
  struct alignas(64) Slot {
    std::atomic<int64_t> v[4] = {};
  };
  Slot slots_[kSlots];
};

// Extra keys a command locks beyond its key positions (e.g. MOVE's key in the target database,
// the keys after a numkeys argument): appends (logical db, key) pairs. Appends nothing when the
// arguments are malformed (the handler then reports the error).
using LockKeysFn = void (*)(const codec::Argv& argv, int db,
                            std::vector<std::pair<int, std::string>>* out);

// A LockKeysFn for commands whose keys follow a numkeys argument at argv[kNumKeysAt]
// (ZUNION, SINTERCARD and LMPOP at 1; ZUNIONSTORE and BLMPOP at 2).
template <size_t kNumKeysAt>
void NumKeysLockKeys(const codec::Argv& argv, int db,
                     std::vector<std::pair<int, std::string>>* out) {
  int64_t numkeys = 0;
  if (argv.size() <= kNumKeysAt || !codec::ParseInt64(argv[kNumKeysAt], &numkeys) || numkeys < 1) {
    return;
  }
  for (size_t i = kNumKeysAt + 1;
       i < argv.size() && i - kNumKeysAt - 1 < static_cast<uint64_t>(numkeys); ++i) {
    out->emplace_back(db, argv[i]);
  }
}

struct CommandSpec {
  std::string name;  // lower case; "config|get" style for subcommands
  int arity;         // >0 exact, <0 at least -arity
  uint32_t flags;
  int first_key, last_key, step;  // last_key < 0 counts from the end (-1 = last argument)
  CommandHandler handler;
  std::string group;    // COMMAND DOCS group: "string", "generic", "connection", "server"
  std::string since;    // Redis version that introduced it
  std::string summary;  // one line for COMMAND DOCS
  std::string complexity;
  std::vector<std::string> acl_categories;  // "@string", "@write", ...
  LockKeysFn lock_keys = nullptr;
  std::vector<std::unique_ptr<CommandSpec>> subcommands;
  std::unique_ptr<CommandCounters> counters = std::make_unique<CommandCounters>();

  bool IsContainer() const { return !subcommands.empty(); }
  // Positions of key arguments in argv (for COMMAND GETKEYS and locking), and how many there are
  // (without building the list: the dispatcher asks for every read).
  std::vector<size_t> KeyPositions(size_t argc) const;
  size_t KeyCount(size_t argc) const;
  // Whether the command may read or write keys that its key positions and lock_keys do not
  // name (FLUSHDB, KEYS, SCAN, RANDOMKEY, DBSIZE, ...): running it atomically with other
  // commands then needs the world lock exclusively.
  bool TouchesUnlistedKeys(size_t argc) const;
};

class CommandTable {
 public:
  // Adds a command. For a container, add it first then AddSubcommand.
  CommandSpec* Add(CommandSpec spec);
  CommandSpec* AddSubcommand(std::string_view parent, CommandSpec spec);

  const CommandSpec* Find(std::string_view name) const;  // case-insensitive
  const CommandSpec* FindSub(const CommandSpec& parent, std::string_view sub) const;
  size_t size() const { return commands_.size(); }
  const std::vector<CommandSpec*>& all() const { return order_; }

 private:
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>> commands_;
  std::vector<CommandSpec*> order_;
};

// Registration, one function per command family (server/commands/*.cc).
void RegisterStringCommands(CommandTable* table);
void RegisterKeyCommands(CommandTable* table);
void RegisterHashCommands(CommandTable* table);
void RegisterSetCommands(CommandTable* table);
void RegisterZSetCommands(CommandTable* table);
void RegisterListCommands(CommandTable* table);
void RegisterConnectionCommands(CommandTable* table);
void RegisterServerCommands(CommandTable* table);
void RegisterIntrospectionCommands(CommandTable* table);  // COMMAND, CLIENT, INFO, CONFIG
void RegisterTransactionCommands(CommandTable* table);    // MULTI EXEC DISCARD WATCH UNWATCH
void RegisterScriptingCommands(CommandTable* table);      // EVAL SCRIPT FUNCTION FCALL
void RegisterPubSubCommands(CommandTable* table);  // (P|S)(UN)SUBSCRIBE (S)PUBLISH PUBSUB MONITOR
void RegisterDiagnosticsCommands(CommandTable* table);  // SLOWLOG LATENCY MEMORY

// While `client` is in MULTI: queues `cmd` (replying +QUEUED) or rejects it (replying the
// error and marking the transaction aborted), and returns true. Returns false for the
// commands that run at once even inside MULTI (EXEC DISCARD MULTI WATCH QUIT RESET).
bool QueueInTransaction(const CommandSpec& cmd, Client& client, const codec::Argv& argv,
                        codec::ReplyWriter& reply);

void RegisterAllCommands(CommandTable* table);

}  // namespace basalt::server

#endif  // BASALT_SERVER_COMMAND_H_
