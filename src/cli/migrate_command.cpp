#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "logging/log.hpp"
#include "storage/migrator.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::cli {
namespace {

struct MigrateOptions {
    std::string database_url;
    std::string log_level = "info";
};

int run_migrate(const MigrateOptions& options) {
    init_logging(options.log_level);

    storage::PgConnection connection = storage::PgConnection::connect(options.database_url);
    const storage::MigrationReport report = storage::apply_migrations(connection);
    for (const std::string& name : report.applied) {
        logging::info("migration applied", {{"migration", name}});
    }
    logging::info("schema ready", {{"schema_version", report.schema_version},
                                   {"applied", report.applied.size()}});
    return 0;
}

}  // namespace

Command add_migrate_command(CLI::App& app) {
    auto options = std::make_shared<MigrateOptions>();
    CLI::App* command = app.add_subcommand("migrate", "Apply the schema migrations and exit");
    add_database_url_option(*command, options->database_url)
        ->default_str(local_database_url())
        ->default_val(local_database_url());
    add_log_level_option(*command, options->log_level);
    return [options] { return run_migrate(*options); };
}

}  // namespace eventline::cli
