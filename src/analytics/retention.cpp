#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"
#include "storage/rollup_writer.hpp"

namespace eventline::analytics {
namespace {

// Who was active from the window's start, day by day: on its days only, or, for
// unbounded retention, up to the last day stored. The first rows are the days before
// the window, ORed into one bitmap per block and dated the day before it: the users
// seen before, whom no cohort holds. One statement, so that both parts come from the
// same snapshot. Binary results: the bits as bytes.
constexpr const char* kActivityFromRollup = R"sql(
SELECT $2::integer - 1, block, bit_or(users)
FROM user_activity
WHERE project_id = $1 AND day < date '1970-01-01' + $2::integer
GROUP BY block
UNION ALL
SELECT day - date '1970-01-01', block, users
FROM user_activity
WHERE project_id = $1
  AND day >= date '1970-01-01' + $2::integer
  AND ($3::integer IS NULL OR day < date '1970-01-01' + $3::integer))sql";

// A returning action that the rollups cannot tell apart, from events: the periods in
// which each user had a matching event ($6 = the period in seconds).
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
  AND ($5::jsonb IS NULL OR e.properties @> $5::jsonb))sql";

/// Sets of users (bit user_key, leftmost first, as in user_activity), one per period.
class PeriodUsers {
public:
    PeriodUsers(int periods, std::size_t bytes_per_period)
        : bytes_per_period_(bytes_per_period),
          bits_(static_cast<std::size_t>(periods) * bytes_per_period, 0),
          periods_(periods) {}

    void set(int period, std::int32_t key) {
        if (key >= 0 && static_cast<std::size_t>(key) / 8 < bytes_per_period_) {
            period_bits(period)[static_cast<std::size_t>(key) / 8] |=
                static_cast<std::uint8_t>(0x80u >> (key % 8));
        }
    }

    /// ORs one user_activity row (a block of users) into a period.
    void merge_block(int period, std::int32_t block, std::string_view block_bits) {
        const std::size_t first = static_cast<std::size_t>(block) * storage::kActivityBlockBytes;
        const std::span<std::uint8_t> bits = period_bits(period);
        for (std::size_t i = 0; i < block_bits.size() && first + i < bits.size(); ++i) {
            bits[first + i] |= static_cast<std::uint8_t>(block_bits[i]);
        }
    }

    /// Makes each period also hold everyone in any later one.
    void accumulate_later_periods() {
        for (int period = periods_ - 2; period >= 0; --period) {
            const std::span<std::uint8_t> bits = period_bits(period);
            const std::span<const std::uint8_t> later = period_bits(period + 1);
            for (std::size_t i = 0; i < bits.size(); ++i) {
                bits[i] |= later[i];
            }
        }
    }

    [[nodiscard]] std::span<std::uint8_t> period_bits(int period) {
        return {bits_.data() + offset(period), bytes_per_period_};
    }
    [[nodiscard]] std::span<const std::uint8_t> period_bits(int period) const {
        return {bits_.data() + offset(period), bytes_per_period_};
    }

private:
    [[nodiscard]] std::size_t offset(int period) const {
        return static_cast<std::size_t>(period) * bytes_per_period_;
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

std::int64_t count_both(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    std::int64_t count = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        count += std::popcount(static_cast<std::uint8_t>(a[i] & b[i]));
    }
    return count;
}

/// Everyone active in each period of the window (slot `windows`: after it, read for
/// unbounded retention only), and everyone active before the window.
struct RollupActivity {
    RollupActivity(int windows, std::size_t bytes_per_period)
        : periods(windows + 1, bytes_per_period), before(1, bytes_per_period) {}

