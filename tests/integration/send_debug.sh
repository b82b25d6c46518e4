#!/usr/bin/env bash
# send_debug.sh RELAYLAB - relaylab send's debugging features (issue 10,
# item 5) against the real Postfix sandbox:
# (a) --show-cert on submission (587) after STARTTLS (RFC 3207) and on smtps
#     (465, TLS on connect, RFC 8314): the chain's names, dates,
#     subjectAltNames, the fingerprint the openssl command sees, the
#     verify result (enforced or not), the same as JSON; a chain that
#     fails verification shown before exit 7;
# (b) --interactive fed from a here-document: EHLO, STARTTLS, EHLO, AUTH
#     PLAIN with the sandbox user (RFC 4954), MAIL, RCPT, DATA with a
#     dot-stuffed line, QUIT; Postfix's replies as they come, the message
#     in the sink, and neither the password nor its base64 anywhere in the
#     output; .auth LOGIN with --tls and --show-cert; AUTH before STARTTLS
#     refused, and the base64 typed after it kept back.
# Inside the sandbox it runs itself again: send_debug.sh RELAYLAB --inside.
set -u
RELAYLAB=$(readlink -f "$1")
if [ "${2:-}" = --inside ]; then
  failures=0
  fail() { echo "FAIL [$RELAYLAB_MTA] $*"; failures=$((failures+1)); }
  ok() { echo "ok   [$RELAYLAB_MTA] $*"; }
  out=$(mktemp)
  trap 'rm -f "$out"' EXIT
  # run NAME EXIT -- ARGS: relaylab send ARGS (stdin as given), output in $out
  run() {
    local name=$1 want=$2 rc
    shift 3
    "$RELAYLAB" send --timeout 5 "$@" > "$out" 2>&1; rc=$?
    [ "$rc" -eq "$want" ] && return 0
    fail "$name: exit $rc, wanted $want"; tail -8 "$out"; return 1
  }
  # has NAME TEXT...: every TEXT a line (fixed string) of $out, in order
  has() {
    local name=$1 line at=0 n
    shift
    for line in "$@"; do
      n=$(tail -n +$((at + 1)) "$out" | grep -nF -m1 -- "$line" | cut -d: -f1)
      [ -n "$n" ] || { fail "$name: no '$line' (after line $at)"; cat "$out"; return 1; }
      at=$((at + n))
    done
    ok "$name"
  }
  # clean NAME: neither the password nor its base64 (PLAIN, LOGIN) in $out, no raw control byte
  clean() {
    local secret
    for secret in "$RELAYLAB_PASSWORD" "$PLAIN" "$(printf %s "$RELAYLAB_PASSWORD" | base64 -w0)"; do
      grep -qF -- "$secret" "$out" && { fail "$1: a secret in the output: $secret"; return 1; }
    done
    LC_ALL=C grep -q '[[:cntrl:]]' < <(tr -d '\n' < "$out") &&
      { fail "$1: a control byte in the output"; return 1; }
    ok "$1: no password, no base64 of it, no control byte"
  }
  PLAIN=$(printf '\0%s\0%s' "$RELAYLAB_USER" "$RELAYLAB_PASSWORD" | base64 -w0)
  LOGIN_USER=$(printf %s "$RELAYLAB_USER" | base64 -w0)
  LOGIN_PASS=$(printf %s "$RELAYLAB_PASSWORD" | base64 -w0)
  S=$RELAYLAB_ADDR
  VERIFY=(--tls-verify --tls-ca-path "$RELAYLAB_CA" --tls-sni mx.relaylab.test)
  CERT=$(dirname "$RELAYLAB_CA")/cert.pem
  FP=$(openssl x509 -noout -fingerprint -sha256 -in "$CERT" | sed 's/.*=//')
  [ -n "$FP" ] || fail "no fingerprint of $CERT from the openssl command"
  CHAIN=(" depth 0, sent by the server"
         "    subject:   O=relaylab test, CN=mx.relaylab.test"
         "    issuer:    O=relaylab test, CN=relaylab test CA"
         ": valid now"
         "    alt names: DNS:mx.relaylab.test, IP:$S"
         "    sha256:    $FP"
         "    verify:    ok"
         " depth 1, from the trust store (not sent by the server)"
         "    subject:   O=relaylab test, CN=relaylab test CA")

  # (a) --show-cert
  run "587 STARTTLS --show-cert" 0 -- --server "$S:587" --tls "${VERIFY[@]}" --show-cert --quit-after tls &&
    has "587: the chain after STARTTLS" "C: STARTTLS" "S: 220 2.0.0 Ready to start TLS" \
      "TLS started: TLSv1." "TLS certificates (TLSv1." "${CHAIN[@]}" " verify result: 0 (ok), enforced"
  run "465 TLS on connect --show-cert" 0 -- --server "$S:465" --tls-on-connect "${VERIFY[@]}" \
      --show-cert --quit-after banner --silent &&
    has "465: the chain before the banner" "TLS certificates (TLSv1." "${CHAIN[@]}" \
      " verify result: 0 (ok), enforced"
  grep -q " S: 220 " "$out" && fail "465 --silent: the transcript shown" || ok "465 --silent: the chain alone"
  run "465 --show-cert --json" 0 -- --server "$S:465" --tls-on-connect "${VERIFY[@]}" --show-cert \
      --quit-after banner --json &&
    python3 - "$out" "$FP" <<'PY' && ok "465 --json: certificates object" || fail "465 --json: certificates object"
