#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"

namespace eventline::analytics {
namespace {

// Each (day, block) row holds one bit per user active that day, in one row per writer
// shard: ORed before the bits are counted.
constexpr const char* kDauFromRollup = R"sql(
SELECT day, sum(bit_count(users))
FROM (
    SELECT day - date '1970-01-01' AS day, bit_or(users) AS users
    FROM user_activity
    WHERE project_id = $1
      AND day BETWEEN date '1970-01-01' + $2::integer AND date '1970-01-01' + $3::integer
    GROUP BY day, block
) AS blocks
GROUP BY day)sql";

// With a filter there is no rollup to read: the range's events are counted. The NULL
// tests fold away at planning, since unnamed statements are planned with their values.
constexpr const char* kDauFromEvents = R"sql(
SELECT (occurred_at AT TIME ZONE 'UTC')::date - date '1970-01-01', count(DISTINCT user_id)
FROM events
WHERE project_id = $1
  AND occurred_at >= $2::timestamptz AND occurred_at < $3::timestamptz
  AND ($4::text[] IS NULL OR event_type = ANY ($4::text[]))
  AND ($5::jsonb IS NULL OR properties @> $5::jsonb)
GROUP BY 1)sql";

}  // namespace

std::vector<DayUsers> daily_active_users(storage::PgConnection& connection,
                                         const DauQuery& query) {
    SqlParams params;
    params.add(query.project_id);
    const bool from_rollup = query.filter.any_types() && query.filter.any_properties();
    if (from_rollup) {
        params.add(query.from);
        params.add(query.to);
    } else {
        params.add_day_start(query.from);
        params.add_day_start(query.to + 1);
        params.add_text_array_or_null(query.filter.event_types);
        params.add_json_or_null(query.filter.where_json);
    }
    const storage::PgResult result =
        params.exec(connection, from_rollup ? kDauFromRollup : kDauFromEvents);

    std::vector<DayUsers> days;
    days.reserve(static_cast<std::size_t>(query.to - query.from + 1));
    for (Day day = query.from; day <= query.to; ++day) {
        days.push_back(DayUsers{day, 0});
    }
    for (int row = 0; row < result.rows(); ++row) {
        const auto day = static_cast<Day>(int_value(result, row, 0));
        if (day >= query.from && day <= query.to) {
            days[static_cast<std::size_t>(day - query.from)].users = int_value(result, row, 1);
        }
    }
    return days;
}

}  // namespace eventline::analytics
