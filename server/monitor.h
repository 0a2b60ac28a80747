// MONITOR: streams every executed command, in Redis's format, to the clients in monitor mode on
// any worker:  +1700000000.123456 [0 127.0.0.1:12345] "set" "k" "v"
//
// The line is built on the executing worker right after the command ran (as Redis 7.0 does, so
// SELECT shows the database it selected) and posted to each monitor's worker like a pub/sub
// message, with the same output buffer limits. AUTH's arguments and HELLO's AUTH credentials
// are shown as "(redacted)". Admin commands and those flagged skip-monitor are not shown.
//
// Thread-safety: all methods are thread-safe; active() is one relaxed atomic load, so the
// dispatcher pays nothing measurable while nobody monitors.
#ifndef BASALT_SERVER_MONITOR_H_
#define BASALT_SERVER_MONITOR_H_

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "codec/resp_parser.h"
#include "server/pubsub.h"

namespace basalt::server {

class Client;

class Monitors {
 public:
  explicit Monitors(PushFn push) : push_(std::move(push)) {}

  void Add(Client& client);
  void Remove(Client& client);
  bool active() const { return count_.load(std::memory_order_relaxed) > 0; }

  // Sends `argv`, just run by `client` (named `name` in the command table), to every monitor.
  void Feed(const Client& client, std::string_view name, const codec::Argv& argv);

  // The monitor line (without the leading '+' and trailing CRLF) for a command run at
  // `now_us` microseconds since the epoch.
  static std::string FormatLine(int64_t now_us, int db, std::string_view addr,
                                std::string_view name, const codec::Argv& argv);

 private:
  PushFn push_;
  std::mutex mu_;
  std::map<uint64_t, int> monitors_;  // client id -> worker
  std::atomic<int> count_{0};
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_MONITOR_H_
