// eventline: events-analytics ingestion. One binary, one subcommand per job.

#include <CLI/CLI.hpp>

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "logging/log.hpp"

int main(int argc, char** argv) {
    CLI::App app{"eventline: ingest product events into PostgreSQL, exactly once"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "eventline 0.1.0");

    const std::vector<std::pair<std::string, eventline::cli::Command>> commands{
        {"serve", eventline::cli::add_serve_command(app)},
        {"migrate", eventline::cli::add_migrate_command(app)},
        {"import", eventline::cli::add_import_command(app)},
        {"imports", eventline::cli::add_imports_command(app)},
        {"keys", eventline::cli::add_keys_command(app)},
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return app.exit(error);
    }

    for (const auto& [name, run] : commands) {
        if (!app.got_subcommand(name)) {
            continue;
        }
        try {
            return run();
        } catch (const std::exception& error) {
            eventline::logging::error("fatal", {{"command", name}, {"error", error.what()}});
            return 1;
        }
    }
    return 1;
}
