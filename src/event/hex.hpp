#pragma once

#include <array>
#include <cstdint>

namespace eventline::event {

/// 0xff: the character is not a hex digit.
inline constexpr std::uint8_t kNotHex = 0xff;

namespace detail {
constexpr std::array<std::uint8_t, 256> make_hex_table() {
    std::array<std::uint8_t, 256> table{};
    table.fill(kNotHex);
    for (int c = '0'; c <= '9'; ++c) {
        table[c] = static_cast<std::uint8_t>(c - '0');
    }
    for (int c = 'a'; c <= 'f'; ++c) {
        table[c] = static_cast<std::uint8_t>(c - 'a' + 10);
        table[c - 'a' + 'A'] = static_cast<std::uint8_t>(c - 'a' + 10);
    }
    return table;
}
inline constexpr std::array<std::uint8_t, 256> kHexTable = make_hex_table();
}  // namespace detail

/// The value of a hex digit of either case, or kNotHex. A table lookup, not branches:
/// every event id goes through here.
[[nodiscard]] constexpr std::uint8_t hex_value(char c) {
    return detail::kHexTable[static_cast<unsigned char>(c)];
}

}  // namespace eventline::event
