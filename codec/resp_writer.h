// Builds RESP2 or RESP3 replies into a caller-owned byte buffer. Nothing here does I/O: the
// connection appends replies here and writes the buffer later, in as few writes as it can.
//
// In RESP2, RESP3-only types degrade exactly as Redis degrades them: maps and sets become flat
// arrays, doubles become bulk strings, booleans become integers, nulls become $-1 (or *-1 for a
// null array), verbatim strings become bulk strings, pushes become arrays.
//
// Thread-safety: none; a writer belongs to one connection.
#ifndef BASALT_CODEC_RESP_WRITER_H_
#define BASALT_CODEC_RESP_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::codec {

class ReplyWriter {
 public:
  // `out` must outlive the writer; replies are appended to it. `protocol` is 2 or 3.
  explicit ReplyWriter(std::string* out, int protocol = 2) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void set_protocol(int protocol) { protocol_ = protocol; }
  std::string* buffer() { return out_; }
  // Error replies written so far (INFO total_error_replies).
  int64_t errors() const { return errors_; }

  void SimpleString(std::string_view s);  // +OK
  // `text` is the whole message after the '-', e.g. "ERR syntax error" or "WRONGTYPE ...".
  // CR and LF inside are replaced with spaces so the reply stays one line.
  void Error(std::string_view text);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void Null();       // RESP2 "$-1", RESP3 "_"
  void NullArray();  // RESP2 "*-1", RESP3 "_"
  void ArrayHeader(int64_t n);
  void MapHeader(int64_t n);   // n key/value pairs; RESP2: array of 2n
  void SetHeader(int64_t n);   // RESP2: array of n
  void PushHeader(int64_t n);  // RESP2: array of n
  // Redis's addReplyDouble: "%.17g", "inf"/"-inf"; RESP3 ",..." and ",nan".
  void Double(double v);
  void Bool(bool v);  // RESP2: integer 1/0
  // RESP3 "=<len>\r\ntxt:<s>"; RESP2 plain bulk.
  void Verbatim(std::string_view s, std::string_view format = "txt");
  // Bytes already encoded as RESP.
  void Raw(std::string_view bytes) { out_->append(bytes); }

 private:
  // Redis tests `resp == 2` for every degradation, so anything else is treated as RESP3.
  bool IsResp2() const { return protocol_ == 2; }
  void Header(char prefix, int64_t n);
  void Crlf() { out_->append("\r\n", 2); }

  std::string* out_;  // not owned
  int protocol_;
  int64_t errors_ = 0;
};

}  // namespace basalt::codec

#endif  // BASALT_CODEC_RESP_WRITER_H_
