#include "storage/pg_array.hpp"

#include <fmt/format.h>

namespace eventline::storage {

void PgArrayBuilder::separate() {
    if (!empty_) {
        text_ += ',';
    }
    empty_ = false;
}

void PgArrayBuilder::add(std::int64_t value) {
    separate();
    fmt::format_to(std::back_inserter(text_), "{}", value);
}

void PgArrayBuilder::add_text(std::string_view value) {
    separate();
    text_ += '"';
    for (const char c : value) {
        if (c == '"' || c == '\\') {
            text_ += '\\';
        }
        text_ += c;
    }
    text_ += '"';
}

void PgArrayBuilder::add_raw(std::string_view value) {
    separate();
    text_ += value;
}

const char* PgArrayBuilder::finish() {
    text_ += '}';
    return text_.c_str();
}

}  // namespace eventline::storage
