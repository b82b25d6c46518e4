#!/usr/bin/env bash
# report_hostile.sh RELAYLAB - a real Postfix says hostile things; every
# report still parses and no terminal sees a raw control character.
# The scenario (written here) sets smtpd_banner to markup, ESC, BEL, 0xFF
# and ']]>' followed by 3600 bytes (four expansions of a long parameter of
# its own: scenario lines stop at 1000 bytes; a banner past relaylab's
# 4096-byte reply line limit reads as "did not start"), and a reject
# footer with the same bytes; the title and variant descriptions carry
# them too. Variant "banner" fails on the banner, "footer" on the RCPT
# refusal, "broken" is an MTA that does not start. Then: junit.xml passes
# the JUnit schema, results.json holds every cell, failure and error,
# results.tap's YAML blocks parse, and the console, the transcripts and
# every other file are valid UTF-8 without control characters. Then
# "relaylab send" against the same banner in "relaylab sandbox", and a
# results directory that fills up mid-write (exit 3, nothing in place).
set -u
RELAYLAB=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"
cd "$TOP"

# clean FILE... - valid UTF-8, no C0 but LF and TAB, no DEL, no C1; prints offenders
clean() {
  python3 - "$@" <<'PY'
import sys
bad = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"{path}: not UTF-8 at byte {e.start}: {data[max(0, e.start - 20):e.start + 5]!r}")
        bad += 1
        continue
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch not in "\n\t") or 0x7f <= o <= 0x9f or 0xd800 <= o <= 0xdfff:
            print(f"{path}: control character U+{o:04X} at {i}: {text[max(0, i - 20):i + 5]!r}")
            bad += 1
            break
sys.exit(1 if bad else 0)
PY
}

mkdir -p "$work/scn"
python3 - "$work/scn/hostile.scn" <<'PY'
import sys
esc = b"\x1b[31mred\x1b[0m"
hostile = b"<script>alert(1)</script> " + esc + b" \x07 \xff ]]>"
lines = [
    b"# Written by tests/integration/report_hostile.sh: a server that says hostile things.",
    b"scenario hostile-banner",
    b'title "hostile ' + hostile + b' title"',
    b"mta postfix",
    b'variant banner "the banner says \x1b]0;owned\x07"',
    b'variant footer "the reject footer says \x1b[2J"',
    b'variant broken "Postfix does not start \xfe"',
    b"config postfix set relaylab_long = " + b"L" * 900,
    b"config postfix set smtpd_banner = $myhostname " + hostile
    + b" $relaylab_long$relaylab_long$relaylab_long$relaylab_long",
    b"config postfix set smtpd_reject_footer = footer " + hostile + b" " + b"F" * 700,
    b"config postfix broken set default_process_limit = " + esc + b"\xff",
    b"dialogue hostile",
    b"  connect smtp from outside",
    b'  S: 220 "a text the banner does not hold"   [banner]',
    b"  S: 220                                      [footer]",
    b"  ehlo client.example",
    b"  S: 250",
    b"  mail a@relaylab.test",
    b"  S: 250",
    b"  rcpt someone@example.org",
    b"  S: 250                                      [footer]",
    b"  quit",
]
open(sys.argv[1], "wb").write(b"\n".join(lines) + b"\n")
PY

# 1. The run: two failures and an error, exit 1, results written whole.
"$RELAYLAB" run --mta postfix --results "$work/r" "$work/scn/hostile.scn" > "$work/run.out" 2> "$work/run.err"; rc=$?
run=$(readlink -f "$work/r/latest")
if [ "$rc" -eq 1 ] && [ -d "$run" ]; then ok "hostile run: exit 1, results written"; else fail "hostile run: exit $rc"; cat "$work/run.err"; fi
clean "$work/run.out" "$work/run.err" && ok "console (summary, progress, errors): no control character, valid UTF-8" \
  || fail "console output is not clean"
