#!/usr/bin/env bash
# send_postfix.sh RELAYLAB - relaylab send against a real Postfix 3.7 with
# Dovecot SASL on loopback, inside a private network namespace.
#
# Proves: STARTTLS (certificate verified by name) + AUTH PLAIN and LOGIN
# relay a message; AUTH is not offered before STARTTLS on 587; an outside
# client is refused relay on 25 with Postfix's own reply; a wrong password
# is a 535; no secret reaches the transcript; --json is valid JSON.
set -u
RELAYLAB=$(readlink -f "${1:?usage: send_postfix.sh RELAYLAB}")
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "send_postfix: needs root (Postfix master, network namespace)" >&2
  exit 77
fi
# A private network namespace with only lo: nothing leaves the machine and
# parallel runs cannot collide on 127.0.0.10:25.
if [ -z "${RELAYLAB_IN_NETNS:-}" ]; then
  RELAYLAB_IN_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up

. "$HERE/pfenv.sh"
trap pfenv_stop EXIT
pfenv_start 127.0.0.10 || exit 1

failures=0
check() { # check NAME EXPECTED_EXIT PATTERN -- relaylab send args...
  local name=$1 want=$2 pattern=$3 out rc
  shift 4
  out=$("$RELAYLAB" send "$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, wanted $want"; echo "$out" | tail -15; failures=$((failures+1)); return
  fi
  if ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output lacks /$pattern/"; echo "$out" | tail -15; failures=$((failures+1)); return
  fi
  for secret in "$PF_PASS" "$(printf '\0%s\0%s' "$PF_USER" "$PF_PASS" | base64 -w0)"; do
    if grep -qF -- "$secret" <<<"$out"; then
      echo "FAIL $name: a secret reached the transcript"; failures=$((failures+1)); return
    fi
  done
  echo "ok   $name"
}

TLS=(--tls --tls-verify --tls-ca-path "$PF_CA" --tls-sni mx.relaylab.test)
check "starttls + auth plain relays" 0 "250 2.0.0 Ok: queued as" -- \
  --server 127.0.0.10:587 "${TLS[@]}" --auth PLAIN --auth-user "$PF_USER" \
  --auth-password "$PF_PASS" --from "$PF_USER" --to someone@example.org
check "starttls + auth login relays" 0 "235 2.7.0 Authentication successful" -- \
  --server 127.0.0.10:587 "${TLS[@]}" --auth LOGIN --auth-user "$PF_USER" \
  --auth-password "$PF_PASS" --from "$PF_USER" --to someone@example.org
check "transcript shows TLS and redaction" 0 "AUTH PLAIN <redacted>" -- \
  --server 127.0.0.10:587 "${TLS[@]}" --auth-user "$PF_USER" \
  --auth-password "$PF_PASS" --to someone@example.org --pipeline
check "no AUTH before STARTTLS on 587" 24 "AUTH not offered" -- \
  --server 127.0.0.10:587 --auth PLAIN --auth-user "$PF_USER" \
  --auth-password "$PF_PASS" --to someone@example.org
check "wrong password is a 535" 24 "535 5.7.8" -- \
  --server 127.0.0.10:587 "${TLS[@]}" --auth PLAIN --auth-user "$PF_USER" \
  --auth-password "not-$PF_PASS" --to someone@example.org
check "outside client refused relay on 25" 26 "554 5.7.1 <someone@example.org>: Relay access denied" -- \
  --server 127.0.0.10:25 --local-interface 127.0.0.20 --to someone@example.org
check "inside client (mynetworks) relays on 25" 0 "250 2.0.0 Ok: queued" -- \
  --server 127.0.0.10:25 --local-interface 127.0.0.1 --to someone@example.org
check "wrong certificate name fails verification" 7 "certificate" -- \
  --server 127.0.0.10:587 --tls --tls-verify --tls-ca-path "$PF_CA" \
  --tls-sni wrong.example --to someone@example.org

json=$("$RELAYLAB" send --server 127.0.0.10:587 "${TLS[@]}" --auth-user "$PF_USER" \
  --auth-password "$PF_PASS" --to someone@example.org --json)
if python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["result"]=="ok" and d["tls"] is True, d' <<<"$json"; then
  echo "ok   --json is valid and says ok"
else
  echo "FAIL --json"; failures=$((failures+1))
fi

grep -q "sasl_method=PLAIN, sasl_username=$PF_USER" "$PF_DIR/maillog" \
  && echo "ok   Postfix logged the SASL login" \
  || { echo "FAIL Postfix did not log the SASL login"; failures=$((failures+1)); }

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all send_postfix checks passed"
