// The api_keys table and the key cache against a real PostgreSQL: only hashes stored,
// projects, revocation, and a cache that outlives the database going away.

#include <gtest/gtest.h>

#include "auth/key_cache.hpp"
#include "auth/key_store.hpp"
#include "metrics/metrics.hpp"
#include "support/processes.hpp"
#include "support/test_database.hpp"

namespace eventline::auth {
namespace {

using storage::PgConnection;
using testing::TestDatabase;

KeyRequest request(std::string name, Scope scope = Scope::all, std::string project = "default") {
    KeyRequest result;
    result.name = std::move(name);
    result.scope = scope;
    result.project = std::move(project);
    return result;
}

/// Every row of a table, as PostgreSQL's own text of each row.
std::string table_text(PgConnection& connection, const char* table) {
    const std::string sql = std::string("SELECT t::text FROM ") + table + " AS t";
    const storage::PgResult result = connection.exec(sql.c_str());
    std::string text;
    for (int row = 0; row < result.rows(); ++row) {
        text += std::string(result.value(row, 0)) + "\n";
    }
    return text;
}

class KeyStore : public ::testing::Test {
protected:
    TestDatabase database_;
    PgConnection connection_ = database_.connect();
};

TEST_F(KeyStore, StoresTheSha256OfTheKeyAndNeverTheKey) {
    const CreatedKey created = create_key(connection_, request("ingest-bot"));
    ASSERT_TRUE(well_formed(created.key));
    const std::string secret = created.key.substr(kPrefixLength);

    // PostgreSQL's own sha256() agrees with what was stored: it is the full key's hash.
    const std::string check = "SELECT count(*) FROM api_keys WHERE key_hash = sha256('" +
                              created.key + "'::bytea) AND key_prefix = '" + created.prefix + "'";
    EXPECT_EQ(database_.scalar(check.c_str()), 1);

    const std::string rows = table_text(connection_, "api_keys");
    EXPECT_EQ(rows.find(created.key), std::string::npos) << rows;
    EXPECT_EQ(rows.find(secret), std::string::npos) << rows;

    // Nor anywhere else in the database: a dump of everything holds no trace of it.
    const std::string dump = testing::run_command("pg_dump '" + database_.url() + "'", false);
    EXPECT_NE(dump.find(created.prefix), std::string::npos) << "the dump should hold the prefix";
    EXPECT_EQ(dump.find(secret), std::string::npos);
}

TEST_F(KeyStore, CreatesAProjectOnceAndKeysOfTheDefaultProjectUseIt) {
    const CreatedKey first = create_key(connection_, request("a", Scope::read, "shop"));
    const CreatedKey second = create_key(connection_, request("b", Scope::ingest, "shop"));
    const CreatedKey third = create_key(connection_, request("c"));

    EXPECT_EQ(first.project_id, second.project_id);
    EXPECT_NE(first.project_id, event::kDefaultProject);
    EXPECT_EQ(third.project_id, event::kDefaultProject);
    EXPECT_EQ(database_.scalar("SELECT count(*) FROM projects WHERE name = 'shop'"), 1);
    EXPECT_NE(first.key, second.key);
}

TEST_F(KeyStore, ListsPrefixesScopesAndRatesNewestFirst) {
    KeyRequest limited = request("limited", Scope::ingest);
    limited.events_per_second = 50;
    limited.requests_per_second = 2.5;
    const CreatedKey older = create_key(connection_, request("plain"));
    const CreatedKey newer = create_key(connection_, limited);

    const std::vector<KeyListing> keys = list_keys(connection_);
    ASSERT_EQ(keys.size(), 2U);
    EXPECT_EQ(keys[0].record.key_id, newer.key_id);
    EXPECT_EQ(keys[0].record.prefix, newer.prefix);
    EXPECT_EQ(keys[0].record.scope, Scope::ingest);
    EXPECT_EQ(keys[0].record.events_per_second, 50.0);
    EXPECT_EQ(keys[0].record.requests_per_second, 2.5);
    EXPECT_EQ(keys[0].project, "default");
    EXPECT_FALSE(keys[0].created_at.empty());
    EXPECT_TRUE(keys[0].revoked_at.empty());
    EXPECT_EQ(keys[1].record.key_id, older.key_id);
    EXPECT_FALSE(keys[1].record.events_per_second.has_value());
}

TEST_F(KeyStore, RevokesByIdOrByPrefixAndSaysWhenItCannot) {
    const CreatedKey by_id = create_key(connection_, request("one"));
    const CreatedKey by_prefix = create_key(connection_, request("two"));

    EXPECT_EQ(revoke_key(connection_, std::to_string(by_id.key_id)).key_id, by_id.key_id);
    EXPECT_EQ(revoke_key(connection_, by_prefix.prefix).key_id, by_prefix.key_id);
    EXPECT_EQ(database_.scalar("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"), 2);
    // Again: nothing changes, and the first revocation time stays.
    EXPECT_NO_THROW(revoke_key(connection_, by_prefix.prefix));

    EXPECT_THROW(revoke_key(connection_, "evl_nothing1"), RevokeError);
    EXPECT_THROW(revoke_key(connection_, "999999"), RevokeError);
    connection_.exec(("UPDATE api_keys SET key_prefix = '" + by_prefix.prefix + "'").c_str());
    EXPECT_THROW(revoke_key(connection_, by_prefix.prefix), RevokeError);  // ambiguous
}

TEST_F(KeyStore, TheCacheFindsKeysByHashAndSeesRevocationsOnReload) {
    metrics::Metrics metrics;
    KeyCache cache(database_.url(), std::chrono::seconds(60), metrics.auth);
    EXPECT_FALSE(cache.loaded());
    const CreatedKey created = create_key(connection_, request("cached", Scope::read, "p2"));
    ASSERT_TRUE(cache.refresh());

    const auto snapshot = cache.snapshot();
    const KeyRecord* record = snapshot->find(hash_key(created.key));
    ASSERT_NE(record, nullptr);
    EXPECT_EQ(record->key_id, created.key_id);
    EXPECT_EQ(record->project_id, created.project_id);
    EXPECT_EQ(record->scope, Scope::read);
    EXPECT_FALSE(record->revoked);
    EXPECT_EQ(snapshot->find(hash_key(generate_key())), nullptr);
    EXPECT_EQ(metrics.auth.keys_active.Value(), 1);

    revoke_key(connection_, created.prefix);
    EXPECT_FALSE(snapshot->find(hash_key(created.key))->revoked);  // snapshots never change
    ASSERT_TRUE(cache.refresh());
    EXPECT_TRUE(cache.snapshot()->find(hash_key(created.key))->revoked);
    EXPECT_EQ(metrics.auth.keys_active.Value(), 0);
}

TEST_F(KeyStore, TheCacheKeepsItsLastSnapshotWhenTheDatabaseGoesAway) {
    metrics::Metrics metrics;
    KeyCache cache(database_.url(), std::chrono::seconds(60), metrics.auth);
    const CreatedKey created = create_key(connection_, request("survivor"));
    ASSERT_TRUE(cache.refresh());

    // Nobody may connect any more, and the cache's connection is cut.
    PgConnection admin = PgConnection::connect(testing::server_url());
    const std::string name = connection_.exec("SELECT current_database()").value(0, 0).data();
    admin.exec(("ALTER DATABASE " + storage::quote_identifier(name) + " ALLOW_CONNECTIONS false")
                   .c_str());
    const std::string terminate =
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'";
    admin.exec(terminate.c_str());

    EXPECT_FALSE(cache.refresh());
    EXPECT_EQ(metrics.auth.key_refresh_failures.Value(), 1);
    ASSERT_TRUE(cache.loaded());
    EXPECT_NE(cache.snapshot()->find(hash_key(created.key)), nullptr);

    admin.exec(("ALTER DATABASE " + storage::quote_identifier(name) + " ALLOW_CONNECTIONS true")
                   .c_str());
}

TEST(KeyStoreSchema, TheTableRefusesWhatIsNotAKey) {
    TestDatabase database;
    PgConnection connection = database.connect();
    const char* wrong_scope =
        "INSERT INTO api_keys (name, key_hash, key_prefix, scope) "
        "VALUES ('x', sha256('a'::bytea), 'evl_a', 'admin')";
    const char* short_hash =
        "INSERT INTO api_keys (name, key_hash, key_prefix, scope) "
        "VALUES ('x', '\\x00'::bytea, 'evl_a', 'all')";
    const char* zero_rate =
        "INSERT INTO api_keys (name, key_hash, key_prefix, scope, events_per_second) "
        "VALUES ('x', sha256('b'::bytea), 'evl_b', 'all', 0)";
    EXPECT_THROW(connection.exec(wrong_scope), storage::DatabaseError);
    EXPECT_THROW(connection.exec(short_hash), storage::DatabaseError);
    EXPECT_THROW(connection.exec(zero_rate), storage::DatabaseError);
}

}  // namespace
}  // namespace eventline::auth