grep -qF 'got 220 mx.relaylab.test <script>alert(1)</script> \x1b[31mred\x1b[0m \x07 \xff ]]> LLLL' "$work/run.out" \
  && ok "console shows the banner's bytes escaped" || { fail "console: no escaped banner"; head -c 2000 "$work/run.out"; }

# 2. junit.xml against the schema.
xmllint --noout --schema "$HERE/data/junit.xsd" "$run/junit.xml" 2>"$work/xsd" && ok "junit.xml passes the JUnit schema" \
  || { fail "junit.xml schema"; head -c 2000 "$work/xsd"; }

# 3. results.json: every cell, every failure, the error; no control character in any string.
python3 - "$run/results.json" <<'PY' && ok "results.json: 3 cells, 2 failures carrying the hostile replies, 1 error" || fail "results.json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
cells = {c["variant"]: c for c in d["cells"]}
assert d["summary"]["cells"] == 3 and len(d["cells"]) == 3, d["summary"]
assert set(cells) == {"banner", "footer", "broken"}, cells.keys()
b, f, e = cells["banner"]["failure"], cells["footer"]["failure"], cells["broken"]
assert b["actual"].startswith("220 mx.relaylab.test <script>alert(1)</script> \\x1b[31mred\\x1b[0m \\x07 \\xff ]]> LLL"), b
assert b["actual"].endswith("..."), "cut at the field's size, and marked"
assert "footer <script>alert(1)</script> \\x1b[31mred" in f["actual"], f
assert b["line"] == 14 and f["line"] == 21, (b, f)
assert e["status"] == "error" and e["error"].startswith("postfix did not start"), e
assert cells["banner"]["title"] == "hostile <script>alert(1)</script> \\x1b[31mred\\x1b[0m \\x07 \\xff ]]> title"
fd = cells["footer"]["deciding_step"]
assert fd["step"] == "rcpt someone@example.org", fd
assert "footer <script>alert(1)</script> \\x1b[31mred" in fd["actual"], fd
assert any("NOQUEUE: reject: RCPT from" in l for l in fd["log"]), fd
assert "deciding_step" not in e, e
def strings(v):
    if isinstance(v, str): yield v
    elif isinstance(v, dict):
        for x in v.values(): yield from strings(x)
    elif isinstance(v, list):
        for x in v: yield from strings(x)
for s in strings(d):
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in s), repr(s)
PY

# 4. results.tap: every YAML block parses, and says what failed.
python3 - "$run/results.tap" <<'PY' && ok "results.tap: 3 YAML blocks parse and name file, line, expected, actual" || fail "results.tap YAML"
import sys, yaml
blocks, cur = [], None
for line in open(sys.argv[1], encoding="utf-8"):
    if line == "  ---\n":
        cur = []
    elif line == "  ...\n":
        blocks.append(yaml.safe_load("".join(cur)))
        cur = None
    elif cur is not None:
        assert line.startswith("  "), repr(line)
        cur.append(line[2:])
assert len(blocks) == 3, len(blocks)
by = {b["status"]: b for b in blocks}
assert by["ERROR"]["message"].startswith("postfix did not start"), by["ERROR"]
fails = [b for b in blocks if b["status"] == "FAIL"]
assert len(fails) == 2 and all(b["at"]["line"] in (14, 21) for b in fails), fails
assert any("<script>alert(1)</script> \\x1b[31m" in b["actual"] for b in fails), fails
PY

# 5. Every other file: transcripts, MTA logs and configs, report.html.
files=$(find "$run" -type f | sort)
clean $files && ok "every file of the run ($(echo "$files" | wc -l)) is valid UTF-8 without control characters" \
  || fail "a result file holds a raw byte"
