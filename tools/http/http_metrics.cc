#include "tools/http/http_metrics.h"

#include <cstdio>

#include "timeframe/candle_csv.h"

namespace ck::http {

void append_metric_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  append_number(out, value);
  out += '\n';
}

void HttpMetrics::record(std::string_view route, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.emplace(std::string(route), Route{}).first;
  Route& r = it->second;
  ++r.by_status[status];
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  ++r.buckets[b];
  r.sum += seconds;
  ++r.count;
}

uint64_t HttpMetrics::requests(std::string_view route, int status) const {
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) return 0;
  auto s = it->second.by_status.find(status);
  return s == it->second.by_status.end() ? 0 : s->second;
}

void HttpMetrics::render(std::string& out) const {
  std::lock_guard lock(mu_);
  append_metric_header(out, "candlekeep_http_requests_total", "counter", "HTTP requests answered, by route and status.");
  for (const auto& [route, r] : routes_) {
    for (const auto& [status, n] : r.by_status) {
      append_sample(out, "candlekeep_http_requests_total",
                    "path=\"" + route + "\",status=\"" + std::to_string(status) + "\"", double(n));
    }
  }
  append_metric_header(out, "candlekeep_http_request_duration_seconds", "histogram",
                       "Time from a request read to its response written, by route.");
  for (const auto& [route, r] : routes_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += r.buckets[b];
      char le[32] = "+Inf";
      if (b < kBuckets.size()) std::snprintf(le, sizeof le, "%g", kBuckets[b]);  // "0.0005", not "5e-04"
      append_sample(out, "candlekeep_http_request_duration_seconds_bucket",
                    "path=\"" + route + "\",le=\"" + std::string(le) + "\"", double(cumulative));
    }
    append_sample(out, "candlekeep_http_request_duration_seconds_sum", "path=\"" + route + "\"", r.sum);
    append_sample(out, "candlekeep_http_request_duration_seconds_count", "path=\"" + route + "\"", double(r.count));
  }
  append_metric_header(out, "candlekeep_http_connections_open", "gauge", "Connections open now (WebSockets included).");
  append_sample(out, "candlekeep_http_connections_open", "", double(open_.load()));
  append_metric_header(out, "candlekeep_http_connections_accepted_total", "counter", "Connections accepted.");
  append_sample(out, "candlekeep_http_connections_accepted_total", "", double(accepted_.load()));
  append_metric_header(out, "candlekeep_http_connections_refused_total", "counter",
                       "Connections answered 503 because the connection limit was reached.");
  append_sample(out, "candlekeep_http_connections_refused_total", "", double(refused_.load()));
  append_metric_header(out, "candlekeep_live_websockets_open", "gauge", "Live WebSocket connections open now.");
  append_sample(out, "candlekeep_live_websockets_open", "", double(ws_open_.load()));
}

}  // namespace ck::http
