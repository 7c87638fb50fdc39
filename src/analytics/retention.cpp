#include <algorithm>
#include <cstring>

#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"
#include "storage/rollup_writer.hpp"

namespace eventline::analytics {
namespace {

// The cohorts: users first seen in the window, with the bit that stands for them.
constexpr const char* kCohortMembers = R"sql(
SELECT user_key, (extract(epoch FROM first_seen_at) * 1000000)::bigint
FROM users
WHERE project_id = $1 AND first_seen_at >= $2::timestamptz AND first_seen_at < $3::timestamptz)sql";

// Who was active on each day from the window's start: on its days only, or, for
// unbounded retention, up to the last day stored. Binary results: the bits as bytes.
constexpr const char* kActivityFromRollup = R"sql(
SELECT day - date '1970-01-01', block, users
FROM user_activity
WHERE project_id = $1
  AND day >= date '1970-01-01' + $2::integer
  AND ($3::integer IS NULL OR day < date '1970-01-01' + $3::integer)
  AND block <= $4::integer)sql";

// The same from events, for a returning action that the rollups cannot tell apart:
// each cohort member's periods with a matching event ($6 = the period in seconds).
constexpr const char* kActivityFromEvents = R"sql(
SELECT DISTINCT u.user_key,
       floor((extract(epoch FROM e.occurred_at) - extract(epoch FROM $2::timestamptz))
             / $6::bigint)::integer
FROM events AS e
JOIN users AS u ON u.project_id = e.project_id AND u.user_id = e.user_id
WHERE e.project_id = $1
  AND e.occurred_at >= $2::timestamptz
  AND ($3::timestamptz IS NULL OR e.occurred_at < $3::timestamptz)
  AND ($4::text[] IS NULL OR e.event_type = ANY ($4::text[]))
  AND ($5::jsonb IS NULL OR e.properties @> $5::jsonb)
  AND u.first_seen_at >= $2::timestamptz AND u.first_seen_at < $7::timestamptz)sql";

struct Member {
    std::int32_t user_key;
    int cohort;
};

/// One bitmap of users (by user_key) per period, plus one for everything after the
/// window, which unbounded retention needs.
class PeriodActivity {
public:
    PeriodActivity(int periods, std::int32_t max_key)
        : bytes_per_period_(static_cast<std::size_t>(max_key) / 8 + 1),
          bits_(static_cast<std::size_t>(periods + 1) * bytes_per_period_, 0),
          periods_(periods) {}

    void set(int period, std::int32_t key) {
        if (key >= 0 && static_cast<std::size_t>(key) / 8 < bytes_per_period_) {
            bits_[offset(period) + static_cast<std::size_t>(key) / 8] |= mask(key);
        }
    }

    /// ORs one user_activity row (a block of users, leftmost bit first) into a period.
    void merge_block(int period, std::int32_t block, std::string_view block_bits) {
        const std::size_t first = static_cast<std::size_t>(block) * storage::kActivityBlockBytes;
        for (std::size_t i = 0; i < block_bits.size() && first + i < bytes_per_period_; ++i) {
            bits_[offset(period) + first + i] |= static_cast<std::uint8_t>(block_bits[i]);
        }
    }

    /// Makes each period also hold everyone active in any later one.
    void accumulate_later_periods() {
        for (int period = periods_ - 1; period >= 0; --period) {
            for (std::size_t i = 0; i < bytes_per_period_; ++i) {
                bits_[offset(period) + i] |= bits_[offset(period + 1) + i];
            }
        }
    }

    [[nodiscard]] bool active(int period, std::int32_t key) const {
        return (bits_[offset(period) + static_cast<std::size_t>(key) / 8] & mask(key)) != 0;
    }

private:
    [[nodiscard]] std::size_t offset(int period) const {
        return static_cast<std::size_t>(period) * bytes_per_period_;
    }
    static std::uint8_t mask(std::int32_t key) {
        return static_cast<std::uint8_t>(0x80u >> (key % 8));
    }

    std::size_t bytes_per_period_;
    std::vector<std::uint8_t> bits_;
    int periods_;
};

std::int32_t read_int32(std::string_view bytes) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        value = value << 8 | static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(i)]);
    }
    return static_cast<std::int32_t>(value);
}

