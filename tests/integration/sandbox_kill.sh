#!/usr/bin/env bash
# sandbox_kill.sh RELAYLAB MTA - SIGKILL the harness in the middle of a run:
# one second later no MTA or Dovecot process of it is left, its network
# namespace (and so every listener) is gone, and it left no directory.
set -u
RELAYLAB=$(readlink -f "$1")
MTA=$2
[ "$(id -u)" -eq 0 ] || { echo "sandbox_kill.sh: needs root" >&2; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The harness's own directories only (relaylab.XXXXXX, relaylab-keep.XXXXXX):
# other tests running beside this one make /tmp/relaylab-<test>.* files.
ours() { ls -d /tmp/relaylab.?????? /tmp/relaylab-keep.?????? 2>/dev/null | sort; }
before=$(ours)

setsid "$RELAYLAB" sandbox --mta "$MTA" -- sh -c "echo ready > $work/ready; exec sleep 60" \
  >"$work/out" 2>&1 &
outer=$!
for i in $(seq 1 500); do [ -s "$work/ready" ] && break; sleep 0.02; done
[ -s "$work/ready" ] || { echo "FAIL sandbox did not come up"; cat "$work/out"; kill -9 $outer; exit 1; }

inner=$(pgrep -P "$outer" | head -1)
ns=$(readlink "/proc/$inner/ns/pid")
netns=$(readlink "/proc/$inner/ns/net")
members() { # live processes of the sandbox: PID 1 there and its descendants, however
  # deep (each MTA is PID 1 of a namespace of its own below it); a zombie
  # awaiting the host's reaper is dead
  local p state ppid
  declare -A in=([$inner]=1)
  local changed=1
  while [ "$changed" -eq 1 ]; do
    changed=0
    for p in /proc/[0-9]*; do
      p=${p#/proc/}
      [ -n "${in[$p]:-}" ] && continue
      ppid=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f2)
      [ -n "$ppid" ] && [ -n "${in[$ppid]:-}" ] && { in[$p]=1; changed=1; }
    done
  done
  for p in "${!in[@]}"; do
    state=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ] && echo "$p"
  done
}
pids=$(members)
declare -A start
for p in $pids; do start[$p]=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f20); done
names=$(for p in $pids; do tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-60; echo; done)
case "$MTA" in
  postfix) want="postfix/sbin/master" ;;
  exim) want="exim4 -C" ;;
esac
grep -q "$want" <<<"$names" || { echo "FAIL no $MTA process found in the sandbox"; echo "$names"; kill -9 $outer; exit 1; }
grep -q "dovecot" <<<"$names" || { echo "FAIL no dovecot process found in the sandbox"; kill -9 $outer; exit 1; }
echo "sandbox up: $(wc -w <<<"$pids") processes in its PID namespace, among them:"
grep -E "master|exim4|dovecot" <<<"$names" | sed 's/^/  /' | head -5

kill -KILL "$outer"
sleep 1

failures=0
# Everything that was there must be gone (a reused PID is not ours: compare start times).
left=""
for p in $pids; do
  stat=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)
  [ -n "$stat" ] || continue
  [ "$(cut -c1 <<<"$stat")" = Z ] && continue # dead, awaiting the host's reaper
  [ "$(cut -d' ' -f20 <<<"$stat")" = "${start[$p]:-x}" ] && left="$left $p"
done
if [ -n "$left" ]; then
  echo "FAIL processes left after SIGKILL: $left"; ps -o pid,ppid,stat,cmd -p "$(tr " \n" ",," <<<"$left" | sed "s/,$//")"; failures=1
else
  echo "ok   no process of the sandbox is left one second after SIGKILL"
fi
live_net=0
for p in /proc/[0-9]*; do
  [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$netns" ] && live_net=1 && break
done
if [ "$live_net" -eq 1 ]; then
  echo "FAIL its network namespace (and its listeners) is still in use"; failures=1
else
  echo "ok   its network namespace, with every listener, is gone"
fi
after=$(ours)
if [ "$before" != "$after" ] || [ -n "$(ls -A /run/relaylab 2>/dev/null)" ]; then
  echo "FAIL left behind: $(comm -13 <(echo "$before") <(echo "$after")) $(ls -A /run/relaylab 2>/dev/null)"; failures=1
else
  echo "ok   no run directory left (/tmp, /run/relaylab)"
fi
exit $failures
