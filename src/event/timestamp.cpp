#include "event/timestamp.hpp"

#include <cstdio>

namespace eventline::event {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::size_t kMaxFractionDigits = 6;

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(int year, unsigned month) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

/// Reads exactly `count` decimal digits at `position`, advancing it; -1 when any is missing.
int read_digits(std::string_view text, std::size_t& position, std::size_t count) {
    if (position + count > text.size()) {
        return -1;
    }
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = text[position + i];
        if (c < '0' || c > '9') {
            return -1;
        }
        value = value * 10 + (c - '0');
    }
    position += count;
    return value;
}

bool expect(std::string_view text, std::size_t& position, char wanted) {
    if (position < text.size() && text[position] == wanted) {
        ++position;
        return true;
    }
    return false;
}

ParsedTimestamp failure(std::string_view reason) { return ParsedTimestamp{0, reason}; }

}  // namespace

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
    // Howard Hinnant's days_from_civil: shifts the year to start in March so that the
    // leap day is the last day of the year.
    year -= month <= 2 ? 1 : 0;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(day_of_era) -
           719468;
}

ParsedTimestamp parse_rfc3339(std::string_view text) {
    std::size_t at = 0;
    const int year = read_digits(text, at, 4);
    if (year < 0 || !expect(text, at, '-')) {
        return failure("expected a date-time like 2025-01-06T12:00:00Z");
    }
    const int month = read_digits(text, at, 2);
    if (month < 0 || !expect(text, at, '-')) {
        return failure("expected a date-time like 2025-01-06T12:00:00Z");
    }
    const int day = read_digits(text, at, 2);
    if (day < 0) {
        return failure("expected a date-time like 2025-01-06T12:00:00Z");
    }
    if (month < 1 || month > 12) {
        return failure("month out of range");
    }
    if (day < 1 || static_cast<unsigned>(day) > days_in_month(year, month)) {
        return failure("day out of range for the month");
    }

    if (at >= text.size() || (text[at] != 'T' && text[at] != 't' && text[at] != ' ')) {
        return failure("expected a time after the date, like 2025-01-06T12:00:00Z");
    }
    ++at;
    const int hour = read_digits(text, at, 2);
    const int minute = expect(text, at, ':') ? read_digits(text, at, 2) : -1;
    const int second = expect(text, at, ':') ? read_digits(text, at, 2) : -1;
    if (hour < 0 || minute < 0 || second < 0) {
        return failure("expected a time of day as HH:MM:SS");
    }
    if (hour > 23 || minute > 59 || second > 59) {
        return failure("time of day out of range");
    }

    std::int64_t fraction_micros = 0;
    if (expect(text, at, '.')) {
        std::size_t digits = 0;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            if (++digits > kMaxFractionDigits) {
                return failure("more than 6 fractional digits");
            }
            fraction_micros = fraction_micros * 10 + (text[at] - '0');
            ++at;
        }
        if (digits == 0) {
            return failure("expected digits after the decimal point");
        }
        for (std::size_t i = digits; i < kMaxFractionDigits; ++i) {
            fraction_micros *= 10;
        }
    }

    std::int64_t offset_seconds = 0;
    if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        const int sign = text[at] == '-' ? -1 : 1;
        ++at;
        const int offset_hours = read_digits(text, at, 2);
        const int offset_minutes = expect(text, at, ':') ? read_digits(text, at, 2) : -1;
        if (offset_hours < 0 || offset_minutes < 0) {
            return failure("expected a UTC offset as +HH:MM or -HH:MM");
        }
        if (offset_hours > 23 || offset_minutes > 59) {
            return failure("UTC offset out of range");
        }
        offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
    }
    if (at != text.size()) {
        return failure("unexpected characters after the date-time");
    }

    const std::int64_t days = days_from_civil(year, month, day);
    const std::int64_t seconds =
        days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset_seconds;
    return ParsedTimestamp{seconds * kMicrosPerSecond + fraction_micros, {}};
}

std::string_view format_rfc3339(UnixMicros value, char (&buffer)[32]) {
    std::int64_t seconds = value / kMicrosPerSecond;
    std::int64_t micros = value % kMicrosPerSecond;
    if (micros < 0) {
        micros += kMicrosPerSecond;
        seconds -= 1;
    }
    std::int64_t days = seconds / kSecondsPerDay;
    std::int64_t second_of_day = seconds % kSecondsPerDay;
    if (second_of_day < 0) {
        second_of_day += kSecondsPerDay;
        days -= 1;
    }

    // civil_from_days, the inverse of days_from_civil above.
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);

    const int length = std::snprintf(
        buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
        static_cast<long long>(year), month, day, static_cast<long long>(second_of_day / 3600),
        static_cast<long long>(second_of_day / 60 % 60), static_cast<long long>(second_of_day % 60),
        static_cast<long long>(micros));
    return {buffer, static_cast<std::size_t>(length > 0 ? length : 0)};
}

}  // namespace eventline::event
