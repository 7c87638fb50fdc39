#include "storage/imports_table.hpp"

#include <unistd.h>

#include <array>
#include <string>

namespace eventline::storage {
namespace {

constexpr const char* kInsertImport = R"sql(
INSERT INTO imports (project_id, source, host, pid)
VALUES ($1::integer, $2, $3, $4::integer)
RETURNING id)sql";

constexpr const char* kAdvanceImport = R"sql(
UPDATE imports
SET rows_read = rows_read + $2::bigint, inserted = inserted + $3::bigint,
    duplicates = duplicates + $4::bigint, rejected = rejected + $5::bigint
WHERE id = $1::bigint)sql";

constexpr const char* kFinishImport = R"sql(
UPDATE imports SET finished_at = now(), outcome = $2, error = NULLIF($3, '')
WHERE id = $1::bigint)sql";

constexpr const char* kSelectRecentImports = R"sql(
SELECT id, source, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'),
       coalesce(to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS'), ''),
       rows_read, inserted, duplicates, rejected, outcome, coalesce(error, '')
FROM imports
ORDER BY started_at DESC, id DESC
LIMIT $1::integer)sql";

constexpr const char* kSelectImportTotals = R"sql(
SELECT coalesce(sum(rows_read), 0), coalesce(sum(inserted), 0),
       coalesce(sum(duplicates), 0), coalesce(sum(rejected), 0)
FROM imports)sql";

std::string_view outcome_name(ImportOutcome outcome) {
    switch (outcome) {
        case ImportOutcome::succeeded:
            return "succeeded";
        case ImportOutcome::completed_with_rejects:
            return "completed_with_rejects";
        case ImportOutcome::failed:
            return "failed";
        case ImportOutcome::interrupted:
            return "interrupted";
    }
    return "failed";
}

std::string host_name() {
    std::array<char, 256> name{};
    return gethostname(name.data(), name.size() - 1) == 0 ? name.data() : "unknown";
}

std::uint64_t to_count(std::string_view text) { return std::stoull(std::string(text)); }

}  // namespace

ImportRecord::ImportRecord(PgConnection& connection, event::ProjectId project,
                           std::string_view source)
    : connection_(connection) {
    const std::string project_text = std::to_string(project);
    const std::string source_text(source);
    const std::string host = host_name();
    const std::string pid = std::to_string(getpid());
    const char* params[] = {project_text.c_str(), source_text.c_str(), host.c_str(), pid.c_str()};
    PgResult result = connection_.exec_params(kInsertImport, 4, params);
    id_ = std::stoll(std::string(result.value(0, 0)));
}

void ImportRecord::add(const ImportCounts& delta) {
    const std::string id = std::to_string(id_);
    const std::string rows = std::to_string(delta.rows_read);
    const std::string inserted = std::to_string(delta.inserted);
    const std::string duplicates = std::to_string(delta.duplicates);
    const std::string rejected = std::to_string(delta.rejected);
    const char* params[] = {id.c_str(), rows.c_str(), inserted.c_str(), duplicates.c_str(),
                            rejected.c_str()};
    connection_.exec_params(kAdvanceImport, 5, params);
}

void ImportRecord::finish(ImportOutcome outcome, std::string_view error) {
    const std::string id = std::to_string(id_);
    const std::string name(outcome_name(outcome));
    const std::string error_text(error);
    const char* params[] = {id.c_str(), name.c_str(), error_text.c_str()};
    connection_.exec_params(kFinishImport, 3, params);
}

std::vector<ImportRow> recent_imports(PgConnection& connection, int limit) {
    const std::string limit_text = std::to_string(limit);
    const char* params[] = {limit_text.c_str()};
    PgResult result = connection.exec_params(kSelectRecentImports, 1, params);
    std::vector<ImportRow> rows;
    for (int row = 0; row < result.rows(); ++row) {
        ImportRow import;
        import.id = result.value(row, 0);
        import.source = result.value(row, 1);
        import.started_at = result.value(row, 2);
        import.finished_at = result.value(row, 3);
        import.counts = {to_count(result.value(row, 4)), to_count(result.value(row, 5)),
                         to_count(result.value(row, 6)), to_count(result.value(row, 7))};
        import.outcome = result.value(row, 8);
        import.error = result.value(row, 9);
        rows.push_back(std::move(import));
    }
    return rows;
}

ImportCounts import_totals(PgConnection& connection) {
    PgResult result = connection.exec(kSelectImportTotals);
    return {to_count(result.value(0, 0)), to_count(result.value(0, 1)), to_count(result.value(0, 2)),
            to_count(result.value(0, 3))};
}

}  // namespace eventline::storage
