# embed_text_files(TARGET NAMESPACE FILES...) compiles text files into the binary as
# std::string_view constants, so the service carries its own migrations and needs no
# files beside it at run time.
function(eventline_embed_files target namespace)
    set(generated "${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cpp")
    set(script "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake")
    add_custom_command(
        OUTPUT "${generated}"
        COMMAND ${CMAKE_COMMAND} -DOUTPUT=${generated} -DNAMESPACE=${namespace}
                "-DFILES=${ARGN}" -P "${script}"
        DEPENDS ${ARGN} "${script}"
        COMMENT "Embedding ${target} files"
        VERBATIM)
    target_sources(${target} PRIVATE "${generated}")
endfunction()
