#include "server/monitor.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "server/client.h"
#include "server/commands/args.h"

namespace basalt::server {

namespace {

// Redis's sdscatrepr: a double-quoted string with \\ \" \n \r \t \a \b and \xHH escapes.
void AppendRepr(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\a':
        *out += "\\a";
        break;
      case '\b':
        *out += "\\b";
        break;
      default:
        if (std::isprint(c)) {
          out->push_back(static_cast<char>(c));
        } else {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", c);
          *out += hex;
        }
    }
  }
  out->push_back('"');
}

// Which arguments Redis redacts: all of AUTH's, and the two after HELLO's AUTH.
std::vector<bool> Redacted(std::string_view name, const codec::Argv& argv) {
  std::vector<bool> hide(argv.size(), false);
  if (name == "auth") {
    for (size_t i = 1; i < argv.size(); ++i) hide[i] = true;
  } else if (name == "hello") {
    for (size_t i = 2; i < argv.size(); ++i) {
      const size_t more = argv.size() - 1 - i;
      if (IEquals(argv[i], "auth") && more >= 2) {
        hide[i + 1] = hide[i + 2] = true;
        i += 2;
      } else if (IEquals(argv[i], "setname") && more >= 1) {
        ++i;
      } else {
        break;
      }
    }
  }
  return hide;
}

}  // namespace

void Monitors::Add(Client& client) {
  std::lock_guard<std::mutex> l(mu_);
  if (monitors_.emplace(client.id(), client.worker()).second) count_.fetch_add(1);
  client.monitor.store(true);
}

void Monitors::Remove(Client& client) {
  std::lock_guard<std::mutex> l(mu_);
  if (monitors_.erase(client.id()) > 0) count_.fetch_sub(1);
  client.monitor.store(false);
}

std::string Monitors::FormatLine(int64_t now_us, int db, std::string_view addr,
                                 std::string_view name, const codec::Argv& argv) {
  char head[64];
  std::snprintf(head, sizeof(head), "%lld.%06lld [%d ", static_cast<long long>(now_us / 1000000),
                static_cast<long long>(now_us % 1000000), db);
  std::string line = head;
  line += addr;
  line += "] ";
  std::vector<bool> hide = Redacted(name, argv);
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) line += ' ';
    AppendRepr(&line, hide[i] ? std::string_view("(redacted)") : std::string_view(argv[i]));
  }
  return line;
}

void Monitors::Feed(const Client& client, std::string_view name, const codec::Argv& argv) {
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::string bytes = "+" + FormatLine(now_us, client.db(), client.addr(), name, argv) + "\r\n";
  std::map<int, std::vector<Push>> by_worker;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [id, worker] : monitors_) by_worker[worker].push_back({id, bytes});
  }
  for (auto& [worker, pushes] : by_worker) push_(worker, &pushes);
}

}  // namespace basalt::server
