#!/usr/bin/env bash
# Reproduces the analytics benchmark in one command: loads 10,000,000 events from
# gen-events (100,000 users over 90 days) with `eventline import`, then times each
# report through HTTP (p50/p99 over repeated requests), next to the same question
# asked in plain SQL over the events table in the same run. It also measures what the
# rollups cost ingestion: `eventline import` against `psql \copy` of the same 1,000,000
# rows into the same schema (the ratio was 2.08x before the rollups existed).
#
# Usage: bench/analytics.sh [--rows N] [--repeat N] [--skip-build] [--out FILE]
#   --rows N      events to load (default 10000000)
#   --repeat N    timed requests per report (default 50)
#   --skip-build  use the binary already in build/release
#   --out FILE    the report (default bench/results/analytics.md)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ROOT=$EVENTLINE_ROOT
readonly WORK=$ROOT/build/bench
readonly DATA=$WORK/data
readonly PG_DIR=$WORK/pg-analytics
readonly PG_PORT=${EVENTLINE_BENCH_PG_PORT:-55434}
readonly HTTP_PORT=${EVENTLINE_BENCH_HTTP_PORT:-18090}
readonly BIN=$ROOT/build/release/eventline
readonly GEN=${EVENTLINE_GEN_EVENTS:-$ROOT/../shared/tools/gen-events}

rows=10000000
repeat=50
skip_build=0
out=$ROOT/bench/results/analytics.md
cluster_started=0
server_pid=""
admin_url=""

cleanup() {
    local status=$?
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    fi
    if ((cluster_started)); then
        "$ROOT/scripts/postgres-local.sh" stop "$PG_DIR" || true
    fi
    exit "$status"
}

# Prints the seconds a command took.
seconds_of() {
    local started ended
    started=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || die "failed: $*"
    ended=$(date +%s.%N)
    calc "$ended - $started"
}

# The write cost of the rollups: import against \copy of the same file, same schema.
measure_write_cost() {
    local file copy_s import_s copy_rate import_rate
    file=$(generate_csv 1000000)
    baseline_database bench_copy
    copy_s=$(seconds_of psql -X -q -v ON_ERROR_STOP=1 "$(db_url bench_copy)" -c \
        "\\copy events (event_id, occurred_at, user_id, event_type, properties) FROM '$file' CSV HEADER")
    fresh_database bench_import
    import_s=$(seconds_of "$BIN" import "$file" --database-url "$(db_url bench_import)" --quiet)
    copy_rate=$(calc "1000000 / $copy_s")
    import_rate=$(calc "1000000 / $import_s")
    write_rows+=("| psql \\copy (text, no rollups) | 1000000 | $copy_s | ${copy_rate%.*} | 1.00 |")
    write_rows+=("| eventline import (with rollups) | 1000000 | $import_s | ${import_rate%.*} | $(
        calc "$import_rate / $copy_rate") |")
    psql_at "$admin_url" "DROP DATABASE bench_copy WITH (FORCE)"
    psql_at "$admin_url" "DROP DATABASE bench_import WITH (FORCE)"
}

load_events() {
    local file
    file=$(generate_csv "$rows")
    fresh_database bench_analytics
    load_seconds=$(seconds_of "$BIN" import "$file" --database-url "$(db_url bench_analytics)" \
        --quiet)
    psql_at "$(db_url bench_analytics)" "VACUUM ANALYZE"
}

start_server() {
    # --auth off: the reports' cost, without keys (one SHA-256 per request otherwise).
    "$BIN" serve --database-url "$(db_url bench_analytics)" --listen "127.0.0.1:$HTTP_PORT" \
        --log-level warn --skip-migrations --auth off >"$WORK/analytics-serve.log" 2>&1 &
    server_pid=$!
    local attempt
    for ((attempt = 0; attempt < 100; attempt++)); do
        curl -sf "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null && return 0
        sleep 0.1
    done
    die "the service did not become ready (see $WORK/analytics-serve.log)"
}

# The same questions in plain SQL over events, the way a schema without rollups
# answers them; median of three warm runs, in milliseconds.
plain_sql_ms() {
    local sql=$1 run timings=()
    for run in 1 2 3 4; do
        local started ended
        started=$(date +%s%N)
        psql_at "$(db_url bench_analytics)" "$sql" >/dev/null
        ended=$(date +%s%N)
        ((run > 1)) && timings+=($(((ended - started) / 1000000)))
    done
    printf '%s\n' "${timings[@]}" | sort -n | sed -n 2p
}

