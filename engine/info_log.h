// RocksDB's info log (the LOG file in the RocksDB directory), written so that a full or failing
// disk cannot stop the server. RocksDB's own file logger goes through a WritableFileWriter,
// which (in Debian's build, with assertions on) aborts the process when it is used again after
// one failed write; this logger writes with stdio, drops lines it cannot write, and tries again
// with the next line, so the log comes back by itself once the disk has room.
//
// Thread-safety: Logv may be called from any thread (RocksDB's background threads do).
#ifndef BASALT_ENGINE_INFO_LOG_H_
#define BASALT_ENGINE_INFO_LOG_H_

#include <rocksdb/env.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace basalt::engine {

class InfoLog : public rocksdb::Logger {
 public:
  // Appends to `path` (created if missing). When the file grows past `max_bytes` it is renamed
  // to `path`.old (replacing the previous one) and a fresh file is started.
  InfoLog(std::string path, uint64_t max_bytes);
  ~InfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;

 private:
  void OpenLocked();
  void RotateLocked();

  const std::string path_;
  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;  // nullptr while it cannot be opened
  uint64_t size_ = 0;
};

}  // namespace basalt::engine

#endif  // BASALT_ENGINE_INFO_LOG_H_
