// A fresh Engine in a temporary directory, reopenable to test persistence.
#ifndef BASALT_TESTS_UNIT_ENGINE_ENGINE_FIXTURE_H_
#define BASALT_TESTS_UNIT_ENGINE_ENGINE_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/keyspace.h"

namespace basalt::engine {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/basalt-engine-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Reopen();
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen(Compression compression = Compression::kLz4) {
    engine_.reset();
    EngineOptions o;
    o.storage.dir = dir_;
    o.storage.compression = compression;
    o.storage.block_cache_bytes = 8 << 20;
    o.storage.write_buffer_bytes = 4 << 20;
    // BASALT_TEST_HOT_TIER_BYTES runs the engine suite with another hot tier budget (0: off).
    if (const char* tier = std::getenv("BASALT_TEST_HOT_TIER_BYTES");
        tier != nullptr && *tier != '\0') {
      o.hot_tier_bytes = std::strtoull(tier, nullptr, 10);
    }
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e.value());
  }
  Db db(int i = 0) { return engine_->db(i); }

  std::string dir_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace basalt::engine

#endif  // BASALT_TESTS_UNIT_ENGINE_ENGINE_FIXTURE_H_
