#include "storage/pg_connection.hpp"

#include <fmt/format.h>

#include "logging/log.hpp"

#include <array>
#include <optional>

namespace eventline::storage {
namespace {

std::string sqlstate_of(const PGresult* result) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    return state ? state : "";
}

std::string trimmed(const char* message);

/// Server notices ("relation already exists, skipping") would otherwise go to stderr
/// as raw text, breaking the one-JSON-object-per-line log: they go to the debug log.
void log_notice(void*, const char* message) {
    logging::debug("database notice", {{"notice", trimmed(message)}});
}

std::string trimmed(const char* message) {
    std::string text = message ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

}  // namespace

DatabaseError::DatabaseError(std::string message, std::string sqlstate, bool connection_lost)
    : std::runtime_error(std::move(message)),
      sqlstate_(std::move(sqlstate)),
      connection_lost_(connection_lost) {}

bool DatabaseError::retryable() const {
    return sqlstate_ == "40001" || sqlstate_ == "40P01";
}

PgConnection PgConnection::connect(const std::string& url, const ConnectOptions& options) {
    const std::string timeout = std::to_string(options.connect_timeout_seconds);
    // Defaults come first: with expand_dbname, whatever the URL sets overrides them.
    const std::array<const char*, 8> keywords{"connect_timeout", "application_name", "keepalives_idle",
                                              "keepalives_interval", "keepalives_count",
                                              "dbname", nullptr, nullptr};
    const std::array<const char*, 8> values{timeout.c_str(), options.application_name.c_str(),
                                            "10", "5", "3", url.c_str(), nullptr, nullptr};
    PGconn* raw = PQconnectdbParams(keywords.data(), values.data(), 1);
    PgConnection connection(raw);
    if (raw != nullptr) {
        PQsetNoticeProcessor(raw, log_notice, nullptr);
    }
    if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
        throw DatabaseError(
            fmt::format("cannot connect to {}: {}", redact_url(url), trimmed(PQerrorMessage(raw))),
            "", true);
    }
    return connection;
}

PgResult PgConnection::check(PGresult* raw, const char* what) {
    PgResult result(raw);
    const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN) {
        return result;
    }
    const bool lost = PQstatus(conn_.get()) != CONNECTION_OK;
    const char* message = raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_.get());
    throw DatabaseError(fmt::format("{} failed: {}", what, trimmed(message)), sqlstate_of(raw), lost);
}

PgResult PgConnection::exec(const char* sql) { return check(PQexec(conn_.get(), sql), "query"); }

PgResult PgConnection::exec_params(const char* sql, int count, const char* const* values,
                                   int result_format) {
    return check(PQexecParams(conn_.get(), sql, count, nullptr, values, nullptr, nullptr,
                              result_format),
                 "query");
}

void PgConnection::prepare(const char* name, const char* sql) {
    check(PQprepare(conn_.get(), name, sql, 0, nullptr), name);
}

PgResult PgConnection::exec_prepared(const char* name, int count, const char* const* values,
                                     int result_format) {
    return check(PQexecPrepared(conn_.get(), name, count, values, nullptr, nullptr, result_format),
                 name);
}

void PgConnection::copy_in(const char* copy_sql, std::string_view data) {
    check(PQexec(conn_.get(), copy_sql), "COPY");

    // Blocking mode: PQputCopyData sends everything or fails.
    const bool sent = PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size())) == 1;
    if (PQputCopyEnd(conn_.get(), sent ? nullptr : "client failed to send data") != 1 || !sent) {
        throw DatabaseError(fmt::format("COPY failed: {}", trimmed(PQerrorMessage(conn_.get()))),
                            "", PQstatus(conn_.get()) != CONNECTION_OK);
    }
    check(PQgetResult(conn_.get()), "COPY");
    // Drain until libpq reports the end of this command.
    while (PGresult* extra = PQgetResult(conn_.get())) {
        PQclear(extra);
    }
}

void PgConnection::exec_pipelined(std::span<const PipelinedStatement> statements) {
    PGconn* conn = conn_.get();
    if (PQenterPipelineMode(conn) != 1) {
        throw DatabaseError(
            fmt::format("pipeline failed: {}", trimmed(PQerrorMessage(conn))), "", !healthy());
    }
    // Whatever happens, the connection leaves pipeline mode with nothing pending, so that
    // the caller can still ROLLBACK on it, or it is reported lost.
    struct ExitPipeline {
        PGconn* conn;
        ~ExitPipeline() { PQexitPipelineMode(conn); }
    } exit_pipeline{conn};

    bool sent = true;
    for (const PipelinedStatement& statement : statements) {
        sent = sent && (statement.prepared_name != nullptr
                            ? PQsendQueryPrepared(conn, statement.prepared_name, statement.count,
                                                  statement.values, nullptr, nullptr, 0)
                            : PQsendQueryParams(conn, statement.sql, 0, nullptr, nullptr, nullptr,
                                                nullptr, 0)) == 1;
    }
    sent = sent && PQpipelineSync(conn) == 1;
    if (!sent) {
        throw DatabaseError(
            fmt::format("pipeline failed: {}", trimmed(PQerrorMessage(conn))), "", !healthy());
    }

    // Each statement's results end with a null; the pipeline ends with its sync. The
    // first error is kept; statements after it come back as aborted.
    std::optional<DatabaseError> failure;
    for (std::size_t ends = 0;;) {
        PgResult result(PQgetResult(conn));
        if (result.get() == nullptr) {
            if (!healthy() || ++ends > statements.size()) {
                throw DatabaseError(
                    fmt::format("pipeline failed: {}", trimmed(PQerrorMessage(conn))), "", true);
            }
            continue;
        }
        const ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_PIPELINE_SYNC) {
            break;
        }
        if (status == PGRES_FATAL_ERROR && !failure) {
            failure.emplace(fmt::format("statement failed: {}",
                                        trimmed(PQresultErrorMessage(result.get()))),
                            sqlstate_of(result.get()), !healthy());
        }
    }
    if (failure) {
        throw *failure;
    }
}

bool PgConnection::healthy() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }

std::string redact_url(std::string_view url) {
    std::string text(url);

    // postgresql://user:secret@host/db -> postgresql://user:***@host/db
    const std::size_t scheme = text.find("://");
    if (scheme != std::string::npos) {
        const std::size_t authority = scheme + 3;
        const std::size_t at = text.find('@', authority);
        const std::size_t slash = text.find('/', authority);
        const std::size_t colon = text.find(':', authority);
        if (at != std::string::npos && (slash == std::string::npos || at < slash) &&
            colon != std::string::npos && colon < at) {
            text.replace(colon + 1, at - colon - 1, "***");
        }
    }

    // password=secret in a query string or a key=value connection string
    constexpr std::string_view kKey = "password=";
    for (std::size_t found = text.find(kKey); found != std::string::npos;
         found = text.find(kKey, found + kKey.size())) {
        const std::size_t value = found + kKey.size();
        std::size_t end = value;
        if (end < text.size() && text[end] == '\'') {
            end = text.find('\'', end + 1);
            end = end == std::string::npos ? text.size() : end + 1;
        } else {
            while (end < text.size() && text[end] != '&' && text[end] != ' ') {
                ++end;
            }
        }
        text.replace(value, end - value, "***");
    }
    return text;
}

std::string quote_identifier(std::string_view identifier) {
    std::string quoted = "\"";
    for (char c : identifier) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

}  // namespace eventline::storage
