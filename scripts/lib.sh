# shellcheck shell=bash
# Shared helpers for the scripts in this directory. Source it, do not run it:
#
#   # shellcheck source=scripts/lib.sh
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It only defines constants and functions; shell options (set -euo pipefail) stay the
# business of the script that sources it.

# Absolute paths, resolved from this file so that callers work from any directory.
# shellcheck disable=SC2034  # used by the scripts that source this file
EVENTLINE_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
EVENTLINE_ROOT=$(cd "$EVENTLINE_SCRIPTS/.." && pwd -P)
readonly EVENTLINE_SCRIPTS EVENTLINE_ROOT

# Messages go to stderr so that stdout stays free for a script's real output
# (postgres-local.sh prints a connection URL there that callers capture).
log() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

is_root() {
    [[ $EUID -eq 0 ]]
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "root privileges are needed for: $*; run as root or install sudo"
    fi
}

# Runs a command as the user that owns PostgreSQL data. PostgreSQL refuses to run as
# root, so root delegates to the 'postgres' system user; anyone else runs it as
# themselves. The cd to / keeps tools from failing on a cwd postgres cannot read.
as_postgres() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Succeeds when the argument is a TCP port number (1-65535, no leading zeros).
is_valid_port() {
    [[ $1 =~ ^[1-9][0-9]{0,4}$ ]] && (( $1 <= 65535 ))
}

# Succeeds when something listens on the TCP port, on any local address. ss sees every
# address; without it, fall back to trying to connect to loopback.
port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [[ -n $(ss -Hltn "sport = :$port") ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}
