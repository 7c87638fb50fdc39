#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::bench {

/// What one run measured. Only the single I/O thread writes to it.
class RunStats {
public:
    /// A request whose bytes were all written.
    void record_sent(std::uint32_t events);
    /// A complete response; `latency_us` runs from the start of the write to the last byte.
    void record_response(unsigned status, std::uint32_t events, std::uint32_t latency_us,
                         std::string_view body);
    /// A request that got no response: reset, timeout, or a malformed response.
    void record_transport_error() { ++transport_errors_; }
    void record_reconnect_failure() { ++reconnect_failures_; }

    [[nodiscard]] std::uint64_t responses() const { return responses_; }
    [[nodiscard]] std::uint64_t transport_errors() const { return transport_errors_; }
    [[nodiscard]] std::uint64_t reconnect_failures() const { return reconnect_failures_; }

    /// The one JSON object the tool prints; sorts the latencies.
    [[nodiscard]] std::string to_json(double elapsed_s, double cpu_s, std::uint64_t file_passes);

private:
    void add_counts(std::string_view body);

    std::uint64_t requests_ = 0;
    std::uint64_t events_sent_ = 0;
    std::uint64_t responses_ = 0;
    std::uint64_t events_ok_ = 0;  // events of the requests answered 200
    std::uint64_t accepted_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t rejected_ = 0;
    std::uint64_t unparsed_bodies_ = 0;
    std::uint64_t transport_errors_ = 0;
    std::uint64_t reconnect_failures_ = 0;
    std::map<unsigned, std::uint64_t> status_counts_;
    std::vector<std::uint32_t> latencies_us_;
    simdjson::ondemand::parser parser_;
    std::string scratch_;  // a response body copied with simdjson's padding
};

}  // namespace eventline::bench
