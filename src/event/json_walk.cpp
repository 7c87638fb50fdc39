#include "event/json_walk.hpp"

#include <cstring>

namespace eventline::event {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// Reads JSON's number grammar from `at`; returns false on any deviation.
/// `integer_only` refuses a fraction or exponent.
bool match_number(std::string_view text, bool integer_only) {
    std::size_t at = 0;
    if (at < text.size() && text[at] == '-') {
        ++at;
    }
    if (at >= text.size() || !is_digit(text[at])) {
        return false;
    }
    if (text[at] == '0') {
        ++at;  // no leading zeros
    } else {
        while (at < text.size() && is_digit(text[at])) {
            ++at;
        }
    }
    if (at < text.size() && text[at] == '.') {
        if (integer_only) {
            return false;
        }
        ++at;
        if (at >= text.size() || !is_digit(text[at])) {
            return false;
        }
        while (at < text.size() && is_digit(text[at])) {
            ++at;
        }
    }
    if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
        if (integer_only) {
            return false;
        }
        ++at;
        if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
            ++at;
        }
        if (at >= text.size() || !is_digit(text[at])) {
            return false;
        }
        while (at < text.size() && is_digit(text[at])) {
            ++at;
        }
    }
    return at == text.size();
}

bool has_nul(std::string_view text) { return std::memchr(text.data(), '\0', text.size()) != nullptr; }

error_code walk(ondemand::value value, std::size_t depth_left, JsonFindings& findings) {
    ondemand::json_type type;
    if (auto code = value.type().get(type)) {
        return code;
    }
    switch (type) {
        case ondemand::json_type::array: {
            if (depth_left == 0) {
                findings.too_deep = true;
                return SUCCESS;
            }
            ondemand::array array;
            if (auto code = value.get_array().get(array)) {
                return code;
            }
            for (auto element : array) {
                ondemand::value child;
                if (auto code = element.get(child)) {
                    return code;
                }
                if (auto code = walk(child, depth_left - 1, findings)) {
                    return code;
                }
            }
            return SUCCESS;
        }
        case ondemand::json_type::object: {
            if (depth_left == 0) {
                findings.too_deep = true;
                return SUCCESS;
            }
            ondemand::object object;
            if (auto code = value.get_object().get(object)) {
                return code;
            }
            for (auto field : object) {
                std::string_view key;
                if (auto code = field.unescaped_key().get(key)) {
                    return code;
                }
                findings.has_nul = findings.has_nul || has_nul(key);
                ondemand::value child;
                if (auto code = field.value().get(child)) {
                    return code;
                }
                if (auto code = walk(child, depth_left - 1, findings)) {
                    return code;
                }
            }
            return SUCCESS;
        }
        case ondemand::json_type::number: {
            return is_json_number(value.raw_json_token()) ? SUCCESS : simdjson::NUMBER_ERROR;
        }
        case ondemand::json_type::string: {
            std::string_view text;
            if (auto code = value.get_string().get(text)) {
                return code;
            }
            findings.has_nul = findings.has_nul || has_nul(text);
            return SUCCESS;
        }
        case ondemand::json_type::boolean:
            return value.get_bool().error();
        case ondemand::json_type::null:
            return value.is_null().error();
    }
    return SUCCESS;
}

}  // namespace

std::string_view trim_json_whitespace(std::string_view token) {
    while (!token.empty() && is_json_whitespace(token.front())) {
        token.remove_prefix(1);
    }
    while (!token.empty() && is_json_whitespace(token.back())) {
        token.remove_suffix(1);
    }
    return token;
}

bool is_json_number(std::string_view token) {
    return match_number(trim_json_whitespace(token), false);
}

bool is_json_integer(std::string_view token) {
    return match_number(trim_json_whitespace(token), true);
}

error_code walk_json(ondemand::value value, std::size_t max_depth, JsonFindings& findings) {
    return walk(value, max_depth, findings);
}

}  // namespace eventline::event
