#pragma once

#include <span>
#include <string_view>

namespace eventline::storage {

/// A text file compiled into the binary (see cmake/EmbedFiles.cmake).
struct EmbeddedFile {
    std::string_view name;
    std::string_view content;
};

namespace migrations {
/// The SQL migrations in src/storage/migrations, ordered by file name.
std::span<const EmbeddedFile> embedded_files();
}  // namespace migrations

}  // namespace eventline::storage
