// Tests for GlobMatch. Every expectation that is not plain glob behaviour was observed on
// redis-server 7.0.15: KEYS <pattern> over the key set below (case-sensitive matching) and
// CONFIG GET <pattern> (nocase matching, the only nocase caller reachable from a client).
#include "codec/glob.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::codec {
namespace {

using namespace std::string_view_literals;

// Renders bytes with escapes so failures involving NUL or 0xff are readable.
std::string Printable(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out + "\"";
}

std::string Repeat(std::string_view unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

struct KeysCase {
  std::string_view pattern;
  std::vector<std::string_view> matches;  // the keys KEYS returned, out of kKeys
};

// The key set stored on Redis, and for each pattern the keys KEYS returned. Generated from the
// live server's replies; do not edit by hand without re-checking against Redis.
constexpr std::string_view kKeys[] = {
    ""sv,          "a"sv,    "b"sv,        "z"sv,     "A"sv,        "Z"sv,       "m"sv,
    "ab"sv,        "abc"sv,  "aXc"sv,      "abbc"sv,  "ac"sv,       "a\\c"sv,    "a*c"sv,
    "a?c"sv,       "a[c"sv,  "a]c"sv,      "a-c"sv,   "a^c"sv,      "hello"sv,   "hallo"sv,
    "hxllo"sv,     "hllo"sv, "heeeello"sv, "Hello"sv, "h\000llo"sv, "\000"sv,    "^"sv,
    "]"sv,         "-"sv,    "\\"sv,       "["sv,     "*"sv,        "?"sv,       "_"sv,
    "`"sv,         "\377"sv, "\200"sv,     "\351"sv,  "aaaa"sv,     "foo:bar"sv, "foo:baz:1"sv,
    "user:1000"sv, "-a"sv,   "a-"sv,       "[a]"sv,   "x*y"sv,      "x\\y"sv,
};

const KeysCase kKeysCases[] = {
    {"h?llo"sv, {"h\000llo"sv, "hallo"sv, "hello"sv, "hxllo"sv}},
    {"h*llo"sv, {"h\000llo"sv, "hallo"sv, "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv}},
    {"h[ae]llo"sv, {"hallo"sv, "hello"sv}},
    {"h[^e]llo"sv, {"h\000llo"sv, "hallo"sv, "hxllo"sv}},
    {"h[a-b]llo"sv, {"hallo"sv}},
    {"[b-a]"sv, {"a"sv, "b"sv}},
    {"[a-c]"sv, {"a"sv, "b"sv}},
    {"[z-a]"sv, {"a"sv, "b"sv, "m"sv, "z"sv}},
    {"[^a-c]"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "m"sv,
      "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"\\*"sv, {"*"sv}},
    {"a\\*c"sv, {"a*c"sv}},
    {"a\\?c"sv, {"a?c"sv}},
    {"a[\\]]c"sv, {"a]c"sv}},
    {"a[\\-]c"sv, {"a-c"sv}},
    {"a[]c"sv, {}},
    {"a[]]c"sv, {}},
    {"[]"sv, {}},
    {"[^]"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv,
      "b"sv, "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"["sv, {}},
    {"[a"sv, {"a"sv}},
    {"[^"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv,
      "b"sv, "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"a["sv, {}},
    {"[ab"sv, {"a"sv, "b"sv}},
    {"[a-"sv, {"-"sv, "a"sv}},
    {"[a-]"sv, {"]"sv, "^"sv, "_"sv, "`"sv, "a"sv}},
    {"[-a]"sv, {"-"sv, "a"sv}},
    {"[a-c-e]"sv, {"-"sv, "a"sv, "b"sv}},
    {"a[b-]c"sv, {"ab"sv, "ac"sv}},
    {"[\\"sv, {"\\"sv}},
    {"a\\"sv, {}},
    {"\\"sv, {"\\"sv}},
    {"\\\\"sv, {"\\"sv}},
    {"[\\\\]"sv, {"\\"sv}},
    {"**"sv,
     {"\000"sv,     "*"sv,     "-"sv,    "-a"sv,      "?"sv,         "A"sv,         "Hello"sv,
      "Z"sv,        "["sv,     "[a]"sv,  "\\"sv,      "]"sv,         "^"sv,         "_"sv,
      "`"sv,        "a"sv,     "a*c"sv,  "a-"sv,      "a-c"sv,       "a?c"sv,       "aXc"sv,
      "a[c"sv,      "a\\c"sv,  "a]c"sv,  "a^c"sv,     "aaaa"sv,      "ab"sv,        "abbc"sv,
      "abc"sv,      "ac"sv,    "b"sv,    "foo:bar"sv, "foo:baz:1"sv, "h\000llo"sv,  "hallo"sv,
      "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv,   "m"sv,         "user:1000"sv, "x*y"sv,
      "x\\y"sv,     "z"sv,     "\200"sv, "\351"sv,    "\377"sv}},
    {"?"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv,
      "b"sv, "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"??"sv, {"-a"sv, "a-"sv, "ab"sv, "ac"sv}},
    {"*?"sv,
     {"\000"sv,     "*"sv,     "-"sv,    "-a"sv,      "?"sv,         "A"sv,         "Hello"sv,
      "Z"sv,        "["sv,     "[a]"sv,  "\\"sv,      "]"sv,         "^"sv,         "_"sv,
      "`"sv,        "a"sv,     "a*c"sv,  "a-"sv,      "a-c"sv,       "a?c"sv,       "aXc"sv,
      "a[c"sv,      "a\\c"sv,  "a]c"sv,  "a^c"sv,     "aaaa"sv,      "ab"sv,        "abbc"sv,
      "abc"sv,      "ac"sv,    "b"sv,    "foo:bar"sv, "foo:baz:1"sv, "h\000llo"sv,  "hallo"sv,
      "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv,   "m"sv,         "user:1000"sv, "x*y"sv,
      "x\\y"sv,     "z"sv,     "\200"sv, "\351"sv,    "\377"sv}},
    {"?*"sv,
     {"\000"sv,     "*"sv,     "-"sv,    "-a"sv,      "?"sv,         "A"sv,         "Hello"sv,
      "Z"sv,        "["sv,     "[a]"sv,  "\\"sv,      "]"sv,         "^"sv,         "_"sv,
      "`"sv,        "a"sv,     "a*c"sv,  "a-"sv,      "a-c"sv,       "a?c"sv,       "aXc"sv,
      "a[c"sv,      "a\\c"sv,  "a]c"sv,  "a^c"sv,     "aaaa"sv,      "ab"sv,        "abbc"sv,
      "abc"sv,      "ac"sv,    "b"sv,    "foo:bar"sv, "foo:baz:1"sv, "h\000llo"sv,  "hallo"sv,
      "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv,   "m"sv,         "user:1000"sv, "x*y"sv,
      "x\\y"sv,     "z"sv,     "\200"sv, "\351"sv,    "\377"sv}},
    {"a*"sv,
     {"a"sv, "a*c"sv, "a-"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv,
      "aaaa"sv, "ab"sv, "abbc"sv, "abc"sv, "ac"sv}},
    {"*a"sv, {"-a"sv, "a"sv, "aaaa"sv}},
    {"a**"sv,
     {"a"sv, "a*c"sv, "a-"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv,
      "aaaa"sv, "ab"sv, "abbc"sv, "abc"sv, "ac"sv}},
    {"***"sv,
     {"\000"sv,     "*"sv,     "-"sv,    "-a"sv,      "?"sv,         "A"sv,         "Hello"sv,
      "Z"sv,        "["sv,     "[a]"sv,  "\\"sv,      "]"sv,         "^"sv,         "_"sv,
      "`"sv,        "a"sv,     "a*c"sv,  "a-"sv,      "a-c"sv,       "a?c"sv,       "aXc"sv,
      "a[c"sv,      "a\\c"sv,  "a]c"sv,  "a^c"sv,     "aaaa"sv,      "ab"sv,        "abbc"sv,
      "abc"sv,      "ac"sv,    "b"sv,    "foo:bar"sv, "foo:baz:1"sv, "h\000llo"sv,  "hallo"sv,
      "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv,   "m"sv,         "user:1000"sv, "x*y"sv,
      "x\\y"sv,     "z"sv,     "\200"sv, "\351"sv,    "\377"sv}},
    {""sv, {""sv}},
    {"[a\\"sv, {"\\"sv, "a"sv}},
    {"[^\\"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv, "b"sv,
      "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"[\200-\377]"sv, {"\200"sv, "\351"sv, "\377"sv}},
    {"[\377-\200]"sv, {"\200"sv, "\351"sv, "\377"sv}},
    {"[a-\377]"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv,
      "\377"sv}},
    {"[\377]"sv, {"\377"sv}},
    {"[\351]"sv, {"\351"sv}},
    {"[^a]*"sv,
     {"\000"sv,  "*"sv,    "-"sv,       "-a"sv,        "?"sv,         "A"sv,     "Hello"sv,
      "Z"sv,     "["sv,    "[a]"sv,     "\\"sv,        "]"sv,         "^"sv,     "_"sv,
      "`"sv,     "b"sv,    "foo:bar"sv, "foo:baz:1"sv, "h\000llo"sv,  "hallo"sv, "heeeello"sv,
      "hello"sv, "hllo"sv, "hxllo"sv,   "m"sv,         "user:1000"sv, "x*y"sv,   "x\\y"sv,
      "z"sv,     "\200"sv, "\351"sv,    "\377"sv}},
    {"[^a]"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "b"sv,
      "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"*["sv, {}},
    {"a*b*c"sv, {"abbc"sv, "abc"sv}},
    {"*b*"sv, {"ab"sv, "abbc"sv, "abc"sv, "b"sv, "foo:bar"sv, "foo:baz:1"sv}},
    {"*c"sv,
     {"a*c"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv, "abbc"sv, "abc"sv,
      "ac"sv}},
    {"h\000llo"sv, {"h\000llo"sv}},
    {"\000"sv, {"\000"sv}},
    {"?\000*"sv, {"h\000llo"sv}},
    {"[\000]"sv, {"\000"sv}},
    {"foo:*"sv, {"foo:bar"sv, "foo:baz:1"sv}},
    {"foo:*:*"sv, {"foo:baz:1"sv}},
    {"*:*"sv, {"foo:bar"sv, "foo:baz:1"sv, "user:1000"sv}},
    {"user:[0-9]*"sv, {"user:1000"sv}},
    {"user:[0-9][0-9][0-9][0-9]"sv, {"user:1000"sv}},
    {"[A-z]"sv,
     {"A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv, "b"sv, "m"sv, "z"sv}},
    {"[Z-a]"sv, {"Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv}},
    {"a\\c"sv, {"ac"sv}},
    {"a\\\\c"sv, {"a\\c"sv}},
    {"x\\*y"sv, {"x*y"sv}},
    {"x*y"sv, {"x*y"sv, "x\\y"sv}},
    {"x\\\\y"sv, {"x\\y"sv}},
    {"[[]"sv, {"["sv}},
    {"[[]a]"sv, {"[a]"sv}},
    {"a[^b]c"sv, {"a*c"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv}},
    {"a[^]c"sv, {"a*c"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv, "abc"sv}},
    {"a[!b]c"sv, {"abc"sv}},
    {"[^-]"sv,
     {"\000"sv, "*"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv, "b"sv,
      "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"[--a]"sv, {"-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv}},
    {"a[\\x]c"sv, {}},
    {"[\\a-c]"sv, {"-"sv, "a"sv}},
    {"[a\\-c]"sv, {"-"sv, "a"sv}},
    {"h*l*o"sv, {"h\000llo"sv, "hallo"sv, "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv}},
    {"*l*l*"sv, {"Hello"sv, "h\000llo"sv, "hallo"sv, "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv}},
    {"*ll*"sv, {"Hello"sv, "h\000llo"sv, "hallo"sv, "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv}},
    {"he*llo*"sv, {"heeeello"sv, "hello"sv}},
    {"heeee*"sv, {"heeeello"sv}},
    {"[^^]"sv,
     {"\000"sv, "*"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "_"sv, "`"sv, "a"sv, "b"sv,
      "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"[\\^]"sv, {"^"sv}},
    {"?b?"sv, {"abc"sv}},
    {"?b*"sv, {"ab"sv, "abbc"sv, "abc"sv}},
    {"*?c"sv,
     {"a*c"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv, "abbc"sv, "abc"sv,
      "ac"sv}},
    {"a?"sv, {"a-"sv, "ab"sv, "ac"sv}},
    {"??*"sv,
     {"-a"sv,       "Hello"sv, "[a]"sv,  "a*c"sv,     "a-"sv,        "a-c"sv,      "a?c"sv,
      "aXc"sv,      "a[c"sv,   "a\\c"sv, "a]c"sv,     "a^c"sv,       "aaaa"sv,     "ab"sv,
      "abbc"sv,     "abc"sv,   "ac"sv,   "foo:bar"sv, "foo:baz:1"sv, "h\000llo"sv, "hallo"sv,
      "heeeello"sv, "hello"sv, "hllo"sv, "hxllo"sv,   "user:1000"sv, "x*y"sv,      "x\\y"sv}},
    {"[a-c][a-c]"sv, {"ab"sv, "ac"sv}},
    {"[abc]*[abc]"sv,
     {"a*c"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv, "aaaa"sv, "ab"sv,
      "abbc"sv, "abc"sv, "ac"sv}},
    {"[^*]"sv,
     {"\000"sv, "-"sv, "?"sv, "A"sv, "Z"sv, "["sv, "\\"sv, "]"sv, "^"sv, "_"sv, "`"sv, "a"sv, "b"sv,
      "m"sv, "z"sv, "\200"sv, "\351"sv, "\377"sv}},
    {"\\a"sv, {"a"sv}},
    {"*\\"sv, {"\\"sv}},
    {"*\\\\"sv, {"\\"sv}},
    {"?\\"sv, {}},
    {"a*\\c"sv,
     {"a*c"sv, "a-c"sv, "a?c"sv, "aXc"sv, "a[c"sv, "a\\c"sv, "a]c"sv, "a^c"sv, "abbc"sv, "abc"sv,
      "ac"sv}},
    {"[h]ello"sv, {"hello"sv}},
    {"[H]ello"sv, {"Hello"sv}},
    {"[G-I]ello"sv, {"Hello"sv}},
};

TEST(GlobMatchTest, MatchesRedisKeysOnEveryKey) {
  for (const KeysCase& c : kKeysCases) {
    for (std::string_view key : kKeys) {
      const bool want = std::find(c.matches.begin(), c.matches.end(), key) != c.matches.end();
      EXPECT_EQ(GlobMatch(c.pattern, key), want)
          << "pattern " << Printable(c.pattern) << " key " << Printable(key);
    }
  }
}

// Redis only matches while both sides have bytes left, so "*" needs a non-empty subject.
// KEYS and SCAN hide this by treating a lone "*" as "all keys" without calling the matcher.
TEST(GlobMatchTest, EmptySubjectMatchesOnlyEmptyPattern) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("**", ""));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_FALSE(GlobMatch("[^a]", ""));
  EXPECT_FALSE(GlobMatch("[^a]*", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobMatchTest, TrailingStarsAfterSubjectEnds) {
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("a***", "a"));
  EXPECT_TRUE(GlobMatch("a*b*", "ab"));
  EXPECT_FALSE(GlobMatch("a*b*", "a"));
  EXPECT_FALSE(GlobMatch("a*?", "a"));
}

TEST(GlobMatchTest, BinarySafe) {
  EXPECT_TRUE(GlobMatch("a\0*"sv, "a\0b"sv));
  EXPECT_FALSE(GlobMatch("a\0*"sv, "a"sv));
  EXPECT_FALSE(GlobMatch("a"sv, "a\0"sv));
  EXPECT_TRUE(GlobMatch("[\0-\1]"sv, "\1"sv));
  EXPECT_TRUE(GlobMatch("*\0"sv, "xyz\0"sv));
}

// Verified with CONFIG GET on Redis (it matches config names with nocase=1).
TEST(GlobMatchTest, NocaseMatchesRedisConfigGet) {
  EXPECT_TRUE(GlobMatch("MAXMEMOR?", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("?AXMEMORY", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("MaXmEmOrY*", "maxmemory-policy", true));
  EXPECT_TRUE(GlobMatch("maxmemory-POLIC?", "maxmemory-policy", true));
  EXPECT_TRUE(GlobMatch("[M]AXMEMORY", "maxmemory", true));
  EXPECT_FALSE(GlobMatch("[^M]axmemory", "maxmemory", true));
  // An escape outside a class folds case...
  EXPECT_TRUE(GlobMatch("\\MAXMEMOR?", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("MAXMEMOR\\Y*", "maxmemory", true));
  // ...but an escape inside a class compares exactly.
  EXPECT_FALSE(GlobMatch("[\\M]axmemory", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("[\\m]axmemory", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("[^\\M]axmemory", "maxmemory", true));
  // Range ends are ordered first, then folded: [N-z] becomes n..z, which excludes 'm'.
  EXPECT_FALSE(GlobMatch("[N-z]axmemory", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("[M-z]axmemory", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("[z-M]axmemory", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("[A-M]axmemory", "maxmemory", true));
  EXPECT_TRUE(GlobMatch("[M-M]axmemory", "maxmemory", true));
  EXPECT_FALSE(GlobMatch("[a-Z]axmemory", "maxmemory", true));
  EXPECT_FALSE(GlobMatch("[a-L]axmemory", "maxmemory", true));
}

TEST(GlobMatchTest, NocaseDiffersFromCaseSensitive) {
  EXPECT_FALSE(GlobMatch("HELLO", "hello"));
  EXPECT_TRUE(GlobMatch("HELLO", "hello", true));
  EXPECT_TRUE(GlobMatch("h[A-Z]llo", "hello", true));
  EXPECT_FALSE(GlobMatch("h[A-Z]llo", "hello"));
  // Case-sensitively [N-z] holds 'm' and '_'; folded it is n..z.
  EXPECT_TRUE(GlobMatch("[N-z]", "m"));
  EXPECT_TRUE(GlobMatch("[N-z]", "_"));
  EXPECT_FALSE(GlobMatch("[N-z]", "_", true));
  // Only ASCII letters fold.
  EXPECT_FALSE(GlobMatch("\xc9", "\xe9", true));
  EXPECT_TRUE(GlobMatch("\xe9", "\xe9", true));
}

// Redis refuses to recurse through more than 1000 stars (KEYS on redis-server 7.0.15):
// "a*" x 1001 (trailing star #1001) matches, x 1002 does not; "*a" x 1000 matches, x 1001 not.
TEST(GlobMatchTest, StarLimitMatchesRedis) {
  const std::string a1000(1000, 'a');
  const std::string a1100(1100, 'a');
  EXPECT_TRUE(GlobMatch(Repeat("a*", 1000), a1000));
  EXPECT_TRUE(GlobMatch(Repeat("a*", 1001), a1100));
  EXPECT_FALSE(GlobMatch(Repeat("a*", 1001), a1000));  // needs 1001 'a's
  EXPECT_FALSE(GlobMatch(Repeat("a*", 1002), a1100));
  EXPECT_TRUE(GlobMatch(Repeat("*a", 1000), a1000));
  EXPECT_TRUE(GlobMatch(Repeat("*a", 1000), a1100));
  EXPECT_FALSE(GlobMatch(Repeat("*a", 1001), a1100));
  EXPECT_TRUE(GlobMatch(Repeat("*a", 1000) + "*", a1000));
  EXPECT_FALSE(GlobMatch(Repeat("*a", 1001) + "*", a1100));
  // A run of stars counts once.
  EXPECT_TRUE(GlobMatch(Repeat("**a", 1000), a1000));
}

// Naive backtracking takes exponential time here; the matcher must stay linear-ish.
TEST(GlobMatchTest, PathologicalPatternsFinishQuickly) {
  const std::string subject(20000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", subject));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*?b", subject));
  EXPECT_TRUE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", subject));
  EXPECT_FALSE(GlobMatch("*[ab]*[ab]*[ab]*[ab]*[ab]*[ab]*c*", subject));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(GlobMatchTest, BacktracksOnlyAsFarAsNeeded) {
  EXPECT_TRUE(GlobMatch("*ab", "abab"));
  EXPECT_TRUE(GlobMatch("*a*b", "xaybzb"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(GlobMatch("*?", "x"));
  EXPECT_TRUE(GlobMatch("*??", "xy"));
  EXPECT_FALSE(GlobMatch("*??", "x"));
  EXPECT_TRUE(GlobMatch("*[0-9]", "abc7"));
  EXPECT_FALSE(GlobMatch("*[0-9]", "abc"));
}

}  // namespace
}  // namespace basalt::codec
