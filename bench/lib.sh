# shellcheck shell=bash
# Helpers shared by the benchmark scripts. Source it after scripts/lib.sh:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# The database helpers use two globals the sourcing script sets: BIN (the eventline
# binary) and admin_url (the benchmark cluster's URL, printed by postgres-local.sh);
# generate_csv uses GEN (gen-events) and DATA (the data folder).

psql_at() {
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -t -A -v ON_ERROR_STOP=1 "$1" -c "$2"
}

# The URL of database $1 on the benchmark cluster.
db_url() { printf '%s/%s\n' "${admin_url%/*}" "$1"; }

calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# Drops and recreates database $1 with the service's schema, then checkpoints, so that
# each measured load starts from the same state.
fresh_database() {
    psql_at "$admin_url" "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
    psql_at "$admin_url" "CREATE DATABASE $1" >/dev/null
    "$BIN" migrate --database-url "$(db_url "$1")" --log-level warn
    psql_at "$admin_url" "CHECKPOINT" >/dev/null
}

# The CSV has no project_id column; the baselines get the default project through a
# column default, in their own databases only. Everything else is the service's schema.
baseline_database() {
    fresh_database "$1"
    psql_at "$(db_url "$1")" "ALTER TABLE events ALTER COLUMN project_id SET DEFAULT 1" >/dev/null
}

# Prints the path of a CSV of $1 generated events (100,000 users over 90 days, seed 11),
# generating it on first use. import.sh and analytics.sh load the same files.
generate_csv() {
    local rows=$1 file=$DATA/events-r$1-u100000-d90-s11.csv
    if [[ ! -s $file ]]; then
        log "generating $rows events"
        "$GEN" --rows "$rows" --users 100000 --days 90 --seed 11 -q --out "$file.tmp"
        mv "$file.tmp" "$file"
    fi
    printf '%s\n' "$file"
}
