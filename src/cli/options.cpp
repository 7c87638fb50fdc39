#include "cli/commands.hpp"

#include <cstdlib>

#include "logging/log.hpp"

namespace eventline::cli {

CLI::Option* add_database_url_option(CLI::App& command, std::string& url) {
    return command
        .add_option("--database-url", url,
                    "PostgreSQL connection URL, e.g. postgresql://user@127.0.0.1:5432/db")
        ->envname("DATABASE_URL");
}

CLI::Option* add_log_level_option(CLI::App& command, std::string& level) {
    return command.add_option("--log-level", level, "debug, info, warn or error")
        ->envname("EVENTLINE_LOG_LEVEL")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
        ->capture_default_str();
}

std::string local_database_url() {
    const char* port = std::getenv("EVENTLINE_PG_PORT");
    return std::string("postgresql://eventline@127.0.0.1:") + (port != nullptr ? port : "54329") +
           "/eventline";
}

void init_logging(const std::string& level) {
    logging::Level parsed = logging::Level::info;
    if (!logging::parse_level(level, parsed)) {
        throw CLI::ValidationError("--log-level", "unknown level " + level);
    }
    logging::init(parsed);
}

}  // namespace eventline::cli
