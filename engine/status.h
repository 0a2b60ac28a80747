// Status and StatusOr: the engine's one error channel. Codes are typed so that the server maps
// each to Redis's exact error text in one place (server/errors.cc); the engine never speaks
// RESP. Thread-safety: values, freely copyable.
#ifndef BASALT_ENGINE_STATUS_H_
#define BASALT_ENGINE_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace basalt::engine {

enum class Code {
  kOk = 0,
  kNotFound,       // no such key (where a command treats that as an error)
  kWrongType,      // key holds another type
  kNotInteger,     // value is not an integer or out of range
  kNotFloat,       // value is not a valid float
  kOverflow,       // increment or decrement would overflow
  kNanOrInfinity,  // float result would be NaN or Infinity
  kOutOfRange,     // an index/offset argument is out of range
  kTooLarge,       // result exceeds proto-max-bulk-len
  kSyntax,         // syntax error
  kSameObject,     // source and destination objects are the same
  kDbOutOfRange,   // DB index is out of range
  kInvalidArgument,
  kCorruption,
  kIOError,
  kBusy,
  // A hash field's value is not an integer (HINCRBY) / not a valid float (HINCRBYFLOAT).
  kHashNotInteger,
  kHashNotFloat,
  // A sorted-set score increment would produce NaN (inf + -inf).
  kScoreNaN,
  // Writes are refused: the data directory could not be written (disk full, I/O error); the
  // message says why, e.g. "No space left on device". Reads keep working.
  kDiskError,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status NotFound() { return Status(Code::kNotFound, ""); }
  static Status WrongType() { return Status(Code::kWrongType, ""); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace basalt::engine

#define BASALT_RETURN_IF_ERROR(expr)      \
  do {                                    \
    ::basalt::engine::Status _s = (expr); \
    if (!_s.ok()) return _s;              \
  } while (0)

#endif  // BASALT_ENGINE_STATUS_H_
