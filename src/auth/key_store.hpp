#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auth/key_record.hpp"
#include "storage/pg_connection.hpp"

/// The `api_keys` table: what `eventline keys` does, and what the service's key cache
/// reads. Only hashes go in; the key leaves create_key once, in its result.
namespace eventline::auth {

/// A key that create_key is asked for.
struct KeyRequest {
    std::string name;
    std::string project = "default";  // created when it does not exist yet
    Scope scope = Scope::all;
    std::optional<double> events_per_second;
    std::optional<double> requests_per_second;
};

/// A key just created: the only place its clear text ever is.
struct CreatedKey {
    std::int64_t key_id = 0;
    event::ProjectId project_id = event::kDefaultProject;
    std::string key;
    std::string prefix;
};

/// One row of `eventline keys list`.
struct KeyListing {
    KeyRecord record;
    std::string project;
    std::string created_at;
    std::string revoked_at;  // empty while the key is valid
};

/// A revocation that cannot be carried out as asked (no such key, or a prefix that
/// matches several keys).
class RevokeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Creates a key (and its project when new). Throws DatabaseError.
[[nodiscard]] CreatedKey create_key(storage::PgConnection& connection, const KeyRequest& request);

/// Every key, newest first, revoked ones included.
[[nodiscard]] std::vector<KeyListing> list_keys(storage::PgConnection& connection);

/// Revokes the key whose id (digits) or prefix (`evl_…`) is `which`; revoking a revoked
/// key again changes nothing. Returns the key. Throws RevokeError, DatabaseError.
KeyRecord revoke_key(storage::PgConnection& connection, std::string_view which);

/// Every key with its hash, for the service's cache; revoked ones are marked so that
/// their use is reported as such.
[[nodiscard]] std::vector<KeyRecord> load_keys(storage::PgConnection& connection);

}  // namespace eventline::auth
