#include "server/connection.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "server/blocking.h"
#include "server/client_registry.h"
#include "server/config.h"
#include "server/monitor.h"
#include "server/pubsub.h"
#include "server/stats.h"
#include "server/worker.h"

namespace basalt::server {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
// Buffers above this are released once drained, so idle clients hold little memory.
constexpr size_t kKeepBuffer = 1024 * 1024;
// libuv buffer lengths are 32-bit: hand it at most this much per buffer.
constexpr size_t kMaxBuf = 1ull << 30;

// Frees a string's storage if it grew large.
void Shrink(std::string* s) {
  if (s->capacity() > kKeepBuffer) std::string().swap(*s);
}
}  // namespace

Connection* Connection::Open(Worker* worker, int fd, std::shared_ptr<Client> client) {
  auto* c = new Connection(worker, std::move(client));
  uv_tcp_init(worker->loop(), &c->handle_);
  c->handle_.data = c;
  if (uv_tcp_open(&c->handle_, fd) != 0) {
    close(fd);
    c->Close();
    return nullptr;
  }
  uv_tcp_nodelay(&c->handle_, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->handle_), OnAlloc, OnRead);
  c->reading_ = true;
  return c;
}

Connection::Connection(Worker* worker, std::shared_ptr<Client> client)
    : worker_(worker), client_(std::move(client)) {
  write_req_.data = this;
}

Connection::~Connection() = default;

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  if (client_->blocked()) worker_->server().blocking->Drop(client_->id());
  worker_->server().pubsub->UnsubscribeAll(*client_);
  if (client_->monitor.load()) worker_->server().monitors->Remove(*client_);
  if (block_timer_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(block_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    block_timer_ = nullptr;
  }
  worker_->Forget(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClose);
}

void Connection::OnClose(uv_handle_t* h) { delete static_cast<Connection*>(h->data); }

// Reads go straight into the query buffer. A declared large bulk (its length is known from its
// header) sizes the buffer exactly once, so a 100 MB value costs one allocation and no repeated
// copying; small reads grow the buffer geometrically.
void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  c->Compact();
  const size_t live = c->end_ - c->start_;
  const size_t pending = c->parser_.PendingBulkBytes();
  const size_t want = std::max(kReadChunk, pending);
  if (c->in_cap_ - c->end_ < want) {
    size_t cap = pending > kReadChunk ? live + want : std::max(c->in_cap_ * 2, live + want);
    std::unique_ptr<char[]> grown(new char[cap]);
    if (live > 0) std::memcpy(grown.get(), c->in_.get() + c->start_, live);
    c->end_ -= c->start_;
    c->start_ = 0;
    c->in_ = std::move(grown);
    c->in_cap_ = cap;
  }
  size_t room = std::min(c->in_cap_ - c->end_, kMaxBuf);
  *buf = uv_buf_init(c->in_.get() + c->end_, static_cast<unsigned>(room));
}

