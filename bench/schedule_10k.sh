#!/usr/bin/env bash
# bench/schedule_10k.sh - issue 11: "a matrix of 10,000 generated scenarios
# parsed and scheduled in under 1 s". Generates N (default 10000) distinct
# scenario files into a temporary directory (removed on exit), then times
# "relaylab run --list" on them RUNS times (default 5): every file read,
# parsed and checked, the matrix laid out, the cells grouped onto MTA
# instances by rendered config, one line per cell written (to a file in
# the temporary directory); nothing starts. Reports wall time, CPU time
# (user + system) and peak RSS (GNU time "%e %U %S %M"), cells and
# instances, and the load average before each run (the machine's 2 cores
# are shared: CPU time says more than wall time when it is busy).
#
# The scenarios follow the seed's shapes (scenarios/seed): 2 to 4
# variants, one MTA or both, Postfix and Exim config lines per variant
# (set, service, no-listener, no-sasl, plaintext-auth, acl-rcpt files), 1
# to 3 dialogues of 6 to 20 steps with [variant] selectors, an include in
# some. Config values come from small pools (cells of many scenarios share
# an instance) or are the scenario's own (no sharing), about half and half.
#
#   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DRELAYLAB_BUILD_TESTS=OFF
#   ninja -C build-rel relaylab
#   bench/schedule_10k.sh [RUNS [N]]
#
# RELAYLAB=path/to/relaylab to measure another build; KEEP=1 keeps the
# scenarios (the directory is printed) for a profiler.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RELAYLAB=${RELAYLAB:-$TOP/build-rel/relaylab}
RUNS=${1:-5}
N=${2:-10000}
[ -x "$RELAYLAB" ] || { echo "no $RELAYLAB: build it first (see the header)" >&2; exit 2; }
out=$(mktemp -d)
if [ -n "${KEEP-}" ]; then
  echo "scenarios kept in $out/scn"
else
  trap 'rm -rf "$out"' EXIT
fi

python3 - "$out/scn" "$N" <<'EOF'
import os
import random
import sys

top, count = sys.argv[1], int(sys.argv[2])
rnd = random.Random(11)  # the same files every time
os.makedirs(top + "/acl")
os.makedirs(top + "/common")

# Exim rcpt ACL bodies: 64 files, 48 distinct texts (some files are copies).
ACLS = 64
for k in range(ACLS):
    t = k % 48
    with open(f"{top}/acl/rcpt-{k:02d}.conf", "w") as f:
        f.write("  # generated: the deny before the accept for authenticated users\n")
        f.write("  accept  hosts = +relay_from_hosts\n")
        if t % 3:
            f.write("  accept  domains = +local_domains : +relay_to_domains\n")
        f.write(f'  deny    message = relay not permitted ({t})\n')
        f.write("  accept  authenticated = *\n")
# Dialogues included by some scenarios.
for k in range(8):
    with open(f"{top}/common/port-25-{k}.scn", "w") as f:
        f.write(f"dialogue port-25-answers-{k}\n  connect smtp from inside\n  S: 220\n"
                f"  ehlo inside-{k}.example\n  S: 250\n  noop\n  S: 250\n  quit\n")

VARIANTS = ["broken", "fixed", "too-wide", "guide-550", "postfix-default", "no-submission",
            "app", "stranger", "mynet", "auth", "sandbox", "strict"]


def shared(i, pool, unique):
    """A value from a small pool (shared with other scenarios) or the scenario's own."""
    return unique(i) if rnd.random() < 0.5 else pool[rnd.randrange(len(pool))]


NETS = [f"127.0.0.{k}/32" for k in range(1, 33)]
DOMAINS = [f"partner{k}.example" for k in range(24)]
CODES = ["550", "551", "553", "554"]
RESTRICTIONS = [
    "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
    "reject_unauth_destination, permit_sasl_authenticated",
    "permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination",
    "permit_mynetworks, reject_unauth_destination",
]


def configs(i, variants, mtas):
    """Config lines in the seed's ways, per variant and MTA."""
    out = []
    kind = i % 6
    pf, ex = "postfix" in mtas, "exim" in mtas
    v0, v1 = variants[0], variants[1]
    if kind == 1 and pf:
        out.append(f"config postfix {v1} set relay_domains_reject_code = {rnd.choice(CODES)}")
        out.append(f"config postfix {v0} set smtpd_relay_restrictions = "
                   "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination")
    if kind == 2:
        for v in variants:
            net = shared(i, NETS, lambda i: f"10.{i // 256}.{i % 256}.0/24")
            if pf:
                out.append(f"config postfix {v} set mynetworks = 127.0.0.1/32, {net}")
            if ex:
                out.append(f"config exim {v} set RELAY_FROM_HOSTS = 127.0.0.1 : {net}")
    if kind == 3:
        if pf:
            out.append("config postfix set smtpd_relay_restrictions =")
            out.append(f"config postfix {v0} set smtpd_recipient_restrictions = "
                       + rnd.choice(RESTRICTIONS[1:]))
            out.append(f"config postfix {v1} set smtpd_recipient_restrictions = {RESTRICTIONS[0]}")
            limit = shared(i, ["100", "500", "1000"], lambda i: str(1000 + i))
            out.append(f"config postfix {v1} set smtpd_recipient_limit = {limit}")
        if ex:
            out.append(f"config exim {v0} acl-rcpt acl/rcpt-{rnd.randrange(ACLS):02d}.conf")
    if kind == 4:
        if pf:
            out.append(f"config postfix {v0} no-listener submission")
        if ex:
            out.append(f"config exim {v0} no-listener submission")
    if kind == 5:
        dom = shared(i, DOMAINS, lambda i: f"p{i}.example")
        if pf:
            out.append(f"config postfix {v1} set relay_domains = {dom}")
            if rnd.random() < 0.3:
                port = 10025 + rnd.randrange(4)
                out.append(f'config postfix service "{port} inet n - n - - smtpd -o '
                           f'mynetworks=127.0.0.240/32 -o smtpd_relay_restrictions= -o '
                           f'smtpd_recipient_restrictions=permit_mynetworks,reject"')
        if ex:
            out.append(f"config exim {v1} set RELAY_TO_DOMAINS = {dom}")
    if kind == 0:
        r = rnd.random()
        if r < 0.3:
            if pf:
                out.append(f"config postfix {v0} set smtpd_sasl_auth_enable = no")
            if ex:
                out.append(f"config exim {v0} set AUTH_ADVERTISE =")
        elif r < 0.5:
            if pf:
                out.append(f"config postfix {v0} no-sasl")
            if ex:
                out.append(f"config exim {v1} plaintext-auth")
    # Now and then a setting of no consequence for relaying, pooled or not.
    if pf and rnd.random() < 0.4:
        size = shared(i, ["10240000", "20480000", "51200000"], lambda i: str(10000000 + i))
        out.append(f"config postfix set message_size_limit = {size}")
    if pf and rnd.random() < 0.2:
        out.append("config postfix set smtpd_helo_required = yes")
    return out


