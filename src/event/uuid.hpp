#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventline::event {

/// A UUID as its 16 bytes in network order, as PostgreSQL's binary `uuid` format expects.
struct Uuid {
    std::array<std::uint8_t, 16> bytes{};

    friend bool operator==(const Uuid&, const Uuid&) = default;
    friend auto operator<=>(const Uuid&, const Uuid&) = default;

    /// The canonical lowercase 8-4-4-4-12 form.
    [[nodiscard]] std::string to_string() const;
};

/// Parses the canonical 8-4-4-4-12 hex form in any case, and nothing else: no braces, no
/// missing dashes, no surrounding spaces (PostgreSQL's own input accepts all of those).
[[nodiscard]] std::optional<Uuid> parse_uuid(std::string_view text);

/// The name-based UUID version 5 (RFC 9562, SHA-1) of `name` under `name_space`.
[[nodiscard]] Uuid uuid_v5(const Uuid& name_space, std::string_view name);

/// Hashes a UUID for hash tables; random UUIDs are already uniformly distributed, and for
/// time-ordered ones (v7) the low bytes are the random part.
struct UuidHash {
    std::size_t operator()(const Uuid& uuid) const noexcept;
};

}  // namespace eventline::event
