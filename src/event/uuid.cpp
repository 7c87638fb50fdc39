#include "event/uuid.hpp"

#include "event/hex.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

namespace eventline::event {
namespace {

constexpr std::size_t kCanonicalLength = 36;

// Where each byte's two hex digits start in the canonical form.
constexpr std::array<std::uint8_t, 16> kDigitOffsets{0,  2,  4,  6,  9,  11, 14, 16,
                                                     19, 21, 24, 26, 28, 30, 32, 34};

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
    if (text.size() != kCanonicalLength || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
        text[23] != '-') {
        return std::nullopt;
    }

    Uuid uuid;
    unsigned invalid = 0;
    for (std::size_t i = 0; i < uuid.bytes.size(); ++i) {
        const unsigned high = hex_value(text[kDigitOffsets[i]]);
        const unsigned low = hex_value(text[kDigitOffsets[i] + 1]);
        invalid |= high | low;  // kNotHex has the high bit that no digit has
        uuid.bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    if (invalid & 0x80) {
        return std::nullopt;
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