grep -q "<script" "$run/report.html" && fail "report.html holds server markup" || ok "report.html escapes the server's markup"
python3 - "$run/report.html" <<'PY' && ok "report.html: the refused RCPT's reply (the hostile footer) and log line in its cell, escaped; no config diff against an MTA that did not start" || fail "report.html: the footer cell"
import sys
h = open(sys.argv[1], encoding="utf-8").read()
at = h.index('id="cell-hostile-banner.footer.postfix" open>')
cell = h[at:h.index("</details>", at)]
reply = cell[cell.index("<dt>server replied</dt>"):]
reply = reply[:reply.index("</dd>")]
assert "&lt;someone@example.org&gt;: Relay access denied" in reply, reply
assert "footer &lt;script&gt;alert(1)&lt;/script&gt; \\x1b[31mred" in reply, reply
assert "NOQUEUE: reject: RCPT from" in cell, cell[:3000]
assert 'class="diff"' not in h, "a diff against a config that never ran"
PY
longest=$(awk '{ if (length($0) > n) n = length($0) } END { print n }' "$run/cells/hostile-banner.banner.postfix/transcript.txt")
[ "$longest" -ge 3600 ] && ok "the ${longest}-byte banner line is in the transcript whole" || fail "longest transcript line: $longest"

# 6. relaylab send against the same banner, on a sandboxed Postfix.
banner=$'$myhostname <script>alert(1)</script> \e[31mred\e[0m \a \xff ]]>'
footer=$'footer \e[2J \xfe'
"$RELAYLAB" sandbox --mta postfix --set "smtpd_banner=$banner" --set "smtpd_reject_footer=$footer" -- \
  sh -c '"$0" send --server "$RELAYLAB_ADDR:25" --local-interface "$RELAYLAB_OUTSIDE" --to someone@example.org \
           > "$1/send.out" 2> "$1/send.err"; echo $? > "$1/send.rc";
         "$0" send --json --server "$RELAYLAB_ADDR:25" --local-interface "$RELAYLAB_OUTSIDE" --to someone@example.org \
           > "$1/send.json" 2> "$1/send-json.err"' "$RELAYLAB" "$work" > "$work/sandbox.out" 2>&1
if [ "$(cat "$work/send.rc" 2>/dev/null)" = 26 ] && grep -qF 'S: 220 mx.relaylab.test <script>alert(1)</script> \x1b[31mred\x1b[0m \x07 \xff ]]>' "$work/send.out"; then
  ok "relaylab send: exit 26 (relay refused), the banner shown escaped"
else
  fail "relaylab send (exit $(cat "$work/send.rc" 2>/dev/null))"; cat -v "$work/send.out" "$work/send.err" "$work/sandbox.out" | head -40
fi
clean "$work/send.out" "$work/send.err" "$work/send.json" "$work/send-json.err" "$work/sandbox.out" \
  && ok "relaylab send and sandbox: transcript, JSON and errors without control characters" || fail "send output not clean"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["result"] == "refused", d; assert "\\x1b[31m" in d["transcript"][1]["line"], d["transcript"][1]' \
  "$work/send.json" && ok "relaylab send --json parses, the banner escaped" || fail "send --json"

# 7. Results that cannot be written whole: a 12 KB tmpfs in a private mount
# namespace fills up mid-run. Exit 3, the file and reason named, nothing
# left behind (no half-written run, no staging directory), no "latest".
mkdir -p "$work/full"
unshare -m sh -c 'mount -t tmpfs -o size=12k tmpfs "$1" && "$0" run -q --mta postfix --results "$1" "$2" > "$3/full.out" 2> "$3/full.err";
                  echo $? > "$3/full.rc"; ls -A "$1" > "$3/full.ls"' \
  "$RELAYLAB" "$work/full" "$work/scn/hostile.scn" "$work"
if [ "$(cat "$work/full.rc" 2>/dev/null)" = 3 ] && grep -q "^relaylab run: results not written" "$work/full.err" \
   && grep -q "^relaylab run: cannot write .*: No space left on device" "$work/full.err" \
   && [ -f "$work/full.ls" ] && [ ! -s "$work/full.ls" ]; then
  ok "a disk that fills up: exit 3, the file named, nothing left behind, no latest"
else
  fail "disk full (exit $(cat "$work/full.rc" 2>/dev/null), left: $(cat "$work/full.ls" 2>/dev/null))"; cat "$work/full.err"
fi

it_done report_hostile
