#include "server/blocking.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <mutex>
#include <shared_mutex>

#include "codec/numbers.h"
#include "server/command.h"

namespace basalt::server {

namespace {

// Keys this thread's writes made ready, and keys put off until this thread's locks are gone
// (with the extra stripe the first unservable waiter needs).
struct PendingKey {
  int db;
  std::string key;
  uint16_t extra_stripe = 0;
};
thread_local std::vector<PendingKey> tls_ready;
thread_local std::vector<PendingKey> tls_deferred;

}  // namespace

bool ParseBlockTimeout(CommandContext& ctx, size_t i, int64_t* deadline_ms) {
  long double seconds = 0;
  if (!codec::ParseLongDouble(ctx.arg(i), &seconds)) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  const long double ms = std::ceil(seconds * 1000.0L);
  // Redis 7.0 converts to long long without a range check: a timeout too large to convert
  // comes out negative, and that is what it reports.
  if (ms < 0 || ms >= static_cast<long double>(LLONG_MAX)) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  const int64_t timeout = static_cast<int64_t>(ms);
  const int64_t now = static_cast<int64_t>(engine::NowMs());
  // A deadline past the end of time is no deadline.
  *deadline_ms = timeout > 0 && timeout < LLONG_MAX - now ? now + timeout : 0;
  return true;
}

bool ServeFirst(CommandContext& ctx, const BlockedCommand& cmd) {
  const engine::Db db = ctx.db();
  for (const std::string& key : cmd.keys) {
    if (cmd.serve(db, cmd, key, ctx.reply)) return true;
  }
  return false;
}

void ServeOrBlock(CommandContext& ctx, BlockedCommand cmd, bool exec_reply_null_array) {
  if (ServeFirst(ctx, cmd)) return;
  if (ctx.client.in_exec()) {
    if (exec_reply_null_array) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  ctx.server.blocking->Block(ctx, std::move(cmd));
}

void BlockingRegistry::Block(CommandContext& ctx, BlockedCommand cmd) {
  const int64_t deadline = cmd.deadline_ms;
  auto w = std::make_shared<Waiter>(Waiter{ctx.client.id(), ctx.client.worker(), ctx.client.db(),
                                           ctx.client.resp(), std::move(cmd)});
  std::vector<std::string> keys = w->cmd.keys;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  w->cmd.keys = std::move(keys);
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const std::string& key : w->cmd.keys) by_key_[{w->db, key}].push_back(w);
    by_client_[w->client_id] = w;
    blocked_.fetch_add(1);
  }
  ctx.client.set_blocked(true, deadline);
}

void BlockingRegistry::FinishLocked(const std::shared_ptr<Waiter>& w) {
  if (w->state == State::kDone) return;
  for (const std::string& key : w->cmd.keys) {
    auto it = by_key_.find({w->db, key});
    if (it == by_key_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), w), q.end());
    if (q.empty()) by_key_.erase(it);
  }
  by_client_.erase(w->client_id);
  w->state = State::kDone;
  blocked_.fetch_sub(1);
}

void BlockingRegistry::Release(const std::shared_ptr<Waiter>& w) {
  std::lock_guard<std::mutex> l(mu_);
  if (w->dropped) {
    FinishLocked(w);
  } else {
    w->state = State::kWaiting;
  }
}

std::string BlockingRegistry::TimeoutReply(int resp) {
  std::string out;
  codec::ReplyWriter reply(&out, resp);
  reply.NullArray();
  return out;
}

BlockingRegistry::Outcome BlockingRegistry::TimeOut(uint64_t client_id, std::string* reply) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return Outcome::kGone;
  std::shared_ptr<Waiter> w = it->second;
  if (w->state == State::kServing) return Outcome::kBusy;
  FinishLocked(w);
  *reply = TimeoutReply(w->resp);
  return Outcome::kFinished;
}

bool BlockingRegistry::Unblock(uint64_t client_id, bool with_error) {
  std::shared_ptr<Waiter> w;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = by_client_.find(client_id);
    if (it == by_client_.end() || it->second->state != State::kWaiting) return false;
    w = it->second;
    FinishLocked(w);
  }
  std::string reply;
  if (with_error) {
    codec::ReplyWriter(&reply, w->resp).Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    reply = TimeoutReply(w->resp);
  }
  deliver_(w->worker, w->client_id, std::move(reply));
  return true;
}

