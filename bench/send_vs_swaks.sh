#!/usr/bin/env bash
# bench/send_vs_swaks.sh [N] - dialogues per second of relaylab send and of
# swaks, one process per dialogue, the same dialogues against the same
# private Postfix (+ Dovecot SASL), stood up by "relaylab sandbox" in a
# private network namespace, in the same run. Two dialogues:
#   plain: EHLO, MAIL, RCPT, DATA, message, QUIT on port 25 from mynetworks
#   tls+auth: EHLO, STARTTLS, EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT on 587
# Each is run N times per tool (default 200) after 10 warm-up dialogues.
set -u
N=${1:-200}
TOP=$(cd "$(dirname "$0")/.." && pwd)
RELAYLAB=${RELAYLAB:-$TOP/build-rel/relaylab}
if [ -z "${RELAYLAB_ADDR:-}" ]; then
  exec "$RELAYLAB" sandbox --mta postfix -- "$0" "$@" 2>/dev/null
fi
PF_USER=$RELAYLAB_USER
PF_PASS=$RELAYLAB_PASSWORD

rl_plain() { "$RELAYLAB" send --silent --server $RELAYLAB_ADDR:25 --from a@relaylab.test --to b@example.org; }
sw_plain() { swaks --silent 2 --server $RELAYLAB_ADDR:25 --from a@relaylab.test --to b@example.org >/dev/null; }
rl_tls() { "$RELAYLAB" send --silent --server $RELAYLAB_ADDR:587 --tls --auth PLAIN --auth-user "$PF_USER" --auth-password "$PF_PASS" --from "$PF_USER" --to b@example.org; }
sw_tls() { swaks --silent 2 --server $RELAYLAB_ADDR:587 --tls --auth PLAIN --auth-user "$PF_USER" --auth-password "$PF_PASS" --from "$PF_USER" --to b@example.org >/dev/null; }

measure() { # measure FUNC -> dialogues/s; fails if any dialogue failed
  local f=$1 i t0 t1
  for i in $(seq 1 10); do $f || { echo "warm-up of $f failed" >&2; return 1; }; done
  t0=$(date +%s%N)
  for i in $(seq 1 "$N"); do $f || { echo "$f failed" >&2; return 1; }; done
  t1=$(date +%s%N)
  python3 -c "import sys; n=int(sys.argv[1]); ns=int(sys.argv[2]); print(f'{n/(ns/1e9):.1f} {ns/1e6/n:.2f}')" "$N" $((t1 - t0))
}

# repeat FUNC ARGS - relaylab in one process (--repeat), the way the harness runs
repeat() { # prints dialogues/s and ms/dialogue
  local out
  out=$("$RELAYLAB" send --silent --repeat "$N" "$@") || { echo "repeat $* failed" >&2; return 1; }
  python3 -c "import re,sys; r=float(re.search(r'([0-9.]+) dialogues/s', sys.argv[1]).group(1)); print(f'{r:.1f} {1000/r:.2f}')" "$out"
}
RL_PLAIN=(--server $RELAYLAB_ADDR:25 --from a@relaylab.test --to b@example.org)
RL_TLS=(--server $RELAYLAB_ADDR:587 --tls --auth PLAIN --auth-user "$PF_USER" --auth-password "$PF_PASS" --from "$PF_USER" --to b@example.org)

printf '%-10s %-34s %12s %12s\n' dialogue tool "dialogues/s" "ms/dialogue"
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}x')" "$1" "$2"; }
for d in plain tls; do
  if [ $d = plain ]; then args=("${RL_PLAIN[@]}"); else args=("${RL_TLS[@]}"); fi
  sw=$(measure sw_$d) || exit 1
  rl=$(measure rl_$d) || exit 1
  rr=$(repeat "${args[@]}") || exit 1
  rc=$(repeat "${args[@]}" --concurrency 4) || exit 1
  printf '%-10s %-34s %12s %12s\n' "$d" "swaks (process per dialogue)" $sw
  printf '%-10s %-34s %12s %12s  %s\n' "$d" "relaylab send (process per dialogue)" $rl "$(ratio ${rl%% *} ${sw%% *})"
  printf '%-10s %-34s %12s %12s  %s\n' "$d" "relaylab send --repeat" $rr "$(ratio ${rr%% *} ${sw%% *})"
  printf '%-10s %-34s %12s %12s  %s\n' "$d" "relaylab send --repeat --concurrency 4" $rc "$(ratio ${rc%% *} ${sw%% *})"
done
echo "postfix $(postconf -d mail_version 2>/dev/null | cut -d' ' -f3), swaks $(swaks --version 2>&1 | head -1 | awk '{print $NF}'), N=$N, $(nproc) cores"
