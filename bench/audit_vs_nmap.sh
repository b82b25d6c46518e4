#!/usr/bin/env bash
# bench/audit_vs_nmap.sh [RELAYLAB] - relaylab audit and relaylab probe
# beside nmap's smtp-open-relay script (issue 9), on every config of the
# audit test set (tests/audit/configs, README there; each EXPECT names the
# planted families, or "secure"): holes found and time per server.
#
# Per config, one after the other, never two at once:
#   audit:  relaylab audit --postfix-config DIR | --exim-config FILE --json
#           (stands the config up itself: its time includes the MTA's start;
#           the "ms" field and the wall clock are both kept)
#   then one sandbox of the same config (relaylab sandbox --config ...), and
#   inside it, from 203.0.113.7 (outside every config's trusted networks):
#   nmap:   nmap -n -Pn -e lo -S 203.0.113.7 -p 25,587 --script smtp-open-relay
#           --script-args smtp-open-relay.domain=example.net,
#           smtp-open-relay.ip=$RELAYLAB_ADDR  (the script's "domain" is the
#           domain it tries to relay TO, so it gets the set's victim; its
#           other names come from the banner, mail.example.com)
#   probe:  relaylab probe $RELAYLAB_ADDR:25, then :587, --client 203.0.113.7
#           --json, as shipped (default rate: 5 connections/s, 2 at once)
#   probe fast: the same with --rate 100 -j 4 --timeout 10 (as
#           tests/integration/audit_set.py runs it)
# Both ports for every server and every tool (a closed 587 costs nothing):
# submission-open is a hole on 587, and no tool is told which server has it.
# The load average (1 min) is taken before every measurement.
#
# Found: audit, the families of its findings; probe, the families of its
# findings on either port whose recipient is foreign (a probe knows no
# config, so a trusted-network hole is a plain "wide-open" relay to it);
# a relay form at the server's own domain accepted (percent hack, quoted
# local part... at example.com) is told apart by probe as "may stay local"
# and shown as ~FAMILY, counted separately, never as a relay; nmap, "Server is an open relay (N/16 tests)" on
# either port (it names no family: its hitting tests are listed below the
# table). False alarm: anything found on a secure config.
# RELAYLAB: a copy of the binary if others may rebuild it while this runs
# (bench/RESULTS.md, issue 9). ONLY=REGEX runs the configs whose mta/name matches; KEEP=DIR keeps every
# tool's raw output there (DIR must not exist). Needs root and nmap
# (scripts/setup --bench). Exit 0 (the table is the result).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RELAYLAB=$(readlink -f "${1:-$TOP/build-rel/relaylab}")
SET=$TOP/tests/audit/configs
CLIENT=203.0.113.7
[ "$(id -u)" -eq 0 ] || { echo "audit_vs_nmap: needs root" >&2; exit 3; }
command -v nmap >/dev/null || { echo "audit_vs_nmap: needs nmap (scripts/setup --bench)" >&2; exit 3; }
# Not under /tmp (the MTA has a /tmp of its own, where an Exim config's
# files would not be); readable by Debian-exim.
work=$(mktemp -d "$TOP/.audit-vs-nmap.XXXXXX")
chmod 755 "$work"
if [ -n "${KEEP:-}" ]; then
  trap 'mv "$work" "$KEEP" && echo "raw output kept in $KEEP" >&2' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
load1() { cut -d' ' -f1 /proc/loadavg; }

# Inside the sandbox: nmap, probe, probe fast, each timed, load before each.
inside='
d=$1 relaylab=$2 client=$3
cut -d" " -f1 /proc/loadavg > "$d/nmap.load"
/usr/bin/time -f %e -o "$d/nmap.time" nmap -n -Pn -vv -e lo -S "$client" -p 25,587 \
  --script smtp-open-relay \
  --script-args "smtp-open-relay.domain=example.net,smtp-open-relay.ip=$RELAYLAB_ADDR" \
  "$RELAYLAB_ADDR" > "$d/nmap.txt" 2>&1 || true
for mode in probe fast; do
  set --
  [ $mode = fast ] && set -- --rate 100 -j 4 --timeout 10
  cut -d" " -f1 /proc/loadavg > "$d/$mode.load"
  for port in 25 587; do
    /usr/bin/time -f %e -o "$d/$mode-$port.time" "$relaylab" probe "$RELAYLAB_ADDR:$port" \
      --client "$client" --json "$@" > "$d/$mode-$port.json" 2> "$d/$mode-$port.err" || true
  done
done
'