void Connection::Compact() {
  if (start_ == end_) {
    start_ = end_ = 0;
    // An idle client keeps at most a small buffer, whatever it sent before.
    if (in_cap_ > kKeepBuffer) {
      in_.reset();
      in_cap_ = 0;
    }
  } else if (start_ > in_cap_ / 2) {
    std::memmove(in_.get(), in_.get() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread < 0) {
    c->Close();
    return;
  }
  if (nread == 0 || c->closing_) return;
  c->end_ += static_cast<size_t>(nread);
  c->worker_->server().stats->net_input_bytes.fetch_add(nread, std::memory_order_relaxed);
  c->ProcessInput();
}

// A read that brought several commands (a pipeline) has their keys' hot-tier entries
// prefetched together, so the lookups that follow find them in the CPU cache instead of each
// waiting for memory in turn.
void Connection::PrefetchPipelined(bool auth_required) {
  constexpr size_t kMaxKeys = 32;
  constexpr size_t kMinBytes = 32;  // less than two of the shortest commands with a key
  if (auth_required || parser_.InMultibulk() || end_ - start_ < kMinBytes) return;
  std::string_view keys[kMaxKeys];
  const size_t n =
      codec::PeekSecondArgs(std::string_view(in_.get() + start_, end_ - start_), kMaxKeys, keys);
  if (n < 2) return;
  engine::Engine& engine = *worker_->server().engine;
  engine.Prefetch(engine.db(client_->db()), keys, n);
}

void Connection::ProcessInput() {
  ServerContext& server = worker_->server();
  client_->Touch(engine::NowMs());
  codec::ParserLimits limits;
  limits.max_bulk_len = server.proto_max_bulk_len.load(std::memory_order_relaxed);
  limits.auth_required = AuthRequired(server, *client_);
  PrefetchPipelined(limits.auth_required);
  parser_.set_limits(limits);
  codec::ReplyWriter reply(&out_, client_->resp());
  // While an fsync that holds this client's replies runs, its further commands wait in the
  // query buffer (Durable runs them): a client that never stops sending would otherwise write
  // during every fsync and never have its replies released.
  while (!closing_ && !in_sync_ && !client_->close_after_reply() && !client_->suspended() &&
         start_ < end_) {
    size_t consumed = 0;
    std::string error;
    codec::ParseStatus st = parser_.Parse(std::string_view(in_.get() + start_, end_ - start_),
                                          &consumed, &argv_, &error);
    start_ += consumed;
    if (st == codec::ParseStatus::kNeedMore) break;
    if (st == codec::ParseStatus::kError) {
      reply.Error("ERR " + error);
      client_->set_close_after_reply();
      break;
    }
    if (argv_.empty()) continue;
    reply.set_protocol(client_->resp());
    worker_->dispatcher().Execute(*client_, argv_, reply);
    if (OverOutputLimit()) {
      // As in Redis, the reply just added counts at once: a client that sends but never reads
      // is closed here instead of growing its buffer without bound.
      CloseForOutputLimit();
      return;
    }
    if (client_->blocked() && client_->block_deadline_ms() > 0) {
      ArmBlockTimer(client_->block_deadline_ms() - static_cast<int64_t>(engine::NowMs()));
    }
    size_t arg_bytes = 0;
    for (const auto& a : argv_) arg_bytes += a.capacity();
    if (arg_bytes > 32 * 1024) codec::Argv().swap(argv_);  // don't hold big values while idle
    // AUTH may have lifted the unauthenticated limits.
    limits.auth_required = AuthRequired(server, *client_);
    parser_.set_limits(limits);
  }
  if (reply.errors() > 0) server.stats->error_replies.fetch_add(reply.errors());
  if (client_->take_wrote()) {
    if (!awaiting_durable_) {
      awaiting_durable_ = true;
      worker_->AwaitDurable(this);
    } else {
      wrote_since_handoff_ = true;
    }
  } else if (!out_.empty()) {
    HoldUntilSynced();
  }
  uint64_t buffered = end_ - start_ + parser_.PendingBulkBytes();
  client_->query_buffer_bytes.store(end_ - start_);
  if (buffered > static_cast<uint64_t>(server.query_buffer_limit.load())) {
    // Redis closes such a client without a reply.
    Close();
    return;
  }
  Flush();
}

void Connection::ArmBlockTimer(int64_t delay_ms) {
  if (block_timer_ == nullptr) {
    block_timer_ = new uv_timer_t;
    uv_timer_init(worker_->loop(), block_timer_);
    block_timer_->data = this;
  }
  uv_timer_start(block_timer_, OnBlockTimeout,
                 static_cast<uint64_t>(std::max<int64_t>(delay_ms, 0)), 0);
}

void Connection::OnBlockTimeout(uv_timer_t* t) {
  auto* c = static_cast<Connection*>(t->data);
  std::string reply;
  switch (c->worker_->server().blocking->TimeOut(c->client_->id(), &reply)) {
    case BlockingRegistry::Outcome::kFinished:
      c->Unblocked(std::move(reply), 0);  // a timeout writes nothing
      break;
    case BlockingRegistry::Outcome::kBusy:  // a writer is serving it: its verdict comes soon
      c->ArmBlockTimer(1);
      break;
    case BlockingRegistry::Outcome::kGone:  // already finished; the reply is on its way
      break;
  }
}

void Connection::Unblocked(std::string reply, uint64_t write_seq) {
  if (closing_ || !client_->suspended()) return;
  if (block_timer_ != nullptr) uv_timer_stop(block_timer_);
  client_->set_blocked(false);
  client_->set_running_script(false);
  out_ += reply;
  if (OverOutputLimit()) {
    CloseForOutputLimit();
    return;
  }
  // A served client's pop, or its script's writes, were written by another thread: make them
  // durable before the reply.
  client_->mark_wrote();
  foreign_seq_ = std::max(foreign_seq_, write_seq);
  ProcessInput();
}

bool Connection::Push(std::string_view bytes) {
  if (closing_) return false;
  out_.append(bytes);
  client_->output_buffer_bytes.store(out_.size() + writing_.size(), std::memory_order_relaxed);
  if (client_->output_overflow.load() || OverOutputLimit()) {
    CloseForOutputLimit();
    return false;
  }
  if (push_pending_) return false;
  push_pending_ = true;
  return true;
}

void Connection::FlushPushed() {
  push_pending_ = false;
  uint64_t seen = 0;
  if (in_sync_ && worker_->server().engine->storage().HasUnsyncedWrites(&seen)) {
    // The fsync holding this output may not cover what the pushes just added tell of: after
    // it, go round again (as a write made meanwhile does).
    wrote_since_handoff_ = true;
    return;
  }
  if (!HoldUntilSynced()) Flush();
}

bool Connection::HoldUntilSynced() {
  uint64_t seen = 0;
  if (closing_ || awaiting_durable_ ||
      !worker_->server().engine->storage().HasUnsyncedWrites(&seen)) {
    return false;
  }
  awaiting_durable_ = true;
  worker_->AwaitSynced(this, seen);
  return true;
}

void Connection::CloseForOutputLimit() {
  spdlog::warn(
      "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
      client_->id(), client_->addr());
  Close();
}

bool Connection::OverOutputLimit() {
  const OutputLimits& limits = worker_->server().output_limits;
  const OutputLimit& l = client_->subscribed() ? limits.pubsub : limits.normal;
  const int64_t used = static_cast<int64_t>(out_.size() + writing_.size());
  const int64_t hard = l.hard.load(std::memory_order_relaxed);
  const int64_t soft = l.soft.load(std::memory_order_relaxed);
  if (hard > 0 && used >= hard) return true;
  if (soft <= 0 || used < soft) {
    soft_limit_since_ms_ = 0;
    return false;
  }
  const int64_t now = static_cast<int64_t>(engine::NowMs());
  if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now;
  return now - soft_limit_since_ms_ > l.soft_seconds.load(std::memory_order_relaxed) * 1000;
}

void Connection::Durable(bool ok) {
  if (closing_) return;
  awaiting_durable_ = false;
  wrote_since_handoff_ = false;
  if (!ok) {
    // The writes may not survive a crash: do not acknowledge them.
    spdlog::error("WAL flush failed, dropping client {}", client_->id());
    Close();
    return;
  }
  Flush();
  if (in_sync_) {
    // Commands that arrived during the fsync were left in the query buffer: run them now.
    in_sync_ = false;
    if (start_ < end_) ProcessInput();
  }
}

void Connection::Flush() {
  // Replies of writes wait for the group commit (Durable); so does anything queued after them.
  if (closing_ || write_in_flight_ || awaiting_durable_) return;
  if (out_.empty()) {
    if (client_->close_after_reply()) Close();
    return;
  }
  worker_->server().stats->net_output_bytes.fetch_add(out_.size(), std::memory_order_relaxed);
  auto* stream = reinterpret_cast<uv_stream_t*>(&handle_);
  uv_buf_t first = uv_buf_init(out_.data(), static_cast<unsigned>(std::min(out_.size(), kMaxBuf)));
  int n = uv_try_write(stream, &first, 1);
  if (n < 0 && n != UV_EAGAIN) {
    Close();
    return;
  }
  const size_t written = n > 0 ? static_cast<size_t>(n) : 0;
  if (written == out_.size()) {
    out_.clear();
    Shrink(&out_);
    client_->output_buffer_bytes.store(0, std::memory_order_relaxed);
    if (client_->close_after_reply()) Close();
    return;
  }
  // The rest goes out asynchronously from writing_, which must not change until OnWrite.
  writing_.swap(out_);
  out_.clear();
  client_->output_buffer_bytes.store(writing_.size() - written, std::memory_order_relaxed);
  std::vector<uv_buf_t> bufs;
  for (size_t off = written; off < writing_.size(); off += kMaxBuf) {
    size_t len = std::min(kMaxBuf, writing_.size() - off);
    bufs.push_back(uv_buf_init(writing_.data() + off, static_cast<unsigned>(len)));
  }
  write_in_flight_ = true;
  uv_write(&write_req_, stream, bufs.data(), static_cast<unsigned>(bufs.size()), OnWrite);
}

void Connection::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->write_in_flight_ = false;
  c->writing_.clear();
  Shrink(&c->writing_);
  c->client_->output_buffer_bytes.store(c->out_.size(), std::memory_order_relaxed);
  if (status < 0) {
    c->Close();
    return;
  }
  // A client draining a long reply is not idle (the `timeout` option).
  c->client_->Touch(engine::NowMs());
  c->Flush();
}

}  // namespace basalt::server
