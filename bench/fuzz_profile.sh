#!/usr/bin/env bash
# bench/fuzz_profile.sh [RELAYLAB] [MTA] [FUZZ ARGS...] - where the CPU of
# a relaylab fuzz run goes (issue 11). perf record -a -g over a whole 5 s
# run (seed 5, base config unless FUZZ ARGS say otherwise), with every fork
# on the machine (sched:sched_process_fork), so that only the samples of
# relaylab and of what it started (the MTA and every process it forks) are
# counted, not the other work on a shared machine. (perf record without -a
# follows the children too, but loses their exits: a tenth of what -a
# sees.) Then the MTA's samples in buckets by call chain, as CPU time per
# dialogue; then strace -c -f on the MTA's daemon for 3 s of another run:
# forks (clone), execs and fsyncs per connection (accept).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RELAYLAB=$(readlink -f "${1:-$TOP/build-rel/relaylab}")
MTA=${2:-exim}
shift $(( $# > 2 ? 2 : $# ))
cd "$TOP"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
case $MTA in exim) comm=exim4 ;; *) comm=smtpd ;; esac
echo "load before: $(uptime | sed 's/.*load average: //')"
perf record -q -a -g -e cpu-clock -e sched:sched_process_fork -o "$out/perf.data" -- \
  sh -c 'echo $$ > "$0"; exec "$@"' "$out/root.pid" \
  "$RELAYLAB" fuzz --mta "$MTA" --time 5 --seed 5 --results "$out/r" "$@" > "$out/fuzz.txt" 2>&1 || true
dialogues=$(grep -oE '[0-9]+ dialogues' "$out/fuzz.txt" | tail -1 | cut -d' ' -f1)
grep -E '^ *[0-9.]+ s ' "$out/fuzz.txt" | tail -1 | sed 's/^ */  /'
perf script -i "$out/perf.data" -F event,tid,trace 2>/dev/null | grep sched_process_fork > "$out/forks.txt" || true
perf script -i "$out/perf.data" -F comm,tid,event,period,ip,sym 2>/dev/null | grep -v sched_process_fork > "$out/stacks.txt" || true
python3 - "$out" "$(cat "$out/root.pid")" "${dialogues:-0}" "$comm" <<'PY'
import collections, re, sys
out, root, dialogues, comm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
children = collections.defaultdict(list)
for line in open(out + "/forks.txt"):
    m = re.search(r"pid=(\d+) child_comm=.* child_pid=(\d+)", line)
    if m:
        children[int(m.group(1))].append(int(m.group(2)))
ours, todo = set(), [root]
while todo:
    t = todo.pop()
    if t not in ours:
        ours.add(t)
        todo.extend(children[t])
samples, cur, head = [], [], None
for line in open(out + "/stacks.txt"):  # a sample: comm tid period, then its call chain, leaf first
    if not line.strip():
        if head:
            samples.append(head + (" ".join(cur),))
        head, cur = None, []
    elif not line.startswith("\t"):
        m = re.match(r"\s*(.*?)\s+(\d+)\s+(\d+)\s+cpu-clock", line)  # a comm may hold blanks
        head = (m.group(1), int(m.group(2)), int(m.group(3))) if m else None
    else:
        cur.append(line.split()[-1])
by_comm, mine = collections.Counter(), []
for c, tid, period, stack in samples:
    if tid in ours:
        by_comm[c] += period
        if c == comm:
            mine.append((period, stack))
per = lambda ns: ns / 1e6 / max(dialogues, 1)
print("  CPU per dialogue of relaylab and everything it started: %.3f ms (%s)" % (
    per(sum(by_comm.values())), ", ".join("%s %.3f" % (c, per(n)) for c, n in by_comm.most_common(4))))
rules = [  # first match wins
    ("dynamic linker (an exec, or lazy binding in a fork)", ("_dl_", "do_lookup_x")),
    ("execve", ("execve", "load_elf_binary")),
    ("fork: copying the address space", ("copy_page_range", "dup_mmap", "copy_process", "kernel_clone")),
    ("exit: tearing it down", ("exit_mmap", "do_exit")),
    ("page faults (copy-on-write, text paged in)", ("page_fault",)),
    ("TCP on loopback", ("tcp_", "inet_", "sock_")),
    ("other system calls (files, logs, signals)", ("entry_SYSCALL",)),
]
buckets = collections.Counter()
for period, s in mine:
    for name, keys in rules:
        if any(k in s for k in keys):
            buckets[name] += period
            break
    else:
        buckets["user space (the MTA's own work)"] += period
total = sum(buckets.values())
print("  %s: %.3f ms of CPU per dialogue (%d samples, %d dialogues)" % (comm, per(total), len(mine), dialogues))
for name, n in buckets.most_common():
    print("    %6.3f ms  %5.1f%%  %s" % (per(n), 100.0 * n / max(total, 1), name))
PY
# strace: per connection (3 s in the middle of a run)
"$RELAYLAB" fuzz --mta "$MTA" --time 6 --seed 5 --results "$out/r2" "$@" > /dev/null 2>&1 &
sleep 2
daemon="" todo=$!
while [ -n "$todo" ] && [ -z "$daemon" ]; do  # the daemon, among relaylab's descendants
  next=""
  for p in $todo; do
    case $( (tr '\0' ' ' < /proc/$p/cmdline) 2>/dev/null) in *" -bdf"*|*"/master "*) daemon=$p ;; esac
    next="$next $(pgrep -P "$p" || true)"
  done
  todo=$(echo $next)
done
if [ -n "$daemon" ]; then
  timeout 3 strace -f -c -p "$daemon" -o "$out/strace.txt" 2>/dev/null || true
  awk '$NF=="accept" || $NF=="accept4" {a=$4} $NF=="clone" {c=$4} $NF=="execve" {e=$4}
       $NF=="fsync" {f=$4} $NF=="total" {t=$4}
       END { if (a) printf "  strace -f on the daemon: %d connections; per connection %.2f forks, %.2f execs, %.2f fsyncs, %.0f system calls\n", a, c/a, e/a, f/a, t/a }' "$out/strace.txt"
fi
wait
