// Active expiry: a background thread walks the `expire` column family of each database from
// the oldest deadline up to now, in small bounded batches, and deletes keys whose metadata still
// carries that deadline. Index entries left behind by overwrites are removed as found.
//
// Thread-safety: Start/Stop from one thread (the server's main thread). The reaper follows the
// locking protocol of key_locks.h for every key it deletes.
#ifndef BASALT_ENGINE_EXPIRY_H_
#define BASALT_ENGINE_EXPIRY_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "engine/keyspace.h"

namespace basalt::engine {

class Reaper {
 public:
  explicit Reaper(Engine* engine) : engine_(engine) {}
  ~Reaper() { Stop(); }

  void Start();
  void Stop();

  // One pass over every database; deletes at most `limit` expired keys per database. Returns
  // the number of keys deleted. Used by the thread and by tests.
  StatusOr<int64_t> RunOnce(size_t limit);

  int64_t expired_keys() const { return expired_keys_.load(); }
  void ResetStats() { expired_keys_.store(0); }

 private:
  void Loop();
  StatusOr<int64_t> ReapDatabase(uint8_t physical, size_t limit);

  Engine* engine_;  // not owned
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<int64_t> expired_keys_{0};
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_EXPIRY_H_
