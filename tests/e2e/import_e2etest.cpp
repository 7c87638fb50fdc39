// `eventline import` end to end: the real binary, real files, a real database.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "event/uuid.hpp"
#include "importer/importer.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/processes.hpp"
#include "service/service.hpp"
#include "support/test_database.hpp"

namespace eventline {
namespace {

using testing::CommandResult;
using testing::run_eventline;
using testing::TestDatabase;

constexpr const char* kHeader = "event_id,occurred_at,user_id,event_type,properties\n";

std::string id(int n) {
    char text[37];
    std::snprintf(text, sizeof text, "dddddddd-0000-4000-8000-%012d", n);
    return text;
}

std::string row(int n, const std::string& properties = "") {
    return id(n) + ",2025-01-06T10:00:00Z,user_" + std::to_string(n) + ",click," + properties + "\n";
}

class Import : public ::testing::Test {
protected:
    void SetUp() override {
        directory_ = "/tmp/eventline-import-test-" + std::to_string(getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
        testing::run_command("rm -rf '" + directory_ + "' && mkdir -p '" + directory_ + "'");
    }
    void TearDown() override { testing::run_command("rm -rf '" + directory_ + "'"); }

    std::string write(const std::string& name, const std::string& content) {
        const std::string path = directory_ + "/" + name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

    CommandResult import(const std::string& path, std::vector<std::string> extra = {},
                         const std::string& stdin_path = "") {
        std::vector<std::string> args{"import", path, "--database-url", database_.url(), "--quiet"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_eventline(args, stdin_path);
    }

    long long count(const std::string& where = "") {
        return database_.scalar(("SELECT count(*) FROM events " + where).c_str());
    }

    TestDatabase database_;
    std::string directory_;
};

TEST_F(Import, LoadsAFileAndPrintsTheSummary) {
    const std::string path = write("events.csv", std::string(kHeader) + row(1) + row(2, R"("{""plan"":""pro""}")"));

    const CommandResult result = import(path);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("inserted"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("rows/s"), std::string::npos);
    EXPECT_EQ(count(), 2);
    EXPECT_EQ(count("WHERE properties @> '{\"plan\":\"pro\"}'"), 1);
    EXPECT_EQ(count("WHERE properties = '{}'"), 1);
}

TEST_F(Import, HandlesTrickyCsv) {
    // BOM, CRLF, another column order, an extra column, quotes, commas and a newline
    // inside properties, an empty properties field, and a last line without newline.
    const std::string content =
        "\xEF\xBB\xBF" "user_id,extra,event_type,properties_json,occurred_at,event_id\r\n"
        // properties is {"text":"a, \"quoted\"\nline"}: JSON escapes, then CSV's doubled quotes.
        R"(u1,x,click,"{""text"":""a, \""quoted\""\nline""}",2025-01-06T10:00:00+02:00,)" + id(1) +
        "\r\n"
        "u2,,view,,2025-01-06T10:00:00Z," + id(2) + "\r\n"
        "u3,y,view,\"{\"\"multi\"\":\n\"\"line\"\"}\",2025-01-06T10:00:00Z," + id(3);
    const std::string path = write("tricky.csv", content);

    const CommandResult result = import(path);

    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    EXPECT_EQ(count(), 3);
    EXPECT_EQ(count("WHERE properties->>'text' = 'a, \"quoted\"\nline' AND user_id = 'u1' "
                    "AND occurred_at = '2025-01-06T08:00:00Z'"),
              1);
    EXPECT_EQ(count("WHERE properties = '{\"multi\": \"line\"}'"), 1);
}

TEST_F(Import, RejectsBadRowsWithTheirLineNumbersAndKeepsGoing) {
    std::string content = std::string(kHeader) + row(1);                            // line 2
    content += "not-a-uuid,2025-01-06T10:00:00Z,u,click,\n";                         // line 3
    content += id(4) + ",\"2025-01-06\nT10:00:00Z\",u,click,\n";                     // lines 4-5
    content += id(5) + ",2025-01-06T10:00:00Z,u,click\n";                            // line 6: missing field
    content += id(6) + ",2025-01-06T10:00:00Z,\xff\xfe,click,\n";                    // line 7: bad UTF-8
    content += id(7) + ",2025-01-06T10:00:00Z,u,click,[1]\n";                        // line 8: array
    content += id(8) + ",2025-01-06T10:00:00Z," + std::string(1 << 20, 'u') + ",click,\n";  // line 9
    content += row(9);                                                               // line 10
    const std::string path = write("bad.csv", content);

    const CommandResult result = import(path, {"--rejects", directory_ + "/rejects.csv"});

    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(count(), 2);
    std::ifstream rejects(directory_ + "/rejects.csv");
    std::string all((std::istreambuf_iterator<char>(rejects)), std::istreambuf_iterator<char>());
    EXPECT_EQ(all.rfind("line,reason,record\n", 0), 0U);
    for (const char* expected : {"\n3,\"event_id", "\n4,\"occurred_at", "\n6,\"expected 5 fields",
                                 "\n7,\"user_id", "\n8,\"properties", "\n9,\"user_id"}) {
        EXPECT_NE(all.find(expected), std::string::npos) << expected << " in\n" << all.substr(0, 2000);
    }
    EXPECT_NE(result.out.find("rejected                 6"), std::string::npos) << result.out;
}

TEST_F(Import, ShowsTheFirstRejectsOnStderrWithLineNumbers) {
    const std::string path = write("one-bad.csv", std::string(kHeader) + row(1) + "x,y,z,w,\n");
    const CommandResult result = run_eventline({"import", path, "--database-url", database_.url()});

    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("line 3: event_id"), std::string::npos) << result.err;
    EXPECT_NE(result.out.find(path + ".rejects.csv"), std::string::npos) << result.out;
}

TEST_F(Import, AWrongHeaderStopsBeforeAnyRow) {
    const std::string path = write("wrong.csv", "id,time,user,type\n" + row(1));

    const CommandResult result = import(path);

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("lacks the columns event_id, occurred_at, user_id, event_type"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(count(), 0);
    EXPECT_EQ(result.out, "") << "a failure must not print a summary";
}

TEST_F(Import, ReadsGzipAndStandardInput) {
    const std::string plain = std::string(kHeader) + row(1) + row(2);
    const std::string gz = write("events.csv.gz", testing::gzip(plain));
    const std::string from_stdin = write("stdin.csv", std::string(kHeader) + row(3));

    EXPECT_EQ(import(gz).exit_code, 0);
    const CommandResult piped = import("-", {}, from_stdin);
    EXPECT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(count(), 3);
}

TEST_F(Import, ACorruptGzipFailsWithoutASummary) {
    // Large enough that the cut comes after the reader's first 4 MiB: chunks before it
    // are committed, and the run is recorded as failed.
    std::string content = kHeader;
    for (int n = 0; n < 200'000; ++n) {
        content += row(n);
    }
    std::string compressed = testing::gzip(content);
    compressed.resize(compressed.size() * 3 / 5);
    const std::string path = write("cut.csv.gz", compressed);

    const CommandResult result = import(path, {"--chunk-rows", "10000"});

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("cannot decompress"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "") << "a failure must not print a summary";
    EXPECT_EQ(database_.scalar("SELECT count(*) FROM imports WHERE outcome = 'failed'"), 1);
    EXPECT_GT(count(), 0);

    // Cut inside the first buffer: nothing starts, and nothing is recorded.
    compressed.resize(200);
    const CommandResult early = import(write("early.csv.gz", compressed));
    EXPECT_EQ(early.exit_code, 1);
    EXPECT_NE(early.err.find("cannot decompress"), std::string::npos) << early.err;
    EXPECT_EQ(database_.scalar("SELECT count(*) FROM imports"), 1);
}

TEST_F(Import, ReimportStoresNothingAndHttpEventsAreDuplicates) {
    const std::string path = write("events.csv", std::string(kHeader) + row(1) + row(2) + row(3));
    // A service on this test's database: one event arrives over HTTP first.
    service::ServiceConfig config;
    config.database_url = database_.url();
    config.apply_migrations = false;
    config.server.port = 0;
    config.auth.enabled = false;  // about the import, not keys
    service::Service service(config);
    const unsigned short port = service.start();
    testing::HttpClient client(port);
    const auto posted = client.post("/events", R"([{"event_id":")" + id(2) +
                                                   R"(","occurred_at":"2025-01-06T10:00:00Z","user_id":"h","event_type":"e"}])");
    ASSERT_EQ(posted.status, 200U);

