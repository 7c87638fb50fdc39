// The analytics endpoints end to end, each answer checked against a brute-force
// computation over the same events in plain C++ (not the same SQL): events posted over
// HTTP and imported from CSV, with non-UTC offsets, events exactly at midnight, users
// first seen before the start date, late arrivals and duplicates.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include "event/timestamp.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/processes.hpp"
#include "support/running_service.hpp"

namespace eventline {
namespace {

using event::UnixMicros;
using testing::HttpResponse;
using testing::Json;

constexpr UnixMicros kSecond = 1'000'000;
constexpr UnixMicros kHour = 3600 * kSecond;
constexpr UnixMicros kDay = 24 * kHour;

UnixMicros day_start(int year, unsigned month, unsigned day) {
    return event::days_from_civil(year, month, day) * kDay;
}

std::int64_t day_of(UnixMicros at) { return at / kDay; }

std::string date_text(std::int64_t day) {
    char buffer[32];
    return std::string(event::format_rfc3339(day * kDay, buffer).substr(0, 10));
}

struct ModelEvent {
    std::string id;
    UnixMicros at = 0;
    std::string user;
    std::string type;
    bool pro = false;
    int offset_minutes = 0;  // how occurred_at is written: the same instant, another zone

    [[nodiscard]] std::string occurred_text() const {
        char buffer[32];
        const std::string local(
            event::format_rfc3339(at + offset_minutes * 60 * kSecond, buffer).substr(0, 26));
        if (offset_minutes == 0) {
            return local + "Z";
        }
        const int minutes = std::abs(offset_minutes);
        return fmt::format("{}{}{:02}:{:02}", local, offset_minutes < 0 ? '-' : '+', minutes / 60,
                           minutes % 60);
    }
    [[nodiscard]] std::string properties() const {
        return pro ? R"({"plan":"pro","tier":{"level":2}})" : R"({"plan":"free"})";
    }
    [[nodiscard]] std::string json() const {
        return fmt::format(
            R"({{"event_id":"{}","occurred_at":"{}","user_id":"{}","event_type":"{}",)"
            R"("properties":{}}})",
            id, occurred_text(), user, type, properties());
    }
};

/// Which events a question counts.
struct Filter {
    std::set<std::string> types;  // empty: any
    bool pro_only = false;

    [[nodiscard]] bool matches(const ModelEvent& event) const {
        return (types.empty() || types.contains(event.type)) && (!pro_only || event.pro);
    }
    [[nodiscard]] std::string query() const {
        std::string text;
        for (const std::string& type : types) {
            text += "&event_type=" + type;
        }
        if (pro_only) {
            text += "&where=%7B%22plan%22%3A%22pro%22%7D";
        }
        return text;
    }
};

/// The events, and every answer computed the slow, obvious way.
class Model {
public:
    explicit Model(std::vector<ModelEvent> events) : events_(std::move(events)) {}

    [[nodiscard]] const std::vector<ModelEvent>& events() const { return events_; }

    [[nodiscard]] std::vector<std::pair<std::int64_t, std::size_t>> dau(
        std::int64_t from, std::int64_t to, const Filter& filter) const {
        std::vector<std::pair<std::int64_t, std::size_t>> days;
        for (std::int64_t day = from; day <= to; ++day) {
            std::set<std::string> users;
            for (const ModelEvent& event : events_) {
                if (day_of(event.at) == day && filter.matches(event)) {
                    users.insert(event.user);
                }
            }
            days.emplace_back(day, users.size());
        }
        return days;
    }

