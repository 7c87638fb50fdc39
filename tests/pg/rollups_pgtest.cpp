// The rollups that every ingest transaction keeps, checked against the same facts
// computed in SQL from the events table itself: after direct and staged writes, with
// duplicates, several projects, user ids that need quoting, concurrent writers, and
// after migration 0003 builds them from events stored before it existed.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "event/timestamp.hpp"
#include "storage/event_store.hpp"
#include "storage/migrator.hpp"
#include "storage/rollup_writer.hpp"
#include "support/test_database.hpp"

namespace eventline::storage {
namespace {

using event::Event;
using testing::TestDatabase;

constexpr std::int64_t kDay = 86'400'000'000;

/// Events whose strings live in `texts`, sorted by key as the group writer sorts them.
struct Group {
    std::vector<std::string> texts;
    std::vector<Event> events;

    [[nodiscard]] std::vector<const Event*> pointers() const {
        std::vector<const Event*> result;
        for (const Event& event : events) {
            result.push_back(&event);
        }
        std::sort(result.begin(), result.end(), [](const Event* a, const Event* b) {
            return std::tie(a->project_id, a->event_id) < std::tie(b->project_id, b->event_id);
        });
        return result;
    }
};

/// `count` events numbered from `first` (the same number is the same event), spread
/// over 20 days, 40 users with awkward names, 3 types and 2 projects.
Group make_group(int first, int count, std::uint64_t seed) {
    static const std::vector<std::string> kUsers = [] {
        std::vector<std::string> users;
        for (int i = 0; i < 40; ++i) {
            users.push_back(fmt::format("user {}", i));
        }
        users[0] = R"(quote " and \ backslash)";
        users[1] = "comma, {brace} and NULL";
        users[2] = "NULL";  // unquoted, an array literal would read this as a null
        users[3] = "caf\xc3\xa9";
        return users;
    }();
    static const std::vector<std::string> kTypes{"view", "click", "type with \"quotes\""};
    std::mt19937_64 random(seed);
    Group group;
    group.texts.reserve(2 * static_cast<std::size_t>(count));
    for (int n = first; n < first + count; ++n) {
        std::mt19937_64 by_number(static_cast<std::uint64_t>(n));
        Event event;
        event.project_id = n % 5 == 0 ? 2 : 1;
        event.event_id = *event::parse_uuid(fmt::format("00000000-0000-4000-8000-{:012x}", n));
        event.occurred_at = event::parse_rfc3339("2025-01-06T00:00:00Z").unix_micros +
                            static_cast<std::int64_t>(by_number() % (20 * kDay));
        group.texts.push_back(kUsers[by_number() % kUsers.size()]);
        event.user_id = group.texts.back();
        event.event_type = kTypes[by_number() % kTypes.size()];
        event.properties_json = "{}";
        group.events.push_back(event);
    }
    std::shuffle(group.events.begin(), group.events.end(), random);
    return group;
}

/// Keys numbered but not held by a user. Known users never use up a key; only a race
/// between writers adding the same new user, or a rolled-back group, leaves a gap.
long long unused_user_keys(const TestDatabase& database) {
    return database.scalar("SELECT coalesce(max(user_key), 0) - count(*) FROM users");
}

/// Fails the test when a rollup disagrees with the events table.
void expect_rollups_match_events(PgConnection& connection) {
    const char* const checks[] = {
        // Every (project, user) of the events once, and no one else.
        R"sql(SELECT count(*) FROM (
            SELECT DISTINCT project_id, user_id FROM events
        ) AS e FULL JOIN users AS u USING (project_id, user_id)
        WHERE e.user_id IS NULL OR u.user_id IS NULL)sql",
        // Each user's bit set on exactly the days they were active, in some shard.
        R"sql(SELECT count(*) FROM (
            SELECT DISTINCT e.project_id, (e.occurred_at AT TIME ZONE 'UTC')::date AS day,
                   u.user_key
            FROM events AS e JOIN users AS u USING (project_id, user_id)
        ) AS active FULL JOIN (
            SELECT DISTINCT a.project_id, a.day, a.block * 8192 + bit.n AS user_key
            FROM user_activity AS a, generate_series(0, 8191) AS bit (n)
            WHERE get_bit(a.users, bit.n) = 1
        ) AS marked USING (project_id, day, user_key)
        WHERE active.project_id IS NULL OR marked.project_id IS NULL)sql",
        // Per-day counts by type, added up over the shards.
        R"sql(SELECT count(*) FROM (
            SELECT project_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, event_type,
                   count(*) AS events
            FROM events GROUP BY 1, 2, 3
        ) AS e FULL JOIN (
            SELECT project_id, day, event_type, sum(events) AS events
            FROM daily_event_counts GROUP BY 1, 2, 3
        ) AS c USING (project_id, day, event_type)
        WHERE c.events IS DISTINCT FROM e.events)sql",
    };
    for (const char* check : checks) {
        EXPECT_EQ(connection.exec(check).value(0, 0), "0") << check;
    }
}

