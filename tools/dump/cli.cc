#include "tools/dump/cli.h"

#include <unistd.h>

#include <charconv>
#include <cstdio>

namespace basalt::dump {

std::string Args::Get(const std::string& name, const std::string& def) const {
  auto it = options.find(name);
  return it == options.end() ? def : it->second;
}

bool ParseArgs(int argc, char** argv, int first, const std::set<std::string>& allowed, Args* out) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      out->help = true;
      continue;
    }
    if (a == "-o") a = "--output";
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      out->positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    if (allowed.count(name) == 0) {
      std::fprintf(stderr, "basalt-dump: unknown option %s (see --help)\n", a.c_str());
      return false;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "basalt-dump: option %s needs a value\n", a.c_str());
      return false;
    }
    out->options[name] = argv[++i];
  }
  return true;
}

bool IntOption(const Args& args, const std::string& name, int64_t lo, int64_t hi, int64_t* out) {
  std::string v = args.Get(name);
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  if (ec != std::errc() || p != v.data() + v.size() || *out < lo || *out > hi) {
    std::fprintf(stderr, "basalt-dump: --%s must be an integer from %lld to %lld\n", name.c_str(),
                 static_cast<long long>(lo), static_cast<long long>(hi));
    return false;
  }
  return true;
}

int Fail(std::string_view what, const engine::Status& s) {
  std::fprintf(stderr, "basalt-dump: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               s.message().empty() ? s.ToString().c_str() : s.message().c_str());
  return kExitFailure;
}

std::unique_ptr<DataDir> OpenForReadOrReport(const std::string& path) {
  auto d = DataDir::OpenForRead(path);
  if (!d.ok()) {
    (void)Fail("cannot open " + path, d.status());
    return nullptr;
  }
  return std::move(d.value());
}

bool DbOption(const Args& args, int def, int* db) {
  *db = def;
  if (!args.Has("db")) return true;
  int64_t v;
  if (!IntOption(args, "db", 0, engine::kMaxDatabases - 1, &v)) return false;
  *db = static_cast<int>(v);
  return true;
}

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (enabled_ && last_draw_ != std::chrono::steady_clock::time_point{}) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

void Progress::Add(int64_t n) {
  done_ += n;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw();
}

void Progress::Draw() {
  constexpr int kWidth = 30;
  if (total_ > 0) {
    int64_t shown = done_ < total_ ? done_ : total_;
    int filled = static_cast<int>(shown * kWidth / total_);
    std::string bar(filled, '#');
    bar.append(kWidth - filled, '.');
    std::fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld keys", label_.c_str(), bar.c_str(),
                 static_cast<int>(shown * 100 / total_), static_cast<long long>(done_),
                 static_cast<long long>(total_));
  } else {
    std::fprintf(stderr, "\r%s %lld keys", label_.c_str(), static_cast<long long>(done_));
  }
  std::fflush(stderr);
}

}  // namespace basalt::dump
