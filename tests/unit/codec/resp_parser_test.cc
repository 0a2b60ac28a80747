#include "codec/resp_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::codec {
namespace {

using namespace std::string_literals;

constexpr size_t kInlineMax = 64 * 1024;

// What a connection saw after feeding its reads to one parser.
struct Transcript {
  std::vector<Argv> commands;
  std::string error;     // the protocol error that ended the connection, or empty
  std::string leftover;  // bytes still buffered, unconsumed, at the end
};

// Feeds `chunks` as a connection does: each read is appended to the query buffer, the parser
// runs until it needs more, and whatever it consumed is dropped from the front of the buffer.
Transcript Feed(const std::vector<std::string_view>& chunks, const ParserLimits& limits = {}) {
  RequestParser parser(limits);
  Transcript t;
  std::string buffer;
  for (std::string_view chunk : chunks) {
    buffer.append(chunk);
    while (true) {
      size_t consumed = 12345;
      Argv argv;
      std::string error;
      ParseStatus status = parser.Parse(buffer, &consumed, &argv, &error);
      EXPECT_LE(consumed, buffer.size());
      buffer.erase(0, consumed);
      if (status == ParseStatus::kError) {
        t.error = error;
        t.leftover = buffer;
        return t;
      }
      if (status == ParseStatus::kNeedMore) break;
      if (consumed == 0) {
        ADD_FAILURE() << "kCommand without consuming input would loop forever";
        return t;
      }
      t.commands.push_back(std::move(argv));
    }
  }
  t.leftover = buffer;
  return t;
}

Transcript FeedWhole(std::string_view input, const ParserLimits& limits = {}) {
  return Feed({input}, limits);
}

Transcript FeedBytes(std::string_view input, const ParserLimits& limits = {}) {
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < input.size(); ++i) chunks.push_back(input.substr(i, 1));
  return Feed(chunks, limits);
}

// Splits `input` into reads at the given ascending offsets.
Transcript FeedSplit(std::string_view input, const std::vector<size_t>& cuts) {
  std::vector<std::string_view> chunks;
  size_t start = 0;
  for (size_t cut : cuts) {
    chunks.push_back(input.substr(start, cut - start));
    start = cut;
  }
  chunks.push_back(input.substr(start));
  return Feed(chunks);
}

ParserLimits AuthLimits() {
  ParserLimits limits;
  limits.auth_required = true;
  return limits;
}

// A pipeline mixing every request shape: binary multibulk, inline with quoting, an empty inline
// line, empty and null multibulks, an empty bulk.
const std::string kPipeline =
    "*3\r\n$3\r\nSET\r\n$4\r\nk\0\r\n\r\n$5\r\nv\r\nal\r\n"s
    "PING\r\n"
    "*1\r\n$4\r\nPING\r\n"
    "set \"a b\" 'c d'\n"
    "\r\n"
    "*0\r\n"
    "*-1\r\n"
    "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"
    "ECHO \"\\x41\\r\"\r\n";

const std::vector<Argv> kPipelineCommands = {
    {"SET", "k\0\r\n"s, "v\r\nal"},
    {"PING"},
    {"PING"},
    {"set", "a b", "c d"},
    {},
    {},
    {},
    {"GET", ""},
    {"ECHO", "A\r"},
};

TEST(RequestParserTest, PipelineParsedWhole) {
  Transcript t = FeedWhole(kPipeline);
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.commands, kPipelineCommands);
  EXPECT_EQ(t.leftover, "");
}

TEST(RequestParserTest, PipelineParsedByteByByte) {
  Transcript t = FeedBytes(kPipeline);
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.commands, kPipelineCommands);
  EXPECT_EQ(t.leftover, "");
}

TEST(RequestParserTest, PipelineParsedWithEverySplitPoint) {
  for (size_t cut = 0; cut <= kPipeline.size(); ++cut) {
    Transcript t = FeedSplit(kPipeline, {cut});
    EXPECT_EQ(t.error, "") << "cut at " << cut;
    EXPECT_EQ(t.commands, kPipelineCommands) << "cut at " << cut;
    EXPECT_EQ(t.leftover, "") << "cut at " << cut;
  }
}

