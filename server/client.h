// Per-connection state that commands read and change: selected database, protocol version,
// authentication, name. The connection (server/connection.h) owns the socket; a Client is the
// part other threads may look at (CLIENT LIST, CLIENT KILL), so the fields they read are
// guarded by `mu_`.
//
// Thread-safety: a Client is written only by its worker thread; other threads read it through
// the accessors that lock `mu_`, and may set kill_requested.
#ifndef BASALT_SERVER_CLIENT_H_
#define BASALT_SERVER_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "server/transaction.h"

namespace basalt::server {

class Client {
 public:
  Client(uint64_t id, std::string addr, std::string laddr, int worker, int64_t now_ms)
      : id_(id),
        addr_(std::move(addr)),
        laddr_(std::move(laddr)),
        worker_(worker),
        created_ms_(now_ms),
        last_interaction_ms_(now_ms) {}

  uint64_t id() const { return id_; }
  const std::string& addr() const { return addr_; }
  const std::string& laddr() const { return laddr_; }
  int worker() const { return worker_; }
  int64_t created_ms() const { return created_ms_; }

  // Fields only the owning worker writes; plain reads are safe from that thread.
  int db() const { return db_.load(std::memory_order_relaxed); }
  void set_db(int db) { db_.store(db, std::memory_order_relaxed); }
  // Atomic because CLIENT LIST reads it from other threads.
  int resp() const { return resp_.load(std::memory_order_relaxed); }
  void set_resp(int resp) { resp_.store(resp, std::memory_order_relaxed); }
  // The socket descriptor, for CLIENT LIST's fd= field (-1 until the worker sets it).
  int fd() const { return fd_.load(std::memory_order_relaxed); }
  void set_fd(int fd) { fd_.store(fd, std::memory_order_relaxed); }
  bool authenticated() const { return authenticated_; }
  void set_authenticated(bool v) { authenticated_ = v; }
  bool close_after_reply() const { return close_after_reply_; }
  void set_close_after_reply() { close_after_reply_ = true; }

  // Set when a command that writes ran; the connection makes those writes durable before the
  // replies of the batch leave (the worker's group commit, worker.h).
  void mark_wrote() { wrote_ = true; }
  bool take_wrote() {
    bool w = wrote_;
    wrote_ = false;
    return w;
  }

  // Blocked on keys (server/blocking.h) until `deadline_ms` (0 = forever). The owning worker
  // writes it; CLIENT LIST reads it from other threads.
  bool blocked() const { return blocked_.load(std::memory_order_relaxed); }
  int64_t block_deadline_ms() const { return block_deadline_ms_.load(std::memory_order_relaxed); }
  void set_blocked(bool blocked, int64_t deadline_ms = 0) {
    block_deadline_ms_.store(deadline_ms, std::memory_order_relaxed);
    blocked_.store(blocked, std::memory_order_relaxed);
  }
  // Running a script on its worker's script executor (server/scripting.h). Like a blocked
  // client, its connection runs no further commands until the reply is delivered; unlike one,
  // CLIENT LIST shows no 'b' flag and INFO blocked_clients does not count it (as in Redis).
  bool running_script() const { return running_script_.load(std::memory_order_relaxed); }
  void set_running_script(bool v) { running_script_.store(v, std::memory_order_relaxed); }
  // Waiting for a reply delivered by another thread: blocked or running a script.
  bool suspended() const { return blocked() || running_script(); }
  // MULTI/EXEC/WATCH state (server/transaction.h). in_exec(): EXEC is running this client's
  // queued commands (blocking commands then behave as non-blocking, as in Redis).
  Transaction& txn() { return txn_; }
  const Transaction& txn() const { return txn_; }
  bool in_exec() const { return txn_.in_exec(); }

  int64_t last_interaction_ms() const { return last_interaction_ms_.load(); }
  void Touch(int64_t now_ms) { last_interaction_ms_.store(now_ms); }

  // Fields other threads read.
  std::string name() const;
  void set_name(std::string name);
  std::string last_command() const;
  void set_last_command(std::string_view cmd);
  std::string lib_name() const;
  std::string lib_ver() const;
  void set_lib(std::string_view name, std::string_view ver, bool set_name, bool set_ver);

  std::atomic<bool> kill_requested{false};
  // CLIENT NO-EVICT / CLIENT NO-TOUCH state, shown as flags 'e' / 'T' by CLIENT LIST.
  std::atomic<bool> no_evict{false};
  std::atomic<bool> no_touch{false};
  std::atomic<uint64_t> query_buffer_bytes{0};
  std::atomic<uint64_t> output_buffer_bytes{0};

  // Pub/Sub subscriptions by PubSub::Kind (channels, patterns, shard channels), kept by the
  // PubSub registry; CLIENT LIST and the subscribed-mode check read them.
  std::atomic<int32_t> pubsub_counts[3] = {};
  bool subscribed() const {
    return pubsub_counts[0].load(std::memory_order_relaxed) +
               pubsub_counts[1].load(std::memory_order_relaxed) +
               pubsub_counts[2].load(std::memory_order_relaxed) >
           0;
  }
  // Pub/Sub messages posted to this client's worker and not yet appended to its output, and
  // whether a publisher found them over the hard output limit (the worker then closes it).
  std::atomic<int64_t> queued_push_bytes{0};
  std::atomic<bool> output_overflow{false};
  // In MONITOR mode (server/monitor.h).
  std::atomic<bool> monitor{false};

 private:
  const uint64_t id_;
  const std::string addr_;
  const std::string laddr_;
  const int worker_;
  const int64_t created_ms_;
  std::atomic<int64_t> last_interaction_ms_;
  std::atomic<int> db_{0};
  std::atomic<int> resp_{2};
  std::atomic<int> fd_{-1};
  bool authenticated_ = false;
  bool close_after_reply_ = false;
  bool wrote_ = false;
  std::atomic<bool> blocked_{false};
  std::atomic<int64_t> block_deadline_ms_{0};
  std::atomic<bool> running_script_{false};
  Transaction txn_;

  mutable std::mutex mu_;
  std::string name_;
  std::string last_command_ = "NULL";
  std::string lib_name_;
  std::string lib_ver_;
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_CLIENT_H_
