#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "importer/importer.hpp"
#include "logging/log.hpp"

namespace eventline::cli {
namespace {

// Set by the first Ctrl-C; a second one kills the process the usual way.
std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

void catch_interrupts() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

struct ImportCommandOptions {
    importer::ImportOptions import;
    std::string log_level = "info";
};

void print_summary(const importer::ImportResult& result, bool dry_run) {
    const auto& counts = result.counts;
    const double rate = result.seconds > 0 ? static_cast<double>(counts.rows_read) / result.seconds : 0;
    fmt::print("rows read     {:>12}\n", counts.rows_read);
    if (dry_run) {
        fmt::print("valid         {:>12}   (dry run: nothing stored)\n", counts.inserted);
    } else {
        fmt::print("inserted      {:>12}\n", counts.inserted);
        fmt::print("duplicates    {:>12}\n", counts.duplicates);
    }
    fmt::print("rejected      {:>12}\n", counts.rejected);
    fmt::print("elapsed       {:>12.1f} s\n", result.seconds);
    fmt::print("rows/s        {:>12.0f}\n", rate);
    if (!result.rejects_path.empty()) {
        fmt::print("rejects       {}\n", result.rejects_path);
    }
}

int run_import(ImportCommandOptions& options) {
    init_logging(options.log_level);
    catch_interrupts();

    importer::ImportResult result;
    try {
        importer::Importer importer(options.import);
        result = importer.run(g_interrupted);
    } catch (const importer::ImportError& error) {
        fmt::print(stderr, "import failed: {}\n", error.what());
        return 1;
    }

    switch (result.outcome) {
        case storage::ImportOutcome::succeeded:
            print_summary(result, options.import.dry_run);
            return 0;
        case storage::ImportOutcome::completed_with_rejects:
            print_summary(result, options.import.dry_run);
            return 2;
        case storage::ImportOutcome::failed:
        case storage::ImportOutcome::interrupted:
            // Not a summary: what was committed is committed, and the same command
            // completes the import idempotently.
            fmt::print(stderr, "import {}: {}; {} rows committed before it stopped\n",
                       result.outcome == storage::ImportOutcome::failed ? "failed" : "stopped",
                       result.error, result.counts.rows_read);
            return 1;
    }
    return 1;
}

}  // namespace

Command add_import_command(CLI::App& app) {
    auto options = std::make_shared<ImportCommandOptions>();
    importer::ImportOptions& import = options->import;
    CLI::App* command = app.add_subcommand(
        "import", "Load a CSV file (or .gz, or - for stdin) straight into the database");
    command->add_option("path", import.path, "CSV file, .gz file, or - for standard input")
        ->required();
    add_database_url_option(*command, import.database_url)
        ->default_str(local_database_url())
        ->default_val(local_database_url());
    add_log_level_option(*command, options->log_level);
    command->add_option("-k,--key-column", import.key_column,
                        "Column holding each event's external key; keys that are not UUIDs "
                        "become name-based UUIDs (v5), the same on every run");
    command->add_option("--rejects", import.rejects_path,
                        "Where refused rows go (default: INPUT.rejects.csv beside the input)");
    command->add_option("--chunk-rows", import.chunk_rows, "Valid rows per committed chunk")
        ->check(CLI::Range(1, 10'000'000))
        ->capture_default_str();
    command->add_option("--writers", import.writers, "Database connections writing chunks")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
    command->add_flag("--dry-run", import.dry_run, "Validate only; store nothing");
    command->add_flag("-q,--quiet", import.quiet, "No progress and no rejected rows on stderr");
    return [options] { return run_import(*options); };
}

}  // namespace eventline::cli
