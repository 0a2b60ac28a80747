#include "codec/resp_parser.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

#include "codec/numbers.h"

// Request grammar, as Redis 7.0 reads it:
//
//   request   := multibulk | inline
//   multibulk := '*' count CR <any byte> bulk{count}       (count <= 0: no bulks, empty command)
//   bulk      := '$' len CR <any byte> <len bytes> <any 2 bytes>
//   inline    := <bytes without LF or NUL> [CR] LF
//
// Redis finds CR with strchr, so it never checks that LF follows the CR of a length line nor
// that a bulk ends in CRLF: it just skips those bytes. We skip them too, so a request Redis
// accepts is accepted here and one it rejects is rejected with the same text.

namespace basalt::codec {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// Redis's limits for clients that have not authenticated yet, so an anonymous peer cannot make
// the server allocate much before AUTH.
constexpr int64_t kMaxUnauthMultibulk = 10;
constexpr int64_t kMaxUnauthBulk = 16384;
// Redis caps how many argv slots it reserves up front; a huge count alone must not allocate.
constexpr int64_t kMaxArgvReserve = 1024;

// Redis searches its NUL-terminated query buffer with strchr, which stops at the first NUL. A
// NUL before the terminator therefore hides the line until the "too big" limit trips; we keep
// that behaviour rather than accept requests Redis would leave waiting.
size_t FindBeforeNul(std::string_view s, char c) {
  const char targets[2] = {c, '\0'};
  size_t pos = s.find_first_of(std::string_view(targets, 2));
  return pos != kNpos && s[pos] == c ? pos : kNpos;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

enum class LineEnd { kFound, kIncomplete, kTooBig };

// Finds the CR that ends a length line at the front of `input`. The line is complete once one
// byte follows the CR (Redis skips that byte unchecked). No CR within `max_len` bytes means
// the peer is not speaking the protocol, and Redis stops buffering.
LineEnd FindLengthLine(std::string_view input, size_t max_len, size_t* cr) {
  *cr = FindBeforeNul(input, '\r');
  if (*cr == kNpos) return input.size() > max_len ? LineEnd::kTooBig : LineEnd::kIncomplete;
  return *cr + 2 <= input.size() ? LineEnd::kFound : LineEnd::kIncomplete;
}

bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Outside quotes a token ends only at these; '\v' and '\f' are kept inside a token even though
// the blank skipping between tokens treats them as spaces, as sdssplitargs does.
bool IsTokenEnd(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
}

char Unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// The splitter walks a C string; reading past the end yields its terminator.
char At(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }

// A closing quote must end the token: a space or the end of the line must follow it.
bool EndsToken(std::string_view line, size_t i) {
  char next = At(line, i);
  return next == '\0' || IsCSpace(next);
}

// Reads a "double quoted" section; *pos is just past the opening quote on entry and just past
// the closing quote on success.
bool ReadDoubleQuoted(std::string_view line, size_t* pos, std::string* token) {
  for (size_t i = *pos;;) {
    char c = At(line, i);
    if (c == '\0') return false;
    if (c == '\\' && At(line, i + 1) == 'x' && IsHexDigit(At(line, i + 2)) &&
        IsHexDigit(At(line, i + 3))) {
      token->push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
      i += 4;
    } else if (c == '\\' && At(line, i + 1) != '\0') {
      token->push_back(Unescape(line[i + 1]));
      i += 2;
    } else if (c == '"') {
      *pos = i + 1;
      return EndsToken(line, *pos);
    } else {
      token->push_back(c);
      ++i;
    }
  }
}

// Like ReadDoubleQuoted for 'single quotes', where only \' is an escape.
bool ReadSingleQuoted(std::string_view line, size_t* pos, std::string* token) {
  for (size_t i = *pos;;) {
    char c = At(line, i);
    if (c == '\0') return false;
    if (c == '\\' && At(line, i + 1) == '\'') {
      token->push_back('\'');
      i += 2;
    } else if (c == '\'') {
      *pos = i + 1;
      return EndsToken(line, *pos);
    } else {
      token->push_back(c);
      ++i;
    }
  }
}

// Reads one token starting at a non-blank byte. Plain bytes may precede a quoted section
// (a"b c" is "ab c"), but a quoted section always ends the token.
bool ReadToken(std::string_view line, size_t* pos, std::string* token) {
  while (*pos < line.size() && !IsTokenEnd(line[*pos])) {
    char c = line[(*pos)++];
    if (c == '"') return ReadDoubleQuoted(line, pos, token);
    if (c == '\'') return ReadSingleQuoted(line, pos, token);
    token->push_back(c);
  }
  return true;
}

}  // namespace

namespace {

// Reads "<prefix><digits>\r\n" at input[*pos]: the number, or -1 if it is not all there.
int64_t PeekLength(std::string_view input, char prefix, size_t* pos) {
  size_t i = *pos;
  if (i >= input.size() || input[i] != prefix) return -1;
  int64_t n = 0;
  size_t digits = 0;
  for (++i; i < input.size() && input[i] >= '0' && input[i] <= '9' && digits < 12; ++i, ++digits) {
    n = n * 10 + (input[i] - '0');
  }
  if (digits == 0 || i + 1 >= input.size() || input[i] != '\r' || input[i + 1] != '\n') return -1;
  *pos = i + 2;
  return n;
}

}  // namespace

size_t PeekSecondArgs(std::string_view input, size_t max, std::string_view* out) {
  size_t n = 0, pos = 0;
  while (n < max) {
    const int64_t argc = PeekLength(input, '*', &pos);
    if (argc < 2) break;
    std::string_view second;
    for (int64_t a = 0; a < argc; ++a) {
      const int64_t len = PeekLength(input, '$', &pos);
      if (len < 0 || static_cast<uint64_t>(len) + 2 > input.size() - pos) return n;
      if (a == 1) second = input.substr(pos, static_cast<size_t>(len));
      pos += static_cast<size_t>(len) + 2;
    }
    out[n++] = second;
  }
  return n;
}

bool SplitInlineArgs(std::string_view line, Argv* out) {
  // sdssplitargs sees a C string, so nothing after a NUL exists for it.
  line = line.substr(0, line.find('\0'));
  Argv args;
  size_t pos = 0;
  while (true) {
    while (pos < line.size() && IsCSpace(line[pos])) ++pos;
    if (pos == line.size()) break;
    std::string token;
    if (!ReadToken(line, &pos, &token)) return false;
    args.push_back(std::move(token));
  }
  *out = std::move(args);
  return true;
}

ParseStatus RequestParser::Parse(std::string_view input, size_t* consumed, Argv* argv,
                                 std::string* error) {
  *consumed = 0;
  // Once a multibulk header is read, the rest of the request is bulks whatever its bytes are.
  if (multibulk_remaining_ > 0 || (!input.empty() && input[0] == '*')) {
    return ParseMultibulk(input, consumed, argv, error);
  }
  if (input.empty()) return ParseStatus::kNeedMore;
  return ParseInline(input, consumed, argv, error);
}

size_t RequestParser::PendingBulkBytes() const {
  if (bulk_len_ < 0) return 0;
  return static_cast<size_t>(bulk_len_) + 2 - bulk_available_;
}

ParseStatus RequestParser::ParseInline(std::string_view input, size_t* consumed, Argv* argv,
                                       std::string* error) {
  size_t newline = FindBeforeNul(input, '\n');
  if (newline == kNpos) {
    if (input.size() <= limits_.max_inline_len) return ParseStatus::kNeedMore;
    *error = "Protocol error: too big inline request";
    return ParseStatus::kError;
  }
  size_t line_len = newline;
  if (line_len > 0 && input[line_len - 1] == '\r') --line_len;
  if (!SplitInlineArgs(input.substr(0, line_len), argv)) {
    *error = "Protocol error: unbalanced quotes in request";
    return ParseStatus::kError;
  }
  *consumed = newline + 1;
  return ParseStatus::kCommand;
}

ParseStatus RequestParser::ParseMultibulk(std::string_view input, size_t* consumed, Argv* argv,
                                          std::string* error) {
  if (multibulk_remaining_ == 0) {
    LineStatus count = ReadMultibulkCount(input, consumed, error);
    if (count == LineStatus::kNeedMore) return ParseStatus::kNeedMore;
    if (count == LineStatus::kError) return ParseStatus::kError;
    if (multibulk_remaining_ == 0) {  // "*0" or a negative count: an empty command
      argv->clear();
      return ParseStatus::kCommand;
    }
  }
  while (multibulk_remaining_ > 0) {
    if (bulk_len_ < 0) {
      LineStatus header = ReadBulkHeader(input.substr(*consumed), consumed, error);
      if (header == LineStatus::kNeedMore) return ParseStatus::kNeedMore;
      if (header == LineStatus::kError) return ParseStatus::kError;
    }
    std::string_view rest = input.substr(*consumed);
    size_t needed = static_cast<size_t>(bulk_len_) + 2;
    if (rest.size() < needed) {
      bulk_available_ = rest.size();
      return ParseStatus::kNeedMore;
    }
    pending_.emplace_back(rest.substr(0, bulk_len_));
    *consumed += needed;
    bulk_len_ = -1;
    --multibulk_remaining_;
  }
  *argv = std::move(pending_);
  pending_.clear();  // a moved-from vector is only "valid but unspecified"
  return ParseStatus::kCommand;
}

RequestParser::LineStatus RequestParser::ReadMultibulkCount(std::string_view input,
                                                            size_t* consumed, std::string* error) {
  size_t cr;
  LineEnd end = FindLengthLine(input, limits_.max_inline_len, &cr);
  if (end == LineEnd::kIncomplete) return LineStatus::kNeedMore;
  if (end == LineEnd::kTooBig) {
    *error = "Protocol error: too big mbulk count string";
    return LineStatus::kError;
  }
  int64_t count;
  if (!ParseInt64(input.substr(1, cr - 1), &count) || count > std::numeric_limits<int32_t>::max()) {
    *error = "Protocol error: invalid multibulk length";
    return LineStatus::kError;
  }
  if (limits_.auth_required && count > kMaxUnauthMultibulk) {
    *error = "Protocol error: unauthenticated multibulk length";
    return LineStatus::kError;
  }
  *consumed += cr + 2;
  multibulk_remaining_ = std::max<int64_t>(count, 0);
  pending_.clear();
  pending_.reserve(std::min(multibulk_remaining_, kMaxArgvReserve));
  return LineStatus::kRead;
}

RequestParser::LineStatus RequestParser::ReadBulkHeader(std::string_view input, size_t* consumed,
                                                        std::string* error) {
  size_t cr;
  LineEnd end = FindLengthLine(input, limits_.max_inline_len, &cr);
  if (end == LineEnd::kIncomplete) return LineStatus::kNeedMore;
  if (end == LineEnd::kTooBig) {
    *error = "Protocol error: too big bulk count string";
    return LineStatus::kError;
  }
  if (input[0] != '$') {
    // Redis formats this one with addReplyErrorFormat, which turns CR and LF into spaces.
    char got = (input[0] == '\r' || input[0] == '\n') ? ' ' : input[0];
    *error = std::string("Protocol error: expected '$', got '") + got + "'";
    return LineStatus::kError;
  }
  int64_t len;
  if (!ParseInt64(input.substr(1, cr - 1), &len) || len < 0 || len > limits_.max_bulk_len) {
    *error = "Protocol error: invalid bulk length";
    return LineStatus::kError;
  }
  if (limits_.auth_required && len > kMaxUnauthBulk) {
    *error = "Protocol error: unauthenticated bulk length";
    return LineStatus::kError;
  }
  *consumed += cr + 2;
  bulk_len_ = len;
  bulk_available_ = 0;
  return LineStatus::kRead;
}

}  // namespace basalt::codec