TEST(RequestParserTest, PipelineParsedWithEveryPairOfSplitPoints) {
  for (size_t first = 0; first <= kPipeline.size(); ++first) {
    for (size_t second = first; second <= kPipeline.size(); ++second) {
      Transcript t = FeedSplit(kPipeline, {first, second});
      ASSERT_EQ(t.commands, kPipelineCommands) << "cuts at " << first << ", " << second;
      ASSERT_EQ(t.leftover, "");
    }
  }
}

TEST(RequestParserTest, BinaryBulkKeepsEveryByteValue) {
  std::string value;
  for (int b = 0; b < 256; ++b) value.push_back(static_cast<char>(b));
  value += "\r\n\r\n\0"s;
  std::string input =
      "*2\r\n$3\r\nGET\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  for (const Transcript& t : {FeedWhole(input), FeedBytes(input)}) {
    ASSERT_EQ(t.commands.size(), 1u);
    EXPECT_EQ(t.commands[0], (Argv{"GET", value}));
    EXPECT_EQ(t.leftover, "");
  }
}

TEST(RequestParserTest, MultibulkReportsConsumedAndReplacesArgv) {
  RequestParser parser;
  std::string input = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\nrest";
  size_t consumed = 0;
  Argv argv = {"stale", "junk", "values"};
  std::string error;
  ASSERT_EQ(parser.Parse(input, &consumed, &argv, &error), ParseStatus::kCommand);
  EXPECT_EQ(consumed, input.size() - 4);
  EXPECT_EQ(argv, (Argv{"GET", "k"}));
  EXPECT_FALSE(parser.InMultibulk());
  EXPECT_EQ(parser.PendingBulkBytes(), 0u);
}

