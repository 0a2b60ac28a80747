#include "server/notify.h"

#include "engine/keys.h"
#include "server/pubsub.h"

namespace basalt::server {

namespace {

struct FlagChar {
  char c;
  int flags;
};
// In Redis's keyspaceEventsFlagsToString order.
constexpr FlagChar kClassChars[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew},
};
constexpr size_t kMaxAnnounced = 1 << 16;

}  // namespace

int ParseNotifyFlags(std::string_view text) {
  int flags = 0;
  for (char c : text) {
    switch (c) {
      case 'A':
        flags |= kNotifyAll;
        break;
      case 'K':
        flags |= kNotifyKeyspace;
        break;
      case 'E':
        flags |= kNotifyKeyevent;
        break;
      case 'm':
        flags |= kNotifyKeyMiss;
        break;
      default: {
        bool found = false;
        for (const FlagChar& f : kClassChars) {
          if (f.c == c) {
            flags |= f.flags;
            found = true;
          }
        }
        if (!found) return -1;
      }
    }
  }
  return flags;
}

std::string NotifyFlagsToString(int flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';  // Redis does not print 'n' here even when set
  } else {
    for (const FlagChar& f : kClassChars) {
      if (flags & f.flags) out += f.c;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

void Notifier::Emit(int, std::string_view event, std::string_view key, int db) {
  const int f = flags_.load(std::memory_order_relaxed);
  const std::string dbs = std::to_string(db);
  if (f & kNotifyKeyspace) {
    std::string channel = "__keyspace@" + dbs + "__:";
    channel += key;
    (void)pubsub_->Publish(PubSub::Kind::kChannel, channel, event, nullptr, nullptr);
  }
  if (f & kNotifyKeyevent) {
    std::string channel = "__keyevent@" + dbs + "__:";
    channel += event;
    (void)pubsub_->Publish(PubSub::Kind::kChannel, channel, key, nullptr, nullptr);
  }
}

void Notifier::KeysWritten(const std::vector<engine::WrittenKey>& keys) {
  if (!Enabled(kNotifyNew)) return;
  for (const engine::WrittenKey& k : keys) {
    if (k.created && k.type != codec::KeyType::kNone) Emit(kNotifyNew, "new", k.key, k.db);
  }
}

void Notifier::Expired(int db, std::string_view key, uint64_t expire_at_ms) {
  if (db < 0) return;  // a physical database no logical number maps to
  std::string id = std::to_string(db) + ":";
  id += key;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto [it, inserted] = announced_.try_emplace(std::move(id), expire_at_ms);
    if (!inserted && it->second == expire_at_ms) return;
    it->second = expire_at_ms;
    if (announced_.size() > kMaxAnnounced) announced_.clear();
  }
  if (Enabled(kNotifyExpired)) Emit(kNotifyExpired, "expired", key, db);
}

void Notifier::KeyMissed(int db, std::string_view key) {
  if (db >= 0) Emit(kNotifyKeyMiss, "keymiss", key, db);
}

namespace {
std::atomic<Notifier*> serve_notifier{nullptr};
}  // namespace

void SetServeNotifier(Notifier* notifier) { serve_notifier.store(notifier); }

void NotifyServe(const engine::Db& db, int cls, std::string_view event, std::string_view key) {
  Notifier* n = serve_notifier.load(std::memory_order_relaxed);
  if (n != nullptr && n->Enabled(cls)) n->Emit(cls, event, key, db.index);
}

void NotifyServeDelIfGone(const engine::Db& db, std::string_view key) {
  Notifier* n = serve_notifier.load(std::memory_order_relaxed);
  if (n == nullptr || !n->Enabled(kNotifyGeneric)) return;
  auto exists = engine::KeysExist(db, {key});
  if (exists.ok() && *exists == 0) n->Emit(kNotifyGeneric, "del", key, db.index);
}

bool KeyExists(CommandContext& ctx, std::string_view key) {
  auto exists = engine::KeysExist(ctx.db(), {key});
  return exists.ok() && *exists > 0;
}

void NotifyDelIfGone(CommandContext& ctx, std::string_view key) {
  if (NotifyEnabled(ctx, kNotifyGeneric) && !KeyExists(ctx, key)) {
    Notify(ctx, kNotifyGeneric, "del", key);
  }
}

}  // namespace basalt::server
