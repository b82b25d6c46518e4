#!/usr/bin/env bash
# bench/fuzz_execs.sh [SECONDS] - exec/s of every in-process fuzz target
# under libFuzzer WITHOUT sanitizers (the issue's measure), each run for
# SECONDS (default 20) from its corpus with fuzz/smtp.dict, one at a time.
set -eu
SECS=${1:-20}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
B=build-fuzz-nosan
CC=clang CXX=clang++ cmake -S . -B $B -G Ninja -DRELAYLAB_BUILD_FUZZERS=ON -DRELAYLAB_FUZZ_SANITIZE=OFF \
  -DRELAYLAB_BUILD_TESTS=OFF >/dev/null
targets="reply ehlo cmd path scenario sasl client"
ninja -C $B $(for t in $targets; do echo fuzz_$t; done) >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in $targets; do
  mkdir -p "$work/$t"
  "$B/fuzz/fuzz_$t" -max_total_time="$SECS" -dict=fuzz/smtp.dict "$work/$t" "fuzz/corpus/$t" > "$work/$t.log" 2>&1
  printf '%-9s %s  %s\n' "$t" "$(grep -oE 'exec/s: [0-9]+' "$work/$t.log" | tail -1)" "$(grep -oE 'cov: [0-9]+' "$work/$t.log" | tail -1)"
done
