#include "codec/sha1.h"

#include <gtest/gtest.h>

#include <string>

namespace basalt::codec {
namespace {

// FIPS 180 test vectors, plus lengths around the 55/56/64-byte padding edges.
TEST(Sha1Test, KnownVectors) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1Test, RedisScriptNames) {
  // EVAL "return 1" 0 is named by this SHA in Redis (SCRIPT LOAD "return 1").
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST(Sha1Test, PaddingEdges) {
  for (size_t n : {55u, 56u, 63u, 64u, 65u, 119u, 120u}) {
    EXPECT_EQ(Sha1Hex(std::string(n, 'x')).size(), 40u) << n;
  }
  EXPECT_NE(Sha1Hex(std::string(55, 'x')), Sha1Hex(std::string(56, 'x')));
}

}  // namespace
}  // namespace basalt::codec
