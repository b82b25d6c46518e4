#!/usr/bin/env bash
# install.sh RELAYLAB BUILD_DIR - "cmake --install" into a fresh prefix:
# PREFIX/bin/relaylab runs from anywhere and takes its templates from
# PREFIX/share/relaylab/templates (a mark added to the installed copies
# shows up in what it renders), RELAYLAB_TEMPLATE_DIR comes before them,
# and a RELAYLAB_TEMPLATE_DIR without templates is an error naming it.
set -u
RELAYLAB=$(readlink -f "$1")
BUILD=$(readlink -f "$2")
. "$(dirname "$0")/lib.sh"

prefix="$work/prefix"
cmake --install "$BUILD" --prefix "$prefix" > "$work/install.out" 2>&1 \
  && [ -x "$prefix/bin/relaylab" ] && [ -f "$prefix/share/relaylab/templates/mta/dovecot.conf" ] \
  && [ -f "$prefix/share/relaylab/templates/report/report.html" ] \
  && ok "cmake --install: bin/relaylab and share/relaylab/templates/{mta,report}" \
  || { fail "cmake --install"; cat "$work/install.out"; }
echo "# installed copy" >> "$prefix/share/relaylab/templates/mta/postfix-main.cf"
echo "/* installed copy */" >> "$prefix/share/relaylab/templates/report/report.css"

# Run from elsewhere, the environment without RELAYLAB_TEMPLATE_DIR.
cp "$TOP/scenarios/seed/01-client-not-authenticated.scn" "$work/01.scn"
cd "$work"
env -u RELAYLAB_TEMPLATE_DIR "$prefix/bin/relaylab" run -q --mta postfix --results "$work/r" "$work/01.scn" \
  > "$work/run.out" 2>&1; rc=$?
run=$(readlink -f "$work/r/latest")
if [ "$rc" -eq 0 ] && grep -q "^# installed copy" "$run"/cells/*.postfix/main.cf \
   && grep -qF "/* installed copy */" "$run/report.html"; then
  ok "installed relaylab renders main.cf and report.html from the installed templates"
else
  fail "installed run (exit $rc)"; tail -5 "$work/run.out"
fi

# RELAYLAB_TEMPLATE_DIR first: the source tree's templates, without the mark.
mkdir -p "$work/tpl" && ln -s "$TOP/harness/mta/templates" "$work/tpl/mta" \
  && ln -s "$TOP/harness/report/templates" "$work/tpl/report"
RELAYLAB_TEMPLATE_DIR="$work/tpl" "$prefix/bin/relaylab" run -q --mta postfix --results "$work/r2" "$work/01.scn" \
  > "$work/run2.out" 2>&1; rc=$?
run=$(readlink -f "$work/r2/latest")
if [ "$rc" -eq 0 ] && ! grep -q "installed copy" "$run"/cells/*.postfix/main.cf "$run/report.html"; then
  ok "RELAYLAB_TEMPLATE_DIR comes before the installed templates"
else
  fail "RELAYLAB_TEMPLATE_DIR run (exit $rc)"; tail -5 "$work/run2.out"
fi

# Pointing at nothing: exit 3 (environment), the path named, nothing written.
RELAYLAB_TEMPLATE_DIR="$work/nowhere" "$prefix/bin/relaylab" run -q --mta postfix --results "$work/r3" "$work/01.scn" \
  > "$work/run3.out" 2>&1; rc=$?
want="relaylab run: no mta templates: RELAYLAB_TEMPLATE_DIR=$work/nowhere, but $work/nowhere/mta: No such file or directory"
if [ "$rc" -eq 3 ] && grep -qxF "$want" "$work/run3.out" && [ ! -e "$work/r3" ]; then
  ok "RELAYLAB_TEMPLATE_DIR without templates: exit 3, the path named, nothing written"
else
  fail "missing templates (exit $rc)"; cat "$work/run3.out"
fi

it_done install
