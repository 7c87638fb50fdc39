#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/access_control.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"

namespace eventline::http {

/// Limits that bound what one connection, or all of them, can make the server hold or
/// wait for. Each has a safe default; docs/design.md says what happens past each.
struct ConnectionLimits {
    std::size_t max_body_bytes = 16 * 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;  // the whole header block: 431 past it
    std::size_t max_header_count = 100;        // header fields: 431 past it
    std::size_t max_url_bytes = 8 * 1024;      // the request target: 414 past it
    std::size_t max_connections = 4096;        // open at once: see Server::accept
    std::chrono::seconds idle_timeout{60};     // keep-alive: waiting for the next request
    std::chrono::seconds header_timeout{10};   // first byte to the end of the header block
    std::chrono::seconds request_timeout{30};  // receiving one body, or sending one response
};

class Session;

/// What every session of a server shares.
struct SessionContext {
    SessionContext(const Router& router_, metrics::HttpMetrics& metrics_,
                   metrics::ConnectionMetrics& connection_metrics_, AccessControl& access_,
                   ConnectionLimits limits_)
        : router(router_),
          metrics(metrics_),
          connection_metrics(connection_metrics_),
          access(access_),
          limits(limits_) {}

    const Router& router;
    metrics::HttpMetrics& metrics;
    metrics::ConnectionMetrics& connection_metrics;
    AccessControl& access;
    ConnectionLimits limits;

    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> requests_in_flight{0};
    std::atomic<std::size_t> open_connections{0};

    // Live sessions, so that shutdown can close the idle ones and the connection limit
    // can find one to evict.
    std::mutex sessions_mutex;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

/// One HTTP/1.1 connection: reads a request, hands it to its handler, writes the answer,
/// and repeats while the client keeps the connection alive. All of a session's work runs
/// on its strand; handlers may answer from any thread.
///
/// Each phase has its own deadline: waiting for a request's first byte (idle timeout),
/// receiving its header block (header timeout: a client trickling headers, slowloris,
/// cannot hold a connection longer than that), its body and writing the answer
/// (request timeout). The caller's key is checked once the header is in, before any of
/// the body is read.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(boost::asio::ip::tcp::socket&& socket, SessionContext& context);
    ~Session();

    void start();

    /// Closes the connection if no request is in progress (used at shutdown).
    void close_if_idle();

    /// Whether no request is in progress: waiting for one, or for its header. Read from
    /// other threads, by the connection limit.
    [[nodiscard]] bool idle() const { return idle_.load(std::memory_order_relaxed); }

    /// When the session last became idle, for picking the longest idle one.
    [[nodiscard]] std::chrono::steady_clock::rep idle_since() const {
        return idle_since_.load(std::memory_order_relaxed);
    }

    /// Whether the connection has carried a whole request: a keep-alive client, rather
    /// than a socket that was opened and never used (or trickles its first header).
    [[nodiscard]] bool served() const { return served_.load(std::memory_order_relaxed); }

    /// Claims the session for eviction; false when another eviction claimed it first.
    [[nodiscard]] bool claim_for_eviction() { return !evicting_.exchange(true); }
    [[nodiscard]] bool evicting() const { return evicting_.load(); }

    /// Closes the connection to make room for a new one, if it is still idle.
    void evict();

private:
    enum class Phase { idle, header, body, handler, write };

    void read_header();
    void wait_for_request();
    void read_header_block();
    void on_header(boost::beast::error_code error);
    void on_body(boost::beast::error_code error);
    void on_read_error(boost::beast::error_code error);
    [[nodiscard]] std::optional<Response> check_header();
    void refuse_before_body(Response response);
    void dispatch();
    void send(Response response);
    void on_written(boost::beast::error_code error, bool close);
    void log_request(const Response& response, double seconds) const;
    void set_idle(bool idle);
    void close();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    SessionContext& context_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<Request> request_;
    Caller caller_;
    Resolved resolved_;
    Phase phase_ = Phase::idle;
    std::chrono::steady_clock::time_point started_;
    std::atomic<bool> idle_{true};
    std::atomic<std::chrono::steady_clock::rep> idle_since_{0};
    std::atomic<bool> evicting_{false};
    std::atomic<bool> served_{false};
    std::string remote_;
    std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> response_;
};

}  // namespace eventline::http
