#!/usr/bin/env bash
# Reproduces the ingest benchmarks in one command: the raw PostgreSQL baseline (psql
# \copy, 1 and 2 streams) and the HTTP scenarios (a)-(e), each on a fresh database of
# the same schema and a freshly started server, then writes a markdown report.
#
# Usage: bench/ingest.sh [--quick] [--steady] [--skip-build] [--build-dir DIR] [--out FILE]
#   --quick          100,000 events and 10 s runs: a smoke run, reported to
#                    build/bench/ingest-quick.md unless --out says otherwise
#   --steady         also (e): preload 10,000,000 events (1,000,000 with --quick), then (a)
#   --skip-build     use the binaries already built
#   --build-dir DIR  where eventline and eventline-http-load are (default build/release)
#   --out FILE       where the report goes (default bench/results/ingest.md)
# Environment: EVENTLINE_BENCH_PG_PORT (55432), EVENTLINE_BENCH_HTTP_PORT (18180),
#   EVENTLINE_GEN_EVENTS (the shared gen-events tool).
#
# Raw figures (one JSON per run, server logs) go to build/bench/raw, generated data
# is cached in build/bench/data. Every server and the cluster this script started
# are stopped on exit, whatever happens.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

readonly ROOT=$EVENTLINE_ROOT
readonly WORK=$ROOT/build/bench
readonly DATA=$WORK/data
readonly RAW=$WORK/raw
readonly PG_DIR=$WORK/pg
readonly PG_PORT=${EVENTLINE_BENCH_PG_PORT:-55432}
readonly HTTP_PORT=${EVENTLINE_BENCH_HTTP_PORT:-18180}
readonly EVENTS_URL=http://127.0.0.1:$HTTP_PORT/events
# The data every figure of the project's costs was measured with.
readonly GEN_SHAPE=(--users 100000 --days 90)

quick=0
steady=0
skip_build=0
out=""
build_dir=$ROOT/build/release

server_pid=""
cluster_started=0
admin_url=""
copy_columns=event_id,occurred_at,user_id,event_type,properties
with_project=0
copy_note="the issue's command, project_id from its column default"

usage() {
    # The header comment of this file, up to the first line that is not a comment.
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' \
        "${BASH_SOURCE[0]}" >&2
    exit 2
}

parse_args() {
    while (($# > 0)); do
        case $1 in
            --quick) quick=1 ;;
            --steady) steady=1 ;;
            --skip-build) skip_build=1 ;;
            --build-dir)
                (($# >= 2)) || usage
                build_dir=$(realpath -m -- "$2")
                shift
                ;;
            --out)
                (($# >= 2)) || usage
                out=$2
                shift
                ;;
            -h | --help) usage ;;
            *) log "unknown argument '$1'" && usage ;;
        esac
        shift
    done
    if [[ -z $out ]]; then
        if ((quick)); then
            # A smoke run's figures must not replace the committed full-size ones.
            out=$WORK/ingest-quick.md
        else
            out=$ROOT/bench/results/ingest.md
        fi
    fi
    readonly BIN=$build_dir/eventline
    readonly LOAD=$build_dir/eventline-http-load
}

# Scenario sizes. (b) and (c) run for a fixed time, so their files are sized to last
# the whole run at well above the expected rates: a file that runs out is sent again,
# and repeats are cheap duplicates that would flatter the figures (the report shows
# the number of passes and the duplicates).
set_sizes() {
    if ((quick)); then
        a_rows=100000 duration=10 b_rows=600000 c_rows=200000 steady_rows=1000000
    else
        a_rows=1000000 duration=30 b_rows=3000000 c_rows=1000000 steady_rows=10000000
    fi
}

find_gen_events() {
    local candidate
    for candidate in "${EVENTLINE_GEN_EVENTS:-}" "$ROOT/../shared/tools/gen-events" \
        /work/shared/tools/gen-events; do
        if [[ -n $candidate && -x $candidate ]]; then
            gen_events=$candidate
            return
        fi
    done
    die "gen-events not found; set EVENTLINE_GEN_EVENTS"
}

cleanup() {
    local status=$?
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if ((cluster_started)); then
        "$ROOT/scripts/postgres-local.sh" stop "$PG_DIR" || true
    fi
    exit "$status"
}

now() {
    date +%s.%N
}

# Arithmetic on decimals, which bash lacks.
calc() {
    awk "BEGIN { printf \"%.3f\", $1 }"
}

