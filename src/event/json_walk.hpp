#pragma once

#include <cstddef>
#include <string_view>

#include <simdjson.h>

namespace eventline::event {

/// What walking a JSON value found that PostgreSQL's jsonb cannot store or SPEC's
/// limits refuse, although the JSON itself is well-formed.
struct JsonFindings {
    bool has_nul = false;   // a NUL character (\u0000) in a string or key
    bool too_deep = false;  // containers nested deeper than the walk was allowed to go
};

/// Reads `value` completely, because On Demand parsing validates only what it is asked
/// to read: a syntax error anywhere in the value is returned as a simdjson error.
///
/// - Strings and keys are unescaped, which checks their escapes (a lone UTF-16
///   surrogate is an error), and searched for NUL.
/// - Numbers are checked against JSON's grammar without being converted, so integers
///   beyond 64 bits and numbers beyond a double's range pass, as jsonb stores them.
/// - Containers deeper than `max_depth` (the value itself being depth 1) are not
///   entered: `too_deep` is set and the caller's iteration skips them. This bounds the
///   recursion, so no body can exhaust the stack.
simdjson::error_code walk_json(simdjson::ondemand::value value, std::size_t max_depth,
                               JsonFindings& findings);

/// True when `token` (surrounding whitespace allowed) is a JSON number.
[[nodiscard]] bool is_json_number(std::string_view token);

/// True when `token` (surrounding whitespace allowed) is a JSON number without a
/// fraction or exponent: an integer of any length.
[[nodiscard]] bool is_json_integer(std::string_view token);

/// `token` without the whitespace JSON allows around it.
[[nodiscard]] std::string_view trim_json_whitespace(std::string_view token);

}  // namespace eventline::event
