#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eventline::storage {

/// Builds the text form of a one-dimensional PostgreSQL array (`{1,2,3}`,
/// `{"a","b"}`), to pass many rows as a single parameter and `unnest` it on the server.
/// Text elements are always quoted, with `"` and `\` escaped, so that no value (an empty
/// string, `NULL`, a comma) can change the array's shape.
class PgArrayBuilder {
public:
    void clear() {
        // clear + push_back rather than assign("{"): g++ 12 at -O2 warns falsely about
        // assign (-Wrestrict, GCC bug 105329), and warnings are errors here.
        text_.clear();
        text_.push_back('{');
        empty_ = true;
    }

    void add(std::int64_t value);
    void add_text(std::string_view value);
    /// An element that needs no quoting, such as a bit string in hex (`x0f3c…`).
    void add_raw(std::string_view value);

    /// The literal, closed; valid until the next change.
    [[nodiscard]] const char* finish();

private:
    void separate();

    std::string text_ = "{";
    bool empty_ = true;
};

}  // namespace eventline::storage
