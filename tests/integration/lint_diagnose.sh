#!/usr/bin/env bash
# lint_diagnose.sh RELAYLAB - "relaylab run --diagnose": when a cell fails on
# a user's config, lint's findings for that config follow the failures, once
# per config; a run that holds, or one without --diagnose, prints none.
set -u
RELAYLAB=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"
cd "$TOP"
data=tests/integration/data

# 1. An open relay on the user's Postfix config: the failure, then lint.
"$RELAYLAB" run -q --diagnose --mta postfix --results "$work/r1" \
  --postfix-config "$data/postfix-open" > "$work/1.out" 2>&1; rc=$?
[ "$rc" -eq 1 ] && ok "postfix-open: exit 1" || fail "postfix-open: exit $rc"
grep -q "^OPEN RELAY policy-no-unauthenticated-relay/default/postfix" "$work/1.out" &&
  ok "postfix-open: the failed cell" || fail "postfix-open: no failed cell"
awk '/^OPEN RELAY/ { f = 1 } f && /^--diagnose: relaylab lint --postfix-config / { print "yes"; exit }' \
  "$work/1.out" | grep -q yes && ok "postfix-open: lint's block after the failures" ||
  { fail "postfix-open: no lint block after the failures"; cat "$work/1.out"; }
grep -q "/main.cf:[0-9]*: \[auth-before-tls\] " "$work/1.out" &&
  grep -q "^  fix: smtpd_tls_auth_only = yes$" "$work/1.out" &&
  ok "postfix-open: a finding with its fix" || fail "postfix-open: no finding"
[ "$(grep -c '^--diagnose:' "$work/1.out")" -eq 1 ] && ok "postfix-open: once" || fail "postfix-open: not once"

# 2. Without --diagnose: no lint.
"$RELAYLAB" run -q --mta postfix --results "$work/r2" --postfix-config "$data/postfix-open" \
  > "$work/2.out" 2>&1
grep -q "^--diagnose:" "$work/2.out" && fail "lint without --diagnose" || ok "no --diagnose, no lint"

# 3. The user's Exim config, open too.
"$RELAYLAB" run -q --diagnose --mta exim --results "$work/r3" \
  --exim-config "$data/exim-open/exim.conf" > "$work/3.out" 2>&1; rc=$?
[ "$rc" -eq 1 ] && grep -q "^--diagnose: relaylab lint --exim-config " "$work/3.out" &&
  ok "exim-open: lint's block" || { fail "exim-open: exit $rc, or no lint block"; cat "$work/3.out"; }

# 4. A run that holds: nothing to diagnose.
"$RELAYLAB" run -q --diagnose --mta postfix --results "$work/r4" \
  --postfix-config "$data/postfix-user" > "$work/4.out" 2>&1; rc=$?
[ "$rc" -eq 0 ] && ! grep -q "^--diagnose:" "$work/4.out" && ok "postfix-user: holds, no lint" ||
  { fail "postfix-user: exit $rc, or lint printed"; cat "$work/4.out"; }

it_done lint_diagnose
