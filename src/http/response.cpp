#include "http/response.hpp"

#include "logging/log.hpp"

namespace eventline::http {

Response error_response(unsigned status, std::string_view code, std::string_view message) {
    Response response;
    response.status = status;
    response.error_code = code;
    response.body = R"({"error":{"code":)";
    logging::append_json_string(response.body, code);
    response.body += R"(,"message":)";
    logging::append_json_string(response.body, message);
    response.body += "}}";
    return response;
}

Response unavailable_response(std::string_view code, std::string_view message,
                              int retry_after_seconds) {
    Response response = error_response(503, code, message);
    response.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
    return response;
}

}  // namespace eventline::http
