#!/usr/bin/env bash
# Builds and runs every test: the sanitizer build (unit, PostgreSQL and end-to-end tests
# against a throwaway cluster) and the libFuzzer build.
#
# Usage: scripts/test.sh
#   EVENTLINE_SKIP_FUZZ=1   skip the fuzz build and its tests
#
# A failed step does not stop the steps that do not depend on it, so one run reports
# everything that is broken; the exit status is non-zero if any step failed. ctest's
# own output, summary line included, passes through unchanged.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ASAN_DIR=build/asan
readonly FUZZ_DIR=build/fuzz
readonly FUZZ_CXX=clang++-14
# The throwaway cluster gets a free port from this range.
readonly PORT_MIN=55000
readonly PORT_MAX=59999
# Sanitizer reports must fail the test that triggers them, with a stack trace.
readonly TEST_ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
readonly TEST_UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

pg_tmp_dir=""      # the throwaway cluster's directory, once created
passed_steps=()
failed_steps=()

# Runs one named step and records the outcome. Note: bash ignores 'set -e' inside
# anything called from a condition, so step functions chain their commands with '&&'
# or '|| return' to stop at the first failure.
run_step() {
    local name=$1
    shift
    log "==> $name"
    if "$@"; then
        passed_steps+=("$name")
        return 0
    fi
    failed_steps+=("$name")
    log "FAILED: $name"
    return 1
}

build_asan() {
    cmake -S . -B "$ASAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DEVENTLINE_SANITIZE=ON &&
        cmake --build "$ASAN_DIR"
}

build_fuzz() {
    CXX=$FUZZ_CXX cmake -S . -B "$FUZZ_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DEVENTLINE_FUZZ=ON &&
        cmake --build "$FUZZ_DIR"
}

# Runs ctest in a build directory with the sanitizer options. A build that registers
# no tests at all is a mistake, not a success: --no-tests=error makes it fail.
run_ctest() {
    local build_dir=$1
    shift
    ASAN_OPTIONS=$TEST_ASAN_OPTIONS UBSAN_OPTIONS=$TEST_UBSAN_OPTIONS \
        ctest --test-dir "$build_dir" --output-on-failure --no-tests=error "$@"
}

# Prints a port from PORT_MIN..PORT_MAX that nothing listens on. Random picks keep two
# concurrent runs on one machine from racing for the same port.
pick_free_port() {
    local attempt port
    for (( attempt = 0; attempt < 100; attempt++ )); do
        port=$(( PORT_MIN + RANDOM % (PORT_MAX - PORT_MIN + 1) ))
        if ! port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    log "no free port found in $PORT_MIN-$PORT_MAX"
    return 1
}

# Starts a fresh cluster (test profile: no fsync) that cleanup deletes, and points the
# tests at it through DATABASE_URL.
start_test_database() {
    local port url
    pg_tmp_dir=$(mktemp -d -t eventline-test-pg.XXXXXX) || return
    port=$(pick_free_port) || return
    url=$("$EVENTLINE_SCRIPTS/postgres-local.sh" start "$pg_tmp_dir" "$port" test) ||
        return
    export DATABASE_URL=$url
    log "test database: $DATABASE_URL"
}

run_asan_steps() {
    run_step "asan build" build_asan || return 0
    run_step "test database" start_test_database || return 0
    run_step "asan tests" run_ctest "$ASAN_DIR" -j2 || true
}

run_fuzz_steps() {
    if [[ ${EVENTLINE_SKIP_FUZZ:-} == 1 ]]; then
        log "skipping the fuzz build and fuzz tests (EVENTLINE_SKIP_FUZZ=1)"
        return 0
    fi
    run_step "fuzz build" build_fuzz || return 0
    run_step "fuzz tests" run_ctest "$FUZZ_DIR" || true
}

# Prints the arguments joined by ", ", or "none".
join_names() {
    local IFS=','
    local joined="$*"
    printf '%s' "${joined//,/, }"
    (( $# > 0 )) || printf 'none'
}

# Prints the verdict line; the status is the script's exit status.
report() {
    local status=$1
    if (( ${#failed_steps[@]} > 0 )); then
        log "TESTS FAILED: $(join_names "${failed_steps[@]}")" \
            "(passed: $(join_names "${passed_steps[@]}"))"
    elif (( status != 0 )); then
        log "TESTS FAILED: aborted with status $status" \
            "(passed: $(join_names "${passed_steps[@]}"))"
    else
        log "ALL TESTS PASSED: $(join_names "${passed_steps[@]}")"
    fi
}

# EXIT trap: always stop and delete the throwaway cluster, then print the verdict, so
# that it is the very last line of the run. The exit status is kept.
cleanup() {
    local status=$?
    trap - EXIT
    if [[ -n $pg_tmp_dir ]]; then
        "$EVENTLINE_SCRIPTS/postgres-local.sh" stop "$pg_tmp_dir" ||
            log "warning: could not stop the test cluster in $pg_tmp_dir"
        rm -rf -- "$pg_tmp_dir"
    fi
    report "$status"
    exit "$status"
}

main() {
    cd "$EVENTLINE_ROOT"
    trap cleanup EXIT
    # A signal ends the run; the EXIT trap still removes the throwaway cluster.
    trap 'exit 130' INT
    trap 'exit 143' TERM

    "$EVENTLINE_SCRIPTS/install-deps.sh"
    run_asan_steps
    run_fuzz_steps
    # The exit status: non-zero when any step failed (cleanup prints the verdict).
    (( ${#failed_steps[@]} == 0 ))
}

main "$@"
