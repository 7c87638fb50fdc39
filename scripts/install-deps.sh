#!/usr/bin/env bash
# Installs the Debian packages listed in deps/debian-packages.txt that are missing.
#
# Usage: scripts/install-deps.sh [SECTION...]
#   SECTION   only the packages of these sections of the list ("#@ NAME" lines), as
#             the Dockerfile's build stage does; by default, every package
#
# Silent and fast when everything is already installed (run.sh and test.sh call it every
# time); otherwise prints one line naming what it installed. Needs root, or sudo.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PACKAGE_LIST="$EVENTLINE_ROOT/deps/debian-packages.txt"

# Prints the package names from the list, one per line: '#' starts a comment, blank
# lines are skipped, surrounding whitespace is dropped. With arguments, only the names
# in those sections.
read_package_list() {
    local line name section="" wanted=" $* "
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line =~ ^#@[[:space:]]*([A-Za-z0-9_-]+) ]]; then
            section=${BASH_REMATCH[1]}
            continue
        fi
        if (( $# > 0 )) && [[ $wanted != *" $section "* ]]; then
            continue
        fi
        line=${line%%#*}
        read -r name _ <<<"$line" || true
        if [[ -n $name ]]; then
            printf '%s\n' "$name"
        fi
    done <"$PACKAGE_LIST"
}

# A package counts as installed only in the 'installed' state; 'config-files' (removed
# but not purged) and unknown packages do not.
is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [[ $status == *' installed' ]]
}

# Installs the given packages quietly. apt's chatter is kept in a temporary file and
# shown only when something fails, so that success stays a single line.
install_packages() {
    local apt_log status=0
    apt_log=$(mktemp)
    {
        as_root apt-get update -qq &&
            as_root env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "$@"
    } >"$apt_log" 2>&1 || status=$?
    if (( status != 0 )); then
        cat "$apt_log" >&2
        rm -f "$apt_log"
        die "apt-get failed (status $status) installing: $*"
    fi
    rm -f "$apt_log"
}

main() {
    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found: this script supports Debian-based systems only"
    [[ -r $PACKAGE_LIST ]] || die "cannot read $PACKAGE_LIST"

    local package missing=()
    while IFS= read -r package; do
        if ! is_installed "$package"; then
            missing+=("$package")
        fi
    done < <(read_package_list "$@")
    if (( $# > 0 )) && [[ -z $(read_package_list "$@") ]]; then
        die "no packages in section(s) $* of $PACKAGE_LIST"
    fi

    if (( ${#missing[@]} == 0 )); then
        return 0
    fi
    # Fail before touching apt if we cannot get root at all.
    is_root || command -v sudo >/dev/null 2>&1 ||
        die "missing packages (${missing[*]}) need root to install; run as root or install sudo"
    install_packages "${missing[@]}"
    log "installed ${#missing[@]} package(s): ${missing[*]}"
}

main "$@"
