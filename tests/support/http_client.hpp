#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

namespace eventline::testing {

struct HttpResponse {
    unsigned status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    /// The first header of that name (case-insensitive); empty when absent.
    [[nodiscard]] std::string header(std::string_view name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// A blocking HTTP/1.1 client over loopback with one keep-alive connection, for tests.
class HttpClient {
public:
    explicit HttpClient(unsigned short port);
    ~HttpClient();

    HttpResponse request(boost::beast::http::verb method, std::string_view target,
                         std::string body = {}, const Headers& headers = {});

    HttpResponse get(std::string_view target) {
        return request(boost::beast::http::verb::get, target);
    }
    HttpResponse post(std::string_view target, std::string body, const Headers& headers = {}) {
        return request(boost::beast::http::verb::post, target, std::move(body), headers);
    }

    /// Writes raw bytes and reads one response (or nothing, when the server closes).
    HttpResponse raw(std::string_view bytes);

private:
    void connect();

    unsigned short port_;
    boost::asio::io_context io_;
    std::unique_ptr<boost::beast::tcp_stream> stream_;
};

/// gzip-compresses `data`, for Content-Encoding tests.
[[nodiscard]] std::string gzip(std::string_view data);

}  // namespace eventline::testing
