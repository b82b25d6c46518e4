#!/usr/bin/env bash
# bench/versions_seed.sh [REPS] - the seed matrix's wall time per runtime
# and per MTA version (issue 12), as root, after scripts/mta-rootfs and
# scripts/container-setup --build (every release's trees and images made).
#
# warm (trees and images already made): for each release of RELEASES and
# the host's own MTAs, `relaylab run --mta postfix@R --mta exim@R
# scenarios/seed` (plain --mta postfix --mta exim for the host) under
#   namespace  --runtime namespace (the release's tree, chrooted; the
#              host's own binaries without a release)
#   podman     --runtime container (relaylab/MTA:R under podman; without
#              a release relaylab takes the host's release's images)
#   docker     --runtime container --engine DOCKER, DOCKER_HOST a
#              `podman system service` of this script's own on a socket in
#              its work directory (ended by its PID afterwards)
# REPS times each (default 3), the rounds one after the other, each round
# every target and runtime in turn (so a change of load spreads over all).
# Kept per run: relaylab's own wall time (results.json wall_ms: the matrix,
# from the first instance to the last container swept), the process's
# time from exec to exit (also opening the targets, whose versions and
# user ids are read from the tree or by a container of each image, and
# writing the report), the exit code (anything but 0 is a failure of the
# bench, printed and counted), cells held, the MTA instances the run
# started with their start times (cells' mta_start_ms) and the time the
# workers spent outside cells (2 workers x wall - the cells' ms: stops and
# hand-overs, mostly), and the 1-minute load just before.
#
# memory: one run per runtime on bookworm, under /usr/bin/time -v, with
# every process below it sampled every 20 ms (VmHWM): relaylab's own
# processes apart from the engine's clients and the MTAs.
#
# cold (once per release, not REPS times): what a run needs made again
# from the release's cached Debian base (/var/cache/relaylab/rootfs/R.tar,
# kept), then the run:
#   namespace  both trees removed (not timed), `scripts/mta-rootfs
#              --release R` (tar extracted, docker/MTA/install chrooted:
#              apt fetches the packages from Debian's archive), the run
#   podman     `podman rmi` of both images (not timed; the build's
#              intermediate images go with them), `scripts/container-setup
#              --build --release R` (both builds, its checks), the run
# debootstrap itself is not run again (docker/README.md has its times).
# Each tree and image is made again by the cold part itself, and again by
# the exit trap if the script stops half-way; the end checks that all six
# trees and images are up to date and no container or run directory of
# relaylab's is left.
#
# Environment: RELAYLAB (default build-rel/relaylab), RELEASES (default
# "bullseye bookworm trixie"), PARTS (default "warm memory cold"), DOCKER
# (the docker client; default the one on PATH). Exit 0 when every run
# exited 0, 1 otherwise.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
REPS=${1:-3}
RELAYLAB=$(readlink -f "${RELAYLAB:-$TOP/build-rel/relaylab}")
RELEASES=${RELEASES:-bullseye bookworm trixie}
PARTS=${PARTS:-warm memory cold}
DOCKER=${DOCKER:-$(command -v docker || true)}
ROOTFS=${RELAYLAB_ROOTFS_DIR:-/var/lib/relaylab/rootfs}
[ "$(id -u)" -eq 0 ] || { echo "bench/versions_seed.sh: run as root" >&2; exit 3; }
[ -x "$RELAYLAB" ] || { echo "bench/versions_seed.sh: no relaylab at $RELAYLAB" >&2; exit 3; }
[ -x /usr/bin/time ] || { echo "bench/versions_seed.sh: needs GNU time (apt-get install time)" >&2; exit 3; }
command -v podman >/dev/null || { echo "bench/versions_seed.sh: needs podman (scripts/container-setup)" >&2; exit 3; }
[ -n "$DOCKER" ] || { echo "bench/versions_seed.sh: no docker client (scripts/setup unpacks one)" >&2; exit 3; }
case $REPS in ''|*[!0-9]*|0) echo "bench/versions_seed.sh: REPS must be a positive number" >&2; exit 2 ;; esac
cd "$TOP"

