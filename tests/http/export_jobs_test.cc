// Export jobs: POST /v1/exports → PENDING → RUNNING → SUCCEEDED/FAILED, the manifest, the errors.
#include "tools/http/export_jobs.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/http/server_fixture.h"

namespace ck::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kBody = R"({"markets": ["KRW-BTC", "KRW-ETH"], "timeframes": ["15m", "1h"],
                              "from": "2024-06-01", "to": "2024-06-02", "format": "csv"})";

class ExportJobsTest : public ServerFixture {
 protected:
  // Polls the job until it is finished (bounded).
  json wait_finished(const std::string& id) {
    json j;
    for (int i = 0; i < 2000; ++i) {
      auto r = client->get("/v1/exports/" + id);
      EXPECT_TRUE(r && r->status == 200);
      if (!r) return j;
      j = json::parse(r->body);
      if (j["status"] == "SUCCEEDED" || j["status"] == "FAILED") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return j;
  }
  std::string submit(const std::string& body) {
    auto r = client->request("POST", "/v1/exports", body, {{"Content-Type", "application/json"}});
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 202) << r->body;
    json j = json::parse(r->body);
    EXPECT_EQ(j["status"], "PENDING");
    EXPECT_EQ(r->header("location"), "/v1/exports/" + j["job_id"].get<std::string>());
    return j["job_id"].get<std::string>();
  }

  // Holds the fake exchange inside its next page until released, so a fetching job stays RUNNING.
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool entered = false, open = false;
  };
  void hold_pages() {
    source->mutate_page = [this](std::vector<Candle>&) {
      std::unique_lock lock(gate.mu);
      gate.entered = true;
      gate.cv.notify_all();
      gate.cv.wait(lock, [&] { return gate.open; });
    };
  }
  void release_pages() {
    {
      std::lock_guard lock(gate.mu);
      gate.open = true;
    }
    gate.cv.notify_all();
  }
  void TearDown() override {
    release_pages();  // a job held in the exchange must finish for the server to stop
    ServerFixture::TearDown();
  }
  Gate gate;
};

TEST_F(ExportJobsTest, AJobSucceedsAndItsManifestIsTheWrittenFile) {
  std::string id = submit(kBody);
  json j = wait_finished(id);
  ASSERT_EQ(j["status"], "SUCCEEDED") << j.dump();
  EXPECT_EQ(j["job_id"], id);
  EXPECT_EQ(j["files"], 4);
  EXPECT_EQ(j["rows"], 2 * (96 + 24));
  EXPECT_EQ(j["progress"]["stage"], "done");
  EXPECT_EQ(j["progress"]["files_done"], 4);
  EXPECT_EQ(j["progress"]["files_total"], 4);
  EXPECT_EQ(j["request"]["timeframes"], json({"15m", "1h"}));
  EXPECT_FALSE(j["finished_at"].is_null());
  auto m = client->get("/v1/exports/" + id + "/manifest");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->status, 200) << m->body;
  // Written under the data directory, in the job's own folder.
  const fs::path out = fs::path(dir.path()) / "exports" / id;
  EXPECT_EQ(m->body, read_file((out / "manifest.json").string()));
  json manifest = json::parse(m->body);
  ASSERT_EQ(manifest["files"].size(), 4u);
  for (const auto& f : manifest["files"]) EXPECT_TRUE(fs::exists(out / f["name"].get<std::string>())) << f.dump();
  // The CSV is the candles of the range as `get` prints them.
  auto direct = client->get("/v1/candles?market=KRW-BTC&timeframe=1h&from=2024-06-01&to=2024-06-02");
  EXPECT_EQ(read_file((out / "KRW-BTC_1h.csv").string()), direct->body);
}

TEST_F(ExportJobsTest, JobsArePendingWhileAnotherRunsAndThenBothSucceed) {
  hold_pages();
  // KRW-XRP is not stored: the first job fetches it and blocks inside the exchange.
  std::string a = submit(R"({"markets": ["KRW-XRP"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02",
                            "fetch": true})");
  {
    std::unique_lock lock(gate.mu);
    ASSERT_TRUE(gate.cv.wait_for(lock, std::chrono::seconds(10), [&] { return gate.entered; }));
  }
  std::string b = submit(kBody);
  auto ja = json::parse(client->get("/v1/exports/" + a)->body);
  auto jb = json::parse(client->get("/v1/exports/" + b)->body);
  EXPECT_EQ(ja["status"], "RUNNING");
  EXPECT_EQ(ja["progress"]["stage"], "starting");  // held inside its first page: nothing reported yet
  EXPECT_EQ(jb["progress"]["stage"], "waiting");
  EXPECT_FALSE(ja["started_at"].is_null());
  EXPECT_EQ(jb["status"], "PENDING");
  EXPECT_TRUE(jb["started_at"].is_null());
  // The manifest of an unfinished job is not there yet.
  auto m = client->get("/v1/exports/" + b + "/manifest");
  EXPECT_EQ(m->status, 409);
  EXPECT_EQ(json::parse(m->body)["error"]["name"], "FailedPrecondition");
  auto list = json::parse(client->get("/v1/exports")->body);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["job_id"], a);
  EXPECT_EQ(list[1]["job_id"], b);
  release_pages();
  EXPECT_EQ(wait_finished(a)["status"], "SUCCEEDED");
  EXPECT_EQ(wait_finished(b)["status"], "SUCCEEDED");
}

