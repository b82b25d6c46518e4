#!/usr/bin/env bash
# run_container.sh RELAYLAB RELEASE... - relaylab run --runtime container
# (label "container"): the seed catalogue on Postfix and Exim of each
# RELEASE in containers of relaylab/MTA:RELEASE (scripts/container-setup
# --build makes them), under podman and through the docker CLI against
# podman's Docker-compatible API socket:
# - every cell holds, and each cell's verdict is the namespace runtime's
#   for the same MTA and release (its root file system), cell by cell;
# - the columns are titled with the image's versions;
# - the clients' addresses reach the MTA unchanged (the office's 10.0.0.5
#   in Postfix's log, not a bridge's gateway);
# - no container, run directory or MTA process is left behind, and a
#   run killed with SIGKILL leaves nothing that the next run does not
#   remove (its containers by label, its run directory by owner);
# - under each engine, the sweep removes a container a gone owner marked
#   and leaves one whose label is not relaylab's token.
# Missing images or engine fail this test: they are not skipped.
set -u
RELAYLAB=$(readlink -f "$1")
shift
RELEASES=${*:-trixie bullseye}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run_container.sh: needs root" >&2; exit 77; }
work=$(mktemp -d)
svc_pid=""
cleanup() {
  # Only what this test started: the API service, by its PID.
  [ -z "$svc_pid" ] || kill "$svc_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures+1)); }
ok() { echo "ok   $*"; }
cd "$TOP"

command -v podman >/dev/null || { fail "no podman (scripts/container-setup installs it)"; exit 1; }
mtas=""
for r in $RELEASES; do
  for m in postfix exim; do
    podman image exists "relaylab/$m:$r" || fail "no image relaylab/$m:$r (scripts/container-setup --build)"
    mtas="$mtas --mta $m@$r"
  done
done
[ "$failures" -eq 0 ] || exit 1
label=org.relaylab.owner
leftovers() { podman ps -a --filter "label=$label" --format '{{.Names}}'; }
# gone - no relaylab container within 15 s (a service removes --rm containers after they end)
gone() {
  local end=$((SECONDS + 15))
  while [ -n "$(leftovers)" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
  [ -z "$(leftovers)" ]
}
# mta_up - an MTA's container of a run is up (not the version probe), within 60 s
mta_up() {
  local end=$((SECONDS + 60))
  until podman ps --filter "label=$label" --format '{{.Names}}' | grep -q -- '-postfix-[0-9]'; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.1
  done
}
[ -z "$(leftovers)" ] || echo "note: containers of earlier runs: $(leftovers | tr '\n' ' ')"

# compare A B WHAT - same statuses cell by cell; every cell passed or is n/a (or OPEN RELAY on purpose)
compare() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
a = {(c["scenario"], c["variant"], c["mta_column"]): c for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]}
b = {(c["scenario"], c["variant"], c["mta_column"]): c for c in json.load(open(sys.argv[2] + "/results.json"))["cells"]}
bad = 0
if set(a) != set(b):
    print("FAIL", sys.argv[3], "cells differ:", sorted(set(a) ^ set(b))[:5]); bad += 1
for k in sorted(set(a) & set(b)):
    if a[k]["status"] != b[k]["status"]:
        print("FAIL", sys.argv[3], k, a[k]["status"], "vs", b[k]["status"], b[k].get("message", "")[:300]); bad += 1
    if a[k]["mta_version"] != b[k]["mta_version"]:
        print("FAIL", sys.argv[3], k, "titled", a[k]["mta_version"], "vs", b[k]["mta_version"]); bad += 1
print(("ok  " if not bad else "FAIL"), sys.argv[3] + ":", len(a), "cells, the same verdicts and versions")
sys.exit(1 if bad else 0)
PY
}

# 1. The namespace runtime on the releases' root file systems: the reference.
"$RELAYLAB" run -q --results "$work/ns" $mtas scenarios/seed > "$work/ns.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "namespace runtime on $RELEASES: exit 0" || { fail "namespace runtime: exit $rc"; tail -20 "$work/ns.out"; }

# 2. podman.
t0=$(date +%s.%N)
"$RELAYLAB" run -q --runtime container --results "$work/pod" $mtas scenarios/seed > "$work/pod.out" 2>&1
rc=$?
t1=$(date +%s.%N)
[ "$rc" -eq 0 ] && ok "podman on $RELEASES: exit 0 ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s)" ||
  { fail "podman: exit $rc"; tail -30 "$work/pod.out"; }
compare "$work/ns/latest" "$work/pod/latest" "podman vs namespace" || failures=$((failures+1))
r=${RELEASES%% *}
want=$(podman run --rm --pull=never --network=none "relaylab/postfix:$r" cat /etc/relaylab-mta-version | awk 'NR==1 {print $2}')
grep -q "postfix $want ($r)" "$work/pod/latest/junit.xml" && ok "JUnit names postfix $want ($r), the image's" ||
  fail "JUnit does not name 'postfix $want ($r)'"
# The office's address reached the MTA unchanged (mynetworks depends on it).
if grep -qs "connect from unknown\[10.0.0.5\]" "$work/pod/latest/cells/mynetworks-misconfigured.fixed.postfix@$r/mta.log"; then
  ok "postfix@$r in a container logged the office's client as 10.0.0.5"
else
  fail "no 'connect from unknown[10.0.0.5]' in the container's log: $(head -3 "$work/pod/latest/cells/mynetworks-misconfigured.fixed.postfix@$r/mta.log" 2>&1)"
fi
gone && ok "podman: no container left" || fail "podman left: $(leftovers)"
ls -d /tmp/relaylab-ctr.* >/dev/null 2>&1 && fail "a run directory left: $(ls -d /tmp/relaylab-ctr.*)" || ok "no run directory left"

