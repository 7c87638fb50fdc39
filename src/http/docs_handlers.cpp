#include "http/docs_handlers.hpp"

#include "http/embedded_documents.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <utility>

namespace eventline::http {
namespace {

// The file that the page cannot work without: its presence says the assets are there.
constexpr std::string_view kBundle = "swagger-ui-bundle.js";

// Only what the distribution ships and a browser asks for; anything else is 404, so the
// handler can never serve a file that merely happens to lie in the directory.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kContentTypes{{
    {".js", "application/javascript"},
    {".css", "text/css"},
    {".png", "image/png"},
    {".map", "application/json"},
    {".html", "text/html; charset=utf-8"},
}};

std::string_view content_type_of(std::string_view name) {
    for (const auto& [extension, type] : kContentTypes) {
        if (name.ends_with(extension)) {
            return type;
        }
    }
    return {};
}

// One file name: letters, digits, '.', '-', '_', and not starting with '.', so neither
// "..", nor a hidden file, nor anything with a '/' or a %-escape gets through.
bool is_plain_file_name(std::string_view name) {
    if (name.empty() || name.front() == '.' || name.size() > 128) {
        return false;
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}

Response docs_unavailable(const SwaggerUiAssets& assets) {
    return error_response(503, "docs_unavailable",
                          "the Swagger UI assets are not installed in " +
                              assets.directory().string() +
                              " (build the swagger-ui target, or point --docs-dir at them)");
}

}  // namespace

std::string default_docs_directory() {
    return EVENTLINE_DEFAULT_DOCS_DIR;
}

SwaggerUiAssets::SwaggerUiAssets(std::filesystem::path directory)
    : directory_(directory.empty() ? std::filesystem::path(default_docs_directory())
                                   : std::move(directory)) {}

bool SwaggerUiAssets::available() const {
    std::error_code error;
    return std::filesystem::is_regular_file(directory_ / kBundle, error);
}

std::optional<SwaggerUiAssets::Asset> SwaggerUiAssets::read(std::string_view name) const {
    const std::string_view type = content_type_of(name);
    if (!is_plain_file_name(name) || type.empty()) {
        return std::nullopt;
    }
    std::ifstream file(directory_ / std::filesystem::path(name), std::ios::binary);
    if (!file) {
        return std::nullopt;
    }
    std::ostringstream content;
    content << file.rdbuf();
    return Asset{std::move(content).str(), type};
}

void DocsPageHandler::handle(Request&, Respond respond) {
    if (!assets_.available()) {
        respond(docs_unavailable(assets_));
        return;
    }
    Response response;
    response.content_type = "text/html; charset=utf-8";
    response.body = std::string(embedded_document("page.html"));
    respond(std::move(response));
}

void DocsAssetHandler::handle(Request& request, Respond respond) {
    if (!assets_.available()) {
        respond(docs_unavailable(assets_));
        return;
    }
    std::optional<SwaggerUiAssets::Asset> asset = assets_.read(request.path.substr(kPrefix.size()));
    if (!asset) {
        respond(error_response(404, "not_found", "no such documentation asset"));
        return;
    }
    Response response;
    response.content_type = asset->content_type;
    response.body = std::move(asset->content);
    // The file names carry no version, so a browser may keep them only for a while.
    response.headers.emplace_back("Cache-Control", "public, max-age=3600");
    respond(std::move(response));
}

}  // namespace eventline::http
