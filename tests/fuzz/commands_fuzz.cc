// Fuzzes command execution in-process: the real command table, dispatcher, engine and RocksDB,
// without sockets. The engine is opened once per process in a fresh temporary directory; every
// input starts from empty databases with fresh clients and a fresh configuration.
//
// Input: lines, each one command in redis-cli's inline syntax (codec::SplitInlineArgs: quotes,
// \xHH escapes). A first word that names no command is mapped onto one of the table's
// commands by its hash, so mutations of a name still reach real handlers. Lines starting with
// '@' steer the harness:
//   @0, @1    run the following lines as client 0 or 1 (blocking pops, Pub/Sub, WATCH between
//             two clients)
//   @reap     run one pass of active expiry
//   @notier   turn the hot tier off for the rest of the input (it is on, and small, otherwise)
// With BASALT_FUZZ_VERBOSE set in the environment, every command and its reply go to stderr
// (for reading a reproducer: ./fuzz_commands crash-file).
//
// Left out because they stop, stall or leave the process: SHUTDOWN, SAVE/BGSAVE (checkpoints on
// disk), and the scripting commands that run Lua (a script may loop forever). Huge negative
// counts for the *RANDMEMBER family are skipped: Redis replies that many elements, which is
// legitimate but only measures memory. Strings are capped at 1 MB (proto-max-bulk-len).
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "codec/numbers.h"
#include "codec/resp_parser.h"
#include "codec/resp_writer.h"
#include "engine/expiry.h"
#include "engine/keyspace.h"
#include "engine/string.h"
#include "server/blocking.h"
#include "server/client.h"
#include "server/client_registry.h"
#include "server/command.h"
#include "server/config.h"
#include "server/dispatcher.h"
#include "server/monitor.h"
#include "server/notify.h"
#include "server/pubsub.h"
#include "server/scan_cursors.h"
#include "server/scripting.h"
#include "server/stats.h"
#include "server/transaction.h"

namespace {

namespace engine = basalt::engine;
namespace server = basalt::server;
namespace codec = basalt::codec;

constexpr int64_t kMaxStringBytes = 1 << 20;
constexpr size_t kMaxCommands = 64;
constexpr uint64_t kHotTierBytes = 64 << 10;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "commands_fuzz: %s\n", what.c_str());
  std::abort();
}

bool Excluded(std::string_view name) {
  static constexpr std::string_view kExcluded[] = {
      "shutdown", "save",       "bgsave", "bgrewriteaof", "eval",     "evalsha",
      "eval_ro",  "evalsha_ro", "fcall",  "fcall_ro",     "function", "debug"};
  return std::find(std::begin(kExcluded), std::end(kExcluded), name) != std::end(kExcluded);
}

// SRANDMEMBER / HRANDFIELD / ZRANDMEMBER with a count below this reply that many elements.
bool HugeRandomCount(const codec::Argv& argv) {
  const std::string& name = argv[0];
  if (argv.size() < 3) return false;
  if (name != "srandmember" && name != "hrandfield" && name != "zrandmember") return false;
  int64_t n = 0;
  return codec::ParseInt64(argv[2], &n) && n < -10000;
}

