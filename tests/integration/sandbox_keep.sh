#!/usr/bin/env bash
# sandbox_keep.sh RELAYLAB MTA - "relaylab sandbox --keep" leaves the run
# directory behind for root only: the kept top directory is 0700, the
# captured messages 0600, and another user cannot read them; the MTA,
# which runs as its own user below that directory, still relays.
set -u
RELAYLAB=$(readlink -f "$1")
MTA=$2
. "$(dirname "$0")/lib.sh"

# Inside: relay one message to the sink, and say where it is.
"$RELAYLAB" sandbox --mta "$MTA" --keep -- bash -c '
  "$0" send --server "$RELAYLAB_ADDR:25" --local-interface "$RELAYLAB_INSIDE" \
    --from keep@relaylab.test --to keep@example.org --silent || exit 10
  for i in $(seq 50); do ls "$RELAYLAB_SINK_DIR"/msg-*.eml >/dev/null 2>&1 && break; sleep 0.1; done
  ls "$RELAYLAB_SINK_DIR"/msg-*.eml >/dev/null 2>&1 || exit 11
  basename "$(dirname "$RELAYLAB_SINK_DIR")" > "'"$work"'/instance"
' "$RELAYLAB" > "$work/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "$MTA relayed a message with --keep" || { fail "$MTA with --keep: exit $rc"; cat "$work/out"; }
kept=$(sed -n 's/^  kept: *[^ ]* is \(.*\) outside the sandbox$/\1/p' "$work/out")
[ -n "$kept" ] && [ -d "$kept" ] || { fail "no kept directory in the output"; cat "$work/out"; it_done sandbox_keep; }
top=$(echo "$kept" | sed 's|^\(/tmp/relaylab-keep\.[^/]*\).*|\1|')
trap 'rm -rf "$work" "$top"' EXIT

[ "$(stat -c '%a %U' "$top")" = "700 root" ] && ok "kept top directory $top is 0700 root" \
  || fail "kept top directory $top is $(stat -c '%a %U' "$top")"
inst=$(cat "$work/instance" 2>/dev/null)
msgs=$(ls "$kept/$inst/sink/"msg-* 2>/dev/null)
[ -n "$msgs" ] || fail "no message in $kept/$inst/sink"
before=$failures
for m in $msgs; do
  case "$(stat -c '%a' "$m")" in
    600 | 640) ;;
    *) fail "$m is $(stat -c '%a' "$m")" ;;
  esac
done
[ -n "$msgs" ] && [ "$failures" -eq "$before" ] && ok "sink files are 0600 or 0640"
before=$failures
for m in $msgs; do
  if setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$m" >/dev/null 2>&1; then
    fail "user nobody can read $m"
  fi
done
[ -n "$msgs" ] && [ "$failures" -eq "$before" ] && ok "user nobody cannot read the kept messages"
it_done sandbox_keep
