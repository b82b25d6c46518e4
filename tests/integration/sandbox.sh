#!/usr/bin/env bash
# sandbox.sh RELAYLAB MTA - stand up MTA with "relaylab sandbox" and run
# sandbox_checks.sh inside it.
set -u
RELAYLAB=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "sandbox.sh: needs root" >&2; exit 77; }
exec "$RELAYLAB" sandbox --mta "$2" -- "$HERE/sandbox_checks.sh" "$RELAYLAB"
