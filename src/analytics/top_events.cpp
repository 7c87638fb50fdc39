#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"

namespace eventline::analytics {
namespace {

// COLLATE "C": ties are broken bytewise, the same on every server whatever its locale.
constexpr const char* kTopEventsFromRollup = R"sql(
SELECT event_type, sum(events)::bigint AS total
FROM daily_event_counts
WHERE project_id = $1
  AND day BETWEEN date '1970-01-01' + $2::integer AND date '1970-01-01' + $3::integer
  AND ($4::text[] IS NULL OR event_type = ANY ($4::text[]))
GROUP BY event_type
ORDER BY total DESC, event_type COLLATE "C"
LIMIT $5::integer)sql";

constexpr const char* kTopEventsFromEvents = R"sql(
SELECT event_type, count(*) AS total
FROM events
WHERE project_id = $1
  AND occurred_at >= $2::timestamptz AND occurred_at < $3::timestamptz
  AND ($4::text[] IS NULL OR event_type = ANY ($4::text[]))
  AND properties @> $6::jsonb
GROUP BY event_type
ORDER BY total DESC, event_type COLLATE "C"
LIMIT $5::integer)sql";

}  // namespace

std::vector<EventTypeCount> top_events(storage::PgConnection& connection,
                                       const TopEventsQuery& query) {
    // Per-day type counts answer any filter on types; only properties need the events.
    const bool from_rollup = query.filter.any_properties();
    SqlParams params;
    params.add(query.project_id);
    if (from_rollup) {
        params.add(query.from);
        params.add(query.to);
    } else {
        params.add_day_start(query.from);
        params.add_day_start(query.to + 1);
    }
    params.add_text_array_or_null(query.filter.event_types);
    params.add(query.limit);
    if (!from_rollup) {
        params.add(query.filter.where_json);
    }
    const storage::PgResult result =
        params.exec(connection, from_rollup ? kTopEventsFromRollup : kTopEventsFromEvents);

    std::vector<EventTypeCount> counts;
    counts.reserve(static_cast<std::size_t>(result.rows()));
    for (int row = 0; row < result.rows(); ++row) {
        counts.push_back(EventTypeCount{std::string(result.value(row, 0)),
                                        int_value(result, row, 1)});
    }
    return counts;
}

}  // namespace eventline::analytics
