#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <span>
#include <string>
#include <string_view>

namespace eventline::storage {

/// A failure reported by libpq or the server. `connection_lost` separates "the database
/// is unreachable" (the caller may retry later, clients get 503) from errors in what we
/// asked for (a bug, or data that should not have passed validation).
class DatabaseError : public std::runtime_error {
public:
    DatabaseError(std::string message, std::string sqlstate, bool connection_lost);

    [[nodiscard]] const std::string& sqlstate() const { return sqlstate_; }
    [[nodiscard]] bool connection_lost() const { return connection_lost_; }
    /// Deadlocks and serialization failures: the same transaction may simply be retried.
    [[nodiscard]] bool retryable() const;

private:
    std::string sqlstate_;
    bool connection_lost_;
};

/// Owns one PGresult.
class PgResult {
public:
    PgResult() = default;
    explicit PgResult(PGresult* result) : result_(result) {}

    [[nodiscard]] int rows() const { return PQntuples(result_.get()); }
    [[nodiscard]] bool is_null(int row, int column) const {
        return PQgetisnull(result_.get(), row, column) != 0;
    }
    [[nodiscard]] std::string_view value(int row, int column) const {
        return {PQgetvalue(result_.get(), row, column),
                static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
    }
    [[nodiscard]] PGresult* get() const { return result_.get(); }

private:
    struct Clear {
        void operator()(PGresult* result) const { PQclear(result); }
    };
    std::unique_ptr<PGresult, Clear> result_;
};

/// Options that every connection of the service gets unless the URL says otherwise:
/// bounded connect time, and TCP keepalives so that a silently dead server is noticed
/// instead of blocking a writer forever.
struct ConnectOptions {
    int connect_timeout_seconds = 5;
    std::string application_name = "eventline";
};

/// A statement to send in a pipeline: a prepared statement with text parameters, or,
/// without a prepared name, SQL with no parameters (COMMIT).
struct PipelinedStatement {
    const char* prepared_name = nullptr;
    const char* sql = nullptr;
    int count = 0;
    const char* const* values = nullptr;
};

/// One blocking libpq connection. Used only from threads that may block (writers,
/// analytics workers, command-line tools), never from the threads serving sockets.
class PgConnection {
public:
    /// Connects, or throws DatabaseError with connection_lost set.
    static PgConnection connect(const std::string& url, const ConnectOptions& options = {});

    PgConnection(PgConnection&&) noexcept = default;
    PgConnection& operator=(PgConnection&&) noexcept = default;

    /// Runs SQL without parameters; throws DatabaseError unless it succeeded.
    PgResult exec(const char* sql);

    /// Runs SQL with text parameters (nullptr for NULL); results in `result_format`
    /// (0 text, 1 binary).
    PgResult exec_params(const char* sql, int count, const char* const* values,
                         int result_format = 0);

    /// Prepares a named statement once per connection.
    void prepare(const char* name, const char* sql);

    /// Runs a prepared statement with text parameters.
    PgResult exec_prepared(const char* name, int count, const char* const* values,
                           int result_format = 0);

    /// Runs `COPY ... FROM STDIN` and sends `data` as its whole input. `copy_sql` may
    /// start with other statements ("BEGIN; COPY ..."): the COPY must be the last.
    void copy_in(const char* copy_sql, std::string_view data);

    /// Sends the statements together and waits once for all of them (libpq pipeline
    /// mode): one round trip instead of one each. They run in order until one fails;
    /// its error is thrown and the ones after it do not run. Their rows are discarded.
    void exec_pipelined(std::span<const PipelinedStatement> statements);

    [[nodiscard]] bool healthy() const;
    [[nodiscard]] PGconn* get() const { return conn_.get(); }

private:
    struct Finish {
        void operator()(PGconn* conn) const { PQfinish(conn); }
    };
    explicit PgConnection(PGconn* conn) : conn_(conn) {}

    PgResult check(PGresult* result, const char* what);

    std::unique_ptr<PGconn, Finish> conn_;
};

/// The URL with any password replaced by "***", for logs.
[[nodiscard]] std::string redact_url(std::string_view url);

/// Quotes a name as a PostgreSQL identifier ("name", inner quotes doubled), for the
/// rare statement that cannot take parameters (CREATE DATABASE in tests and tools).
[[nodiscard]] std::string quote_identifier(std::string_view identifier);

}  // namespace eventline::storage
