#pragma once

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "event/event.hpp"
#include "event/validator.hpp"
#include "storage/imports_table.hpp"

namespace eventline::importer {

struct ImportOptions {
    std::string path;          // a CSV file, a .gz file, or "-" for standard input
    std::string database_url;
    std::string key_column;    // the column holding each event's identity; empty: event_id
    std::string rejects_path;  // empty: default_rejects_path(path)
    std::size_t chunk_rows = 20'000;
    std::size_t writers = 2;
    bool dry_run = false;
    bool quiet = false;
    event::ProjectId project_id = event::kDefaultProject;
    event::ValidationLimits limits;
};

struct ImportResult {
    storage::ImportCounts counts;
    double seconds = 0;
    storage::ImportOutcome outcome = storage::ImportOutcome::succeeded;
    std::string error;         // for failed and interrupted runs
    std::string rejects_path;  // empty when no row was rejected
    std::int64_t import_id = 0;
};

/// A failure that ends the import before or while it runs (bad header, unreadable
/// file, database gone): reported as such, exit code 1.
class ImportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The namespace of the name-based UUIDs (v5) made from non-UUID keys given with
/// --key-column: fixed forever, so that importing the same file again gives the same
/// event ids and stores nothing twice.
inline constexpr const char* kKeyNamespace = "6e7c1f1a-9d3b-4c5e-8f2a-0b4d6c8e1a3f";

/// `eventline import`: reads CSV, validates each row with the same validator as
/// POST /events, and writes chunks through the same group writer (binary COPY, staged
/// ON CONFLICT on conflict). Parsing the next chunk overlaps writing the previous ones,
/// each chunk commits on its own, and memory stays flat whatever the file size.
class Importer {
public:
    explicit Importer(ImportOptions options);

    /// Runs the import to its end, or until `interrupted` is set (Ctrl-C): then the
    /// chunks already handed to writers finish, the rest is left for the next run.
    /// Throws ImportError for failures that leave nothing to report.
    ImportResult run(const std::atomic<bool>& interrupted);

private:
    ImportOptions options_;
};

}  // namespace eventline::importer
