// Fuzzes the server's request parser (codec/resp_parser.h) the way a connection drives it: a
// query buffer that grows by reads, Parse() called until it needs more, consumed bytes dropped.
//
// Input layout: byte 0 picks the limits (bit 0: unauthenticated client, bit 1: a small
// proto-max-bulk-len, bit 2: a small inline limit), byte 1 seeds the read sizes, the rest is
// the byte stream a client sends.
//
// Checks, beyond the sanitizers: the parser never claims more bytes than it was given, never
// returns a bulk longer than the bulk limit, its PendingBulkBytes() stays within one bulk,
// and the commands it finds do not depend on how the stream was split into reads (the same
// stream in one read and in many small ones gives the same commands and the same error), except
// where a small inline limit makes the outcome depend on what was buffered, as in Redis.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "codec/resp_parser.h"

namespace {

using basalt::codec::Argv;
using basalt::codec::ParserLimits;
using basalt::codec::ParseStatus;
using basalt::codec::RequestParser;

// Stops the process with a message: libFuzzer reports the abort as a crash with this input.
void Fail(const char* what) {
  std::fprintf(stderr, "resp_parser_fuzz: %s\n", what);
  std::abort();
}

struct Outcome {
  std::vector<Argv> commands;
  std::string error;  // empty unless the parser reported a protocol error
  size_t left = 0;    // bytes still buffered at the end
};

// Feeds `stream` in reads of the sizes `next_read` returns (0 = all that is left), as
// Connection::ProcessInput does.
template <typename NextRead>
Outcome Drive(const ParserLimits& limits, std::string_view stream, NextRead next_read) {
  RequestParser parser(limits);
  Outcome out;
  std::string buffer;
  size_t fed = 0;
  while (fed < stream.size()) {
    size_t n = next_read();
    if (n == 0 || n > stream.size() - fed) n = stream.size() - fed;
    buffer.append(stream.substr(fed, n));
    fed += n;
    while (!buffer.empty()) {
      size_t consumed = 0;
      Argv argv;
      std::string error;
      // Inline arguments are bounded by the inline limit only, as in Redis.
      const bool multibulk = parser.InMultibulk() || buffer[0] == '*';
      ParseStatus st = parser.Parse(buffer, &consumed, &argv, &error);
      if (consumed > buffer.size()) Fail("consumed more than the buffer");
      buffer.erase(0, consumed);
      if (st == ParseStatus::kError) {
        if (error.empty()) Fail("error without text");
        out.error = error;
        out.left = buffer.size();
        return out;
      }
      if (parser.PendingBulkBytes() > static_cast<uint64_t>(limits.max_bulk_len) + 2) {
        Fail("pending bulk bytes beyond one bulk");
      }
      if (st == ParseStatus::kNeedMore) break;
      for (const std::string& arg : argv) {
        if (multibulk && arg.size() > static_cast<uint64_t>(limits.max_bulk_len)) {
          Fail("bulk over the limit");
        }
      }
      if (!argv.empty()) out.commands.push_back(std::move(argv));
    }
  }
  out.left = buffer.size();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  uint32_t seed = data[1] | 1u;
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  ParserLimits limits;
  limits.auth_required = mode & 1;
  if (mode & 2) limits.max_bulk_len = 16 + (mode >> 4);
  if (mode & 4) limits.max_inline_len = 8 + (mode >> 3);

  Outcome whole = Drive(limits, stream, [] { return size_t{0}; });
  // Reads of 1..16 bytes from a small xorshift generator.
  Outcome split = Drive(limits, stream, [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return size_t{1} + seed % 16;
  });

  // A small inline limit trips on what is buffered (Redis behaves the same), so only streams
  // that parse cleanly both ways must agree then.
  const bool comparable = !(mode & 4) || (whole.error.empty() && split.error.empty());
  if (comparable) {
    if (whole.error != split.error) Fail("error depends on read sizes");
    if (whole.commands != split.commands) Fail("commands depend on read sizes");
    if (whole.error.empty() && whole.left != split.left) Fail("leftover depends on read sizes");
  }
  return 0;
}
