#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace eventline::cli {

/// Each subcommand registers its options on the app and returns the function that runs
/// it once the command line is parsed. The function returns the process exit code.
using Command = std::function<int()>;

Command add_serve_command(CLI::App& app);
Command add_migrate_command(CLI::App& app);
Command add_import_command(CLI::App& app);
Command add_imports_command(CLI::App& app);
Command add_keys_command(CLI::App& app);

/// The project-managed PostgreSQL that scripts/run.sh starts (port 54329, or
/// EVENTLINE_PG_PORT): the database of the command-line tools when none is given.
std::string local_database_url();

/// Adds --database-url (also DATABASE_URL) to a subcommand.
CLI::Option* add_database_url_option(CLI::App& command, std::string& url);

/// Adds --log-level (also EVENTLINE_LOG_LEVEL) to a subcommand.
CLI::Option* add_log_level_option(CLI::App& command, std::string& level);

/// Sets up structured logging at the level an option validated.
void init_logging(const std::string& level);

}  // namespace eventline::cli
