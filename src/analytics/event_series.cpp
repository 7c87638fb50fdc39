#include <algorithm>

#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"

namespace eventline::analytics {
namespace {

constexpr std::int64_t kMicrosPerHour = 3'600'000'000;

// $6 is date_trunc's unit: 'hour', 'day' or 'week' (weeks start on Monday).
constexpr const char* kSeriesFromEvents = R"sql(
SELECT (extract(epoch FROM date_trunc($6, occurred_at AT TIME ZONE 'UTC')) * 1000000)::bigint,
       count(*), count(DISTINCT user_id)
FROM events
WHERE project_id = $1
  AND occurred_at >= $2::timestamptz AND occurred_at < $3::timestamptz
  AND ($4::text[] IS NULL OR event_type = ANY ($4::text[]))
  AND ($5::jsonb IS NULL OR properties @> $5::jsonb)
GROUP BY 1)sql";

// Whole days of all events: the counts per type added up, and the users as the OR of
// the days' activity bitmaps (every shard's) per block, so that a user active on two
// days of a week counts once. Buckets are days since 1970-01-01; with $4 true, the
// Monday of the day's week (1970-01-01 was a Thursday, three days after a Monday).
constexpr const char* kSeriesFromRollups = R"sql(
WITH users AS (
    SELECT bucket, sum(bit_count(users)) AS users
    FROM (
        SELECT CASE WHEN $4::boolean THEN day - (day + 3) % 7 ELSE day END AS bucket,
               bit_or(users) AS users
        FROM (
            SELECT day - date '1970-01-01' AS day, block, users
            FROM user_activity
            WHERE project_id = $1
              AND day BETWEEN date '1970-01-01' + $2::integer
                          AND date '1970-01-01' + $3::integer
        ) AS days
        GROUP BY 1, block
    ) AS blocks
    GROUP BY bucket
), counts AS (
    SELECT CASE WHEN $4::boolean THEN day - (day + 3) % 7 ELSE day END AS bucket,
           sum(events) AS events
    FROM (
        SELECT day - date '1970-01-01' AS day, events
        FROM daily_event_counts
        WHERE project_id = $1
          AND day BETWEEN date '1970-01-01' + $2::integer AND date '1970-01-01' + $3::integer
    ) AS days
    GROUP BY 1
)
SELECT bucket * 86400000000, coalesce(counts.events, 0), coalesce(users.users, 0)
FROM users FULL JOIN counts USING (bucket))sql";

const char* unit_name(Interval interval) {
    switch (interval) {
        case Interval::hour:
            return "hour";
        case Interval::day:
            return "day";
        case Interval::week:
            return "week";
    }
    return "day";
}

}  // namespace

std::vector<event::UnixMicros> series_buckets(const SeriesQuery& query) {
    // 1970-01-01 was a Thursday: three days after a Monday.
    const Day first_day =
        query.interval == Interval::week ? query.from - (query.from + 3) % 7 : query.from;
    const std::int64_t step = query.interval == Interval::hour  ? kMicrosPerHour
                              : query.interval == Interval::day ? kMicrosPerDay
                                                                : 7 * kMicrosPerDay;
    const event::UnixMicros end = (static_cast<std::int64_t>(query.to) + 1) * kMicrosPerDay;
    std::vector<event::UnixMicros> buckets;
    for (event::UnixMicros bucket = first_day * kMicrosPerDay; bucket < end; bucket += step) {
        buckets.push_back(bucket);
    }
    return buckets;
}

std::vector<SeriesPoint> event_series(storage::PgConnection& connection,
                                      const SeriesQuery& query) {
    // Hours need the events' times; so do filters, which the rollups do not keep.
    const bool from_rollups = query.interval != Interval::hour && query.filter.any_types() &&
                              query.filter.any_properties();
    SqlParams params;
    params.add(query.project_id);
    if (from_rollups) {
        params.add(query.from);
        params.add(query.to);
        params.add(std::string(query.interval == Interval::week ? "true" : "false"));
    } else {
        params.add_day_start(query.from);
        params.add_day_start(query.to + 1);
        params.add_text_array_or_null(query.filter.event_types);
        params.add_json_or_null(query.filter.where_json);
        params.add(std::string(unit_name(query.interval)));
    }
    const storage::PgResult result =
        params.exec(connection, from_rollups ? kSeriesFromRollups : kSeriesFromEvents);

    std::vector<SeriesPoint> points;
    for (const event::UnixMicros bucket : series_buckets(query)) {
        points.push_back(SeriesPoint{bucket, 0, 0});
    }
    for (int row = 0; row < result.rows(); ++row) {
        const event::UnixMicros bucket = int_value(result, row, 0);
        const auto found = std::lower_bound(
            points.begin(), points.end(), bucket,
            [](const SeriesPoint& point, event::UnixMicros value) { return point.bucket < value; });
        if (found != points.end() && found->bucket == bucket) {
            found->events = int_value(result, row, 1);
            found->users = int_value(result, row, 2);
        }
    }
    return points;
}

}  // namespace eventline::analytics