void read_activity_rollup(storage::PgConnection& connection, const RetentionQuery& query,
                          Day period_days, std::int32_t max_key, PeriodActivity& activity) {
    const Day end = query.start + query.windows * period_days;
    SqlParams params;
    params.add(query.project_id);
    params.add(query.start);
    if (query.mode == RetentionMode::unbounded) {
        params.add_null();
    } else {
        params.add(end);
    }
    params.add(max_key / storage::kUsersPerActivityBlock);
    const storage::PgResult rows = params.exec(connection, kActivityFromRollup, 1);
    for (int row = 0; row < rows.rows(); ++row) {
        const Day day = read_int32(rows.value(row, 0));
        const std::int32_t block = read_int32(rows.value(row, 1));
        // Binary bit(n): the length in bits, then the bytes.
        const std::string_view bits = rows.value(row, 2).substr(4);
        const int period = day >= end ? query.windows : (day - query.start) / period_days;
        activity.merge_block(period, block, bits);
    }
}

void read_activity_events(storage::PgConnection& connection, const RetentionQuery& query,
                          Day period_days, PeriodActivity& activity) {
    const Day end = query.start + query.windows * period_days;
    SqlParams params;
    params.add(query.project_id);
    params.add_day_start(query.start);
    if (query.mode == RetentionMode::unbounded) {
        params.add_null();
    } else {
        params.add_day_start(end);
    }
    params.add_text_array_or_null(query.returning.event_types);
    params.add_json_or_null(query.returning.where_json);
    params.add(static_cast<std::int64_t>(period_days) * 86'400);
    params.add_day_start(end);
    const storage::PgResult rows = params.exec(connection, kActivityFromEvents);
    for (int row = 0; row < rows.rows(); ++row) {
        const auto key = static_cast<std::int32_t>(int_value(rows, row, 0));
        const auto period = static_cast<int>(int_value(rows, row, 1));
        activity.set(std::min(period, query.windows), key);
    }
}

}  // namespace

std::vector<Cohort> retention(storage::PgConnection& connection, const RetentionQuery& query) {
    const Day period_days = query.granularity == Granularity::week ? 7 : 1;
    const std::int64_t period_micros = period_days * kMicrosPerDay;
    const Day end = query.start + query.windows * period_days;

    std::vector<Cohort> cohorts;
    for (int c = 0; c < query.windows; ++c) {
        cohorts.push_back(Cohort{query.start + c * period_days, 0,
                                 std::vector<std::int64_t>(
                                     static_cast<std::size_t>(query.windows - c), 0)});
    }

    SqlParams params;
    params.add(query.project_id);
    params.add_day_start(query.start);
    params.add_day_start(end);
    const storage::PgResult member_rows = params.exec(connection, kCohortMembers);
    std::vector<Member> members;
    members.reserve(static_cast<std::size_t>(member_rows.rows()));
    std::int32_t max_key = 0;
    const std::int64_t start_micros = query.start * kMicrosPerDay;
    for (int row = 0; row < member_rows.rows(); ++row) {
        const auto key = static_cast<std::int32_t>(int_value(member_rows, row, 0));
        const auto cohort =
            static_cast<int>((int_value(member_rows, row, 1) - start_micros) / period_micros);
        members.push_back(Member{key, cohort});
        max_key = std::max(max_key, key);
        ++cohorts[static_cast<std::size_t>(cohort)].size;
    }
    if (members.empty()) {
        return cohorts;
    }

    PeriodActivity activity(query.windows, max_key);
    const bool from_rollup = query.returning.any_types() && query.returning.any_properties();
    if (from_rollup) {
        read_activity_rollup(connection, query, period_days, max_key, activity);
    } else {
        read_activity_events(connection, query, period_days, activity);
    }
    if (query.mode == RetentionMode::unbounded) {
        activity.accumulate_later_periods();
    }

    for (const Member& member : members) {
        Cohort& cohort = cohorts[static_cast<std::size_t>(member.cohort)];
        for (int k = 0; k < query.windows - member.cohort; ++k) {
            if (activity.active(member.cohort + k, member.user_key)) {
                ++cohort.retained[static_cast<std::size_t>(k)];
            }
        }
    }
    if (!from_rollup) {
        // Every member was there in its own period, whatever the returning action was.
        for (Cohort& cohort : cohorts) {
            cohort.retained.front() = cohort.size;
        }
    }
    return cohorts;
}

}  // namespace eventline::analytics
