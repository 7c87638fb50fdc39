#include <fmt/format.h>

#include "analytics/queries.hpp"
#include "analytics/sql_params.hpp"

namespace eventline::analytics {
namespace {

// The funnel is one statement with a CTE per step. Parameters: $1 project, $2 and $3
// the range [from, to + 1 day), $4 the window in microseconds, $5 the properties filter
// or NULL, $6 onwards the steps' event types. Only the step numbers vary between the
// fragments; every value is a parameter.
constexpr const char* kFirstStep = R"sql(
WITH step1 AS (
    SELECT user_id, min(occurred_at) AS entered, min(occurred_at) AS reached
    FROM events
    WHERE project_id = $1 AND event_type = $6
      AND occurred_at >= $2::timestamptz AND occurred_at < $3::timestamptz
      AND ($5::jsonb IS NULL OR properties @> $5::jsonb)
    GROUP BY user_id
))sql";

// Step {0} follows step {1}: the earliest matching event strictly after the previous
// step's, within the window from entry. The bounds on e.occurred_at alone let the
// BRIN index skip what lies outside the whole funnel.
constexpr const char* kNextStep = R"sql(, step{0} AS (
    SELECT p.user_id, p.entered, min(e.occurred_at) AS reached
    FROM step{1} AS p
    JOIN events AS e ON e.project_id = $1 AND e.user_id = p.user_id
    WHERE e.event_type = ${2}
      AND e.occurred_at > p.reached
      AND e.occurred_at < p.entered + $4::bigint * interval '1 microsecond'
      AND e.occurred_at > $2::timestamptz
      AND e.occurred_at < $3::timestamptz + $4::bigint * interval '1 microsecond'
      AND ($5::jsonb IS NULL OR e.properties @> $5::jsonb)
    GROUP BY p.user_id, p.entered
))sql";

std::string funnel_sql(std::size_t steps) {
    std::string sql = kFirstStep;
    for (std::size_t step = 2; step <= steps; ++step) {
        sql += fmt::format(kNextStep, step, step - 1, step + 5);
    }
    sql += "\nSELECT ";
    for (std::size_t step = 1; step <= steps; ++step) {
        fmt::format_to(std::back_inserter(sql), "{}(SELECT count(*) FROM step{})",
                       step == 1 ? "" : ", ", step);
    }
    return sql;
}

}  // namespace

std::vector<std::int64_t> funnel(storage::PgConnection& connection, const FunnelQuery& query) {
    SqlParams params;
    params.add(query.project_id);
    params.add_day_start(query.from);
    params.add_day_start(query.to + 1);
    params.add(query.window_micros);
    params.add_json_or_null(query.where_json);
    for (const std::string& step : query.steps) {
        params.add(step);
    }
    const storage::PgResult result = params.exec(connection, funnel_sql(query.steps.size()).c_str());

    std::vector<std::int64_t> users;
    for (int step = 0; step < static_cast<int>(query.steps.size()); ++step) {
        users.push_back(int_value(result, 0, step));
    }
    return users;
}

}  // namespace eventline::analytics
