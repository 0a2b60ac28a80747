#include "server/client_registry.h"

namespace basalt::server {

void ClientRegistry::Add(std::shared_ptr<Client> client, CloseFn close) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t id = client->id();
  clients_[id] = Entry{std::move(client), std::move(close)};
}

void ClientRegistry::Remove(uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  clients_.erase(id);
}

size_t ClientRegistry::Count() const {
  std::lock_guard<std::mutex> l(mu_);
  return clients_.size();
}

std::vector<std::shared_ptr<Client>> ClientRegistry::Snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::shared_ptr<Client>> out;
  out.reserve(clients_.size());
  for (const auto& [id, e] : clients_) out.push_back(e.client);
  return out;
}

bool ClientRegistry::Kill(uint64_t id) {
  CloseFn close;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = clients_.find(id);
    if (it == clients_.end()) return false;
    it->second.client->kill_requested.store(true);
    close = it->second.close;
  }
  close(id);
  return true;
}

}  // namespace basalt::server
