#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::storage {

struct ImportCounts {
    std::uint64_t rows_read = 0;
    std::uint64_t inserted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t rejected = 0;
};

enum class ImportOutcome { succeeded, completed_with_rejects, failed, interrupted };

/// One run of `eventline import` in the `imports` table: created when the run starts,
/// its counts advanced after each committed chunk, closed with its outcome.
class ImportRecord {
public:
    /// Inserts the row. Throws DatabaseError.
    ImportRecord(PgConnection& connection, event::ProjectId project, std::string_view source);

    void add(const ImportCounts& delta);
    void finish(ImportOutcome outcome, std::string_view error = {});

    [[nodiscard]] std::int64_t id() const { return id_; }

private:
    PgConnection& connection_;
    std::int64_t id_ = 0;
};

/// A row of `imports`, for `eventline imports`.
struct ImportRow {
    std::string id, source, started_at, finished_at, outcome, error;
    ImportCounts counts;
};

[[nodiscard]] std::vector<ImportRow> recent_imports(PgConnection& connection, int limit);

/// What all imports stored, for the service's `source="csv"` counters.
[[nodiscard]] ImportCounts import_totals(PgConnection& connection);

}  // namespace eventline::storage
