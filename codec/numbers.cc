// Number parsing and printing that reproduces Redis 7.0 (util.c) byte for byte.
//
// Every rule below was checked against a real redis-server 7.0.15 (INCRBY, ZADD/ZSCORE,
// INCRBYFLOAT); the unit tests pin those observations. Floating-point text goes through the C
// library (strtod, strtold, snprintf) on purpose: Redis does the same, so rounding, hex floats,
// "inf"/"infinity" spellings and "%.17Lf" digits all come out identical. Like Redis, this
// assumes the "C" LC_NUMERIC locale, which holds because Basalt never calls setlocale for it.
#include "codec/numbers.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <system_error>

namespace basalt::codec {
namespace {

// Redis's MAX_LONG_DOUBLE_CHARS. string2ld copies its input into a buffer of this size and
// refuses anything that does not fit with its terminator, so INCRBYFLOAT rejects increments of
// 5120 bytes or more even when they spell a valid number ("1.000...0").
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// isspace() in the "C" locale. Written out so a byte >= 0x80 never reaches <cctype> as a
// negative int.
bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Parses the digits of an unsigned decimal in string2ll's shape: a nonzero first digit, then
// digits only, no sign and no spaces. "0" itself is handled by the callers because string2ll
// accepts it only as the whole input (so "-0" and "00" fail).
bool ParseMagnitude(std::string_view digits, uint64_t* out) {
  if (digits.empty() || digits.front() < '1' || digits.front() > '9') return false;
  const char* end = digits.data() + digits.size();
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (ec != std::errc() || ptr != end) return false;
  *out = value;
  return true;
}

// The strto* family differs only in result type; this picks the right one.
double StrToFloat(const char* s, char** end, double /*tag*/) { return std::strtod(s, end); }
long double StrToFloat(const char* s, char** end, long double /*tag*/) {
  return std::strtold(s, end);
}

// string2d / string2ld: strto* over the whole input, then Redis's rejections. strto* skips
// leading whitespace, so a leading space must be refused up front; the end-pointer check
// catches trailing bytes and embedded NULs (the copy is NUL-terminated, the view is not).
// ERANGE is an error only when the result is infinite (overflow) or zero (total underflow):
// glibc also raises ERANGE for subnormal results, and Redis keeps those ("1e-310" is a valid
// score).
template <typename T>
bool ParseFloating(std::string_view s, T* out) {
  if (s.empty() || IsCSpace(s.front())) return false;
  const std::string text(s);
  char* end = nullptr;
  errno = 0;
  const T value = StrToFloat(text.c_str(), &end, T{});
  const bool range_error = errno == ERANGE && (std::isinf(value) || value == 0);
  if (end != text.c_str() + text.size() || range_error || std::isnan(value)) return false;
  *out = value;
  return true;
}

// Drops the zeros "%.17Lf" pads the fraction with, then a bare '.', as LD_STR_HUMAN does.
// Integral text has no '.', so its zeros are significant and stay.
void TrimFraction(std::string* text) {
  if (text->find('.') == std::string::npos) return;
  const size_t last = text->find_last_not_of('0');
  text->resize(last + 1);
  if (text->back() == '.') text->pop_back();
}

}  // namespace

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s == "0") {
    *out = 0;
    return true;
  }
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  uint64_t magnitude = 0;
  if (!ParseMagnitude(s, &magnitude)) return false;
  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  if (magnitude > kMaxPositive + (negative ? 1 : 0)) return false;
  // C++20 defines unsigned-to-signed conversion as modular, so 0 - 2^63 becomes INT64_MIN.
  *out = static_cast<int64_t>(negative ? 0 - magnitude : magnitude);
  return true;
}

bool ParseUint64(std::string_view s, uint64_t* out) {
  if (s == "0") {
    *out = 0;
    return true;
  }
  return ParseMagnitude(s, out);
}

bool ParseDouble(std::string_view s, double* out) { return ParseFloating(s, out); }

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.size() >= kMaxLongDoubleChars) return false;
  return ParseFloating(s, out);
}

std::string FormatInt64(int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  // 24 bytes hold every int64 ("-9223372036854775808" is 20), so ec is always success.
  static_cast<void>(ec);
  return std::string(buf, end);
}

std::string FormatLongDoubleHuman(long double v) {
  if (!std::isfinite(v)) return "";
  // The widest finite long double prints as ~4950 characters, so size the buffer by asking.
  const int len = std::snprintf(nullptr, 0, "%.17Lf", v);
  if (len < 0) return "";
  std::string text(static_cast<size_t>(len), '\0');
  std::snprintf(text.data(), text.size() + 1, "%.17Lf", v);
  TrimFraction(&text);
  // Tiny negatives and -0.0 print as "-0.000..."; Redis shows them as "0".
  if (text == "-0") return "0";
  return text;
}

std::string FormatDouble(double v) {
  // Spelled out rather than left to printf, which prints "-nan" for NaNs with the sign bit.
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];  // "%.17g" needs at most 24 bytes ("-1.2345678901234567e-308").
  const int len = std::snprintf(buf, sizeof(buf), "%.17g", v);
  if (len < 0) return "";
  return std::string(buf, static_cast<size_t>(len));
}

}  // namespace basalt::codec
