#pragma once

#include <optional>
#include <string_view>

namespace eventline::auth {

/// What a key may do: send events, read analytics, or both.
enum class Scope { ingest, read, all };

/// What a route asks of its caller. `open` routes (health, metrics, documentation)
/// take no key at all.
enum class Permission { open, ingest, read };

/// Whether a key of `scope` may use a route that needs `permission`.
[[nodiscard]] constexpr bool grants(Scope scope, Permission permission) {
    switch (permission) {
        case Permission::open:
            return true;
        case Permission::ingest:
            return scope == Scope::ingest || scope == Scope::all;
        case Permission::read:
            return scope == Scope::read || scope == Scope::all;
    }
    return false;
}

[[nodiscard]] constexpr std::string_view scope_name(Scope scope) {
    switch (scope) {
        case Scope::ingest:
            return "ingest";
        case Scope::read:
            return "read";
        case Scope::all:
            return "all";
    }
    return "all";
}

/// "ingest", "read" or "all"; nothing for anything else.
[[nodiscard]] constexpr std::optional<Scope> parse_scope(std::string_view text) {
    if (text == "ingest") {
        return Scope::ingest;
    }
    if (text == "read") {
        return Scope::read;
    }
    if (text == "all") {
        return Scope::all;
    }
    return std::nullopt;
}

}  // namespace eventline::auth