work=$(mktemp -d /tmp/versions-seed.XXXXXX)
svc_pid=""
pending="" # a cold step under way: what the exit trap makes again
finish() {
  local rc=$?
  if [ -n "$svc_pid" ]; then
    kill "$svc_pid" 2>/dev/null || true
    wait "$svc_pid" 2>/dev/null || true
  fi
  if [ -n "$pending" ]; then
    echo "bench/versions_seed.sh: stopped during a cold step; making it again: $pending" >&2
    $pending >&2 || echo "bench/versions_seed.sh: FAILED to make it again: $pending" >&2
  fi
  rm -rf "$work"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

load1() { cut -d' ' -f1 /proc/loadavg; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
failures=0

# others_wait [MAX] - until no relaylab of anybody else's runs (the warm
# figures would carry its load; the cold part replaces trees and images
# under it): at most MAX seconds, then on with a note (no MAX: as long as
# it takes)
others_wait() {
  local max=${1:-} n=0
  while pgrep -x relaylab >/dev/null; do
    [ $n -eq 0 ] && echo "  (waiting: another relaylab is running: $(pgrep -x relaylab | tr '\n' ' '))" >&2
    if [ -n "$max" ] && [ $((n * 2)) -ge "$max" ]; then
      echo "  (waited $max s; measuring beside it)" >&2
      return 0
    fi
    n=$((n + 1))
    sleep 2
  done
}

# run_one PART TARGET RUNTIME - one timed relaylab run, a record in runs.tsv
run_one() {
  local part=$1 target=$2 rt=$3 load t0 t1 rc=0
  local args=(run -q --results "$work/r") env=()
  case $rt in
    namespace) args+=(--runtime namespace) ;;
    podman) args+=(--runtime container --engine podman) ;;
    docker) args+=(--runtime container --engine "$DOCKER"); env=("DOCKER_HOST=unix://$work/podman.sock") ;;
  esac
  if [ "$target" = host ]; then
    args+=(--mta postfix --mta exim)
  else
    args+=(--mta "postfix@$target" --mta "exim@$target")
  fi
  args+=(scenarios/seed)
  rm -rf "$work/r"
  load=$(load1)
  t0=$(ms)
  env "${env[@]}" /usr/bin/time -f '%M' -o "$work/time" "$RELAYLAB" "${args[@]}" \
    > "$work/out" 2> "$work/err" || rc=$?
  t1=$(ms)
  python3 - "$work/r/latest/results.json" "$part" "$target" "$rt" "$rc" "$((t1 - t0))" \
    "$(tail -1 "$work/time")" "$load" >> "$work/runs.tsv" <<'PY'
import json, statistics, sys
path, part, target, rt, rc, proc_ms, rss, load = sys.argv[1:]
try:
    d = json.load(open(path))
except (OSError, ValueError):
    d = None
if d is None:
    print("\t".join([part, target, rt, rc, "-", "-", "-", proc_ms, rss, load, "-", "-", "-", "-"]))
    sys.exit(0)
cells = d["cells"]
starts = [c["mta_start_ms"] for c in cells if c.get("mta_start_ms", 0) > 0]
versions = {}
for c in cells:
    versions.setdefault(c["mta"], c.get("mta_version", "?"))
outside = 2 * d["wall_ms"] - sum(c["ms"] for c in cells)   # -j 2
print("\t".join(str(x) for x in [
    part, target, rt, rc, d["summary"]["cells"], d["summary"]["held"], d["wall_ms"], proc_ms, rss,
    load, len(starts), statistics.median(starts) if starts else 0, outside,
    " / ".join(versions[k] for k in sorted(versions, reverse=True))]))
PY
  if [ "$rc" -ne 0 ]; then
    failures=$((failures + 1))
    echo "FAILED: $part $target $rt: relaylab exited $rc" >&2
    tail -5 "$work/out" >&2
    tail -5 "$work/err" >&2
  fi
  tail -1 "$work/runs.tsv" | awk -F'\t' '{ printf "  %-5s %-9s %-9s rc %s  %s/%s cells  %6.2f s relaylab  %6.2f s process  load %s\n", $1, $2, $3, $4, $6, $5, $7 / 1000, $8 / 1000, $10 }' >&2
}

