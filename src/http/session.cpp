#include "http/session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <simdjson.h>

#include "logging/log.hpp"

namespace eventline::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// Beast reads at most what its buffer has room for. The body parser drains the buffer
// as it goes, so left alone it stays small and a large body arrives in hundreds of tiny
// reads, each a full asynchronous operation; a larger buffer for large bodies costs one
// allocation instead. Between requests the buffer shrinks back, so idle connections
// hold little.
constexpr std::size_t kLargeBodyReadBytes = 64 * 1024;
constexpr std::size_t kIdleBufferBytes = 4 * 1024;

}  // namespace

Session::Session(boost::asio::ip::tcp::socket&& socket, SessionContext& context)
    : stream_(std::move(socket)), context_(context) {
    boost::system::error_code ignored;
    const auto endpoint = stream_.socket().remote_endpoint(ignored);
    remote_ = ignored ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    ++context_.open_connections;
    context_.connection_metrics.open.Increment();
}

Session::~Session() {
    {
        std::lock_guard lock(context_.sessions_mutex);
        context_.sessions.erase(this);
    }
    --context_.open_connections;
    context_.connection_metrics.open.Decrement();
}

void Session::start() {
    set_idle(true);
    {
        std::lock_guard lock(context_.sessions_mutex);
        context_.sessions.emplace(this, weak_from_this());
    }
    boost::asio::post(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
}

void Session::close_if_idle() {
    boost::asio::post(stream_.get_executor(), [self = shared_from_this()] {
        if (self->idle()) {
            self->close();
        }
    });
}

void Session::evict() {
    boost::asio::post(stream_.get_executor(), [self = shared_from_this()] {
        if (self->idle()) {
            self->context_.connection_metrics.evicted.Increment();
            self->close();
        } else {
            self->evicting_ = false;  // a request came in meanwhile: it stays
        }
    });
}

void Session::set_idle(bool idle) {
    if (idle) {
        idle_since_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                          std::memory_order_relaxed);
    }
    idle_.store(idle, std::memory_order_relaxed);
}

void Session::read_header() {
    set_idle(true);
    request_.reset();
    caller_ = Caller{};
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(context_.limits.max_header_bytes));
    parser_->body_limit(context_.limits.max_body_bytes);

    // Pipelined bytes already buffered are the next request's start: no idle wait.
    if (buffer_.size() > 0) {
        read_header_block();
    } else {
        wait_for_request();
    }
}

void Session::wait_for_request() {
    phase_ = Phase::idle;
    stream_.expires_after(context_.limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kIdleBufferBytes),
        [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
            self->buffer_.commit(bytes);
            if (error) {
                self->on_read_error(error);
                return;
            }
            self->read_header_block();
        });
}

void Session::read_header_block() {
    // From the first byte on, the whole header block must arrive within the header
    // timeout, however slowly its bytes trickle in.
    phase_ = Phase::header;
    stream_.expires_after(context_.limits.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code error, std::size_t) {
                                 self->on_header(error);
                             });
}

void Session::on_header(beast::error_code error) {
    if (error) {
        on_read_error(error);
        return;
    }
    set_idle(false);
    started_ = std::chrono::steady_clock::now();

    auto& message = parser_->get();
    std::string_view path;
    std::string_view query;
    split_target(std::string_view(message.target().data(), message.target().size()), path, query);
    resolved_ = context_.router.resolve(message.method(), path);
    request_.emplace(Request{message, path, query, resolved_.path_parameter, caller_});

    if (std::optional<Response> refusal = check_header()) {
        refuse_before_body(std::move(*refusal));
        return;
    }

    // Room for simdjson's padding after the body, so that the JSON parser reads the body
    // where it lies instead of copying it.
    if (const auto length = parser_->content_length()) {
        parser_->get().body().reserve(*length + simdjson::SIMDJSON_PADDING);
        buffer_.reserve(std::min<std::size_t>(*length, kLargeBodyReadBytes));
    } else if (parser_->chunked()) {
        buffer_.reserve(kLargeBodyReadBytes);
    }
    phase_ = Phase::body;
    stream_.expires_after(context_.limits.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code read_error, std::size_t) {
                          self->on_body(read_error);
                      });
}

std::optional<Response> Session::check_header() {
    const auto& message = parser_->get();
    // The header block as a whole is bounded by header_limit already; these bound its
    // parts, which handlers and logs would otherwise take at any size.
    if (message.target().size() > context_.limits.max_url_bytes) {
        return error_response(414, "uri_too_long",
                              "the request target exceeds " +
                                  std::to_string(context_.limits.max_url_bytes) + " bytes");
    }
    const auto fields = static_cast<std::size_t>(std::distance(message.begin(), message.end()));
    if (fields > context_.limits.max_header_count) {
        return error_response(431, "headers_too_large",
                              "the request has more than " +
                                  std::to_string(context_.limits.max_header_count) +
                                  " header fields");
    }
    if (resolved_.handler == nullptr) {
        return std::nullopt;  // 404 or 405, answered once the body is read as before
    }
    return context_.access.admit(message, resolved_.permission, caller_);
}

void Session::refuse_before_body(Response response) {
    // The body was not read, so the stream position after it is unknown unless there is
    // none: close unless the request is complete.
    if (!parser_->is_done()) {
        response.close_connection = true;
    }
    ++context_.requests_in_flight;
    send(std::move(response));
}

