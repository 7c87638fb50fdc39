#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <zlib.h>

#include <stdexcept>
#include <strings.h>

namespace eventline::testing {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

std::string HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
            return value;
        }
    }
    return {};
}

HttpClient::HttpClient(unsigned short port) : port_(port) {}

HttpClient::~HttpClient() {
    if (stream_) {
        beast::error_code ignored;
        stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
}

void HttpClient::connect() {
    stream_ = std::make_unique<beast::tcp_stream>(io_);
    stream_->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
}

namespace {

HttpResponse read_response(beast::tcp_stream& stream, bool head = false) {
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    parser.skip(head);  // a HEAD answer has Content-Length but no body
    bhttp::read(stream, buffer, parser);
    auto& message = parser.get();
    HttpResponse response;
    response.status = message.result_int();
    response.body = std::move(message.body());
    for (const auto& field : message) {
        response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return response;
}

}  // namespace

HttpResponse HttpClient::request(bhttp::verb method, std::string_view target, std::string body,
                                 const Headers& headers) {
    bhttp::request<bhttp::string_body> message{method, std::string(target), 11};
    message.set(bhttp::field::host, "127.0.0.1");
    message.keep_alive(true);
    bool has_content_type = false;
    for (const auto& [name, value] : headers) {
        message.set(name, value);
        has_content_type = has_content_type || strcasecmp(name.c_str(), "content-type") == 0;
    }
    if (!has_content_type && !body.empty()) {
        message.set(bhttp::field::content_type, "application/json");
    }
    message.body() = std::move(body);
    message.prepare_payload();

    // A server may close a keep-alive connection between requests: reconnect once.
    for (int attempt = 0;; ++attempt) {
        try {
            if (!stream_) {
                connect();
            }
            bhttp::write(*stream_, message);
            HttpResponse response = read_response(*stream_, method == bhttp::verb::head);
            if (response.header("Connection") == "close") {
                stream_.reset();
            }
            return response;
        } catch (const boost::system::system_error&) {
            stream_.reset();
            if (attempt > 0) {
                throw;
            }
        }
    }
}

HttpResponse HttpClient::raw(std::string_view bytes) {
    stream_.reset();
    connect();
    boost::asio::write(stream_->socket(), boost::asio::buffer(bytes.data(), bytes.size()));
    try {
        HttpResponse response = read_response(*stream_);
        stream_.reset();
        return response;
    } catch (const boost::system::system_error&) {
        stream_.reset();
        return HttpResponse{};  // closed without an answer
    }
}

std::string gzip(std::string_view data) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int result = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (result != Z_STREAM_END) {
        throw std::runtime_error("deflate failed");
    }
    return out;
}

}  // namespace eventline::testing
