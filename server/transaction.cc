#include "server/transaction.h"

#include <algorithm>

namespace basalt::server {

Transaction::~Transaction() { UnwatchAll(); }

void Transaction::Begin() {
  in_multi_ = true;
  aborted_ = false;
  queued_.clear();
  multi_count_.store(0, std::memory_order_relaxed);
}

void Transaction::Queue(const CommandSpec* cmd, const codec::Argv& argv) {
  queued_.push_back({cmd, argv});
  multi_count_.store(static_cast<int>(queued_.size()), std::memory_order_relaxed);
}

void Transaction::EndMulti() {
  in_multi_ = false;
  aborted_ = false;
  std::vector<Queued>().swap(queued_);
  multi_count_.store(-1, std::memory_order_relaxed);
}

void Transaction::Watch(WatchRegistry* registry, int db, std::string_view key, bool present,
                        bool expired_now) {
  registry_ = registry;
  if (registry->Add(this, db, key, present, expired_now)) {
    watched_.push_back({db, std::string(key)});
  }
}

void Transaction::UnwatchAll() {
  if (registry_ != nullptr) {
    for (const auto& w : watched_) registry_->Remove(this, w.db, w.key);
  }
  watched_.clear();
  dirty_.store(false, std::memory_order_release);
}

void WatchRegistry::Attach(engine::Engine* engine) {
  engine_ = engine;
  engine->AddObserver(this);
}

bool WatchRegistry::Add(Transaction* txn, int db, std::string_view key, bool present,
                        bool expired_now) {
  std::lock_guard<std::mutex> l(mu_);
  auto& watchers = by_key_[{db, std::string(key)}];
  for (const auto& w : watchers) {
    if (w.txn == txn) return false;
  }
  watchers.push_back({txn, present, expired_now});
  entries_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void WatchRegistry::Remove(Transaction* txn, int db, const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = by_key_.find({db, key});
  if (it == by_key_.end()) return;
  auto& watchers = it->second;
  auto w = std::find_if(watchers.begin(), watchers.end(),
                        [txn](const Watcher& x) { return x.txn == txn; });
  if (w == watchers.end()) return;
  watchers.erase(w);
  entries_.fetch_sub(1, std::memory_order_relaxed);
  if (watchers.empty()) by_key_.erase(it);
}

// As Redis's touchWatchedKey: a key that had already expired when watched and is now deleted
// (by expiry, or DEL) is logically unchanged, so it only forgets that it was expired; any
// other write dirties the transaction.
void WatchRegistry::KeysWritten(const std::vector<engine::WrittenKey>& keys) {
  std::lock_guard<std::mutex> l(mu_);
  std::pair<int, std::string> probe;
  for (const auto& k : keys) {
    probe.first = k.db;
    probe.second = k.key;
    auto it = by_key_.find(probe);
    if (it == by_key_.end()) continue;
    for (auto& w : it->second) {
      if (w.expired_at_watch && k.type == codec::KeyType::kNone) {
        w.present = w.expired_at_watch = false;
        continue;
      }
      w.txn->set_dirty();
    }
  }
}

// As Redis's touchAllWatchedKeysInDb: a watcher is dirtied if its key existed in the replaced
// database or exists in the one that replaces it (SWAPDB; after FLUSHDB nothing does). The
// engine reports after the fact, but a watcher no write has dirtied still knows whether its key
// existed (Watcher::present), and the database's new content is what a lookup reads now. A key
// that had already expired when watched and is gone now is logically unchanged.
void WatchRegistry::DbReplaced(int db) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [k, watchers] : by_key_) {
    if (k.first != db) continue;
    engine::KeyRecord rec;
    bool now_present =
        engine_ != nullptr && engine_->Lookup(engine_->db(db), k.second, &rec).ok() && rec.present;
    for (auto& w : watchers) {
      if (w.expired_at_watch && !now_present) {
        w.present = w.expired_at_watch = false;
        continue;
      }
      if (w.present || now_present) w.txn->set_dirty();
    }
  }
}

std::vector<Transaction::WatchedKey> WatchRegistry::LiveAtWatch(Transaction* txn) {
  std::vector<Transaction::WatchedKey> out;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& w : txn->watched_) {
    auto it = by_key_.find({w.db, w.key});
    if (it == by_key_.end()) continue;
    for (const auto& x : it->second) {
      if (x.txn == txn && !x.expired_at_watch) out.push_back(w);
    }
  }
  return out;
}

}  // namespace basalt::server
