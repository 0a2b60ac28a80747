// Fuzzes every codec/ decoder that reads bytes from disk or from a client: the RocksDB key
// layouts (meta, expire, data/zscore keys), metadata records, sortable doubles, the protobuf
// records (format descriptor, dump stream records), and the number parsers and glob matcher
// that command arguments go through.
//
// Input layout: byte 0 picks the decoder, the rest is what it decodes.
//
// Checks, beyond the sanitizers: whatever a decoder accepts, its encoder writes back byte for
// byte (decode then encode is the identity on accepted input), and encode then decode gives
// back the value; sortable doubles keep numeric order as byte order.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "codec/glob.h"
#include "codec/key_format.h"
#include "codec/metadata.h"
#include "codec/numbers.h"
#include "codec/proto/dump.pb.h"
#include "codec/proto/format.pb.h"
#include "codec/sortable_double.h"

namespace {

namespace codec = basalt::codec;

void Fail(const char* what) {
  std::fprintf(stderr, "codec_fuzz: %s\n", what);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

void FuzzMetaKey(std::string_view in) {
  uint8_t db = 0;
  std::string_view key;
  if (!codec::DecodeMetaKey(in, &db, &key)) return Check(in.empty(), "meta key refused");
  Check(codec::EncodeMetaKey(db, key) == in, "meta key round trip");
  Check(codec::MetaDbBegin(db) <= in, "meta key below its db's range");
  if (db < 255) Check(in < codec::MetaDbEnd(db), "meta key above its db's range");
}

void FuzzExpireKey(std::string_view in) {
  uint8_t db = 0;
  uint64_t at = 0;
  std::string_view key;
  if (!codec::DecodeExpireKey(in, &db, &at, &key)) return Check(in.size() < 9, "expire refused");
  Check(codec::EncodeExpireKey(db, at, key) == in, "expire key round trip");
  Check(codec::ExpireBound(db, at) <= in, "expire key below its bound");
  if (at < UINT64_MAX) Check(in < codec::ExpireBound(db, at + 1), "expire key above bound");
}

void FuzzDataKey(std::string_view in) {
  uint8_t db = 0;
  uint64_t version = 0;
  std::string_view key, subkey;
  if (!codec::DecodeDataKey(in, &db, &key, &version, &subkey)) return;
  Check(codec::EncodeDataKey(db, key, version, subkey) == in, "data key round trip");
  Check(in.substr(0, in.size() - subkey.size()) == codec::EncodeDataPrefix(db, key, version),
        "data key prefix");
}

void FuzzMetadata(std::string_view in) {
  codec::Metadata meta;
  if (!codec::DecodeMetadata(in, &meta)) return;
  std::string again;
  if (meta.type == codec::KeyType::kString) {
    again = codec::EncodeStringMeta(meta.expire_at_ms, meta.value,
                                    (meta.flags & codec::kFlagRawString) != 0);
  } else {
    again = codec::EncodeCollectionMeta(meta);
  }
  Check(again == in, "metadata round trip");
  std::string copy(in);
  codec::SetEncodedExpire(&copy, meta.expire_at_ms ^ 0x5a5a);
  codec::Metadata changed;
  Check(codec::DecodeMetadata(copy, &changed), "metadata with a new expiry refused");
  Check(changed.expire_at_ms == (meta.expire_at_ms ^ 0x5a5a), "SetEncodedExpire");
  Check(changed.type == meta.type && changed.size == meta.size, "SetEncodedExpire changed more");
}

bool SameDouble(double a, double b) { return a == b && std::signbit(a) == std::signbit(b); }

void FuzzSortableDouble(std::string_view in) {
  double a = 0, b = 0;
  if (!codec::DecodeSortableDouble(in, &a)) return Check(in.size() < 8, "sortable refused");
  if (!std::isnan(a) && a != 0) {
    Check(codec::EncodeSortableDouble(a) == in.substr(0, 8), "sortable double round trip");
  }
  // The same bytes read as a double: encode then decode gives it back (zeros become +0).
  double raw;
  std::memcpy(&raw, in.data(), sizeof(raw));
  if (!std::isnan(raw)) {
    double back = 0;
    Check(codec::DecodeSortableDouble(codec::EncodeSortableDouble(raw), &back), "decode");
    Check(raw == 0 ? SameDouble(back, 0.0) : SameDouble(back, raw), "sortable encode/decode");
  }
  if (in.size() < 16 || !codec::DecodeSortableDouble(in.substr(8), &b)) return;
  if (std::isnan(a) || std::isnan(b)) return;
  std::string ea = codec::EncodeSortableDouble(a), eb = codec::EncodeSortableDouble(b);
  Check((a < b) == (ea < eb) && (a == b) == (ea == eb), "sortable order");
}

void FuzzProto(std::string_view in) {
  codec::proto::FormatDescriptor fd;
  if (fd.ParseFromArray(in.data(), static_cast<int>(in.size()))) {
    std::string out;
    Check(fd.SerializeToString(&out), "format descriptor serialise");
  }
  codec::proto::Record r;
  if (r.ParseFromArray(in.data(), static_cast<int>(in.size()))) {
    std::string out;
    Check(r.SerializeToString(&out), "record serialise");
    codec::proto::Record again;
    Check(again.ParseFromString(out), "record reparse");
    std::string out2;
    Check(again.SerializeToString(&out2) && out2 == out, "record round trip");
  }
}

void FuzzNumbers(std::string_view in) {
  int64_t i = 0;
  if (codec::ParseInt64(in, &i)) Check(codec::FormatInt64(i) == in, "int64 round trip");
  uint64_t u = 0;
  if (codec::ParseUint64(in, &u)) Check(std::to_string(u) == in, "uint64 round trip");
  double d = 0;
  if (codec::ParseDouble(in, &d)) {
    Check(!std::isnan(d), "ParseDouble accepted NaN");
    double back = 0;
    Check(codec::ParseDouble(codec::FormatDouble(d), &back), "FormatDouble unparsable");
    Check(SameDouble(back, d), "double round trip");
  }
  long double ld = 0;
  if (codec::ParseLongDouble(in, &ld)) {
    Check(!std::isnan(ld), "ParseLongDouble accepted NaN");
    if (std::isinf(ld)) return;  // accepted as in Redis; INCRBYFLOAT rejects the result
    std::string text = codec::FormatLongDoubleHuman(ld);
    long double back = 0;
    Check(codec::ParseLongDouble(text, &back), "FormatLongDoubleHuman unparsable");
  }
}

// Pattern and subject are split at the first NUL; the matcher's work is bounded by Redis's
// nesting limit, so a long pattern must not take exponential time (libFuzzer's -timeout).
void FuzzGlob(std::string_view in, bool nocase) {
  size_t nul = in.find('\0');
  std::string_view pattern = in.substr(0, nul);
  std::string_view subject = nul == std::string_view::npos ? in : in.substr(nul + 1);
  bool m = codec::GlobMatch(pattern, subject, nocase);
  if (pattern.find_first_of("*?[\\") == std::string_view::npos && !nocase) {
    Check(m == (pattern == subject), "literal pattern");
  }
  // As in Redis's stringmatchlen, stars match any non-empty subject (but not "": PUBLISH ""
  // reaches no PSUBSCRIBE * in Redis 7.0).
  if (!pattern.empty() && pattern.find_first_not_of('*') == std::string_view::npos) {
    Check(m == !subject.empty(), "only stars");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 9) {
    case 0:
      FuzzMetaKey(in);
      break;
    case 1:
      FuzzExpireKey(in);
      break;
    case 2:
      FuzzDataKey(in);
      break;
    case 3:
      FuzzMetadata(in);
      break;
    case 4:
      FuzzSortableDouble(in);
      break;
    case 5:
      FuzzProto(in);
      break;
    case 6:
      FuzzNumbers(in);
      break;
    case 7:
      FuzzGlob(in, false);
      break;
    case 8:
      FuzzGlob(in, true);
      break;
  }
  return 0;
}