import json, sys
r = json.load(open(sys.argv[1]))
c = r["certificates"]
assert c["verify"] == {"result": 0, "text": "ok", "enforced": True}, c["verify"]
assert c["complete"] is True and c["session"].startswith("TLSv1."), c
leaf, ca = c["chain"]
assert leaf["subject"] == "O=relaylab test, CN=mx.relaylab.test" and leaf["sent"], leaf
assert leaf["sha256"] == sys.argv[2] and leaf["validity"] == "valid", leaf
assert leaf["alt_names"][0] == "DNS:mx.relaylab.test", leaf
assert ca["sent"] is False and ca["depth"] == 1, ca
PY
  run "587 --show-cert, nothing enforced, no CA" 0 -- --server "$S:587" --tls --show-cert --quit-after tls &&
    has "587 without a CA: the result says so, the session goes on" "    verify:    error 20: unable to get local issuer certificate" \
      " verify result: 21 (unable to verify the first certificate), not enforced"
  run "587 --show-cert, the wrong name" 7 -- --server "$S:587" --tls --tls-verify \
      --tls-ca-path "$RELAYLAB_CA" --tls-sni wrong.example --show-cert --quit-after tls &&
    has "587 wrong name: the refused chain shown, then exit 7" \
      "TLS certificates (TLSv1.3 TLS_AES_256_GCM_SHA384), the handshake failed after they came:" \
      "    verify:    error 62: hostname mismatch" " verify result: 62 (hostname mismatch), enforced" \
      "certificate verify failed (certificate: hostname mismatch) (exit 7)"

  # (b) --interactive from a here-document
  run "interactive: STARTTLS, AUTH PLAIN, a message" 0 -- --server "$S:587" --interactive <<EOF
EHLO laptop.example
STARTTLS
EHLO laptop.example
AUTH PLAIN $PLAIN
MAIL FROM:<$RELAYLAB_USER>
RCPT TO:<interactive-$$@example.org>
DATA
Subject: typed by hand

