#!/usr/bin/env bash
# config_kept.sh RELAYLAB - a user's own config kept where it decides where
# mail goes (issue 9, item 3), against the real MTAs:
# (a) Exim: a redirect router's percent hack on a local domain still turns
#     victim%foreign.test@example.com into victim@foreign.test, which
#     reaches the capture sink through the user's dnslookup router (made a
#     route to the sink); a local recipient reaches the sink through the
#     user's appendfile transport (made SMTP to the sink); the ACL still
#     refuses a foreign domain.
# (b) Postfix: relay_domains names a table beside main.cf through
#     ${config_directory} (copied into the sandbox): mail for a relay domain
#     reaches the sink, and transport_maps pointing elsewhere does not
#     divert it; mynetworks left unset does not trust relaylab's clients.
# Inside the sandbox it runs itself again: config_kept.sh RELAYLAB --inside.
set -u
RELAYLAB=$(readlink -f "$1")
if [ "${2:-}" = --inside ]; then
  failures=0
  fail() { echo "FAIL [$RELAYLAB_MTA] $*"; failures=$((failures+1)); }
  ok() { echo "ok   [$RELAYLAB_MTA] $*"; }
  # send_expect NAME EXIT -- args
  send_expect() {
    local name=$1 want=$2 out rc
    shift 3
    out=$("$RELAYLAB" send --timeout 5 --server "$RELAYLAB_ADDR:$RELAYLAB_PORT_SMTP" "$@" 2>&1); rc=$?
    [ "$rc" -eq "$want" ] && { ok "$name"; return 0; }
    fail "$name: exit $rc, wanted $want"; echo "$out" | tail -6; return 1
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
  if [ "$RELAYLAB_MTA" = exim ]; then
    send_expect "percent hack accepted for a local domain" 0 -- --local-interface 127.0.0.250 \
      --from sender@outside.test --to 'victim%foreign.test@example.com'
    in_sink sender@outside.test victim@foreign.test &&
      ok "the redirect router's rewrite reached the sink: victim@foreign.test" ||
      fail "no victim@foreign.test in the sink (the redirect router or the dnslookup one lost)"
    send_expect "local recipient accepted" 0 -- --local-interface 127.0.0.250 \
      --from local@outside.test --to alice@example.com
    in_sink local@outside.test alice@example.com &&
      ok "a local delivery reached the sink through the replaced local_delivery transport" ||
      fail "alice@example.com not in the sink"
    send_expect "the ACL still refuses a foreign domain" 26 -- --local-interface 127.0.0.250 \
      --to victim@foreign.test
  else
    send_expect "relay domain from the copied table accepted" 0 -- --local-interface "$RELAYLAB_OUTSIDE" \
      --from sender@outside.test --to user@relayed.test
    in_sink sender@outside.test user@relayed.test &&
      ok "relay domain's mail in the sink (not diverted by transport_maps)" ||
      fail "user@relayed.test not in the sink"
    send_expect "mynetworks unset: an outside client may not relay" 26 -- \
      --local-interface "$RELAYLAB_OUTSIDE" --to victim@foreign.test
    send_expect "mynetworks unset: the machine itself (127.0.0.1) may" 0 -- \
      --local-interface 127.0.0.1 --from in@example.com --to friend@foreign.test
    in_sink in@example.com friend@foreign.test && ok "relayed mail in the sink" ||
      fail "friend@foreign.test not in the sink"
  fi
  [ "$failures" -eq 0 ] || exit 1
  exit 0
fi

. "$(dirname "$0")/lib.sh"
DATA=$HERE/data/config-kept

# rewrote NAME FILE PATTERN - the sandbox listed this rewrite
rewrote() {
  grep -qE -- "rewrote +$3" "$2" && ok "$1" || { fail "$1: no /$3/ in"; grep rewrote "$2"; }
}

"$RELAYLAB" sandbox --mta exim --config "$DATA/exim.conf" -- "$0" "$RELAYLAB" --inside \
  > "$work/exim.out" 2> "$work/exim.err"; rc=$?
cat "$work/exim.out"
[ "$rc" -eq 0 ] && ok "exim: every check inside the sandbox" || { fail "exim sandbox (exit $rc)"; tail -5 "$work/exim.err"; }
rewrote "exim: dnslookup router listed" "$work/exim.err" \
  "exim router dnslookup: driver dnslookup -> manualroute to the capture sink; dropped: transport, ignore_target_hosts"
rewrote "exim: local_delivery listed" "$work/exim.err" \
  "exim transport local_delivery: driver appendfile -> smtp to the capture sink"
rewrote "exim: continued local_interfaces replaced" "$work/exim.err" \
  "exim main: local_interfaces = .* \(was: <; 0.0.0.0.25 ; ::0.25\)"
grep -q "exim router percent" "$work/exim.err" && fail "exim: the percent router was rewritten" ||
  ok "exim: the percent router kept as it is"

"$RELAYLAB" sandbox --mta postfix --config "$DATA/postfix/main.cf" --config "$DATA/postfix/master.cf" \
  -- "$0" "$RELAYLAB" --inside > "$work/postfix.out" 2> "$work/postfix.err"; rc=$?
cat "$work/postfix.out"
[ "$rc" -eq 0 ] && ok "postfix: every check inside the sandbox" || { fail "postfix sandbox (exit $rc)"; tail -5 "$work/postfix.err"; }
rewrote "postfix: table files copied" "$work/postfix.err" "copied 2 table files from $DATA/postfix"
rewrote "postfix: transport_maps the sandbox's" "$work/postfix.err" "main.cf: transport_maps =  \(was: "
rewrote "postfix: mynetworks made explicit" "$work/postfix.err" \
  "main.cf: mynetworks = 127.0.0.1/32 \[::1\]/128 192.0.2.[0-9]+/32 \(was unset: mynetworks_style host"
rewrote "postfix: master.cf -o relayhost dropped" "$work/postfix.err" "master.cf: smtp: -o relayhost dropped"
rewrote "postfix: master.cf -o transport_maps dropped" "$work/postfix.err" "master.cf: smtp: -o transport_maps dropped"

# A table that is not a regular file is refused, by name.
mkdir "$work/fifo" && cp "$DATA/postfix/main.cf" "$DATA/postfix/master.cf" "$work/fifo/" &&
  mkfifo "$work/fifo/clients"
out=$("$RELAYLAB" sandbox --mta postfix --config "$work/fifo/main.cf" --config "$work/fifo/master.cf" -- true 2>&1); rc=$?
[ "$rc" -ne 0 ] && grep -q "$work/fifo/clients: not a regular file" <<<"$out" &&
  ok "postfix: a FIFO beside main.cf refused by name" || { fail "postfix: FIFO (exit $rc)"; echo "$out" | tail -3; }
it_done config_kept
