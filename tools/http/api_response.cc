#include "tools/http/api_response.h"

#include <nlohmann/json.hpp>

namespace ck::http {

ApiResponse json_response(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string error_json(std::string_view name, std::string_view message) {
  nlohmann::ordered_json j;
  j["error"] = {{"name", name}, {"message", message}};
  // Messages may quote bytes a client sent: never let invalid UTF-8 make dump() throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

ApiResponse error_response(int status, std::string_view name, std::string_view message) {
  return json_response(status, error_json(name, message));
}

int http_status_of(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled: return 503;
    case StatusCode::kPermissionDenied: return 502;
    default: return 500;
  }
}

ApiResponse status_response(const Status& status) {
  return error_response(http_status_of(status.code()), status_code_name(status.code()), status.message());
}

}  // namespace ck::http