.a line that starts with a dot
.
QUIT
EOF
  has "interactive: Postfix's replies, in order" "S: 220 mx.relaylab.test ESMTP Postfix" \
    "C: EHLO laptop.example" "S: 250-STARTTLS" "C: STARTTLS" "S: 220 2.0.0 Ready to start TLS" \
    "TLS started: TLSv1." "C: EHLO laptop.example" "S: 250-AUTH PLAIN LOGIN" \
    "C: AUTH PLAIN <redacted>" "S: 235 2.7.0 Authentication successful" \
    "C: MAIL FROM:<$RELAYLAB_USER>" "S: 250 2.1.0 Ok" "C: RCPT TO:<interactive-$$@example.org>" \
    "S: 250 2.1.5 Ok" "C: DATA" "S: 354 End data with <CR><LF>.<CR><LF>" \
    "S: 250 2.0.0 Ok: queued as" "C: QUIT" "S: 221 2.0.0 Bye"
  clean "interactive AUTH PLAIN"
  # The sink has the message, its line with a leading dot as typed (stuffed on the wire).
  found=
  for _ in $(seq 50); do
    found=$(grep -l "interactive-$$@example.org" "$RELAYLAB_SINK_DIR"/msg-*.json 2>/dev/null | head -1)
    [ -n "$found" ] && break
    sleep 0.1
  done
  if [ -n "$found" ] && grep -qxE $'\\.a line that starts with a dot\r?' "${found%.json}.eml"; then
    ok "interactive: the message in the sink, its dot line whole"
  else
    fail "interactive: the message not in the sink, or its dot line lost (${found:-none})"
  fi

  run "interactive --tls --show-cert, .auth LOGIN" 0 -- --server "$S:587" --tls "${VERIFY[@]}" \
      --show-cert -i <<EOF
.auth LOGIN $RELAYLAB_USER $RELAYLAB_PASSWORD
MAIL FROM:<$RELAYLAB_USER>
RCPT TO:<interactive-login-$$@example.org>
RSET
EOF
  has "interactive --tls: the chain, then .auth LOGIN" "TLS started: TLSv1." "TLS certificates (TLSv1." \
    "${CHAIN[@]}" " verify result: 0 (ok), enforced" " .auth LOGIN $RELAYLAB_USER <redacted>" \
    "C: AUTH LOGIN" "S: 334 VXNlcm5hbWU6" "C: <redacted>" "S: 334 UGFzc3dvcmQ6" "C: <redacted>" \
    "S: 235 2.7.0 Authentication successful" "S: 250 2.1.5 Ok" "C: RSET" "C: QUIT" "S: 221 2.0.0 Bye"
  clean "interactive .auth LOGIN"

  # The guide's cause 6: AUTH before STARTTLS on 587. Refused; the base64 typed next is kept back.
  run "interactive: AUTH before STARTTLS" 2 -- --server "$S:587" -i <<EOF
EHLO laptop.example
AUTH LOGIN
$LOGIN_USER
$LOGIN_PASS
QUIT
EOF
  has "interactive: AUTH refused before STARTTLS, credentials kept back" \
    "C: AUTH LOGIN" "S: 530 5.7.0 Must issue a STARTTLS command first" \
    "relaylab send: input line 3: line not sent: it looks like an AUTH response, and the server asked for none (it answered AUTH with 530, not 334)" \
    "relaylab send: input line 4: line not sent" "S: 221 2.0.0 Bye"
  grep -qF -- "$LOGIN_USER" "$out" && fail "AUTH before STARTTLS: the user's base64 shown" ||
    ok "AUTH before STARTTLS: nothing of the credentials shown"
  clean "interactive AUTH before STARTTLS"
  [ "$failures" -eq 0 ] || exit 1
  exit 0
fi

. "$(dirname "$0")/lib.sh"
"$RELAYLAB" sandbox --mta postfix -- "$0" "$RELAYLAB" --inside > "$work/out" 2> "$work/err"; rc=$?
cat "$work/out"
[ "$rc" -eq 0 ] && ok "postfix: every check inside the sandbox" ||
  { fail "postfix sandbox (exit $rc)"; tail -5 "$work/err"; }
it_done send_debug
