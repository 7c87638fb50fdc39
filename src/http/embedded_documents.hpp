#pragma once

#include "storage/embedded_file.hpp"

#include <span>
#include <string_view>

namespace eventline::http {

namespace documents {
/// docs/openapi.json and docs/swagger-ui/page.html, compiled in (cmake/EmbedFiles.cmake)
/// so that the binary describes itself without files beside it.
std::span<const storage::EmbeddedFile> embedded_files();
}  // namespace documents

/// The content of the embedded document of that base name. Throws std::logic_error for
/// a name that was not embedded: a build mistake, not a run-time condition.
[[nodiscard]] std::string_view embedded_document(std::string_view name);

}  // namespace eventline::http
