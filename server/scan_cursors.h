// SCAN cursors. Clients (redis-py among them) parse cursors as integers, but Basalt resumes a
// scan from a key, so the server keeps a bounded map from cursor number to the last key a scan
// returned. A cursor evicted from the map (or never issued) restarts the scan from the
// beginning, which keeps SCAN's guarantee: every key present for the whole iteration is
// returned at least once.
//
// Thread-safety: thread-safe; cursors are shared by all clients, as Redis cursors are.
#ifndef BASALT_SERVER_SCAN_CURSORS_H_
#define BASALT_SERVER_SCAN_CURSORS_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace basalt::server {

class ScanCursors {
 public:
  explicit ScanCursors(size_t capacity = 100000);

  // Stores `resume_after` and returns a new non-zero cursor for it.
  uint64_t Save(std::string resume_after);
  // The key a cursor resumes after, or nullopt (start over) if unknown.
  std::optional<std::string> Resolve(uint64_t cursor) const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  uint64_t next_;
  std::unordered_map<uint64_t, std::string> keys_;
  std::deque<uint64_t> order_;  // oldest first, for eviction
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_SCAN_CURSORS_H_
