#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "storage/imports_table.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::cli {
namespace {

struct ImportsOptions {
    std::string database_url;
    int limit = 20;
};

int run_imports(const ImportsOptions& options) {
    storage::PgConnection connection = storage::PgConnection::connect(options.database_url);
    const auto rows = storage::recent_imports(connection, options.limit);
    fmt::print("{:>5}  {:19}  {:19}  {:>10}  {:>10}  {:>10}  {:>9}  {:22}  {}\n", "id", "started",
               "finished", "rows", "inserted", "duplicates", "rejected", "outcome", "source");
    for (const storage::ImportRow& row : rows) {
        fmt::print("{:>5}  {:19}  {:19}  {:>10}  {:>10}  {:>10}  {:>9}  {:22}  {}\n", row.id,
                   row.started_at, row.finished_at.empty() ? "-" : row.finished_at,
                   row.counts.rows_read, row.counts.inserted, row.counts.duplicates,
                   row.counts.rejected, row.outcome, row.source);
        if (!row.error.empty()) {
            fmt::print("       {}\n", row.error);
        }
    }
    return 0;
}

}  // namespace

Command add_imports_command(CLI::App& app) {
    auto options = std::make_shared<ImportsOptions>();
    CLI::App* command = app.add_subcommand("imports", "List recent CSV imports and their outcome");
    add_database_url_option(*command, options->database_url)
        ->default_str(local_database_url())
        ->default_val(local_database_url());
    command->add_option("-n,--limit", options->limit, "How many runs to list")
        ->check(CLI::Range(1, 10'000))
        ->capture_default_str();
    return [options] { return run_imports(*options); };
}

}  // namespace eventline::cli