# CPU time of all processes on the machine (not idle, not iowait), in seconds: with the
# server, PostgreSQL and the generator on the same 2 cores, this is the whole bill.
machine_cpu_s() {
    local _cpu user nice system _idle _iowait irq softirq steal
    read -r _cpu user nice system _idle _iowait irq softirq steal _ </proc/stat
    calc "($user + $nice + $system + $irq + $softirq + $steal) / $(getconf CLK_TCK)"
}

# User plus system CPU time of one process, in seconds.
process_cpu_s() {
    local stat fields
    stat=$(<"/proc/$1/stat")
    # The command name in parentheses may hold spaces: split after it.
    read -ra fields <<<"${stat##*) }"
    calc "(${fields[11]} + ${fields[12]}) / $(getconf CLK_TCK)"
}

peak_rss_kib() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

psql_at() {
    # NOTICEs such as "database ... does not exist, skipping" are noise here.
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -t -A -v ON_ERROR_STOP=1 "$1" -c "$2"
}

db_url() {
    printf '%s/%s\n' "${admin_url%/*}" "$1"
}

build() {
    if ((skip_build)); then
        log "skipping the build"
    else
        log "building in $build_dir"
        cmake -S "$ROOT" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DEVENTLINE_TESTS=OFF >&2
        cmake --build "$build_dir" >&2
    fi
    [[ -x $BIN ]] || die "$BIN is missing"
    [[ -x $LOAD ]] || die "$LOAD is missing"
}

start_cluster() {
    # A cluster that was already running is reused and left running.
    if [[ -f $PG_DIR/postmaster.pid ]] && kill -0 "$(head -n 1 "$PG_DIR/postmaster.pid")" \
        2>/dev/null; then
        log "reusing the running cluster in $PG_DIR"
    else
        cluster_started=1
    fi
    admin_url=$("$ROOT/scripts/postgres-local.sh" start "$PG_DIR" "$PG_PORT" bench)
}

# Drops and creates database $1 with the schema of `eventline migrate`, which is the
# only way the schema is made here: the baseline loads into exactly what the service uses.
fresh_database() {
    local name=$1 url
    url=$(db_url "$name")
    psql_at "$admin_url" "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
    psql_at "$admin_url" "CREATE DATABASE $name" >/dev/null
    "$BIN" migrate --database-url "$url" >"$RAW/migrate-$name.log" 2>&1 ||
        die "eventline migrate failed for $name: see $RAW/migrate-$name.log"
    # Start every scenario from a clean WAL state, so that one run's checkpoint does
    # not land in the next one's timing.
    psql_at "$admin_url" "CHECKPOINT" >/dev/null
}

drop_database() {
    psql_at "$admin_url" "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
}

count_events() {
    psql_at "$(db_url "$1")" "SELECT count(*) FROM events"
}

# Generates a data file once and keeps it; gen-events is deterministic per seed.
generate() {
    local file=$1
    shift
    if [[ -s $file && -s $file.summary.json ]]; then
        return
    fi
    log "generating $file"
    "$gen_events" "$@" --out "$file.tmp" --summary-json "$file.summary.json" -q
    mv "$file.tmp" "$file"
}

summary_field() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$1.summary.json" "$2"
}

# Splits a CSV into two halves by lines, each with the header, for 2 \copy streams.
split_csv() {
    local csv=$1 rows half
    if [[ -s ${csv%.csv}.part2.csv ]]; then
        return
    fi
    rows=$(($(wc -l <"$csv") - 1))
    half=$(((rows + 1) / 2))
    awk -v half="$half" -v a="${csv%.csv}.part1.csv.tmp" -v b="${csv%.csv}.part2.csv.tmp" '
        NR == 1 { print > a; print > b; next }
        NR - 1 <= half { print > a; next }
        { print > b }' "$csv"
    mv "${csv%.csv}.part1.csv.tmp" "${csv%.csv}.part1.csv"
    mv "${csv%.csv}.part2.csv.tmp" "${csv%.csv}.part2.csv"
}

# The hash of a file's event_id column, in order: equal hashes mean the CSV and the
# JSON batches hold the same events, so the baseline and (a) load the same rows.
ids_hash() {
    local file=$1
    if [[ ! -s $file.ids.sha256 ]]; then
        if [[ $file == *.csv ]]; then
            tail -n +2 "$file" | cut -d, -f1
        else
            grep -o '"event_id":"[^"]*"' "$file" | cut -d'"' -f4
        fi | sha256sum | cut -d' ' -f1 >"$file.ids.sha256"
    fi
    cat "$file.ids.sha256"
}

