#include "server/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "engine/string.h"

namespace basalt::server {

namespace {

engine::SyncMode ParseSyncMode(const std::string& v) {
  if (v == "always") return engine::SyncMode::kAlways;
  if (v == "no") return engine::SyncMode::kNo;
  return engine::SyncMode::kEverySec;
}

engine::Compression ParseCompression(const std::string& v) {
  if (v == "zstd") return engine::Compression::kZstd;
  if (v == "none") return engine::Compression::kNone;
  return engine::Compression::kLz4;
}

// Creates a non-blocking listening socket on host:port. Returns -1 and logs on failure.
int ListenOn(const std::string& host, int port, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  std::string h = host == "*" ? "0.0.0.0" : host;
  if (int rc = getaddrinfo(h.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    spdlog::error("bad bind address {}: {}", host, gai_strerror(rc));
    return -1;
  }
  int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (res->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
    spdlog::error("could not listen on {}:{}: {}", host, port, strerror(errno));
    if (fd >= 0) close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

// Descriptors kept for everything that is not a client: listening sockets, loop internals
// (Redis reserves 32 for these) and RocksDB's table and log files.
constexpr int64_t kReservedFds = 32 + 128;

// Every client needs a descriptor. As Redis does at start-up, raises RLIMIT_NOFILE to
// maxclients + the reserve (the hard limit too, which root may do); when the system refuses,
// takes the highest limit it grants and lowers maxclients to fit, with a warning.
void RaiseFileLimit(Config* config) {
  const int64_t maxclients = config->GetInt("maxclients");
  const rlim_t want = static_cast<rlim_t>(maxclients + kReservedFds);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur >= want) return;
  rlimit raised{want, std::max(rl.rlim_max, want)};
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
  // Not allowed past the hard limit: take all of it.
  raised = {rl.rlim_max, rl.rlim_max};
  if (rl.rlim_max > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  const int64_t fit = std::max<int64_t>(1, static_cast<int64_t>(rl.rlim_cur) - kReservedFds);
  spdlog::warn(
      "Your current 'ulimit -n' of {} is not enough for the server to start. Please increase "
      "your open file limit to at least {}. Reducing maxclients from {} to {}.",
      rl.rlim_cur, want, maxclients, fit);
  (void)config->Set("maxclients", std::to_string(fit), false);
}

// Redis's reply to a client refused by protected mode, word for word (including its typo).
constexpr char kProtectedModeDenied[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from "
    "the outside.\r\n";

// Whether a peer address is the loopback interface (127.0.0.0/8 or ::1), as Redis decides it.
bool IsLoopback(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
  }
  return ss.ss_family == AF_UNIX;
}

// Writes a one-line refusal to a freshly accepted socket and closes it.
void Refuse(int fd, std::string_view msg) {
  ssize_t ignored = write(fd, msg.data(), msg.size());
  (void)ignored;
  close(fd);
}

}  // namespace

Server::~Server() = default;

int Server::Run() {
  std::string dir = config_->GetString("dir");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  engine::EngineOptions eo;
  eo.databases = static_cast<int>(config_->GetInt("databases"));
  eo.storage.dir = std::filesystem::absolute(dir, ec).lexically_normal().string();
  eo.storage.block_cache_bytes = config_->GetInt("rocksdb-block-cache-size");
  eo.storage.write_buffer_bytes = config_->GetInt("rocksdb-write-buffer-size");
  eo.hot_tier_bytes = config_->GetInt("hot-tier-max-memory");
  eo.hot_tier_collection_bytes = config_->GetInt("hot-tier-max-collection-bytes");
  eo.storage.sync_mode = ParseSyncMode(config_->GetString("appendfsync"));
  eo.storage.compression = ParseCompression(config_->GetString("rocksdb-compression"));
  eo.storage.databases = eo.databases;
  eo.storage.created_by = "basalt-server";
  eo.storage.log = [](bool error, const std::string& message) {
    if (error) {
      spdlog::error("{}", message);
    } else {
      spdlog::warn("{}", message);
    }
  };
  auto engine = engine::Engine::Open(eo);
  if (!engine.ok()) {
    spdlog::critical("cannot open data directory {}: {}", eo.storage.dir,
                     engine.status().ToString());
    return 1;
  }
  engine_ = std::move(engine.value());
  (void)config_->Set("dir", eo.storage.dir, false);
  engine::SetMaxStringBytes(config_->GetInt("proto-max-bulk-len"));
  watches_.Attach(engine_.get());
  reaper_ = std::make_unique<engine::Reaper>(engine_.get());

  // Workers are created below and live until Shutdown joined them; a delivery to a stopped
  // worker is dropped.
  blocking_ = std::make_unique<BlockingRegistry>(
      engine_.get(), [this](int worker, uint64_t id, std::string reply) {
        workers_[static_cast<size_t>(worker)]->DeliverBlocked(id, std::move(reply));
      });
  engine_->AddObserver(blocking_.get());
  // Pub/Sub messages and MONITOR lines go the same way, appended to the client's output.
  PushFn push = [this](int worker, std::vector<Push>* pushes) {
    workers_[static_cast<size_t>(worker)]->DeliverPushes(pushes);
  };
  pubsub_ = std::make_unique<PubSub>(push, &context_.output_limits);
  monitors_ = std::make_unique<Monitors>(push);
  notifier_ = std::make_unique<Notifier>(pubsub_.get());
  engine_->AddObserver(notifier_.get());
  SetServeNotifier(notifier_.get());
  RegisterAllCommands(&commands_);
  context_.engine = engine_.get();
  context_.reaper = reaper_.get();
  context_.config = config_;
  context_.clients = &clients_;
  context_.stats = &stats_;
  context_.cursors = &cursors_;
  context_.blocking = blocking_.get();
  context_.watches = &watches_;
  context_.pubsub = pubsub_.get();
  context_.monitors = monitors_.get();
  context_.notifier = notifier_.get();
  context_.commands = &commands_;
  scripting_ = std::make_unique<Scripting>(&context_);
  context_.scripting = scripting_.get();
  // Scripts run on per-worker executor threads; their replies come back like blocked clients'.
  scripting_->EnableExecutors([this](int worker, uint64_t id, std::string reply) {
    workers_[static_cast<size_t>(worker)]->DeliverBlocked(id, std::move(reply));
  });
  if (engine::Status fs = scripting_->LoadFunctions(); !fs.ok()) {
    spdlog::critical("cannot load stored functions: {}", fs.ToString());
    return 1;
  }
  context_.request_shutdown = [this] { RequestShutdown(); };
  context_.start_ms = static_cast<int64_t>(engine::NowMs());
  context_.last_save_s = context_.start_ms / 1000;
  context_.tcp_port = static_cast<int>(config_->GetInt("port"));
  context_.config_file = config_->config_file();
  context_.executable = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  dispatcher_ = std::make_unique<Dispatcher>(&commands_, &context_);
  InstallConfigHooks();

  uv_loop_init(&loop_);
  RaiseFileLimit(config_);
  uv_timer_init(&loop_, &accept_pause_);
  accept_pause_.data = this;
  if (!Listen()) {
    uv_close(reinterpret_cast<uv_handle_t*>(&accept_pause_), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
    uv_loop_close(&loop_);
    return 1;
  }
  int n = static_cast<int>(config_->GetInt("workers"));
  if (n <= 0) n = DefaultWorkers();
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, &context_, dispatcher_.get()));
    workers_.back()->Start();
  }
  reaper_->Start();
  uv_signal_init(&loop_, &sigint_);
  uv_signal_init(&loop_, &sigterm_);
  sigint_.data = sigterm_.data = this;
  uv_signal_start(&sigint_, OnSignal, SIGINT);
  uv_signal_start(&sigterm_, OnSignal, SIGTERM);
  uv_async_init(&loop_, &shutdown_async_, OnShutdownAsync);
  shutdown_async_.data = this;
  uv_timer_init(&loop_, &cron_);
  cron_.data = this;
  uv_timer_start(&cron_, OnCron, 100, 100);
  context_.startup_rss = static_cast<int64_t>(ReadProcessMemory().rss);
  signal(SIGPIPE, SIG_IGN);
  spdlog::info("Basalt ready: port {}, {} workers, data in {}", context_.tcp_port, n,
               eo.storage.dir);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
  return 0;
}

bool Server::Listen() {
  std::istringstream in(config_->GetString("bind"));
  std::string host;
  int port = static_cast<int>(config_->GetInt("port"));
  int backlog = static_cast<int>(config_->GetInt("tcp-backlog"));
  while (in >> host) {
    if (host[0] == '-') host = host.substr(1);  // "-::1": optional address in Redis
    int fd = ListenOn(host, port, backlog);
    if (fd < 0) return false;
    listen_fds_.push_back(fd);
    auto poll = std::make_unique<uv_poll_t>();
    uv_poll_init_socket(&loop_, poll.get(), fd);
    poll->data = this;
    uv_poll_start(poll.get(), UV_READABLE, OnListenReady);
    polls_.push_back(std::move(poll));
  }
  return !listen_fds_.empty();
}

void Server::OnListenReady(uv_poll_t* p, int status, int) {
  if (status < 0) return;
  auto* self = static_cast<Server*>(p->data);
  int fd = -1;
  uv_fileno(reinterpret_cast<uv_handle_t*>(p), &fd);
  self->AcceptAll(fd);
}

void Server::AcceptAll(int listen_fd) {
  while (true) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listening socket stays readable, so polling it again at once
        // would spin. Pause accepting briefly; pending clients wait in the backlog.
        spdlog::warn("accept failed: {}; pausing accepts for 100 ms", strerror(errno));
        for (auto& p : polls_) uv_poll_stop(p.get());
        uv_timer_start(&accept_pause_, OnAcceptResume, 100, 0);
      }
      return;  // EAGAIN, or a transient error retried on the next readiness event
    }
    stats_.connections_received.fetch_add(1);
    if (clients_.Count() >= static_cast<size_t>(config_->GetInt("maxclients"))) {
      Refuse(fd, "-ERR max number of clients reached\r\n");
      stats_.rejected_connections.fetch_add(1);
      continue;
    }
    if (ProtectedModeRefuses(peer)) {
      Refuse(fd, kProtectedModeDenied);
      stats_.rejected_connections.fetch_add(1);
      continue;
    }
    Worker* w = workers_[next_worker_++ % workers_.size()].get();
    w->AddConnection(fd, w->NewClient(fd));
  }
}

