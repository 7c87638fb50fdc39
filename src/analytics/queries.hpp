#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "event/event.hpp"
#include "storage/pg_connection.hpp"

/// The analytics queries: typed requests in, typed answers out, one function each,
/// run on a read connection (a replica in production). Parameters arrive checked; the
/// functions throw storage::DatabaseError only.
///
/// Unfiltered questions are answered from the rollups that every ingest transaction
/// keeps (users, user_activity, daily_event_counts), so they cost the same at ten
/// million events as at ten thousand. A filter on properties (`where`) or, for
/// daily active users and event series, on event types, has no rollup and reads the
/// events of the range (BRIN on time, GIN on properties); so do hourly series and
/// funnels, which need times finer than a day.
namespace eventline::analytics {

/// A UTC calendar day, as days since 1970-01-01.
using Day = std::int32_t;

inline constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

/// Which events count. Empty lists and strings mean "no restriction".
struct EventFilter {
    std::vector<std::string> event_types;
    std::string where_json;  // a JSON object, matched by containment (@>) on properties

    [[nodiscard]] bool any_types() const { return event_types.empty(); }
    [[nodiscard]] bool any_properties() const { return where_json.empty(); }
};

// --- daily active users --------------------------------------------------------------

struct DauQuery {
    event::ProjectId project_id = event::kDefaultProject;
    Day from = 0;
    Day to = 0;  // inclusive
    EventFilter filter;
};

struct DayUsers {
    Day day;
    std::int64_t users;
};

/// One entry for every day of the range, zeros included, oldest first.
std::vector<DayUsers> daily_active_users(storage::PgConnection& connection, const DauQuery& query);

// --- top event types -----------------------------------------------------------------

struct TopEventsQuery {
    event::ProjectId project_id = event::kDefaultProject;
    Day from = 0;
    Day to = 0;
    int limit = 10;
    EventFilter filter;
};

struct EventTypeCount {
    std::string event_type;
    std::int64_t count;
};

/// By count descending, then event type ascending (bytewise).
std::vector<EventTypeCount> top_events(storage::PgConnection& connection,
                                       const TopEventsQuery& query);

// --- cohort retention ----------------------------------------------------------------

enum class Granularity { day, week };
enum class RetentionMode {
    on,         // active in exactly period c + k
    unbounded,  // active in period c + k or any later one
};

struct RetentionQuery {
    event::ProjectId project_id = event::kDefaultProject;
    Day start = 0;
    int windows = 1;
    Granularity granularity = Granularity::week;
    RetentionMode mode = RetentionMode::on;
    EventFilter returning;  // what counts as coming back; cohorts are always SPEC's
};

struct Cohort {
    Day start;
    std::int64_t size;
    std::vector<std::int64_t> retained;  // windows - c entries; retained[0] == size
};

/// SPEC's triangle: cohort c holds the users whose first event ever falls in period c.
std::vector<Cohort> retention(storage::PgConnection& connection, const RetentionQuery& query);

// --- event counts over time ----------------------------------------------------------

enum class Interval { hour, day, week };

struct SeriesQuery {
    event::ProjectId project_id = event::kDefaultProject;
    Day from = 0;
    Day to = 0;
    Interval interval = Interval::day;
    EventFilter filter;
};

struct SeriesPoint {
    event::UnixMicros bucket;  // start of the bucket; weeks start on Monday (ISO 8601)
    std::int64_t events;
    std::int64_t users;
};

/// The bucket starts of the range, each listed once, oldest first.
std::vector<event::UnixMicros> series_buckets(const SeriesQuery& query);

/// Every bucket of `series_buckets`, zeros included. Only events inside the range are
/// counted, also in a week that begins before `from` or ends after `to`.
std::vector<SeriesPoint> event_series(storage::PgConnection& connection, const SeriesQuery& query);

// --- conversion funnels --------------------------------------------------------------

struct FunnelQuery {
    event::ProjectId project_id = event::kDefaultProject;
    Day from = 0;
    Day to = 0;
    std::vector<std::string> steps;  // event types, in order; 2 or more
    std::int64_t window_micros = 7 * kMicrosPerDay;
    std::string where_json;  // restricts the events of every step
};

/// Users who reached each step. A user enters at their first step-1 event in the range;
/// each later step is that user's earliest event of the step's type strictly after the
/// previous step's, and before the entry time plus the window (it may fall after `to`).
std::vector<std::int64_t> funnel(storage::PgConnection& connection, const FunnelQuery& query);

// --- one user's timeline -------------------------------------------------------------

/// Where a page ended: the last event returned, in (occurred_at, event_id) order.
struct TimelineCursor {
    event::UnixMicros occurred_at = 0;
    event::Uuid event_id;
};

struct TimelineQuery {
    event::ProjectId project_id = event::kDefaultProject;
    std::string user_id;
    std::optional<Day> from;
    std::optional<Day> to;
    int limit = 100;
    std::optional<TimelineCursor> before;  // the page continues below this cursor
};

struct TimelineEvent {
    event::Uuid event_id;
    event::UnixMicros occurred_at;
    std::string event_type;
    std::string properties_json;
};

struct TimelinePage {
    std::vector<TimelineEvent> events;  // newest first
    std::optional<TimelineCursor> next;  // set when more events follow
};

TimelinePage user_timeline(storage::PgConnection& connection, const TimelineQuery& query);

}  // namespace eventline::analytics