TEST(RequestParserTest, EmptyInputNeedsMore) {
  RequestParser parser;
  size_t consumed = 99;
  Argv argv;
  std::string error;
  EXPECT_EQ(parser.Parse("", &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 0u);
}

TEST(RequestParserTest, CompleteArgsOfUnfinishedMultibulkAreConsumed) {
  RequestParser parser;
  size_t consumed = 0;
  Argv argv;
  std::string error;
  std::string head = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n";
  ASSERT_EQ(parser.Parse(head, &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, head.size());
  EXPECT_TRUE(parser.InMultibulk());
  EXPECT_EQ(parser.PendingBulkBytes(), 0u);  // the third bulk's header has not arrived

  ASSERT_EQ(parser.Parse("$5\r\nhel", &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 4u);                   // the header only; the caller keeps "hel"
  EXPECT_EQ(parser.PendingBulkBytes(), 4u);  // "lo\r\n"

  ASSERT_EQ(parser.Parse("hello\r\n", &consumed, &argv, &error), ParseStatus::kCommand);
  EXPECT_EQ(consumed, 7u);
  EXPECT_EQ(argv, (Argv{"SET", "k", "hello"}));
  EXPECT_FALSE(parser.InMultibulk());
  EXPECT_EQ(parser.PendingBulkBytes(), 0u);
}

TEST(RequestParserTest, LargeBulkInChunksTracksPendingBytes) {
  const size_t kValueSize = 3 * 1024 * 1024 + 17;
  const size_t kChunk = 64 * 1024;
  std::string value(kValueSize, 'v');
  for (size_t i = 0; i < value.size(); i += 4099) value[i] = static_cast<char>(i % 251);
  std::string head = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$" + std::to_string(kValueSize) + "\r\n";
  std::string input = head + value + "\r\n";

  RequestParser parser;
  std::string buffer;
  size_t offset = 0;
  size_t calls = 0;
  while (true) {
    size_t n = std::min(kChunk, input.size() - offset);
    buffer.append(input, offset, n);
    offset += n;
    size_t consumed = 0;
    Argv argv;
    std::string error;
    ParseStatus status = parser.Parse(buffer, &consumed, &argv, &error);
    buffer.erase(0, consumed);
    ++calls;
    if (offset == input.size()) {
      ASSERT_EQ(status, ParseStatus::kCommand);
      EXPECT_EQ(argv, (Argv{"SET", "key", value}));
      EXPECT_EQ(parser.PendingBulkBytes(), 0u);
      EXPECT_EQ(buffer, "");
      break;
    }
    ASSERT_EQ(status, ParseStatus::kNeedMore);
    // The headers and the complete args go at the first call; after that the value sits in
    // the caller's buffer until all of it has arrived.
    EXPECT_EQ(consumed, calls == 1 ? head.size() : 0u);
    EXPECT_EQ(buffer.size(), offset - head.size());
    EXPECT_EQ(parser.PendingBulkBytes(), input.size() - offset);
  }
  EXPECT_EQ(calls, (input.size() + kChunk - 1) / kChunk);
}

TEST(RequestParserTest, PendingBulkBytesCountsTheWholeBulkRightAfterItsHeader) {
  RequestParser parser;
  size_t consumed = 0;
  Argv argv;
  std::string error;
  std::string input = "*1\r\n$1000000\r\n";
  ASSERT_EQ(parser.Parse(input, &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, input.size());
  EXPECT_EQ(parser.PendingBulkBytes(), 1000002u);
}

TEST(RequestParserTest, EmptyAndNullMultibulkAreEmptyCommands) {
  for (std::string_view input : {"*0\r\n", "*-1\r\n", "*-5\r\n"}) {
    RequestParser parser;
    size_t consumed = 0;
    Argv argv = {"stale"};
    std::string error;
    ASSERT_EQ(parser.Parse(input, &consumed, &argv, &error), ParseStatus::kCommand) << input;
    EXPECT_EQ(consumed, input.size());
    EXPECT_TRUE(argv.empty());
    EXPECT_FALSE(parser.InMultibulk());
  }
  Transcript t = FeedWhole("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(t.commands, (std::vector<Argv>{{}, {}, {"PING"}}));
}

TEST(RequestParserTest, EmptyBulk) {
  EXPECT_EQ(FeedWhole("*1\r\n$0\r\n\r\n").commands, (std::vector<Argv>{{""}}));
}

// Redis skips the byte after a length line's CR and the two bytes after a bulk without
// looking at them; a stricter parser would reject requests Redis serves.
TEST(RequestParserTest, TerminatorBytesAreSkippedUncheckedLikeRedis) {
  Transcript t = FeedWhole("*2\rX$4\rYPINGab$1\r\nxcd");
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.commands, (std::vector<Argv>{{"PING", "x"}}));
  EXPECT_EQ(t.leftover, "");
}

TEST(RequestParserTest, LengthLineNeedsTheByteAfterItsCr) {
  RequestParser parser;
  size_t consumed = 0;
  Argv argv;
  std::string error;
  EXPECT_EQ(parser.Parse("*1\r", &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 0u);
  EXPECT_FALSE(parser.InMultibulk());
  ASSERT_EQ(parser.Parse("*1\r\n$4\r", &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 4u);
  EXPECT_EQ(parser.PendingBulkBytes(), 0u);
}

// Redis finds line ends with strchr, which stops at a NUL: the line stays invisible.
TEST(RequestParserTest, NulBeforeLineEndHidesTheLineLikeRedisStrchr) {
  EXPECT_EQ(FeedWhole("*1\0\r\n$4\r\nPING\r\n"s).commands.size(), 0u);
  EXPECT_EQ(FeedWhole("*1\0\r\n$4\r\nPING\r\n"s).error, "");
  EXPECT_EQ(FeedWhole("*1\r\n$4\0\r\nPING\r\n"s).commands.size(), 0u);
  EXPECT_EQ(FeedWhole("PING\0\r\n"s).commands.size(), 0u);
  EXPECT_EQ(FeedWhole("PING\0\r\n"s + std::string(kInlineMax, 'x')).error,
            "Protocol error: too big inline request");
}

TEST(RequestParserTest, InsideMultibulkInlineLookingBytesAreBulkHeaders) {
  Transcript t = FeedWhole("*2\r\n$1\r\na\r\nPING\r\n");
  EXPECT_EQ(t.error, "Protocol error: expected '$', got 'P'");
  EXPECT_TRUE(t.commands.empty());
}

TEST(RequestParserTest, InlineCommands) {
  EXPECT_EQ(FeedWhole("PING\r\n").commands, (std::vector<Argv>{{"PING"}}));
  EXPECT_EQ(FeedWhole("PING\n").commands, (std::vector<Argv>{{"PING"}}));
  EXPECT_EQ(FeedWhole("  SET  k\tv  \r\n").commands, (std::vector<Argv>{{"SET", "k", "v"}}));
  // Only the first character decides: a leading space makes "*1" an inline argument.
  EXPECT_EQ(FeedWhole(" *1\r\n").commands, (std::vector<Argv>{{"*1"}}));
  // Only one CR before the LF is stripped; the splitter then treats the other as a blank.
  EXPECT_EQ(FeedWhole("PING\r\r\n").commands, (std::vector<Argv>{{"PING"}}));
}

TEST(RequestParserTest, InlineReportsConsumed) {
  RequestParser parser;
  size_t consumed = 0;
  Argv argv;
  std::string error;
  ASSERT_EQ(parser.Parse("GET k\r\nGET j\r\n", &consumed, &argv, &error), ParseStatus::kCommand);
  EXPECT_EQ(consumed, 7u);
  EXPECT_EQ(argv, (Argv{"GET", "k"}));
  ASSERT_EQ(parser.Parse("GET k", &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 0u);
}

TEST(RequestParserTest, EmptyInlineLineIsEmptyCommand) {
  for (std::string_view input : {"\r\n", "\n", "   \t \r\n", "\v\f\n"}) {
    RequestParser parser;
    size_t consumed = 0;
    Argv argv = {"stale"};
    std::string error;
    ASSERT_EQ(parser.Parse(input, &consumed, &argv, &error), ParseStatus::kCommand);
    EXPECT_EQ(consumed, input.size());
    EXPECT_TRUE(argv.empty());
  }
}

TEST(RequestParserTest, InlineLimitBoundary) {
  EXPECT_EQ(FeedWhole(std::string(kInlineMax, 'a')).error, "");
  EXPECT_EQ(FeedWhole(std::string(kInlineMax + 1, 'a')).error,
            "Protocol error: too big inline request");
  // A line longer than the limit is fine once its newline has arrived.
  std::string long_line = std::string(kInlineMax + 10, 'a') + "\r\n";
  ASSERT_EQ(FeedWhole(long_line).commands.size(), 1u);
  EXPECT_EQ(FeedWhole(long_line).commands[0][0].size(), kInlineMax + 10);
}

TEST(RequestParserTest, CountLineLimitBoundary) {
  EXPECT_EQ(FeedWhole("*" + std::string(kInlineMax - 1, '1')).error, "");
  EXPECT_EQ(FeedWhole("*" + std::string(kInlineMax, '1')).error,
            "Protocol error: too big mbulk count string");
}

TEST(RequestParserTest, BulkHeaderLimitBoundary) {
  EXPECT_EQ(FeedWhole("*1\r\n$" + std::string(kInlineMax - 1, '1')).error, "");
  EXPECT_EQ(FeedWhole("*1\r\n$" + std::string(kInlineMax, '1')).error,
            "Protocol error: too big bulk count string");
}

TEST(RequestParserTest, SmallInlineLimitAppliesToAllLines) {
  ParserLimits limits;
  limits.max_inline_len = 8;
  EXPECT_EQ(FeedWhole("PINGPING", limits).error, "");
  EXPECT_EQ(FeedWhole("PINGPINGP", limits).error, "Protocol error: too big inline request");
  EXPECT_EQ(FeedWhole("*12345678", limits).error, "Protocol error: too big mbulk count string");
  EXPECT_EQ(FeedWhole("*1\r\n$12345678", limits).error,
            "Protocol error: too big bulk count string");
}

struct ErrorCase {
  ErrorCase(std::string input, std::string error, ParserLimits limits = {})
      : input(std::move(input)), error(std::move(error)), limits(limits) {}

  std::string input;
  std::string error;
  ParserLimits limits;
};

ParserLimits SmallBulkLimits() {
  ParserLimits limits;
  limits.max_bulk_len = 10;
  return limits;
}

std::vector<ErrorCase> ErrorCases() {
  const std::string kBadCount = "Protocol error: invalid multibulk length";
  const std::string kBadBulk = "Protocol error: invalid bulk length";
  return {
      {"SET \"a b\r\n", "Protocol error: unbalanced quotes in request"},
      {"SET 'a b\r\n", "Protocol error: unbalanced quotes in request"},
      {"SET \"a\"b\r\n", "Protocol error: unbalanced quotes in request"},
      {"SET 'a'b\r\n", "Protocol error: unbalanced quotes in request"},
      {"*abc\r\n", kBadCount},
      {"*\r\n", kBadCount},
      {"*+1\r\n", kBadCount},
      {"*01\r\n", kBadCount},
      {"*-0\r\n", kBadCount},
      {"* 1\r\n", kBadCount},
      {"*1 \r\n", kBadCount},
      {"*1\n$1\r\na\r\n", kBadCount},  // LF alone does not end the line; the next CR does
      {"*2147483648\r\n", kBadCount},  // INT_MAX + 1
      {"*9223372036854775808\r\n", kBadCount},
      {"*99999999999999999999\r\n", kBadCount},
      {"*11\r\n", "Protocol error: unauthenticated multibulk length", AuthLimits()},
      {"*abc\r\n", kBadCount, AuthLimits()},
      {"*1\r\nX3\r\nfoo\r\n", "Protocol error: expected '$', got 'X'"},
      {"*2\r\n$1\r\na\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
      // Redis's formatted errors turn CR and LF into spaces.
      {"*1\r\n\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n\n\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n$-1\r\n", kBadBulk},
      {"*1\r\n$-5\r\n", kBadBulk},
      {"*1\r\n$\r\n", kBadBulk},
      {"*1\r\n$abc\r\n", kBadBulk},
      {"*1\r\n$+3\r\nfoo\r\n", kBadBulk},
      {"*1\r\n$03\r\nfoo\r\n", kBadBulk},
      {"*1\r\n$ 3\r\nfoo\r\n", kBadBulk},
      {"*1\r\n$3 \r\nfoo\r\n", kBadBulk},
      {"*1\r\n$9223372036854775808\r\n", kBadBulk},
      {"*1\r\n$11\r\n", kBadBulk, SmallBulkLimits()},
      {"*1\r\n$536870913\r\n", kBadBulk},  // default proto-max-bulk-len + 1
      {"*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length", AuthLimits()},
      // Validity is checked before the unauthenticated limit, as in Redis.
      {"*1\r\n$536870913\r\n", kBadBulk, AuthLimits()},
  };
}

TEST(RequestParserTest, MalformedInputGivesRedisErrorText) {
  for (const ErrorCase& c : ErrorCases()) {
    Transcript whole = FeedWhole(c.input, c.limits);
    EXPECT_EQ(whole.error, c.error) << "input: " << c.input;
    EXPECT_TRUE(whole.commands.empty()) << "input: " << c.input;
    Transcript bytes = FeedBytes(c.input, c.limits);
    EXPECT_EQ(bytes.error, c.error) << "byte by byte, input: " << c.input;
  }
}

TEST(RequestParserTest, ErrorAfterEarlierCommandsKeepsThem) {
  Transcript t = FeedWhole("PING\r\n*1\r\n$-1\r\n");
  EXPECT_EQ(t.commands, (std::vector<Argv>{{"PING"}}));
  EXPECT_EQ(t.error, "Protocol error: invalid bulk length");
}

TEST(RequestParserTest, CountLimitsAtTheirEdgesAreAccepted) {
  RequestParser parser;
  size_t consumed = 0;
  Argv argv;
  std::string error;
  std::string input = "*2147483647\r\n";
  ASSERT_EQ(parser.Parse(input, &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, input.size());
  EXPECT_TRUE(parser.InMultibulk());

  std::string ten = "*10\r\n";
  for (int i = 0; i < 10; ++i) ten += "$1\r\nx\r\n";
  Transcript t = FeedWhole(ten, AuthLimits());
  EXPECT_EQ(t.error, "");
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].size(), 10u);
}

TEST(RequestParserTest, BulkLimitsAtTheirEdgesAreAccepted) {
  std::string ten(10, 'b');
  Transcript small = FeedWhole("*1\r\n$10\r\n" + ten + "\r\n", SmallBulkLimits());
  EXPECT_EQ(small.commands, (std::vector<Argv>{{ten}}));

  std::string unauth(16384, 'u');
  Transcript auth = FeedWhole("*1\r\n$16384\r\n" + unauth + "\r\n", AuthLimits());
  EXPECT_EQ(auth.commands, (std::vector<Argv>{{unauth}}));
}

TEST(RequestParserTest, LimitsCanChangeBetweenCommands) {
  RequestParser parser(AuthLimits());
  size_t consumed = 0;
  Argv argv;
  std::string error;
  EXPECT_EQ(parser.Parse("*11\r\n", &consumed, &argv, &error), ParseStatus::kError);

  RequestParser authed(AuthLimits());
  authed.set_limits(ParserLimits{});
  EXPECT_EQ(authed.Parse("*11\r\n", &consumed, &argv, &error), ParseStatus::kNeedMore);
  EXPECT_TRUE(authed.InMultibulk());
}

struct SplitCase {
  std::string line;
  Argv args;
};

TEST(SplitInlineArgsTest, SplitsLikeSdssplitargs) {
  const std::vector<SplitCase> cases = {
      {"", {}},
      {"   ", {}},
      {"set k v", {"set", "k", "v"}},
      {"set \"a b\" 'c d'", {"set", "a b", "c d"}},
      {"\"\"", {""}},
      {"''", {""}},
      {"\"\\x41\\x4a\\x6b\"", {"AJk"}},
      {"\"\\xff\\x00z\"", {"\xff\0z"s}},
      {"\"\\x4g\"", {"x4g"}},  // not two hex digits: "\x" is just 'x'
      {"\"\\x4\"", {"x4"}},
      {"\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"", {"\n\r\t\b\a\\\"q"}},
      {"'it\\'s'", {"it's"}},
      {"'a\\nb\\\\c'", {"a\\nb\\\\c"}},  // single quotes keep other backslashes
      {"a\"b c\"", {"ab c"}},            // plain bytes may precede a quoted section
      {"a'b c'", {"ab c"}},
      {"\"a\" \"b\"", {"a", "b"}},
      {"\"a\"\tb", {"a", "b"}},
      {"\"a\"\vb", {"a", "b"}},  // any C space may follow a closing quote
      {"a\vb", {"a\vb"}},        // but only space, tab, CR and LF end a plain token
      {"\va\f", {"a\f"}},
      {"a\0b c"s, {"a"}},  // a C string ends at NUL
  };
  for (const SplitCase& c : cases) {
    Argv out = {"stale"};
    ASSERT_TRUE(SplitInlineArgs(c.line, &out)) << c.line;
    EXPECT_EQ(out, c.args) << c.line;
  }
}

TEST(SplitInlineArgsTest, RejectsUnbalancedQuotes) {
  for (std::string_view line :
       {"\"abc", "'abc", "\"a\"b", "'a'b", "a\"b c\"d", "\"abc\\", "\"abc\\\"", "'abc\\'", "x \"",
        "\"a\"\"b\"",
        // In single quotes a backslash only escapes a quote, so the last quote here is escaped.
        "'a\\\\'"}) {
    Argv out;
    EXPECT_FALSE(SplitInlineArgs(line, &out)) << line;
  }
}

std::vector<std::string> Peek(std::string_view input, size_t max = 8) {
  std::string_view out[8];
  const size_t n = PeekSecondArgs(input, max, out);
  return std::vector<std::string>(out, out + n);
}

TEST(PeekSecondArgsTest, ListsTheSecondArgumentOfEachCompleteRequest) {
  const std::string pipeline =
      "*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n"
      "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$5\r\nv\r\n\r\n\r\n"  // a value holding CRLFs
      "*4\r\n$4\r\nHSET\r\n$0\r\n\r\n$1\r\nf\r\n$1\r\nv\r\n";
  EXPECT_EQ(Peek(pipeline), (std::vector<std::string>{"k1", "k2", ""}));
  EXPECT_EQ(Peek(pipeline, 2), (std::vector<std::string>{"k1", "k2"}));
  // Every proper prefix stops before the request it cuts.
  for (size_t cut = 0; cut < pipeline.size(); ++cut) {
    const size_t whole = cut < 21 ? 0 : cut < 53 ? 1 : 2;
    EXPECT_EQ(Peek(std::string_view(pipeline).substr(0, cut)).size(), whole) << cut;
  }
}

TEST(PeekSecondArgsTest, StopsAtWhatItCannotUse) {
  EXPECT_TRUE(Peek("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").empty());
  EXPECT_TRUE(Peek("GET k\r\n").empty());                       // inline
  EXPECT_TRUE(Peek("*2\r\n$3\r\nGET\r\n$9\r\nk\r\n").empty());  // bulk runs past the end
  EXPECT_TRUE(Peek("*2\r\n$-1\r\n$1\r\nk\r\n").empty());        // null bulk
  EXPECT_TRUE(Peek("*2\r\n$3\r\nGET\r\n$99999999999999\r\nk\r\n").empty());
  EXPECT_TRUE(Peek("*x\r\n").empty());
  EXPECT_EQ(Peek("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\n$3\r\nGET\r\n$1\r\nb\r\n"),
            (std::vector<std::string>{"a"}));  // a bare LF ends the peek, not the parse
}

}  // namespace
}  // namespace basalt::codec
