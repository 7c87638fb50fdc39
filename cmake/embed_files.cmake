# Script mode helper for eventline_embed_files: writes a C++ file that defines
#   std::span<const EmbeddedFile> NAMESPACE::embedded_files()
# with each file's base name and content, in the order given.
set(body "#include <array>\n#include <span>\n#include <string_view>\n\n")
string(APPEND body "#include \"storage/embedded_file.hpp\"\n\n")
# The using-declaration lets NAMESPACE lie outside eventline::storage.
string(APPEND body "namespace ${NAMESPACE} {\nusing eventline::storage::EmbeddedFile;\n")
string(APPEND body "namespace {\n")
set(entries "")
set(index 0)
foreach(file IN LISTS FILES)
    file(READ "${file}" content)
    get_filename_component(name "${file}" NAME)
    # A raw string literal with a delimiter that none of the embedded files contains.
    string(APPEND body "constexpr std::string_view kFile${index} = R\"embedded(${content})embedded\";\n")
    string(APPEND entries "    EmbeddedFile{\"${name}\", kFile${index}},\n")
    math(EXPR index "${index} + 1")
endforeach()
string(APPEND body "constexpr std::array<EmbeddedFile, ${index}> kFiles{{\n${entries}}};\n")
string(APPEND body "}  // namespace\n\n")
string(APPEND body "std::span<const EmbeddedFile> embedded_files() { return kFiles; }\n\n")
string(APPEND body "}  // namespace ${NAMESPACE}\n")
file(WRITE "${OUTPUT}" "${body}")
