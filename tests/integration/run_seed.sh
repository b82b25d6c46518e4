#!/usr/bin/env bash
# run_seed.sh RELAYLAB - "relaylab run" end to end, on real Postfix and Exim:
# the seed catalogue holds on both MTAs; junit.xml passes the JUnit schema;
# no secret is in any result file; report.html renders in headless Chromium
# with the matrix on the screenshot and an open relay's cell bold, white on red; a broken expectation fails naming the
# cell, step, expected and actual reply, with the MTA's log line on the console, in junit.xml, results.json, and
# on the rendered report.html with the fix's config diff; a malformed scenario gives
# file:line:col and writes nothing; policy scenarios pass on a sound
# Postfix and Exim config of the user's and catch an open relay in a bad one.
set -u
RELAYLAB=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"
cd "$TOP"

# 1. The seed catalogue on both MTAs.
"$RELAYLAB" run -q --results "$work/r" scenarios/seed > "$work/seed.out" 2>&1; rc=$?
run=$(readlink -f "$work/r/latest")
[ "$rc" -eq 0 ] && ok "seed matrix: exit 0" || { fail "seed matrix: exit $rc"; tail -20 "$work/seed.out"; }
for f in junit.xml results.json results.tap report.html; do
  [ -s "$run/$f" ] || fail "no $f"
done
python3 - "$run/results.json" <<'PY' && ok "results.json: every cell held, on both MTAs, open relay shown; each cell's deciding step, a refused relay's log line from each MTA" || fail "results.json"
import json, sys
d = json.load(open(sys.argv[1]))
cells = d["cells"]
assert d["schema"] == "relaylab-results/1"
assert {c["mta"] for c in cells} == {"postfix", "exim"}, "both MTAs"
assert all(c["status"] in ("pass", "open-relay-demonstrated") for c in cells), [c for c in cells if c["status"] not in ("pass", "open-relay-demonstrated")]
assert d["summary"]["open_relay_demonstrated"] == 2
causes = {c["cause"] for c in cells}
assert causes >= {1, 2, 3, 4, 5, 6, 7}, causes
# Every cell's deciding step; a refused relay's log line, each MTA's own.
assert all("deciding_step" in c and c.get("advice") for c in cells), [c["scenario"] for c in cells if "deciding_step" not in c]
for c in cells:
    if c["variant"] == "broken" and c["scenario"] in ("client-not-authenticated", "mynetworks-misconfigured", "recipient-domain-not-listed"):
        d = c["deciding_step"]
        assert d["step"].startswith("rcpt "), d
        want = "NOQUEUE: reject: RCPT from" if c["mta"] == "postfix" else "rejected RCPT <"
        assert any(want in l for l in d["log"]), (c["scenario"], c["mta"], d)
