#pragma once
// ApiResponse: what the HTTP API answers to one request — a status code, a content type, a body and
// any extra headers — independent of the transport, so the routing can be tested without sockets.
//
// Every error the API gives has the JSON body {"error": {"name": "...", "message": "..."}}: `name`
// is stable and machine-readable (a StatusCode name like "InvalidArgument", or one of the HTTP-level
// names below), `message` says what was wrong and what to do.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "timeframe/status.h"

namespace ck::http {

inline constexpr const char* kJsonType = "application/json";
inline constexpr const char* kCsvType = "text/csv; charset=utf-8";
inline constexpr const char* kPrometheusType = "text/plain; version=0.0.4; charset=utf-8";

struct ApiResponse {
  int status = 200;
  std::string content_type = kJsonType;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (e.g. Allow, Retry-After)
};

ApiResponse json_response(int status, std::string body);

// {"error": {"name": name, "message": message}} with `status`.
ApiResponse error_response(int status, std::string_view name, std::string_view message);
std::string error_json(std::string_view name, std::string_view message);

// The HTTP status for an error code: InvalidArgument 400, NotFound 404, AlreadyExists and
// FailedPrecondition 409, ResourceExhausted 429, Unavailable/Cancelled 503, PermissionDenied 502
// (the exchange refused us, not the client), anything else 500.
int http_status_of(StatusCode code);
// error_response(http_status_of(code), status_code_name(code), message). REQUIRES: !status.is_ok().
ApiResponse status_response(const Status& status);

}  // namespace ck::http