prepare_data() {
    mkdir -p "$DATA" "$RAW"
    a_csv=$DATA/events-r$a_rows-s1.csv
    a_json=$DATA/batches-r$a_rows-b1000-s1.ndjson
    b_json=$DATA/batches-r$b_rows-b10-s1.ndjson
    c_json=$DATA/batches-r$c_rows-b1-s1.ndjson
    generate "$a_csv" --rows "$a_rows" "${GEN_SHAPE[@]}" --format csv --seed 1
    generate "$a_json" --rows "$a_rows" "${GEN_SHAPE[@]}" --format json-batches \
        --batch-size 1000 --seed 1
    generate "$b_json" --rows "$b_rows" "${GEN_SHAPE[@]}" --format json-batches \
        --batch-size 10 --seed 1
    generate "$c_json" --rows "$c_rows" "${GEN_SHAPE[@]}" --format json-batches \
        --batch-size 1 --seed 1
    split_csv "$a_csv"
    if [[ $(ids_hash "$a_csv") == "$(ids_hash "$a_json")" ]]; then
        same_events="yes: the CSV and the JSON batches hold the same event_ids in the same order"
    else
        same_events="NO: the CSV's event_ids differ from the JSON batches' (same seed and"
        same_events+=" arguments); the baseline loaded the CSV made with the same arguments"
        log "warning: $same_events"
    fi
    unique_valid=$(summary_field "$a_json" valid_unique)
    if ((steady)); then
        steady_csv=$DATA/events-r$steady_rows-s2.csv
        generate "$steady_csv" --rows "$steady_rows" "${GEN_SHAPE[@]}" --format csv --seed 2
        split_csv "$steady_csv"
    fi
}

# Writes scenario metadata as key=value lines for the report.
meta() {
    local name=$1
    shift
    printf '%s\n' "$@" >>"$RAW/$name.meta"
}

copy_command() {
    printf '%s' "\\copy events($copy_columns) FROM '$1' WITH (FORMAT csv, HEADER true)"
}