# 3. The docker CLI against podman's Docker API (podman system service).
docker_bin=${RELAYLAB_DOCKER:-$(command -v docker || true)}
[ -n "$docker_bin" ] || [ ! -x /opt/relaylab/docker-cli/usr/bin/docker ] || docker_bin=/opt/relaylab/docker-cli/usr/bin/docker
if [ -z "$docker_bin" ]; then
  fail "no docker CLI (.ci/run extracts Debian's docker.io client; RELAYLAB_DOCKER names another)"
else
  sock=$work/podman.sock
  podman system service --time=0 "unix://$sock" > "$work/svc.log" 2>&1 &
  svc_pid=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  export DOCKER_HOST=unix://$sock
  "$docker_bin" version --format '{{.Server.Version}}' > "$work/dv" 2>&1 && ok "docker CLI talks to podman's API ($(cat "$work/dv"))" ||
    fail "docker version: $(cat "$work/dv")"
  "$RELAYLAB" run -q --runtime container --engine "$docker_bin" --results "$work/dock" $mtas scenarios/seed > "$work/dock.out" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] && ok "docker CLI on $RELEASES: exit 0" || { fail "docker CLI: exit $rc"; tail -30 "$work/dock.out"; }
  compare "$work/ns/latest" "$work/dock/latest" "docker CLI vs namespace" || failures=$((failures+1))
  gone && ok "docker CLI: no container left" || fail "docker CLI left: $(leftovers)"
  unset DOCKER_HOST
fi

# 4. Killed with SIGKILL mid-run, under each engine: no MTA process
# outlives it (podman's run in relaylab's PID namespace, which ends with
# it; docker's service's containers read the run's lifeline FIFO), and the
# next run removes what is left: podman's records, the run directory.
# kill_run WHAT ENGINE... - start a long run, kill it when a container is up
kill_run() {
  local what=$1
  shift
  "$RELAYLAB" run -q --runtime container "$@" --results "$work/kill" --mta "postfix@$r" \
    --repeat 20 scenarios/seed > "$work/kill.out" 2>&1 &
  local victim=$! t0=$SECONDS
  mta_up && ok "$what: a container of the run to kill is up (after $((SECONDS - t0)) s)" ||
    fail "$what: no container appeared: $(tail -5 "$work/kill.out")"
  kill -KILL "$victim"
  wait "$victim" 2>/dev/null
  sleep 2
  # The MTAs themselves (a container's sh holds their command line as arguments too).
  if pgrep -f "^/usr/lib/postfix/sbin/master -c /run/relaylab/" >/dev/null ||
     pgrep -f "^[^ ]*exim4 -C /run/relaylab/" >/dev/null; then
    fail "$what: an MTA process outlived the killed run: $(pgrep -af 'run/relaylab/(postfix|exim)-' | head -3)"
  else
    ok "$what: after SIGKILL, no MTA process left"
  fi
  "$RELAYLAB" run -q --runtime container "$@" --results "$work/after" --mta "postfix@$r" \
    --filter client-not-authenticated/broken scenarios/seed > "$work/after.out" 2>&1 ||
    fail "$what: the run after the kill: $(tail -3 "$work/after.out")"
  gone && ok "$what: the next run removed the killed run's containers" || fail "$what: still there: $(leftovers)"
  ls -d /tmp/relaylab-ctr.* >/dev/null 2>&1 && fail "$what: the killed run's directory stayed: $(ls -d /tmp/relaylab-ctr.*)" ||
    ok "$what: the next run removed the killed run's directory"
}
rm -rf "$work/kill"
kill_run podman
if [ -n "$docker_bin" ]; then
  export DOCKER_HOST=unix://$sock
  kill_run "docker CLI" --engine "$docker_bin"
  unset DOCKER_HOST
fi

# 5. The sweep itself, under each engine: a container marked by a gone
# owner goes; one whose label is not relaylab's token form stays.
sweep_check() {
  local what=$1
  shift
  podman run -d --pull=never --network=none --name relaylab-999999-1-fake \
    --label org.relaylab.owner=999999-1 "relaylab/postfix:$r" sleep 600 > /dev/null
  podman run -d --pull=never --network=none --name relaylab-decoy-fake \
    --label org.relaylab.owner=decoy "relaylab/postfix:$r" sleep 600 > /dev/null
  "$RELAYLAB" run -q --runtime container "$@" --results "$work/sw" --mta "postfix@$r" \
    --filter client-not-authenticated/broken scenarios/seed > "$work/sw.out" 2>&1 ||
    fail "$what: the run beside the leftovers: $(tail -3 "$work/sw.out")"
  podman container exists relaylab-999999-1-fake && fail "$what: a gone owner's container stayed" ||
    ok "$what: a gone owner's container was removed"
  podman container exists relaylab-decoy-fake && ok "$what: a container not marked as relaylab's stayed" ||
    fail "$what: the decoy was removed"
  podman rm -f --ignore --time 0 relaylab-999999-1-fake relaylab-decoy-fake > /dev/null 2>&1
}
sweep_check podman
if [ -n "$docker_bin" ]; then
  export DOCKER_HOST=unix://$sock
  sweep_check "docker CLI" --engine "$docker_bin"
  unset DOCKER_HOST
fi

# 6. A missing image: exit 3, the command that builds it named, nothing written.
"$RELAYLAB" run -q --runtime container --results "$work/e" --mta postfix@trixie --engine /bin/false scenarios/seed > "$work/e.out" 2>&1
rc=$?
[ "$rc" -eq 3 ] && grep -q "scripts/container-setup --build --release trixie" "$work/e.out" &&
  ok "an engine without the image: exit 3, the build named" || fail "no image: exit $rc: $(cat "$work/e.out")"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all run_container checks passed"