    const CommandResult first = import(path);
    const CommandResult second = import(path);

    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.out.find("inserted                 2"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("duplicates               1"), std::string::npos) << first.out;
    ASSERT_EQ(second.exit_code, 0);
    EXPECT_NE(second.out.find("inserted                 0"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("duplicates               3"), std::string::npos) << second.out;
    EXPECT_EQ(count(), 3);
    EXPECT_EQ(count("WHERE user_id = 'h'"), 1) << "the first write wins";

    // The service reports the imports under source="csv", read from the database.
    std::this_thread::sleep_for(std::chrono::seconds(6));
    const auto metrics = client.get("/metrics");
    EXPECT_NE(metrics.body.find("events_ingested_total{source=\"csv\"} 2"), std::string::npos);
    EXPECT_NE(metrics.body.find("events_duplicates_total{source=\"csv\"} 4"), std::string::npos);
    service.stop();
}

TEST_F(Import, KeyColumnGivesStableNameBasedIds) {
    const std::string path = write("keys.csv",
                                   "order_ref,occurred_at,user_id,event_type\n"
                                   "order-17,2025-01-06T10:00:00Z,u,purchase\n"
                                   "5F0C3A4E-8A2B-4C1D-9E3F-0A1B2C3D4E5F,2025-01-06T10:00:00Z,u,purchase\n");

    ASSERT_EQ(import(path, {"-k", "order_ref"}).exit_code, 0);
    ASSERT_EQ(import(path, {"--key-column", "order_ref"}).exit_code, 0);

    const auto expected = event::uuid_v5(*event::parse_uuid(importer::kKeyNamespace), "order-17");
    EXPECT_EQ(count(), 2);
    EXPECT_EQ(count("WHERE event_id = '" + expected.to_string() + "'"), 1);
    EXPECT_EQ(count("WHERE event_id = '5f0c3a4e-8a2b-4c1d-9e3f-0a1b2c3d4e5f'"), 1)
        << "a key that is a UUID is used as it is";
}

TEST_F(Import, DryRunStoresNothing) {
    const std::string path = write("events.csv", std::string(kHeader) + row(1) + row(2));

    const CommandResult result = import(path, {"--dry-run"});

    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("dry run"), std::string::npos);
    EXPECT_EQ(count(), 0);
    EXPECT_EQ(database_.scalar("SELECT count(*) FROM imports"), 0);
}

TEST_F(Import, EveryRunIsRecordedAndListed) {
    const std::string path = write("events.csv", std::string(kHeader) + row(1) + "bad,row,,,\n");
    ASSERT_EQ(import(path).exit_code, 2);

    EXPECT_EQ(database_.scalar("SELECT count(*) FROM imports WHERE outcome = 'completed_with_rejects' "
                               "AND rows_read = 2 AND inserted = 1 AND rejected = 1 "
                               "AND finished_at IS NOT NULL"),
              1);
    const CommandResult listed = run_eventline({"imports", "--database-url", database_.url()});
    EXPECT_EQ(listed.exit_code, 0);
    EXPECT_NE(listed.out.find("completed_with_rejects"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find(path), std::string::npos);
}

TEST_F(Import, KilledHalfWayThenRunAgainStoresEveryRowExactlyOnce) {
    const std::string path = directory_ + "/million.csv";
    const std::string summary = directory_ + "/summary.json";
    testing::run_command(std::string(EVENTLINE_GEN_EVENTS) + " --rows 1000000 --dup-ratio 0.01 " +
                         "--bad-ratio 0.001 --seed 7 -q --out '" + path + "' --summary-json '" +
                         summary + "'");

    // Start the import in the background and kill it once some chunks are committed.
    const pid_t pid = fork();
    if (pid == 0) {
        execl(EVENTLINE_BINARY, EVENTLINE_BINARY, "import", path.c_str(), "--database-url",
              database_.url().c_str(), "--quiet", "--chunk-rows", "20000", nullptr);
        _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (count() < 200'000 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    const long long after_kill = count();
    ASSERT_GE(after_kill, 200'000);
    ASSERT_LT(after_kill, 990'000) << "the import finished before it could be killed";

    const CommandResult again = import(path);

    EXPECT_EQ(again.exit_code, 2) << again.err;  // the generated bad rows
    const testing::Json expected(
        [&] {
            std::ifstream file(summary);
            return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        }());
    const long long unique_valid = expected.root()["valid_unique"].get_int64().value();
    EXPECT_EQ(count(), unique_valid);
    EXPECT_EQ(database_.scalar("SELECT count(*) FROM (SELECT event_id FROM events "
                               "GROUP BY event_id HAVING count(*) > 1) d"),
              0);
}

}  // namespace
}  // namespace eventline
