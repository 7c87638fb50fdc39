#!/usr/bin/env bash
# Manages a project-local PostgreSQL 15 cluster, kept apart from any system cluster.
#
# Usage:
#   scripts/postgres-local.sh start DIR PORT [PROFILE]
#       Creates the cluster in DIR if there is none, starts it (or reuses it when it is
#       already running), creates the 'eventline' database if missing, and prints ONLY
#       the connection URL on stdout:  postgresql://eventline@127.0.0.1:PORT/eventline
#       PROFILE: dev (default, durable), test (no fsync: a throwaway cluster for tests),
#                bench (durable, sized like the setup the project's costs were measured on)
#   scripts/postgres-local.sh stop DIR
#       Stops the cluster in DIR (fast shutdown); silent when it is not running.
#   scripts/postgres-local.sh url PORT
#       Prints the connection URL for PORT.
#
# The server listens on 127.0.0.1 only, with its Unix socket and logs inside DIR, and
# trusts every local connection: it is for development, tests and benchmarks only.
# PostgreSQL refuses to run as root, so root runs it as the 'postgres' system user.
# Everything except the URL goes to stderr.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly DB_USER=eventline
readonly DB_NAME=eventline
# Our settings live between these markers at the end of postgresql.conf (where later
# lines win) and are rewritten on every start, so a new PORT or PROFILE takes effect.
readonly CONF_BEGIN='# >>> eventline settings, rewritten by scripts/postgres-local.sh >>>'
readonly CONF_END='# <<< eventline settings <<<'
# A Unix socket path must fit in sockaddr_un.sun_path (108 bytes with the final NUL).
readonly MAX_SOCKET_PATH=107