TEST(Rollups, FollowDirectAndStagedWritesAndIgnoreDuplicates) {
    TestDatabase database;
    PgConnection connection = database.connect();
    KnownUsers known_users;
    EventStore store(connection, 0, known_users);
    auto ignore = [](std::size_t) {};

    const Group first = make_group(0, 500, 1);
    EXPECT_TRUE(store.store(first.pointers(), ignore).direct);
    expect_rollups_match_events(connection);

    // Half of these are stored already: the staged path, which counts only the others.
    const Group overlapping = make_group(250, 500, 2);
    EXPECT_FALSE(store.store(overlapping.pointers(), ignore).direct);
    expect_rollups_match_events(connection);
    EXPECT_EQ(database.scalar("SELECT sum(events) FROM daily_event_counts"), 750);
    EXPECT_EQ(unused_user_keys(database), 0);
}

// A user's first-seen day is their first marked day, so an earlier event that comes
// later must mark its own day although the writer knows the user by then.
TEST(Rollups, ALateEventOfAKnownUserMarksItsDay) {
    TestDatabase database;
    PgConnection connection = database.connect();
    KnownUsers known_users;
    EventStore store(connection, 0, known_users);
    auto ignore = [](std::size_t) {};

    Group late = make_group(0, 2, 3);
    late.events[0].occurred_at = event::parse_rfc3339("2025-02-01T00:00:00Z").unix_micros;
    late.events[1].user_id = late.events[0].user_id;
    late.events[1].project_id = late.events[0].project_id;
    late.events[1].occurred_at = event::parse_rfc3339("2025-01-01T00:00:00Z").unix_micros;
    const Event early_one = late.events[1];
    late.events.pop_back();
    store.store(late.pointers(), ignore);

    Group early;
    early.events.push_back(early_one);
    store.store(early.pointers(), ignore);
    expect_rollups_match_events(connection);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM users"), 1);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM user_activity"), 2);
}

/// Stores `group`, again after the errors that the group writer retries: a deadlock or
/// a lost race to number a new user.
void store_retrying(EventStore& store, const Group& group, const InsertedCallback& on_inserted) {
    for (int attempt = 0;; ++attempt) {
        try {
            store.store(group.pointers(), on_inserted);
            return;
        } catch (const DatabaseError& error) {
            ASSERT_TRUE(error.retryable()) << error.what();
            ASSERT_LT(attempt, 5);
        }
    }
}

