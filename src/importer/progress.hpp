#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace eventline::importer {

/// Shows an import's progress: on a terminal, a bar on stderr with bytes, rows/s and
/// ETA, redrawn a few times a second; otherwise a structured log line every few
/// seconds, so that a redirected run leaves a readable trace; nothing when quiet.
class Progress {
public:
    Progress(std::optional<std::uint64_t> total_bytes, bool quiet);

    /// Cheap to call often: it redraws only when enough time has passed.
    void update(std::uint64_t bytes, std::uint64_t rows);

    /// Clears the bar before the summary is printed.
    void finish();

private:
    void draw(std::uint64_t bytes, std::uint64_t rows, double seconds);
    void log(std::uint64_t bytes, std::uint64_t rows, double seconds);

    using Clock = std::chrono::steady_clock;
    std::optional<std::uint64_t> total_bytes_;
    bool quiet_;
    bool terminal_;
    Clock::time_point started_ = Clock::now();
    Clock::time_point last_shown_ = Clock::now();
    bool drawn_ = false;
};

}  // namespace eventline::importer
