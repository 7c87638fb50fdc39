#include "http/request.hpp"

namespace eventline::http {

std::string_view Request::query_parameter(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        const std::size_t end = rest.find('&');
        const std::string_view pair = rest.substr(0, end);
        const std::size_t equals = pair.find('=');
        if (pair.substr(0, equals) == name) {
            return equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
        }
        if (end == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(end + 1);
    }
    return {};
}

void split_target(std::string_view target, std::string_view& path, std::string_view& query) {
    const std::size_t question = target.find('?');
    path = target.substr(0, question);
    query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
}

}  // namespace eventline::http