# The issue's \copy leaves project_id to its column default. When the migration gives the
# column none, the baseline CSVs carry project_id 1 as their first column instead: the
# same rows into the same schema, with one small integer more to parse per row.
choose_copy_form() {
    local default
    fresh_database bench_probe
    default=$(psql_at "$(db_url bench_probe)" "SELECT coalesce(column_default, '')
        FROM information_schema.columns
        WHERE table_name = 'events' AND column_name = 'project_id'")
    drop_database bench_probe
    if [[ -z $default ]]; then
        with_project=1
        copy_columns=project_id,$copy_columns
        copy_note="events.project_id has no default in the migration, so the CSVs were given"
        copy_note+=" a first column project_id = 1 (the issue's command relies on DEFAULT 1)"
        log "note: $copy_note"
    fi
}

# Prints the file that \copy loads for CSV $1, made once and before any timing.
copy_file() {
    local csv=$1 with
    if ((with_project == 0)); then
        printf '%s\n' "$csv"
        return
    fi
    with=${csv%.csv}.with-project.csv
    if [[ ! -s $with ]]; then
        awk 'NR == 1 { print "project_id," $0; next } { print "1," $0 }' "$csv" >"$with.tmp"
        mv "$with.tmp" "$with"
    fi
    printf '%s\n' "$with"
}

# Loads CSV files into database $2 with one psql \copy stream per file, all at once.
copy_streams() {
    local db=$1 url pids=() file pid failed=0
    shift
    url=$(db_url "$db")
    for file in "$@"; do
        psql -X -q -v ON_ERROR_STOP=1 "$url" -c "$(copy_command "$file")" \
            >>"$RAW/copy-$db.log" 2>&1 &
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=1
    done
    ((failed == 0)) || die "\\copy into $db failed: see $RAW/copy-$db.log"
}

# Baseline run $1: a fresh database, the CSV files $3... loaded by $2 parallel streams.
run_copy() {
    local name=$1 streams=$2 db=bench_$1 start end cpu_start cpu_end rows
    shift 2
    log "baseline $name: \\copy, $streams stream(s)"
    rm -f "$RAW/$name.meta"
    fresh_database "$db"
    cpu_start=$(machine_cpu_s)
    start=$(now)
    copy_streams "$db" "$@"
    end=$(now)
    cpu_end=$(machine_cpu_s)
    rows=$(count_events "$db")
    meta "$name" "kind=copy" "streams=$streams" "rows=$rows" \
        "elapsed_s=$(calc "$end - $start")" "machine_cpu_s=$(calc "$cpu_end - $cpu_start")" \
        "command=psql \"$(db_url "$db")\" -c \"$(copy_command "$1")\"" \
        "db_rows=$rows"
    drop_database "$db"
}

start_server() {
    local db=$1 name=$2 deadline
    if port_in_use "$HTTP_PORT"; then
        die "port $HTTP_PORT is in use; set EVENTLINE_BENCH_HTTP_PORT"
    fi
    # --auth off: the figures are the ingest path's, comparable with earlier runs; the
    # key check costs one SHA-256 per request, nothing per event.
    "$BIN" serve --listen "127.0.0.1:$HTTP_PORT" --database-url "$(db_url "$db")" \
        --auth off 2>"$RAW/server-$name.log" &
    server_pid=$!
    deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/readyz" 2>/dev/null; do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            tail -n 20 "$RAW/server-$name.log" >&2
            server_pid=""
            die "the server exited before it was ready: see $RAW/server-$name.log"
        fi
        ((SECONDS < deadline)) || die "the server was not ready within 60 s"
        sleep 0.2
    done
}

stop_server() {
    local name=$1 status=0
    meta "$name" "server_peak_rss_kib=$(peak_rss_kib "$server_pid")"
    kill -TERM "$server_pid"
    wait "$server_pid" || status=$?
    server_pid=""
    ((status == 0)) || log "warning: the server of $name exited with status $status"
    meta "$name" "server_exit=$status"
}

# HTTP scenario $1 against database $2 (made fresh unless $3 is "reuse"): a new server,
# then the load generator with the remaining arguments.
run_http() {
    local name=$1 db=$2 mode=$3 cpu_start cpu_end server_cpu_start status=0
    shift 3
    log "scenario $name: $*"
    rm -f "$RAW/$name.meta"
    if [[ $mode != reuse ]]; then
        fresh_database "$db"
    fi
    local rows_before
    rows_before=$(count_events "$db")
    start_server "$db" "$name"
    server_cpu_start=$(process_cpu_s "$server_pid")
    cpu_start=$(machine_cpu_s)
    "$LOAD" --url "$EVENTS_URL" "$@" >"$RAW/$name.json" 2>"$RAW/$name.load.log" || status=$?
    cpu_end=$(machine_cpu_s)
    meta "$name" "kind=http" "machine_cpu_s=$(calc "$cpu_end - $cpu_start")" \
        "server_cpu_s=$(calc "$(process_cpu_s "$server_pid") - $server_cpu_start")" \
        "command=${LOAD#"$ROOT"/} --url $EVENTS_URL $*" "rows_before=$rows_before"
    stop_server "$name"
    ((status == 0)) || die "the load generator failed in $name: see $RAW/$name.load.log"
    meta "$name" "db_rows=$(count_events "$db")"
}

# Stored rows must match what the server said it accepted, and after (a) the number of
# unique valid events generated.
check_counts() {
    python3 - "$RAW" "$unique_valid" <<'PY'
import json, sys
raw, unique_valid = sys.argv[1], int(sys.argv[2])
def meta(name):
    with open(f"{raw}/{name}.meta") as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
problems = []
for name in ("a", "b", "c", "d", "e"):
    try:
        m = meta(name)
    except FileNotFoundError:
        continue
    run = json.load(open(f"{raw}/{name}.json"))
    stored = int(m["db_rows"]) - int(m["rows_before"])
    if stored != run["accepted"]:
        problems.append(f"{name}: {stored} rows stored but {run['accepted']} accepted")
if int(meta("a")["db_rows"]) != unique_valid:
    problems.append(f"a: {meta('a')['db_rows']} rows, expected {unique_valid} unique valid")
print("; ".join(problems) if problems else "ok")
PY
}

render_report() {
    python3 - "$RAW" "$out" "$quick" "$steady" "$same_events" "$unique_valid" \
        "$counts_check" "$a_rows" "$duration" "$copy_note" \
        "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo 'no commit yet')" \
        "$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt" 2>/dev/null)" \
        <<'PY'
import json, os, subprocess, sys, datetime
(raw, out, quick, steady, same_events, unique_valid, counts, a_rows, duration,
 copy_note, commit, build_type) = sys.argv[1:]
quick, steady = quick == "1", steady == "1"

def meta(name):
    path = f"{raw}/{name}.meta"
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)

