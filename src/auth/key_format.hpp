#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace eventline::auth {

/// Every key starts with this, so that a key pasted somewhere it should not be (a
/// repository, a ticket) is easy to recognise and scan for.
inline constexpr std::string_view kKeyMarker = "evl_";

/// A key is the marker and 32 random bytes in unpadded base64url: 4 + 43 characters.
inline constexpr std::size_t kKeyLength = 47;

/// The part of a key kept in clear for people: the marker and 8 characters (48 bits),
/// enough to tell keys apart in a listing, far too little to guess the rest.
inline constexpr std::size_t kPrefixLength = 12;

/// SHA-256 of the whole key: what the database stores and the cache is keyed by.
using KeyHash = std::array<unsigned char, 32>;

/// A new key from OpenSSL's CSPRNG. Throws std::runtime_error if it has no entropy.
[[nodiscard]] std::string generate_key();

/// SHA-256 of `key`, through OpenSSL's EVP interface.
[[nodiscard]] KeyHash hash_key(std::string_view key);

/// Whether `text` has the shape of a key (marker, length, base64url alphabet). Anything
/// else is refused before it is hashed or looked up.
[[nodiscard]] bool well_formed(std::string_view text);

/// The first kPrefixLength characters of a key.
[[nodiscard]] std::string_view key_prefix(std::string_view key);

/// Lowercase hex of a hash, for SQL parameters (`decode($1, 'hex')`).
[[nodiscard]] std::string to_hex(const KeyHash& hash);

/// The inverse of to_hex; false when `hex` is not 64 hex digits.
[[nodiscard]] bool from_hex(std::string_view hex, KeyHash& hash);

/// For unordered containers: the hash is uniformly random already, so its first bytes
/// are as good a bucket index as any.
struct KeyHashHasher {
    [[nodiscard]] std::size_t operator()(const KeyHash& hash) const noexcept;
};

}  // namespace eventline::auth
