#include "storage/migrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>

#include "storage/embedded_file.hpp"

namespace eventline::storage {
namespace {

// Any 64-bit constant works; this one spells "eventlin" so that it is recognisable in
// pg_locks.
constexpr const char* kLockMigrations = "SELECT pg_advisory_lock(7310014292174711406)";
constexpr const char* kUnlockMigrations = "SELECT pg_advisory_unlock(7310014292174711406)";

constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer     PRIMARY KEY,
    name        text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
))sql";

constexpr const char* kSelectAppliedVersions = "SELECT version FROM schema_migrations";
constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2)";

/// "0001_create_events.sql" -> 1.
int version_of(std::string_view file_name) {
    int version = 0;
    const auto [end, error] =
        std::from_chars(file_name.data(), file_name.data() + file_name.size(), version);
    if (error != std::errc() || end == file_name.data() || *end != '_') {
        throw std::logic_error(fmt::format("migration {} must be named NNNN_name.sql", file_name));
    }
    return version;
}

void check_encoding(PgConnection& connection) {
    // Strings are validated as UTF-8 and stored as they came: a database in another
    // encoding would convert or refuse them.
    PgResult result = connection.exec("SHOW server_encoding");
    if (result.value(0, 0) != "UTF8") {
        throw std::runtime_error(fmt::format(
            "the database encoding is {}, but the service needs UTF8", result.value(0, 0)));
    }
}

MigrationReport apply_locked(PgConnection& connection) {
    connection.exec(kCreateMigrationsTable);

    std::set<int> applied_versions;
    PgResult applied = connection.exec(kSelectAppliedVersions);
    for (int row = 0; row < applied.rows(); ++row) {
        applied_versions.insert(std::stoi(std::string(applied.value(row, 0))));
    }

    MigrationReport report;
    int newest_known = 0;
    for (const EmbeddedFile& file : migrations::embedded_files()) {
        const int version = version_of(file.name);
        newest_known = std::max(newest_known, version);
        if (applied_versions.contains(version)) {
            continue;
        }
        const std::string sql(file.content);
        const std::string version_text = std::to_string(version);
        const std::string name(file.name);
        const char* params[] = {version_text.c_str(), name.c_str()};

        connection.exec("BEGIN");
        try {
            connection.exec(sql.c_str());
            connection.exec_params(kRecordMigration, 2, params);
            connection.exec("COMMIT");
        } catch (...) {
            if (connection.healthy()) {
                connection.exec("ROLLBACK");
            }
            throw;
        }
        applied_versions.insert(version);
        report.applied.push_back(name);
    }

    report.schema_version = applied_versions.empty() ? 0 : *applied_versions.rbegin();
    if (report.schema_version > newest_known) {
        throw std::runtime_error(fmt::format(
            "the database is at schema version {}, newer than this binary knows ({}): "
            "run a newer eventline",
            report.schema_version, newest_known));
    }
    return report;
}

}  // namespace

MigrationReport apply_migrations(PgConnection& connection) {
    check_encoding(connection);
    connection.exec(kLockMigrations);
    try {
        MigrationReport report = apply_locked(connection);
        connection.exec(kUnlockMigrations);
        return report;
    } catch (...) {
        if (connection.healthy()) {
            connection.exec(kUnlockMigrations);
        }
        throw;
    }
}

}  // namespace eventline::storage