// Commands whose replies depend on time, randomness, client ids or statistics: an input that
// runs one is not compared between hot tier on and off.
bool Nondeterministic(const codec::Argv& argv) {
  static constexpr std::string_view kNames[] = {
      "time",        "info",        "client",  "hello",   "randomkey", "spop",      "srandmember",
      "hrandfield",  "zrandmember", "scan",    "sscan",   "hscan",     "zscan",     "object",
      "ttl",         "pttl",        "expire",  "pexpire", "expireat",  "pexpireat", "expiretime",
      "pexpiretime", "persist",     "getex",   "setex",   "psetex",    "lastsave",  "memory",
      "role",        "config",      "command", "monitor"};
  if (std::find(std::begin(kNames), std::end(kNames), argv[0]) != std::end(kNames)) return true;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i].size() > 4) continue;
    std::string a = argv[i];
    for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (a == "ex" || a == "px" || a == "exat" || a == "pxat") return true;
  }
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Everything a server owns, built once per process as Server::Run builds it, minus the
// network, the workers and the background threads.
class Harness {
 public:
  Harness() {
    std::error_code ec;
    std::string tmpl = (std::filesystem::temp_directory_path(ec) / "basalt-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp failed");
    dir_ = tmpl;
    engine::EngineOptions eo;
    eo.storage.dir = dir_;
    eo.storage.block_cache_bytes = 8 << 20;
    eo.storage.write_buffer_bytes = 4 << 20;
    eo.storage.sync_mode = engine::SyncMode::kNo;
    eo.hot_tier_bytes = kHotTierBytes;
    auto opened = engine::Engine::Open(eo);
    if (!opened.ok()) Fail("cannot open the engine: " + opened.status().ToString());
    engine_ = std::move(opened.value());
    engine::SetMaxStringBytes(kMaxStringBytes);
    watches_.Attach(engine_.get());
    reaper_ = std::make_unique<engine::Reaper>(engine_.get());
    blocking_ = std::make_unique<server::BlockingRegistry>(
        engine_.get(), [this](int, uint64_t id, std::string reply) { Delivered(id, reply); });
    engine_->AddObserver(blocking_.get());
    server::PushFn push = [](int, std::vector<server::Push>* pushes) { pushes->clear(); };
    pubsub_ = std::make_unique<server::PubSub>(push, &context_.output_limits);
    monitors_ = std::make_unique<server::Monitors>(push);
    notifier_ = std::make_unique<server::Notifier>(pubsub_.get());
    engine_->AddObserver(notifier_.get());
    server::SetServeNotifier(notifier_.get());
    server::RegisterAllCommands(&commands_);
    context_.engine = engine_.get();
    context_.reaper = reaper_.get();
    context_.clients = &clients_;
    context_.stats = &stats_;
    context_.cursors = &cursors_;
    context_.blocking = blocking_.get();
    context_.watches = &watches_;
    context_.pubsub = pubsub_.get();
    context_.monitors = monitors_.get();
    context_.notifier = notifier_.get();
    context_.commands = &commands_;
    // No executors: scripts would run inline (the Lua commands are left out anyway).
    scripting_ = std::make_unique<server::Scripting>(&context_);
    context_.scripting = scripting_.get();
    context_.request_shutdown = [] {};
    context_.start_ms = static_cast<int64_t>(engine::NowMs());
    dispatcher_ = std::make_unique<server::Dispatcher>(&commands_, &context_);
    for (const server::CommandSpec* spec : commands_.all()) {
      if (!Excluded(spec->name)) names_.push_back(spec->name);
    }
    std::sort(names_.begin(), names_.end());
  }

  ~Harness() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Runs `input` with the hot tier on (small, so it evicts) and, when its replies cannot depend
  // on time or chance, again with the tier off: both runs must reply byte for byte the same
  // (DESIGN.md: the tier is a cache, never a different answer).
  void RunInput(std::string_view input);

 private:
  struct Session {
    std::shared_ptr<server::Client> client;
    std::string out;
    bool closed = false;  // QUIT, or CLIENT KILL: the connection would be gone
  };

  // One run of `input`; returns both clients' replies.
  std::string RunOnce(std::string_view input, uint64_t tier_bytes);
  void Begin(uint64_t tier_bytes);
  void End();
  void InstallConfig();
  void Run(Session& s, codec::Argv& argv);
  void FinishBlocked(Session& s);
  void Delivered(uint64_t id, const std::string& reply) {
    for (Session& s : sessions_) {
      if (s.client != nullptr && s.client->id() == id) {
        s.client->set_blocked(false);
        s.out += reply;
      }
    }
  }

