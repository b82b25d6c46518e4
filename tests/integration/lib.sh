# lib.sh - shared by the integration scripts: sourced after RELAYLAB is set.
# Root is needed (namespaces, Postfix's master, Exim's daemon); 77 tells
# ctest "skipped", never "passed". Gives $HERE, $TOP, a $work directory
# removed on exit, and ok/fail that count failures.
HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "$(basename "$0"): needs root" >&2; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures+1)); }
ok() { echo "ok   $*"; }
# it_done NAME - the verdict line and exit status
it_done() {
  [ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
  echo "all $1 checks passed"
}
