// API keys over real HTTP: 401 and 403 in SPEC's error shape, both ways of sending a key,
// open routes, revocation within the cache's expiry, readiness before the keys load,
// and projects kept apart. The last test runs the real binary and looks for the key
// everywhere it must not be: the database, the logs, the command's output.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "auth/key_format.hpp"
#include "auth/key_store.hpp"
#include "storage/migrator.hpp"
#include "support/expect_error.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/processes.hpp"
#include "support/running_service.hpp"

namespace eventline {
namespace {

using testing::expect_error;
using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;
using testing::Json;
using testing::RunningService;

constexpr auto kRefresh = std::chrono::milliseconds(1000);

std::string event(int n, const char* user = "u1") {
    char id[37];
    std::snprintf(id, sizeof id, "dddddddd-0000-4000-8000-%012d", n);
    return std::string(R"({"event_id":")") + id +
           R"(","occurred_at":"2025-01-06T10:00:00Z","user_id":")" + user +
           R"(","event_type":"click"})";
}

Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

void configure_auth(service::ServiceConfig& config) {
    config.auth.enabled = true;
    config.auth.key_refresh = kRefresh;
}

class Auth : public ::testing::Test {
protected:
    RunningService service_{configure_auth};
    HttpClient client_ = service_.client();
    const std::string dau_ = "/stats/dau?from=2025-01-06&to=2025-01-06";
};

TEST_F(Auth, NoKeyOrAWrongKeyIs401AndStoresNothing) {
    const HttpResponse missing = client_.post("/events", "[" + event(1) + "]");
    expect_error(missing, 401, "unauthorized");
    EXPECT_EQ(missing.header("WWW-Authenticate"), R"(Bearer realm="eventline")");

    expect_error(client_.request(boost::beast::http::verb::get, dau_), 401, "unauthorized");
    // A key of the right shape that does not exist, and things that are not keys.
    expect_error(client_.post("/events", "[" + event(1) + "]", bearer(auth::generate_key())),
                 401, "unauthorized");
    expect_error(client_.post("/events", "[]", {{"X-API-Key", "hunter2"}}), 401, "unauthorized");
    expect_error(client_.post("/events", "[]", {{"Authorization", "Basic dTpw"}}), 401,
                 "unauthorized");

    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 0);
    EXPECT_EQ(service_.metric(R"(auth_failures_total{reason="missing"})"), 3);
    EXPECT_EQ(service_.metric(R"(auth_failures_total{reason="unknown"})"), 2);
}

TEST_F(Auth, AKeyWorksAsBearerOrAsXApiKey) {
    const std::string key = service_.create_key("both ways");
    EXPECT_EQ(client_.post("/events", "[" + event(1) + "]", bearer(key)).status, 200U);
    EXPECT_EQ(client_.post("/events", "[" + event(2) + "]", {{"X-API-Key", key}}).status, 200U);
    // The scheme is case-insensitive.
    EXPECT_EQ(client_.post("/events", "[" + event(3) + "]", {{"Authorization", "bearer " + key}})
                  .status,
              200U);
    EXPECT_EQ(client_.request(boost::beast::http::verb::get, dau_, "", bearer(key)).status, 200U);
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 3);
}

TEST_F(Auth, AKeyWithoutTheRouteScopeIs403) {
    const std::string ingest = service_.create_key("sender", auth::Scope::ingest);
    const std::string read = service_.create_key("dashboard", auth::Scope::read);

    expect_error(client_.request(boost::beast::http::verb::get, dau_, "", bearer(ingest)), 403,
                 "forbidden");
    expect_error(client_.request(boost::beast::http::verb::get, "/users/u1/events", "",
                                 bearer(ingest)),
                 403, "forbidden");
    expect_error(client_.post("/events", "[" + event(1) + "]", bearer(read)), 403, "forbidden");
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 0);

    EXPECT_EQ(client_.post("/events", "[" + event(1) + "]", bearer(ingest)).status, 200U);
    EXPECT_EQ(client_.request(boost::beast::http::verb::get, dau_, "", bearer(read)).status, 200U);
    EXPECT_EQ(service_.metric(R"(auth_failures_total{reason="forbidden"})"), 3);
}

TEST_F(Auth, OperationsAndDocumentationNeedNoKey) {
    for (const char* path : {"/healthz", "/readyz", "/metrics", "/openapi.json"}) {
        EXPECT_EQ(client_.get(path).status, 200U) << path;
    }
    // Nor do a wrong route or method: there is nothing there to protect.
    EXPECT_EQ(client_.get("/nothing").status, 404U);
    EXPECT_EQ(client_.get("/events").status, 405U);
}

TEST_F(Auth, ARevokedKeyIsRefusedWithinTheRefreshInterval) {
    const std::string key = service_.create_key("to revoke");
    ASSERT_EQ(client_.post("/events", "[" + event(1) + "]", bearer(key)).status, 200U);

    storage::PgConnection connection = service_.database().connect();
    auth::revoke_key(connection, auth::key_prefix(key));
    const auto revoked_at = std::chrono::steady_clock::now();

    // No manual reload: the cache's own thread must notice. A new event each time, so
    // that the count below shows whether a refused one was stored.
    unsigned status = 200;
    int accepted = 0;
    for (int n = 2; status == 200 && std::chrono::steady_clock::now() - revoked_at < 5 * kRefresh;
         ++n) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        status = client_.post("/events", "[" + event(n) + "]", bearer(key)).status;
        accepted += status == 200 ? 1 : 0;
    }
    const auto took = std::chrono::steady_clock::now() - revoked_at;
    EXPECT_EQ(status, 401U);
    // The documented expiry is one refresh interval; allow for a slow reload.
    EXPECT_LT(took, kRefresh + std::chrono::milliseconds(1500));
    EXPECT_EQ(service_.database().scalar("SELECT count(*) FROM events"), 1 + accepted);
    EXPECT_GE(service_.metric(R"(auth_failures_total{reason="revoked"})"), 1);
}

