#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventline::http {

/// A request's query string, percent-decoded once (`+` is a space, as browsers and
/// form encoders send it), in the order the client wrote it.
class QueryString {
public:
    /// Parses `query` (without the '?'); nothing when an escape is malformed (`%zz`, a
    /// lone `%`) or decodes to a NUL byte.
    static std::optional<QueryString> parse(std::string_view query);

    /// Every value given for `name`, in order.
    [[nodiscard]] std::vector<std::string_view> all(std::string_view name) const;

    /// The number of times `name` was given.
    [[nodiscard]] std::size_t count(std::string_view name) const;

    /// The first value given for `name`; nothing when absent.
    [[nodiscard]] std::optional<std::string_view> first(std::string_view name) const;

private:
    std::vector<std::pair<std::string, std::string>> pairs_;
};

/// Decodes `%XX` escapes and `+`; nothing when an escape is malformed or decodes to NUL.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text);

}  // namespace eventline::http