usage() {
    cat >&2 <<EOF
usage: ${0##*/} start DIR PORT [dev|test|bench]
       ${0##*/} stop DIR
       ${0##*/} url PORT
EOF
    exit 2
}

# Runs one of the PostgreSQL 15 programs as the user that owns the cluster.
pg() {
    local program=$1
    shift
    as_postgres "$PG_BIN/$program" "$@"
}

print_url() {
    printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$DB_USER" "$1" "$DB_NAME"
}

require_port() {
    is_valid_port "$1" || die "invalid port '$1': expected a number from 1 to 65535"
}

# Prints the settings block for postgresql.conf. Every durability knob is written
# explicitly, so switching an existing cluster from 'test' back to 'dev' restores them.
settings_block() {
    local dir=$1 port=$2 profile=$3
    # postgresql.conf strings are single-quoted; a quote inside is doubled.
    local quoted_dir=${dir//\'/\'\'}
    cat <<EOF
$CONF_BEGIN
# profile: $profile
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$quoted_dir'
max_connections = 200
# Logs stay inside the cluster directory: one file per weekday, overwritten weekly.
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql-%a.log'
log_truncate_on_rotation = on
log_rotation_age = 1d
log_rotation_size = 0
EOF
    case $profile in
        dev)
            cat <<EOF
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 512MB
EOF
            ;;
        test)
            # Crash safety is pointless for a cluster that is deleted after the run.
            cat <<EOF
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
EOF
            ;;
        bench)
            # Matches the configuration the project's PostgreSQL costs were measured with.
            cat <<EOF
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 2GB
max_wal_size = 8GB
checkpoint_timeout = 30min
wal_compression = off
EOF
            ;;
    esac
    printf '%s\n' "$CONF_END"
}

# Replaces our block in postgresql.conf. Rewriting the file in place (rather than
# replacing it) keeps its owner and mode.
write_settings() {
    local dir=$1 port=$2 profile=$3
    local conf="$dir/postgresql.conf" kept
    kept=$(awk -v begin="$CONF_BEGIN" -v end="$CONF_END" \
        '$0 == begin { skip = 1 } !skip { print } $0 == end { skip = 0 }' "$conf")
    {
        printf '%s\n' "$kept"
        settings_block "$dir" "$port" "$profile"
    } >"$conf"
}

# Prints the profile recorded in the settings block, or nothing.
configured_profile() {
    sed -n 's/^# profile: //p' "$1/postgresql.conf" 2>/dev/null | head -n 1
}

ensure_postgres_user() {
    if ! id -u postgres >/dev/null 2>&1; then
        log "creating system user 'postgres'"
        useradd --system --user-group --no-create-home postgres
    fi
}

# Creates DIR and its missing parents. As root, the parents we create get o+x so that
# the postgres user can walk through them; existing directories are left alone.
create_dirs() {
    local dir=$1 path=$1 missing=()
    while [[ ! -e $path ]]; do
        missing=("$path" "${missing[@]}")
        path=$(dirname "$path")
    done
    for path in "${missing[@]}"; do
        mkdir "$path"
        if is_root; then
            chmod o+x "$path"
        fi
    done
}

# Makes DIR exist with the owner and mode PostgreSQL demands (owner only, 0700).
prepare_dir() {
    local dir=$1
    create_dirs "$dir"
    [[ -d $dir ]] || die "$dir exists and is not a directory"
    if is_root; then
        if [[ $(stat -c %U "$dir") != postgres ]]; then
            chown -R postgres: "$dir"
        fi
        as_postgres test -x "$dir" ||
            die "user postgres cannot reach $dir: make its parent directories" \
                "traversable (chmod o+x) or choose another directory"
    elif [[ ! -O $dir ]]; then
        die "$dir belongs to $(stat -c %U "$dir"); run as that user or as root"
    fi
    chmod 0700 "$dir"
}

# C.UTF-8 sorts bytewise like C but knows UTF-8 character classes; not every system
# has it, and plain C is the safe fallback.
pick_locale() {
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        echo C.UTF-8
    else
        echo C
    fi
}

init_cluster() {
    local dir=$1 locale output
    if [[ -n $(ls -A "$dir") ]]; then
        die "$dir is not empty and holds no PostgreSQL cluster; remove it or pick another"
    fi
    locale=$(pick_locale)
    # initdb is chatty: keep its output for the failure case only.
    if ! output=$(pg initdb -D "$dir" -U "$DB_USER" --auth=trust -E UTF8 \
        --locale="$locale" 2>&1); then
        printf '%s\n' "$output" >&2
        die "initdb failed in $dir"
    fi
    log "created a PostgreSQL cluster in $dir (locale $locale)"
}

is_running() {
    local dir=$1
    [[ -f $dir/PG_VERSION ]] && pg pg_ctl status -D "$dir" >/dev/null 2>&1
}

# The port of a running cluster, from line 4 of postmaster.pid.
running_port() {
    sed -n 4p "$1/postmaster.pid"
}

# Shows the end of a log file on stderr.
tail_log() {
    log "--- last lines of $1 ---"
    tail -n 20 "$1" >&2 || true
}

# Shows the end of the server logs, to explain why a start failed.
show_logs() {
    local dir=$1 latest
    tail_log "$dir/startup.log"
    # shellcheck disable=SC2012  # the server names these files, plainly
    latest=$(ls -t "$dir/log" 2>/dev/null | head -n 1) || true
    if [[ -n $latest ]]; then
        tail_log "$dir/log/$latest"
    fi
}

start_server() {
    local dir=$1 port=$2 profile=$3
    # startup.log catches what the server says before its logging collector takes over.
    if ! pg pg_ctl start -D "$dir" -l "$dir/startup.log" -w -t 60 -s >&2; then
        show_logs "$dir"
        die "PostgreSQL failed to start in $dir"
    fi
    log "started PostgreSQL ($profile profile) on 127.0.0.1:$port, data in $dir"
}

# Reusing a running cluster is fine as long as it is where the caller expects it.
check_reuse() {
    local dir=$1 port=$2 profile=$3 actual_port actual_profile
    actual_port=$(running_port "$dir")
    if [[ $actual_port != "$port" ]]; then
        die "the cluster in $dir is already running on port $actual_port, not $port;" \
            "stop it first: ${0##*/} stop $dir"
    fi
    actual_profile=$(configured_profile "$dir")
    if [[ -n $actual_profile && $actual_profile != "$profile" ]]; then
        log "warning: reusing the running cluster in $dir with profile" \
            "'$actual_profile'; stop it to switch to '$profile'"
    else
        log "reusing the PostgreSQL cluster already running in $dir on port $port"
    fi
}

ensure_database() {
    local dir=$1 port=$2 found
    # Talk over the Unix socket in DIR: no TCP, and no doubt about which server answers.
    found=$(pg psql -X -q -t -A -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$DB_USER" \
        -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
    if [[ $found != 1 ]]; then
        pg createdb -h "$dir" -p "$port" -U "$DB_USER" "$DB_NAME"
        log "created database '$DB_NAME'"
    fi
}

cmd_start() {
    (( $# >= 2 && $# <= 3 )) || usage
    local dir port=$2 profile=${3:-dev}
    dir=$(realpath -m -- "$1")
    require_port "$port"
    case $profile in
        dev | test | bench) ;;
        *) die "unknown profile '$profile': expected dev, test or bench" ;;
    esac
    local socket="$dir/.s.PGSQL.$port"
    (( ${#socket} <= MAX_SOCKET_PATH )) ||
        die "socket path $socket is longer than $MAX_SOCKET_PATH bytes; use a shorter DIR"

    if is_root; then
        ensure_postgres_user
    fi
    prepare_dir "$dir"
    if is_running "$dir"; then
        check_reuse "$dir" "$port" "$profile"
    else
        if port_in_use "$port"; then
            die "port $port is already in use by another process; choose another port"
        fi
        if [[ ! -f $dir/PG_VERSION ]]; then
            init_cluster "$dir"
        fi
        write_settings "$dir" "$port" "$profile"
        start_server "$dir" "$port" "$profile"
    fi
    ensure_database "$dir" "$port"
    print_url "$port"
}

cmd_stop() {
    (( $# == 1 )) || usage
    local dir
    dir=$(realpath -m -- "$1")
    if is_running "$dir"; then
        pg pg_ctl stop -D "$dir" -m fast -w -t 60 -s >&2
        log "stopped PostgreSQL in $dir"
    fi
}

cmd_url() {
    (( $# == 1 )) || usage
    require_port "$1"
    print_url "$1"
}

main() {
    (( $# >= 1 )) || usage
    local command=$1
    shift
    case $command in
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        url) cmd_url "$@" ;;
        *) usage ;;
    esac
}

main "$@"
