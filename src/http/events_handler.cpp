#include "http/events_handler.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "http/gzip.hpp"
#include "logging/log.hpp"

namespace eventline::http {
namespace {

namespace bhttp = boost::beast::http;

/// SPEC's 200 (and 422) body.
std::string batch_body(std::size_t accepted, std::size_t duplicates,
                       const decode::DecodedBatch& batch) {
    std::string body = fmt::format(R"({{"accepted":{},"duplicates":{},"rejected":{},"errors":[)",
                                   accepted, duplicates, batch.errors.size());
    bool first = true;
    for (const decode::EventError& error : batch.errors) {
        body += first ? "" : ",";
        first = false;
        fmt::format_to(std::back_inserter(body), R"({{"index":{},"event_id":)", error.index);
        if (error.event_id.empty()) {
            body += "null";
        } else {
            logging::append_json_string(body, error.event_id);
        }
        body += R"(,"field":)";
        logging::append_json_string(body, error.field);
        body += R"(,"message":)";
        logging::append_json_string(body, error.message);
        body += "}";
    }
    body += "]}";
    return body;
}

event::UnixMicros now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Makes sure simdjson's padding is allocated after the body, moving it only when the
/// body arrived without a Content-Length (chunked) and so without the reserve.
simdjson::padded_string_view padded(std::string& body) {
    if (body.capacity() - body.size() < simdjson::SIMDJSON_PADDING) {
        body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    }
    return simdjson::padded_string_view(body.data(), body.size(), body.capacity());
}

}  // namespace

EventsHandler::EventsHandler(EventsHandlerOptions options, ingest::WriteQueue& queue,
                             metrics::SourceCounters& counters, AccessControl& access)
    : options_(options),
      queue_(queue),
      counters_(counters),
      access_(access),
      workspaces_(options.max_events, options.limits) {}

void EventsHandler::handle(Request& request, Respond respond) {
    bool strict = false;
    const std::string_view strict_text = request.query_parameter("strict");
    if (strict_text == "true" || strict_text == "1") {
        strict = true;
    } else if (!strict_text.empty() && strict_text != "false" && strict_text != "0") {
        respond(error_response(400, "invalid_parameter", "strict must be true or false"));
        return;
    }

    // The workspace is shared with the write callback: the events point into it.
    std::shared_ptr<IngestWorkspace> workspace(workspaces_.acquire().release(),
                                               [this](IngestWorkspace* released) {
                                                   workspaces_.release(std::unique_ptr<IngestWorkspace>(released));
                                               });

    std::string* body = &request.message.body();
    const auto encoding = request.message[bhttp::field::content_encoding];
    if (encoding == "gzip" || encoding == "x-gzip") {
        const InflateStatus status = inflate_body(*body, options_.max_body_bytes,
                                                  simdjson::SIMDJSON_PADDING, workspace->inflated);
        if (status == InflateStatus::too_large) {
            respond(error_response(413, "payload_too_large",
                                   fmt::format("the decompressed body exceeds {} bytes",
                                               options_.max_body_bytes)));
            return;
        }
        if (status == InflateStatus::corrupt) {
            respond(error_response(400, "invalid_gzip", "the body is not valid gzip data"));
            return;
        }
        body = &workspace->inflated;
    } else if (!encoding.empty() && encoding != "identity") {
        respond(error_response(415, "unsupported_encoding",
                               "Content-Encoding must be gzip or identity"));
        return;
    }

    decode::DecodedBatch& batch = workspace->batch;
    const decode::DecodeResult decoded = workspace->decoder.decode(padded(*body), now_micros(), batch);
    switch (decoded.status) {
        case decode::DecodeStatus::ok:
            break;
        case decode::DecodeStatus::malformed_json:
            respond(error_response(400, "malformed_json", decoded.message));
            return;
        case decode::DecodeStatus::wrong_shape:
            respond(error_response(400, "invalid_batch", decoded.message));
            return;
        case decode::DecodeStatus::too_many_events:
            respond(error_response(413, "too_many_events", decoded.message));
            return;
    }

    // Every event of the batch counts against the key's budget, valid or not: it is the
    // work of decoding them that the budget protects. Refused here, nothing is queued.
    if (std::optional<Response> refusal = access_.charge_events(request.caller, batch.size)) {
        respond(std::move(*refusal));
        return;
    }
    for (event::Event& decoded_event : batch.events) {
        decoded_event.project_id = request.project();
    }

    // Rejections are counted only in answered batches, so that a client retrying after a
    // 503 does not count its bad events twice.
    const std::size_t rejected = batch.errors.size();
    if (strict && rejected > 0) {
        counters_.rejected.Increment(static_cast<double>(rejected));
        Response response;
        response.status = 422;
        response.error_code = "validation_failed";
        response.body = batch_body(0, 0, batch);
        response.counts = IngestCounts{batch.size, 0, 0, rejected};
        respond(std::move(response));
        return;
    }
    if (batch.events.empty()) {
        counters_.rejected.Increment(static_cast<double>(rejected));
        Response response;
        response.body = batch_body(0, 0, batch);
        response.counts = IngestCounts{batch.size, 0, 0, rejected};
        respond(std::move(response));
        return;
    }

    auto on_written = [this, workspace, respond](const ingest::WriteResult& result) {
        const decode::DecodedBatch& written = workspace->batch;
        switch (result.status) {
            case ingest::WriteResult::Status::committed: {
                counters_.ingested.Increment(static_cast<double>(result.accepted));
                counters_.duplicates.Increment(static_cast<double>(result.duplicates));
                counters_.rejected.Increment(static_cast<double>(written.errors.size()));
                Response response;
                response.body = batch_body(result.accepted, result.duplicates, written);
                response.counts = IngestCounts{written.size, result.accepted, result.duplicates,
                                               written.errors.size()};
                respond(std::move(response));
                return;
            }
            case ingest::WriteResult::Status::database_unavailable:
                respond(unavailable_response("database_unavailable",
                                             "the database cannot be reached; nothing was stored",
                                             options_.retry_after_unavailable_seconds));
                return;
            case ingest::WriteResult::Status::failed:
                respond(error_response(500, "storage_error",
                                       "the database refused the batch; nothing was stored"));
                return;
        }
    };

    switch (queue_.submit(batch.events, std::move(on_written))) {
        case ingest::SubmitStatus::queued:
            return;
        case ingest::SubmitStatus::queue_full:
            respond(unavailable_response("overloaded", "too many events are waiting to be written",
                                         options_.retry_after_overloaded_seconds));
            return;
        case ingest::SubmitStatus::database_unavailable:
            respond(unavailable_response("database_unavailable",
                                         "the database cannot be reached; nothing was stored",
                                         options_.retry_after_unavailable_seconds));
            return;
        case ingest::SubmitStatus::stopping:
            respond(unavailable_response("shutting_down", "the server is shutting down",
                                         options_.retry_after_overloaded_seconds));
            return;
    }
}

}  // namespace eventline::http
