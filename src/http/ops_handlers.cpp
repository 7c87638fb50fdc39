#include "http/ops_handlers.hpp"

namespace eventline::http {

void HealthHandler::handle(Request&, Respond respond) {
    Response response;
    response.body = R"({"status":"ok"})";
    respond(std::move(response));
}

void ReadinessHandler::handle(Request&, Respond respond) {
    if (!database_available_()) {
        respond(unavailable_response("database_unavailable", "the database cannot be reached", 5));
        return;
    }
    Response response;
    response.body = R"({"status":"ready"})";
    respond(std::move(response));
}

void MetricsHandler::handle(Request&, Respond respond) {
    Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics_.serialize();
    respond(std::move(response));
}

}  // namespace eventline::http