readonly RANGE="occurred_at >= '2025-02-01T00:00:00Z' AND occurred_at < '2025-03-03T00:00:00Z'"
readonly WHERE_PRO='%7B%22plan%22%3A%22pro%22%7D'

main() {
    while (($# > 0)); do
        case $1 in
            --rows) rows=$2; shift ;;
            --repeat) repeat=$2; shift ;;
            --skip-build) skip_build=1 ;;
            --out) out=$2; shift ;;
            *) die "unknown option $1 (see the header of bench/analytics.sh)" ;;
        esac
        shift
    done
    cd "$ROOT"
    mkdir -p "$DATA" "$(dirname "$out")"
    trap cleanup EXIT
    if ((!skip_build)); then
        cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DEVENTLINE_TESTS=OFF >&2
        cmake --build build/release --target eventline >&2
    fi
    [[ -f $PG_DIR/postmaster.pid ]] || cluster_started=1
    admin_url=$("$ROOT/scripts/postgres-local.sh" start "$PG_DIR" "$PG_PORT" bench)

    write_rows=()
    log "write cost of the rollups at 1,000,000 rows"
    measure_write_cost
    log "loading $rows events"
    load_events
    log "loaded in $load_seconds s"
    start_server

    local base="http://127.0.0.1:$HTTP_PORT" http_table
    http_table=$("$ROOT/bench/query_latency.py" "$base" "$repeat" \
        "DAU 30 days=/stats/dau?from=2025-02-01&to=2025-03-02" \
        "top events 30 days=/stats/top-events?from=2025-02-01&to=2025-03-02" \
        "retention 8 weeks=/stats/retention?start_date=2025-01-06&windows=8" \
        "funnel 3 steps 30 days=/stats/funnel?from=2025-02-01&to=2025-03-02&steps=page_view,click,purchase" \
        "DAU 30 days, where plan is pro=/stats/dau?from=2025-02-01&to=2025-03-02&where=$WHERE_PRO" \
        "top events 30 days, where plan is pro=/stats/top-events?from=2025-02-01&to=2025-03-02&where=$WHERE_PRO" \
        "events per day 30 days=/stats/events?from=2025-02-01&to=2025-03-02" \
        "user timeline, 100 newest=/users/user_7/events")

    local dau_sql top_sql pro_sql
    dau_sql=$(plain_sql_ms "SELECT (occurred_at AT TIME ZONE 'UTC')::date, count(DISTINCT user_id)
        FROM events WHERE $RANGE GROUP BY 1")
    top_sql=$(plain_sql_ms "SELECT event_type, count(*) FROM events WHERE $RANGE
        GROUP BY 1 ORDER BY 2 DESC LIMIT 10")
    pro_sql=$(plain_sql_ms "SELECT count(*) FROM events WHERE $RANGE
        AND properties @> '{\"plan\":\"pro\"}'")

    {
        printf '# Analytics benchmark\n\n'
        printf 'Measured %s on %s cores, commit %s, by `bench/analytics.sh --rows %s`.\n' \
            "$(date -u +%Y-%m-%d)" "$(nproc)" "$(git -C "$ROOT" describe --always --dirty)" "$rows"
        printf '%s events from gen-events (100,000 users, 90 days from 2025-01-06), loaded by\n' "$rows"
        printf '`eventline import` in %s s; PostgreSQL 15, the bench profile of\n' "$load_seconds"
        printf '`scripts/postgres-local.sh` (fsync on, shared_buffers 2 GB).\n\n'
        printf '## Reports through HTTP, %s requests each after two warm-ups\n\n' "$repeat"
        printf '%s\n\n' "$http_table"
        printf '## The same questions in plain SQL over events (median of 3 warm runs)\n\n'
        printf '| query | ms |\n|---|---:|\n'
        printf '| DAU 30 days, count(DISTINCT user_id) per day | %s |\n' "$dau_sql"
        printf '| top event types 30 days | %s |\n' "$top_sql"
        printf '| properties @> {"plan":"pro"} count, 30 days | %s |\n\n' "$pro_sql"
        printf '## What the rollups cost ingestion (1,000,000 rows, same schema, same run)\n\n'
        printf '| loader | rows | seconds | rows/s | ratio to psql \\copy |\n'
        printf '|---|---:|---:|---:|---:|\n'
        printf '%s\n' "${write_rows[@]}"
    } >"$out"
    log "report written to $out"
    cat "$out"
}

main "$@"
