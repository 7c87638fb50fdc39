# The test build is the sanitizer build: any report fails the test that caused it.
if(EVENTLINE_SANITIZE)
    set(_eventline_sanitize_flags
        -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    add_compile_options(${_eventline_sanitize_flags})
    add_link_options(${_eventline_sanitize_flags})
endif()
