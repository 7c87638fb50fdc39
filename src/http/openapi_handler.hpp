#pragma once

#include "http/router.hpp"

namespace eventline::http {

/// GET /openapi.json: the OpenAPI 3 document of the whole HTTP API (docs/openapi.json,
/// compiled in). tests/e2e/openapi_e2etest.cpp keeps it true to the route table.
class OpenApiHandler : public Handler {
  public:
    void handle(Request& request, Respond respond) override;
};

}  // namespace eventline::http
