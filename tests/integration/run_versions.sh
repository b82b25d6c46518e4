#!/usr/bin/env bash
# run_versions.sh RELAYLAB - the seed catalogue on Postfix and Exim from
# three Debian releases (bullseye, bookworm, trixie), each from its root
# file system (scripts/mta-rootfs, which scripts/setup runs), in the
# namespace runtime:
# - every cell holds, on every release, and each cell's verdict is the
#   host's MTA's for the same scenario and variant;
# - the matrix has a column per release, titled with the version the
#   release's own files name (console, JUnit property, results.json);
# - the MTA that ran is the release's: its log's "daemon started --
#   version X" (Postfix), "exim X daemon started" (Exim);
# - a release without a root file system is an environment error (exit 3)
#   that names the command making it; an unknown release is a usage error.
# A missing root file system fails this test: it is not skipped.
set -u
RELAYLAB=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"
cd "$TOP"
ROOTFS=${RELAYLAB_ROOTFS_DIR:-/var/lib/relaylab/rootfs}
RELEASES="bullseye bookworm trixie"

mtas=""
for r in $RELEASES; do
  for m in postfix exim; do
    if [ ! -s "$ROOTFS/$m-$r/etc/relaylab-mta-version" ]; then
      fail "no root file system $ROOTFS/$m-$r (scripts/mta-rootfs makes it)"
      continue
    fi
    mtas="$mtas --mta $m@$r"
  done
done
[ "$failures" -eq 0 ] || it_done run_versions

# 1. The seed on all six, and on the host's two, in one run.
"$RELAYLAB" run -q --results "$work/r" $mtas --mta postfix --mta exim scenarios/seed \
  > "$work/out" 2> "$work/err"
rc=$?
[ "$rc" -eq 0 ] && ok "seed on 3 releases x 2 MTAs + the host's: exit 0" ||
  { fail "seed on the releases: exit $rc"; tail -30 "$work/out" "$work/err"; }
grep -q "held their expectations" "$work/out" && ok "every cell held" || fail "summary: $(tail -2 "$work/out")"

python3 - "$work/r/latest" "$ROOTFS" $RELEASES <<'PY' || failures=$((failures+1))
import json, sys, xml.etree.ElementTree as ET
res, rootfs, releases = sys.argv[1], sys.argv[2], sys.argv[3:]
cells = json.load(open(f"{res}/results.json"))["cells"]
bad = 0
def no(msg):
    global bad
    print("FAIL", msg); bad += 1
by = {}
for c in cells:
    by.setdefault((c["scenario"], c["variant"]), {})[c["mta_column"]] = c["status"]
for m in ("postfix", "exim"):
    want_cols = [f"{m}@{r}" for r in releases]
    n = 0
    for key, cols in by.items():
        if m not in cols:
            continue
        for col in want_cols:
            if cols.get(col) != cols[m]:
                no(f"{key} on {col}: {cols.get(col)}, host's {m}: {cols[m]}")
            n += 1
    print(f"ok   {m}: {n} cells on the releases, each the host's verdict")
    for r in releases:
        first = open(f"{rootfs}/{m}-{r}/etc/relaylab-mta-version").readline().split()
        title = f"{m} {first[1]} ({r})"
        got = {c["mta_version"] for c in cells if c["mta_column"] == f"{m}@{r}"}
        if got != {title}:
            no(f"{m}@{r} titled {got}, want {title!r}")
        else:
            print(f"ok   column {m}@{r} titled {title!r}")
suites = {s.get("name"): s for s in ET.parse(f"{res}/junit.xml").getroot()}
for s, el in suites.items():
    prop = el.find("properties/property[@name='mta']")
    if prop is None:
        no(f"JUnit suite {s} has no mta property")
for m in ("postfix", "exim"):
    for r in releases:
        if f"relaylab.{m}@{r}" not in suites:
            no(f"no JUnit suite relaylab.{m}@{r}: {sorted(suites)}")
print("ok   JUnit: a suite per column, each naming its MTA's version" if not bad else "")
sys.exit(1 if bad else 0)
PY
head -3 "$work/out" | grep -q "postfix@bullseye" && ok "console: a column per release" ||
  fail "console header: $(head -3 "$work/out")"