TEST_F(ExportJobsTest, AFailedJobSaysWhy) {
  source->banned = true;
  std::string id = submit(R"({"markets": ["KRW-XRP"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02",
                             "fetch": true})");
  json j = wait_finished(id);
  ASSERT_EQ(j["status"], "FAILED");
  EXPECT_TRUE(j["error"]["name"].is_string());
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  auto m = client->get("/v1/exports/" + id + "/manifest");
  EXPECT_GE(m->status, 400);
  EXPECT_TRUE(json::parse(m->body).contains("error"));
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "exports" / id / "manifest.json"));
}

TEST_F(ExportJobsTest, UnknownMarketIs404) {
  auto r = client->request("POST", "/v1/exports",
                           R"({"markets": ["KRW-NOPE"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"]["name"], "NotFound");
}

TEST_F(ExportJobsTest, BadBodiesAre400) {
  for (const char* body : {
           "{not json",
           "[1, 2]",
           R"({"markets": ["KRW-BTC"], "timeframes": ["7m"], "from": "2024-06-01", "to": "2024-06-02"})",
           R"({"markets": ["KRW-BTC"], "timeframes": ["1h"], "from": "2024-06-03", "to": "2024-06-02"})",
           R"({"markets": ["KRW-BTC"], "timeframes": ["1h"], "from": "2024-06-01"})",
           R"({"markets": ["KRW-BTC"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02", "format": "xls"})",
           R"({"markets": ["KRW-BTC"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02", "out": "/tmp/x"})",
           R"({"markets": 5, "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02"})",
           R"({"markets": [], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02"})",
           R"({"markets": ["KRW-BTC"], "timeframes": ["1h"], "from": true, "to": "2024-06-02"})",
           "",
       }) {
    auto r = client->request("POST", "/v1/exports", body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body << " → " << r->body;
    EXPECT_EQ(json::parse(r->body)["error"]["name"], "InvalidArgument") << body;
  }
  EXPECT_EQ(json::parse(client->get("/v1/exports")->body).size(), 0u);
}

TEST_F(ExportJobsTest, StoppingTheServerCancelsTheRunningJobAndLeavesNoFiles) {
  hold_pages();
  std::string id = submit(R"({"markets": ["KRW-XRP"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02",
                             "fetch": true})");
  std::string waiting = submit(kBody);
  {
    std::unique_lock lock(gate.mu);
    ASSERT_TRUE(gate.cv.wait_for(lock, std::chrono::seconds(10), [&] { return gate.entered; }));
  }
  std::thread stopper([&] { server->stop(); });
  release_pages();  // the held page returns; the export sees the cancel
  stopper.join();
  auto job = server->exports().find(id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, http::ExportJobState::kFailed);
  EXPECT_EQ(job->error.code(), StatusCode::kCancelled) << job->error.to_string();
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "exports" / id));
  auto other = server->exports().find(waiting);
  EXPECT_EQ(other->state, http::ExportJobState::kFailed);
  EXPECT_FALSE(server->exports().submit(ExportRequest{}));
}

TEST_F(ExportJobsTest, BadMarketNamesAre400) {
  auto r = client->request("POST", "/v1/exports",
                           R"({"markets": ["KRW BTC"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02",
                               "fetch": true})");
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(engine->markets().size(), 2u);
}

TEST_F(ExportJobsTest, UnknownJobIs404) {
  EXPECT_EQ(client->get("/v1/exports/0123456789abcdef")->status, 404);
  EXPECT_EQ(client->get("/v1/exports/0123456789abcdef/manifest")->status, 404);
  EXPECT_EQ(client->get("/v1/exports/x/other")->status, 404);
}

TEST_F(ExportJobsTest, TooManyPendingJobsAre429) {
  server->stop();
  http::ServerOptions so;
  so.port = 0;
  so.max_pending_exports = 1;
  server = std::make_unique<http::Server>(*engine, so);
  ASSERT_TRUE(server->start().is_ok());
  client = std::make_unique<ApiClient>(port());
  hold_pages();
  submit(R"({"markets": ["KRW-XRP"], "timeframes": ["1h"], "from": "2024-06-01", "to": "2024-06-02", "fetch": true})");
  {
    std::unique_lock lock(gate.mu);
    ASSERT_TRUE(gate.cv.wait_for(lock, std::chrono::seconds(10), [&] { return gate.entered; }));
  }
  submit(kBody);  // waits
  auto r = client->request("POST", "/v1/exports", kBody);
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"]["name"], "ResourceExhausted");
  release_pages();
}

}  // namespace
}  // namespace ck::testing
