// Incremental parser for Redis requests: RESP2 multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
// inline commands (`GET k\r\n`), with Redis 7.0's limits and exact protocol error texts.
//
// Thread-safety: a RequestParser belongs to one connection; it is not safe to share.
// The parser keeps state between calls so a large bulk arriving over many reads is not
// re-scanned: callers feed it the unconsumed tail of their query buffer each time.
#ifndef BASALT_CODEC_RESP_PARSER_H_
#define BASALT_CODEC_RESP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::codec {

using Argv = std::vector<std::string>;

struct ParserLimits {
  // proto-max-bulk-len: the largest bulk string accepted. Default 512 MB.
  int64_t max_bulk_len = 512ll * 1024 * 1024;
  // Largest inline request / length line before "too big ..." errors (Redis PROTO_INLINE_MAX_SIZE).
  size_t max_inline_len = 64 * 1024;
  // When true, Redis's stricter unauthenticated limits apply (multibulk <= 10, bulk <= 16384).
  bool auth_required = false;
};

enum class ParseStatus {
  kNeedMore,  // no complete command yet; *consumed bytes may still have been used
  kCommand,   // *argv holds one complete command (may be empty for an empty inline line)
  kError,     // protocol error: *error holds Redis's text, e.g. "Protocol error: invalid bulk
              // length"; the caller replies "-ERR <text>" and closes after the reply
};

class RequestParser {
 public:
  RequestParser() = default;
  explicit RequestParser(const ParserLimits& limits) : limits_(limits) {}

  // Parses from the front of `input`. Sets *consumed to the number of bytes of `input` the
  // parser has taken (the caller must drop them before the next call), on every status.
  // On kCommand, *argv is replaced with the command's arguments. After kError the parser must
  // not be used again.
  ParseStatus Parse(std::string_view input, size_t* consumed, Argv* argv, std::string* error);

  // Bytes still needed to complete the bulk being read (0 if none): lets a reader size its
  // buffer once for a large value.
  size_t PendingBulkBytes() const;

  // True between a multibulk header and its last argument.
  bool InMultibulk() const { return multibulk_remaining_ > 0; }

  void set_limits(const ParserLimits& limits) { limits_ = limits; }

 private:
  // Outcome of reading one length line ("*<count>\r\n" or "$<len>\r\n").
  enum class LineStatus { kRead, kNeedMore, kError };

  ParseStatus ParseInline(std::string_view input, size_t* consumed, Argv* argv, std::string* error);
  ParseStatus ParseMultibulk(std::string_view input, size_t* consumed, Argv* argv,
                             std::string* error);
  // Both add the bytes they take to *consumed; `input` starts at the line.
  LineStatus ReadMultibulkCount(std::string_view input, size_t* consumed, std::string* error);
  LineStatus ReadBulkHeader(std::string_view input, size_t* consumed, std::string* error);

  ParserLimits limits_;
  int64_t multibulk_remaining_ = 0;  // arguments still to read in the current multibulk
  int64_t bulk_len_ = -1;            // length of the bulk being read, -1 = reading its header
  Argv pending_;                     // arguments read so far in the current multibulk
  // Bytes of the current bulk (data and CRLF) the caller held at the last call; the caller
  // keeps them, since the parser takes a bulk only once all of it has arrived.
  size_t bulk_available_ = 0;
};

// Looks at the complete multibulk requests at the front of `input` without consuming them,
// and stores the second argument of each (a command's first key, for most commands) in
// out[0..n), n <= max. Stops at the first request that is incomplete, inline, malformed or has
// fewer than two arguments. Only for hints such as prefetching: RequestParser still parses and
// validates every request. REQUIRES: `input` starts at a request (no multibulk in progress).
size_t PeekSecondArgs(std::string_view input, size_t max, std::string_view* out);

// Splits an inline request line into arguments as Redis's sdssplitargs does: whitespace
// separated, "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' with
// \' escapes. Returns false on unbalanced quotes (or a closing quote not followed by space).
bool SplitInlineArgs(std::string_view line, Argv* out);

}  // namespace basalt::codec

#endif  // BASALT_CODEC_RESP_PARSER_H_