  std::string dir_;
  std::unique_ptr<engine::Engine> engine_;
  server::WatchRegistry watches_;
  std::unique_ptr<engine::Reaper> reaper_;
  std::unique_ptr<server::BlockingRegistry> blocking_;
  std::unique_ptr<server::Scripting> scripting_;
  std::unique_ptr<server::PubSub> pubsub_;
  std::unique_ptr<server::Monitors> monitors_;
  std::unique_ptr<server::Notifier> notifier_;
  server::ClientRegistry clients_;
  server::Stats stats_;
  server::ScanCursors cursors_;
  server::CommandTable commands_;
  server::ServerContext context_;
  std::unique_ptr<server::Dispatcher> dispatcher_;
  std::unique_ptr<server::Config> config_;
  std::vector<std::string> names_;
  Session sessions_[2];
  const bool verbose_ = std::getenv("BASALT_FUZZ_VERBOSE") != nullptr;
  bool deterministic_ = true;  // no command of the input was Nondeterministic()
};

// The config hooks Server::InstallConfigHooks installs that matter in-process, with the string
// cap kept.
void Harness::InstallConfig() {
  config_ = std::make_unique<server::Config>();
  server::Config* config = config_.get();
  context_.config = config;
  auto mirror = [this, config](const std::string&) {
    context_.requirepass_set = !config->GetString("requirepass").empty();
    context_.proto_max_bulk_len =
        std::min<int64_t>(config->GetInt("proto-max-bulk-len"), kMaxStringBytes);
    engine::SetMaxStringBytes(context_.proto_max_bulk_len.load());
  };
  mirror("");
  config->OnChange("requirepass", mirror);
  config->OnChange("proto-max-bulk-len", mirror);
  auto limits = [this, config](const std::string&) {
    context_.output_limits.Apply(config->GetString("client-output-buffer-limit"));
  };
  limits("");
  config->OnChange("client-output-buffer-limit", limits);
  auto notify = [this, config](const std::string&) {
    notifier_->set_flags(server::ParseNotifyFlags(config->GetString("notify-keyspace-events")));
  };
  notify("");
  config->OnChange("notify-keyspace-events", notify);
  config->OnChange("hot-tier-max-memory", [this, config](const std::string& name) {
    engine_->hot_tier().SetCapacity(std::min<int64_t>(config->GetInt(name), 1 << 20));
  });
  config->OnChange("hot-tier-max-collection-bytes", [this, config](const std::string& name) {
    engine_->hot_tier().SetMaxCollectionBytes(config->GetInt(name));
  });
}

void Harness::Begin(uint64_t tier_bytes) {
  InstallConfig();
  deterministic_ = true;
  engine_->hot_tier().SetCapacity(tier_bytes);
  engine_->hot_tier().SetMaxCollectionBytes(16 << 10);
  for (int i = 0; i < 2; ++i) {
    Session& s = sessions_[i];
    s.client =
        std::make_shared<server::Client>(clients_.NextId(), "127.0.0.1:1000" + std::to_string(i),
                                         "127.0.0.1:6379", 0, engine::NowMs());
    s.client->set_authenticated(false);
    s.out.clear();
    s.closed = false;
    clients_.Add(s.client, [&s](uint64_t) { s.closed = true; });
  }
}

