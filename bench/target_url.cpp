#include "target_url.hpp"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

namespace eventline::bench {
namespace {

constexpr std::string_view kScheme = "http://";

[[noreturn]] void fail(std::string_view url, std::string_view reason) {
    throw std::invalid_argument(fmt::format("bad --url '{}': {}", url, reason));
}

std::uint16_t parse_port(std::string_view url, std::string_view text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value == 0 || value > 65535) {
        fail(url, fmt::format("expected a port 1-65535, got '{}'", text));
    }
    return static_cast<std::uint16_t>(value);
}

boost::asio::ip::address loopback_address(std::string_view url, std::string_view host) {
    // "localhost" is resolved here rather than through the resolver: /etc/hosts could
    // point it anywhere, and the loopback rule must hold whatever it says.
    if (host == "localhost") {
        return boost::asio::ip::address_v4::loopback();
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(host), ec);
    if (ec) {
        fail(url, fmt::format("expected an IP literal or localhost, got '{}'", host));
    }
    if (!address.is_loopback()) {
        fail(url, fmt::format("{} is not a loopback address", host));
    }
    return address;
}

}  // namespace

TargetUrl parse_target_url(std::string_view url) {
    if (!url.starts_with(kScheme)) {
        fail(url, "only http:// is supported");
    }
    const std::string_view rest = url.substr(kScheme.size());
    const std::size_t slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    TargetUrl result;
    result.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));

    std::string_view host = authority;
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            fail(url, "unterminated [IPv6] host");
        }
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) {
            fail(url, "expected ':' after the [IPv6] host");
        }
        port_text = after.empty() ? std::string_view{} : after.substr(1);
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port_text = authority.substr(colon + 1);
    }
    if (host.empty()) {
        fail(url, "missing host");
    }
    result.address = loopback_address(url, host);
    if (!port_text.empty() || authority.ends_with(':')) {
        result.port = parse_port(url, port_text);
    }
    result.host_header = std::string(authority);
    return result;
}

}  // namespace eventline::bench
