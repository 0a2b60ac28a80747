// Keyspace notifications (`notify-keyspace-events`): command handlers call Notify() after a
// successful write with Redis's event name; the event is published, like PUBLISH from nobody,
// on __keyspace@<db>__:<key> (message: the event) and/or __keyevent@<db>__:<event> (message:
// the key). `expired` events come from the engine (engine::KeyObserver::Expired): a lookup,
// by a command or by the active-expiry reaper, that finds a key past its deadline reports it;
// the notifier announces each (key, deadline) once.
//
// Cost when disabled: Notify() is one relaxed atomic load and a branch.
//
// Thread-safety: all methods are thread-safe.
#ifndef BASALT_SERVER_NOTIFY_H_
#define BASALT_SERVER_NOTIFY_H_

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/keyspace.h"
#include "server/command.h"

namespace basalt::server {

class PubSub;

// Event classes: Redis's NOTIFY_* bits and their flag characters.
enum NotifyClass : int {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m
  kNotifyModule = 1 << 12,   // d
  kNotifyNew = 1 << 13,      // n
  // A: every class but m and n.
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Redis's keyspaceEventsStringToFlags: -1 on an unknown character.
int ParseNotifyFlags(std::string_view text);
// Redis's keyspaceEventsFlagsToString (CONFIG GET's canonical order).
std::string NotifyFlagsToString(int flags);

class Notifier : public engine::KeyObserver {
 public:
  explicit Notifier(PubSub* pubsub) : pubsub_(pubsub) {}

  void set_flags(int flags) { flags_.store(flags, std::memory_order_relaxed); }
  // Whether events of class `cls` are published at all.
  bool Enabled(int cls) const {
    const int f = flags_.load(std::memory_order_relaxed);
    return (f & cls) != 0 && (f & (kNotifyKeyspace | kNotifyKeyevent)) != 0;
  }
  // Publishes `event` for `key` of logical database `db`. REQUIRES: Enabled(cls).
  void Emit(int cls, std::string_view event, std::string_view key, int db);

  // engine::KeyObserver: expirations, and created keys for the `new` event class (published
  // when the write commits, so before the command's own event, as Redis's dbAdd does; inside
  // MULTI/EXEC they come at EXEC's commit, after the queued commands' events).
  bool Interested() const override { return Enabled(kNotifyNew); }
  void KeysWritten(const std::vector<engine::WrittenKey>& keys) override;
  void DbReplaced(int) override {}
  bool WantsExpired() const override { return Enabled(kNotifyExpired); }
  void Expired(int db, std::string_view key, uint64_t expire_at_ms) override;
  bool WantsMisses() const override { return Enabled(kNotifyKeyMiss); }
  void KeyMissed(int db, std::string_view key) override;

 private:
  PubSub* pubsub_;
  std::atomic<int> flags_{0};
  std::mutex mu_;
  // (db, key) -> deadline already announced; bounded (cleared when it grows large).
  std::unordered_map<std::string, uint64_t> announced_;
};

// Publishes keyspace event `event` of class `cls` for `key` in the client's database.
inline void Notify(CommandContext& ctx, int cls, std::string_view event, std::string_view key) {
  Notifier& n = *ctx.server.notifier;
  if (n.Enabled(cls)) n.Emit(cls, event, key, ctx.client.db());
}

// The same for a key of logical database `db` (COPY ... DB n, MOVE).
inline void NotifyDb(CommandContext& ctx, int cls, std::string_view event, std::string_view key,
                     int db) {
  Notifier& n = *ctx.server.notifier;
  if (n.Enabled(cls)) n.Emit(cls, event, key, db);
}
// After a command removed elements from `key`: publishes the generic `del` event if that
// emptied (deleted) the key, as Redis does when a collection loses its last element.
// REQUIRES: the caller holds the stripe of `key`.
void NotifyDelIfGone(CommandContext& ctx, std::string_view key);

// For code that runs without a CommandContext: the serve functions of blocking commands
// (server/blocking.h), which a writer may run on behalf of a client blocked on another worker.
// The server installs its notifier at start-up (nullptr: no events).
void SetServeNotifier(Notifier* notifier);
// Publishes `event` for `key` of `db` through the installed notifier, if enabled.
void NotifyServe(const engine::Db& db, int cls, std::string_view event, std::string_view key);
// `del` for `key` of `db` if it no longer exists. REQUIRES: the stripe of `key`.
void NotifyServeDelIfGone(const engine::Db& db, std::string_view key);

// Whether `key` exists (for events that depend on it). REQUIRES: the stripe of `key`.
bool KeyExists(CommandContext& ctx, std::string_view key);

// Whether any event of class `cls` would be published (to skip work done only for events).
inline bool NotifyEnabled(const CommandContext& ctx, int cls) {
  return ctx.server.notifier->Enabled(cls);
}

}  // namespace basalt::server

#endif  // BASALT_SERVER_NOTIFY_H_