list() { # mta name config-path expect
  local n
  for n in "$SET"/postfix/*/; do
    n=${n%/}
    [ -f "$n/EXPECT" ] && echo "postfix $(basename "$n") $n $n/EXPECT"
  done
  for n in "$SET"/exim/*.conf; do
    echo "exim $(basename "$n" .conf) $n ${n%.conf}.expect"
  done
}

list | while read -r mta name src expect; do
  [[ "$mta/$name" =~ ${ONLY:-.} ]] || continue
  d=$work/$mta-$name
  mkdir -p "$d"
  chmod 755 "$d"
  cp "$expect" "$d/EXPECT"
  if [ "$mta" = postfix ]; then
    cp -r "$src" "$d/cfg"
    cfg=$d/cfg
    sandbox=(--mta postfix --config "$cfg/main.cf")
    [ -f "$cfg/master.cf" ] && sandbox+=(--config "$cfg/master.cf")
  else
    mkdir "$d/cfg"
    [ -d "${src%.conf}.d" ] && cp -r "${src%.conf}.d" "$d/cfg/"
    cfg=$d/cfg/$name.conf
    sed "s|@CONFDIR@|$d/cfg|g" "$src" > "$cfg"
    sandbox=(--mta exim --config "$cfg")
  fi
  chmod -R a+rX "$d/cfg"
  load1 > "$d/audit.load"
  /usr/bin/time -f %e -o "$d/audit.time" "$RELAYLAB" audit "--$mta-config" "$cfg" --json \
    --results "$d/results" > "$d/audit.json" 2> "$d/audit.err" || true
  "$RELAYLAB" sandbox "${sandbox[@]}" -- sh -c "$inside" sh "$d" "$RELAYLAB" "$CLIENT" \
    > "$d/sandbox.txt" 2>&1 || true
  echo "done $mta/$name (load $(load1))" >&2
done

python3 - "$work" <<'PY'
import glob, json, os, re, sys
work = sys.argv[1]

def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default

def num(path):
    try:
        return float(read(path).strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None

def doc(path):
    t = read(path)
    try:
        return json.loads(t[t.index("{"):])
    except ValueError:
        return None

rows = []
for d in sorted(glob.glob(os.path.join(work, "*-*"))):
    if not os.path.isdir(d):
        continue
    server = os.path.basename(d).replace("-", "/", 1)
    planted, secure = set(), False
    for line in read(os.path.join(d, "EXPECT")).splitlines():
        w = line.split()
        if w[:1] == ["open"]:
            planted.add(w[1])
        elif w[:1] == ["secure"]:
            secure = True
    r = {"server": server, "planted": planted, "secure": secure}
    a = doc(os.path.join(d, "audit.json"))
    r["audit"] = None if a is None else {f["family"] for f in a["findings"]}
    r["audit_ms"] = None if a is None else a["ms"]
    r["audit_s"], r["audit_load"] = num(os.path.join(d, "audit.time")), read(os.path.join(d, "audit.load")).strip()
    for mode in ("probe", "fast"):
        fams, own, secs, ok = set(), set(), 0.0, False
        for port in (25, 587):
            p = doc(os.path.join(d, "%s-%d.json" % (mode, port)))
            if p is not None:
                ok = True
                fams |= {f["family"] for f in p["findings"] if not f.get("own_domain")}
                own |= {f["family"] for f in p["findings"] if f.get("own_domain")}
            secs += num(os.path.join(d, "%s-%d.time" % (mode, port))) or 0.0
        r[mode] = fams if ok else None
        r[mode + "_own"] = own - fams
        r[mode + "_s"], r[mode + "_load"] = secs, read(os.path.join(d, mode + ".load")).strip()
    t = read(os.path.join(d, "nmap.txt"))
    hits, ports = [], {}
    port = None
    for line in t.splitlines():
        m = re.match(r"(\d+)/tcp\s+(\S+)", line)
        if m:
            port = m.group(1)
            ports[port] = m.group(2)
        m = re.search(r"smtp-open-relay: (.*)", line)
        if m:
            ports[port] = m.group(1)
        m = re.search(r"MAIL FROM:<([^>]*)> -> RCPT TO:<(.*)>$", line)
        if m:
            hits.append("%s: <%s> -> <%s>" % (port, m.group(1), m.group(2)))
    r["nmap_open"] = "Server is an open relay" in t
    r["nmap_ran"] = "Nmap done" in t
    r["nmap_ports"], r["nmap_hits"] = ports, hits
    r["nmap_s"], r["nmap_load"] = num(os.path.join(d, "nmap.time")), read(os.path.join(d, "nmap.load")).strip()
    rows.append(r)

def want(r, tool):  # what a tool should find on this server
    if tool in ("probe", "fast"):
        return {"wide-open" if f == "trusted-network" else f for f in r["planted"]}
    return r["planted"]

def cell(r, tool):
    got = r[tool]
    if got is None:
        return "did not run"
    w = want(r, tool)
    own = r.get(tool + "_own", set())
    tilde = " ".join("~" + f for f in sorted(own))
    if r["secure"]:
        s = "FALSE ALARM " + ",".join(sorted(got)) if got else "nothing"
        return s + (" " + tilde if own else "")
    s = "%d/%d" % (len(w & got), len(w))
    miss, extra = w - got - own, got - w
    if w & own:
        s += " " + " ".join("~" + f for f in sorted(w & own))
    if miss:
        s += " MISSED " + ",".join(sorted(miss))
    if extra:
        s += " +" + ",".join(sorted(extra))
    return s

def secs(x):
    return "   -  " if x is None else "%6.2f" % x

print("%-42s %-32s | %-24s %6s %4s | %-24s %6s %4s | %-18s %6s %4s | %-14s %6s %4s" % (
    "server", "planted", "audit found", "s", "load", "probe found", "s", "load",
    "probe fast found", "s", "load", "nmap", "s", "load"))
for r in rows:
    if r["secure"]:
        nm = "FALSE ALARM" if r["nmap_open"] else "nothing"
    else:
        nm = "found" if r["nmap_open"] else "MISSED"
    if not r["nmap_ran"]:
        nm = "did not run"
    print("%-42s %-32s | %-24s %s %4s | %-24s %s %4s | %-18s %s %4s | %-14s %s %4s" % (
        r["server"], "secure" if r["secure"] else ",".join(sorted(r["planted"])),
        cell(r, "audit"), secs(r["audit_s"]), r["audit_load"],
        cell(r, "probe"), secs(r["probe_s"]), r["probe_load"],
        cell(r, "fast"), secs(r["fast_s"]), r["fast_load"],
        nm, secs(r["nmap_s"]), r["nmap_load"]))

print()
opens = [r for r in rows if not r["secure"]]
secures = [r for r in rows if r["secure"]]
for tool, label in (("audit", "audit"), ("probe", "probe"), ("fast", "probe fast")):
    planted = sum(len(want(r, tool)) for r in opens)
    found = sum(len(want(r, tool) & (r[tool] or set())) for r in opens)
    servers = sum(1 for r in opens if r[tool] and want(r, tool) <= r[tool])
    anyfound = sum(1 for r in opens if r[tool])
    alarms = sum(1 for r in secures if r[tool])
    total = sum(r[tool + "_s"] or 0 for r in rows)
    slower = [r["server"] for r in rows if r[tool + "_s"] is not None and r["nmap_s"] is not None
              and r[tool + "_s"] >= r["nmap_s"]]
    flagged = sum(len(want(r, tool) & r.get(tool + "_own", set())) for r in opens)
    sflags = sum(1 for r in secures if r.get(tool + "_own"))
    print("%-10s holes found %d/%d; open servers with every hole found %d/%d, with any %d/%d; "
          "false alarms %d/%d secure; %.1f s in all; slower than nmap on %d/%d servers"
          % (label, found, planted, servers, len(opens), anyfound, len(opens), alarms,
             len(secures), total, len(slower), len(rows)))
    if tool != "audit":
        print("%-10s + %d planted hole(s) only as a relay form accepted at the server's own domain "
              "(~); such forms also accepted on %d/%d secure servers" % ("", flagged, sflags,
                                                                         len(secures)))
print("%-10s open servers reported open %d/%d (it names no families); false alarms %d/%d "
      "secure; %.1f s in all" % ("nmap", sum(1 for r in opens if r["nmap_open"]), len(opens),
                                 sum(1 for r in secures if r["nmap_open"]), len(secures),
                                 sum(r["nmap_s"] or 0 for r in rows)))
print("audit's own \"ms\" field, in all: %.1f s" % (sum(r["audit_ms"] or 0 for r in rows) / 1000))
print()
print("nmap per server: what each port said, and the tests that hit")
for r in rows:
    ports = "; ".join("%s %s" % (p, s) for p, s in sorted(r["nmap_ports"].items()))
    print("  %s: %s" % (r["server"], ports))
    for h in r["nmap_hits"]:
        print("      " + h)
PY
echo "$(nproc) cores; nmap $(nmap --version | awk 'NR==1 {print $3}'); $("$RELAYLAB" --version 2>&1 | head -1)"
