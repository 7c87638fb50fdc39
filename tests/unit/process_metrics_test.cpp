// The process_* metrics: /proc parsing, live values, and their exposition on /metrics.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "metrics/metrics.hpp"
#include "metrics/process_metrics.hpp"

namespace eventline::metrics {
namespace {

TEST(ProcessMetrics, ParsesStatWhoseCommandNameHoldsSpacesAndParentheses) {
    // Fields 14/15 utime/stime = 250/150 ticks, 22 starttime = 1000 ticks, 23 vsize,
    // 24 rss = 300 pages.
    const std::string stat =
        "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 "
        "1000 123456789 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    const ProcessSample sample = parse_proc_stat(stat, 100, 4096, 1'700'000'000);
    EXPECT_DOUBLE_EQ(sample.cpu_seconds, 4.0);
    EXPECT_DOUBLE_EQ(sample.start_time_seconds, 1'700'000'010.0);
    EXPECT_DOUBLE_EQ(sample.virtual_bytes, 123456789.0);
    EXPECT_DOUBLE_EQ(sample.resident_bytes, 300.0 * 4096);
}

TEST(ProcessMetrics, RefusesATruncatedStatLine) {
    EXPECT_THROW((void)parse_proc_stat("1 (x) S 1 2 3", 100, 4096, 0), std::runtime_error);
    EXPECT_THROW((void)parse_proc_stat("no parenthesis", 100, 4096, 0), std::runtime_error);
}

TEST(ProcessMetrics, ReadsThisProcess) {
    const ProcessSample before = read_process_sample();
    const int fd = open("/dev/null", O_RDONLY);
    ASSERT_GE(fd, 0);
    const ProcessSample after = read_process_sample();
    close(fd);

    EXPECT_EQ(after.open_fds, before.open_fds + 1);
    EXPECT_GT(before.resident_bytes, 1024 * 1024);
    EXPECT_GE(before.virtual_bytes, before.resident_bytes);
    EXPECT_GT(before.max_fds, before.open_fds);
    const double now = std::chrono::duration<double>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    // Started within the last ten minutes, not in the future (clock ticks are 10 ms).
    EXPECT_LE(before.start_time_seconds, now + 1);
    EXPECT_GT(before.start_time_seconds, now - 600);
}

TEST(ProcessMetrics, CpuTimeGrowsWithWork) {
    const double before = read_process_sample().cpu_seconds;
    volatile double sink = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < until) {
        sink = sink + 1;
    }
    EXPECT_GT(read_process_sample().cpu_seconds, before);
}

TEST(ProcessMetrics, AreExposedUnderTheStandardNamesAndTypes) {
    const std::string text = Metrics().serialize();
    for (const char* line : {
             "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
             "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ",
             "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes ",
             "# TYPE process_open_fds gauge\nprocess_open_fds ",
             "# TYPE process_max_fds gauge\nprocess_max_fds ",
             "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ",
         }) {
        EXPECT_NE(text.find(line), std::string::npos) << line;
    }
    // Beside, not instead of, the service's own metrics.
    EXPECT_NE(text.find("events_ingested_total{source=\"http\"}"), std::string::npos);
}

}  // namespace
}  // namespace eventline::metrics
