#!/usr/bin/env bash
# sandbox_parallel.sh RELAYLAB - two full sandbox test runs (Postfix and
# Exim each) at the same time on one machine: all must pass. Each harness
# has its own network namespace, so the same 127.0.0.10:25 never collides.
set -u
RELAYLAB=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "sandbox_parallel.sh: needs root" >&2; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pids=()
for run in 1 2; do
  for mta in postfix exim; do
    "$HERE/sandbox.sh" "$RELAYLAB" $mta > "$work/$run-$mta.log" 2>&1 &
    pids+=($!)
  done
done
failures=0
for p in "${pids[@]}"; do wait "$p" || failures=$((failures+1)); done
for f in "$work"/*.log; do echo "$(basename "$f"): $(tail -1 "$f")"; done
[ "$failures" -eq 0 ] || { grep -h FAIL "$work"/*.log; exit 1; }
echo "all 4 concurrent sandbox runs passed"
# Many MTA starts at once inside one harness: six workers spawning
# contained MTAs side by side. Each spawn's init once inherited the other
# spawns' error pipes and the run hung for good (fixed in mta_proc.c).
cd "$HERE/../.."
timeout 300 "$RELAYLAB" run -q -j 6 --fresh --repeat 2 --results "$work/r" scenarios/seed \
  > "$work/j6.out" 2>&1; rc=$?
if [ "$rc" -ne 0 ]; then
  echo "run -j 6 --fresh: did not finish or did not pass (rc $rc; 124: timed out)"; tail -5 "$work/j6.out"; exit 1
fi
echo "run -j 6 --fresh --repeat 2: $(grep -o '[0-9]* of [0-9]* cells held' "$work/j6.out")"