    PeriodUsers periods;
    PeriodUsers before;
};

RollupActivity read_activity_rollup(storage::PgConnection& connection,
                                    const RetentionQuery& query, Day period_days,
                                    bool through_last_day) {
    const Day end = query.start + query.windows * period_days;
    SqlParams params;
    params.add(query.project_id);
    params.add(query.start);
    if (through_last_day) {
        params.add_null();
    } else {
        params.add(end);
    }
    const storage::PgResult rows = params.exec(connection, kActivityFromRollup, 1);

    std::int32_t blocks = 0;
    for (int row = 0; row < rows.rows(); ++row) {
        blocks = std::max(blocks, read_int32(rows.value(row, 1)) + 1);
    }
    RollupActivity activity(query.windows,
                            static_cast<std::size_t>(blocks) * storage::kActivityBlockBytes);
    for (int row = 0; row < rows.rows(); ++row) {
        const Day day = read_int32(rows.value(row, 0));
        const std::int32_t block = read_int32(rows.value(row, 1));
        // Binary bit(n): the length in bits, then the bytes.
        const std::string_view bits = rows.value(row, 2).substr(4);
        if (day < query.start) {
            activity.before.merge_block(0, block, bits);
        } else {
            const int period = day >= end ? query.windows : (day - query.start) / period_days;
            activity.periods.merge_block(period, block, bits);
        }
    }
    return activity;
}

/// Slot p: the users with a returning event in period p of the window; slot `windows`:
/// after it.
PeriodUsers read_activity_events(storage::PgConnection& connection, const RetentionQuery& query,
                                 Day period_days, std::size_t bytes_per_period) {
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
    const storage::PgResult rows = params.exec(connection, kActivityFromEvents);

    PeriodUsers returning(query.windows + 1, bytes_per_period);
    for (int row = 0; row < rows.rows(); ++row) {
        const auto key = static_cast<std::int32_t>(int_value(rows, row, 0));
        const auto period = static_cast<int>(int_value(rows, row, 1));
        returning.set(std::min(period, query.windows), key);
    }
    return returning;
}

/// Cohort c: the users active in period c and in no earlier day (SPEC's first event
/// ever). Slot c of the result; `activity` is left as it was.
PeriodUsers cohort_members(const RollupActivity& activity, int windows,
                           std::size_t bytes_per_period) {
    PeriodUsers cohorts(windows, bytes_per_period);
    const std::span<const std::uint8_t> before = activity.before.period_bits(0);
    std::vector<std::uint8_t> seen(before.begin(), before.end());
    for (int c = 0; c < windows; ++c) {
        const std::span<const std::uint8_t> active = activity.periods.period_bits(c);
        const std::span<std::uint8_t> members = cohorts.period_bits(c);
        for (std::size_t i = 0; i < bytes_per_period; ++i) {
            members[i] = static_cast<std::uint8_t>(active[i] & ~seen[i]);
            seen[i] |= active[i];
        }
    }
    return cohorts;
}

}  // namespace

std::vector<Cohort> retention(storage::PgConnection& connection, const RetentionQuery& query) {
    const Day period_days = query.granularity == Granularity::week ? 7 : 1;
    const bool from_rollup = query.returning.any_types() && query.returning.any_properties();
    const bool unbounded = query.mode == RetentionMode::unbounded;

    RollupActivity activity =
        read_activity_rollup(connection, query, period_days, from_rollup && unbounded);
    const std::size_t bytes_per_period = activity.periods.period_bits(0).size();
    const PeriodUsers cohorts = cohort_members(activity, query.windows, bytes_per_period);

    // Period c + k of the returning action, for k = windows - c, is "after the window".
    PeriodUsers returning = from_rollup ? std::move(activity.periods)
                                        : read_activity_events(connection, query, period_days,
                                                               bytes_per_period);
    if (unbounded) {
        returning.accumulate_later_periods();
    }

    std::vector<Cohort> result;
    for (int c = 0; c < query.windows; ++c) {
        const std::span<const std::uint8_t> members = cohorts.period_bits(c);
        Cohort& cohort = result.emplace_back(
            Cohort{query.start + c * period_days, count_both(members, members),
                   std::vector<std::int64_t>(static_cast<std::size_t>(query.windows - c), 0)});
        for (int k = 0; k < query.windows - c; ++k) {
            cohort.retained[static_cast<std::size_t>(k)] =
                count_both(members, returning.period_bits(c + k));
        }
        // Every member was there in its own period, whatever the returning action was.
        cohort.retained.front() = cohort.size;
    }
    return result;
}

}  // namespace eventline::analytics
