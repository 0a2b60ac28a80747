#include "server/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "server/client_registry.h"
#include "server/config.h"
#include "server/connection.h"
#include "server/stats.h"

namespace basalt::server {

namespace {

std::string FormatAddr(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6, as Redis prints it
  return h + ":" + std::to_string(port);
}

std::string PeerAddr(int fd, bool local) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  int rc = local ? getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                 : getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return rc == 0 ? FormatAddr(ss) : std::string("?:0");
}

}  // namespace

Worker::Worker(int index, ServerContext* server, Dispatcher* dispatcher)
    : index_(index), server_(server), dispatcher_(dispatcher) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &async_, OnAsync);
  async_.data = this;
  uv_timer_init(&loop_, &cron_);
  cron_.data = this;
  uv_check_init(&loop_, &durable_check_);
  durable_check_.data = this;
  uv_idle_init(&loop_, &durable_idle_);
  sync_req_.data = this;
}

Worker::~Worker() {
  Stop();
  uv_loop_close(&loop_);
}

void Worker::Start() {
  uv_timer_start(&cron_, OnCron, 1000, 1000);
  uv_check_start(&durable_check_, OnCheck);
  thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
}

void Worker::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      if (thread_.joinable()) thread_.join();
      return;
    }
    stopping_ = true;
    uv_async_send(&async_);
  }
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<Client> Worker::NewClient(int fd) {
  auto client = std::make_shared<Client>(server_->clients->NextId(), PeerAddr(fd, false),
                                         PeerAddr(fd, true), index_, engine::NowMs());
  client->set_fd(fd);
  return client;
}

void Worker::AddConnection(int fd, std::shared_ptr<Client> client) {
  // Registered before the hand-off so that CLIENT LIST/KILL from any thread see the client at
  // once; a close requested before the worker adopts it is queued behind the adoption.
  server_->clients->Add(client, [this](uint64_t id) { RequestClose(id); });
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      server_->clients->Remove(client->id());
      close(fd);
      return;
    }
    pending_.push_back({fd, std::move(client)});
    // Sent under the lock: Drain closes async_ only after seeing stopping_ under it.
    uv_async_send(&async_);
  }
}

void Worker::RequestClose(uint64_t id) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    pending_closes_.push_back(id);
    uv_async_send(&async_);
  }
}

void Worker::DeliverBlocked(uint64_t id, std::string reply) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    // Called on the thread that served the client, whose writes for it are committed by now.
    pending_posts_.push_back(
        {id, true, false, std::move(reply), engine::Storage::ThreadWriteSeq()});
    uv_async_send(&async_);
  }
}

void Worker::DeliverPushes(std::vector<Push>* pushes) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    for (Push& p : *pushes) {
      pending_posts_.push_back({p.client_id, false, p.counted, std::move(p.bytes)});
    }
    uv_async_send(&async_);
  }
  pushes->clear();
}

void Worker::OnAsync(uv_async_t* a) { static_cast<Worker*>(a->data)->Drain(); }