# 2. The release's own binary ran: its version in its own log (a kept run).
for r in $RELEASES; do
  want=$(awk 'NR==1 {print $2}' "$ROOTFS/postfix-$r/etc/relaylab-mta-version")
  "$RELAYLAB" run -q --keep --results "$work/k-$r" --mta "postfix@$r" \
    --filter client-not-authenticated/broken scenarios/seed > "$work/kout" 2>&1
  kept=$(sed -n 's/^kept: //p' "$work/kout")
  if [ -n "$kept" ] && grep -qs "daemon started -- version $want," "$kept"/postfix-*/maillog; then
    ok "postfix@$r: its log says 'daemon started -- version $want'"
  else
    fail "postfix@$r: no 'daemon started -- version $want' in ${kept:-?}/postfix-*/maillog"
  fi
  [ -n "$kept" ] && rm -rf "$(dirname "$kept")"
  want=$(awk 'NR==1 {print $2}' "$ROOTFS/exim-$r/etc/relaylab-mta-version")
  "$RELAYLAB" run -q --keep --results "$work/k-$r" --mta "exim@$r" \
    --filter client-not-authenticated/broken scenarios/seed > "$work/kout" 2>&1
  kept=$(sed -n 's/^kept: //p' "$work/kout")
  if [ -n "$kept" ] && grep -qs "exim $want daemon started" "$kept"/exim-*/log/mainlog; then
    ok "exim@$r: its log says 'exim $want daemon started'"
  else
    fail "exim@$r: no 'exim $want daemon started' in ${kept:-?}/exim-*/log/mainlog: $(ls "$kept"/exim-* 2>&1 | head -5)"
  fi
  [ -n "$kept" ] && rm -rf "$(dirname "$kept")"
done

# 3. A scenario that states a real difference per release (Exim's banner
# names its version): on each release exactly its own line is checked, the
# host's Exim taking its release's; and a line that names the wrong
# version for one release fails that release's cell only.
scn=tests/integration/data/releases/exim-banner.scn
"$RELAYLAB" run -q --results "$work/b" --mta exim@bullseye --mta exim@bookworm --mta exim@trixie \
  --mta exim "$scn" > "$work/bout" 2>&1 && ok "per-release banners: every cell holds" ||
  fail "per-release banners: $(tail -5 "$work/bout")"
python3 - "$work/b/latest/results.json" <<'PY' && ok "each cell checked one banner line, its own (5 checks)" || failures=$((failures+1))
import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
bad = [(c["mta_column"], c["checks"]) for c in cells if c["checks"] != 5]
print("FAIL checks:", bad) if bad or len(cells) != 4 else None
sys.exit(1 if bad or len(cells) != 4 else 0)
PY
sed 's/"ESMTP Exim 4.94.2"/"ESMTP Exim 4.96"/' "$scn" > "$work/wrong.scn"
"$RELAYLAB" run -q --results "$work/w" --mta exim@bullseye --mta exim@trixie "$work/wrong.scn" > "$work/wout" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "FAIL exim-banner-per-release/default/exim@bullseye" "$work/wout" &&
   ! grep -q "FAIL exim-banner-per-release/default/exim@trixie" "$work/wout"; then
  ok "the wrong version on @bullseye fails bullseye's cell only"
else
  fail "wrong version on @bullseye: exit $rc: $(cat "$work/wout")"
fi

# 4. Errors: a release without a root file system; one relaylab does not know.
RELAYLAB_ROOTFS_DIR=$work/none "$RELAYLAB" run -q --results "$work/e" --mta postfix@trixie \
  scenarios/seed > "$work/eout" 2>&1
rc=$?
[ "$rc" -eq 3 ] && grep -q "scripts/mta-rootfs --release trixie --mta postfix" "$work/eout" &&
  ok "no root file system: exit 3, names scripts/mta-rootfs" ||
  fail "no root file system: exit $rc: $(cat "$work/eout")"
[ ! -e "$work/e" ] || [ -z "$(ls -A "$work/e")" ] && ok "nothing written" || fail "wrote $(ls "$work/e")"
"$RELAYLAB" run -q --results "$work/e" --mta postfix@sid scenarios/seed > "$work/eout" 2>&1
rc=$?
[ "$rc" -eq 2 ] && grep -q "bullseye, bookworm, trixie" "$work/eout" &&
  ok "unknown release: exit 2, the releases named" || fail "postfix@sid: exit $rc: $(cat "$work/eout")"

it_done run_versions
