#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries BINARY loads, one per line,
# so that the Dockerfile's runtime stage installs exactly what the build stage linked
# against, with no second package list to keep in step with deps/debian-packages.txt.
#
# Usage: deploy/runtime-packages.sh BINARY
set -euo pipefail

binary=${1:?usage: runtime-packages.sh BINARY}

# dpkg knows each file under the path its package shipped it at; with merged /usr,
# ldd may name the other spelling (/usr/lib vs /lib), so both are tried.
owner_of() {
    local path=$1 candidate
    for candidate in "$path" "${path#/usr}" "/usr$path" "$(readlink -f "$path")"; do
        if dpkg-query -S "$candidate" 2>/dev/null; then
            return 0
        fi
    done
    printf 'runtime-packages.sh: no package owns %s\n' "$path" >&2
    return 1
}

ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
    while IFS= read -r library; do
        owner_of "$library" | head -n1
    done | cut -d: -f1 | sort -u
