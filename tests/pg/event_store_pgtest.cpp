#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "event/timestamp.hpp"
#include "storage/event_store.hpp"
#include "support/test_database.hpp"

namespace eventline::storage {
namespace {

using event::Event;
using event::Uuid;
using testing::TestDatabase;

Uuid uuid(const char* text) { return *event::parse_uuid(text); }

Event make_event(const char* id, const char* user = "user_1", const char* type = "click",
                 const char* properties = "{}") {
    Event event;
    event.event_id = uuid(id);
    event.occurred_at = event::parse_rfc3339("2025-01-06T12:34:56.123456Z").unix_micros;
    event.user_id = user;
    event.event_type = type;
    event.properties_json = properties;
    return event;
}

std::vector<const Event*> pointers(const std::vector<Event>& events) {
    std::vector<const Event*> result;
    for (const Event& event : events) {
        result.push_back(&event);
    }
    return result;
}

TEST(EventStore, StoresEveryFieldExactly) {
    TestDatabase database;
    PgConnection connection = database.connect();
    KnownUsers known_users;
    EventStore store(connection, 0, known_users);
    const std::vector<Event> events{make_event("0b3e7f5c-1a2b-4c3d-8e9f-a0b1c2d3e4f5", "user_\xc3\xa9",
                                               "page_view",
                                               R"({"plan":"pro","n":1.5,"tags":["a","b"],"q":"say \"hi\""})")};

    std::vector<std::size_t> inserted;
    store.store(pointers(events), [&](std::size_t position) { inserted.push_back(position); });

    ASSERT_EQ(inserted, std::vector<std::size_t>{0});
    PgResult row = connection.exec(
        "SELECT event_id::text, to_char(occurred_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), user_id, event_type, properties::text, project_id "
        "FROM events");
    ASSERT_EQ(row.rows(), 1);
    EXPECT_EQ(row.value(0, 0), "0b3e7f5c-1a2b-4c3d-8e9f-a0b1c2d3e4f5");
    EXPECT_EQ(row.value(0, 1), "2025-01-06T12:34:56.123456");
    EXPECT_EQ(row.value(0, 2), "user_\xc3\xa9");
    EXPECT_EQ(row.value(0, 3), "page_view");
    EXPECT_EQ(row.value(0, 4), R"({"n": 1.5, "q": "say \"hi\"", "plan": "pro", "tags": ["a", "b"]})");
    EXPECT_EQ(row.value(0, 5), "1");
}

TEST(EventStore, ReportsOnlyNewEventsAndTheFirstWriteWins) {
    TestDatabase database;
    PgConnection connection = database.connect();
    KnownUsers known_users;
    EventStore store(connection, 0, known_users);
    const std::vector<Event> first{make_event("11111111-1111-4111-8111-111111111111", "alice")};
    store.store(pointers(first), [](std::size_t) {});

    const std::vector<Event> second{
        make_event("11111111-1111-4111-8111-111111111111", "mallory"),
        make_event("22222222-2222-4222-8222-222222222222", "bob"),
    };
    std::vector<std::string> inserted;
    store.store(pointers(second), [&](std::size_t position) {
        inserted.push_back(second[position].event_id.to_string());
    });

    EXPECT_EQ(inserted, std::vector<std::string>{"22222222-2222-4222-8222-222222222222"});
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events"), 2);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events WHERE user_id = 'alice'"), 1);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events WHERE user_id = 'mallory'"), 0);
}

TEST(EventStore, SameIdInAnotherProjectIsAnotherEvent) {
    TestDatabase database;
    PgConnection connection = database.connect();
    connection.exec("INSERT INTO projects (id, name) VALUES (2, 'second')");
    KnownUsers known_users;
    EventStore store(connection, 0, known_users);
    std::vector<Event> events{make_event("33333333-3333-4333-8333-333333333333"),
                              make_event("33333333-3333-4333-8333-333333333333")};
    events[1].project_id = 2;

    int inserted = 0;
    store.store(pointers(events), [&](std::size_t) { ++inserted; });

    EXPECT_EQ(inserted, 2);
}

TEST(EventStore, StagingIsEmptyAfterEachTransaction) {
    TestDatabase database;
    PgConnection connection = database.connect();
    KnownUsers known_users;
    EventStore store(connection, 0, known_users);
    const std::vector<Event> events{make_event("44444444-4444-4444-8444-444444444444")};
    store.store(pointers(events), [](std::size_t) {});

    EXPECT_EQ(std::string(connection.exec("SELECT count(*) FROM staged_events").value(0, 0)), "0");
}

TEST(EventStore, AFailedStoreLeavesNothingBehind) {
    TestDatabase database;
    PgConnection connection = database.connect();
    KnownUsers known_users;
    EventStore store(connection, 0, known_users);
    // Validation guarantees this never reaches the store; here it stands for any
    // failure inside the transaction.
    const std::vector<Event> events{make_event("55555555-5555-4555-8555-555555555555"),
                                    make_event("66666666-6666-4666-8666-666666666666", "u", "t",
                                               "{not json")};

    EXPECT_THROW(store.store(pointers(events), [](std::size_t) {}),
                 DatabaseError);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM events"), 0);

    // The connection is still usable afterwards.
    const std::vector<Event> good{make_event("55555555-5555-4555-8555-555555555555")};
    int inserted = 0;
    store.store(pointers(good), [&](std::size_t) { ++inserted; });
    EXPECT_EQ(inserted, 1);
}

}  // namespace
}  // namespace eventline::storage