void BlockingRegistry::Drop(uint64_t client_id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return;
  std::shared_ptr<Waiter> w = it->second;
  if (w->state == State::kServing) {
    w->dropped = true;  // the writer serving it finishes it
  } else {
    FinishLocked(w);
  }
}

size_t BlockingRegistry::keys_waited() const {
  std::lock_guard<std::mutex> l(mu_);
  return by_key_.size();
}

void BlockingRegistry::MarkReady(int db, std::string_view key) {
  std::lock_guard<std::mutex> l(mu_);
  if (by_key_.count({db, std::string(key)}) == 0) return;
  tls_ready.push_back({db, std::string(key)});
}

void BlockingRegistry::KeysWritten(const std::vector<engine::WrittenKey>& keys) {
  for (const engine::WrittenKey& k : keys) {
    if (k.type == codec::KeyType::kList || k.type == codec::KeyType::kZSet) MarkReady(k.db, k.key);
  }
}

void BlockingRegistry::DbReplaced(int db) {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [db_key, waiters] : by_key_) {
    if (db_key.first == db) tls_ready.push_back({db, db_key.second});
  }
}

std::shared_ptr<BlockingRegistry::Waiter> BlockingRegistry::ClaimNext(int db,
                                                                      const std::string& key,
                                                                      codec::KeyType type) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = by_key_.find({db, key});
  if (it == by_key_.end()) return nullptr;
  for (const std::shared_ptr<Waiter>& w : it->second) {
    // A waiter being served from another key by another writer is left to that writer.
    if (w->state == State::kWaiting && w->cmd.type == type) {
      w->state = State::kServing;
      return w;
    }
  }
  return nullptr;
}

void BlockingRegistry::ServeKey(int db_index, const std::string& key,
                                engine::KeyLocks::Guard* guard) {
  const engine::Db db = engine_->db(db_index);
  for (;;) {
    engine::KeyRecord rec;
    if (!engine_->Lookup(db, key, &rec).ok()) return;
    const codec::KeyType type = rec.type();
    if (type != codec::KeyType::kList && type != codec::KeyType::kZSet) return;
    std::shared_ptr<Waiter> w = ClaimNext(db_index, key, type);
    if (w == nullptr) return;
    if (!w->cmd.dst.empty()) {
      const uint16_t stripe = engine::KeyLocks::StripeOf(db.physical, w->cmd.dst);
      if (!engine_->locks().TryAdd(guard, stripe)) {
        Release(w);
        tls_deferred.push_back({db_index, key, stripe});
        return;
      }
    }
    std::string out;
    codec::ReplyWriter reply(&out, w->resp);
    if (!w->cmd.serve(db, w->cmd, key, reply)) {
      Release(w);
      return;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      FinishLocked(w);
    }
    deliver_(w->worker, w->client_id, std::move(out));
  }
}

void BlockingRegistry::ServeReady(engine::KeyLocks::Guard* guard) {
  // Serving may make more keys ready (BLMOVE pushes), so drain until nothing is left.
  while (!tls_ready.empty()) {
    PendingKey k = std::move(tls_ready.front());
    tls_ready.erase(tls_ready.begin());
    ServeKey(k.db, k.key, guard);
  }
}

void BlockingRegistry::ServeDeferred() {
  while (!tls_deferred.empty()) {
    PendingKey k = std::move(tls_deferred.front());
    tls_deferred.erase(tls_deferred.begin());
    std::shared_lock<std::shared_timed_mutex> world(engine_->locks().world());
    if (k.db >= engine_->databases()) continue;
    const uint8_t physical = engine_->db(k.db).physical;
    engine::KeyLocks::Guard guard =
        engine_->locks().Lock({engine::KeyLocks::StripeOf(physical, k.key), k.extra_stripe});
    ServeKey(k.db, k.key, &guard);
    ServeReady(&guard);
  }
}

}  // namespace basalt::server
