#include "server/pubsub.h"

#include <algorithm>
#include <mutex>
#include <sstream>

#include "codec/glob.h"
#include "server/client.h"
#include "server/config.h"

namespace basalt::server {

namespace {

// The wire form of one message for a subscriber speaking `resp`:
// ["message", channel, payload] or ["pmessage", pattern, channel, payload] or ["smessage", ...],
// a RESP2 array or a RESP3 push.
std::string EncodeMessage(int resp, std::string_view kind, const std::string* pattern,
                          std::string_view channel, std::string_view message) {
  std::string out;
  codec::ReplyWriter w(&out, resp);
  w.PushHeader(pattern != nullptr ? 4 : 3);
  w.Bulk(kind);
  if (pattern != nullptr) w.Bulk(*pattern);
  w.Bulk(channel);
  w.Bulk(message);
  return out;
}

// The messages of one PUBLISH, grouped by the worker of their receiver.
class Fanout {
 public:
  void Add(int worker, uint64_t id, std::string bytes) {
    if (static_cast<size_t>(worker) >= by_worker_.size()) by_worker_.resize(worker + 1);
    by_worker_[worker].push_back({id, std::move(bytes), true});
  }
  void Send(const PushFn& push) {
    for (size_t w = 0; w < by_worker_.size(); ++w) {
      if (!by_worker_[w].empty()) push(static_cast<int>(w), &by_worker_[w]);
    }
  }