    [[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> top(
        std::int64_t from, std::int64_t to, std::size_t limit, const Filter& filter) const {
        std::map<std::string, std::int64_t> counts;
        for (const ModelEvent& event : events_) {
            if (day_of(event.at) >= from && day_of(event.at) <= to && filter.matches(event)) {
                ++counts[event.type];
            }
        }
        std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
        std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        sorted.resize(std::min(limit, sorted.size()));
        return sorted;
    }

    struct Cohort {
        std::int64_t size = 0;
        std::vector<std::int64_t> retained;
    };

    [[nodiscard]] std::vector<Cohort> retention(std::int64_t start_day, int windows,
                                                std::int64_t period_days, bool unbounded,
                                                const Filter& returning) const {
        const UnixMicros start = start_day * kDay;
        const UnixMicros period = period_days * kDay;
        std::map<std::string, UnixMicros> first_seen;
        for (const ModelEvent& event : events_) {
            auto [found, added] = first_seen.try_emplace(event.user, event.at);
            if (!added) {
                found->second = std::min(found->second, event.at);
            }
        }
        std::vector<Cohort> cohorts(static_cast<std::size_t>(windows));
        for (int c = 0; c < windows; ++c) {
            cohorts[static_cast<std::size_t>(c)].retained.assign(
                static_cast<std::size_t>(windows - c), 0);
        }
        for (const auto& [user_id, first] : first_seen) {
            // clang 14 cannot capture a structured binding in a lambda: a plain copy.
            const auto& user = user_id;
            if (first < start || first >= start + windows * period) {
                continue;
            }
            const auto c = static_cast<int>((first - start) / period);
            Cohort& cohort = cohorts[static_cast<std::size_t>(c)];
            ++cohort.size;
            ++cohort.retained[0];
            for (int k = 1; k < windows - c; ++k) {
                const UnixMicros from = start + (c + k) * period;
                const UnixMicros to = unbounded ? INT64_MAX : from + period;
                const bool active = std::any_of(events_.begin(), events_.end(), [&](const auto& e) {
                    return e.user == user && e.at >= from && e.at < to && returning.matches(e);
                });
                cohort.retained[static_cast<std::size_t>(k)] += active ? 1 : 0;
            }
        }
        return cohorts;
    }

    [[nodiscard]] std::vector<std::int64_t> funnel(std::int64_t from, std::int64_t to,
                                                   const std::vector<std::string>& steps,
                                                   UnixMicros window, bool pro_only) const {
        std::map<std::string, std::vector<const ModelEvent*>> by_user;
        for (const ModelEvent& event : events_) {
            if (!pro_only || event.pro) {
                by_user[event.user].push_back(&event);
            }
        }
        std::vector<std::int64_t> reached(steps.size(), 0);
        for (auto& [user, events] : by_user) {
            std::optional<UnixMicros> entered;
            for (const ModelEvent* event : events) {
                if (event->type == steps[0] && day_of(event->at) >= from && day_of(event->at) <= to &&
                    (!entered || event->at < *entered)) {
                    entered = event->at;
                }
            }
            if (!entered) {
                continue;
            }
            ++reached[0];
            UnixMicros previous = *entered;
            for (std::size_t step = 1; step < steps.size(); ++step) {
                std::optional<UnixMicros> next;
                for (const ModelEvent* event : events) {
                    if (event->type == steps[step] && event->at > previous &&
                        event->at < *entered + window && (!next || event->at < *next)) {
                        next = event->at;
                    }
                }
                if (!next) {
                    break;
                }
                ++reached[step];
                previous = *next;
            }
        }
        return reached;
    }

    /// A user's events, newest first, ties by event_id descending.
    [[nodiscard]] std::vector<const ModelEvent*> timeline(const std::string& user) const {
        std::vector<const ModelEvent*> events;
        for (const ModelEvent& event : events_) {
            if (event.user == user) {
                events.push_back(&event);
            }
        }
        std::sort(events.begin(), events.end(), [](const ModelEvent* a, const ModelEvent* b) {
            return a->at != b->at ? a->at > b->at : a->id > b->id;
        });
        return events;
    }

private:
    std::vector<ModelEvent> events_;
};

/// Deterministic events around the weeks the tests ask about, with the edge cases
/// placed on purpose.
std::vector<ModelEvent> generate_events() {
    std::mt19937_64 random(20250106);
    const UnixMicros begin = day_start(2024, 12, 28);  // before the retention start
    const std::vector<std::string> types{"view", "click", "signup", "buy"};
    const std::vector<int> offsets{0, 0, 330, -480, 60, -150};
    std::vector<ModelEvent> events;
    auto add = [&](UnixMicros at, int user, const std::string& type) {
        ModelEvent event;
        event.id = fmt::format("{:08x}-0000-4000-8000-{:012x}", random() & 0xffffffff,
                               events.size());
        event.at = at;
        event.user = fmt::format("user {}", user);  // a space: user_ids need encoding in paths
        event.type = type;
        event.pro = random() % 3 == 0;
        event.offset_minutes = offsets[random() % offsets.size()];
        events.push_back(event);
    };
    for (int i = 0; i < 3000; ++i) {
        // Users join over time: user u first appears around day u/4, then keeps coming.
        const int user = static_cast<int>(random() % 160);
        const UnixMicros joined = begin + (user / 4) * kDay;
        const UnixMicros at = joined + static_cast<UnixMicros>(random() % (35 * kDay));
        const std::size_t type = random() % 10 < 5 ? 0 : random() % types.size();
        add(at, user, types[type]);
    }
    // Exactly on period and day boundaries, and a late-evening event that another zone
    // writes as the next day.
    add(day_start(2025, 1, 13), 200, "signup");
    add(day_start(2025, 1, 13) - 1, 201, "signup");
    add(day_start(2025, 1, 20), 200, "view");
    add(day_start(2025, 1, 12) + 23 * kHour + 30 * 60 * kSecond, 202, "signup");
    events.back().offset_minutes = 60;  // "2025-01-13T00:30:00+01:00"
    add(day_start(2025, 1, 14) + 5, 202, "buy");
    add(day_start(2025, 1, 14) + 5, 202, "click");  // same instant as the buy
    return events;
}

class Analytics : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        model_ = new Model(generate_events());
        service_ = new testing::RunningService();
        load(model_->events());
    }
    static void TearDownTestSuite() {
        delete service_;
        delete model_;
    }