PY
n=$(ls "$run/cells" | wc -l)
[ "$n" -eq "$(python3 -c "import json;print(len(json.load(open('$run/results.json'))['cells']))")" ] && ok "a transcript directory per cell ($n)" || fail "cells: $n directories"
missing=$(for d in "$run"/cells/*; do
  case $d in
    *.postfix|*.postfix.r*) for f in transcript.txt main.cf master.cf; do [ -s "$d/$f" ] || echo "$d/$f"; done ;;
    *) for f in transcript.txt exim.conf; do [ -s "$d/$f" ] || echo "$d/$f"; done ;;
  esac
  [ -f "$d/mta.log" ] || echo "$d/mta.log" # empty when the MTA logged nothing during the cell
done)
[ -z "$missing" ] && ok "every cell's evidence: transcript, log, config (and Postfix's master.cf)" ||
  fail "evidence missing or empty: $(echo "$missing" | head -3)"
grep -q "submission" "$run/cells/submission-requires-tls.fixed.postfix/master.cf" &&
  ! grep -q "^[^#]*:587 " "$run/cells/submission-requires-tls.no-submission.postfix/master.cf" &&
  ok "master.cf evidence shows the submission listener where the variant has it, not where it has none" ||
  fail "master.cf evidence does not tell the submission variants apart"
# The guide's networks: its mynetworks line verbatim, an office host
# (10.0.0.0/24) trusted, a host on the internet (203.0.113.0/24) refused,
# and IPv6 clients both ways.
c=$run/cells
grep -q "^mynetworks = 127.0.0.0/8 \[::1\]/128 10.0.0.0/24$" "$c/mynetworks-misconfigured.fixed.postfix/main.cf" &&
  grep -q "^RELAY_FROM_HOSTS = 127.0.0.0/8 ; ::1 ; 10.0.0.0/24$" "$c/mynetworks-misconfigured.fixed.exim/exim.conf" &&
  ok "the guide's mynetworks line, verbatim, in the fixed configs (Exim: relay_from_hosts)" ||
  fail "the fixed configs do not carry the guide's mynetworks line"
for mta in postfix exim; do
  t=$c/mynetworks-misconfigured.fixed.$mta/transcript.txt
  b=$c/mynetworks-misconfigured.broken.$mta/transcript.txt
  if grep -q "connected to 192.0.2.[0-9]* port 25 from 10.0.0.5" "$t" && grep -q "sink: msg-.* to <someone@example.org>" "$t" &&
     grep -A30 "from 10.0.0.5" "$b" | grep -qE "S: 55[04] " &&
     grep -q "connected to 2001:db8::[0-9]* port 25 from ::1" "$t" && grep -q "sink: msg-.* to <admin@example.org>" "$t" &&
     grep -A30 "from 203.0.113.7" "$t" | grep -qE "S: 55[04] "; then
    ok "$mta: office 10.0.0.5 relays once in mynetworks (refused before), ::1 relays over IPv6, 203.0.113.7 refused"
  else
    fail "$mta: the guide's networks in the mynetworks cells"
  fi
  grep -q "connected to 2001:db8::[0-9]* port 25 from 2001:db8:ffff::7" "$c/mynetworks-too-wide.fixed.$mta/transcript.txt" &&
    grep -q "sink: msg-.* to <victim6@example.org>" "$c/mynetworks-too-wide.too-wide.$mta/transcript.txt" &&
    ok "$mta: an IPv6 stranger (2001:db8:ffff::7) refused, and relays where [2001:db8::]/32 is in mynetworks" ||
    fail "$mta: the IPv6 stranger"
done
grep -q "fatal: no SASL authentication mechanisms" "$c/sasl-socket-missing.socket-missing.postfix/mta.log" &&
  grep -q "435 Unable to authenticate at present" "$c/sasl-socket-missing.socket-missing.exim/transcript.txt" &&
  ok "cause 5, socket missing: Postfix's smtpd dies ('no SASL authentication mechanisms'), Exim says 435" ||
  fail "cause 5 with the socket missing"
xmllint --noout --schema "$HERE/data/junit.xsd" "$run/junit.xml" 2>"$work/xsd" && ok "junit.xml passes the JUnit schema" || { fail "junit.xml schema"; cat "$work/xsd"; }
if grep -rqE "AUTH (PLAIN|LOGIN) [A-Za-z0-9+/=]{6,}|\{PLAIN\}" "$run"; then fail "a secret in the results"; else ok "no AUTH payload or password in any result file"; fi
grep -rq "AUTH PLAIN <redacted>" "$run/cells" && ok "transcripts show AUTH as <redacted>" || fail "no redacted AUTH line"

# 2. report.html in headless Chromium: the matrix is on the page.
profile="$work/chromium"
chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
        --disable-background-networking --disable-component-update --disable-sync
        --user-data-dir="$profile" --window-size=1100,900)
timeout 60 "${chrome[@]}" --screenshot="$work/report.png" "file://$run/report.html" >/dev/null 2>&1
timeout 60 "${chrome[@]}" --dump-dom "file://$run/report.html" > "$work/dom.html" 2>/dev/null
read -r green red <<<"$(python3 "$HERE/png_colours.py" "$work/report.png" 200,240,200 221,0,0 2>/dev/null || echo 0 0)"
rows=$(grep -o '<tr>' "$work/dom.html" | wc -l)
if [ "${green:-0}" -gt 2000 ] && [ "${red:-0}" -gt 200 ] && [ "$rows" -ge 19 ]; then
  ok "report.html rendered: matrix of $((rows - 1)) rows, $green pass-green and $red open-relay-red pixels on the screenshot"
else
  fail "report.html render: rows=$rows green=$green red=$red"
fi
# The stylesheet as Chromium applies it: an open relay's cell bold, its link
# white on red (".open a" was once nested inside ".open" and never matched).
# A copy of the page with a probe that writes the computed styles into the DOM.
probe='var o = document.querySelector("td.open"), a = o.querySelector("a"), s = getComputedStyle;'
probe+=' document.body.dataset.check = s(o).fontWeight + " " + s(a).fontWeight + " " + s(a).color'
probe+=' + " on " + s(o).backgroundColor;'
sed "s|</body></html>|<script>$probe</script></body></html>|" \
  "$run/report.html" > "$work/probe.html"
style=$(timeout 60 "${chrome[@]}" --dump-dom "file://$work/probe.html" 2>/dev/null | grep -o 'data-check="[^"]*"')
[ "$style" = 'data-check="700 700 rgb(255, 255, 255) on rgb(221, 0, 0)"' ] \
  && ok "report.html: an open relay's cell is bold, its link white on red" || fail "open relay cell style: $style"

# 3. A broken expectation fails, and says where (01: no config change
# between its variants; 02: mynetworks, changed by the fix).
mkdir -p "$work/broken"
for f in 01-client-not-authenticated 02-mynetworks; do
  sed 's/^  S: 554 5.7.1 "Relay access denied"         \[postfix broken\]/  S: 550 5.7.1 "Relay access denied"         [postfix broken]/' \
    "scenarios/seed/$f.scn" > "$work/broken/${f%%-*}.scn"
done
"$RELAYLAB" run -q --mta postfix --results "$work/b" "$work/broken/01.scn" "$work/broken/02.scn" > "$work/broken.out" 2>&1; rc=$?
line=$(grep -n '^  S: 550 5.7.1 "Relay access denied" .*\[postfix broken\]' "$work/broken/01.scn" | cut -d: -f1)
want="FAIL client-not-authenticated/broken/postfix: $work/broken/01.scn:$line: S: 550 5.7.1 \"Relay access denied\": expected 550 5.7.1 \"Relay access denied\", got 554 5.7.1 <someone@example.org>: Relay access denied"
if [ "$rc" -eq 1 ] && grep -qF "$want" "$work/broken.out"; then ok "broken expectation: exit 1, names cell, step, expected and actual"; else fail "broken expectation (exit $rc)"; cat "$work/broken.out"; fi
xmllint --noout --schema "$HERE/data/junit.xsd" "$work/b/latest/junit.xml" 2>/dev/null && ok "a failing run's junit.xml passes the schema too" || fail "failing junit.xml schema"
# The log lines under the FAIL line (those of the step; Postfix logs through
# postlogd after it replies, so under load a line of an earlier step, such as
# the session's "connect from", may land among them): the reject is there.
awk -v want="$want" 'index($0, want) == 1 { on = 1; next } on && /^  postfix log: / { print; next } { on = 0 }' "$work/broken.out" |
  grep -q '^  postfix log: .* postfix/smtpd\[[0-9]*\]: NOQUEUE: reject: RCPT from [^ ]*\[[0-9a-f.:]*\]: 554 5\.7\.1 <someone@example\.org>: Relay access denied' \
  && ok "the console's FAIL line is followed by Postfix's NOQUEUE reject line" || { fail "no log line under the FAIL line"; cat "$work/broken.out"; }
grep -q "NOQUEUE: reject: RCPT from .*Relay access denied" "$work/b/latest/junit.xml" \
  && ok "junit.xml's failure carries the log line" || fail "no log line in junit.xml's failure"
python3 - "$work/b/latest/results.json" <<'PY' && ok "results.json: every cell's deciding step, reply and log lines; a failure's is the refused RCPT" || fail "results.json deciding_step"
import json, sys
d = json.load(open(sys.argv[1]))
cells = {(c["scenario"], c["variant"]): c for c in d["cells"]}
for c in d["cells"]:
    assert c["deciding_step"]["step"].startswith("rcpt "), c["deciding_step"]
    assert c["advice"], c
for scenario in ("client-not-authenticated", "mynetworks-misconfigured"):
    b = cells[(scenario, "broken")]["deciding_step"]
    assert b["step"] == "rcpt someone@example.org", b
    assert b["actual"] == "554 5.7.1 <someone@example.org>: Relay access denied", b
    assert 'S: 550 5.7.1 "Relay access denied"' in b["expected"], b
    assert any("NOQUEUE: reject: RCPT from" in l and "<someone@example.org>: Relay access denied" in l for l in b["log"]), b
f = cells[("client-not-authenticated", "fixed")]["deciding_step"]
assert f["actual"].startswith("250 "), f
PY

# 3b. That run's report.html in Chromium: for each failing cell the
# server's reply and Postfix's log line are on the rendered page (text a
# reader sees, not only markup), and for 02 the config diff of the fix; a
# screenshot at the failing cell shows the diff's removed and added lines.
probe='var out = [];'
probe+=' for (const id of ["cell-client-not-authenticated.broken.postfix", "cell-mynetworks-misconfigured.broken.postfix"]) {'
probe+='  const d = document.getElementById(id); out.push(d ? d.innerText : "MISSING " + id); }'
probe+=' var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = out.join("\\n=====\\n");'
probe+=' document.body.appendChild(pre);'
sed "s|</body></html>|<script>$probe</script></body></html>|" "$work/b/latest/report.html" > "$work/b/latest/probe.html"
timeout 60 "${chrome[@]}" --dump-dom "file://$work/b/latest/probe.html" 2>/dev/null |
  python3 -c 'import html, re, sys; m = re.search(r"<pre id=\"probe\">(.*?)</pre>", sys.stdin.read(), re.S); print(html.unescape(m.group(1)) if m else "NO PROBE")' > "$work/shown.txt"
shown01=$(sed -n '1,/^=====$/p' "$work/shown.txt")
shown02=$(sed -n '/^=====$/,$p' "$work/shown.txt")
reply='554 5.7.1 <someone@example.org>: Relay access denied'
noqueue='NOQUEUE: reject: RCPT from [^ ]*\[[0-9a-f.:]*\]: 554 5\.7\.1 <someone@example\.org>: Relay access denied'
# The fix's lines as main.cf has them: the scenario's own "set" lines for each variant.
minus=$(sed -n 's/^config postfix broken *set \(.*\)$/-\1/p' scenarios/seed/02-mynetworks.scn)
plus=$(sed -n 's/^config postfix fixed *set \(.*\)$/+\1/p' scenarios/seed/02-mynetworks.scn)
advice=$(sed -n 's/^advice *"\(.*\)"$/\1/p' scenarios/seed/02-mynetworks.scn)
if grep -qF "$reply" <<<"$shown01" && grep -q "$noqueue" <<<"$shown01" &&
   grep -qF "$reply" <<<"$shown02" && grep -q "$noqueue" <<<"$shown02" &&
   [ -n "$minus" ] && grep -qxF -- "$minus" <<<"$shown02" &&
   [ -n "$plus" ] && grep -qxF -- "$plus" <<<"$shown02" &&
   [ -n "$advice" ] && grep -qF -- "$advice" <<<"$shown02"; then
  ok "report.html in Chromium: the failing cells show the server's reply, Postfix's NOQUEUE line, and (02) the fix's config diff and advice"
else
  fail "report.html's failing cells in Chromium"; cat "$work/shown.txt"
fi
# The page cut down to that cell (headless Chromium does not scroll a screenshot to a fragment).
sed 's|</body></html>|<script>document.body.replaceChildren(document.getElementById("cell-mynetworks-misconfigured.broken.postfix"));</script></body></html>|' \
  "$work/b/latest/report.html" > "$work/b/latest/cellshot.html"
timeout 60 "${chrome[@]}" --screenshot="$work/failing.png" "file://$work/b/latest/cellshot.html" >/dev/null 2>&1
read -r del add <<<"$(python3 "$HERE/png_colours.py" "$work/failing.png" 255,221,221 221,255,221 2>/dev/null || echo 0 0)"
[ "${del:-0}" -gt 500 ] && [ "${add:-0}" -gt 500 ] \
  && ok "screenshot at the failing cell: the diff's removed ($del px) and added ($add px) lines" \
  || fail "screenshot at the failing cell: del=$del add=$add"

# 4. A malformed scenario: file:line:col, exit 2, nothing written.
printf 'scenario bad\ndialogue d\n  connect smtp\n  S: 2x0\n' > "$work/bad.scn"
mkdir -p "$work/m"
"$RELAYLAB" run -q --results "$work/m" "$work/bad.scn" > "$work/bad.out" 2>&1; rc=$?
if [ "$rc" -eq 2 ] && grep -qF "$work/bad.scn:4:6: reply code '2x0'" "$work/bad.out" && [ -z "$(ls -A "$work/m")" ]; then
  ok "malformed scenario: file:line:col, exit 2, no results written"
else
  fail "malformed scenario (exit $rc, results: $(ls -A "$work/m"))"; cat "$work/bad.out"
fi

# 5. Bring your own config: policy scenarios.
"$RELAYLAB" run -q --results "$work/p" --postfix-config "$HERE/data/postfix-user" > "$work/p.out" 2>&1; rc=$?
[ "$rc" -eq 0 ] && grep -q "4 of 4 cells held" "$work/p.out" && ok "policy on a sound main.cf/master.cf: all hold" || { fail "policy on a sound config (exit $rc)"; tail -8 "$work/p.out"; }
"$RELAYLAB" run -q --results "$work/o" --postfix-config "$HERE/data/postfix-open" > "$work/o.out" 2>&1; rc=$?
if [ "$rc" -eq 1 ] && grep -q "^OPEN RELAY policy-no-unauthenticated-relay/default/postfix" "$work/o.out"; then
  ok "policy on a too-wide mynetworks: OPEN RELAY, exit 1"
else
  fail "policy on an open config (exit $rc)"; tail -8 "$work/o.out"
fi

# --shared-network: only 127.0.0.0/8 and ::1, so a dialogue from the office
# is not applicable, with that reason, not failed.
"$RELAYLAB" run -q --shared-network --mta postfix --results "$work/sh" scenarios/seed/02-mynetworks.scn > "$work/sh.out" 2>&1; rc=$?
if [ "$rc" -eq 0 ] && grep -q "^n/a mynetworks-misconfigured/broken/postfix: .*client 10.0.0.5 needs relaylab's private network namespace" "$work/sh.out"; then
  ok "--shared-network: the office client's dialogue is not applicable, with the reason"
else
  fail "--shared-network (exit $rc)"; tail -4 "$work/sh.out"
fi

# A sound Postfix without SASL (an MX): the policies that need AUTH are not
# applicable, with the reason, and the run passes.
mkdir -p "$work/nosasl"
sed '/^smtpd_sasl_/d' "$HERE/data/postfix-user/main.cf" > "$work/nosasl/main.cf"
sed '/-o smtpd_sasl_auth_enable=yes/d' "$HERE/data/postfix-user/master.cf" > "$work/nosasl/master.cf"
"$RELAYLAB" run -q --results "$work/ns" --postfix-config "$work/nosasl" > "$work/ns.out" 2>&1; rc=$?
if [ "$rc" -eq 0 ] && grep -q "2 of 2 cells held their expectations, 2 not applicable to this config" "$work/ns.out" &&
   grep -q "^n/a policy-authenticated-submission/default/postfix: .*not applicable: the config offers no AUTH on this listener" "$work/ns.out" &&
   grep -q "^n/a policy-wrong-password/default/postfix: .*not applicable: the config has no AUTH here" "$work/ns.out"; then
  ok "a sound Postfix config without SASL: exit 0, the SASL policies not applicable, with the reason"
else
  fail "Postfix without SASL (exit $rc)"; tail -8 "$work/ns.out"
fi
"$RELAYLAB" run -q --results "$work/e" --exim-config "$HERE/data/exim-user/exim.conf" > "$work/e.out" 2>&1; rc=$?
[ "$rc" -eq 0 ] && grep -q "4 of 4 cells held" "$work/e.out" && ok "policy on a sound Exim config: all hold" || { fail "policy on a sound Exim config (exit $rc)"; tail -8 "$work/e.out"; }
grep -q "the sandbox rewrote exim router dnslookup: driver dnslookup -> manualroute to the capture sink" "$work/e/latest/cells/"*/transcript.txt \
  && ok "the Exim rewrites are listed in the transcripts" || fail "no Exim rewrite listed"
"$RELAYLAB" run -q --results "$work/eo" --exim-config "$HERE/data/exim-open/exim.conf" > "$work/eo.out" 2>&1; rc=$?
if [ "$rc" -eq 1 ] && grep -q "^OPEN RELAY policy-no-unauthenticated-relay/default/exim" "$work/eo.out"; then
  ok "policy on an Exim relay_from_hosts too wide: OPEN RELAY, exit 1"
else
  fail "policy on an open Exim config (exit $rc)"; tail -8 "$work/eo.out"
fi

# A user's Exim without 587 (daemon_smtp_ports = 25): 587 refuses the
# connection, and the submission policies say so.
mkdir -p "$work/no587"
sed 's/^daemon_smtp_ports = 25 : 587$/daemon_smtp_ports = 25/' "$HERE/data/exim-user/exim.conf" > "$work/no587/exim.conf"
"$RELAYLAB" run -q --results "$work/e5" --exim-config "$work/no587/exim.conf" > "$work/e5.out" 2>&1; rc=$?
t=$(ls -d "$work"/e5/latest/cells/policy-authenticated-submission.default.exim)/transcript.txt
if [ "$rc" -eq 0 ] && grep -q "^n/a policy-authenticated-submission/default/exim: .*the config has no submission listener" "$work/e5.out" &&
   grep -A1 "connect to 192.0.2.[0-9]* port 587 failed" "$t" | grep -q "Connection refused"; then
  ok "a user's Exim without 587: connection refused on 587, the submission policy not applicable"
else
  fail "Exim without 587 (exit $rc)"; tail -6 "$work/e5.out"; grep -A1 587 "$t" | head -4
fi

it_done run
