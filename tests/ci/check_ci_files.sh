#!/bin/bash
# check_ci_files.sh - the CI files parse and name only what exists
#
# usage: check_ci_files.sh RELAYLAB SOURCE_DIR
#
# Parses .github/workflows/relaylab.yml, .github/workflows/cflite.yml,
# .gitlab-ci.yml and .clusterfuzzlite/project.yaml (python3-yaml), then
# checks, in every string of them (the shell lines; YAML comments are not
# read):
#  - every scripts/NAME path is an executable file of SOURCE_DIR;
#  - every "relaylab CMD" names a command of "relaylab --help", and every
#    --option after it (up to the end of the line, a pipe, ; or &&) is one
#    "relaylab CMD --help" lists; the options after scripts/run-seed are
#    relaylab run's (run-seed hands them on);
#  - every ".clusterfuzzlite/..." or "fuzz/..." path exists;
#  - the seed matrices' MTA names are relaylab's (postfix, exim), and the
#    shards of each are exactly 1..N for the N their --shard K/N names.
# No root, no network: only --help of the built binary.
set -u
bin=$(realpath -- "$1")
src=$(realpath -- "$2")
exec python3 - "$bin" "$src" <<'PY'
import os, re, subprocess, sys
import yaml

bin_, src = sys.argv[1], sys.argv[2]
files = [".github/workflows/relaylab.yml", ".github/workflows/cflite.yml",
         ".gitlab-ci.yml", ".clusterfuzzlite/project.yaml"]
failures = []
def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)

def help_text(*args):
    p = subprocess.run([bin_, *args, "--help"], capture_output=True, text=True, timeout=10)
    return p.stdout + p.stderr

top = help_text()
commands = set()
in_cmds = False
for line in top.splitlines():
    if line.strip() == "commands:":
        in_cmds = True
        continue
    if in_cmds:
        m = re.match(r"^  ([a-z][a-z-]*)\s", line)
        if m:
            commands.add(m.group(1))
        elif line.strip() == "":
            in_cmds = False
if "run" not in commands:
    fail("relaylab --help lists no 'run' command (commands: %s)" % sorted(commands))
opts_cache = {}
def options(cmd):
    if cmd not in opts_cache:
        opts_cache[cmd] = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", help_text(cmd)))
    return opts_cache[cmd]

def strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node

def check_options(where, cmd, rest):
    # the words up to the end of the shell command
    for word in rest.split():
        word = word.strip("\"'")
        m = re.match(r"^(--[a-z][a-z0-9-]*)", word)
        if m and m.group(1) not in options(cmd):
            fail("%s: relaylab %s has no option %s" % (where, cmd, m.group(1)))

docs = {}
for f in files:
    path = os.path.join(src, f)
    try:
        with open(path) as fh:
            docs[f] = yaml.safe_load(fh)
    except Exception as e:
        fail("%s: does not parse: %s" % (f, e))
        continue
    if not isinstance(docs[f], dict):
        fail("%s: not a mapping" % f)
        continue
    for s in strings(docs[f]):
        for line in s.splitlines():
            for p in re.findall(r"(?<![\w./-])(scripts/[A-Za-z0-9_.-]+)", line):
                full = os.path.join(src, p)
                if not (os.path.isfile(full) and os.access(full, os.X_OK)):
                    fail("%s: %s is not an executable file" % (f, p))
            for p in re.findall(r"(?<![\w./-])((?:\.clusterfuzzlite|fuzz)/[A-Za-z0-9_./*-]*[A-Za-z0-9_])", line):
                if "*" not in p and not os.path.exists(os.path.join(src, p)):
                    fail("%s: %s does not exist" % (f, p))
            # each shell command of the line on its own
            for seg in re.split(r"\|\||&&|[|;`()]", line):
                m = re.search(r"(?<![\w.-])relaylab\s+([a-z][a-z-]*)(.*)", seg)
                if m and m.group(1) not in commands:
                    fail("%s: relaylab has no command '%s'" % (f, m.group(1)))
                elif m:
                    check_options(f, m.group(1), m.group(2))
                m = re.search(r"(?<![\w./-])scripts/run-seed\b(.*)", seg)
                if m:
                    check_options(f + " (scripts/run-seed)", "run", m.group(1))

if "project.yaml" in " ".join(docs) and docs.get(".clusterfuzzlite/project.yaml", {}).get("language") != "c":
    fail(".clusterfuzzlite/project.yaml: language is not c")
for p in [".clusterfuzzlite/Dockerfile", ".clusterfuzzlite/build.sh"]:
    if not os.path.isfile(os.path.join(src, p)):
        fail("%s is missing" % p)

# The seed matrices: MTA names and shards 1..N.
def check_matrix(where, mtas, shards, text):
    for m in mtas:
        if str(m) not in ("postfix", "exim"):
            fail("%s: MTA '%s' is neither postfix nor exim" % (where, m))
    ns = set(re.findall(r"--shard\s+[^/\n]*/(\d+)", text))
    if len(ns) != 1:
        fail("%s: expected one --shard K/N, found N in %s" % (where, sorted(ns)))
        return
    n = int(ns.pop())
    if sorted(int(k) for k in shards) != list(range(1, n + 1)):
        fail("%s: shards %s are not 1..%d" % (where, list(shards), n))

gh = docs.get(".github/workflows/relaylab.yml")
if isinstance(gh, dict):
    try:
        job = gh["jobs"]["seed"]
        mx = job["strategy"]["matrix"]
        check_matrix("relaylab.yml seed", mx["mta"], mx["shard"], "\n".join(strings(job["steps"])))
        if job["container"]["image"] != "debian:bookworm" or "--privileged" not in job["container"].get("options", ""):
            fail("relaylab.yml seed: not in a privileged debian:bookworm container")
    except (KeyError, TypeError) as e:
        fail("relaylab.yml: no seed job with a strategy matrix and container (%s)" % e)
gl = docs.get(".gitlab-ci.yml")
if isinstance(gl, dict):
    try:
        (mx,) = gl["seed"]["parallel"]["matrix"]
        check_matrix(".gitlab-ci.yml seed", mx["MTA"], mx["SHARD"], "\n".join(strings(gl["seed"]["script"])))
        if "junit" not in gl["seed"]["artifacts"]["reports"]:
            fail(".gitlab-ci.yml seed: no artifacts:reports:junit")
    except (KeyError, TypeError, ValueError) as e:
        fail(".gitlab-ci.yml: no seed job with one parallel:matrix (%s)" % e)

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("ok: %d files, commands %s" % (len(docs), ", ".join(sorted(opts_cache))))
PY
