#!/usr/bin/env bash
# sandbox_listeners.sh RELAYLAB - "relaylab sandbox --no-listener NAME" on
# both MTAs: the listener left out refuses connections, the others answer,
# and leaving out all three, or a name that is none, is a usage error.
set -u
RELAYLAB=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"
for mta in postfix exim; do
  for gone in submission smtp; do
    out=$("$RELAYLAB" sandbox --mta $mta --no-listener $gone -- sh -c '
      r=$0
      for p in 25 587; do "$r" send --server "$RELAYLAB_ADDR:$p" --quit-after connect --silent; echo "$p=$?"; done' \
      "$RELAYLAB" 2>&1)
    want25=0 want587=4
    [ $gone = smtp ] && want25=4 want587=0
    if echo "$out" | grep -qx "25=$want25" && echo "$out" | grep -qx "587=$want587"; then
      ok "$mta --no-listener $gone: 25 $( [ $want25 = 0 ] && echo answers || echo refused ), 587 $( [ $want587 = 0 ] && echo answers || echo refused )"
    else
      fail "$mta --no-listener $gone: $(echo "$out" | grep -E '^(25|587)=' | tr '\n' ' ')"
    fi
  done
done
"$RELAYLAB" sandbox --mta postfix --no-listener smtp --no-listener submission --no-listener smtps -- true \
  > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "all three left out: usage error" || fail "all three left out: exit $rc"
"$RELAYLAB" sandbox --mta exim --no-listener pop3 -- true > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "an unknown listener name: usage error" || fail "unknown name: exit $rc"
it_done sandbox_listeners