void Session::on_body(beast::error_code error) {
    if (error) {
        on_read_error(error);
        return;
    }
    stream_.expires_never();  // the handler may wait on the database; no read is pending
    dispatch();
}

void Session::on_read_error(beast::error_code error) {
    if (error == beast::error::timeout) {
        // The stream closed the socket itself, so there is no one to answer.
        metrics::ConnectionMetrics& metrics = context_.connection_metrics;
        (phase_ == Phase::idle     ? metrics.idle_timeout
         : phase_ == Phase::header ? metrics.header_timeout
                                   : metrics.body_timeout)
            .Increment();
        close();
        return;
    }
    // A client that went away gets no answer; a broken or oversized request does, and
    // the connection closes because its stream position is unknown.
    if (error == bhttp::error::end_of_stream || error == boost::asio::error::operation_aborted ||
        error == boost::asio::error::eof || error == boost::asio::error::connection_reset) {
        close();
        return;
    }
    set_idle(false);
    started_ = std::chrono::steady_clock::now();
    resolved_ = Resolved{};
    Response response =
        error == bhttp::error::body_limit
            ? error_response(413, "payload_too_large",
                             "the body exceeds " + std::to_string(context_.limits.max_body_bytes) + " bytes")
        : error == bhttp::error::header_limit
            ? error_response(431, "headers_too_large", "the request headers are too large")
            : error_response(400, "bad_request", "malformed HTTP request: " + error.message());
    response.close_connection = true;
    ++context_.requests_in_flight;
    send(std::move(response));
}

void Session::dispatch() {
    ++context_.requests_in_flight;
    phase_ = Phase::handler;
    if (resolved_.handler == nullptr) {
        if (resolved_.route == metrics::Route::unmatched) {
            send(error_response(404, "not_found", "no such route"));
        } else {
            Response response = error_response(405, "method_not_allowed", "method not allowed on this route");
            response.headers.emplace_back("Allow", std::string(resolved_.allow));
            send(std::move(response));
        }
        return;
    }

    resolved_.handler->handle(*request_, [self = shared_from_this()](Response response) {
        boost::asio::post(self->stream_.get_executor(),
                          [self, response = std::move(response)]() mutable {
                              self->send(std::move(response));
                          });
    });
}

void Session::send(Response response) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const bool has_request = request_.has_value();
    const auto method = has_request ? request_->message.method() : bhttp::verb::unknown;
    const unsigned version = has_request ? request_->message.version() : 11;
    const bool keep_alive = has_request && request_->message.keep_alive() &&
                            !response.close_connection && !context_.stopping.load();

    response_ = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), version);
    response_->set(bhttp::field::content_type, response.content_type);
    AccessControl::add_rate_headers(caller_, response);
    for (const auto& [name, value] : response.headers) {
        response_->set(name, value);
    }
    response_->keep_alive(keep_alive);
    if (method == bhttp::verb::head) {
        response_->content_length(response.body.size());
    } else {
        response_->body() = std::move(response.body);
        response_->prepare_payload();
    }

    const std::string_view method_name =
        has_request ? std::string_view(request_->message.method_string().data(),
                                       request_->message.method_string().size())
                    : std::string_view("other");
    context_.metrics.observe(method_name, resolved_.route, response.status, seconds);
    log_request(response, seconds);

    phase_ = Phase::write;
    stream_.expires_after(context_.limits.request_timeout);
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
                           self->on_written(error, !keep_alive);
                       });
}

void Session::on_written(beast::error_code error, bool close_after) {
    --context_.requests_in_flight;
    response_.reset();
    served_.store(true, std::memory_order_relaxed);
    if (error || close_after) {
        close();
        return;
    }
    if (buffer_.size() == 0 && buffer_.capacity() > kIdleBufferBytes) {
        buffer_.shrink_to_fit();
    }
    read_header();
}

void Session::log_request(const Response& response, double seconds) const {
    const std::string_view method =
        request_ ? std::string_view(request_->message.method_string().data(),
                                    request_->message.method_string().size())
                 : std::string_view("-");
    const std::string_view route = metrics::route_pattern(resolved_.route);
    const double duration_ms = seconds * 1000.0;
    // The key's prefix, never the key: enough to find it in `eventline keys list`.
    const std::string_view key =
        caller_.key != nullptr ? std::string_view(caller_.key->prefix) : std::string_view();
    const logging::Level level = response.status >= 500 ? logging::Level::warn : logging::Level::info;
    if (!logging::enabled(level)) {
        return;
    }
    if (response.counts) {
        const IngestCounts& counts = *response.counts;
        logging::write(level, "request",
                       {{"method", method}, {"route", route}, {"status", response.status},
                        {"duration_ms", duration_ms}, {"remote", remote_}, {"key", key},
                        {"events", counts.events},
                        {"accepted", counts.accepted}, {"duplicates", counts.duplicates},
                        {"rejected", counts.rejected}, {"error", response.error_code}});
    } else {
        logging::write(level, "request",
                       {{"method", method}, {"route", route}, {"status", response.status},
                        {"duration_ms", duration_ms}, {"remote", remote_}, {"key", key},
                        {"error", response.error_code}});
    }
}

void Session::close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
}

}  // namespace eventline::http
