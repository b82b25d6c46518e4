#!/usr/bin/env bash
# bench/matrix_scale.sh - how relaylab run's cost grows with the work
# (issue 11): the seed matrix once, x25 (--repeat 25: 1025 cells, instances
# shared by cells with the same config), x10 with --fresh (410 cells, an MTA
# start per cell); wall time, cells/s and peak RSS of the harness (GNU time
# %M: the largest resident set of the process, the harness itself, whose
# MTAs are its children's children); then relaylab's own start-up: exec to
# the first byte on the wire (a connect to a closed port), over 200 runs.
# RELAYLAB=path/to/relaylab to measure another build.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RELAYLAB=${RELAYLAB:-$TOP/build-rel/relaylab}
cd "$TOP"
. bench/floor.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() { # LABEL ARGS...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/time" "$RELAYLAB" run -q -j 2 --results "$out/r" "$@" \
    > "$out/run.txt" 2>&1 || true
  read -r secs kb < "$out/time"
  cells=$(grep -o "[0-9]* of [0-9]* cells" "$out/run.txt" | awk '{print $3}')
  printf '%-34s %5s cells  %7.2f s  %6.1f cells/s  %6.1f MB peak RSS  (%s)\n' "$label" "$cells" \
    "$secs" "$(echo "$cells / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)" \
    "$(grep -o "[0-9]* of [0-9]* cells held" "$out/run.txt")"
  rm -rf "$out/r"
  LAST_SECS=$secs LAST_CPS=$(echo "$cells / $secs" | bc -l) LAST_KB=$kb
}
measure "seed" scenarios/seed
floor seed_matrix_s "$LAST_SECS"
kb41=$LAST_KB
measure "seed x25 (--repeat 25)" --repeat 25 scenarios/seed
floor matrix_x25_cps "$(printf %.1f "$LAST_CPS")"
floor rss_growth_ratio "$(echo "$LAST_KB / $kb41" | bc -l | xargs printf %.2f)"
measure "seed x10 --fresh" --repeat 10 --fresh scenarios/seed
floor matrix_fresh_cps "$(printf %.1f "$LAST_CPS")"
t0=$(date +%s%N)
for i in $(seq 1 200); do
  "$RELAYLAB" send --server 127.0.0.1:1 --quit-after connect --silent > /dev/null 2>&1 || true
done
t1=$(date +%s%N)
echo "start-up: exec to a refused connect and exit, 200 runs: $(( (t1 - t0) / 200000 )) us each (a bash loop's fork+exec included)"
t0=$(date +%s%N)
for i in $(seq 1 200); do /bin/true; done
t1=$(date +%s%N)
echo "         the same loop of /bin/true: $(( (t1 - t0) / 200000 )) us each"
# The same without the shell's fork: perf stat times exec to exit itself.
if command -v perf > /dev/null; then
  perf stat -r 200 "$RELAYLAB" send --server 127.0.0.1:1 --quit-after connect --silent 2>&1 \
    > /dev/null | awk '/task-clock/ {cpu=$1} /elapsed/ {printf "start-up (perf stat -r 200): %.0f us wall, %.0f us CPU, exec to exit\n", $1 * 1e6, cpu * 1000}' \
    | tee "$out/startup"
  floor startup_us "$(awk '{print $6}' "$out/startup")"
fi
echo "$(nproc) cores; $(uptime | sed 's/.*load/load/')"
