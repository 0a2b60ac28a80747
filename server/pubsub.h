// Pub/Sub: the registry of channel, pattern and shard-channel subscriptions, message fan-out to
// subscribers on every worker, and the client output buffer limits that cut off subscribers
// that stop reading.
//
// Delivery. PUBLISH runs on the publisher's worker. Under the registry's shared lock it finds
// the subscribers (exact channel, then every matching pattern), encodes the message once per
// protocol (RESP2 array, RESP3 push), and groups the copies by the subscriber's worker. After
// the lock is released each group is posted to its worker in one hand-off (Worker::Deliver,
// the same queue + uv_async_t that finishes blocked commands). A worker's queue is FIFO and a
// publisher posts its messages one after the other, so every subscriber receives each
// publisher's messages in publishing order. A message a client publishes to itself (RESP3)
// is written straight into its own reply, before PUBLISH's integer, as Redis does.
//
// A message posted just before its subscriber unsubscribed may still arrive after the
// UNSUBSCRIBE reply (it was already queued); Redis, single-threaded, never shows that.
//
// Output buffer limits. Each posted message is appended to the connection's output; if the
// bytes it has not yet handed to the kernel exceed the limits of its class (`pubsub` while it
// has subscriptions, else `normal`) the connection is closed and its buffers freed, so a
// subscriber that never reads cannot make the server's memory grow without bound. Messages
// still queued to the subscriber's worker count too: when they and its output reach the hard
// limit, the publisher stops queueing for it and flags it (Client::output_overflow); its
// worker closes it on the next message it appends. So even a stalled worker cannot make the
// queue grow without bound.
//
// Thread-safety: all methods are thread-safe. The registry lock is never held while posting.
#ifndef BASALT_SERVER_PUBSUB_H_
#define BASALT_SERVER_PUBSUB_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "codec/resp_writer.h"

namespace basalt::server {

class Client;

// Bytes to append to a client's output on its own worker.
struct Push {
  uint64_t client_id;
  std::string bytes;
  // Counted in the receiver's Client::queued_push_bytes until its worker appends it.
  bool counted = false;
};
// Posts `pushes` (all for clients of worker `worker`) to that worker; consumes them.
using PushFn = std::function<void(int worker, std::vector<Push>* pushes)>;

// One class of `client-output-buffer-limit`: 0 disables a limit.
struct OutputLimit {
  std::atomic<int64_t> hard{0};
  std::atomic<int64_t> soft{0};
  std::atomic<int64_t> soft_seconds{0};
};

// The `client-output-buffer-limit` classes Basalt enforces (replica is kept for CONFIG GET).
// Default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60".
// Runtime-changeable; mirrored from Config by a change hook.
struct OutputLimits {
  OutputLimit normal;
  OutputLimit pubsub;
  // Applies a canonical config value (as ParseOutputLimits produced it).
  void Apply(std::string_view canonical);
};

// Redis's parsing of `client-output-buffer-limit`: groups of <class> <hard> <soft> <seconds>
// (class normal|slave|replica|pubsub, sizes with memory units) applied over the current
// value `old` (canonical). Writes the canonical result (every class, bytes) to *canonical.
// Returns "" or Redis's error message.
std::string ParseOutputLimits(std::string_view value, const std::string& old,
                              std::string* canonical);

class PubSub {
 public:
  enum class Kind { kChannel = 0, kPattern = 1, kShard = 2 };

  // `limits` (may be null: no limit on queued messages) must outlive the registry.
  explicit PubSub(PushFn push, const OutputLimits* limits = nullptr)
      : push_(std::move(push)), limits_(limits) {}

  // Adds / removes one subscription of `client`; returns false if it was already there / was
  // not there. Keeps Client::pubsub_counts in step.
  bool Subscribe(Kind kind, Client& client, std::string_view name);
  bool Unsubscribe(Kind kind, Client& client, std::string_view name);
  // The names `client` is subscribed to (for UNSUBSCRIBE without arguments).
  std::vector<std::string> SubscriptionsOf(Kind kind, uint64_t client_id) const;
  // Drops every subscription of a client (disconnect, RESET).
  void UnsubscribeAll(Client& client);

  // Delivers `message` on `channel` (kChannel: to channel and pattern subscribers; kShard: to
  // shard-channel subscribers). `publisher` may be null (keyspace notifications); a message for
  // the publisher itself goes to `self_reply`. Returns the number of receivers.
  int64_t Publish(Kind kind, std::string_view channel, std::string_view message,
                  const Client* publisher, codec::ReplyWriter* self_reply);

  // PUBSUB CHANNELS / SHARDCHANNELS (pattern empty = all), NUMSUB / SHARDNUMSUB, NUMPAT.
  std::vector<std::string> Channels(Kind kind, std::string_view pattern) const;
  int64_t NumSub(Kind kind, std::string_view channel) const;
  int64_t NumPat() const;
  int64_t Count(Kind kind) const;  // INFO pubsub_channels / pubsub_patterns / ...

 private:
  struct Subscriber {
    Client* client;  // valid while subscribed: a client unsubscribes all before it is freed
    int worker;
  };
  using Subscribers = std::map<uint64_t, Subscriber>;  // by client id

  std::map<std::string, Subscribers, std::less<>>& Table(Kind kind) {
    return tables_[static_cast<int>(kind)];
  }
  const std::map<std::string, Subscribers, std::less<>>& Table(Kind kind) const {
    return tables_[static_cast<int>(kind)];
  }

  // Whether queueing `bytes` more for `client` would pass its pubsub hard limit; if so flags
  // the client (the first time returning `*notify` = true: post an empty push to wake it).
  bool Overflows(Client& client, size_t bytes, bool* notify) const;

  PushFn push_;
  const OutputLimits* limits_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Subscribers, std::less<>> tables_[3];
  // Per client: its subscriptions of each kind.
  std::unordered_map<uint64_t, std::vector<std::string>> by_client_[3];
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_PUBSUB_H_
