#include <algorithm>

#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"

namespace eventline::analytics {
namespace {

// Keyset pagination on (occurred_at, event_id), newest first, served by the index
// events_user_timeline; one row more than asked tells whether another page follows.
constexpr const char* kTimeline = R"sql(
SELECT event_id::text, (extract(epoch FROM occurred_at) * 1000000)::bigint, event_type,
       properties::text
FROM events
WHERE project_id = $1 AND user_id = $2
  AND ($3::timestamptz IS NULL OR occurred_at >= $3::timestamptz)
  AND ($4::timestamptz IS NULL OR occurred_at < $4::timestamptz)
  AND ($5::timestamptz IS NULL OR (occurred_at, event_id) < ($5::timestamptz, $6::uuid))
ORDER BY occurred_at DESC, event_id DESC
LIMIT $7::integer + 1)sql";

}  // namespace

TimelinePage user_timeline(storage::PgConnection& connection, const TimelineQuery& query) {
    SqlParams params;
    params.add(query.project_id);
    params.add(query.user_id);
    if (query.from) {
        params.add_day_start(*query.from);
    } else {
        params.add_null();
    }
    if (query.to) {
        params.add_day_start(*query.to + 1);
    } else {
        params.add_null();
    }
    if (query.before) {
        params.add_timestamp(query.before->occurred_at);
        params.add(query.before->event_id.to_string());
    } else {
        params.add_null();
        params.add_null();
    }
    params.add(query.limit);
    const storage::PgResult result = params.exec(connection, kTimeline);

    TimelinePage page;
    const int rows = std::min(result.rows(), query.limit);
    for (int row = 0; row < rows; ++row) {
        TimelineEvent& event = page.events.emplace_back();
        const auto parsed = event::parse_uuid(result.value(row, 0));
        if (parsed) {
            event.event_id = *parsed;
        }
        event.occurred_at = int_value(result, row, 1);
        event.event_type = result.value(row, 2);
        event.properties_json = result.value(row, 3);
    }
    if (result.rows() > query.limit && !page.events.empty()) {
        page.next = TimelineCursor{page.events.back().occurred_at, page.events.back().event_id};
    }
    return page;
}

}  // namespace eventline::analytics
