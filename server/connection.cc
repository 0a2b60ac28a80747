#include "server/connection.h"

#include <unistd.h>

#include <cstring>

#include "server/client_registry.h"
#include "server/config.h"
#include "server/stats.h"
#include "server/worker.h"

namespace basalt::server {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxReadChunk = 64 * 1024 * 1024;
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
  worker_->Forget(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClose);
}

void Connection::OnClose(uv_handle_t* h) { delete static_cast<Connection*>(h->data); }

// Reads go straight into the query buffer. While a large bulk is pending the buffer grows to
// fit it at once, so a 100 MB value costs one allocation and no repeated copying.
void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  c->Compact();
  size_t want = std::max(kReadChunk, std::min(c->parser_.PendingBulkBytes(), kMaxReadChunk));
  if (c->in_cap_ - c->end_ < want) {
    size_t cap = std::max(c->in_cap_ * 2, c->end_ - c->start_ + want);
    std::unique_ptr<char[]> grown(new char[cap]);
    std::memcpy(grown.get(), c->in_.get() + c->start_, c->end_ - c->start_);
    c->end_ -= c->start_;
    c->start_ = 0;
    c->in_ = std::move(grown);
    c->in_cap_ = cap;
  }
  *buf = uv_buf_init(c->in_.get() + c->end_, static_cast<unsigned>(c->in_cap_ - c->end_));
}

void Connection::Compact() {
  if (start_ == end_) {
    start_ = end_ = 0;
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

void Connection::ProcessInput() {
  ServerContext& server = worker_->server();
  client_->Touch(engine::NowMs());
  codec::ParserLimits limits;
  limits.max_bulk_len = server.config->GetInt("proto-max-bulk-len");
  limits.auth_required = AuthRequired(server, *client_);
  parser_.set_limits(limits);
  codec::ReplyWriter reply(&out_, client_->resp());
  while (!closing_ && !client_->close_after_reply() && start_ < end_) {
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
    // AUTH may have lifted the unauthenticated limits.
    limits.auth_required = AuthRequired(server, *client_);
    parser_.set_limits(limits);
  }
  if (reply.errors() > 0) server.stats->error_replies.fetch_add(reply.errors());
  uint64_t buffered = end_ - start_ + parser_.PendingBulkBytes();
  client_->query_buffer_bytes.store(end_ - start_);
  if (buffered > static_cast<uint64_t>(server.config->GetInt("client-query-buffer-limit"))) {
    // Redis closes such a client without a reply.
    Close();
    return;
  }
  Flush();
}

void Connection::Flush() {
  if (closing_ || write_in_flight_) return;
  if (out_.empty()) {
    if (client_->close_after_reply()) Close();
    return;
  }
  worker_->server().stats->net_output_bytes.fetch_add(out_.size(), std::memory_order_relaxed);
  uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
  int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&handle_), &buf, 1);
  if (n == static_cast<int>(out_.size())) {
    out_.clear();
    if (client_->close_after_reply()) Close();
    return;
  }
  if (n < 0 && n != UV_EAGAIN) {
    Close();
    return;
  }
  writing_.assign(out_, n > 0 ? n : 0);
  out_.clear();
  write_in_flight_ = true;
  buf = uv_buf_init(writing_.data(), static_cast<unsigned>(writing_.size()));
  uv_write(&write_req_, reinterpret_cast<uv_stream_t*>(&handle_), &buf, 1, OnWrite);
}

void Connection::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->write_in_flight_ = false;
  c->writing_.clear();
  if (status < 0) {
    c->Close();
    return;
  }
  c->Flush();
}

}  // namespace basalt::server
