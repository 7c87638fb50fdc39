#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "storage/migrator.hpp"
#include "support/test_database.hpp"

namespace eventline::storage {
namespace {

using testing::TestDatabase;

TEST(Migrator, CreatesTheSchemaAndRecordsEachVersion) {
    TestDatabase database(/*migrate=*/false);
    PgConnection connection = database.connect();

    const MigrationReport report = apply_migrations(connection);

    ASSERT_FALSE(report.applied.empty());
    EXPECT_EQ(report.applied.front(), "0001_create_events.sql");
    EXPECT_EQ(database.scalar("SELECT count(*) FROM schema_migrations"),
              static_cast<long long>(report.applied.size()));
    EXPECT_EQ(database.scalar("SELECT count(*) FROM projects WHERE id = 1 AND name = 'default'"), 1);
}

TEST(Migrator, SecondRunAppliesNothing) {
    TestDatabase database(/*migrate=*/false);
    PgConnection connection = database.connect();
    const MigrationReport first = apply_migrations(connection);

    const MigrationReport second = apply_migrations(connection);

    EXPECT_TRUE(second.applied.empty());
    EXPECT_EQ(second.schema_version, first.schema_version);
}

TEST(Migrator, ConcurrentRunsApplyEachMigrationOnce) {
    TestDatabase database(/*migrate=*/false);
    std::vector<std::thread> runners;
    std::vector<std::size_t> applied(4, 0);
    for (std::size_t i = 0; i < applied.size(); ++i) {
        runners.emplace_back([&, i] {
            PgConnection connection = database.connect();
            applied[i] = apply_migrations(connection).applied.size();
        });
    }
    for (std::thread& runner : runners) {
        runner.join();
    }

    std::size_t total = 0;
    for (std::size_t count : applied) {
        total += count;
    }
    EXPECT_EQ(static_cast<long long>(total), database.scalar("SELECT count(*) FROM schema_migrations"));
}

TEST(Migrator, IndexesMatchTheDocumentedChoice) {
    TestDatabase database;

    EXPECT_EQ(database.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'events' "
                              "AND indexdef LIKE '%USING gin (properties jsonb_path_ops)%'"),
              1);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'events' "
                              "AND indexdef LIKE '%USING brin (occurred_at)%'"),
              1);
    EXPECT_EQ(database.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'events' "
                              "AND indexdef LIKE '%UNIQUE%(project_id, event_id)%'"),
              1);
}

TEST(Migrator, RefusesADatabaseFromANewerRelease) {
    TestDatabase database;
    PgConnection connection = database.connect();
    connection.exec("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')");

    EXPECT_THROW(apply_migrations(connection), std::runtime_error);
}

}  // namespace
}  // namespace eventline::storage
