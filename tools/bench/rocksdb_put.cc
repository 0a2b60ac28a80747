// How long RocksDB alone takes to store a SET: Puts of random `key:%012d` keys (1,000,000 of
// them) with 100-byte values into a fresh database in DIR, the WAL handed to the OS every 20
// Puts (Basalt's group commit at 20 writes per loop iteration), as one thread. Prints the
// microseconds per Put of ROUNDS rounds of 300,000 Puts each. No server, no network: the floor
// under Basalt's CPU per SET (README, "Performance").
//
//   rocksdb_put DIR [WRITE_BUFFER_MB (64)] [ROUNDS (4)]

#include <rocksdb/db.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [WRITE_BUFFER_MB] [ROUNDS]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t buffer_mb = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 64;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 4;
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = buffer_mb << 20;
  options.manual_wal_flush = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::mt19937_64 rng(1);
  const std::string value(100, 'v');
  char key[32];
  constexpr int kPuts = 300000;
  for (int round = 0; round < rounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kPuts; ++i) {
      std::snprintf(key, sizeof key, "key:%012llu",
                    static_cast<unsigned long long>(rng() % 1000000));
      s = db->Put(rocksdb::WriteOptions(), key, value);
      if (s.ok() && i % 20 == 19) s = db->FlushWAL(false);
      if (!s.ok()) {
        std::fprintf(stderr, "put: %s\n", s.ToString().c_str());
        return 1;
      }
    }
    const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
    std::printf("write buffer %llu MB, round %d: %.2f us/put\n",
                static_cast<unsigned long long>(buffer_mb), round + 1, took.count() / kPuts);
  }
  return 0;
}