# service_start / service_stop - podman's Docker API on our own socket
service_start() {
  podman system service --time=0 "unix://$work/podman.sock" > "$work/service.log" 2>&1 &
  svc_pid=$!
  for _ in $(seq 1 100); do
    [ -S "$work/podman.sock" ] && break
    sleep 0.1
  done
  DOCKER_HOST=unix://$work/podman.sock "$DOCKER" version --format '{{.Server.APIVersion}}' > /dev/null ||
    { echo "bench/versions_seed.sh: podman's API service did not answer" >&2; cat "$work/service.log" >&2; exit 3; }
}
service_stop() {
  [ -n "$svc_pid" ] || return 0
  kill "$svc_pid"
  wait "$svc_pid" 2>/dev/null || true
  svc_pid=""
}

: > "$work/runs.tsv"
: > "$work/cold.tsv"
: > "$work/memory.txt"
case " $PARTS " in *" warm "*|*" memory "*) service_start ;; esac

case " $PARTS " in *" warm "*)
  echo "warm: $REPS rounds of $(echo "$RELEASES host" | wc -w) targets x 3 runtimes" >&2
  for _ in $(seq 1 "$REPS"); do
    for target in $RELEASES host; do
      for rt in namespace podman docker; do
        others_wait 300
        run_one warm "$target" "$rt"
      done
    done
  done
esac

case " $PARTS " in *" memory "*)
  echo "memory: one run per runtime on bookworm, /usr/bin/time -v and VmHWM sampled every 20 ms" >&2
  for rt in namespace podman docker; do
    args=(run -q --results "$work/r" --mta postfix@bookworm --mta exim@bookworm)
    env=()
    case $rt in
      namespace) args+=(--runtime namespace) ;;
      podman) args+=(--runtime container --engine podman) ;;
      docker) args+=(--runtime container --engine "$DOCKER"); env=("DOCKER_HOST=unix://$work/podman.sock") ;;
    esac
    rm -rf "$work/r"
    others_wait 300
    env "${env[@]}" /usr/bin/time -v -o "$work/timev" \
      "$RELAYLAB" "${args[@]}" scenarios/seed > "$work/out" 2> "$work/err" &
    tpid=$!
    python3 - "$tpid" > "$work/hwm" <<'PY'
import os, sys, time
root = int(sys.argv[1])
peak = {}            # pid -> (comm, VmHWM kB, is relaylab's main process)
main = None
def status(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            t = f.read()
    except OSError:
        return None
    v = {}
    for line in t.splitlines():
        k, _, rest = line.partition(":")
        v[k] = rest.strip()
    return v
while os.path.exists("/proc/%d" % root):
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    s = f.read()
            except OSError:
                continue
            ppid = int(s[s.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(name))
    todo = list(kids.get(root, []))
    if main is None and todo:
        main = todo[0]
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, []))
        v = status(pid)
        if v and "VmHWM" in v:
            kb = int(v["VmHWM"].split()[0])
            if kb > peak.get(pid, ("", 0))[1]:
                peak[pid] = (v["Name"], kb)
    time.sleep(0.02)
def top(pred):
    best = max(((kb, n) for pid, (n, kb) in peak.items() if pred(pid, n)), default=(0, "-"))
    return best
m = peak.get(main, ("-", 0))[1]
w = top(lambda pid, n: n == "relaylab" and pid != main)
e = top(lambda pid, n: n in ("podman", "docker"))
o = top(lambda pid, n: n not in ("relaylab", "podman", "docker"))
print("%.1f\t%.1f\t%.1f\t%s\t%d" % (m / 1024, w[0] / 1024, e[0] / 1024, "%s %.1f" % (o[1], o[0] / 1024), len(peak)))
PY
    rc=0
    wait "$tpid" || rc=$?
    [ "$rc" -eq 0 ] || { failures=$((failures + 1)); echo "FAILED: memory $rt: relaylab exited $rc" >&2; tail -5 "$work/err" >&2; }
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/timev")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/timev")
    printf '%s\t%s\t%s\t%s\t%s\n' "$rt" "$rc" "$wall" "$rss" "$(cat "$work/hwm")" >> "$work/memory.txt"
    echo "  memory $rt rc $rc: time -v max RSS $rss kB, wall $wall" >&2
  done
esac
service_stop

