#!/usr/bin/env bash
# sandbox_checks.sh - run inside "relaylab sandbox --mta M -- sandbox_checks.sh RELAYLAB".
# Checks what issue 3 asks of a sandbox, against the real MTA it stands up:
# a banner on every listener; relay denied to an outside client, allowed to
# an inside one, allowed after AUTH PLAIN and LOGIN over STARTTLS; AUTH not
# offered before STARTTLS on submission; each relayed message in the sink
# with the right envelope.
set -u
RELAYLAB=$1
failures=0
n=0
fail() { echo "FAIL [$RELAYLAB_MTA] $*"; failures=$((failures+1)); }
ok() { echo "ok   [$RELAYLAB_MTA] $*"; }

# send_expect NAME EXIT PATTERN -- args
send_expect() {
  local name=$1 want=$2 pattern=$3 out rc
  shift 4
  out=$("$RELAYLAB" send --timeout 5 "$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ]; then fail "$name: exit $rc, wanted $want"; echo "$out" | tail -8; return 1; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then fail "$name: no /$pattern/"; echo "$out" | tail -8; return 1; fi
  if grep -qF -- "$RELAYLAB_PASSWORD" <<<"$out"; then fail "$name: password in transcript"; return 1; fi
  ok "$name"
}

# in_sink FROM RCPT - the sink stored a message with exactly this envelope (5 s)
in_sink() {
  python3 - "$RELAYLAB_SINK_DIR" "$1" "$2" <<'PY'
import glob, json, sys, time
d, mail_from, rcpt = sys.argv[1:]
deadline = time.time() + 5
while time.time() < deadline:
    for f in glob.glob(d + "/msg-*.json"):
        e = json.load(open(f))
        if e["mail_from"] == mail_from and e["rcpt_to"] == [rcpt]:
            sys.exit(0)
    time.sleep(0.02)
print("sink has:", [json.load(open(f)) for f in glob.glob(d + "/msg-*.json")])
sys.exit(1)
PY
}

S="--server $RELAYLAB_ADDR"
TLS=(--tls --tls-verify --tls-ca-path "$RELAYLAB_CA" --tls-sni mx.relaylab.test)

send_expect "banner on smtp (25)" 0 "^ +[0-9.]+ S: 220 " -- $S:$RELAYLAB_PORT_SMTP --quit-after banner
send_expect "banner on submission (587)" 0 "^ +[0-9.]+ S: 220 " -- $S:$RELAYLAB_PORT_SUBMISSION --quit-after banner
send_expect "banner on smtps (465, TLS on connect)" 0 "TLS on connect: TLSv1" -- $S:$RELAYLAB_PORT_SMTPS --tls-on-connect --tls-verify --tls-ca-path "$RELAYLAB_CA" --tls-sni mx.relaylab.test --quit-after banner

# Each MTA's own words: Postfix 3.7 and Exim 4.96 as configured by the sandbox.
if [ "$RELAYLAB_MTA" = postfix ]; then
  denied="S: 554 5.7.1 <[^>]*>: Relay access denied"; queued="S: 250 2.0.0 Ok: queued as"; authok="S: 235 2.7.0 Authentication successful"
else
  denied="S: 550 relay not permitted"; queued="S: 250 OK id="; authok="S: 235 Authentication succeeded"
fi
send_expect "outside client: relay denied" 26 "$denied" -- $S:25 --local-interface "$RELAYLAB_OUTSIDE" --to "denied-$$@example.org"
sleep 0.3
if python3 -c "import glob,json,sys; sys.exit(any('denied-$$@example.org' in json.load(open(f))['rcpt_to'] for f in glob.glob('$RELAYLAB_SINK_DIR/msg-*.json')))"; then
  ok "denied message is not in the sink"
else
  fail "a denied message reached the sink"
fi

send_expect "inside client: relayed" 0 "$queued" -- $S:25 --local-interface "$RELAYLAB_INSIDE" --from "in-$$@relaylab.test" --to "inside-$$@example.org"
in_sink "in-$$@relaylab.test" "inside-$$@example.org" && ok "inside message in the sink with its envelope" || fail "inside message not in the sink"

for mech in PLAIN LOGIN; do
  send_expect "AUTH $mech over STARTTLS on 587: relayed" 0 "$authok" -- $S:587 "${TLS[@]}" \
    --local-interface "$RELAYLAB_OUTSIDE" --auth $mech --auth-user "$RELAYLAB_USER" \
    --auth-password "$RELAYLAB_PASSWORD" --from "$RELAYLAB_USER" --to "auth-$mech-$$@example.org"
  in_sink "$RELAYLAB_USER" "auth-$mech-$$@example.org" && ok "AUTH $mech message in the sink" || fail "AUTH $mech message not in the sink"
done

send_expect "no AUTH before STARTTLS on 587" 24 "AUTH not offered" -- $S:587 --local-interface "$RELAYLAB_OUTSIDE" \
  --auth PLAIN --auth-user "$RELAYLAB_USER" --auth-password "$RELAYLAB_PASSWORD" --to "x-$$@example.org"
send_expect "wrong password refused" 24 "535" -- $S:587 "${TLS[@]}" --auth PLAIN --auth-user "$RELAYLAB_USER" \
  --auth-password "wrong" --to "x-$$@example.org"

send_expect "wrong certificate name fails verification" 7 "certificate" -- $S:587 --tls --tls-verify \
  --tls-ca-path "$RELAYLAB_CA" --tls-sni wrong.example --to "x-$$@example.org"
send_expect "pipelined envelope relays" 0 "$queued" -- $S:587 "${TLS[@]}" --auth-user "$RELAYLAB_USER" \
  --auth-password "$RELAYLAB_PASSWORD" --from "$RELAYLAB_USER" --to "pipe-$$@example.org" --pipeline
json=$("$RELAYLAB" send $S:587 "${TLS[@]}" --auth-user "$RELAYLAB_USER" --auth-password "$RELAYLAB_PASSWORD" \
  --to "json-$$@example.org" --json)
if python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["result"]=="ok" and d["tls"] is True, d' <<<"$json" \
   && ! grep -qF -- "$RELAYLAB_PASSWORD" <<<"$json"; then
  ok "--json is valid, says ok, holds no password"
else
  fail "--json"
fi
if [ "$RELAYLAB_MTA" = postfix ]; then saslog="sasl_method=PLAIN, sasl_username=$RELAYLAB_USER"; else saslog="A=dovecot_plain:$RELAYLAB_USER"; fi
grep -qF "$saslog" "$RELAYLAB_LOG" && ok "the MTA logged the Dovecot SASL login" || fail "no SASL login in $RELAYLAB_LOG"
if grep -q "lost privilege" "$RELAYLAB_LOG" 2>/dev/null; then fail "Exim re-exec lost privilege (trusted_configs)"; fi

[ "$failures" -eq 0 ] || { echo "[$RELAYLAB_MTA] $failures check(s) failed"; exit 1; }
echo "[$RELAYLAB_MTA] all sandbox checks passed"
