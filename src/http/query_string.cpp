#include "http/query_string.hpp"

#include "event/hex.hpp"

namespace eventline::http {

std::optional<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            decoded += ' ';
            continue;
        }
        if (c != '%') {
            decoded += c;
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        const std::uint8_t high = event::hex_value(text[i + 1]);
        const std::uint8_t low = event::hex_value(text[i + 2]);
        if (high == event::kNotHex || low == event::kNotHex || (high == 0 && low == 0)) {
            return std::nullopt;
        }
        decoded += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return decoded;
}

std::optional<QueryString> QueryString::parse(std::string_view query) {
    QueryString parsed;
    while (!query.empty()) {
        const std::size_t end = query.find('&');
        const std::string_view pair = query.substr(0, end);
        query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
        if (pair.empty()) {
            continue;  // "a=1&&b=2"
        }
        const std::size_t equals = pair.find('=');
        std::optional<std::string> name = percent_decode(pair.substr(0, equals));
        std::optional<std::string> value = percent_decode(
            equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
        if (!name || !value) {
            return std::nullopt;
        }
        parsed.pairs_.emplace_back(std::move(*name), std::move(*value));
    }
    return parsed;
}

std::vector<std::string_view> QueryString::all(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const auto& [key, value] : pairs_) {
        if (key == name) {
            values.emplace_back(value);
        }
    }
    return values;
}

std::size_t QueryString::count(std::string_view name) const {
    std::size_t found = 0;
    for (const auto& pair : pairs_) {
        found += pair.first == name ? 1 : 0;
    }
    return found;
}

std::optional<std::string_view> QueryString::first(std::string_view name) const {
    for (const auto& [key, value] : pairs_) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace eventline::http
