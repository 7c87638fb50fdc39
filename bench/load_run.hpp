#pragma once

#include "request_set.hpp"
#include "run_stats.hpp"
#include "target_url.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace eventline::bench {

using Clock = std::chrono::steady_clock;

struct LoadOptions {
    std::size_t connections = 8;
    std::chrono::duration<double> duration{0.0};  // zero: every request once
    std::chrono::duration<double> timeout{60.0};  // per request, write to last byte read
};

class Connection;

/// Drives keep-alive connections on one thread, each with one request in flight, and
/// hands out the requests in file order.
class LoadRun {
public:
    LoadRun(const TargetUrl& url, const RequestSet& requests, LoadOptions options);
    ~LoadRun();
    LoadRun(const LoadRun&) = delete;
    LoadRun& operator=(const LoadRun&) = delete;

    /// Opens every connection before the clock starts; throws boost::system::system_error
    /// when one cannot be opened, since a run with fewer connections measures something else.
    void connect_all();
    /// Sends until the file is done (or the time is up) and every response is in.
    void run();

    [[nodiscard]] RunStats& stats() { return stats_; }
    [[nodiscard]] double elapsed_s() const;
    /// The generator's own CPU time during the run: what it took from the server.
    [[nodiscard]] double cpu_s() const { return cpu_s_; }
    [[nodiscard]] std::uint64_t file_passes() const { return file_passes_; }

    // For the connections.
    [[nodiscard]] const Request* next_request();
    [[nodiscard]] const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
    [[nodiscard]] Clock::duration timeout() const { return timeout_; }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::endpoint endpoint_;
    const std::vector<Request>& requests_;
    LoadOptions options_;
    Clock::duration timeout_;
    std::vector<std::unique_ptr<Connection>> connections_;
    RunStats stats_;
    std::size_t next_ = 0;
    std::uint64_t file_passes_ = 0;
    Clock::time_point started_;
    Clock::time_point deadline_;
    Clock::time_point finished_;
    double cpu_s_ = 0.0;
};

}  // namespace eventline::bench