// What a connection's close does for its client (Connection::Close), then a clean slate.
void Harness::End() {
  for (Session& s : sessions_) {
    if (s.client->blocked()) blocking_->Drop(s.client->id());
    pubsub_->UnsubscribeAll(*s.client);
    if (s.client->monitor.load()) monitors_->Remove(*s.client);
    clients_.Remove(s.client->id());
    s.client.reset();
  }
  if (blocking_->blocked() != 0) Fail("a dropped client is still blocked");
  // Through the dispatcher, as a fresh client: FLUSHDB of each database that holds keys (a
  // FLUSHALL per input would leave 64 range deletions behind each time, which RocksDB reads
  // slow down on) and SCRIPT FLUSH.
  context_.requirepass_set = false;
  auto admin = std::make_shared<server::Client>(clients_.NextId(), "a", "b", 0, engine::NowMs());
  for (int db = 0; db < engine_->databases(); ++db) {
    std::string out;
    codec::ReplyWriter reply(&out, 2);
    dispatcher_->Execute(*admin, {"SELECT", std::to_string(db)}, reply);
    dispatcher_->Execute(*admin, {"DBSIZE"}, reply);
    if (out == "+OK\r\n:0\r\n") continue;
    dispatcher_->Execute(*admin, {"FLUSHDB"}, reply);
    if (out.size() < 5 || out.substr(out.size() - 5) != "+OK\r\n") Fail("reset failed: " + out);
  }
  std::string out;
  codec::ReplyWriter reply(&out, 2);
  dispatcher_->Execute(*admin, {"SCRIPT", "FLUSH"}, reply);
  if (out != "+OK\r\n") Fail("SCRIPT FLUSH failed: " + out);
}

// A blocked client whose timer fires before its next command, as on a real connection.
void Harness::FinishBlocked(Session& s) {
  std::string reply;
  if (blocking_->TimeOut(s.client->id(), &reply) == server::BlockingRegistry::Outcome::kFinished) {
    s.client->set_blocked(false);
    s.out += reply;
  }
  if (s.client->blocked()) Fail("client still blocked after its timeout");
}

void Harness::Run(Session& s, codec::Argv& argv) {
  if (s.closed || s.client->close_after_reply()) return;
  if (s.client->blocked()) FinishBlocked(s);
  if (commands_.Find(argv[0]) == nullptr) {
    argv[0] = names_[std::hash<std::string>()(argv[0]) % names_.size()];
  }
  argv[0] = Lower(argv[0]);
  if (Excluded(argv[0]) || HugeRandomCount(argv)) return;
  if (Nondeterministic(argv)) deterministic_ = false;
  codec::ReplyWriter reply(&s.out, s.client->resp());
  const size_t before = s.out.size();
  dispatcher_->Execute(*s.client, argv, reply);
  if (verbose_) {
    std::string line = "[" + std::to_string(&s - sessions_) + "]";
    for (const std::string& a : argv) line += " " + a;
    std::fprintf(stderr, "%s\n  -> %s\n", line.c_str(), s.out.substr(before).c_str());
  }
  // Every command replies, except a blocked one, Pub/Sub ones (their replies are pushes) and a
  // second MONITOR (Redis ignores it silently).
  if (s.out.size() == before && !s.client->blocked() && !s.client->subscribed() &&
      !s.client->monitor.load()) {
    Fail("no reply to " + argv[0]);
  }
  s.client->take_wrote();
  if (s.out.size() > (1 << 20)) s.out.clear();
}

std::string Harness::RunOnce(std::string_view input, uint64_t tier_bytes) {
  Begin(tier_bytes);
  Session* current = &sessions_[0];
  size_t commands = 0;
  while (!input.empty() && commands < kMaxCommands) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    if (line == "@0" || line == "@1") {
      current = &sessions_[line[1] - '0'];
    } else if (line == "@reap") {
      (void)reaper_->RunOnce(100);
    } else if (line == "@notier") {
      engine_->hot_tier().SetCapacity(0);
    } else {
      codec::Argv argv;
      if (!codec::SplitInlineArgs(line, &argv) || argv.empty()) continue;
      Run(*current, argv);
      ++commands;
    }
  }
  std::string replies = "[0]\n" + sessions_[0].out + "[1]\n" + sessions_[1].out;
  End();
  return replies;
}

void Harness::RunInput(std::string_view input) {
  const std::string on = RunOnce(input, kHotTierBytes);
  if (!deterministic_) return;
  const std::string off = RunOnce(input, 0);
  if (on != off) Fail("hot tier on and off disagree\n--- on:\n" + on + "--- off:\n" + off);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;  // one engine per process; closed and removed at exit
  harness.RunInput(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
