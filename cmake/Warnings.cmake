# Every target of ours builds with the same strict warnings on g++ and clang.
add_library(eventline_warnings INTERFACE)
target_compile_options(eventline_warnings INTERFACE
    -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wimplicit-fallthrough)
