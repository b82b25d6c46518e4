#!/usr/bin/env bash
# fuzz_live.sh RELAYLAB - "relaylab fuzz" against live sandboxes:
# a config that is an open relay only for some dialogues (a sender-based
# permit for the server's own domain) is found within 60 s on Postfix and
# on Exim, and every scenario it writes reproduces with "relaylab run" as an
# OPEN RELAY; -j 1 and -j 4 find the same; the fixed variants of
# scenarios/seed report nothing.
set -u
RELAYLAB=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"
cd "$TOP"

for mta in postfix exim; do
  t0=$(date +%s)
  "$RELAYLAB" fuzz -q --mta $mta --scenario scenarios/fuzz/sender-permit.scn --variant open \
    --time 60 --seed 7 --max-findings 1 --results "$work/f-$mta" > "$work/$mta.out" 2>&1; rc=$?
  took=$(( $(date +%s) - t0 ))
  findings=$(ls "$work/f-$mta"/fuzz-*/finding-*.scn 2>/dev/null)
  if [ "$rc" -eq 1 ] && [ -n "$findings" ] && [ "$took" -le 65 ]; then
    ok "$mta: open relay found in ${took}s: $(grep -m1 'open relay' "$work/$mta.out" | sed 's/^ *//' | cut -c1-110)"
  else
    fail "$mta: no finding (exit $rc, ${took}s)"; tail -5 "$work/$mta.out"
  fi
  for f in $findings; do
    "$RELAYLAB" run -q --results "$work/r-$mta" "$f" > "$work/rerun.out" 2>&1; rc=$?
    if [ "$rc" -eq 1 ] && grep -q "^OPEN RELAY" "$work/rerun.out"; then
      ok "$mta: $(basename "$f") reproduces as OPEN RELAY with relaylab run"
    else
      fail "$mta: $(basename "$f") does not reproduce (exit $rc)"; cat "$f"; tail -5 "$work/rerun.out"
    fi
  done
done

# The same seed finds the same things whatever the jobs (dialogue k is the
# seed's and k's alone; findings are taken in the order of the dialogues).
for j in 1 4; do
  "$RELAYLAB" fuzz -q -j $j --mta postfix --scenario scenarios/fuzz/sender-permit.scn --variant open \
    --time 30 --seed 7 --max-findings 2 --results "$work/j$j" 2>/dev/null |
    grep -E '^  [a-z]' | sed 's/ -> .*//' > "$work/j$j.txt"
done
if [ "$(wc -l < "$work/j1.txt")" -eq 2 ] && cmp -s "$work/j1.txt" "$work/j4.txt"; then
  ok "postfix: -j 1 and -j 4 find the same first two open relays with seed 7"
else
  fail "postfix: -j 1 and -j 4 differ"; diff "$work/j1.txt" "$work/j4.txt"
fi

# The seed's fixed variants: nothing to find.
quiet=0
for scn in scenarios/seed/*.scn; do
  grep -q '^variant  *fixed' "$scn" || continue
  for mta in postfix exim; do
    grep -qE "^mta .*$mta" "$scn" || continue
    "$RELAYLAB" fuzz -q --mta $mta --scenario "$scn" --variant fixed --time 3 --seed 11 \
      --results "$work/q" > "$work/q.out" 2>&1; rc=$?
    if [ "$rc" -eq 0 ]; then
      quiet=$((quiet+1))
    else
      fail "$(basename "$scn") fixed on $mta: findings where there should be none (exit $rc)"; tail -4 "$work/q.out"
    fi
  done
done
[ "$quiet" -gt 0 ] && ok "the seed's fixed variants: no finding in $quiet fuzz runs"

it_done fuzz_live