    /// Half over HTTP in batches, with repeats and late arrivals; the rest through
    /// `eventline import` from a CSV file, repeating some HTTP events too.
    static void load(const std::vector<ModelEvent>& events) {
        std::vector<const ModelEvent*> order;
        for (const ModelEvent& event : events) {
            order.push_back(&event);
        }
        std::stable_sort(order.begin(), order.end(),
                         [](const auto* a, const auto* b) { return a->at < b->at; });
        // Every seventh event arrives last: late, and for some users their first.
        std::stable_partition(order.begin(), order.end(), [&](const ModelEvent* event) {
            return (event - events.data()) % 7 != 0;
        });

        const std::size_t half = order.size() / 2;
        testing::HttpClient client = service_->client();
        std::string batch;
        std::size_t in_batch = 0;
        auto flush = [&] {
            const HttpResponse response = client.post("/events", "[" + batch + "]");
            ASSERT_EQ(response.status, 200u) << response.body;
            batch.clear();
            in_batch = 0;
        };
        for (std::size_t i = 0; i < half; ++i) {
            batch += (in_batch++ == 0 ? "" : ",") + order[i]->json();
            if (i % 10 == 0) {
                batch += "," + order[i]->json();  // a repeat inside the batch
            }
            if (in_batch >= 250) {
                flush();
            }
        }
        flush();

        const std::string path = fmt::format("/tmp/eventline-analytics-{}.csv", getpid());
        {
            std::ofstream csv(path);
            csv << "event_id,occurred_at,user_id,event_type,properties\n";
            for (std::size_t i = half - 100; i < order.size(); ++i) {
                std::string properties = order[i]->properties();
                std::string quoted;
                for (const char c : properties) {
                    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
                }
                csv << order[i]->id << ',' << order[i]->occurred_text() << ',' << order[i]->user
                    << ',' << order[i]->type << ",\"" << quoted << "\"\n";
            }
        }
        const testing::CommandResult imported = testing::run_eventline(
            {"import", path, "--database-url", service_->database().url(), "--quiet",
             "--chunk-rows", "300"});
        std::remove(path.c_str());
        ASSERT_EQ(imported.exit_code, 0) << imported.err;

        ASSERT_EQ(service_->database().scalar("SELECT count(*) FROM events"),
                  static_cast<long long>(events.size()));
    }

    static HttpResponse get(const std::string& target) {
        return service_->client().get(target);
    }

    static Json get_json(const std::string& target) {
        const HttpResponse response = get(target);
        EXPECT_EQ(response.status, 200u) << target << ": " << response.body;
        return Json(response.body);
    }

