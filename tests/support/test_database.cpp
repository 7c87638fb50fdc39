#include "support/test_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include "storage/migrator.hpp"

namespace eventline::testing {

std::string server_url() {
    const char* url = std::getenv("DATABASE_URL");
    if (url == nullptr || *url == '\0') {
        throw std::runtime_error(
            "DATABASE_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL");
    }
    return url;
}

std::string with_database(std::string_view url, std::string_view database) {
    const std::size_t scheme = url.find("://");
    const std::size_t path = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    if (scheme == std::string_view::npos || path == std::string_view::npos) {
        throw std::invalid_argument("expected a postgresql://host/db URL");
    }
    const std::size_t query = url.find('?', path);
    std::string result(url.substr(0, path + 1));
    result += database;
    if (query != std::string_view::npos) {
        result += url.substr(query);
    }
    return result;
}

TestDatabase::TestDatabase(bool migrate) {
    static std::atomic<int> counter{0};
    name_ = "eventline_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);

    storage::PgConnection admin = storage::PgConnection::connect(server_url());
    admin.exec(("CREATE DATABASE " + storage::quote_identifier(name_)).c_str());
    url_ = with_database(server_url(), name_);

    if (migrate) {
        storage::PgConnection connection = connect();
        storage::apply_migrations(connection);
    }
}

TestDatabase::~TestDatabase() {
    try {
        storage::PgConnection admin = storage::PgConnection::connect(server_url());
        admin.exec(("DROP DATABASE IF EXISTS " + storage::quote_identifier(name_) + " WITH (FORCE)")
                       .c_str());
    } catch (const std::exception& error) {
        ADD_FAILURE() << "could not drop test database " << name_ << ": " << error.what();
    }
}

storage::PgConnection TestDatabase::connect() const { return storage::PgConnection::connect(url_); }

long long TestDatabase::scalar(const char* sql) const {
    storage::PgConnection connection = connect();
    storage::PgResult result = connection.exec(sql);
    return std::stoll(std::string(result.value(0, 0)));
}

}  // namespace eventline::testing
