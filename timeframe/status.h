#pragma once
// Status: the outcome of an operation that can fail, carried as a value across module boundaries.
// OK costs nothing; an error carries a code (chosen by what the caller should do next) and a message
// that says what was wrong and, where it can, what to do about it.
#include <string>
#include <string_view>
#include <utility>

namespace ck {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong; retrying the same call will fail again
  kNotFound,           // the thing asked for does not exist
  kCorruption,         // stored or received bytes fail their checks
  kIOError,            // the filesystem or a device failed
  kUnavailable,        // transient: a timeout, a reset, a 5xx; retrying may succeed
  kResourceExhausted,  // a limit was hit (rate limit, budget); retry later or ask for less
  kPermissionDenied,   // e.g. the exchange banned this client
  kAlreadyExists,
  kFailedPrecondition,
  kCancelled,
  kInternal,
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status io_error(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status resource_exhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status permission_denied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status already_exists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status failed_precondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: <message>", or "OK".
  std::string to_string() const;
  // The same status with `context` prepended to the message ("reading x.csv: ...").
  Status with_context(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace ck

// Propagates a non-OK Status from an expression returning Status.
#define CK_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::ck::Status ck_status_ = (expr);         \
    if (!ck_status_.is_ok()) return ck_status_; \
  } while (0)
