#!/usr/bin/env bash
# bench/seed_matrix.sh [RUNS] - wall time of the whole seed matrix (both
# MTAs, cold: every MTA instance started inside the timed run), RUNS times
# (default 5), then one run with --compare-swaks: the same dialogues driven
# by swaks, one process per dialogue, against the same live sandboxes.
set -eu
RUNS=${1:-5}
TOP=$(cd "$(dirname "$0")/.." && pwd)
RELAYLAB=${RELAYLAB:-$TOP/build-rel/relaylab}
cd "$TOP"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq 1 "$RUNS"); do
  t0=$(date +%s%N)
  "$RELAYLAB" run -q -j 2 --results "$out" scenarios/seed > "$out/run.txt"
  t1=$(date +%s%N)
  echo "run $i: $(( (t1 - t0) / 1000000 )) ms wall (process start to exit): $(grep "cells held" "$out/run.txt")"
  ms=$(( (t1 - t0) / 1000000 )); best=$(( ${best:-$ms} < ms ? ${best:-$ms} : ms ))
done
. "$TOP/bench/floor.sh"
floor seed_matrix_s "$(echo "$best / 1000" | bc -l | xargs printf %.2f)"
"$RELAYLAB" run -q -j 2 --results "$out" --compare-swaks scenarios/seed | tail -1
echo "$(nproc) cores; postfix $(/usr/sbin/postconf -d mail_version 2>/dev/null | cut -d' ' -f3); exim 4.96 (unpacked); swaks $(swaks --version 2>&1 | head -1 | awk '{print $NF}')"
