// Every connected client, across all workers: what CLIENT LIST, CLIENT KILL, INFO clients and
// maxclients read.
//
// Thread-safety: all methods are thread-safe. Close callbacks are invoked without the registry
// lock held; they must only post work to the owning worker (never touch its loop directly).
#ifndef BASALT_SERVER_CLIENT_REGISTRY_H_
#define BASALT_SERVER_CLIENT_REGISTRY_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "server/client.h"

namespace basalt::server {

class ClientRegistry {
 public:
  using CloseFn = std::function<void(uint64_t id)>;

  uint64_t NextId() { return next_id_.fetch_add(1) + 1; }
  void Add(std::shared_ptr<Client> client, CloseFn close);
  void Remove(uint64_t id);
  size_t Count() const;

  std::vector<std::shared_ptr<Client>> Snapshot() const;
  // Asks the owning worker to close `id`. Returns false if there is no such client.
  bool Kill(uint64_t id);

 private:
  struct Entry {
    std::shared_ptr<Client> client;
    CloseFn close;
  };
  mutable std::mutex mu_;
  std::map<uint64_t, Entry> clients_;
  std::atomic<uint64_t> next_id_{0};
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_CLIENT_REGISTRY_H_
