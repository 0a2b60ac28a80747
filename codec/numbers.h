// Number parsing and printing with Redis's exact rules, so replies and errors match Redis
// byte for byte. Pure functions; thread-safe.
#ifndef BASALT_CODEC_NUMBERS_H_
#define BASALT_CODEC_NUMBERS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::codec {

// Redis string2ll: optional '-', digits, no '+', no spaces, no leading zeros (except "0"),
// must fit int64.
bool ParseInt64(std::string_view s, int64_t* out);
// Unsigned variant (no sign allowed).
bool ParseUint64(std::string_view s, uint64_t* out);
// Redis string2d / getDoubleFromObject: strtod semantics on the whole string; no leading
// space, no trailing bytes, NaN rejected; "inf", "+inf", "-inf" accepted.
bool ParseDouble(std::string_view s, double* out);
// Redis string2ld (INCRBYFLOAT): long double, same rules, NaN and out-of-range rejected.
bool ParseLongDouble(std::string_view s, long double* out);

// Redis ll2string.
std::string FormatInt64(int64_t v);
// Redis ld2string in LD_STR_HUMAN mode ("%.17Lf" with trailing zeros and '.' trimmed), used by
// INCRBYFLOAT. Returns an empty string for inf/nan (callers reject those first).
std::string FormatLongDoubleHuman(long double v);
// "%.17g" as Redis prints doubles in replies; "inf"/"-inf"/"nan".
std::string FormatDouble(double v);

}  // namespace basalt::codec

#endif  // BASALT_CODEC_NUMBERS_H_
