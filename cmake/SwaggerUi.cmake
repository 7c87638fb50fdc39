# Swagger UI for GET /docs: the swagger-ui-dist package from npm, pinned by
# docs/swagger-ui/package-lock.json, installed into the build tree (never committed) and
# copied to ${EVENTLINE_SWAGGER_UI_DIR}, the directory the binary serves by default.
#
# -DEVENTLINE_SWAGGER_UI=OFF builds without it (the Dockerfile installs the assets in a
# stage of its own); /docs then answers 503 until --docs-dir names a directory that
# holds them.
option(EVENTLINE_SWAGGER_UI "Install the Swagger UI assets with npm into the build tree" ON)
set(EVENTLINE_SWAGGER_UI_DIR "${CMAKE_BINARY_DIR}/swagger-ui")

if(EVENTLINE_SWAGGER_UI)
    find_program(EVENTLINE_NPM npm)
    if(NOT EVENTLINE_NPM)
        message(FATAL_ERROR "npm not found: it installs the Swagger UI assets for /docs; "
                            "install Node.js and npm, or configure with -DEVENTLINE_SWAGGER_UI=OFF")
    endif()
    set(npm_dir "${CMAKE_BINARY_DIR}/npm/swagger-ui")
    set(lock "${PROJECT_SOURCE_DIR}/docs/swagger-ui/package-lock.json")
    set(stamp "${EVENTLINE_SWAGGER_UI_DIR}/.installed")
    # --ignore-scripts: swagger-ui-dist's dependency @scarf/scarf would otherwise report
    # the install to its vendor from a postinstall script.
    add_custom_command(
        OUTPUT "${stamp}"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${npm_dir}"
        COMMAND ${CMAKE_COMMAND} -E copy "${PROJECT_SOURCE_DIR}/docs/swagger-ui/package.json"
                "${lock}" "${npm_dir}"
        COMMAND ${CMAKE_COMMAND} -E env SCARF_ANALYTICS=false
                ${EVENTLINE_NPM} ci --prefix "${npm_dir}" --ignore-scripts --no-audit --no-fund
                --loglevel=error
        COMMAND ${CMAKE_COMMAND} -E rm -rf "${EVENTLINE_SWAGGER_UI_DIR}"
        COMMAND ${CMAKE_COMMAND} -E copy_directory
                "${npm_dir}/node_modules/swagger-ui-dist" "${EVENTLINE_SWAGGER_UI_DIR}"
        COMMAND ${CMAKE_COMMAND} -E touch "${stamp}"
        DEPENDS "${PROJECT_SOURCE_DIR}/docs/swagger-ui/package.json" "${lock}"
        COMMENT "Installing Swagger UI (swagger-ui-dist) with npm"
        VERBATIM)
    add_custom_target(eventline_swagger_ui ALL DEPENDS "${stamp}")
endif()
