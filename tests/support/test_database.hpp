#pragma once

#include <string>
#include <string_view>

#include "storage/pg_connection.hpp"

namespace eventline::testing {

/// The server the tests run against: DATABASE_URL, which scripts/test.sh sets. Tests
/// that need it fail (not skip) without it, so that a misconfigured run cannot pass.
[[nodiscard]] std::string server_url();

/// `url` with its database name replaced.
[[nodiscard]] std::string with_database(std::string_view url, std::string_view database);

/// A fresh database per test, created on the server and dropped afterwards, so that
/// tests run in parallel without seeing each other's rows.
class TestDatabase {
public:
    /// Creates the database; with `migrate`, applies the service's migrations too.
    explicit TestDatabase(bool migrate = true);
    ~TestDatabase();

    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    [[nodiscard]] const std::string& url() const { return url_; }
    [[nodiscard]] storage::PgConnection connect() const;

    /// Runs a query that returns one integer (a count) and returns it.
    [[nodiscard]] long long scalar(const char* sql) const;

private:
    std::string name_;
    std::string url_;
};

}  // namespace eventline::testing
