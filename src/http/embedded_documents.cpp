#include "http/embedded_documents.hpp"

#include <stdexcept>
#include <string>

namespace eventline::http {

std::string_view embedded_document(std::string_view name) {
    for (const storage::EmbeddedFile& file : documents::embedded_files()) {
        if (file.name == name) {
            return file.content;
        }
    }
    throw std::logic_error("no embedded document named " + std::string(name));
}

}  // namespace eventline::http
