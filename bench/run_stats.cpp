#include "run_stats.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace eventline::bench {
namespace {

constexpr double kMicrosPerMilli = 1000.0;

// Nearest-rank percentile of sorted latencies, in milliseconds.
double percentile_ms(const std::vector<std::uint32_t>& sorted, double fraction) {
    if (sorted.empty()) {
        return 0.0;
    }
    const auto rank =
        static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
    const std::size_t index = std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1;
    return static_cast<double>(sorted[index]) / kMicrosPerMilli;
}

double per_second(std::uint64_t count, double elapsed_s) {
    return elapsed_s > 0.0 ? static_cast<double>(count) / elapsed_s : 0.0;
}

}  // namespace

void RunStats::record_sent(std::uint32_t events) {
    ++requests_;
    events_sent_ += events;
}

void RunStats::record_response(unsigned status, std::uint32_t events, std::uint32_t latency_us,
                               std::string_view body) {
    ++responses_;
    ++status_counts_[status];
    latencies_us_.push_back(latency_us);
    // Only a 200 means events were stored or found stored; a strict 422 has the same
    // shape but stores nothing, so its counts would overstate the work done.
    if (status == 200) {
        events_ok_ += events;
        add_counts(body);
    }
}

void RunStats::add_counts(std::string_view body) {
    scratch_.assign(body);
    scratch_.resize(body.size() + simdjson::SIMDJSON_PADDING);
    auto doc = parser_.iterate(scratch_.data(), body.size(), scratch_.size());
    std::uint64_t accepted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t rejected = 0;
    // JSON fixes no key order: operator[] is find_field_unordered, which wraps around
    // when a key comes earlier than the last one found.
    const bool ok = !doc["accepted"].get_uint64().get(accepted) &&
                    !doc["duplicates"].get_uint64().get(duplicates) &&
                    !doc["rejected"].get_uint64().get(rejected);
    if (!ok) {
        ++unparsed_bodies_;
        return;
    }
    accepted_ += accepted;
    duplicates_ += duplicates;
    rejected_ += rejected;
}

std::string RunStats::to_json(double elapsed_s, double cpu_s, std::uint64_t file_passes) {
    std::sort(latencies_us_.begin(), latencies_us_.end());
    std::string statuses;
    for (const auto& [status, count] : status_counts_) {
        fmt::format_to(std::back_inserter(statuses), "{}\"{}\": {}", statuses.empty() ? "" : ", ",
                       status, count);
    }
    const double max_ms =
        latencies_us_.empty() ? 0.0 : static_cast<double>(latencies_us_.back()) / kMicrosPerMilli;
    return fmt::format(
        "{{\"requests\": {}, \"events_sent\": {}, \"accepted\": {}, \"duplicates\": {}, "
        "\"rejected\": {}, \"status_counts\": {{{}}}, \"elapsed_s\": {:.3f}, "
        "\"requests_per_s\": {:.1f}, \"events_per_s\": {:.1f}, "
        "\"latency_ms\": {{\"p50\": {:.3f}, \"p90\": {:.3f}, \"p99\": {:.3f}, \"max\": {:.3f}}}, "
        "\"responses\": {}, \"events_in_200\": {}, \"transport_errors\": {}, "
        "\"reconnect_failures\": {}, \"unparsed_bodies\": {}, \"file_passes\": {}, "
        "\"generator_cpu_s\": {:.3f}}}",
        requests_, events_sent_, accepted_, duplicates_, rejected_, statuses, elapsed_s,
        per_second(responses_, elapsed_s), per_second(events_ok_, elapsed_s),
        percentile_ms(latencies_us_, 0.50), percentile_ms(latencies_us_, 0.90),
        percentile_ms(latencies_us_, 0.99), max_ms, responses_, events_ok_, transport_errors_,
        reconnect_failures_, unparsed_bodies_, file_passes, cpu_s);
}

}  // namespace eventline::bench