 private:
  std::vector<std::vector<Push>> by_worker_;
};

}  // namespace

// ------------------------------------------------------------------------ output limits

void OutputLimits::Apply(std::string_view canonical) {
  std::istringstream in{std::string(canonical)};
  std::string cls;
  int64_t hard = 0, soft = 0, secs = 0;
  while (in >> cls >> hard >> soft >> secs) {
    OutputLimit* l = cls == "normal" ? &normal : cls == "pubsub" ? &pubsub : nullptr;
    if (l == nullptr) continue;
    l->hard = hard;
    l->soft = soft;
    l->soft_seconds = secs;
  }
}

std::string ParseOutputLimits(std::string_view value, const std::string& old,
                              std::string* canonical) {
  std::map<std::string, std::string> classes;  // canonical class -> "hard soft secs"
  {
    std::istringstream in(old);
    std::string cls, h, s, secs;
    while (in >> cls >> h >> s >> secs) classes[cls] = h + " " + s + " " + secs;
  }
  std::istringstream in{std::string(value)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  for (size_t i = 0; i < words.size(); i += 4) {
    std::string cls = words[i];
    std::transform(cls.begin(), cls.end(), cls.begin(), ::tolower);
    if (cls == "replica") cls = "slave";
    if (cls != "normal" && cls != "slave" && cls != "pubsub") {
      return "Invalid client class specified in buffer limit configuration.";
    }
    int64_t hard = 0, soft = 0, secs = 0;
    if (!Config::ParseMemory(words[i + 1], &hard) || !Config::ParseMemory(words[i + 2], &soft) ||
        !Config::ParseMemory(words[i + 3], &secs) || hard < 0 || soft < 0 || secs < 0) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    classes[cls] = std::to_string(hard) + " " + std::to_string(soft) + " " + std::to_string(secs);
  }
  canonical->clear();
  for (const char* cls : {"normal", "slave", "pubsub"}) {
    if (!canonical->empty()) *canonical += " ";
    *canonical += std::string(cls) + " " + classes[cls];
  }
  return "";
}

// ------------------------------------------------------------------------ subscriptions

bool PubSub::Subscribe(Kind kind, Client& client, std::string_view name) {
  std::unique_lock<std::shared_mutex> l(mu_);
  Subscribers& subs = Table(kind)[std::string(name)];
  if (!subs.emplace(client.id(), Subscriber{&client, client.worker()}).second) return false;
  by_client_[static_cast<int>(kind)][client.id()].emplace_back(name);
  client.pubsub_counts[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool PubSub::Unsubscribe(Kind kind, Client& client, std::string_view name) {
  std::unique_lock<std::shared_mutex> l(mu_);
  auto& table = Table(kind);
  auto it = table.find(name);
  if (it == table.end() || it->second.erase(client.id()) == 0) return false;
  if (it->second.empty()) table.erase(it);
  auto& mine = by_client_[static_cast<int>(kind)];
  auto c = mine.find(client.id());
  if (c != mine.end()) {
    c->second.erase(std::find(c->second.begin(), c->second.end(), name));
    if (c->second.empty()) mine.erase(c);
  }
  client.pubsub_counts[static_cast<int>(kind)].fetch_sub(1, std::memory_order_relaxed);
  return true;
}

std::vector<std::string> PubSub::SubscriptionsOf(Kind kind, uint64_t client_id) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  const auto& mine = by_client_[static_cast<int>(kind)];
  auto it = mine.find(client_id);
  return it == mine.end() ? std::vector<std::string>() : it->second;
}

void PubSub::UnsubscribeAll(Client& client) {
  if (!client.subscribed()) return;
  for (Kind kind : {Kind::kChannel, Kind::kPattern, Kind::kShard}) {
    for (const std::string& name : SubscriptionsOf(kind, client.id())) {
      (void)Unsubscribe(kind, client, name);
    }
  }
}

// ------------------------------------------------------------------------ publishing

bool PubSub::Overflows(Client& client, size_t bytes, bool* notify) const {
  if (limits_ == nullptr) return false;
  const int64_t hard = limits_->pubsub.hard.load(std::memory_order_relaxed);
  if (hard <= 0) return false;
  const int64_t pending = client.queued_push_bytes.load(std::memory_order_relaxed) +
                          static_cast<int64_t>(client.output_buffer_bytes.load()) +
                          static_cast<int64_t>(bytes);
  if (pending < hard) return false;
  *notify = !client.output_overflow.exchange(true);
  return true;
}

int64_t PubSub::Publish(Kind kind, std::string_view channel, std::string_view message,
                        const Client* publisher, codec::ReplyWriter* self_reply) {
  const std::string_view type = kind == Kind::kShard ? "smessage" : "message";
  const uint64_t self = publisher != nullptr ? publisher->id() : 0;
  int64_t receivers = 0;
  Fanout fanout;
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    std::string encoded[2];  // by protocol: RESP2, RESP3; built on first use
    auto deliver = [&](const Subscriber& s, uint64_t id, std::string* cache,
                       const std::string* pattern) {
      ++receivers;
      const int resp = s.client->resp();
      std::string& bytes = cache[resp == 2 ? 0 : 1];
      if (bytes.empty())
        bytes = EncodeMessage(resp, pattern ? "pmessage" : type, pattern, channel, message);
      bool wake = false;
      if (id == self && self_reply != nullptr) {
        self_reply->Raw(bytes);
      } else if (!Overflows(*s.client, bytes.size(), &wake)) {
        s.client->queued_push_bytes.fetch_add(static_cast<int64_t>(bytes.size()));
        fanout.Add(s.worker, id, bytes);
      } else if (wake) {
        fanout.Add(s.worker, id, "");
      }
    };
    const auto& table = Table(kind);
    if (auto it = table.find(channel); it != table.end()) {
      for (const auto& [id, s] : it->second) deliver(s, id, encoded, nullptr);
    }
    if (kind == Kind::kChannel) {
      for (const auto& [pattern, subs] : Table(Kind::kPattern)) {
        if (!codec::GlobMatch(pattern, channel)) continue;
        std::string pencoded[2];
        for (const auto& [id, s] : subs) deliver(s, id, pencoded, &pattern);
      }
    }
  }
  fanout.Send(push_);
  return receivers;
}

// ------------------------------------------------------------------------ introspection

std::vector<std::string> PubSub::Channels(Kind kind, std::string_view pattern) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : Table(kind)) {
    if (pattern.empty() || codec::GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t PubSub::NumSub(Kind kind, std::string_view channel) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  const auto& table = Table(kind);
  auto it = table.find(channel);
  return it == table.end() ? 0 : static_cast<int64_t>(it->second.size());
}

int64_t PubSub::NumPat() const { return Count(Kind::kPattern); }

int64_t PubSub::Count(Kind kind) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return static_cast<int64_t>(Table(kind).size());
}

}  // namespace basalt::server