def run(name):
    m = meta(name)
    if m is None:
        return None
    if m["kind"] == "http":
        m.update(json.load(open(f"{raw}/{name}.json")))
    else:
        m["events_per_s"] = int(m["rows"]) / float(m["elapsed_s"])
    return m

def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"

r = {n: run(n) for n in ("copy1", "copy2", "a", "b", "c", "d", "e")}
baseline_name = max(("copy1", "copy2"), key=lambda n: r[n]["events_per_s"])
baseline = r[baseline_name]["events_per_s"]

def ratio(x, y):
    return x / y if y else 0.0

def verdict(ok):
    return "met" if ok else "**missed**"

a_ratio = ratio(r["a"]["events_per_s"], baseline)
b_ratio = ratio(r["b"]["events_per_s"], r["a"]["events_per_s"])
c = r["c"]
targets = {
    "a": (f"{a_ratio:.2f}× baseline", ">= 0.9× baseline", verdict(a_ratio >= 0.9)),
    "b": (f"{b_ratio:.2f}× (a)", ">= 0.8× (a)", verdict(b_ratio >= 0.8)),
    "c": (f"{c['requests_per_s']:,.0f} req/s, p99 {c['latency_ms']['p99']:.1f} ms",
          ">= 10,000 req/s, p99 < 50 ms",
          verdict(c["requests_per_s"] >= 10000 and c["latency_ms"]["p99"] < 50)),
    "d": (f"{ratio(r['d']['events_per_s'], r['a']['events_per_s']):.2f}× (a)", "none", "—"),
}
if r["e"]:
    targets["e"] = (f"{ratio(r['e']['events_per_s'], baseline):.2f}× baseline, "
                    f"{ratio(r['e']['events_per_s'], r['a']['events_per_s']):.2f}× (a)",
                    "none", "—")

titles = {
    "copy1": "baseline: psql \\copy, 1 stream",
    "copy2": "baseline: psql \\copy, 2 streams",
    "a": f"(a) {int(a_rows):,} events, 1,000-event batches, 8 connections",
    "b": f"(b) 10-event batches, 64 connections, {duration} s",
    "c": f"(c) 1-event requests, 64 connections, {duration} s",
    "d": "(d) (a) again into the same database: all duplicates",
    "e": "(e) steady state: (a) into a database preloaded by \\copy",
}
mib = lambda kib: f"{int(kib) / 1024:,.0f}"
lines = []
w = lines.append
w(f"# Ingest benchmark{' (QUICK smoke run: not the reference figures)' if quick else ''}")
w("")
w(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}")
def proc_field(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    return "?"

cpu_model = proc_field("/proc/cpuinfo", "model name")
mem_gib = int(proc_field("/proc/meminfo", "MemTotal").split()[0]) / 2**20
w(f"- machine: `nproc` = {sh('nproc')}, {cpu_model}, kernel {sh('uname', '-r')}, "
  f"{mem_gib:.0f} GiB RAM")
w(f"- PostgreSQL: {sh('psql', '--version')} client; server from "
  "`scripts/postgres-local.sh start build/bench/pg PORT bench` (fsync and "
  "synchronous_commit on, shared_buffers 2 GB)")
w(f"- eventline: `{commit}`, {build_type or 'unknown'} build")
w(f"- data: `gen-events --rows {int(a_rows)} --users 100000 --days 90 --seed 1`, "
  f"{int(unique_valid):,} unique valid events; CSV vs JSON batches: {same_events}")
w(f"- stored rows vs accepted, and after (a) vs unique valid events: {counts}")
w(f"- baseline = the faster \\copy run: {titles[baseline_name]}, {baseline:,.0f} events/s; "
  f"\\copy form: {copy_note}")
w("")
w("| run | events/s | req/s | p50 ms | p99 ms | max ms | statuses | accepted / dup / rejected "
  "| result | target | |")
w("|---|---:|---:|---:|---:|---:|---|---|---|---|---|")
for name in ("copy1", "copy2", "a", "b", "c", "d", "e"):
    m = r[name]
    if m is None:
        continue
    if m["kind"] == "copy":
        w(f"| {titles[name]} | {m['events_per_s']:,.0f} | | | | | | {int(m['rows']):,} rows "
          f"in {float(m['elapsed_s']):.1f} s | | | |")
        continue
    lat = m["latency_ms"]
    statuses = ", ".join(f"{k}: {v:,}" for k, v in m["status_counts"].items())
    if m.get("transport_errors"):
        statuses += f", transport errors: {m['transport_errors']}"
    result, target, ok = targets[name]
    passes = f" ({m['file_passes']} passes over the file)" if m["file_passes"] > 1 else ""
    w(f"| {titles[name]}{passes} | {m['events_per_s']:,.0f} | {m['requests_per_s']:,.0f} "
      f"| {lat['p50']:.1f} | {lat['p99']:.1f} | {lat['max']:.0f} | {statuses} "
      f"| {m['accepted']:,} / {m['duplicates']:,} / {m['rejected']:,} | {result} | {target} "
      f"| {ok} |")
w("")
w("CPU seconds during each run (2 cores: at most 2 CPU-s per second): the whole machine, "
  "the server process, the load generator; and the server's peak RSS (VmHWM at the end).")
w("")
w("| run | elapsed s | machine CPU-s | server CPU-s | generator CPU-s | server peak RSS MiB |")
w("|---|---:|---:|---:|---:|---:|")
for name in ("copy1", "copy2", "a", "b", "c", "d", "e"):
    m = r[name]
    if m is None:
        continue
    if m["kind"] == "copy":
        w(f"| {name} | {float(m['elapsed_s']):.1f} | {float(m['machine_cpu_s']):.1f} | | | |")
    else:
        w(f"| {name} | {m['elapsed_s']:.1f} | {float(m['machine_cpu_s']):.1f} "
          f"| {float(m['server_cpu_s']):.1f} | {m['generator_cpu_s']:.2f} "
          f"| {mib(m['server_peak_rss_kib'])} |")
w("")
w("## Commands")
w("")
w("```sh")
w(f"bench/ingest.sh{' --quick' if quick else ''}{' --steady' if steady else ''}")
w("```")
w("")
w("Each run, on a database made fresh by `eventline migrate` (except (d)) and, for the "
  "HTTP runs, a freshly started `eventline serve --listen 127.0.0.1:PORT --database-url URL`:")
w("")
w("```sh")
for name in ("copy1", "copy2", "a", "b", "c", "d", "e"):
    m = r[name]
    if m is None:
        continue
    extra = " (and the second half in parallel)" if name == "copy2" else ""
    w(f"# {name}{extra}")
    w(m["command"].replace(raw.rsplit('/build/', 1)[0] + "/", ""))
w("```")
w("")
w("Raw JSON of every run: `build/bench/raw/` (git-ignored).")
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
}

