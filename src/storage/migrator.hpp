#pragma once

#include <string>
#include <vector>

#include "storage/pg_connection.hpp"

namespace eventline::storage {

/// What a migration run did.
struct MigrationReport {
    std::vector<std::string> applied;  // file names, in the order they were applied
    int schema_version = 0;            // the highest version now in the database
};

/// Applies the migrations compiled into the binary that the database lacks, each in its
/// own transaction, recorded in `schema_migrations`. Safe to run from many processes at
/// once: an advisory lock lets one of them do the work while the others wait.
///
/// Throws DatabaseError on failure, and std::runtime_error when the database is not
/// fit for the service (not UTF-8, or migrated by a newer version of the service).
MigrationReport apply_migrations(PgConnection& connection);

}  // namespace eventline::storage
