#include "codec/sortable_double.h"

#include <bit>
#include <cstdint>

namespace basalt::codec {

namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

void AppendSortableDouble(std::string* out, double v) {
  if (v == 0.0) v = 0.0;  // -0.0 == 0.0: both zeros get +0.0's bytes
  uint64_t bits = std::bit_cast<uint64_t>(v);
  bits = (bits & kSignBit) ? ~bits : (bits ^ kSignBit);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((bits >> shift) & 0xff));
  }
}

std::string EncodeSortableDouble(double v) {
  std::string out;
  out.reserve(kSortableDoubleSize);
  AppendSortableDouble(&out, v);
  return out;
}

bool DecodeSortableDouble(std::string_view in, double* out) {
  if (in.size() < kSortableDoubleSize) return false;
  uint64_t bits = 0;
  for (size_t i = 0; i < kSortableDoubleSize; ++i) {
    bits = (bits << 8) | static_cast<uint8_t>(in[i]);
  }
  // An encoded non-negative has its top bit set; an encoded negative has it clear.
  bits = (bits & kSignBit) ? (bits ^ kSignBit) : ~bits;
  *out = std::bit_cast<double>(bits);
  return true;
}

}  // namespace basalt::codec
