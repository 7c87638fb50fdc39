#pragma once

#include "http/router.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace eventline::http {

/// Where the build installed the Swagger UI assets (CMake's swagger-ui step); the
/// default of `serve --docs-dir`.
[[nodiscard]] std::string default_docs_directory();

/// The Swagger UI distribution on disk (swagger-ui-dist from npm). The assets are not
/// compiled in: they are a megabyte and a half of someone else's JavaScript, and a
/// deployment may well leave them out; the API works the same without them.
class SwaggerUiAssets {
  public:
    /// An empty `directory` means default_docs_directory().
    explicit SwaggerUiAssets(std::filesystem::path directory);

    /// The bundle the page needs is there. Checked at each request, so that assets
    /// installed after start-up are picked up.
    [[nodiscard]] bool available() const;

    /// A file of the distribution and its content type; nullopt for a name that is not
    /// one plain file name with a known extension, or a file that does not exist.
    struct Asset {
        std::string content;
        std::string_view content_type;
    };
    [[nodiscard]] std::optional<Asset> read(std::string_view name) const;

    [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }

  private:
    std::filesystem::path directory_;
};

/// GET /docs: the Swagger UI page (compiled in), pointed at /openapi.json.
class DocsPageHandler : public Handler {
  public:
    explicit DocsPageHandler(const SwaggerUiAssets& assets) : assets_(assets) {}
    void handle(Request& request, Respond respond) override;

  private:
    const SwaggerUiAssets& assets_;
};

/// GET /docs/{asset}: one file of the Swagger UI distribution.
class DocsAssetHandler : public Handler {
  public:
    static constexpr std::string_view kPrefix = "/docs/";

    explicit DocsAssetHandler(const SwaggerUiAssets& assets) : assets_(assets) {}
    void handle(Request& request, Respond respond) override;

  private:
    const SwaggerUiAssets& assets_;
};

}  // namespace eventline::http
