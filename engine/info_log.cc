#include "engine/info_log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdarg>
#include <ctime>

namespace basalt::engine {

InfoLog::InfoLog(std::string path, uint64_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {
  std::lock_guard<std::mutex> l(mu_);
  OpenLocked();
}

InfoLog::~InfoLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void InfoLog::OpenLocked() {
  file_ = std::fopen(path_.c_str(), "a");
  size_ = 0;
  if (file_ != nullptr) {
    long at = std::ftell(file_);
    size_ = at > 0 ? static_cast<uint64_t>(at) : 0;
  }
}

void InfoLog::RotateLocked() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  (void)std::rename(path_.c_str(), (path_ + ".old").c_str());
  OpenLocked();
}

void InfoLog::Logv(const char* format, va_list ap) {
  // One line: "2026/01/31-12:34:56.123456 <thread> message", as RocksDB writes it.
  char line[4096];
  timeval now{};
  gettimeofday(&now, nullptr);
  tm t{};
  localtime_r(&now.tv_sec, &t);
  int n = std::snprintf(line, sizeof(line), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %lx ",
                        t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                        static_cast<long>(now.tv_usec), static_cast<unsigned long>(gettid()));
  if (n < 0) return;
  va_list copy;
  va_copy(copy, ap);
  int m = std::vsnprintf(line + n, sizeof(line) - n - 1, format, copy);
  va_end(copy);
  if (m < 0) return;
  size_t len = std::min(sizeof(line) - 2, static_cast<size_t>(n) + static_cast<size_t>(m));
  if (len == 0 || line[len - 1] != '\n') line[len++] = '\n';

  std::lock_guard<std::mutex> l(mu_);
  if (file_ == nullptr) OpenLocked();  // e.g. the disk was full when we last tried
  if (file_ == nullptr) return;
  if (max_bytes_ > 0 && size_ + len > max_bytes_) RotateLocked();
  if (file_ == nullptr) return;
  // A line that does not fit on the disk is dropped; clearerr lets the next one try again.
  if (std::fwrite(line, 1, len, file_) != len || std::fflush(file_) != 0) {
    std::clearerr(file_);
    return;
  }
  size_ += len;
}

size_t InfoLog::GetLogFileSize() const {
  std::lock_guard<std::mutex> l(mu_);
  return size_;
}

}  // namespace basalt::engine
