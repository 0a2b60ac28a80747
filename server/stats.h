// Server-wide counters reported by INFO stats. Thread-safety: atomics, updated by any worker.
#ifndef BASALT_SERVER_STATS_H_
#define BASALT_SERVER_STATS_H_

#include <atomic>
#include <cstdint>

namespace basalt::server {

struct Stats {
  std::atomic<int64_t> commands_processed{0};
  std::atomic<int64_t> connections_received{0};
  std::atomic<int64_t> rejected_connections{0};
  std::atomic<int64_t> net_input_bytes{0};
  std::atomic<int64_t> net_output_bytes{0};
  std::atomic<int64_t> error_replies{0};

  void Reset() {
    commands_processed = 0;
    connections_received = 0;
    rejected_connections = 0;
    net_input_bytes = 0;
    net_output_bytes = 0;
    error_replies = 0;
  }
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_STATS_H_
