// MULTI/EXEC/WATCH state: each client's Transaction (queued commands, flags, watched keys) and
// the WatchRegistry that turns the engine's write notifications into dirty transactions.
//
// Semantics (Redis 7.0): a command queued after MULTI replies +QUEUED; a command rejected at
// queue time (unknown, wrong arity, not allowed in a transaction, NOAUTH) replies its error and
// makes EXEC answer -EXECABORT. EXEC answers a null array when a watched key was written by
// anyone (the client itself included, before EXEC) since WATCH, or was live at WATCH and has
// expired since. EXEC unwatches before it runs its commands, so they cannot dirty themselves.
//
// Thread-safety: a Transaction is driven by its client's worker thread. The registry may set
// its dirty flag from any writing thread, and CLIENT LIST reads multi_count()/dirty() from any
// thread; those are atomics. The registry's map is guarded by its mutex; the engine calls it
// while the writer holds the stripe locks of the keys it wrote.
#ifndef BASALT_SERVER_TRANSACTION_H_
#define BASALT_SERVER_TRANSACTION_H_

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "codec/resp_parser.h"
#include "engine/keyspace.h"

namespace basalt::server {

struct CommandSpec;
class WatchRegistry;

class Transaction {
 public:
  struct Queued {
    const CommandSpec* cmd;  // resolved at queue time; the table outlives every client
    codec::Argv argv;
  };
  struct WatchedKey {
    int db;
    std::string key;
  };

  Transaction() = default;
  ~Transaction();  // unwatches everything
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  bool in_multi() const { return in_multi_; }
  bool in_exec() const { return in_exec_; }
  void set_in_exec(bool v) { in_exec_ = v; }
  // True once a command was rejected at queue time: EXEC will answer -EXECABORT.
  bool aborted() const { return aborted_; }
  // Set by a write to a watched key (any thread) or by EXEC's expiry check.
  bool dirty() const { return dirty_.load(std::memory_order_acquire); }
  void set_dirty() { dirty_.store(true, std::memory_order_release); }
  // CLIENT LIST's multi= field: -1 outside MULTI, else the number of queued commands.
  int multi_count() const { return multi_count_.load(std::memory_order_relaxed); }

  void Begin();  // MULTI
  void Queue(const CommandSpec* cmd, const codec::Argv& argv);
  // Marks the transaction aborted if a MULTI is open (a no-op otherwise).
  void FlagError() {
    if (in_multi_) aborted_ = true;
  }
  // Ends the MULTI: drops the queue and the abort flag. Watches stay (UnwatchAll drops them).
  void EndMulti();
  const std::vector<Queued>& queued() const { return queued_; }

  // WATCH bookkeeping (the registry does the rest). Watching twice is harmless.
  void Watch(WatchRegistry* registry, int db, std::string_view key, bool present, bool expired_now);
  // Drops every watch and the dirty flag (UNWATCH, EXEC, DISCARD, RESET).
  void UnwatchAll();
  const std::vector<WatchedKey>& watched() const { return watched_; }

 private:
  friend class WatchRegistry;
  bool in_multi_ = false;
  bool aborted_ = false;
  bool in_exec_ = false;
  std::atomic<bool> dirty_{false};
  std::atomic<int> multi_count_{-1};
  std::vector<Queued> queued_;
  std::vector<WatchedKey> watched_;
  WatchRegistry* registry_ = nullptr;  // set by the first WATCH
};

// Watched (logical db, key) -> watching transactions. Registered as an engine KeyObserver.
class WatchRegistry : public engine::KeyObserver {
 public:
  // Registers the registry as an observer of `engine`, which it also reads to judge database
  // replacements. REQUIRES: before any write; `engine` outlives the registry's use.
  void Attach(engine::Engine* engine);

  bool Interested() const override { return entries_.load(std::memory_order_relaxed) > 0; }
  void KeysWritten(const std::vector<engine::WrittenKey>& keys) override;
  void DbReplaced(int db) override;

  // Adds a watch. `present`: the key has a record now; `expired_now`: that record has expired
  // (Redis then ignores its later deletion). Returns false if `txn` already watched it.
  bool Add(Transaction* txn, int db, std::string_view key, bool present, bool expired_now);
  void Remove(Transaction* txn, int db, const std::string& key);
  // The watched keys of `txn` that were not already expired when watched (EXEC checks whether
  // they have expired since).
  std::vector<Transaction::WatchedKey> LiveAtWatch(Transaction* txn);

 private:
  // What a watcher knows of its key while no write dirtied it: whether a record exists, and
  // whether that record had expired when watched.
  struct Watcher {
    Transaction* txn;
    bool present;
    bool expired_at_watch;
  };
  struct KeyHash {
    size_t operator()(const std::pair<int, std::string>& k) const {
      return std::hash<std::string>()(k.second) * 31 + static_cast<size_t>(k.first);
    }
  };
  engine::Engine* engine_ = nullptr;
  std::mutex mu_;
  std::unordered_map<std::pair<int, std::string>, std::vector<Watcher>, KeyHash> by_key_;
  std::atomic<int64_t> entries_{0};
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_TRANSACTION_H_
