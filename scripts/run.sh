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
# API key: unless the arguments (or EVENTLINE_AUTH) say --auth off, an API key named
# 'local' is created on the first run against a database and kept in .local/api-keys/
# (mode 0600, one file per database URL), so that later runs reuse it. It is printed
# with an example request each time.
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
readonly LOCAL_KEYS_DIR=.local/api-keys

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

# Whether the server arguments or the environment turn authentication off.
auth_is_off() {
    local previous=""
    for arg in "$@"; do
        if [[ $arg == --auth=off || ($previous == --auth && $arg == off) ]]; then
            return 0
        fi
        previous=$arg
    done
    [[ ${EVENTLINE_AUTH:-on} == off ]]
}

# Prints the local API key for DATABASE_URL: the stored one while the database still
# has it (not revoked), otherwise a new one, stored for the next run. The file holds the
# key in clear, so only its owner may read it; the database holds only its hash.
local_api_key() {
    local file key prefix
    file="$LOCAL_KEYS_DIR/$(printf '%s' "$DATABASE_URL" | sha256sum | cut -c1-16)"
    if [[ -s $file ]]; then
        key=$(<"$file")
        prefix=${key:0:12}
        # A listed prefix whose 'revoked' column is '-' is a key still in force.
        if "$SERVER" keys list --database-url "$DATABASE_URL" |
            awk -v p="$prefix" '$2 == p && $NF == "-" { found = 1 } END { exit !found }'; then
            printf '%s\n' "$key"
            return 0
        fi
        log "the stored local API key is no longer in the database; creating a new one"
    fi
    mkdir -p "$LOCAL_KEYS_DIR"
    chmod 700 "$LOCAL_KEYS_DIR"
    key=$("$SERVER" keys create --database-url "$DATABASE_URL" --name local 2>/dev/null) ||
        die "could not create a local API key"
    (umask 077 && printf '%s\n' "$key" >"$file")
    printf '%s\n' "$key"
}

# Makes sure a key exists for the quick start, and shows how to use it.
announce_api_key() {
    local key
    key=$(local_api_key) || return 1
    log "API key for local use (kept in $LOCAL_KEYS_DIR, mode 0600): $key"
    log "try: curl -s localhost:8080/events -H 'Authorization: Bearer $key' -d" \
        "'[{\"event_id\":\"5f0c3a4e-8a2b-4c1d-9e3f-0a1b2c3d4e5f\",\"occurred_at\":\"2025-01-06T12:00:00Z\",\"user_id\":\"u1\",\"event_type\":\"signup\"}]'"
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
    if ! auth_is_off "$@"; then
        announce_api_key
    fi
    local status=0
    run_server "$@" || status=$?
    exit "$status"
}

main "$@"
