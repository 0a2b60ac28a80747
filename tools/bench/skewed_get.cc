// A closed-loop GET load generator with a skewed key choice, for tools/bench/larger_than_ram.sh
// (redis-benchmark only draws keys uniformly). One thread, C connections, one request in flight
// per connection (like redis-benchmark -P 1). Each request reads `key:%012d` where the number is,
// with probability HOT_FRACTION, uniform in [0, HOT_KEYS), else uniform in [0, KEYS).
//
//   skewed_get PORT CLIENTS REQUESTS KEYS HOT_KEYS HOT_FRACTION
//
// Prints one line: "ops/s p50_ms p99_ms hits nulls" (nulls = GETs that found no key).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Conn {
  int fd = -1;
  std::string in;
  Clock::time_point sent;
};

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

// Returns the length of the complete reply at the start of `buf`, or 0 if it is incomplete.
// Sets *null for a nil bulk reply. Anything other than a bulk reply is fatal.
size_t ReplyLength(const std::string& buf, bool* null) {
  size_t eol = buf.find("\r\n");
  if (eol == std::string::npos) return 0;
  if (buf[0] != '$') {
    std::fprintf(stderr, "unexpected reply: %s\n", buf.substr(0, eol).c_str());
    std::exit(1);
  }
  long len = std::strtol(buf.c_str() + 1, nullptr, 10);
  *null = len < 0;
  if (len < 0) return eol + 2;
  size_t total = eol + 2 + static_cast<size_t>(len) + 2;
  return buf.size() >= total ? total : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s PORT CLIENTS REQUESTS KEYS HOT_KEYS HOT_FRACTION\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int clients = std::atoi(argv[2]);
  const long requests = std::atol(argv[3]);
  const long keys = std::atol(argv[4]);
  const long hot_keys = std::atol(argv[5]);
  const double hot_fraction = std::atof(argv[6]);

  std::mt19937_64 rng(std::random_device{}());  // a fresh sequence per run
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::uniform_int_distribution<long> all(0, keys - 1);
  std::uniform_int_distribution<long> hot(0, std::max(1L, hot_keys) - 1);
  auto next_key = [&]() { return coin(rng) < hot_fraction ? hot(rng) : all(rng); };

  std::vector<Conn> conns(clients);
  std::vector<pollfd> pfds(clients);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  long sent = 0, done = 0, hits = 0, nulls = 0;
  std::vector<float> lat_ms;
  lat_ms.reserve(static_cast<size_t>(requests));
  char req[64];
  auto send_one = [&](Conn& c) {
    int n = std::snprintf(req, sizeof req, "GET key:%012ld\r\n", next_key());
    c.sent = Clock::now();
    if (write(c.fd, req, static_cast<size_t>(n)) != n) Die("write");
    ++sent;
  };
  for (int i = 0; i < clients; ++i) {
    conns[i].fd = socket(AF_INET, SOCK_STREAM, 0);
    if (conns[i].fd < 0) Die("socket");
    if (connect(conns[i].fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("connect");
    int one = 1;
    setsockopt(conns[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pfds[i] = {conns[i].fd, POLLIN, 0};
  }
  const auto start = Clock::now();
  for (auto& c : conns) {
    if (sent < requests) send_one(c);
  }
  char buf[65536];
  while (done < requests) {
    if (poll(pfds.data(), pfds.size(), 10000) <= 0) Die("poll (server silent for 10 s?)");
    for (int i = 0; i < clients; ++i) {
      if ((pfds[i].revents & (POLLIN | POLLERR | POLLHUP)) == 0) continue;
      Conn& c = conns[i];
      ssize_t n = read(c.fd, buf, sizeof buf);
      if (n <= 0) Die("read");
      c.in.append(buf, static_cast<size_t>(n));
      bool null = false;
      size_t len = ReplyLength(c.in, &null);
      if (len == 0) continue;
      c.in.erase(0, len);
      lat_ms.push_back(std::chrono::duration<float, std::milli>(Clock::now() - c.sent).count());
      ++done;
      (null ? nulls : hits)++;
      if (sent < requests) send_one(c);
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  auto pct = [&](double p) {
    auto k = static_cast<size_t>(p * static_cast<double>(lat_ms.size() - 1));
    std::nth_element(lat_ms.begin(), lat_ms.begin() + static_cast<long>(k), lat_ms.end());
    return lat_ms[k];
  };
  double p50 = pct(0.50), p99 = pct(0.99);
  std::printf("%.2f %.3f %.3f %ld %ld\n", static_cast<double>(done) / secs, p50, p99, hits, nulls);
  for (auto& c : conns) close(c.fd);
  return 0;
}