TEST_F(Auth, EachKeyWritesAndReadsOnlyItsOwnProject) {
    const std::string alpha = service_.create_key("alpha", auth::Scope::all, "alpha");
    const std::string beta = service_.create_key("beta", auth::Scope::all, "beta");

    const HttpResponse posted =
        client_.post("/events", "[" + event(1) + "," + event(2, "u2") + "]", bearer(alpha));
    ASSERT_EQ(posted.status, 200U) << posted.body;
    EXPECT_EQ(service_.database().scalar(
                  "SELECT count(*) FROM events AS e JOIN projects AS p ON p.id = e.project_id "
                  "WHERE p.name = 'alpha'"),
              2);

    const std::string top = "/stats/top-events?from=2025-01-06&to=2025-01-06";
    const auto get = [&](const std::string& target, const std::string& key) {
        return client_.request(boost::beast::http::verb::get, target, "", bearer(key));
    };
    EXPECT_EQ(get(top, alpha).body, R"([{"event_type":"click","count":2}])");
    EXPECT_EQ(get(top, beta).body, "[]");
    EXPECT_EQ(Json(get("/users/u1/events", alpha).body)["events"].get_array().size(), 1U);
    EXPECT_EQ(Json(get("/users/u1/events", beta).body)["events"].get_array().size(), 0U);
    EXPECT_EQ(get(dau_, beta).body, R"([{"date":"2025-01-06","unique_users":0}])");

    // Idempotency is per project too: the same event_id is new to beta.
    const HttpResponse again = client_.post("/events", "[" + event(1) + "]", bearer(beta));
    EXPECT_EQ(Json(again.body).integer("accepted"), 1);
    EXPECT_EQ(get(top, beta).body, R"([{"event_type":"click","count":1}])");
}

TEST(AuthReadiness, NotReadyUntilTheKeysHaveLoaded) {
    // A database without the api_keys table: the writers connect, the keys cannot load.
    testing::TestDatabase bare(/*migrate=*/false);
    RunningService service([&](service::ServiceConfig& config) {
        configure_auth(config);
        config.database_url = bare.url();
    });
    HttpClient client = service.client();
    const std::string key = auth::generate_key();
    EXPECT_EQ(client.get("/readyz").status, 503U);
    expect_error(client.post("/events", "[]", bearer(key)), 503, "auth_unavailable");
    EXPECT_EQ(client.get("/healthz").status, 200U);

    storage::PgConnection connection = bare.connect();
    storage::apply_migrations(connection);
    const auto deadline = std::chrono::steady_clock::now() + 5 * kRefresh;
    while (client.get("/readyz").status != 200 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(client.get("/readyz").status, 200U);
    expect_error(client.post("/events", "[]", bearer(key)), 401, "unauthorized");
}

TEST(AuthProcess, TheKeyIsNowhereButInTheCreatorsHands) {
    testing::TestDatabase database;
    const std::vector<std::string> url{"--database-url", database.url()};
    const auto eventline = [&](std::vector<std::string> args) {
        args.insert(args.end(), url.begin(), url.end());
        return testing::run_eventline(args);
    };

    const testing::CommandResult created =
        eventline({"keys", "create", "--name", "ci", "--scope", "ingest", "--rate", "500"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    ASSERT_EQ(created.out.size(), auth::kKeyLength + 1) << "stdout must be the key alone";
    const std::string key = created.out.substr(0, auth::kKeyLength);
    const std::string secret = key.substr(auth::kPrefixLength);
    ASSERT_TRUE(auth::well_formed(key));
    EXPECT_NE(created.err.find(std::string(auth::key_prefix(key))), std::string::npos);

    testing::ServerProcess server(database.url(), {"--log-level", "debug",
                                                   "--key-refresh-seconds", "1"});
    HttpClient client(server.port());
    EXPECT_EQ(client.post("/events", "[" + event(1) + "]", bearer(key)).status, 200U);
    EXPECT_EQ(client.request(boost::beast::http::verb::get,
                             "/stats/dau?from=2025-01-06&to=2025-01-06", "", {{"X-API-Key", key}})
                  .status,
              403U);
    std::string mangled = key;
    mangled.back() = mangled.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(client.post("/events", "[]", bearer(mangled)).status, 401U);

    const testing::CommandResult listed = eventline({"keys", "list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find(std::string(auth::key_prefix(key))), std::string::npos);
    const testing::CommandResult revoked =
        eventline({"keys", "revoke", std::string(auth::key_prefix(key))});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_EQ(eventline({"keys", "revoke", "evl_nosuchkey"}).exit_code, 1);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    unsigned status = 200;
    while (status != 401 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        status = client.post("/events", "[" + event(2) + "]", bearer(key)).status;
    }
    EXPECT_EQ(status, 401U);
    server.stop(SIGTERM);

    // The request log names the key by its prefix; nothing anywhere holds the rest.
    const std::string log = server.log();
    EXPECT_NE(log.find(R"("key":")" + std::string(auth::key_prefix(key)) + R"(")"),
              std::string::npos);
    const std::string dump = testing::run_command("pg_dump '" + database.url() + "'", false);
    const std::vector<std::pair<std::string, std::string>> places{
        {"server log", log},
        {"database dump", dump},
        {"keys create stderr", created.err},
        {"keys list", listed.out + listed.err},
        {"keys revoke", revoked.out + revoked.err}};
    for (const auto& [where, text] : places) {
        EXPECT_EQ(text.find(secret), std::string::npos) << "the key appears in the " << where;
    }
}

}  // namespace
}  // namespace eventline
