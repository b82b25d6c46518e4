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
# A user's master.cf with a comment between a service's -o lines (Debian's
# commented-out options): Postfix keeps the -o lines after it with the
# service, so both of its listeners (IPv4, IPv6) must carry all of them;
# and a service left out takes all of them along.
data=$(cd "$(dirname "$0")" && pwd)/data/postfix-user
mkdir -p "$work/mc"
cp "$data/main.cf" "$work/mc/main.cf"
sed 's|^  -o smtpd_tls_security_level=encrypt$|#  -o smtpd_tls_security_level=encrypt\n\n  -o mynetworks=0.0.0.0/0\n# a comment|' \
  "$data/master.cf" > "$work/mc/master.cf"
out=$("$RELAYLAB" sandbox --mta postfix --config "$work/mc/main.cf" --config "$work/mc/master.cf" -- \
  sh -c 'postconf -c "$RELAYLAB_DIR" -Mf' 2>/dev/null)
n=$(echo "$out" | awk '/^[^ ]/ {svc=$1} /-o mynetworks=0.0.0.0\/0/ {print svc}' | sort | tr '\n' ' ')
[ "$n" = "192.0.2.10:587 [2001:db8::10]:587 " ] &&
  ok "a comment between -o lines: both 587 listeners keep the -o lines after it" ||
  fail "-o lines after a comment: with $n"
out=$("$RELAYLAB" sandbox --mta postfix --no-listener submission --config "$work/mc/main.cf" \
  --config "$work/mc/master.cf" -- sh -c 'postconf -c "$RELAYLAB_DIR" -Mf' 2>/dev/null)
echo "$out" | grep -q "mynetworks=0.0.0.0/0" && fail "a left-out service's -o lines moved to another service" ||
  ok "a left-out service takes its -o lines after a comment along"
it_done sandbox_listeners