# cold_make RELEASE RUNTIME T0 WHAT SED CMD... - after WHAT was removed (since T0):
# CMD makes it again (SED picks each item's time from its output), then the run
cold_make() {
  local release=$1 rt=$2 t0=$3 what=$4 pick=$5 t1 t2 load each
  shift 5
  t1=$(ms)
  load=$(load1)
  "$@" > "$work/make.log" 2>&1 ||
    { cat "$work/make.log" >&2; echo "bench/versions_seed.sh: ${*#"$TOP/"} failed" >&2; exit 1; }
  t2=$(ms)
  pending=""
  each=$(sed -n "$pick" "$work/make.log" | paste -sd, -)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$release" "$rt" "$((t1 - t0))" "$((t2 - t1))" "$load" "$each" >> "$work/cold.tsv"
  echo "  cold  $release $rt: $what removed in $((t1 - t0)) ms, ${1##*/} $((t2 - t1)) ms ($each)" >&2
  run_one cold "$release" "$rt"
}

case " $PARTS " in *" cold "*)
  echo "cold: per release, trees and images made again from the cached base tar, then the run" >&2
  for release in $RELEASES; do
    [ -f "/var/cache/relaylab/rootfs/$release.tar" ] ||
      { echo "bench/versions_seed.sh: no /var/cache/relaylab/rootfs/$release.tar" >&2; exit 3; }
    others_wait
    # namespace: both trees removed, made again, the run
    t0=$(ms)
    for mta in postfix exim; do
      d=$ROOTFS/$mta-$release
      if awk -v d="$d" '$5 == d || index($5, d "/") == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
        echo "bench/versions_seed.sh: something is mounted under $d; not removing it" >&2
        exit 3
      fi
      pending="$TOP/scripts/mta-rootfs --release $release"
      rm -rf -- "$d"
    done
    cold_make "$release" namespace "$t0" trees 's|^.*/\([a-z]*\)-[a-z]*: made, .* in \([0-9.]*\) s: .*|\1 \2 s|p' \
      "$TOP/scripts/mta-rootfs" --release "$release"
    # podman: both images removed, built again, the run
    others_wait
    t0=$(ms)
    pending="$TOP/scripts/container-setup --build --release $release"
    podman rmi "relaylab/postfix:$release" "relaylab/exim:$release" > /dev/null
    cold_make "$release" podman "$t0" images 's|^.*relaylab/\([a-z]*\):[a-z]* built in \([0-9.]*\) s: .*|\1 \2 s|p' \
      "$TOP/scripts/container-setup" --build --release "$release"
  done
esac

python3 - "$work/runs.tsv" "$work/cold.tsv" "$work/memory.txt" <<'PY'
import statistics, sys
runs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
cold = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
mem = [l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if l.strip()]

def num(x):
    try:
        return float(x)
    except ValueError:
        return None