// Redis 7.0's protected mode: with `protected-mode yes` and no password for the default user,
// only loopback clients are served, whatever the bind addresses are.
bool Server::ProtectedModeRefuses(const sockaddr_storage& peer) const {
  if (IsLoopback(peer) || config_->GetInt("protected-mode") == 0) return false;
  return !context_.requirepass_set.load(std::memory_order_relaxed);
}

void Server::OnAcceptResume(uv_timer_t* t) {
  auto* self = static_cast<Server*>(t->data);
  if (self->shutting_down_) return;
  for (auto& p : self->polls_) uv_poll_start(p.get(), UV_READABLE, OnListenReady);
}

void Server::InstallConfigHooks() {
  auto mirror = [this](const std::string&) {
    context_.requirepass_set = !config_->GetString("requirepass").empty();
    context_.proto_max_bulk_len = config_->GetInt("proto-max-bulk-len");
    context_.query_buffer_limit = config_->GetInt("client-query-buffer-limit");
  };
  mirror("");
  for (const char* name : {"requirepass", "proto-max-bulk-len", "client-query-buffer-limit"}) {
    config_->OnChange(name, mirror);
  }
  auto limits = [this](const std::string&) {
    context_.output_limits.Apply(config_->GetString("client-output-buffer-limit"));
  };
  limits("");
  config_->OnChange("client-output-buffer-limit", limits);
  auto notify = [this](const std::string&) {
    notifier_->set_flags(ParseNotifyFlags(config_->GetString("notify-keyspace-events")));
  };
  notify("");
  config_->OnChange("notify-keyspace-events", notify);
  config_->OnChange("appendfsync", [this](const std::string& name) {
    engine_->storage().set_sync_mode(ParseSyncMode(config_->GetString(name)));
  });
  config_->OnChange("rocksdb-block-cache-size", [this](const std::string& name) {
    engine_->storage().SetBlockCacheCapacity(config_->GetInt(name));
  });
  config_->OnChange("hot-tier-max-memory", [this](const std::string& name) {
    engine_->hot_tier().SetCapacity(config_->GetInt(name));
  });
  config_->OnChange("hot-tier-max-collection-bytes", [this](const std::string& name) {
    engine_->hot_tier().SetMaxCollectionBytes(config_->GetInt(name));
  });
  config_->OnChange("proto-max-bulk-len", [this](const std::string& name) {
    engine::SetMaxStringBytes(config_->GetInt(name));
  });
  auto diagnostics = [this](const std::string&) {
    Diagnostics& d = context_.diagnostics;
    d.slowlog.set_threshold_us(config_->GetInt("slowlog-log-slower-than"));
    d.slowlog.set_max_len(config_->GetInt("slowlog-max-len"));
    d.latency.set_threshold_ms(config_->GetInt("latency-monitor-threshold"));
  };
  diagnostics("");
  for (const char* name :
       {"slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold"}) {
    config_->OnChange(name, diagnostics);
  }
  config_->OnChange("loglevel", [this](const std::string& name) {
    std::string v = config_->GetString(name);
    spdlog::set_level(v == "debug"     ? spdlog::level::debug
                      : v == "verbose" ? spdlog::level::info
                      : v == "warning" ? spdlog::level::warn
                      : v == "nothing" ? spdlog::level::off
                                       : spdlog::level::info);
  });
}

