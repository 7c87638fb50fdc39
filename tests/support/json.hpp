#pragma once

#include <simdjson.h>

#include <stdexcept>
#include <string>

namespace eventline::testing {

/// Parses a response body for assertions; each call owns its parser, so the returned
/// element stays valid while `json` lives.
class Json {
public:
    explicit Json(const std::string& text) {
        if (parser_.parse(text).get(root_) != simdjson::SUCCESS) {
            throw std::runtime_error("response is not JSON: " + text);
        }
    }
    [[nodiscard]] simdjson::dom::element operator[](const char* key) const { return root_[key]; }
    [[nodiscard]] simdjson::dom::element root() const { return root_; }
    [[nodiscard]] std::int64_t integer(const char* key) const { return root_[key].get_int64().value(); }
    [[nodiscard]] std::string text(const char* pointer) const {
        return std::string(root_.at_pointer(pointer).get_string().value());
    }

private:
    simdjson::dom::parser parser_;
    simdjson::dom::element root_;
};

/// The array or object `element` holds, by value, for range-for loops: iterating over
/// `element.get_array().value()` would iterate through a reference into a temporary that
/// dies before the loop starts. Throws simdjson_error when `element` is something else.
[[nodiscard]] inline simdjson::dom::array array_of(simdjson::dom::element element) {
    return element.get_array().value();
}
[[nodiscard]] inline simdjson::dom::object object_of(simdjson::dom::element element) {
    return element.get_object().value();
}

}  // namespace eventline::testing
