#include "load_run.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <sys/resource.h>

namespace eventline::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

// An error list for a 10,000-event batch of bad events runs to megabytes; the parser's
// default limit (8 MiB) would turn such an answer into a transport error.
constexpr std::uint64_t kMaxResponseBody = 256ULL * 1024 * 1024;

double process_cpu_s() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::uint32_t micros_since(Clock::time_point start) {
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    return static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(micros, 0, std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace

/// One keep-alive connection with at most one request in flight.
class Connection {
public:
    Connection(LoadRun& run, asio::io_context& io) : run_(run), stream_(io) {}

    void connect_blocking() {
        stream_.connect(run_.endpoint());
        stream_.socket().set_option(asio::ip::tcp::no_delay(true));
    }

    void send_next() {
        current_ = run_.next_request();
        if (current_ == nullptr) {
            return;  // no handler left pending: io_context::run returns once all are idle
        }
        const std::array buffers{asio::buffer(current_->head.data(), current_->head.size()),
                                 asio::buffer(current_->body.data(), current_->body.size())};
        sent_at_ = Clock::now();
        stream_.expires_after(run_.timeout());
        asio::async_write(stream_, buffers,
                          [this](error_code ec, std::size_t /*bytes*/) { on_written(ec); });
    }

private:
    void on_written(error_code ec) {
        if (ec) {
            fail();
            return;
        }
        run_.stats().record_sent(current_->events);
        parser_.emplace();
        parser_->body_limit(kMaxResponseBody);
        http::async_read(stream_, buffer_, *parser_,
                         [this](error_code read_ec, std::size_t /*bytes*/) { on_read(read_ec); });
    }

    void on_read(error_code ec) {
        if (ec) {
            fail();
            return;
        }
        const auto& response = parser_->get();
        run_.stats().record_response(response.result_int(), current_->events,
                                     micros_since(sent_at_), response.body());
        if (parser_->keep_alive()) {
            send_next();
        } else {
            reconnect();
        }
    }

    // The request is lost, not retried: a retry would hide the failure in the figures.
    void fail() {
        run_.stats().record_transport_error();
        reconnect();
    }

    void reconnect() {
        error_code ignored;
        stream_.socket().close(ignored);
        buffer_.clear();
        stream_.expires_after(run_.timeout());
        stream_.async_connect(run_.endpoint(), [this](error_code ec) {
            if (ec) {
                // The server is gone; this connection stops and the run reports it.
                run_.stats().record_reconnect_failure();
                return;
            }
            stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
            send_next();
        });
    }

    LoadRun& run_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::response_parser<http::string_body>> parser_;
    const Request* current_ = nullptr;
    Clock::time_point sent_at_;
};

LoadRun::LoadRun(const TargetUrl& url, const RequestSet& requests, LoadOptions options)
    : io_(1),  // the concurrency hint: only the calling thread ever runs it
      endpoint_(url.address, url.port),
      requests_(requests.requests()),
      options_(options),
      timeout_(std::chrono::duration_cast<Clock::duration>(options.timeout)) {
    connections_.reserve(options_.connections);
    for (std::size_t i = 0; i < options_.connections; ++i) {
        connections_.push_back(std::make_unique<Connection>(*this, io_));
    }
}

LoadRun::~LoadRun() = default;

void LoadRun::connect_all() {
    for (auto& connection : connections_) {
        connection->connect_blocking();
    }
}

void LoadRun::run() {
    const double cpu_before = process_cpu_s();
    started_ = Clock::now();
    deadline_ = started_ + std::chrono::duration_cast<Clock::duration>(options_.duration);
    for (auto& connection : connections_) {
        connection->send_next();
    }
    io_.run();
    finished_ = Clock::now();
    cpu_s_ = process_cpu_s() - cpu_before;
}

double LoadRun::elapsed_s() const {
    return std::chrono::duration<double>(finished_ - started_).count();
}

const Request* LoadRun::next_request() {
    const bool timed = options_.duration.count() > 0.0;
    if (timed && Clock::now() >= deadline_) {
        return nullptr;
    }
    if (next_ == requests_.size()) {
        if (!timed) {
            return nullptr;
        }
        next_ = 0;  // a timed run cycles: later passes send events already stored
    }
    if (next_ == 0) {
        ++file_passes_;
    }
    return &requests_[next_++];
}

}  // namespace eventline::bench
