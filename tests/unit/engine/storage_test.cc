// The group commit's hand-off of the WAL (Storage::HandOffWal) when the disk fails: which
// replies may still go. A file system wrapper makes WAL writes fail on demand.

#include "engine/storage.h"

#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace basalt::engine {
namespace {

bool IsWal(const std::string& fname) {
  return fname.size() > 4 && fname.compare(fname.size() - 4, 4, ".log") == 0;
}

// A WAL file whose appends fail while `*fail` is set.
class FailingWal : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailingWal(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>* fail)
      : FSWritableFileOwnerWrapper(std::move(file)), fail_(fail) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (fail_->load()) return rocksdb::IOStatus::IOError("injected WAL write failure");
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (fail_->load()) return rocksdb::IOStatus::IOError("injected WAL write failure");
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }

 private:
  const std::atomic<bool>* fail_;
};

// While `fail_wal` is set, WAL writes fail and no new WAL can be created (so RocksDB cannot
// resume by itself in the middle of a test).
class FailingWalFs : public rocksdb::FileSystemWrapper {
 public:
  FailingWalFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailingWalFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (!IsWal(fname)) return FileSystemWrapper::NewWritableFile(fname, options, result, dbg);
    if (fail_wal.load()) return rocksdb::IOStatus::IOError("injected WAL create failure");
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = FileSystemWrapper::NewWritableFile(fname, options, &file, dbg);
    if (s.ok()) *result = std::make_unique<FailingWal>(std::move(file), &fail_wal);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    if (IsWal(fname)) return NewWritableFile(fname, options, result, dbg);
    return FileSystemWrapper::ReuseWritableFile(fname, old_fname, options, result, dbg);
  }

  std::atomic<bool> fail_wal{false};
};

class HandOffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "basalt-storage-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    fs_ = std::make_shared<FailingWalFs>();
    env_ = rocksdb::NewCompositeEnv(fs_);
    StorageOptions o;
    o.dir = dir_;
    o.env = env_.get();
    auto st = Storage::Open(o);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    storage_ = std::move(st.value());
  }
  void TearDown() override {
    storage_.reset();
    env_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Commits one write on a thread of its own and returns that thread's ThreadWriteSeq().
  uint64_t WriteOnOtherThread(const std::string& key) {
    uint64_t seq = 0;
    std::thread t([&] {
      rocksdb::WriteBatch batch;
      ASSERT_TRUE(batch.Put(storage_->meta(), key, "v").ok());
      Status s = storage_->Write(&batch);
      ASSERT_TRUE(s.ok()) << s.ToString();
      seq = Storage::ThreadWriteSeq();
    });
    t.join();
    return seq;
  }

  std::string dir_;
  std::shared_ptr<FailingWalFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(HandOffTest, WritesMadeForTheCallerOnAnotherThreadCount) {
  // A script's writes (or a pop served by another worker) are committed on another thread; the
  // client's worker acknowledges them. Its hand-off fails if their WAL bytes did not make it.
  // ThreadWriteSeq is per thread and this one may have written in earlier tests of the binary.
  const uint64_t mine = Storage::ThreadWriteSeq();
  const uint64_t seq = WriteOnOtherThread("k");
  ASSERT_GT(seq, 0u);
  EXPECT_EQ(Storage::ThreadWriteSeq(), mine);  // this thread wrote nothing now
  fs_->fail_wal = true;
  Storage::HandOff h;
  Status s = storage_->HandOffWal(seq, &h);
  EXPECT_EQ(s.code(), Code::kDiskError) << s.ToString();
  EXPECT_TRUE(storage_->disk_error());
  // Still refused on a later hand-off: nothing since made them durable.
  s = storage_->HandOffWal(seq, &h);
  EXPECT_EQ(s.code(), Code::kDiskError) << s.ToString();
  EXPECT_TRUE(h.had_writes);
  // A caller with nothing to acknowledge (its writes failed) sends its error replies.
  s = storage_->HandOffWal(0, &h);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(h.had_writes);
}

TEST_F(HandOffTest, WritesHandedOffBeforeTheErrorAreSafe) {
  const uint64_t seq = WriteOnOtherThread("k");
  Storage::HandOff h;
  ASSERT_TRUE(storage_->HandOffWal(seq, &h).ok());
  EXPECT_TRUE(h.had_writes);
  const uint64_t later = WriteOnOtherThread("k2");
  fs_->fail_wal = true;
  EXPECT_EQ(storage_->HandOffWal(later, &h).code(), Code::kDiskError);
  // The first write reached the OS before the failure: acknowledging it is still right.
  Status s = storage_->HandOffWal(seq, &h);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(h.had_writes);
}

}  // namespace
}  // namespace basalt::engine
