#include "event/uuid.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

namespace eventline::event {
namespace {

constexpr std::array<std::size_t, 4> kDashPositions{8, 13, 18, 23};
constexpr std::size_t kCanonicalLength = 36;

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool is_dash_position(std::size_t position) {
    for (std::size_t dash : kDashPositions) {
        if (dash == position) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::string Uuid::to_string() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(kCanonicalLength);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            text.push_back('-');
        }
        text.push_back(kDigits[bytes[i] >> 4]);
        text.push_back(kDigits[bytes[i] & 0x0f]);
    }
    return text;
}

std::optional<Uuid> parse_uuid(std::string_view text) {
    if (text.size() != kCanonicalLength) {
        return std::nullopt;
    }

    Uuid uuid;
    std::size_t byte = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (is_dash_position(i)) {
            if (text[i] != '-') {
                return std::nullopt;
            }
            ++i;
            continue;
        }
        const int high = hex_value(text[i]);
        const int low = hex_value(text[i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        uuid.bytes[byte++] = static_cast<std::uint8_t>(high << 4 | low);
        i += 2;
    }
    return uuid;
}

Uuid uuid_v5(const Uuid& name_space, std::string_view name) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_length = 0;

    EVP_MD_CTX* context = EVP_MD_CTX_new();
    const bool ok = context != nullptr && EVP_DigestInit_ex(context, EVP_sha1(), nullptr) == 1 &&
                    EVP_DigestUpdate(context, name_space.bytes.data(), name_space.bytes.size()) == 1 &&
                    EVP_DigestUpdate(context, name.data(), name.size()) == 1 &&
                    EVP_DigestFinal_ex(context, digest.data(), &digest_length) == 1;
    EVP_MD_CTX_free(context);
    if (!ok) {
        // Only an OpenSSL build without SHA-1 or an allocation failure gets here.
        throw std::runtime_error("SHA-1 digest failed while computing a UUID v5");
    }

    Uuid uuid;
    std::memcpy(uuid.bytes.data(), digest.data(), uuid.bytes.size());
    uuid.bytes[6] = static_cast<std::uint8_t>((uuid.bytes[6] & 0x0f) | 0x50);  // version 5
    uuid.bytes[8] = static_cast<std::uint8_t>((uuid.bytes[8] & 0x3f) | 0x80);  // RFC variant
    return uuid;
}

std::size_t UuidHash::operator()(const Uuid& uuid) const noexcept {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    std::memcpy(&high, uuid.bytes.data(), sizeof high);
    std::memcpy(&low, uuid.bytes.data() + sizeof high, sizeof low);
    return static_cast<std::size_t>(high ^ (low * 0x9e3779b97f4a7c15ULL));
}

}  // namespace eventline::event
