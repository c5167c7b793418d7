#include "tools/http/http_metrics.h"

#include <gtest/gtest.h>

namespace ck::http {
namespace {

TEST(HttpMetrics, CountsByRouteAndStatus) {
  HttpMetrics m;
  m.record("/v1/candles", 200, 0.001);
  m.record("/v1/candles", 200, 0.002);
  m.record("/v1/candles", 404, 0.001);
  EXPECT_EQ(m.requests("/v1/candles", 200), 2u);
  EXPECT_EQ(m.requests("/v1/candles", 404), 1u);
  EXPECT_EQ(m.requests("/v1/screen", 200), 0u);
}

TEST(HttpMetrics, HistogramBucketsAreCumulative) {
  HttpMetrics m;
  m.record("/x", 200, 0.0004);  // <= 0.0005
  m.record("/x", 200, 0.003);   // <= 0.005
  m.record("/x", 200, 30);      // +Inf only
  std::string out;
  m.render(out);
  EXPECT_NE(out.find("candlekeep_http_request_duration_seconds_bucket{path=\"/x\",le=\"0.0005\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("candlekeep_http_request_duration_seconds_bucket{path=\"/x\",le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("candlekeep_http_request_duration_seconds_bucket{path=\"/x\",le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("candlekeep_http_request_duration_seconds_bucket{path=\"/x\",le=\"2.5\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("candlekeep_http_request_duration_seconds_bucket{path=\"/x\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("candlekeep_http_request_duration_seconds_count{path=\"/x\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("candlekeep_http_request_duration_seconds_sum{path=\"/x\"} 30.0034\n"), std::string::npos) << out;
}

TEST(HttpMetrics, EveryFamilyHasHelpAndType) {
  HttpMetrics m;
  m.record("/x", 200, 0.1);
  m.connection_opened();
  std::string out;
  m.render(out);
  size_t help = 0, type = 0;
  for (size_t at = out.find("# HELP"); at != std::string::npos; at = out.find("# HELP", at + 1)) ++help;
  for (size_t at = out.find("# TYPE"); at != std::string::npos; at = out.find("# TYPE", at + 1)) ++type;
  EXPECT_EQ(help, type);
  EXPECT_GE(help, 5u);
  EXPECT_NE(out.find("candlekeep_http_connections_open 1\n"), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
}

}  // namespace
}  // namespace ck::http
