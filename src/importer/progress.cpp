#include "importer/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <string>

#include "logging/log.hpp"

namespace eventline::importer {
namespace {

constexpr auto kTerminalInterval = std::chrono::milliseconds(200);
constexpr auto kLogInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 30;

std::string format_duration(double seconds) {
    const auto total = static_cast<long long>(seconds);
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
}

}  // namespace

Progress::Progress(std::optional<std::uint64_t> total_bytes, bool quiet)
    : total_bytes_(total_bytes), quiet_(quiet), terminal_(isatty(STDERR_FILENO) == 1) {}

void Progress::update(std::uint64_t bytes, std::uint64_t rows) {
    if (quiet_) {
        return;
    }
    const auto now = Clock::now();
    if (now - last_shown_ < (terminal_ ? kTerminalInterval : kLogInterval)) {
        return;
    }
    last_shown_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    if (terminal_) {
        draw(bytes, rows, seconds);
    } else {
        log(bytes, rows, seconds);
    }
}

void Progress::draw(std::uint64_t bytes, std::uint64_t rows, double seconds) {
    constexpr double kMiB = 1024.0 * 1024.0;
    const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
    std::string line;
    if (total_bytes_ && *total_bytes_ > 0) {
        const double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(*total_bytes_));
        const int filled = static_cast<int>(fraction * kBarWidth);
        const double eta = fraction > 0 ? seconds / fraction - seconds : 0;
        line = fmt::format("\r[{}{}] {:3.0f}% {:.1f}/{:.1f} MiB  {:.0f} rows/s  ETA {}",
                           std::string(static_cast<std::size_t>(filled), '='),
                           std::string(static_cast<std::size_t>(kBarWidth - filled), ' '),
                           fraction * 100, static_cast<double>(bytes) / kMiB,
                           static_cast<double>(*total_bytes_) / kMiB, rate, format_duration(eta));
    } else {
        line = fmt::format("\r{:.1f} MiB  {} rows  {:.0f} rows/s  {}",
                           static_cast<double>(bytes) / kMiB, rows, rate, format_duration(seconds));
    }
    fmt::print(stderr, "{}\x1b[K", line);
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::log(std::uint64_t bytes, std::uint64_t rows, double seconds) {
    const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
    if (total_bytes_ && *total_bytes_ > 0) {
        logging::info("import progress",
                      {{"bytes", bytes}, {"total_bytes", *total_bytes_}, {"rows", rows},
                       {"rows_per_s", rate}, {"elapsed_s", seconds}});
    } else {
        logging::info("import progress", {{"bytes", bytes}, {"rows", rows}, {"rows_per_s", rate},
                                          {"elapsed_s", seconds}});
    }
}

void Progress::finish() {
    if (drawn_) {
        fmt::print(stderr, "\r\x1b[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

}  // namespace eventline::importer
