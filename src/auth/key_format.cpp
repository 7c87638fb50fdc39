#include "auth/key_format.hpp"

#include "event/hex.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace eventline::auth {
namespace {

constexpr std::size_t kRandomBytes = 32;
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url (RFC 4648 §5): safe in headers, URLs and shells without quoting.
std::string base64url(const unsigned char* data, std::size_t size) {
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned value = (data[i] << 16U) | (data[i + 1] << 8U) | data[i + 2];
        out += kBase64Url[(value >> 18U) & 63U];
        out += kBase64Url[(value >> 12U) & 63U];
        out += kBase64Url[(value >> 6U) & 63U];
        out += kBase64Url[value & 63U];
    }
    if (size - i == 1) {
        const unsigned value = data[i] << 16U;
        out += kBase64Url[(value >> 18U) & 63U];
        out += kBase64Url[(value >> 12U) & 63U];
    } else if (size - i == 2) {
        const unsigned value = (data[i] << 16U) | (data[i + 1] << 8U);
        out += kBase64Url[(value >> 18U) & 63U];
        out += kBase64Url[(value >> 12U) & 63U];
        out += kBase64Url[(value >> 6U) & 63U];
    }
    return out;
}


}  // namespace

std::string generate_key() {
    unsigned char random[kRandomBytes];
    if (RAND_bytes(random, sizeof random) != 1) {
        throw std::runtime_error("OpenSSL's RAND_bytes failed: no key was generated");
    }
    std::string key(kKeyMarker);
    key += base64url(random, sizeof random);
    OPENSSL_cleanse(random, sizeof random);
    return key;
}

KeyHash hash_key(std::string_view key) {
    KeyHash hash{};
    unsigned int length = 0;
    if (EVP_Digest(key.data(), key.size(), hash.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != hash.size()) {
        throw std::runtime_error("OpenSSL's SHA-256 failed");
    }
    return hash;
}

bool well_formed(std::string_view text) {
    if (text.size() != kKeyLength || !text.starts_with(kKeyMarker)) {
        return false;
    }
    for (const char c : text.substr(kKeyMarker.size())) {
        if (kBase64Url.find(c) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

std::string_view key_prefix(std::string_view key) { return key.substr(0, kPrefixLength); }

std::string to_hex(const KeyHash& hash) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(hash.size() * 2);
    for (const unsigned char byte : hash) {
        hex += kDigits[byte >> 4U];
        hex += kDigits[byte & 15U];
    }
    return hex;
}

bool from_hex(std::string_view hex, KeyHash& hash) {
    if (hex.size() != hash.size() * 2) {
        return false;
    }
    for (std::size_t i = 0; i < hash.size(); ++i) {
        const std::uint8_t high = event::hex_value(hex[2 * i]);
        const std::uint8_t low = event::hex_value(hex[2 * i + 1]);
        if (high == event::kNotHex || low == event::kNotHex) {
            return false;
        }
        hash[i] = static_cast<unsigned char>(high * 16 + low);
    }
    return true;
}

std::size_t KeyHashHasher::operator()(const KeyHash& hash) const noexcept {
    std::size_t value = 0;
    std::memcpy(&value, hash.data(), sizeof value);
    return value;
}

}  // namespace eventline::auth
