// What the writers rely on in PgConnection beyond libpq's plain calls: statements sent
// together in one pipeline, and a COPY that opens its own transaction.

#include <gtest/gtest.h>

#include <string>

#include "storage/pg_connection.hpp"
#include "support/test_database.hpp"

namespace eventline::storage {
namespace {

using testing::TestDatabase;

constexpr const char* kInsertName = "insert_number";

PgConnection connect_with_table(const TestDatabase& database) {
    PgConnection connection = database.connect();
    connection.exec("CREATE TABLE numbers (n integer PRIMARY KEY)");
    connection.prepare(kInsertName, "INSERT INTO numbers VALUES ($1::integer)");
    return connection;
}

TEST(PgConnection, APipelineRunsItsStatementsInOrderAndCanCommit) {
    TestDatabase database;
    PgConnection connection = connect_with_table(database);
    const char* const one[] = {"1"};
    const char* const two[] = {"2"};

    connection.exec("BEGIN");
    const PipelinedStatement statements[] = {
        {kInsertName, nullptr, 1, one},
        {kInsertName, nullptr, 1, two},
        {nullptr, "COMMIT", 0, nullptr},
    };
    connection.exec_pipelined(statements);

    EXPECT_EQ(database.scalar("SELECT count(*) FROM numbers"), 2);
    // Out of pipeline mode and out of the transaction: plain calls work again.
    EXPECT_EQ(connection.exec("SELECT 1").value(0, 0), "1");
}

TEST(PgConnection, APipelineStopsAtTheFirstFailureAndReportsIt) {
    TestDatabase database;
    PgConnection connection = connect_with_table(database);
    const char* const one[] = {"1"};
    const char* const three[] = {"3"};

    connection.exec("BEGIN");
    const PipelinedStatement statements[] = {
        {kInsertName, nullptr, 1, one},
        {kInsertName, nullptr, 1, one},  // a unique violation
        {kInsertName, nullptr, 1, three},
        {nullptr, "COMMIT", 0, nullptr},
    };
    try {
        connection.exec_pipelined(statements);
        FAIL() << "the duplicate key was not reported";
    } catch (const DatabaseError& error) {
        EXPECT_EQ(error.sqlstate(), "23505") << error.what();
        EXPECT_FALSE(error.connection_lost());
    }

    // The transaction did not commit and is still open, failed: ROLLBACK ends it.
    connection.exec("ROLLBACK");
    EXPECT_EQ(database.scalar("SELECT count(*) FROM numbers"), 0);
    EXPECT_EQ(connection.exec("SELECT 1").value(0, 0), "1");
}

TEST(PgConnection, ACopyCanOpenItsTransaction) {
    TestDatabase database;
    PgConnection connection = connect_with_table(database);

    connection.copy_in("BEGIN; COPY numbers FROM STDIN", "7\n8\n");
    EXPECT_EQ(connection.exec("SELECT count(*) FROM numbers").value(0, 0), "2");
    EXPECT_EQ(database.scalar("SELECT count(*) FROM numbers"), 0) << "committed too early";
    connection.exec("COMMIT");
    EXPECT_EQ(database.scalar("SELECT count(*) FROM numbers"), 2);
}

}  // namespace
}  // namespace eventline::storage
