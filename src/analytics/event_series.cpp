#include <algorithm>

#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"

namespace eventline::analytics {
namespace {

constexpr std::int64_t kMicrosPerHour = 3'600'000'000;

// $6 is date_trunc's unit: 'hour', 'day' or 'week' (weeks start on Monday).
constexpr const char* kSeries = R"sql(
SELECT (extract(epoch FROM date_trunc($6, occurred_at AT TIME ZONE 'UTC')) * 1000000)::bigint,
       count(*), count(DISTINCT user_id)
FROM events
WHERE project_id = $1
  AND occurred_at >= $2::timestamptz AND occurred_at < $3::timestamptz
  AND ($4::text[] IS NULL OR event_type = ANY ($4::text[]))
  AND ($5::jsonb IS NULL OR properties @> $5::jsonb)
GROUP BY 1)sql";

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
    SqlParams params;
    params.add(query.project_id);
    params.add_day_start(query.from);
    params.add_day_start(query.to + 1);
    params.add_text_array_or_null(query.filter.event_types);
    params.add_json_or_null(query.filter.where_json);
    params.add(std::string(unit_name(query.interval)));
    const storage::PgResult result = params.exec(connection, kSeries);

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
