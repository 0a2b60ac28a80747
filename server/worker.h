// A worker thread: one libuv loop that owns a set of connections for their whole lives, so each
// connection's commands and replies stay in order without locks.
//
// Thread-safety: AddConnection, RequestClose and Stop may be called from any thread; they post
// to the loop through a mutex-protected queue and a uv_async_t. Everything else runs on the
// worker's own thread.
#ifndef BASALT_SERVER_WORKER_H_
#define BASALT_SERVER_WORKER_H_

#include <uv.h>

#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/command.h"
#include "server/dispatcher.h"
#include "server/pubsub.h"

namespace basalt::server {

class Connection;

class Worker {
 public:
  Worker(int index, ServerContext* server, Dispatcher* dispatcher);
  ~Worker();

  void Start();
  // Closes every connection, stops the loop and joins the thread.
  void Stop();

  // Describes a freshly accepted socket (any thread).
  std::shared_ptr<Client> NewClient(int fd);
  // Registers `client` and hands its connected socket `fd` to this worker.
  void AddConnection(int fd, std::shared_ptr<Client> client);
  // Asks the worker to close client `id` (CLIENT KILL, shutdown).
  void RequestClose(uint64_t id);
  // Hands blocked client `id` the reply that finishes its blocking command (blocking.h) or
  // its script (scripting.h). Called on the thread that served it, after its writes.
  void DeliverBlocked(uint64_t id, std::string reply);
  // Appends bytes to clients' output (pub/sub messages, MONITOR lines), subject to their
  // output buffer limits. Consumes *pushes. Posts from one thread arrive in posting order,
  // after any earlier DeliverBlocked/DeliverPushes from that thread.
  void DeliverPushes(std::vector<Push>* pushes);

  // Loop-thread only.
  int index() const { return index_; }
  uv_loop_t* loop() { return &loop_; }
  ServerContext& server() { return *server_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  void Forget(Connection* conn);
  // Group commit: `conn` wrote and holds its replies until the WAL is handed to the OS (and
  // fsynced under appendfsync always). That happens once per loop iteration for every
  // connection that wrote in it (under `always` also for those whose output may show another's
  // write not yet fsynced), after the loop has read and run everything that was ready.
  // Under `always` the fsync runs on libuv's thread pool while the loop goes on serving other
  // clients; connections that write meanwhile wait for the next fsync, which starts as soon as
  // this one ends (one in flight per worker), so the disk's latency overlaps the CPU work.
  void AwaitDurable(Connection* conn);
  // appendfsync always: `conn` wrote nothing, but its output may show writes up to `seen_seq`
  // that are not fsynced yet. It waits for the fsync in flight when that one covers them,
  // otherwise as AwaitDurable.
  void AwaitSynced(Connection* conn, uint64_t seen_seq);

 private:
  static void OnAsync(uv_async_t* a);
  static void OnCron(uv_timer_t* t);
  static void OnCheck(uv_check_t* c);
  // Hands the WAL of every awaiting connection to the OS and either releases their replies or,
  // under `always`, starts the fsync they wait for.
  void CommitAwaiting();
  static void OnSyncWork(uv_work_t* req);
  static void OnSyncDone(uv_work_t* req, int status);
  void Drain();
  void Adopt(int fd, std::shared_ptr<Client> client);
  void CloseIdle();

  const int index_;
  ServerContext* server_;
  Dispatcher* dispatcher_;
  uv_loop_t loop_;
  uv_async_t async_;
  uv_timer_t cron_;
  uv_check_t durable_check_;  // runs right after each poll phase: the group commit
  // Active while connections await the group commit, so that a write made outside the poll
  // phase (a timer's callback) does not leave the loop blocked in poll before the check runs.
  uv_idle_t durable_idle_;
  std::vector<Connection*> awaiting_durable_;
  // The fsync in flight (appendfsync always) and the connections it will release.
  uv_work_t sync_req_;
  bool sync_running_ = false;
  bool sync_had_writes_ = false;  // HandOff::had_writes of the batch being synced
  uint64_t sync_covers_ = 0;      // every write up to it was handed off before that fsync
  engine::Status sync_status_;    // written by the pool thread, read in OnSyncDone
  std::vector<Connection*> syncing_;
  std::thread thread_;

  std::mutex mu_;
  struct Pending {
    int fd;
    std::shared_ptr<Client> client;
  };
  std::vector<Pending> pending_;
  std::vector<uint64_t> pending_closes_;
  // Bytes for clients of this worker, in posting order: a blocked command's final reply
  // (`unblock`) or a push appended to the output.
  struct Post {
    uint64_t id;
    bool unblock;
    bool counted;  // a push counted in Client::queued_push_bytes
    std::string bytes;
    uint64_t write_seq = 0;  // `unblock`: see Connection::Unblocked
  };
  std::vector<Post> pending_posts_;
  bool stopping_ = false;

  std::unordered_map<uint64_t, Connection*> conns_;  // by client id
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_WORKER_H_
