// eventline keys create|list|revoke: the API keys of the service, in its database.

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>

#include "auth/key_store.hpp"
#include "cli/commands.hpp"
#include "logging/log.hpp"
#include "storage/migrator.hpp"
#include "storage/pg_connection.hpp"

namespace eventline::cli {
namespace {

struct KeysOptions {
    // One per subcommand: CLI11 fills an option's variable from its environment
    // variable even for subcommands that were not given, so a shared one would let
    // DATABASE_URL override --database-url.
    std::string create_url;
    std::string list_url;
    std::string revoke_url;
    std::string log_level = "warn";  // the key goes to stdout; keep stderr to the point
    std::string scope = "all";
    auth::KeyRequest request;
    double events_per_second = 0;    // 0: not given, the server's default applies
    double requests_per_second = 0;
    std::string which;  // revoke: an id or a prefix
};

std::string rate_text(const std::optional<double>& rate) {
    return rate ? fmt::format("{}/s", *rate) : std::string("default");
}

/// Connects and brings the schema up to date, as `migrate` and `import` do, so that
/// keys can be made before the service first ran.
storage::PgConnection connect(const KeysOptions& options, const std::string& url) {
    init_logging(options.log_level);
    storage::PgConnection connection = storage::PgConnection::connect(url);
    storage::apply_migrations(connection);
    return connection;
}

int run_create(KeysOptions& options) {
    storage::PgConnection connection = connect(options, options.create_url);
    auth::KeyRequest& request = options.request;
    request.scope = auth::parse_scope(options.scope).value_or(auth::Scope::all);
    if (options.events_per_second > 0) {
        request.events_per_second = options.events_per_second;
    }
    if (options.requests_per_second > 0) {
        request.requests_per_second = options.requests_per_second;
    }

    const auth::CreatedKey created = auth::create_key(connection, request);
    // The key alone on stdout, for scripts (KEY=$(eventline keys create …)); what people
    // need to know goes to stderr. The key is not kept anywhere: this is its only copy.
    fmt::print("{}\n", created.key);
    std::fflush(stdout);
    fmt::print(stderr,
               "created key {} ({}) \"{}\" for project {}, scope {}, events {}, requests {}\n"
               "it is shown only this once: store it now\n",
               created.key_id, created.prefix, request.name, request.project, options.scope,
               rate_text(request.events_per_second), rate_text(request.requests_per_second));
    return 0;
}

int run_list(const KeysOptions& options) {
    storage::PgConnection connection = connect(options, options.list_url);
    const auto keys = auth::list_keys(connection);
    constexpr const char* kRow = "{:>5}  {:12}  {:16}  {:16}  {:6}  {:>10}  {:>10}  {:19}  {}\n";
    fmt::print(kRow, "id", "prefix", "name", "project", "scope", "events/s", "requests/s",
               "created (UTC)", "revoked (UTC)");
    for (const auth::KeyListing& key : keys) {
        const auth::KeyRecord& record = key.record;
        fmt::print(kRow, record.key_id, record.prefix, record.name, key.project,
                   auth::scope_name(record.scope),
                   record.events_per_second ? fmt::format("{}", *record.events_per_second)
                                            : "default",
                   record.requests_per_second ? fmt::format("{}", *record.requests_per_second)
                                              : "default",
                   key.created_at, key.revoked_at.empty() ? "-" : key.revoked_at);
    }
    return 0;
}

int run_revoke(const KeysOptions& options) {
    storage::PgConnection connection = connect(options, options.revoke_url);
    try {
        const auth::KeyRecord key = auth::revoke_key(connection, options.which);
        fmt::print("revoked key {} ({}) \"{}\"; running services refuse it within their "
                   "--key-refresh-seconds\n",
                   key.key_id, key.prefix, key.name);
        return 0;
    } catch (const auth::RevokeError& error) {
        fmt::print(stderr, "keys revoke: {}\n", error.what());
        return 1;
    }
}

void add_common_options(CLI::App& command, KeysOptions& options, std::string& url) {
    add_database_url_option(command, url)
        ->default_str(local_database_url())
        ->default_val(local_database_url());
    add_log_level_option(command, options.log_level);
}

}  // namespace

Command add_keys_command(CLI::App& app) {
    auto options = std::make_shared<KeysOptions>();
    CLI::App* keys = app.add_subcommand("keys", "Create, list and revoke API keys");
    keys->require_subcommand(1);

    CLI::App* create = keys->add_subcommand(
        "create", "Create an API key and print it once (the key alone on stdout)");
    add_common_options(*create, *options, options->create_url);
    create->add_option("--name", options->request.name, "What the key is for, for people")
        ->required();
    create->add_option("--project", options->request.project,
                       "The project (tenant) the key writes and reads; created if new")
        ->capture_default_str();
    create->add_option("--scope", options->scope, "ingest (POST /events), read (analytics), all")
        ->check(CLI::IsMember({"ingest", "read", "all"}))
        ->capture_default_str();
    create->add_option("--rate", options->events_per_second,
                       "Events per second this key may send (default: the server's)")
        ->check(CLI::Range(0.001, 1e9));
    create->add_option("--request-rate", options->requests_per_second,
                       "Requests per second this key may make (default: the server's)")
        ->check(CLI::Range(0.001, 1e9));

    CLI::App* list = keys->add_subcommand("list", "List keys: never the keys, only prefixes");
    add_common_options(*list, *options, options->list_url);

    CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key by its id or prefix");
    add_common_options(*revoke, *options, options->revoke_url);
    revoke->add_option("key", options->which, "The key's id or prefix (evl_…)")->required();

    return [options, create, list] {
        if (create->parsed()) {
            return run_create(*options);
        }
        if (list->parsed()) {
            return run_list(*options);
        }
        return run_revoke(*options);
    };
}

}  // namespace eventline::cli
