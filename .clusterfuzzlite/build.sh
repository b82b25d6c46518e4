#!/bin/bash -eu
# .clusterfuzzlite/build.sh - build relaylab's in-process fuzz targets as
# OSS-Fuzz / ClusterFuzzLite build them: with $CC/$CXX, $CFLAGS/$CXXFLAGS
# (the sanitizer and coverage flags of the build) and $LIB_FUZZING_ENGINE,
# into $OUT, with each target's seed corpus as $OUT/TARGET_seed_corpus.zip
# and fuzz/smtp.dict as $OUT/TARGET.dict. Objects go to $WORK.
#
# The targets are fuzz/CMakeLists.txt's FUZZ_TARGETS (read from there, so a
# target added there is built here too); they link the protocol core
# (harness/smtp/*.c, the SMTP_SOURCES of CMakeLists.txt) and the scenario
# parser (relaylab_scenario_fuzz there) and OpenSSL. Not through CMake:
# RELAYLAB_BUILD_FUZZERS sets its own sanitizer flags, and OSS-Fuzz's must
# win.
#
# The source tree: the current directory (the Dockerfile's WORKDIR) if it is
# relaylab's, else $SRC/relaylab.

src=$PWD
[ -f "$src/fuzz/CMakeLists.txt" ] || src=$SRC/relaylab
work=${WORK:-/tmp}/relaylab-fuzz
rm -rf "$work"
mkdir -p "$work" "$OUT"

targets=$(sed -n 's/^set(FUZZ_TARGETS \(.*\))$/\1/p' "$src/fuzz/CMakeLists.txt")
[ -n "$targets" ] || { echo "build.sh: no FUZZ_TARGETS in fuzz/CMakeLists.txt" >&2; exit 1; }

includes="-I$src/harness/smtp -I$src/harness/scenario -I$src/harness/util"
# The C dialect of CMakeLists.txt (C11 with GNU extensions).
cflags="-std=gnu11 $CFLAGS $includes"

# The libraries: protocol core and scenario parser, once.
objs=()
for c in "$src"/harness/smtp/*.c "$src"/harness/scenario/scenario.c \
         "$src"/harness/scenario/scenario_format.c "$src"/harness/util/number.c \
         "$src"/harness/util/newfile.c "$src"/harness/util/sandnet.c; do
  o=$work/$(basename "${c%.c}").o
  $CC $cflags -c "$c" -o "$o"
  objs+=("$o")
done
ar rcs "$work/librelaylab_fuzz.a" "${objs[@]}"

for t in $targets; do
  $CC $cflags -c "$src/fuzz/fuzz_$t.c" -o "$work/fuzz_$t.o"
  # Linked with $CXX: $LIB_FUZZING_ENGINE may be a C++ library.
  $CXX $CXXFLAGS "$work/fuzz_$t.o" -o "$OUT/fuzz_$t" "$work/librelaylab_fuzz.a" \
    $LIB_FUZZING_ENGINE -lssl -lcrypto
  # scenario_roundtrip shares scenario's corpus (FUZZ_CORPUS_* in fuzz/CMakeLists.txt).
  corpus=$(sed -n "s/^set(FUZZ_CORPUS_$t \(.*\))\$/\1/p" "$src/fuzz/CMakeLists.txt")
  corpus=$src/fuzz/corpus/${corpus:-$t}
  if [ -d "$corpus" ]; then
    rm -f "$OUT/fuzz_${t}_seed_corpus.zip"
    (cd "$corpus" && zip -q -r "$OUT/fuzz_${t}_seed_corpus.zip" .)
  fi
  cp "$src/fuzz/smtp.dict" "$OUT/fuzz_$t.dict"
done