void Worker::Drain() {
  std::vector<Pending> fds;
  std::vector<uint64_t> closes;
  std::vector<Post> posts;
  bool stopping;
  {
    std::lock_guard<std::mutex> l(mu_);
    fds.swap(pending_);
    closes.swap(pending_closes_);
    posts.swap(pending_posts_);
    stopping = stopping_;
  }
  for (Pending& p : fds) Adopt(p.fd, std::move(p.client));
  std::vector<Connection*> pushed;  // flushed once each after all posts are appended
  for (Post& p : posts) {
    auto it = conns_.find(p.id);
    if (it == conns_.end()) continue;
    if (p.counted) {
      it->second->client().queued_push_bytes.fetch_sub(static_cast<int64_t>(p.bytes.size()));
    }
    if (p.unblock) {
      it->second->Unblocked(std::move(p.bytes), p.write_seq);
    } else if (it->second->Push(p.bytes)) {
      pushed.push_back(it->second);
    }
  }
  for (Connection* c : pushed) c->FlushPushed();
  for (uint64_t id : closes) {
    auto it = conns_.find(id);
    if (it != conns_.end()) it->second->Close();
  }
  if (stopping) {
    std::vector<Connection*> all;
    for (auto& [id, c] : conns_) all.push_back(c);
    for (Connection* c : all) c->Close();
    uv_timer_stop(&cron_);
    uv_close(reinterpret_cast<uv_handle_t*>(&cron_), nullptr);
    uv_check_stop(&durable_check_);
    uv_close(reinterpret_cast<uv_handle_t*>(&durable_check_), nullptr);
    uv_idle_stop(&durable_idle_);
    uv_close(reinterpret_cast<uv_handle_t*>(&durable_idle_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  }
}

void Worker::Adopt(int fd, std::shared_ptr<Client> client) {
  uint64_t id = client->id();
  Connection* conn = Connection::Open(this, fd, std::move(client));
  if (conn == nullptr) {
    server_->clients->Remove(id);
    return;
  }
  conns_[id] = conn;
}

void Worker::Forget(Connection* conn) {
  awaiting_durable_.erase(std::remove(awaiting_durable_.begin(), awaiting_durable_.end(), conn),
                          awaiting_durable_.end());
  syncing_.erase(std::remove(syncing_.begin(), syncing_.end(), conn), syncing_.end());
  uint64_t id = conn->client().id();
  conns_.erase(id);
  server_->clients->Remove(id);
}

void Worker::AwaitDurable(Connection* conn) {
  // With an fsync in flight its completion wakes the loop and commits these; an idle handle
  // would only spin the loop meanwhile.
  if (awaiting_durable_.empty() && !sync_running_) {
    uv_idle_start(&durable_idle_, [](uv_idle_t*) {});
  }
  awaiting_durable_.push_back(conn);
}

void Worker::AwaitSynced(Connection* conn, uint64_t seen_seq) {
  if (sync_running_ && seen_seq <= sync_covers_) {
    conn->EnterSync();
    syncing_.push_back(conn);
    return;
  }
  AwaitDurable(conn);
}

void Worker::OnCheck(uv_check_t* c) {
  auto* w = static_cast<Worker*>(c->data);
  uv_idle_stop(&w->durable_idle_);
  // With an fsync in flight the newly awaiting connections wait for it to end (OnSyncDone).
  if (w->awaiting_durable_.empty() || w->sync_running_) return;
  w->CommitAwaiting();
}

void Worker::CommitAwaiting() {
  std::vector<Connection*> ready;
  ready.swap(awaiting_durable_);
  uint64_t foreign_seq = 0;
  for (Connection* conn : ready) foreign_seq = std::max(foreign_seq, conn->TakeForeignSeq());
  engine::Storage& storage = server_->engine->storage();
  // Read before the hand-off, so every write up to it is in what the hand-off flushes.
  const uint64_t covers = storage.LatestSequence();
  engine::Storage::HandOff handoff;
  engine::Status s = storage.HandOffWal(foreign_seq, &handoff);
  if (s.ok() && handoff.sync) {
    // The fsync covers what these connections wrote so far. They run no further commands
    // until it ends, but a blocked command served meanwhile (Connection::Unblocked) writes on
    // their behalf after the hand-off: that sends them round again (OnSyncDone).
    for (Connection* conn : ready) conn->EnterSync();
    syncing_ = std::move(ready);
    sync_had_writes_ = handoff.had_writes;
    sync_covers_ = covers;
    sync_running_ = true;
    uv_queue_work(&loop_, &sync_req_, OnSyncWork, OnSyncDone);
    return;
  }
  if (!s.ok()) spdlog::error("WAL flush failed: {}", s.ToString());
  // A connection closed by an earlier one's reply (CLIENT KILL never runs here, but an output
  // limit can) is still allocated until the loop's close phase; Durable() skips it.
  for (Connection* conn : ready) conn->Durable(s.ok());
}

void Worker::OnSyncWork(uv_work_t* req) {
  auto* w = static_cast<Worker*>(req->data);
  w->sync_status_ = w->server_->engine->storage().SyncWal();
}

void Worker::OnSyncDone(uv_work_t* req, int) {
  auto* w = static_cast<Worker*>(req->data);
  w->sync_running_ = false;
  // As HandOffWal: a batch whose writes all failed has nothing to lose, its error replies go.
  const bool ok = w->sync_status_.ok() || !w->sync_had_writes_;
  if (!w->sync_status_.ok()) spdlog::error("WAL fsync failed: {}", w->sync_status_.ToString());
  std::vector<Connection*> done;
  done.swap(w->syncing_);
  for (Connection* conn : done) {
    if (conn->closing()) continue;  // closed by an earlier one's Durable; freed at close phase
    if (ok && conn->wrote_since_handoff()) {
      w->awaiting_durable_.push_back(conn);  // still holding its replies
    } else {
      conn->Durable(ok);
    }
  }
  // Those who wrote during the fsync go next, with the loop's next check at the latest.
  if (!w->awaiting_durable_.empty()) w->CommitAwaiting();
}

void Worker::OnCron(uv_timer_t* t) { static_cast<Worker*>(t->data)->CloseIdle(); }

void Worker::CloseIdle() {
  int64_t timeout_s = server_->config->GetInt("timeout");
  if (timeout_s <= 0) return;
  int64_t now = engine::NowMs();
  std::vector<Connection*> idle;
  for (auto& [id, c] : conns_) {
    // As in Redis, blocked clients (they have their own timeout), Pub/Sub subscribers and
    // monitors are never idle.
    const Client& client = c->client();
    if (client.suspended() || client.subscribed() || client.monitor.load()) continue;
    if (now - c->client().last_interaction_ms() > timeout_s * 1000) idle.push_back(c);
  }
  for (Connection* c : idle) c->Close();
}

}  // namespace basalt::server