TEST(Rollups, ConcurrentWritersAgreeWithTheEvents) {
    TestDatabase database;
    constexpr int kWriters = 4;
    KnownUsers known_users;  // one process's writers share what they learn
    std::vector<std::thread> writers;
    for (int writer = 0; writer < kWriters; ++writer) {
        writers.emplace_back([&, writer] {
            PgConnection connection = database.connect();
            // Writers 0 and 3 share a shard of the rollups, 1 and 2 have their own.
            EventStore store(connection, static_cast<std::size_t>(writer % 3), known_users);
            auto ignore = [](std::size_t) {};
            for (int round = 0; round < 10; ++round) {
                // Overlapping ranges: the same new users and events race between writers.
                const Group group = make_group(round * 300 + writer * 100, 400,
                                               static_cast<std::uint64_t>(writer * 100 + round));
                store_retrying(store, group, ignore);
            }
            // Events of this writer alone, so that its shard has rows even when the
            // others won every race above.
            const Group own = make_group(10'000 + writer * 50, 50,
                                         static_cast<std::uint64_t>(1000 + writer));
            store_retrying(store, own, ignore);
        });
    }
    for (std::thread& writer : writers) {
        writer.join();
    }
    PgConnection connection = database.connect();
    expect_rollups_match_events(connection);
    // Writer w's round r wrote events [300r + 100w, 300r + 100w + 400): 0 to 3,399 in all;
    // and 50 of its own each.
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events"), 3400 + kWriters * 50);
    EXPECT_LT(unused_user_keys(database), database.scalar("SELECT count(*) FROM users"));
    EXPECT_EQ(database.scalar("SELECT count(DISTINCT shard) FROM user_activity"), 3);
    EXPECT_EQ(database.scalar("SELECT count(DISTINCT shard) FROM daily_event_counts"), 3);
}

/// Stores `events` with plain INSERTs in the open transaction, for tests that drive a
/// RollupWriter themselves.
void insert_events(PgConnection& connection, const std::vector<const Event*>& events) {
    for (const Event* event : events) {
        const std::string project = std::to_string(event->project_id);
        const std::string event_id = event->event_id.to_string();
        const std::string micros = std::to_string(event->occurred_at);
        const std::string user(event->user_id);
        const std::string type(event->event_type);
        const char* const values[] = {project.c_str(), event_id.c_str(), micros.c_str(),
                                      user.c_str(), type.c_str()};
        connection.exec_params(R"sql(
            INSERT INTO events (project_id, event_id, occurred_at, user_id, event_type,
                                properties)
            VALUES ($1, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
                    $4, $5, '{}'))sql",
                               5, values);
    }
}

TEST(Rollups, AWriterRemembersOnlyTheUsersOfCommittedGroups) {
    TestDatabase database;
    PgConnection connection = database.connect();
    KnownUsers known_users;
    RollupWriter rollups(connection, 0, known_users);
    const Group group = make_group(0, 60, 4);

    // Numbered, then rolled back: those users and their keys do not exist.
    connection.exec("BEGIN");
    insert_events(connection, group.pointers());
    rollups.add(group.pointers(), RollupWriter::ThenCommit::no);
    connection.exec("ROLLBACK");
    EXPECT_EQ(database.scalar("SELECT count(*) FROM users"), 0);

    connection.exec("BEGIN");
    insert_events(connection, group.pointers());
    rollups.add(group.pointers(), RollupWriter::ThenCommit::no);
    connection.exec("COMMIT");
    rollups.committed();
    expect_rollups_match_events(connection);

    // The same users again, known to the writer now, some earlier than first seen.
    Group again = make_group(1000, 60, 5);
    for (std::size_t i = 0; i < again.events.size(); i += 3) {
        again.events[i].occurred_at -= 30 * kDay;
    }
    connection.exec("BEGIN");
    insert_events(connection, again.pointers());
    rollups.add(again.pointers(), RollupWriter::ThenCommit::no);
    connection.exec("COMMIT");
    rollups.committed();
    expect_rollups_match_events(connection);
}

