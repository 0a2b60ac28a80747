// Order-preserving encoding of doubles: 8 bytes whose unsigned byte-wise (memcmp) order equals
// the numeric order of the doubles, so a RocksDB iteration over encoded scores visits them
// from lowest to highest. Used by the sorted-set score index (DESIGN.md "RocksDB layout").
//
// Encoding (persisted; do not change):
//   sortable := u64be( x >= +0 ? bits(x) ^ 0x8000000000000000 : ~bits(x) )
// where bits(x) is the IEEE-754 binary64 representation. -0.0 is normalised to +0.0 first, so
// both zeros encode as 80 00 00 00 00 00 00 00. -inf and +inf round-trip and sort at the ends.
// NaN has no place in the order; callers reject it before encoding (the command layer does).
//
// Pure functions; thread-safe.
#ifndef BASALT_CODEC_SORTABLE_DOUBLE_H_
#define BASALT_CODEC_SORTABLE_DOUBLE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::codec {

constexpr size_t kSortableDoubleSize = 8;

// Appends the 8-byte sortable encoding of `v` to `out`. REQUIRES: `v` is not NaN.
void AppendSortableDouble(std::string* out, double v);
// The 8-byte sortable encoding of `v`. REQUIRES: `v` is not NaN.
std::string EncodeSortableDouble(double v);
// Decodes the first 8 bytes of `in`. Returns false if `in` is shorter than 8 bytes.
bool DecodeSortableDouble(std::string_view in, double* out);

}  // namespace basalt::codec

#endif  // BASALT_CODEC_SORTABLE_DOUBLE_H_