def dialogue(i, d, variants):
    """One dialogue, 6 to 20 steps, some only for some variants."""
    v0, v1 = variants[0], variants[1]
    src = rnd.choice(["outside", "inside", f"127.0.0.{200 + d}"])
    port = rnd.choice(["smtp", "smtp", "submission"])
    rcpt = f"someone{i % 97}@example.org"
    lines = [f"dialogue talk-{d}", f"  connect {port} from {src}", "  S: 220",
             f"  ehlo client{d}.example", "  S: 250"]
    if rnd.random() < 0.5:
        lines += ["  starttls", "  S: 220", f"  ehlo client{d}.example",
                  f"  expect auth-offered                    [{v1}]",
                  f"  auth plain user                        [{v1}]",
                  f"  S: 235                                 [{v1}]"]
    lines += ["  mail user@relaylab.test", "  S: 250", f"  rcpt {rcpt}",
              f'  S: 554 5.7.1 "Relay access denied"     [postfix {v0}]',
              f'  S: 550 "relay not permitted"           [exim {v0}]',
              f"  expect relay-denied                    [{v0}]",
              f"  S: 250                                 [{v1}]",
              f"  data                                   [{v1}]",
              f"  expect relayed {rcpt}     [{v1}]"]
    for v in variants[2:]:
        lines += [f"  S: 5xx                                 [{v}]"]
    if rnd.random() < 0.3:
        lines += ["  rset", "  S: 250", "  quit"]
    return lines


for i in range(count):
    nvar = rnd.choice([2, 2, 2, 3, 3, 4])
    variants = rnd.sample(VARIANTS, nvar)
    mtas = rnd.choice(["postfix exim", "postfix exim", "postfix", "exim"]).split()
    sid = f"gen-{i:05d}-{['auth', 'codes', 'mynet', 'order', 'submission', 'domains'][i % 6]}"
    text = [f"# generated for bench/schedule_10k.sh ({i})", f"scenario {sid}",
            f'title    "generated scenario {i}: shape {i % 6}"',
            f'cause    {1 + i % 7} "generated"', f"tags     bench shape{i % 6}",
            f"mta      {' '.join(mtas)}"]
    text += [f'variant  {v} "the {v} case of scenario {i}"' for v in variants]
    text += [""] + configs(i, variants, mtas) + [""]
    include = rnd.random() < 0.2
    budget = 64 - (7 if include else 0)  # SCENARIO_STEPS_MAX, the include's steps counted
    for d in range(rnd.choice([1, 1, 2, 3])):
        lines = dialogue(i, d, variants)
        steps = len(lines) - 1
        if steps > budget:
            break
        budget -= steps
        text += lines + [""]
    if include:
        text.append(f"include common/port-25-{rnd.randrange(8)}.scn")
    with open(f"{top}/{sid}.scn", "w") as f:
        f.write("\n".join(text) + "\n")
EOF

cd "$out"
"$RELAYLAB" run --list scn > list.txt 2> err.txt || { cat err.txt; exit 1; }
echo "generated: $(ls scn/*.scn | wc -l) scenario files, $(du -sk scn | cut -f1) KB; $(tail -n 1 list.txt)"
for run in $(seq 1 "$RUNS"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o time.txt "$RELAYLAB" run --list scn > list.txt 2> err.txt
  read -r secs user sys kb < time.txt
  printf 'run %d: %5.2f s wall  %5.2f s CPU  %7.1f MB peak RSS  load before %s  (%s)\n' "$run" \
    "$secs" "$(echo "$user + $sys" | bc -l)" "$(echo "$kb / 1024" | bc -l)" "$load" \
    "$(tail -n 1 list.txt)"
  best=$(echo "if (${best:-$secs} < $secs) ${best:-$secs} else $secs" | bc -l)
done
. "$TOP/bench/floor.sh"
floor schedule_10k_s "$(printf %.2f "$best")"
echo "$(nproc) cores; $RELAYLAB; commit $(git -C "$TOP" rev-parse --short HEAD)"