void Server::RequestShutdown() { uv_async_send(&shutdown_async_); }

void Server::OnSignal(uv_signal_t* s, int signum) {
  spdlog::info("received {}, shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
  static_cast<Server*>(s->data)->Shutdown();
}

void Server::OnShutdownAsync(uv_async_t* a) { static_cast<Server*>(a->data)->Shutdown(); }

void Server::OnCron(uv_timer_t* t) {
  auto* self = static_cast<Server*>(t->data);
  const auto now = static_cast<int64_t>(engine::NowMs());
  Diagnostics& d = self->context_.diagnostics;
  d.ops.Sample(self->stats_.commands_processed.load(std::memory_order_relaxed), now);
  d.net_input.Sample(self->stats_.net_input_bytes.load(std::memory_order_relaxed), now);
  d.net_output.Sample(self->stats_.net_output_bytes.load(std::memory_order_relaxed), now);
}

void Server::Shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  for (auto& p : polls_) uv_close(reinterpret_cast<uv_handle_t*>(p.get()), nullptr);
  uv_timer_stop(&accept_pause_);
  uv_close(reinterpret_cast<uv_handle_t*>(&accept_pause_), nullptr);
  uv_timer_stop(&cron_);
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_), nullptr);
  for (int fd : listen_fds_) close(fd);
  // Kills running scripts (SHUTDOWN NOSAVE works while one is busy) before the workers their
  // replies would go to are gone.
  scripting_->StopExecutors();
  for (auto& w : workers_) w->Stop();
  reaper_->Stop();  // before the workers go: it may publish `expired` events to their clients
  workers_.clear();
  engine::Status s = engine_->storage().Sync();
  if (!s.ok()) spdlog::error("final WAL sync failed: {}", s.ToString());
  engine_.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_async_), nullptr);
  spdlog::info("Basalt is now ready to exit, bye bye...");
}

}  // namespace basalt::server