    static void expect_retention(const std::string& query, std::int64_t start_day, int windows,
                                 std::int64_t period_days, bool unbounded, const Filter& filter) {
        const std::string target = fmt::format("/stats/retention?start_date={}&windows={}{}{}",
                                               date_text(start_day), windows, query,
                                               filter.query());
        const Json answer = get_json(target);
        const auto expected =
            model_->retention(start_day, windows, period_days, unbounded, filter);
        const simdjson::dom::array cohorts = answer["cohorts"].get_array().value();
        ASSERT_EQ(cohorts.size(), expected.size()) << target;
        std::size_t c = 0;
        for (const simdjson::dom::element cohort : cohorts) {
            const Model::Cohort& want = expected[c];
            SCOPED_TRACE(fmt::format("{} cohort {}", target, c));
            EXPECT_EQ(std::string(cohort["cohort_start"].get_string().value()),
                      date_text(start_day + static_cast<std::int64_t>(c) * period_days));
            EXPECT_EQ(cohort["size"].get_int64().value(), want.size);
            std::vector<std::int64_t> retained;
            for (const simdjson::dom::element value : testing::array_of(cohort["retained"])) {
                retained.push_back(value.get_int64().value());
            }
            EXPECT_EQ(retained, want.retained);
            std::size_t k = 0;
            for (const simdjson::dom::element rate : testing::array_of(cohort["rate"])) {
                const double expected_rate =
                    want.size == 0 ? 0.0
                                   : static_cast<double>(want.retained[k]) /
                                         static_cast<double>(want.size);
                EXPECT_DOUBLE_EQ(rate.get_double().value(), expected_rate);
                ++k;
            }
            EXPECT_EQ(k, want.retained.size());
            ++c;
        }
    }

