// Clients blocked on keys: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (lists) and BZPOPMIN BZPOPMAX
// BZMPOP (sorted sets).
//
// Blocking. A blocking command's handler holds the stripe locks of all its keys (it is a write
// command). If it finds them all empty, it calls Block(): the client is registered as a waiter
// on each key, in arrival order, and its connection stops running commands (input stays
// buffered) until the waiter is finished.
//
// Serving. Every committed write reports the keys it wrote (engine::KeyObserver). A list or
// sorted set written while clients wait on it is marked ready on the writer's thread. Right
// after the writing command (or EXEC) and before its locks are released, the dispatcher calls
// ServeReady(): for each ready key, the waiters blocked on it are served in the order they
// blocked, each with the pop its own command asks for, until the key has nothing more to give.
// The pop runs on the writer's thread under the writer's locks; the finished reply is posted
// to the waiter's worker, which sends it and resumes the client. So a push wakes exactly as
// many clients as it can serve, no other client can take the elements first, and FIFO order
// holds across workers. A serve that writes another waited key (BLMOVE into a list someone
// waits on) marks that key ready in turn.
//
// A waiter whose command also writes a key the writer does not hold (BLMOVE's destination)
// needs that stripe too: it is taken with try-lock (never blocking while holding others); if
// that fails the key is served again right after the writer released its locks.
//
// Finishing. A waiter is finished exactly once — served, timed out, unblocked by CLIENT
// UNBLOCK, or dropped on disconnect. Its state (waiting / serving / done) is guarded by the
// registry mutex, so the writer, the waiter's timeout timer, CLIENT UNBLOCK and a disconnect
// never all finish it.
//
// Thread-safety: all public methods are thread-safe. ServeReady/ServeDeferred serve the keys
// made ready on the calling thread.
#ifndef BASALT_SERVER_BLOCKING_H_
#define BASALT_SERVER_BLOCKING_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "codec/metadata.h"
#include "codec/resp_writer.h"
#include "engine/keyspace.h"

namespace basalt::server {

struct CommandContext;
struct BlockedCommand;

// Serves a blocked command from `key`: pops what the command asks for and writes its whole
// reply (or its error). Returns false, writing nothing, when `key` has nothing to give.
// REQUIRES: the stripe locks of `key` and of `cmd.dst` (if any), the world lock shared.
using ServeFn = bool (*)(const engine::Db& db, const BlockedCommand& cmd, std::string_view key,
                         codec::ReplyWriter& reply);

// What a blocked client waits for; filled in by the command's handler.
struct BlockedCommand {
  ServeFn serve = nullptr;
  codec::KeyType type = codec::KeyType::kList;  // keys of another type do not serve it
  std::vector<std::string> keys;
  std::string dst;          // BLMOVE / BRPOPLPUSH destination, else empty
  int from = 0;             // family-specific: list end to pop, or 1 for a sorted set's max
  int to = 0;               // BLMOVE: list end to push
  uint64_t count = 1;       // BLMPOP / BZMPOP
  int64_t deadline_ms = 0;  // absolute; 0 blocks forever
};

// Parses a blocking timeout in seconds (decimals allowed; 0 = forever) into an absolute deadline
// in ms (0 = none), replying Redis's error and returning false on bad input.
bool ParseBlockTimeout(CommandContext& ctx, size_t i, int64_t* deadline_ms);

// Tries cmd.keys in argument order and replies from the first that has something to give
// (the xMPOP and blocking commands all pick their key this way). Returns false, having replied
// nothing, when none has. REQUIRES: the stripes of cmd.keys and cmd.dst.
bool ServeFirst(CommandContext& ctx, const BlockedCommand& cmd);

// The common shape of every blocking command: try cmd.keys in argument order and reply from the
// first that has something; if none has, reply at once inside EXEC (`exec_reply_null_array`:
// a null array, else a null bulk) and otherwise block the client on the keys.
// REQUIRES: the stripes of cmd.keys and cmd.dst.
void ServeOrBlock(CommandContext& ctx, BlockedCommand cmd, bool exec_reply_null_array);

class BlockingRegistry : public engine::KeyObserver {
 public:
  // Posts `reply` to client `client_id` on worker `worker`, which then resumes it.
  using DeliverFn = std::function<void(int worker, uint64_t client_id, std::string reply)>;

  BlockingRegistry(engine::Engine* engine, DeliverFn deliver)
      : engine_(engine), deliver_(std::move(deliver)) {}

  // Blocks ctx.client on cmd.keys. REQUIRES: the handler holds the stripes of cmd.keys.
  void Block(CommandContext& ctx, BlockedCommand cmd);

  // The waiter's timeout fired (on its worker). Returns kFinished with the timeout reply to
  // send, kBusy if a writer is serving it right now (try again shortly), kGone if it was
  // already finished (its reply is on the way).
  enum class Outcome { kFinished, kBusy, kGone };
  Outcome TimeOut(uint64_t client_id, std::string* reply);
  // CLIENT UNBLOCK: finishes a waiting client with the timeout reply or an UNBLOCKED error and
  // posts it. Returns false if the client is not blocked.
  bool Unblock(uint64_t client_id, bool with_error);
  // The client disconnected: forget its waiter.
  void Drop(uint64_t client_id);

  // Serves the keys this thread made ready. REQUIRES: the world lock shared (or exclusive) and
  // the stripes in `guard`, which are the writer's; extra stripes may be added to it.
  void ServeReady(engine::KeyLocks::Guard* guard);
  // Serves the keys ServeReady had to put off. REQUIRES: no locks held.
  void ServeDeferred();

  // Clients blocked right now (INFO blocked_clients).
  int64_t blocked() const { return blocked_.load(std::memory_order_relaxed); }
  // Keys with at least one waiter (INFO blocked_keys... in Redis 7.2; kept for tests).
  size_t keys_waited() const;

  // engine::KeyObserver
  bool Interested() const override { return blocked() > 0; }
  void KeysWritten(const std::vector<engine::WrittenKey>& keys) override;
  void DbReplaced(int db) override;

 private:
  enum class State { kWaiting, kServing, kDone };
  struct Waiter {
    uint64_t client_id;
    int worker;
    int db;
    int resp;
    BlockedCommand cmd;
    State state = State::kWaiting;
    bool dropped = false;  // disconnected while being served
  };
  using DbKey = std::pair<int, std::string>;

  void MarkReady(int db, std::string_view key);
  // Serves waiters of one key until it runs dry; returns false if a waiter needed a stripe it
  // could not take (the key is then put off).
  void ServeKey(int db, const std::string& key, engine::KeyLocks::Guard* guard);
  std::shared_ptr<Waiter> ClaimNext(int db, const std::string& key, codec::KeyType type);
  // Under mu_: removes the waiter everywhere and marks it done.
  void FinishLocked(const std::shared_ptr<Waiter>& w);
  void Release(const std::shared_ptr<Waiter>& w);  // serving -> waiting (or done if dropped)
  static std::string TimeoutReply(int resp);

  engine::Engine* engine_;
  DeliverFn deliver_;
  mutable std::mutex mu_;
  std::map<DbKey, std::deque<std::shared_ptr<Waiter>>> by_key_;
  std::unordered_map<uint64_t, std::shared_ptr<Waiter>> by_client_;
  std::atomic<int64_t> blocked_{0};
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_BLOCKING_H_
