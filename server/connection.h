// One client connection on a worker loop: reads bytes, parses requests, runs them in order, and
// writes the batched replies.
//
// libuv rules this file follows (see libuv's handle and stream docs):
//  - A Connection is touched only from its worker's loop thread.
//  - The uv_tcp_t handle's memory is released only in its close callback: a Connection deletes
//    itself there, never before.
//  - A write buffer lives until its write callback: `writing_` is not touched while a write is
//    in flight; new replies accumulate in `out_` and go in the next write.
// Replies for all commands parsed from one read are sent with one write, so a pipeline of N
// commands costs a handful of syscalls, not N.
#ifndef BASALT_SERVER_CONNECTION_H_
#define BASALT_SERVER_CONNECTION_H_

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "codec/resp_parser.h"
#include "codec/resp_writer.h"
#include "server/client.h"

namespace basalt::server {

class Worker;

class Connection {
 public:
  // Takes ownership of the connected socket `fd`. REQUIRES: on `worker`'s loop thread.
  static Connection* Open(Worker* worker, int fd, std::shared_ptr<Client> client);

  // Starts closing; the object is deleted in the close callback.
  void Close();
  Client& client() { return *client_; }
  // The blocking command or script this client waits on finished with `reply`: make the
  // writes durable, send it and go on with the commands that arrived meanwhile. `write_seq`:
  // the serving thread's Storage::ThreadWriteSeq() when it posted the reply (0: no writes).
  void Unblocked(std::string reply, uint64_t write_seq);
  bool closing() const { return closing_; }
  // The worker's group commit made this connection's writes durable (`ok`) or failed to: send
  // the replies held back, or drop the client without acknowledging its writes.
  void Durable(bool ok);
  // Whether the client wrote again while its replies were already held for a group commit
  // (worker.h): the fsync under way may not cover that write.
  bool wrote_since_handoff() const { return wrote_since_handoff_; }
  // The newest write another thread made on this client's behalf since the last call (0: none),
  // which its next group commit must cover too (Storage::HandOffWal).
  uint64_t TakeForeignSeq() { return std::exchange(foreign_seq_, 0); }
  // The worker's fsync now covers this client's writes (appendfsync always): its further
  // commands wait until Durable.
  void EnterSync() {
    in_sync_ = true;
    wrote_since_handoff_ = false;
  }
  // Appends bytes another thread posted (a pub/sub message, a MONITOR line) and enforces the
  // client output buffer limits, closing the connection when they are exceeded. Returns true
  // when the caller must call FlushPushed() (once, after its batch of pushes).
  bool Push(std::string_view bytes);
  void FlushPushed();

 private:
  Connection(Worker* worker, std::shared_ptr<Client> client);
  ~Connection();

  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnClose(uv_handle_t* h);
  static void OnBlockTimeout(uv_timer_t* t);

  void ProcessInput();
  void PrefetchPipelined(bool auth_required);
  void Flush();
  // appendfsync always: output that may show a write not yet fsynced (a reply, a keyspace
  // notification, a MONITOR line) waits for an fsync that covers it, as all output does in
  // Redis, whose every reply and push of an event loop iteration leaves after its fsync. Returns
  // true when the connection now waits (Worker::AwaitSynced).
  bool HoldUntilSynced();
  void Compact();
  void ArmBlockTimer(int64_t delay_ms);
  // Whether the output not yet handed to the kernel exceeds the client's output buffer limits
  // (Redis's checkClientOutputBufferLimits: hard at once, soft for longer than its seconds).
  bool OverOutputLimit();
  void CloseForOutputLimit();

  uv_tcp_t handle_;
  uv_write_t write_req_;
  Worker* worker_;
  std::shared_ptr<Client> client_;
  codec::RequestParser parser_;
  codec::Argv argv_;

  // Query buffer: bytes [start_, end_) of in_ are unparsed input.
  std::unique_ptr<char[]> in_;
  size_t in_cap_ = 0, start_ = 0, end_ = 0;

  std::string out_;      // replies not yet handed to libuv
  std::string writing_;  // the buffer of the write in flight
  bool write_in_flight_ = false;
  bool closing_ = false;
  bool reading_ = false;
  bool push_pending_ = false;         // pushes appended since the last FlushPushed
  bool awaiting_durable_ = false;     // replies held until the worker's group commit
  bool wrote_since_handoff_ = false;  // see wrote_since_handoff()
  bool in_sync_ = false;              // see EnterSync()
  uint64_t foreign_seq_ = 0;          // see TakeForeignSeq()
  int64_t soft_limit_since_ms_ = 0;   // when the output first went over the soft limit, or 0
  // Fires when a blocking command times out; created on first use, closed with the connection
  // (its memory is freed in its own close callback).
  uv_timer_t* block_timer_ = nullptr;
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_CONNECTION_H_