TEST(Rollups, WritersThatEachMeetAUserGiveItOneKey) {
    TestDatabase database;
    PgConnection first_connection = database.connect();
    PgConnection second_connection = database.connect();
    // Two processes' writers: each remembers only the users it met.
    KnownUsers first_users;
    KnownUsers second_users;
    EventStore first(first_connection, 0, first_users);
    EventStore second(second_connection, 1, second_users);
    auto ignore = [](std::size_t) {};
    auto one_event = [](int number, std::int64_t day) {
        Group group = make_group(number, 1, 6);
        group.texts[0] = "the same user";
        group.events[0].user_id = group.texts[0];
        group.events[0].project_id = 1;
        group.events[0].occurred_at =
            event::parse_rfc3339("2025-01-01T12:00:00Z").unix_micros + day * kDay;
        return group;
    };

    // The first writer adds the user; the second finds it in `users`; after that both
    // know it, and its days are marked under the one key whichever writer stores them.
    const Group day10 = one_event(1, 10);
    first.store(day10.pointers(), ignore);
    const Group day5 = one_event(2, 5);
    second.store(day5.pointers(), ignore);
    const Group day7 = one_event(3, 7);
    first.store(day7.pointers(), ignore);
    const Group day12 = one_event(4, 12);
    second.store(day12.pointers(), ignore);
    expect_rollups_match_events(first_connection);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM users"), 1);
    EXPECT_EQ(database.scalar("SELECT count(DISTINCT day) FROM user_activity"), 4);
    EXPECT_EQ(unused_user_keys(database), 0);
}

// PostgreSQL plans a prepared statement once and keeps that plan while a table grows.
// A writer that starts on a new database plans numbering users against an empty
// `users`; a plan that scans the table then costs more with every user added (2 ms a
// group at 80,000 users), so the plan must look users up by key whatever the
// statistics say when it is made.
TEST(Rollups, NumberingUsersLooksThemUpByKeyEvenWhenPlannedOnAnEmptyTable) {
    TestDatabase database;
    PgConnection connection = database.connect();
    // From the first execution on, as PostgreSQL does from about the sixth.
    connection.exec("SET plan_cache_mode = force_generic_plan");
    KnownUsers known_users;
    const RollupWriter rollups(connection, 0, known_users);

    // "number_users" is the writer's prepared statement; EXPLAIN does not run it.
    const PgResult plan =
        connection.exec("EXPLAIN EXECUTE number_users('{1}'::integer[], '{someone}'::text[])");
    std::string plan_text;
    for (int row = 0; row < plan.rows(); ++row) {
        plan_text += plan.value(row, 0);
        plan_text += '\n';
    }
    EXPECT_NE(plan_text.find("Index Scan using users_pkey on users"), std::string::npos)
        << plan_text;
    EXPECT_EQ(plan_text.find("Seq Scan on users"), std::string::npos) << plan_text;
}

TEST(Rollups, TheMigrationBuildsThemFromEventsStoredBeforeIt) {
    TestDatabase database;
    PgConnection connection = database.connect();
    // Events as a release without rollups stored them: straight into events.
    connection.exec(R"sql(
        INSERT INTO events (project_id, event_id, occurred_at, user_id, event_type)
        SELECT 1 + n % 2, gen_random_uuid(),
               timestamptz '2025-01-06' + n * interval '37 minutes', 'user ' || n % 97,
               'type ' || n % 3
        FROM generate_series(1, 5000) AS n)sql");
    connection.exec(R"sql(
        DROP TABLE users, user_activity, daily_event_counts, api_keys;
        DROP INDEX events_user_timeline;
        DELETE FROM schema_migrations WHERE version >= 3)sql");

    // 0003 and every migration after it.
    const MigrationReport report = apply_migrations(connection);
    ASSERT_EQ(report.applied.size(), 5u);
    EXPECT_EQ(report.applied.front(), "0003_create_rollups.sql");
    expect_rollups_match_events(connection);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM users"), 97 * 2);
    EXPECT_EQ(unused_user_keys(database), 0);
}

}  // namespace
}  // namespace eventline::storage
