#!/usr/bin/env python3
"""audit_set.py RELAYLAB SETDIR MTA [PART/PARTS] - relaylab audit, probe and
run against the audit test set (tests/audit/configs, README there), on real
Postfix or Exim:

- audit finds exactly the families each config's EXPECT names ("open
  FAMILY" lines), and nothing on the secure ones;
- every finding's scenario fails as OPEN RELAY under relaylab run with the
  same config, and passes once the EXPECT's "fix FILE:LINE TEXT" is applied;
- probe, pointed at the same config in a sandbox, accepts at RCPT the
  expected families and no foreign domain on the secure ones.

PART/PARTS runs every PARTS-th config from PART (ctest runs the set in
shards so that each stays under its time-out). Exit 0, 1 (a check failed),
77 without root."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL " + msg, flush=True)


def ok(msg):
    print("ok   " + msg, flush=True)


def expect_of(path):
    """The EXPECT file: the families, secure or not, the fix."""
    families, secure, fixes = set(), False, []
    global probe_blind
    probe_blind = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word == "open":
                families.add(rest.strip())
            elif word == "secure":
                secure = True
            elif word == "probe-blind":
                # A family a probe, which knows no config, cannot find (a word only the
                # config names); audit must still find it.
                probe_blind.add(rest.split()[0])
            elif word == "fix":
                where, _, text = rest.partition(" ")
                name, _, num = where.rpartition(":")
                fixes.append((name, int(num), text))
    return families, secure, fixes


def configs(setdir, mta):
    """(name, config argument path, EXPECT path, the dir to copy) for one MTA."""
    base = os.path.join(setdir, mta)
    out = []
    for name in sorted(os.listdir(base)):
        p = os.path.join(base, name)
        if mta == "postfix" and os.path.isdir(p) and os.path.exists(os.path.join(p, "EXPECT")):
            out.append((name, p, os.path.join(p, "EXPECT")))
        elif mta == "exim" and name.endswith(".conf"):
            out.append((name[:-5], p, p[:-5] + ".expect"))
    return out


def stage(mta, src, work, fixes=()):
    """A copy of the config (Exim: @CONFDIR@ filled in), fixes applied; the path to give."""
    dst = os.path.join(work, "cfg")
    shutil.rmtree(dst, ignore_errors=True)
    if mta == "postfix":
        shutil.copytree(src, dst)
        target = dst
    else:
        os.makedirs(dst)
        d = src[:-5] + ".d"
        if os.path.isdir(d):
            shutil.copytree(d, os.path.join(dst, os.path.basename(d)))
        with open(src, encoding="utf-8") as f:
            text = f.read().replace("@CONFDIR@", dst)
        target = os.path.join(dst, os.path.basename(src))
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    for name, num, text in fixes:
        path = os.path.join(dst, name) if mta == "postfix" else target
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        lines[num - 1] = text
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    return target


def run(args, timeout=600):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace", timeout=timeout)


def audit(relaylab, mta, cfg, work):
    res = os.path.join(work, "results")
    p = run([relaylab, "audit", "--%s-config" % mta, cfg, "--json", "--results", res])
    if p.returncode not in (0, 1):
        return None, p.stderr.strip()[-300:]
    return json.loads(p.stdout), p.returncode


def replay(relaylab, mta, cfg, scn, work):
    p = run([relaylab, "run", "--%s-config" % mta, cfg, "--results", os.path.join(work, "runs"),
             scn])
    return p.returncode, "OPEN RELAY" in p.stdout


probe_blind = set()


def probe(relaylab, mta, cfg, port=25, client="203.0.113.7"):
    opt = "--config" if mta == "exim" else "--config"
    args = [relaylab, "sandbox", "--mta", mta]
    if mta == "postfix":
        args += ["--config", os.path.join(cfg, "main.cf")]
        if os.path.exists(os.path.join(cfg, "master.cf")):
            args += ["--config", os.path.join(cfg, "master.cf")]
    else:
        args += [opt, cfg]
    args += ["--", "sh", "-c",
             '"$0" probe "$RELAYLAB_ADDR:%d" --client %s --rate 100 -j 4 --timeout 10 '
             '--json' % (port, client), relaylab]
    p = run(args)
    try:
        start = p.stdout.index("{")
        return json.loads(p.stdout[start:])
    except ValueError:
        return None


def fuzz(relaylab, mta, name, src, expect, work):
    """relaylab fuzz on the config finds its families and no other (a few seconds, a fixed seed)."""
    families, _, _ = expect_of(expect)
    cfg = stage(mta, src, work)
    p = run([relaylab, "fuzz", "--%s-config" % mta, cfg, "--time", "6", "--seed", "1", "-q",
             "--max-findings", "4", "--results", os.path.join(work, "fuzz")])
    found = set(re.findall(r"open relay by ([a-z-]+):", p.stdout))
    if p.returncode == 1 and found and found <= families:
        ok("%s/%s: fuzz on the config found %s" % (mta, name, sorted(found)))
    else:
        fail("%s/%s: fuzz found %s (exit %d), not one of %s: %s"
             % (mta, name, sorted(found), p.returncode, sorted(families), p.stderr[-200:]))


def one(relaylab, mta, name, src, expect, work):
    families, secure, fixes = expect_of(expect)
    cfg = stage(mta, src, work)
    doc, rc = audit(relaylab, mta, cfg, work)
    if doc is None:
        fail("%s/%s: audit did not run: %s" % (mta, name, rc))
        return
    found = {f["family"] for f in doc["findings"]}
    if secure:
        if found:
            fail("%s/%s: secure, but audit found %s" % (mta, name, sorted(found)))
        else:
            ok("%s/%s: secure, nothing found (%d attempts, %.1f s)"
               % (mta, name, doc["attempts"], doc["ms"] / 1000))
    elif found != families:
        fail("%s/%s: expected %s, audit found %s" % (mta, name, sorted(families), sorted(found)))
    else:
        ok("%s/%s: audit found %s (%.1f s)" % (mta, name, sorted(found), doc["ms"] / 1000))
    # Each finding's scenario: OPEN RELAY now, a pass once fixed.
    scns = [f["scenario"] for f in doc["findings"] if f.get("scenario")]
    for scn in scns:
        rc, open_relay = replay(relaylab, mta, cfg, scn, work)
        if rc != 1 or not open_relay:
            fail("%s/%s: %s does not fail as OPEN RELAY (exit %d)" % (mta, name,
                                                                      os.path.basename(scn), rc))
    if scns and fixes:
        fixed = stage(mta, src, work, fixes)
        for scn in scns:
            rc, open_relay = replay(relaylab, mta, fixed, scn, work)
            if rc != 0:
                fail("%s/%s: %s still fails once fixed (exit %d)" % (mta, name,
                                                                     os.path.basename(scn), rc))
        ok("%s/%s: %d finding scenario(s) fail, then pass once fixed" % (mta, name, len(scns)))
        cfg = stage(mta, src, work)
    # The probe connects from where the audit found it could (a client address the
    # config neither blocks nor trusts), to every port the config listens on.
    client = doc["client"]["address"]
    pd = probe(relaylab, mta, cfg, 25, client)
    if pd is None:
        fail("%s/%s: probe did not run" % (mta, name))
        return
    pfound = {f["family"] for f in pd["findings"]}
    deferred = pd.get("deferred", 0)
    for lst in doc["listeners"]:
        if lst["port"] != 25 and not lst["implicit_tls"]:
            sub = probe(relaylab, mta, cfg, lst["port"], client)
            pfound |= {f["family"] for f in sub["findings"]} if sub else set()
            deferred += sub.get("deferred", 0) if sub else 0
    # A probe knows no config, so no trust: a trusted client's relay is a plain one to it.
    families = {"wide-open" if f == "trusted-network" else f for f in families}
    foreign = {f["family"] for f in pd["findings"] if not f.get("own_domain")}
    if secure and foreign:
        fail("%s/%s: secure, but probe had a foreign domain accepted: %s"
             % (mta, name, sorted(foreign)))
    elif not secure and not (families - probe_blind) <= pfound:
        if deferred:
            ok("%s/%s: probe at RCPT inconclusive: %d attempts deferred (a rate limit: one "
               "address is all a probe has), found %s" % (mta, name, deferred, sorted(pfound)))
        else:
            fail("%s/%s: probe found %s, not all of %s" % (mta, name, sorted(pfound),
                                                          sorted(families - probe_blind)))
    else:
        ok("%s/%s: probe at RCPT: %s" % (mta, name, sorted(pfound) or "nothing"))


def main():
    if os.geteuid() != 0:
        print("audit_set: needs root")
        return 77
    relaylab, setdir, mta = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    part, parts = 1, 1
    if len(sys.argv) > 4:
        part, parts = (int(x) for x in sys.argv[4].split("/"))
    todo = configs(setdir, mta)[part - 1::parts]
    if not todo:
        fail("no %s configs in %s" % (mta, setdir))
    # Not under /tmp: the sandbox gives an MTA a /tmp of its own, where the
    # files an Exim config names would not be; readable by Debian-exim.
    work = tempfile.mkdtemp(prefix="relaylab-audit-set.", dir=os.getcwd())
    os.chmod(work, 0o755)
    try:
        for name, src, expect in todo:
            one(relaylab, mta, name, src, expect, work)
        # The fuzzer on a user's config: once a shard, on its first plain open config.
        for name, src, expect in todo:
            families, secure, _ = expect_of(expect)
            if not secure and "trusted-network" not in families and \
                    not families & {"auth-bypass", "xclient", "submission-open"}:
                fuzz(relaylab, mta, name, src, expect, work)
                break
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d config(s), %d check(s) failed" % (len(todo), fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
