# Every target of ours builds with the same strict warnings on g++ and clang.
add_library(eventline_warnings INTERFACE)
target_compile_options(eventline_warnings INTERFACE
    -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wimplicit-fallthrough)

# g++ 12 at -O2 and above reports -Wrestrict on plain std::string concatenation
# (`"literal" + std::string&&`), a known false positive of that release (GCC bug
# 105329, fixed in 13). Off for g++ 12 only; clang and later g++ keep the check.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(eventline_warnings INTERFACE -Wno-restrict)
endif()
