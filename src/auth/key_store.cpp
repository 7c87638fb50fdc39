#include "auth/key_store.hpp"

#include <fmt/format.h>

#include <charconv>

namespace eventline::auth {
namespace {

// Two statements, not one: a project that another `keys create` inserts at the same
// moment is only visible to a statement that starts after it committed.
constexpr const char* kCreateProject =
    "INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING";
constexpr const char* kFindProject = "SELECT id FROM projects WHERE name = $1";

constexpr const char* kInsertKey = R"sql(
INSERT INTO api_keys (project_id, name, key_hash, key_prefix, scope, events_per_second,
                      requests_per_second)
VALUES ($1::integer, $2, decode($3, 'hex'), $4, $5, $6::double precision,
        $7::double precision)
RETURNING key_id)sql";

constexpr const char* kColumns =
    "k.key_id, k.project_id, k.name, k.key_prefix, encode(k.key_hash, 'hex'), k.scope, "
    "k.events_per_second, k.requests_per_second, k.revoked_at IS NOT NULL";

constexpr const char* kListKeys =
    "SELECT {}, p.name, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
    "coalesce(to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '') "
    "FROM api_keys AS k JOIN projects AS p ON p.id = k.project_id ORDER BY k.key_id DESC";

constexpr const char* kLoadKeys = "SELECT {} FROM api_keys AS k";

constexpr const char* kFindById = "SELECT {} FROM api_keys AS k WHERE k.key_id = $1::bigint";
constexpr const char* kFindByPrefix = "SELECT {} FROM api_keys AS k WHERE k.key_prefix = $1";

constexpr const char* kRevoke =
    "UPDATE api_keys SET revoked_at = now() WHERE key_id = $1::bigint AND revoked_at IS NULL";

std::string rate_text(const std::optional<double>& rate) {
    return rate ? fmt::format("{}", *rate) : std::string();
}

std::optional<double> parse_rate(const storage::PgResult& result, int row, int column) {
    if (result.is_null(row, column)) {
        return std::nullopt;
    }
    return std::stod(std::string(result.value(row, column)));
}

template <typename Integer>
Integer parse_integer(std::string_view text) {
    Integer value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

/// A row that starts with kColumns.
KeyRecord parse_record(const storage::PgResult& result, int row) {
    KeyRecord record;
    record.key_id = parse_integer<std::int64_t>(result.value(row, 0));
    record.project_id = parse_integer<event::ProjectId>(result.value(row, 1));
    record.name = std::string(result.value(row, 2));
    record.prefix = std::string(result.value(row, 3));
    if (!from_hex(result.value(row, 4), record.hash)) {
        throw std::runtime_error("api_keys holds a key_hash that is not 32 bytes");
    }
    record.scope = parse_scope(result.value(row, 5)).value_or(Scope::all);
    record.events_per_second = parse_rate(result, row, 6);
    record.requests_per_second = parse_rate(result, row, 7);
    record.revoked = result.value(row, 8) == "t";
    return record;
}

std::vector<KeyRecord> find_keys(storage::PgConnection& connection, std::string_view which) {
    const bool by_id = !which.empty() && which.find_first_not_of("0123456789") == std::string::npos;
    const std::string sql = fmt::format(fmt::runtime(by_id ? kFindById : kFindByPrefix), kColumns);
    const std::string parameter(which);
    const char* params[] = {parameter.c_str()};
    const storage::PgResult result = connection.exec_params(sql.c_str(), 1, params);
    std::vector<KeyRecord> keys;
    for (int row = 0; row < result.rows(); ++row) {
        keys.push_back(parse_record(result, row));
    }
    return keys;
}

}  // namespace

CreatedKey create_key(storage::PgConnection& connection, const KeyRequest& request) {
    const char* project_params[] = {request.project.c_str()};
    connection.exec_params(kCreateProject, 1, project_params);
    const storage::PgResult project = connection.exec_params(kFindProject, 1, project_params);

    CreatedKey created;
    created.project_id = parse_integer<event::ProjectId>(project.value(0, 0));
    created.key = generate_key();
    created.prefix = std::string(key_prefix(created.key));

    const std::string hash = to_hex(hash_key(created.key));
    const std::string scope(scope_name(request.scope));
    const std::string events = rate_text(request.events_per_second);
    const std::string requests = rate_text(request.requests_per_second);
    const std::string project_id = std::to_string(created.project_id);
    const char* params[] = {project_id.c_str(),
                            request.name.c_str(),
                            hash.c_str(),
                            created.prefix.c_str(),
                            scope.c_str(),
                            events.empty() ? nullptr : events.c_str(),
                            requests.empty() ? nullptr : requests.c_str()};
    const storage::PgResult result = connection.exec_params(kInsertKey, 7, params);
    created.key_id = parse_integer<std::int64_t>(result.value(0, 0));
    return created;
}

std::vector<KeyListing> list_keys(storage::PgConnection& connection) {
    const std::string sql = fmt::format(fmt::runtime(kListKeys), kColumns);
    const storage::PgResult result = connection.exec(sql.c_str());
    std::vector<KeyListing> keys;
    for (int row = 0; row < result.rows(); ++row) {
        KeyListing listing;
        listing.record = parse_record(result, row);
        listing.project = std::string(result.value(row, 9));
        listing.created_at = std::string(result.value(row, 10));
        listing.revoked_at = std::string(result.value(row, 11));
        keys.push_back(std::move(listing));
    }
    return keys;
}

KeyRecord revoke_key(storage::PgConnection& connection, std::string_view which) {
    std::vector<KeyRecord> keys = find_keys(connection, which);
    if (keys.empty()) {
        throw RevokeError(fmt::format("no key has the id or prefix {}", which));
    }
    if (keys.size() > 1) {
        throw RevokeError(fmt::format("{} keys have the prefix {}: revoke one by its id",
                                      keys.size(), which));
    }
    const std::string id = std::to_string(keys.front().key_id);
    const char* params[] = {id.c_str()};
    connection.exec_params(kRevoke, 1, params);
    keys.front().revoked = true;
    return keys.front();
}

std::vector<KeyRecord> load_keys(storage::PgConnection& connection) {
    const std::string sql = fmt::format(fmt::runtime(kLoadKeys), kColumns);
    const storage::PgResult result = connection.exec(sql.c_str());
    std::vector<KeyRecord> keys;
    keys.reserve(static_cast<std::size_t>(result.rows()));
    for (int row = 0; row < result.rows(); ++row) {
        keys.push_back(parse_record(result, row));
    }
    return keys;
}

}  // namespace eventline::auth
