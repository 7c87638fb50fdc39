#include "http/openapi_handler.hpp"

#include "http/embedded_documents.hpp"

#include <string>

namespace eventline::http {

void OpenApiHandler::handle(Request&, Respond respond) {
    Response response;
    response.body = std::string(embedded_document("openapi.json"));
    respond(std::move(response));
}

}  // namespace eventline::http
