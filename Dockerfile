# syntax=docker/dockerfile:1
# eventline in a small Debian 12 image: built in one stage, run from another that holds
# only the binary, the shared libraries it links and the Swagger UI assets.
#
#   docker build -t eventline .            (or: docker compose up, see docker-compose.yml)
#   docker run -e DATABASE_URL=postgresql://... -p 127.0.0.1:8080:8080 eventline
#
# The build uses -march=x86-64-v3 (AVX2, see cmake/CpuFlags.cmake) unless told
# otherwise: --build-arg EVENTLINE_CPU_FLAGS= builds for any x86-64.

# --- build: the compilers and -dev packages of deps/debian-packages.txt -------------
FROM debian:12 AS build
ARG EVENTLINE_CPU_FLAGS="-march=x86-64-v3;-mpclmul"
WORKDIR /src
# The package list and its installer first, so that this layer stays cached until the
# list changes. Only the sections needed to compile: no test servers, no browser.
COPY deps/debian-packages.txt deps/
COPY scripts/lib.sh scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build libraries && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DEVENTLINE_TESTS=OFF -DEVENTLINE_BENCH=OFF -DEVENTLINE_SWAGGER_UI=OFF \
        "-DEVENTLINE_CPU_FLAGS=${EVENTLINE_CPU_FLAGS}" \
    && cmake --build build/release --target eventline \
    && mkdir -p /out \
    && cp build/release/eventline /out/ \
    && strip /out/eventline \
    && deploy/runtime-packages.sh /out/eventline > /out/runtime-packages.txt

# --- swagger-ui: the same pinned swagger-ui-dist that CMake installs ----------------
FROM node:20-bookworm-slim AS swagger-ui
WORKDIR /ui
COPY docs/swagger-ui/package.json docs/swagger-ui/package-lock.json ./
# --ignore-scripts: a dependency would otherwise report the install from postinstall.
RUN npm ci --ignore-scripts --no-audit --no-fund

# --- runtime ----------------------------------------------------------------------
FROM debian:12-slim
COPY --from=build /out/runtime-packages.txt /tmp/
RUN apt-get update \
    && xargs -a /tmp/runtime-packages.txt \
        apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin eventline
COPY --from=build /out/eventline /usr/local/bin/eventline
COPY --from=swagger-ui /ui/node_modules/swagger-ui-dist /usr/share/eventline/swagger-ui

ENV EVENTLINE_LISTEN=0.0.0.0:8080 \
    EVENTLINE_DOCS_DIR=/usr/share/eventline/swagger-ui
USER eventline
EXPOSE 8080
# Liveness only (/healthz): a database outage shows in /readyz and must not get the
# container restarted. No curl in the image: bash's /dev/tcp speaks enough HTTP.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${EVENTLINE_LISTEN##*:} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["eventline"]
CMD ["serve"]
