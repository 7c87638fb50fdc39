#!/usr/bin/env bash
# Builds eventline in Release mode and runs the server in the foreground.
#
# Usage: scripts/run.sh [extra arguments for 'eventline serve']
#
# The server listens where the binary defaults to (127.0.0.1:8080) unless the extra
# arguments say otherwise. Database:
#   - DATABASE_URL set: used as is; this script never touches that database.
#   - DATABASE_URL unset: the project's own cluster in .local/postgres is started (dev
#     profile, port 54329 or $EVENTLINE_PG_PORT) and stopped again when the server exits.
#
# Stop it with Ctrl-C: the terminal delivers SIGINT to the whole foreground process group,
# so the server gets it directly and shuts down by itself; this script then stops the
# local cluster and exits with the server's status. Signals sent to this script's PID
# alone are not forwarded: signal the process group (kill -INT -- -PGID) instead.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BUILD_DIR=build/release
readonly SERVER="$BUILD_DIR/eventline"
readonly LOCAL_PG_DIR=.local/postgres
readonly LOCAL_PG_PORT=${EVENTLINE_PG_PORT:-54329}

# Set once this script is responsible for the local cluster, so that exit stops it.
managed_pg_dir=""

build_release() {
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DEVENTLINE_TESTS=OFF -DEVENTLINE_BENCH=OFF
    cmake --build "$BUILD_DIR"
    [[ -x $SERVER ]] || die "the build finished but $SERVER is missing"
}

start_local_database() {
    local url
    # Claim the cluster before starting it: a start that fails half-way (server up,
    # database creation failed) must still be stopped on exit.
    managed_pg_dir=$LOCAL_PG_DIR
    url=$("$EVENTLINE_SCRIPTS/postgres-local.sh" start "$LOCAL_PG_DIR" "$LOCAL_PG_PORT" dev)
    export DATABASE_URL=$url
    log "using the local PostgreSQL cluster: $DATABASE_URL"
}

# shellcheck disable=SC2317  # only reached through the EXIT trap
stop_local_database() {
    if [[ -n $managed_pg_dir ]]; then
        "$EVENTLINE_SCRIPTS/postgres-local.sh" stop "$managed_pg_dir" ||
            log "warning: could not stop the PostgreSQL cluster in $managed_pg_dir"
    fi
}

# EXIT trap: whatever ends the script (server exit, failed step, signal), the cluster
# it manages is stopped and the original exit status is kept.
# shellcheck disable=SC2317  # it is the EXIT trap
on_exit() {
    local status=$?
    trap - EXIT
    stop_local_database
    exit "$status"
}

# Runs the server in the foreground and returns its exit status.
run_server() {
    local status=0 signal=""
    # While the server runs, INT/TERM/HUP must not kill this script: the server got the
    # same signal from the process group and is shutting down. Bash runs these handlers
    # only once the server has exited. (A non-empty handler, unlike trap '', leaves the
    # server's own signal dispositions at their defaults.)
    trap 'signal=INT' INT
    trap 'signal=TERM' TERM
    trap 'signal=HUP' HUP
    "$SERVER" serve "$@" || status=$?
    if [[ -n $signal ]]; then
        log "server exited with status $status after SIG$signal"
    fi
    return "$status"
}

main() {
    cd "$EVENTLINE_ROOT"
    trap on_exit EXIT
    # Until the server runs, a signal simply ends the script (the EXIT trap cleans up).
    trap 'exit 130' INT
    trap 'exit 143' TERM

    "$EVENTLINE_SCRIPTS/install-deps.sh"
    build_release
    if [[ -z ${DATABASE_URL:-} ]]; then
        start_local_database
    fi
    local status=0
    run_server "$@" || status=$?
    exit "$status"
}

main "$@"
