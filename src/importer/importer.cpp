#include "importer/importer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "csv/byte_source.hpp"
#include "csv/csv_reader.hpp"
#include "event/uuid.hpp"
#include "importer/chunk_pipeline.hpp"
#include "importer/column_map.hpp"
#include "importer/progress.hpp"
#include "importer/rejects.hpp"
#include "logging/log.hpp"
#include "storage/migrator.hpp"

namespace eventline::importer {
namespace {

using Clock = std::chrono::steady_clock;

// How often the progress display is asked to refresh, in rows: checking the clock per
// row would cost more than the row.
constexpr std::uint64_t kProgressEveryRows = 4096;

/// Turns one CSV record into a validated event in `chunk`, or says why it cannot be.
class RowConverter {
public:
    RowConverter(const ColumnMap& columns, const ImportOptions& options)
        : columns_(columns),
          by_key_(!options.key_column.empty()),
          project_id_(options.project_id),
          key_namespace_(*event::parse_uuid(kKeyNamespace)),
          validator_(options.limits) {}

    /// Returns the reason for refusing the row, or an empty string when it went in.
    std::string convert(const csv::CsvRecord& record, event::UnixMicros now, Chunk& chunk) {
        const auto& fields = record.fields;
        if (fields.size() != columns_.columns) {
            return fmt::format("expected {} fields as in the header, got {}", columns_.columns,
                               fields.size());
        }

        event::RawEvent raw;
        raw.event_id = fields[columns_.key];
        if (by_key_ && !raw.event_id.empty() && !event::parse_uuid(raw.event_id)) {
            // A key that is not a UUID gets a name-based one, the same on every run.
            key_text_ = event::uuid_v5(key_namespace_, raw.event_id).to_string();
            raw.event_id = key_text_;
        }
        raw.has_event_id = !raw.event_id.empty();
        raw.occurred_at = fields[columns_.occurred_at];
        raw.has_occurred_at = !raw.occurred_at.empty();
        raw.user_id = fields[columns_.user_id];
        raw.has_user_id = true;
        raw.event_type = fields[columns_.event_type];
        raw.has_event_type = true;
        if (columns_.properties && !fields[*columns_.properties].empty()) {
            raw.properties_json = fields[*columns_.properties];
            raw.has_properties = true;
        }

        event::Event event;
        if (auto failure = validator_.validate(raw, now, event)) {
            return fmt::format("{}: {}", failure->field, failure->message);
        }
        // The record's text is gone at the next read: keep what the event points to.
        event.project_id = project_id_;
        event.user_id = chunk.arena.append(event.user_id);
        event.event_type = chunk.arena.append(event.event_type);
        event.properties_json = chunk.arena.append(event.properties_json);
        chunk.events.push_back(event);
        return {};
    }

private:
    const ColumnMap& columns_;
    bool by_key_;
    event::ProjectId project_id_;
    event::Uuid key_namespace_;
    event::Validator validator_;
    std::string key_text_;
};

event::UnixMicros now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Importer::Importer(ImportOptions options) : options_(std::move(options)) {
    if (options_.rejects_path.empty()) {
        options_.rejects_path = default_rejects_path(options_.path);
    }
}

ImportResult Importer::run(const std::atomic<bool>& interrupted) {
    const auto started = Clock::now();
    std::unique_ptr<csv::ByteSource> source;
    try {
        source = csv::open_source(options_.path);
    } catch (const std::exception& error) {
        throw ImportError(error.what());
    }
    csv::CsvReader reader(*source);

    // The header decides the column order; a wrong one stops everything before any row.
    csv::CsvRecord record;
    bool has_header = false;
    try {
        has_header = reader.next(record);
    } catch (const std::runtime_error& error) {
        throw ImportError(error.what());
    }
    if (!has_header) {
        throw ImportError("the input is empty: expected a header line");
    }
    if (!record.error.empty()) {
        throw ImportError(fmt::format("the header line is not valid CSV: {}", record.error));
    }
    std::string header_error;
    const std::optional<ColumnMap> columns = map_columns(record.fields, options_.key_column, header_error);
    if (!columns) {
        throw ImportError(header_error);
    }

    std::optional<storage::PgConnection> record_connection;
    std::optional<storage::ImportRecord> import_record;
    std::optional<ChunkPipeline> pipeline;
    if (!options_.dry_run) {
        try {
            record_connection.emplace(storage::PgConnection::connect(options_.database_url));
            // Like serve: a database without the schema (or an older one) gets it first.
            storage::apply_migrations(*record_connection);
            import_record.emplace(*record_connection, options_.project_id, options_.path);
        } catch (const std::runtime_error& error) {  // DatabaseError, or a newer schema
            throw ImportError(error.what());
        }
        pipeline.emplace(options_.database_url, options_.writers, &*import_record);
    }

    RowConverter converter(*columns, options_);
    RejectsWriter rejects(options_.rejects_path, options_.quiet);
    Progress progress(source->total_bytes(), options_.quiet);
    const event::UnixMicros now = now_micros();

    // In a dry run one chunk is reused and nothing is written.
    Chunk dry_run_chunk;
    std::uint64_t rows_read = 0;
    std::uint64_t valid_rows = 0;
    Chunk* chunk = pipeline ? pipeline->acquire() : &dry_run_chunk;
    bool stopped_early = false;
    std::string read_failure;  // the input broke mid-way (a corrupt .gz, an I/O error)
    try {
        while (chunk != nullptr && reader.next(record)) {
            ++rows_read;
            ++chunk->rows_read;
            std::string reason = record.error.empty()
                                     ? converter.convert(record, now, *chunk)
                                     : fmt::format("malformed CSV: {}", record.error);
            if (!reason.empty()) {
                ++chunk->rejected;
                rejects.reject(record.line, reason, record.raw);
            }

            if (chunk->events.size() >= options_.chunk_rows) {
                valid_rows += chunk->events.size();
                if (pipeline) {
                    pipeline->submit(chunk);
                    chunk = pipeline->acquire();
                } else {
                    chunk->clear();
                }
            }
            if (rows_read % kProgressEveryRows == 0) {
                progress.update(source->bytes_consumed(), rows_read);
                if (interrupted.load()) {
                    stopped_early = true;
                    break;
                }
            }
        }
    } catch (const std::runtime_error& error) {
        // What was read before stays committed; the rest of the file cannot be read.
        read_failure = error.what();
        stopped_early = true;
    }

    // The last, partial chunk is written unless the run was interrupted: then it is
    // the one "in flight" that the next run completes.
    if (chunk != nullptr) {
        valid_rows += chunk->events.size();
        if (pipeline && !stopped_early) {
            pipeline->submit(chunk);
        }
    }
    if (pipeline) {
        pipeline->close();
    }
    progress.finish();
    rejects.close();

    ImportResult result;
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    result.rejects_path = rejects.count() > 0 ? rejects.path() : "";
    if (pipeline) {
        result.counts = pipeline->committed();
        result.import_id = import_record->id();
    } else {
        result.counts = {rows_read, valid_rows, 0, rejects.count()};
    }

    if (pipeline && pipeline->failure()) {
        result.outcome = storage::ImportOutcome::failed;
        result.error = *pipeline->failure();
    } else if (!read_failure.empty()) {
        result.outcome = storage::ImportOutcome::failed;
        result.error = read_failure;
    } else if (stopped_early) {
        result.outcome = storage::ImportOutcome::interrupted;
        result.error = "interrupted; running the same command again completes the import";
    } else {
        result.outcome = rejects.count() > 0 ? storage::ImportOutcome::completed_with_rejects
                                             : storage::ImportOutcome::succeeded;
    }
    if (import_record) {
        try {
            import_record->finish(result.outcome, result.error);
        } catch (const storage::DatabaseError& error) {
            logging::warn("cannot close the imports record", {{"error", error.what()}});
        }
    }
    return result;
}

}  // namespace eventline::importer