def mmm(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    return "%5.2f [%5.2f-%5.2f]" % (statistics.median(xs), min(xs), max(xs))

warm = [r for r in runs if r[0] == "warm"]
targets, rts = [], []
for r in warm:
    if r[1] not in targets:
        targets.append(r[1])
    if r[2] not in rts:
        rts.append(r[2])
if warm:
    print("warm (trees and images made): seconds, median [min-max] over %d runs"
          % max(sum(1 for r in warm if r[1] == t and r[2] == q) for t in targets for q in rts))
    print("%-9s %-9s %-48s %-9s %-10s %-21s %-21s %-9s %-9s %-11s %-7s %s" % (
        "target", "runtime", "postfix / exim", "cells", "exit", "relaylab wall s", "process s",
        "instances", "start ms", "outside/inst", "RSS MB", "load"))
    base = {}
    for t in targets:
        for q in rts:
            rs = [r for r in warm if r[1] == t and r[2] == q]
            if not rs:
                continue
            wall = [num(r[6]) / 1000 if num(r[6]) is not None else None for r in rs]
            proc = [num(r[7]) / 1000 for r in rs]
            inst = [num(r[10]) for r in rs if num(r[10]) is not None]
            start = [num(r[11]) for r in rs if num(r[11]) is not None]
            outside = [num(r[12]) / num(r[10]) for r in rs if num(r[12]) is not None and num(r[10])]
            cells = sorted(set("%s/%s" % (r[5], r[4]) for r in rs))
            codes = ",".join(r[3] for r in rs)
            rss = max(num(r[8]) for r in rs) / 1024
            print("%-9s %-9s %-48s %-9s %-10s %-21s %-21s %-9s %-9s %-11s %-7.1f %s" % (
                t, q, rs[0][13], " ".join(cells), codes, mmm(wall), mmm(proc),
                "%d" % statistics.median(inst) if inst else "-",
                "%d" % statistics.median(start) if start else "-",
                "%d ms" % statistics.median(outside) if outside else "-", rss,
                "%s-%s" % (min(rs, key=lambda r: float(r[9]))[9], max(rs, key=lambda r: float(r[9]))[9])))
            if wall and all(w is not None for w in wall):
                base[(t, q)] = (statistics.median(wall), statistics.median(proc),
                                statistics.median(inst) if inst else 0)
    print()
    print("container - namespace, medians (relaylab wall; process), and per MTA instance the"
          " relaylab wall difference x 2 workers / instances:")
    for t in targets:
        if (t, "namespace") not in base:
            continue
        nw, np_, ni = base[(t, "namespace")]
        for q in rts:
            if q == "namespace" or (t, q) not in base:
                continue
            w, p, i = base[(t, q)]
            print("  %-9s %-7s +%5.2f s wall  +%5.2f s process  %s" % (
                t, q, w - nw, p - np_, "%.0f ms per instance (%d instances)" % ((w - nw) * 2000 / i, i) if i else ""))
if cold:
    print()
    print("cold (once per release): made again from the cached base tar, then the run")
    print("%-9s %-9s %-10s %-34s %-10s %-10s %-10s %-6s %-5s %s" % (
        "release", "runtime", "make s", "each (the script's own figure)", "run wall s", "process s",
        "total s", "cells", "exit", "load"))
    cr = [r for r in runs if r[0] == "cold"]
    for c in cold:
        rel, rt, removed, make, load, each = c
        r = next((r for r in cr if r[1] == rel and r[2] == rt), None)
        make_s = float(make) / 1000
        if r is None:
            print("%-9s %-9s %-10.1f %-34s (no run)" % (rel, rt, make_s, each))
            continue
        wall = num(r[6])
        print("%-9s %-9s %-10.1f %-34s %-10s %-10.2f %-10.1f %-6s %-5s %s" % (
            rel, rt, make_s, each, "%.2f" % (wall / 1000) if wall is not None else "-",
            float(r[7]) / 1000, make_s + float(r[7]) / 1000, "%s/%s" % (r[5], r[4]), r[3], load))
    print("(not timed: removing the trees or images before; debootstrap of the base tar is not run)")
if mem:
    print()
    print("memory (bookworm, one run each): MB; time -v = the largest process of relaylab's tree"
          " (relaylab, the engine's clients, the MTAs it reaps)")
    print("%-9s %-5s %-10s %-9s %-14s %-16s %-14s %s" % (
        "runtime", "exit", "wall", "time -v", "relaylab main", "relaylab other", "engine client",
        "largest other (processes seen)"))
    for m in mem:
        rt, rc, wall, rss, main, worker, engine, other, seen = m
        print("%-9s %-5s %-10s %-9.1f %-14s %-16s %-14s %s (%s)" % (
            rt, rc, wall, float(rss) / 1024, main, worker, engine, other, seen))
PY
echo "$(nproc) cores; $("$RELAYLAB" --version); podman $(podman version --format '{{.Client.Version}}');" \
  "docker client $("$DOCKER" --version | awk '{print $3}' | tr -d ,); load now $(cut -d' ' -f1-3 /proc/loadavg)"

# As found: every tree and image up to date, nothing of relaylab's left.
trees=$("$TOP/scripts/mta-rootfs" 2>&1 | grep -c ': up to date in ' || true)
images=$("$TOP/scripts/container-setup" --build 2>&1 | grep -c 'up to date' || true)
sleep 1 # conmon outlives podman rm by a moment
echo "left: trees up to date $trees/6, images up to date $images/6," \
  "relaylab containers $(podman ps -aq --filter label=org.relaylab.owner | wc -l)," \
  "run directories $(find /tmp -maxdepth 1 -name 'relaylab-ctr.*' | wc -l), API service" \
  "$( [ -n "$svc_pid" ] && echo running || echo ended)"
[ "$failures" -eq 0 ] || { echo "bench/versions_seed.sh: $failures run(s) exited non-zero" >&2; exit 1; }
