#!/usr/bin/env bash
# Reproduces the CSV import benchmarks in one command: `eventline import` against
# `psql \copy` of the same file into the same schema and against pgloader, in the same
# run on the same machine, at 1,000,000 and 10,000,000 rows; then a re-import of the
# 1,000,000 rows (all duplicates). Writes a markdown report.
#
# Usage: bench/import.sh [--quick] [--skip-build] [--no-pgloader-10m] [--out FILE]
#   --quick        100,000 and 1,000,000 rows instead of 1M and 10M
#   --skip-build   use the binary already in build/release
#   --out FILE     the report (default bench/results/import.md; --quick:
#                  build/bench/import-quick.md)
# pgloader runs at the smaller size only: at ~12k rows/s it would take a quarter of an
# hour at 10M, and its ratio does not change with size.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ROOT=$EVENTLINE_ROOT
readonly WORK=$ROOT/build/bench
readonly DATA=$WORK/data
readonly RAW=$WORK/raw
readonly PG_DIR=$WORK/pg
readonly PG_PORT=${EVENTLINE_BENCH_PG_PORT:-55432}
readonly BIN=$ROOT/build/release/eventline
readonly GEN=${EVENTLINE_GEN_EVENTS:-$ROOT/../shared/tools/gen-events}

quick=0
skip_build=0
small=0
seconds=0
rss=0
rate=0
out=""
cluster_started=0
admin_url=""
report_rows=()

cleanup() {
    local status=$?
    if ((cluster_started)); then
        "$ROOT/scripts/postgres-local.sh" stop "$PG_DIR" || true
    fi
    exit "$status"
}

# Runs a command under GNU time; sets $seconds and $rss (peak RSS, KiB).
timed() {
    local log=$1
    shift
    /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>&1 ||
        die "failed: $* (see $log)"
    read -r seconds rss <"$log.time"
}

stored() { psql_at "$(db_url "$1")" "SELECT count(*) FROM events"; }

# Adds a report row for the last timed run; sets $rate.
record() {
    local what=$1 rows=$2 baseline_rate=${3:-} ratio=""
    rate=$(calc "$rows / $seconds")
    [[ -n $baseline_rate ]] && ratio=$(calc "$rate / $baseline_rate")
    report_rows+=("| $what | $rows | $seconds | ${rate%.*} | ${ratio} | $((rss / 1024)) |")
    log "$what: ${rate%.*} rows/s${ratio:+, ${ratio}x psql \\copy}, peak RSS $((rss / 1024)) MiB"
}

run_size() {
    local rows=$1 with_pgloader=$2 file copy_rate
    file=$(generate_csv "$rows")

    baseline_database copy_$rows
    timed "$RAW/copy-$rows.log" psql -X -q -v ON_ERROR_STOP=1 "$(db_url copy_$rows)" -c \
        "\\copy events (event_id, occurred_at, user_id, event_type, properties) FROM '$file' WITH (FORMAT csv, HEADER true)"
    record "psql \\copy (text, 1 stream)" "$(stored copy_$rows)"
    copy_rate=$rate

    fresh_database import_$rows
    timed "$RAW/import-$rows.log" "$BIN" import "$file" --database-url "$(db_url import_$rows)" \
        --quiet
    record "eventline import" "$rows" "$copy_rate"
    [[ $(stored import_$rows) == $(stored copy_$rows) ]] ||
        die "eventline import stored $(stored import_$rows) rows, psql $(stored copy_$rows)"

    if ((with_pgloader)); then
        baseline_database pgloader_$rows
        cat >"$RAW/pgloader-$rows.load" <<LOAD
LOAD CSV FROM '$file' (event_id, occurred_at, user_id, event_type, properties)
INTO $(db_url pgloader_$rows)?events (event_id, occurred_at, user_id, event_type, properties)
WITH skip header = 1, fields optionally enclosed by '"', fields escaped by double-quote,
     fields terminated by ',';
LOAD
        timed "$RAW/pgloader-$rows.log" pgloader "$RAW/pgloader-$rows.load"
        record "pgloader" "$(stored pgloader_$rows)" "$copy_rate"
    fi

    if ((rows == small)); then
        timed "$RAW/reimport-$rows.log" "$BIN" import "$file" \
            --database-url "$(db_url import_$rows)" --quiet
        record "eventline import again (all duplicates)" "$rows" "$copy_rate"
    fi
}

main() {
    while (($# > 0)); do
        case $1 in
            --quick) quick=1 ;;
            --skip-build) skip_build=1 ;;
            --out) out=$2; shift ;;
            *) die "unknown option $1 (see the header of bench/import.sh)" ;;
        esac
        shift
    done
    small=1000000 large=10000000
    if ((quick)); then
        small=100000 large=1000000
    fi
    out=${out:-$([[ $quick == 1 ]] && echo "$WORK/import-quick.md" || echo "$ROOT/bench/results/import.md")}

    cd "$ROOT"
    mkdir -p "$DATA" "$RAW" "$(dirname "$out")"
    trap cleanup EXIT
    if ((!skip_build)); then
        cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DEVENTLINE_TESTS=OFF >&2
        cmake --build build/release >&2
    fi
    [[ -f $PG_DIR/postmaster.pid ]] || cluster_started=1
    admin_url=$("$ROOT/scripts/postgres-local.sh" start "$PG_DIR" "$PG_PORT" bench)

    run_size "$small" 1
    run_size "$large" 0

    {
        printf '# CSV import benchmark\n\n'
        printf 'Measured %s on %s cores (%s), commit %s, by `bench/import.sh%s`.\n' \
            "$(date -u +%Y-%m-%d)" "$(nproc)" "$(uname -m)" \
            "$(git -C "$ROOT" describe --always --dirty)" "$( ((quick)) && echo ' --quick')"
        printf 'Events from gen-events (100k users, 90 days), into the full schema (primary key,\n'
        printf 'BRIN, GIN), PostgreSQL 15 with fsync on. Ratios are to `psql \\copy` of the same\n'
        printf 'file at the same size, measured in the same run.\n\n'
        printf '| loader | rows | seconds | rows/s | ratio to psql \\copy | peak RSS MiB |\n'
        printf '|---|---:|---:|---:|---:|---:|\n'
        printf '%s\n' "${report_rows[@]}"
    } >"$out"
    log "report written to $out"
    cat "$out"
}

main "$@"
