// The server: opens the engine, starts the workers and the reaper, listens on the configured
// addresses from an acceptor loop on the calling thread, hands each accepted socket to a
// worker, and shuts everything down in order on SIGINT/SIGTERM or SHUTDOWN.
//
// Thread-safety: Run() blocks the calling thread until shutdown. RequestShutdown() may be called
// from any thread.
#ifndef BASALT_SERVER_SERVER_H_
#define BASALT_SERVER_SERVER_H_

#include <sys/socket.h>
#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/expiry.h"
#include "engine/keyspace.h"
#include "server/blocking.h"
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
#include "server/worker.h"

namespace basalt::server {

class Server {
 public:
  explicit Server(Config* config) : config_(config) {}
  ~Server();

  // Returns the process exit code.
  int Run();
  void RequestShutdown();

 private:
  bool Listen();
  void InstallConfigHooks();
  static void OnListenReady(uv_poll_t* p, int status, int events);
  static void OnSignal(uv_signal_t* s, int signum);
  static void OnAcceptResume(uv_timer_t* t);
  static void OnShutdownAsync(uv_async_t* a);
  // Every 100 ms: samples the instantaneous rates of INFO stats (server/diagnostics.h).
  static void OnCron(uv_timer_t* t);
  void AcceptAll(int listen_fd);
  bool ProtectedModeRefuses(const sockaddr_storage& peer) const;
  void Shutdown();

  Config* config_;
  std::unique_ptr<engine::Engine> engine_;
  WatchRegistry watches_;  // outlives every client (their transactions unwatch on destruction)
  std::unique_ptr<engine::Reaper> reaper_;
  std::unique_ptr<BlockingRegistry> blocking_;
  std::unique_ptr<Scripting> scripting_;  // EVAL / FUNCTION state (server/scripting.h)
  std::unique_ptr<PubSub> pubsub_;
  std::unique_ptr<Monitors> monitors_;
  std::unique_ptr<Notifier> notifier_;
  ClientRegistry clients_;
  Stats stats_;
  ScanCursors cursors_;
  CommandTable commands_;
  ServerContext context_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<std::unique_ptr<Worker>> workers_;
  size_t next_worker_ = 0;

  uv_loop_t loop_;
  std::vector<int> listen_fds_;
  std::vector<std::unique_ptr<uv_poll_t>> polls_;
  uv_signal_t sigint_, sigterm_;
  uv_timer_t accept_pause_;
  uv_timer_t cron_;
  uv_async_t shutdown_async_;
  bool shutting_down_ = false;
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_SERVER_H_
