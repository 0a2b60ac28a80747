// Pure text encodings used by basalt-dump's output formats: binary-safe JSON strings, base64,
// a small JSON reader for `import --format jsonl`, shortest round-trip score text, and the
// quoting of arbitrary bytes for human-readable listings. No I/O; thread-safe.
//
// Binary-safe JSON ("bstr"): a byte string that is valid UTF-8 is written as a JSON string
// (`"`, `\` and control characters escaped as \" \\ \n \r \t \b \f \u00XX); any other byte
// string is written as the object {"base64":"<RFC 4648 standard alphabet, padded>"}. A reader
// accepts both forms, so every byte sequence round-trips exactly.
#ifndef BASALT_TOOLS_DUMP_TEXT_H_
#define BASALT_TOOLS_DUMP_TEXT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::dump {

bool IsValidUtf8(std::string_view s);
std::string Base64Encode(std::string_view in);
// False on characters outside the alphabet or bad padding.
bool Base64Decode(std::string_view in, std::string* out);

// Appends `s` as a JSON string literal (REQUIRES: valid UTF-8).
void AppendJsonString(std::string* out, std::string_view s);
// Appends `s` as a bstr (see above).
void AppendJsonBytes(std::string* out, std::string_view s);

// Shortest text that parses back to exactly `score` ("inf", "-inf" for the infinities), as
// Redis accepts it in ZADD.
std::string FormatScore(double score);
// Parses a score as written by FormatScore (also "+inf"). False on anything else or NaN.
bool ParseScore(std::string_view text, double* score);

// `s` as one shell-safe token for listings: unchanged when it is non-empty printable ASCII
// without spaces, quotes or backslashes; otherwise in double quotes with \" \\ \n \r \t and
// \xHH escapes (redis-cli's style).
std::string QuoteForDisplay(std::string_view s);

// A parsed JSON value (just enough of JSON for the jsonl import).
struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;         // kString: the decoded bytes; kNumber: the literal as written
  std::vector<Json> items;  // kArray
  std::vector<std::pair<std::string, Json>> members;  // kObject, in document order

  const Json* Find(std::string_view name) const;  // kObject member, or nullptr
};
// Parses one JSON document. On failure returns false and sets *error.
bool ParseJson(std::string_view in, Json* out, std::string* error);
// Decodes a bstr value (a JSON string, or {"base64": ...}). False if `v` is neither.
bool JsonToBytes(const Json& v, std::string* out);

}  // namespace basalt::dump

#endif  // BASALT_TOOLS_DUMP_TEXT_H_