main() {
    parse_args "$@"
    set_sizes
    find_gen_events
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    build
    # Raw files of an earlier run must not mix into this report.
    rm -rf "$RAW"
    mkdir -p "$RAW"
    prepare_data
    start_cluster
    choose_copy_form
    local whole half1 half2
    whole=$(copy_file "$a_csv")
    half1=$(copy_file "${a_csv%.csv}.part1.csv")
    half2=$(copy_file "${a_csv%.csv}.part2.csv")

    run_copy copy1 1 "$whole"
    run_copy copy2 2 "$half1" "$half2"

    local all=(--duration 0) timed=(--duration "$duration")
    run_http a bench_a fresh --file "$a_json" --connections 8 "${all[@]}"
    run_http d bench_a reuse --file "$a_json" --connections 8 "${all[@]}"
    drop_database bench_a
    run_http b bench_b fresh --file "$b_json" --connections 64 "${timed[@]}"
    drop_database bench_b
    run_http c bench_c fresh --file "$c_json" --connections 64 "${timed[@]}"
    drop_database bench_c
    if ((steady)); then
        log "steady state: preloading $steady_rows events"
        fresh_database bench_e
        half1=$(copy_file "${steady_csv%.csv}.part1.csv")
        half2=$(copy_file "${steady_csv%.csv}.part2.csv")
        copy_streams bench_e "$half1" "$half2"
        psql_at "$(db_url bench_e)" "VACUUM ANALYZE events" >/dev/null
        psql_at "$admin_url" "CHECKPOINT" >/dev/null
        run_http e bench_e reuse --file "$a_json" --connections 8 "${all[@]}"
        drop_database bench_e
    fi

    counts_check=$(check_counts)
    render_report
    log "report written to $out"
    # Figures from a run that lost or invented rows are not figures: fail loudly.
    [[ $counts_check == ok ]] || die "row counts do not add up: $counts_check"
}

main "$@"