    static Model* model_;
    static testing::RunningService* service_;
};

Model* Analytics::model_ = nullptr;
testing::RunningService* Analytics::service_ = nullptr;

const std::int64_t kJan6 = event::days_from_civil(2025, 1, 6);

TEST_F(Analytics, DailyActiveUsersMatchTheEventsForEveryDayAndFilter) {
    const std::int64_t from = event::days_from_civil(2024, 12, 20);  // days without events
    const std::int64_t to = event::days_from_civil(2025, 3, 10);
    for (const Filter& filter : {Filter{}, Filter{{"click", "buy"}, false}, Filter{{}, true},
                                 Filter{{"view"}, true}}) {
        const std::string target = fmt::format("/stats/dau?from={}&to={}{}", date_text(from),
                                               date_text(to), filter.query());
        std::string expected = "[";
        for (const auto& [day, users] : model_->dau(from, to, filter)) {
            expected += fmt::format(R"({}{{"date":"{}","unique_users":{}}})",
                                    expected.size() > 1 ? "," : "", date_text(day), users);
        }
        expected += "]";
        EXPECT_EQ(get(target).body, expected) << target;
    }
}

TEST_F(Analytics, ASingleDayRangeAndAnEmptyRangeAreDense) {
    EXPECT_EQ(get("/stats/dau?from=2025-01-13&to=2025-01-13").body,
              fmt::format(R"([{{"date":"2025-01-13","unique_users":{}}}])",
                          model_->dau(kJan6 + 7, kJan6 + 7, {}).front().second));
    EXPECT_EQ(get("/stats/dau?from=2030-01-01&to=2030-01-02").body,
              R"([{"date":"2030-01-01","unique_users":0},{"date":"2030-01-02","unique_users":0}])");
    EXPECT_EQ(get("/stats/top-events?from=2030-01-01&to=2030-01-02").body, "[]");
}

TEST_F(Analytics, TopEventsAreOrderedByCountThenName) {
    const std::int64_t from = kJan6;
    const std::int64_t to = kJan6 + 20;
    for (const Filter& filter : {Filter{}, Filter{{}, true}, Filter{{"click", "buy"}, false}}) {
        for (const std::size_t limit : {1u, 3u, 1000u}) {
            const std::string target = fmt::format("/stats/top-events?from={}&to={}&limit={}{}",
                                                   date_text(from), date_text(to), limit,
                                                   filter.query());
            std::string expected = "[";
            for (const auto& [type, count] : model_->top(from, to, limit, filter)) {
                expected += fmt::format(R"({}{{"event_type":"{}","count":{}}})",
                                        expected.size() > 1 ? "," : "", type, count);
            }
            expected += "]";
            EXPECT_EQ(get(target).body, expected) << target;
        }
    }
    // The default limit is 10: all four types here.
    EXPECT_EQ(Json(get("/stats/top-events?from=2025-01-06&to=2025-01-26").body)
                  .root()
                  .get_array()
                  .value()
                  .size(),
              4u);
}

TEST_F(Analytics, WeeklyRetentionMatchesTheCohortDefinition) {
    expect_retention("", kJan6, 8, 7, false, {});
    expect_retention("&granularity=week&mode=on", kJan6 + 7, 3, 7, false, {});
    // Windows running past the data: empty cohorts have size 0 and rates 0.
    expect_retention("", kJan6 + 21, 10, 7, false, {});
    expect_retention("", event::days_from_civil(2030, 1, 1), 2, 7, false, {});
}

TEST_F(Analytics, DailyAndUnboundedRetention) {
    expect_retention("&granularity=day", kJan6 + 3, 12, 1, false, {});
    expect_retention("&mode=unbounded", kJan6, 6, 7, true, {});
    expect_retention("&granularity=day&mode=unbounded", kJan6, 9, 1, true, {});
}

TEST_F(Analytics, RetentionWithAReturningAction) {
    expect_retention("", kJan6, 5, 7, false, Filter{{"buy"}, false});
    expect_retention("&mode=unbounded", kJan6, 5, 7, true, Filter{{"click", "buy"}, false});
    expect_retention("", kJan6, 5, 7, false, Filter{{}, true});
}

TEST_F(Analytics, EventSeriesCountsEventsAndUsersPerBucket) {
    struct Case {
        std::string interval;
        UnixMicros step;
        std::int64_t from;
        std::int64_t to;
    };
    for (const Case& test : {Case{"day", kDay, kJan6, kJan6 + 9},
                             Case{"hour", kHour, kJan6 + 7, kJan6 + 8},
                             Case{"week", 7 * kDay, kJan6 + 2, kJan6 + 30}}) {
        for (const Filter& filter : {Filter{}, Filter{{"buy"}, true}}) {
            const std::string target =
                fmt::format("/stats/events?from={}&to={}&interval={}{}", date_text(test.from),
                            date_text(test.to), test.interval, filter.query());
            const Json answer = get_json(target);
            // Weeks start on Monday; 2025-01-06 was one.
            UnixMicros bucket = test.interval == "week" ? kJan6 * kDay : test.from * kDay;
            const UnixMicros range_begin = test.from * kDay;
            const UnixMicros range_end = (test.to + 1) * kDay;
            std::size_t points = 0;
            for (const simdjson::dom::element point : testing::array_of(answer.root())) {
                SCOPED_TRACE(fmt::format("{} bucket {}", target, points));
                std::int64_t count = 0;
                std::set<std::string> users;
                for (const ModelEvent& event : model_->events()) {
                    if (event.at >= std::max(bucket, range_begin) &&
                        event.at < std::min(bucket + test.step, range_end) &&
                        filter.matches(event)) {
                        ++count;
                        users.insert(event.user);
                    }
                }
                char buffer[32];
                EXPECT_EQ(std::string(point["bucket"].get_string().value()),
                          std::string(event::format_rfc3339(bucket, buffer).substr(0, 19)) + "Z");
                EXPECT_EQ(point["count"].get_int64().value(), count);
                EXPECT_EQ(point["unique_users"].get_int64().value(),
                          static_cast<std::int64_t>(users.size()));
                bucket += test.step;
                ++points;
            }
            EXPECT_EQ(bucket >= range_end && bucket - test.step < range_end, true) << target;
        }
    }
}

TEST_F(Analytics, FunnelsFollowTheStepsInOrderWithinTheWindow) {
    struct Case {
        std::vector<std::string> steps;
        std::string window;
        UnixMicros window_micros;
        bool pro_only;
    };
    for (const Case& test :
         {Case{{"view", "click", "buy"}, "7d", 7 * kDay, false},
          Case{{"view", "click", "buy"}, "36h", 36 * kHour, false},
          Case{{"signup", "buy"}, "3d", 3 * kDay, false},
          Case{{"view", "view", "view"}, "2d", 2 * kDay, false},
          Case{{"click", "buy", "view", "click"}, "14d", 14 * kDay, true}}) {
        const std::int64_t from = kJan6;
        const std::int64_t to = kJan6 + 13;
        const std::string steps = fmt::format("{}", fmt::join(test.steps, ","));
        const std::string target =
            fmt::format("/stats/funnel?from={}&to={}&steps={}&window={}{}", date_text(from),
                        date_text(to), steps, test.window,
                        test.pro_only ? "&where=%7B%22plan%22%3A%22pro%22%7D" : "");
        const Json answer = get_json(target);
        const std::vector<std::int64_t> expected =
            model_->funnel(from, to, test.steps, test.window_micros, test.pro_only);
        EXPECT_EQ(answer.integer("window_seconds"), test.window_micros / kSecond);
        std::vector<std::int64_t> users;
        for (const simdjson::dom::element step : testing::array_of(answer["steps"])) {
            users.push_back(step["users"].get_int64().value());
            EXPECT_DOUBLE_EQ(step["conversion_rate"].get_double().value(),
                             static_cast<double>(users.back()) / static_cast<double>(users.front()));
        }
        EXPECT_EQ(users, expected) << target;
        EXPECT_GT(expected.front(), 0) << target;
    }
}

TEST_F(Analytics, AUserTimelineIsPagedNewestFirstWithoutGapsOrRepeats) {
    for (const std::string user : {"user 3", "user 202", "user 150"}) {
        const std::vector<const ModelEvent*> expected = model_->timeline(user);
        ASSERT_FALSE(expected.empty());
        std::vector<std::string> seen;
        std::string cursor;
        int pages = 0;
        do {
            std::string target = "/users/" + std::string(user).replace(4, 1, "%20") +
                                 "/events?limit=7";
            if (!cursor.empty()) {
                target += "&cursor=" + cursor;
            }
            const Json page = get_json(target);
            EXPECT_EQ(page.text("/user_id"), user);
            for (const simdjson::dom::element event : testing::array_of(page["events"])) {
                const std::string id(event["event_id"].get_string().value());
                seen.push_back(id);
                const ModelEvent* want = expected.at(seen.size() - 1);
                EXPECT_EQ(id, want->id);
                char buffer[32];
                EXPECT_EQ(std::string(event["occurred_at"].get_string().value()),
                          std::string(event::format_rfc3339(want->at, buffer)));
                EXPECT_EQ(std::string(event["properties"]["plan"].get_string().value()),
                          want->pro ? "pro" : "free");
            }
            const simdjson::dom::element next = page["next_cursor"];
            cursor = next.is_null() ? "" : std::string(next.get_string().value());
            ASSERT_LT(++pages, 100);
        } while (!cursor.empty());
        EXPECT_EQ(seen.size(), expected.size()) << user;
    }

    // from/to bound the page by UTC day.
    const Json bounded = get_json("/users/user%20202/events?from=2025-01-14&to=2025-01-14");
    EXPECT_EQ(bounded["events"].get_array().value().size(), 2u);
    EXPECT_TRUE(get_json("/users/nobody/events")["events"].get_array().value().size() == 0);
}

TEST_F(Analytics, EveryBadParameterIsA400WithTheErrorShape) {
    const std::vector<std::string> targets{
        "/stats/dau", "/stats/dau?from=2025-01-06", "/stats/dau?to=2025-01-06",
        "/stats/dau?from=2025-01-07&to=2025-01-06", "/stats/dau?from=2025-1-6&to=2025-01-07",
        "/stats/dau?from=2025-02-30&to=2025-03-01", "/stats/dau?from=1969-12-31&to=2025-01-01",
        "/stats/dau?from=2025-01-06&to=2025-01-07&from=2025-01-01",
        "/stats/dau?from=2025-01-06&to=2025-01-07&where=%5B1%5D",
        "/stats/dau?from=2025-01-06&to=2025-01-07&where=%7Bbroken",
        "/stats/dau?from=2025-01-06&to=2025-01-07&event_type=",
        "/stats/dau?from=2025-01-06&to=2025-01-07&event_type=a,,b",
        "/stats/dau?from=2025-01-06&to=2025-01-07&where=%zz",
        "/stats/dau?from=2000-01-01&to=2025-01-07",
        "/stats/top-events?from=2025-01-06&to=2025-01-07&limit=0",
        "/stats/top-events?from=2025-01-06&to=2025-01-07&limit=1001",
        "/stats/top-events?from=2025-01-06&to=2025-01-07&limit=ten",
        "/stats/retention?windows=3", "/stats/retention?start_date=2025-01-06",
        "/stats/retention?start_date=2025-01-06&windows=0",
        "/stats/retention?start_date=2025-01-06&windows=53",
        "/stats/retention?start_date=2025-01-06&windows=3&granularity=month",
        "/stats/retention?start_date=2025-01-06&windows=3&mode=sometimes",
        "/stats/events?from=2025-01-06&to=2025-01-07&interval=minute",
        "/stats/events?from=2020-01-01&to=2025-01-07&interval=hour",
        "/stats/funnel?from=2025-01-06&to=2025-01-07",
        "/stats/funnel?from=2025-01-06&to=2025-01-07&steps=view",
        "/stats/funnel?from=2025-01-06&to=2025-01-07&steps=a,b&window=7w",
        "/stats/funnel?from=2025-01-06&to=2025-01-07&steps=a,b&window=0d",
        "/users/someone/events?limit=0", "/users/someone/events?cursor=garbage",
        "/users/someone/events?from=2025-01-07&to=2025-01-06", "/users/%zz/events"};
    for (const std::string& target : targets) {
        const HttpResponse response = get(target);
        EXPECT_EQ(response.status, 400u) << target << ": " << response.body;
        const Json error(response.body);
        EXPECT_EQ(error.text("/error/code"), "invalid_parameter") << target;
        EXPECT_FALSE(error.text("/error/message").empty()) << target;
    }
    EXPECT_EQ(get("/users//events").status, 404u);
    EXPECT_EQ(get("/users/a/b/events").status, 404u);
}

TEST_F(Analytics, QueriesAreMeasuredByOutcome) {
    const double before = service_->metric(R"(analytics_queries_total{outcome="ok"})");
    ASSERT_EQ(get("/stats/dau?from=2025-01-06&to=2025-01-07").status, 200u);
    EXPECT_EQ(service_->metric(R"(analytics_queries_total{outcome="ok"})"), before + 1);
    EXPECT_GE(service_->metric(R"(http_requests_total{method="GET",route="/stats/dau",status="200"})"),
              1);
    EXPECT_GE(service_->metric(R"(analytics_readers)"), 1);
}

// --- where analytics read --------------------------------------------------------------

TEST(AnalyticsReadDatabase, ReadsComeFromTheReadDatabaseAndWritesGoToThePrimary) {
    testing::TestDatabase replica;
    {
        storage::PgConnection connection = replica.connect();
        connection.exec(
            "INSERT INTO daily_event_counts VALUES (1, '2025-01-06', 'only_on_replica', 5)");
    }
    testing::RunningService service(
        [&](service::ServiceConfig& config) { config.read_database_url = replica.url(); });
    const HttpResponse posted = service.client().post(
        "/events", R"([{"event_id":"5f0c3a4e-8a2b-4c1d-9e3f-0a1b2c3d4e5f",)"
                   R"("occurred_at":"2025-01-06T12:00:00Z","user_id":"u1","event_type":"x"}])");
    ASSERT_EQ(posted.status, 200u) << posted.body;

    EXPECT_EQ(service.client().get("/stats/top-events?from=2025-01-06&to=2025-01-06").body,
              R"([{"event_type":"only_on_replica","count":5}])");
    EXPECT_EQ(service.database().scalar("SELECT count(*) FROM events"), 1);
}

TEST(AnalyticsReadDatabase, AnUnreachableReadDatabaseIsA503AndIngestGoesOn) {
    testing::RunningService service([](service::ServiceConfig& config) {
        config.read_database_url = fmt::format(
            "postgresql://eventline@127.0.0.1:{}/nothing?connect_timeout=2", testing::free_port());
    });
    const HttpResponse answer = service.client().get("/stats/dau?from=2025-01-06&to=2025-01-07");
    EXPECT_EQ(answer.status, 503u) << answer.body;
    EXPECT_FALSE(answer.header("Retry-After").empty());
    EXPECT_EQ(Json(answer.body).text("/error/code"), "database_unavailable");

    const HttpResponse posted = service.client().post(
        "/events", R"([{"event_id":"5f0c3a4e-8a2b-4c1d-9e3f-0a1b2c3d4e5f",)"
                   R"("occurred_at":"2025-01-06T12:00:00Z","user_id":"u1","event_type":"x"}])");
    EXPECT_EQ(posted.status, 200u) << posted.body;
    EXPECT_EQ(service.metric(R"(analytics_queries_total{outcome="database_unavailable"})"), 1);
}

}  // namespace
}  // namespace eventline
