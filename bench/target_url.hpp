#pragma once

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace eventline::bench {

/// Where the load goes: a loopback address, a port and the request target.
struct TargetUrl {
    std::string host_header;  // "host:port", as the Host header carries it
    boost::asio::ip::address address;
    std::uint16_t port = 80;
    std::string target;  // path and query, e.g. "/events?strict=true"
};

/// Parses `http://HOST[:PORT][/PATH]`. HOST must be a loopback address (`127.0.0.0/8`,
/// `[::1]`) or `localhost`: the generator is a benchmark, never a way to load someone
/// else's machine. Throws std::invalid_argument with the reason otherwise.
[[nodiscard]] TargetUrl parse_target_url(std::string_view url);

}  // namespace eventline::bench
