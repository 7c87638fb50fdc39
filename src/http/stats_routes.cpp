#include "http/stats_routes.hpp"

#include <fmt/format.h>

#include <charconv>

#include "analytics/queries.hpp"
#include "http/query_string.hpp"
#include "http/stats_parameters.hpp"
#include "logging/log.hpp"

namespace eventline::http::stats {
namespace {

// Ranges longer than this are refused rather than answered with millions of rows.
constexpr int kMaxRangeDays = 3660;
constexpr std::size_t kMaxSeriesBuckets = 10'000;
constexpr int kMaxFunnelSteps = 10;
constexpr std::size_t kMaxUserIdBytes = 256;

using Out = std::back_insert_iterator<std::string>;

void append_rate(std::string& body, std::int64_t part, std::int64_t whole) {
    const double rate = whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
    fmt::format_to(Out(body), "{}", rate);
}

std::string format_instant(event::UnixMicros micros, bool with_fraction) {
    char buffer[32];
    const std::string_view text = event::format_rfc3339(micros, buffer);
    // "YYYY-MM-DDTHH:MM:SS.ffffffZ" without the fraction: "YYYY-MM-DDTHH:MM:SSZ".
    return with_fraction ? std::string(text) : fmt::format("{}Z", text.substr(0, 19));
}

std::string cursor_text(const analytics::TimelineCursor& cursor) {
    return fmt::format("{}_{}", cursor.occurred_at, cursor.event_id.to_string());
}

analytics::TimelineCursor parse_cursor(std::string_view text) {
    const std::size_t underscore = text.find('_');
    analytics::TimelineCursor cursor;
    const char* const end = text.data() + std::min(underscore, text.size());
    const auto [stop, error] = std::from_chars(text.data(), end, cursor.occurred_at);
    const std::optional<event::Uuid> event_id =
        underscore == std::string_view::npos ? std::nullopt
                                             : event::parse_uuid(text.substr(underscore + 1));
    if (error != std::errc() || stop != end || cursor.occurred_at < 0 || !event_id) {
        throw InvalidParameter("cursor is not one this service returned");
    }
    cursor.event_id = *event_id;
    return cursor;
}

}  // namespace

AnalyticsHandler::Prepare daily_active_users() {
    return [](const Request& request) -> AnalyticsHandler::Run {
        const QueryString query = parse_query(request);
        const DateRange range = date_range(query, kMaxRangeDays);
        analytics::DauQuery dau{request.project(), range.from, range.to, event_filter(query)};
        return [dau = std::move(dau)](storage::PgConnection& connection) {
            std::string body = "[";
            for (const analytics::DayUsers& day : analytics::daily_active_users(connection, dau)) {
                fmt::format_to(Out(body), R"({}{{"date":"{}","unique_users":{}}})",
                               body.size() > 1 ? "," : "", format_day(day.day), day.users);
            }
            body += "]";
            return body;
        };
    };
}

AnalyticsHandler::Prepare top_events() {
    return [](const Request& request) -> AnalyticsHandler::Run {
        const QueryString query = parse_query(request);
        const DateRange range = date_range(query, kMaxRangeDays);
        analytics::TopEventsQuery top{request.project(), range.from, range.to,
                                      bounded_int(query, "limit", 1, 1000, 10),
                                      event_filter(query)};
        return [top = std::move(top)](storage::PgConnection& connection) {
            std::string body = "[";
            for (const analytics::EventTypeCount& type : analytics::top_events(connection, top)) {
                body += body.size() > 1 ? "," : "";
                body += R"({"event_type":)";
                logging::append_json_string(body, type.event_type);
                fmt::format_to(Out(body), R"(,"count":{}}})", type.count);
            }
            body += "]";
            return body;
        };
    };
}

AnalyticsHandler::Prepare retention() {
    return [](const Request& request) -> AnalyticsHandler::Run {
        const QueryString query = parse_query(request);
        analytics::RetentionQuery retention;
        retention.project_id = request.project();
        retention.start = required_date(query, "start_date");
        retention.windows = bounded_int(query, "windows", 1, 52, std::nullopt);
        retention.granularity = choice(query, "granularity", {"day", "week"}, "week") == "day"
                                    ? analytics::Granularity::day
                                    : analytics::Granularity::week;
        retention.mode = choice(query, "mode", {"on", "unbounded"}, "on") == "on"
                             ? analytics::RetentionMode::on
                             : analytics::RetentionMode::unbounded;
        retention.returning = event_filter(query);
        return [retention = std::move(retention)](storage::PgConnection& connection) {
            const bool weekly = retention.granularity == analytics::Granularity::week;
            std::string body = fmt::format(
                R"({{"start_date":"{}","granularity":"{}","windows":{},"mode":"{}","cohorts":[)",
                format_day(retention.start), weekly ? "week" : "day", retention.windows,
                retention.mode == analytics::RetentionMode::on ? "on" : "unbounded");
            bool first_cohort = true;
            for (const analytics::Cohort& cohort : analytics::retention(connection, retention)) {
                fmt::format_to(Out(body), R"({}{{"cohort_start":"{}","size":{},"retained":[{}],)",
                               first_cohort ? "" : ",", format_day(cohort.start), cohort.size,
                               fmt::join(cohort.retained, ","));
                first_cohort = false;
                body += R"("rate":[)";
                for (std::size_t k = 0; k < cohort.retained.size(); ++k) {
                    body += k == 0 ? "" : ",";
                    append_rate(body, cohort.retained[k], cohort.size);
                }
                body += "]}";
            }
            body += "]}";
            return body;
        };
    };
}

AnalyticsHandler::Prepare event_series() {
    return [](const Request& request) -> AnalyticsHandler::Run {
        const QueryString query = parse_query(request);
        const DateRange range = date_range(query, kMaxRangeDays);
        const std::string_view interval =
            choice(query, "interval", {"hour", "day", "week"}, "day");
        analytics::SeriesQuery series{request.project(), range.from, range.to,
                                      interval == "hour"  ? analytics::Interval::hour
                                      : interval == "day" ? analytics::Interval::day
                                                          : analytics::Interval::week,
                                      event_filter(query)};
        if (analytics::series_buckets(series).size() > kMaxSeriesBuckets) {
            throw InvalidParameter(fmt::format(
                "the range holds more than {} buckets of one {}; use a longer interval",
                kMaxSeriesBuckets, interval));
        }
        return [series = std::move(series)](storage::PgConnection& connection) {
            std::string body = "[";
            for (const analytics::SeriesPoint& point : analytics::event_series(connection, series)) {
                fmt::format_to(Out(body), R"({}{{"bucket":"{}","count":{},"unique_users":{}}})",
                               body.size() > 1 ? "," : "", format_instant(point.bucket, false),
                               point.events, point.users);
            }
            body += "]";
            return body;
        };
    };
}

AnalyticsHandler::Prepare funnel() {
    return [](const Request& request) -> AnalyticsHandler::Run {
        const QueryString query = parse_query(request);
        const DateRange range = date_range(query, kMaxRangeDays);
        analytics::FunnelQuery funnel;
        funnel.project_id = request.project();
        funnel.from = range.from;
        funnel.to = range.to;
        funnel.steps = event_types(query, "steps");
        if (funnel.steps.size() < 2 || funnel.steps.size() > kMaxFunnelSteps) {
            throw InvalidParameter(fmt::format(
                "steps must list 2 to {} event types separated by commas, got {}",
                kMaxFunnelSteps, funnel.steps.size()));
        }
        funnel.window_micros = duration_micros(query, "window", 7 * analytics::kMicrosPerDay);
        funnel.where_json = where_object(query);
        return [funnel = std::move(funnel)](storage::PgConnection& connection) {
            const std::vector<std::int64_t> users = analytics::funnel(connection, funnel);
            std::string body = fmt::format(R"({{"from":"{}","to":"{}","window_seconds":{},"steps":[)",
                                           format_day(funnel.from), format_day(funnel.to),
                                           funnel.window_micros / 1'000'000);
            for (std::size_t step = 0; step < users.size(); ++step) {
                body += step == 0 ? R"({"event_type":)" : R"(,{"event_type":)";
                logging::append_json_string(body, funnel.steps[step]);
                fmt::format_to(Out(body), R"(,"users":{},"conversion_rate":)", users[step]);
                append_rate(body, users[step], users.front());
                body += R"(,"step_conversion_rate":)";
                append_rate(body, users[step], users[step == 0 ? 0 : step - 1]);
                body += "}";
            }
            body += "]}";
            return body;
        };
    };
}

AnalyticsHandler::Prepare user_timeline() {
    return [](const Request& request) -> AnalyticsHandler::Run {
        const QueryString query = parse_query(request);
        analytics::TimelineQuery timeline;
        timeline.project_id = request.project();
        const std::optional<std::string> user_id = percent_decode(request.path_parameter);
        if (!user_id || user_id->empty() || user_id->size() > kMaxUserIdBytes) {
            throw InvalidParameter("user_id in the path must be 1 to 256 bytes, percent-encoded");
        }
        timeline.user_id = *user_id;
        timeline.from = optional_date(query, "from");
        timeline.to = optional_date(query, "to");
        if (timeline.from && timeline.to && *timeline.from > *timeline.to) {
            throw InvalidParameter("from is after to");
        }
        timeline.limit = bounded_int(query, "limit", 1, 1000, 100);
        if (const std::optional<std::string_view> cursor = query.first("cursor")) {
            timeline.before = parse_cursor(*cursor);
        }
        return [timeline = std::move(timeline)](storage::PgConnection& connection) {
            const analytics::TimelinePage page = analytics::user_timeline(connection, timeline);
            std::string body = R"({"user_id":)";
            logging::append_json_string(body, timeline.user_id);
            body += R"(,"events":[)";
            for (std::size_t i = 0; i < page.events.size(); ++i) {
                const analytics::TimelineEvent& event = page.events[i];
                fmt::format_to(Out(body), R"({}{{"event_id":"{}","occurred_at":"{}","event_type":)",
                               i == 0 ? "" : ",", event.event_id.to_string(),
                               format_instant(event.occurred_at, true));
                logging::append_json_string(body, event.event_type);
                body += R"(,"properties":)";
                body += event.properties_json;  // jsonb's own text: valid JSON
                body += "}";
            }
            body += R"(],"next_cursor":)";
            body += page.next ? fmt::format(R"("{}")", cursor_text(*page.next)) : "null";
            body += "}";
            return body;
        };
    };
}

}  // namespace eventline::http::stats
