#include "codec/resp_writer.h"

#include <algorithm>
#include <charconv>
#include <system_error>

// Reply encodings, RESP2 | RESP3 where they differ:
//
//   simple   := '+' text CRLF
//   error    := '-' text CRLF                      (CR and LF in text become spaces)
//   integer  := ':' decimal CRLF
//   bulk     := '$' len CRLF bytes CRLF
//   null     := "$-1" CRLF | '_' CRLF               (null array: "*-1" CRLF | '_' CRLF)
//   array    := '*' n CRLF
//   map      := '*' 2n CRLF | '%' n CRLF
//   set      := '*' n CRLF | '~' n CRLF
//   push     := '*' n CRLF | '>' n CRLF
//   double   := bulk("%.17g") | ',' "%.17g" CRLF    (inf, -inf, nan spelled as such)
//   bool     := ":1" / ":0" CRLF | "#t" / "#f" CRLF
//   verbatim := bulk(s) | '=' len+4 CRLF fmt3 ':' s CRLF

namespace basalt::codec {
namespace {

// "%.17g" needs at most 24 characters ("-2.2250738585072014e-308"); leave slack.
constexpr size_t kDoubleBufSize = 32;
// Redis writes exactly three format bytes in a verbatim header.
constexpr size_t kVerbatimFormatLen = 3;

}  // namespace

void ReplyWriter::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  Crlf();
}

void ReplyWriter::Error(std::string_view text) {
  ++errors_;
  out_->push_back('-');
  size_t start = out_->size();
  out_->append(text);
  // A CR or LF would end the error line early and desynchronise the client.
  std::replace_if(
      out_->begin() + start, out_->end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  Crlf();
}

void ReplyWriter::Integer(int64_t v) { Header(':', v); }

void ReplyWriter::Bulk(std::string_view s) {
  Header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  Crlf();
}

void ReplyWriter::Null() { out_->append(IsResp2() ? "$-1\r\n" : "_\r\n"); }

void ReplyWriter::NullArray() { out_->append(IsResp2() ? "*-1\r\n" : "_\r\n"); }

void ReplyWriter::ArrayHeader(int64_t n) { Header('*', n); }

void ReplyWriter::MapHeader(int64_t n) {
  if (IsResp2()) {
    Header('*', 2 * n);
  } else {
    Header('%', n);
  }
}

void ReplyWriter::SetHeader(int64_t n) { Header(IsResp2() ? '*' : '~', n); }

void ReplyWriter::PushHeader(int64_t n) { Header(IsResp2() ? '*' : '>', n); }

void ReplyWriter::Double(double v) {
  // to_chars with a precision prints as printf's "%.17g" would, but without the locale, and
  // spells infinities and NaN "inf", "-inf" and "nan" as glibc (and so Redis) does.
  char buf[kDoubleBufSize];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 17);
  std::string_view text(buf, ec == std::errc() ? end - buf : 0);
  if (IsResp2()) {
    Bulk(text);
    return;
  }
  out_->push_back(',');
  out_->append(text);
  Crlf();
}

void ReplyWriter::Bool(bool v) {
  if (IsResp2()) {
    out_->append(v ? ":1\r\n" : ":0\r\n");
  } else {
    out_->append(v ? "#t\r\n" : "#f\r\n");
  }
}

void ReplyWriter::Verbatim(std::string_view s, std::string_view format) {
  if (IsResp2()) {
    Bulk(s);
    return;
  }
  // Redis copies the format as a C string into three bytes, padding a short one with spaces.
  format = format.substr(0, std::min(format.find('\0'), kVerbatimFormatLen));
  Header('=', static_cast<int64_t>(s.size() + kVerbatimFormatLen + 1));
  out_->append(format);
  out_->append(kVerbatimFormatLen - format.size(), ' ');
  out_->push_back(':');
  out_->append(s);
  Crlf();
}

void ReplyWriter::Header(char prefix, int64_t n) {
  // prefix, up to 20 characters for an int64, CRLF.
  char buf[1 + 20 + 2];
  buf[0] = prefix;
  char* end = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out_->append(buf, end - buf);
}

}  // namespace basalt::codec
