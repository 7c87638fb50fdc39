#!/usr/bin/env bash
# Runs an eventline subcommand (import, imports, migrate, ...) against the database
# scripts/run.sh uses: DATABASE_URL when set; otherwise the project's own cluster in
# .local/postgres (port 54329 or $EVENTLINE_PG_PORT), started for the command when it
# is not already running (a running scripts/run.sh keeps it up) and stopped afterwards
# only if this script started it. Builds the Release binary first, like run.sh.
#
# Usage: scripts/eventline.sh SUBCOMMAND [ARGS...]
#   scripts/eventline.sh import events.csv.gz
#   scripts/eventline.sh imports
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BUILD_DIR=build/release
readonly BINARY="$BUILD_DIR/eventline"
readonly LOCAL_PG_DIR=.local/postgres
readonly LOCAL_PG_PORT=${EVENTLINE_PG_PORT:-54329}

started_pg=0

# shellcheck disable=SC2317  # it is the EXIT trap
on_exit() {
    local status=$?
    trap - EXIT
    if ((started_pg)); then
        "$EVENTLINE_SCRIPTS/postgres-local.sh" stop "$LOCAL_PG_DIR" ||
            log "warning: could not stop the PostgreSQL cluster in $LOCAL_PG_DIR"
    fi
    exit "$status"
}

main() {
    (($# > 0)) || die "usage: scripts/eventline.sh SUBCOMMAND [ARGS...]"
    cd "$EVENTLINE_ROOT"
    trap on_exit EXIT

    "$EVENTLINE_SCRIPTS/install-deps.sh"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DEVENTLINE_TESTS=OFF -DEVENTLINE_BENCH=OFF >/dev/null
    cmake --build "$BUILD_DIR" >/dev/null

    if [[ -z ${DATABASE_URL:-} ]]; then
        port_in_use "$LOCAL_PG_PORT" || started_pg=1
        DATABASE_URL=$("$EVENTLINE_SCRIPTS/postgres-local.sh" start "$LOCAL_PG_DIR" \
            "$LOCAL_PG_PORT" dev)
        export DATABASE_URL
        # Imports go into the schema the service uses; a fresh cluster has none yet.
        "$BINARY" migrate --log-level warn
    fi
    local status=0
    "$BINARY" "$@" || status=$?
    exit "$status"
}

main "$@"
