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

#include "http/response.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"

namespace eventline::http {

/// Limits that bound what one connection can make the server hold or wait for.
struct ConnectionLimits {
    std::size_t max_body_bytes = 16 * 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::seconds idle_timeout{60};     // keep-alive: waiting for the next request
    std::chrono::seconds request_timeout{30};  // receiving one request's body
};

class Session;

/// What every session of a server shares.
struct SessionContext {
    SessionContext(const Router& router_, metrics::HttpMetrics& metrics_, ConnectionLimits limits_)
        : router(router_), metrics(metrics_), limits(limits_) {}

    const Router& router;
    metrics::HttpMetrics& metrics;
    ConnectionLimits limits;

    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> requests_in_flight{0};

    // Live sessions, so that shutdown can close the idle ones.
    std::mutex sessions_mutex;
    std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
};

/// One HTTP/1.1 connection: reads a request, hands it to its handler, writes the answer,
/// and repeats while the client keeps the connection alive. All of a session's work runs
/// on its strand; handlers may answer from any thread.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(boost::asio::ip::tcp::socket&& socket, SessionContext& context);
    ~Session();

    void start();

    /// Closes the connection if no request is in progress (used at shutdown).
    void close_if_idle();

private:
    void read_header();
    void on_header(boost::beast::error_code error);
    void on_body(boost::beast::error_code error);
    void on_read_error(boost::beast::error_code error);
    void dispatch();
    void send(Response response);
    void on_written(boost::beast::error_code error, bool close);
    void log_request(const Response& response, double seconds) const;
    void close();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    SessionContext& context_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<Request> request_;
    Resolved resolved_;
    std::chrono::steady_clock::time_point started_;
    bool idle_ = true;
    std::string remote_;
    std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> response_;
};

}  // namespace eventline::http
