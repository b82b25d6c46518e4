#!/usr/bin/env bash
# bench/fuzz_rate.sh [LABEL=RELAYLAB ...] - relaylab fuzz's dialogues/s
# (issue 11) on the base config and on an open relay's
# (scenarios/fuzz/sender-permit.scn, variant open: findings whose mail the
# sink must see), Postfix and Exim, 10 s each with seed 5, builds side by
# side, each row with the load average just before it. Default: this
# tree's build-rel. JOBS="1 4" also runs -j 1 and -j 4 where the build has
# --jobs (before it, one dialogue at a time was all there was).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
[ $# -gt 0 ] || set -- "this=$TOP/build-rel/relaylab"
SECS=${SECS:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-8s %-4s %-6s %-8s %-20s %s\n' build -j config mta "load (1/5/15 min)" result
for cfg in base open; do
  args=()
  [ "$cfg" = open ] && args=(--scenario scenarios/fuzz/sender-permit.scn --variant open)
  for mta in postfix exim; do
    for build in "$@"; do
      label=${build%%=*} bin=${build#*=}
      jobs=-
      "$bin" fuzz --help 2>&1 | grep -q -- '--jobs' && jobs=${JOBS:-4}
      for j in $jobs; do
        jarg=()
        [ "$j" = - ] || jarg=(-j "$j")
        load=$(uptime | sed 's/.*load average: //')
        "$bin" fuzz "${jarg[@]}" --mta "$mta" "${args[@]}" --time "$SECS" --seed 5 \
          --results "$out/r" > "$out/fuzz.txt" 2>&1 || true
        result=$(grep -E '^ *[0-9.]+ s ' "$out/fuzz.txt" | tail -1 | sed 's/^ *//')
        printf '%-8s %-4s %-6s %-8s %-20s %s\n' "$label" "$j" "$cfg" "$mta" "$load" "$result"
        rm -rf "$out/r"
      done
    done
  done
done
echo "$(nproc) cores"
