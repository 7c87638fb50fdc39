#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/router.hpp"
#include "http/session.hpp"
#include "metrics/metrics.hpp"

namespace eventline::http {

struct ServerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8080;
    std::size_t threads = 2;
    ConnectionLimits limits;
};

/// The HTTP server: an acceptor and a pool of threads running Asio, one strand per
/// connection. It knows nothing of events or databases: routes and handlers come in.
class Server {
public:
    Server(ServerOptions options, const Router& router, metrics::HttpMetrics& metrics,
           metrics::ConnectionMetrics& connection_metrics, AccessControl& access);
    ~Server();

    /// Binds and listens; returns the port (useful when port 0 asked for any free one).
    /// Throws boost::system::system_error when the address cannot be bound.
    unsigned short listen();

    /// Starts the threads; returns at once.
    void start();

    /// Stops accepting, closes idle connections, and waits up to `grace` for requests
    /// in progress to be answered.
    void drain(std::chrono::milliseconds grace);

    /// Stops the threads (after drain) and joins them.
    void stop();

    [[nodiscard]] std::size_t requests_in_flight() const {
        return context_.requests_in_flight.load();
    }

private:
    void accept();
    void on_accepted(boost::asio::ip::tcp::socket socket);
    [[nodiscard]] bool evict_longest_idle();

    ServerOptions options_;
    boost::asio::io_context io_;
    // Keeps the threads running while a request waits on the database with no socket
    // operation pending, as every request in flight does once drain has closed the
    // acceptor; released by stop().
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer accept_retry_;  // after a failed accept (EMFILE): pause
    SessionContext context_;
    std::vector<std::thread> threads_;
};

}  // namespace eventline::http
