#!/usr/bin/env bash
# containment.sh RELAYLAB - scenarios from a pull request cannot reach the
# host: settings that would move the sandbox are refused with
# file:line:col before anything starts; files named outside the scenario
# tree (include, acl-rcpt, symbolic links out of it) are refused without a
# byte of them printed; an Exim ACL that runs commands (${run}) runs them
# in a read-only view of the host, on a real Exim; Postfix's master (root)
# runs with the host read-only and without CAP_SYS_ADMIN.
set -u
RELAYLAB=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"
tag="$$-$RANDOM"

# A scenario tree the MTA can see: not under /tmp, /var/tmp, /root, /home
# or /run, which it sees as empty tmpfs of its own (and a checkout may be
# in any of them); /opt/relaylab is scripts/setup's, the unpacked Exim's.
mkdir -p /opt/relaylab
tree=$(mktemp -d /opt/relaylab/containment-test.XXXXXX)
chmod 755 "$tree"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work" "$tree" /var/tmp/relaylab-pwned-$tag' EXIT

# expect_refused NAME LINE WHAT: relaylab run exits 2, names file:line, says why, writes nothing
expect_refused() {
  local name=$1 line=$2 what=$3
  rm -rf "$work/r"
  "$RELAYLAB" run -q --results "$work/r" "$tree/$name" > "$work/out" 2>&1; rc=$?
  if [ "$rc" -eq 2 ] && grep -q "$name:$line:[0-9]*: .*$what" "$work/out" && [ ! -e "$work/r" ]; then
    ok "$name refused at line $line: $(grep -o "$what.*" "$work/out" | head -1 | cut -c1-70)"
  else
    fail "$name: exit $rc, wanted 2 with '$name:$line:' and '$what' and no results"; cat "$work/out"
  fi
  if grep -q "root:" "$work/out"; then fail "$name: a line of /etc/shadow was printed"; fi
}

header() { # header ID MTA
  printf 'scenario %s\ntitle "hostile"\nmta %s\n' "$1" "$2"
}
dialogue() {
  printf '\ndialogue d\n  connect smtp\n  S: 220\n  ehlo x.example\n  S: 250\n'
}

# 1. Settings the sandbox owns.
n=0
for set in "daemon_directory = $tree" "queue_directory = /var/spool/postfix" "command_directory = /tmp" \
           "mail_owner = root" "setgid_group = root" "relayhost = [192.0.2.1]" \
           "default_transport = smtp:[192.0.2.1]" "smtpd_sasl_path = /run/x" \
           "smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key" "inet_interfaces = all" \
           "smtp_dns_support_level = enabled" "shlib_directory = $tree"; do
  n=$((n+1))
  { header "owned-$n" postfix; echo "config postfix set $set"; dialogue; } > "$tree/owned-$n.scn"
  expect_refused "owned-$n.scn" 4 "${set%% *} is the sandbox's own"
done
{ header svc postfix; echo "config postfix service \"2526 inet n - n - - smtpd -o daemon_directory=$tree\""; dialogue; } > "$tree/svc.scn"
expect_refused svc.scn 4 "daemon_directory is the sandbox's own"
{ header svc2 postfix; echo "config postfix service \"2526 inet n - n - - smtpd -o { queue_directory = /tmp }\""; dialogue; } > "$tree/svc2.scn"
expect_refused svc2.scn 4 "queue_directory is the sandbox's own"
{ header svc3 postfix; echo "config postfix service \"2526 inet n - n - - smtpd -vo daemon_directory=$tree\""; dialogue; } > "$tree/svc3.scn"
expect_refused svc3.scn 4 "daemon_directory is the sandbox's own"
{ header svc4 postfix; echo "config postfix service \"x unix n - n 1 1 ../../../../tmp/x\""; dialogue; } > "$tree/svc4.scn"
expect_refused svc4.scn 4 "is not a name in daemon_directory"
printf '  accept\n.include /etc/shadow\n' > "$tree/dot.conf"
{ header dotacl exim; echo "config exim acl-rcpt dot.conf"; dialogue; } > "$tree/dotacl.scn"
expect_refused dotacl.scn 4 "dot.conf line 2: a dot directive"
printf '  accept\n\v.include /etc/shadow\n' > "$tree/vt.conf"
{ header vtacl exim; echo "config exim acl-rcpt vt.conf"; dialogue; } > "$tree/vtacl.scn"
expect_refused vtacl.scn 4 "control byte"
{ header cidr postfix; echo "config postfix set smtpd_client_restrictions = check_client_access cidr:/etc/shadow, permit"; dialogue; } > "$tree/cidr.scn"
expect_refused cidr.scn 4 "names a file"
{ header brace postfix; echo "config postfix service \"2526 inet n - n - - smtpd {-osmtpd_sasl_path=/x}\""; dialogue; } > "$tree/brace.scn"
expect_refused brace.scn 4 "braced argument"
{ header eximopt exim; echo "config exim set exim_path = /bin/sh"; dialogue; } > "$tree/eximopt.scn"
expect_refused eximopt.scn 4 "not an Exim macro"
{ header badkey postfix; echo 'config postfix set my$key = 1'; dialogue; } > "$tree/badkey.scn"
expect_refused badkey.scn 4 "not a parameter name"

# 2. Files outside the scenario tree.
{ header inc postfix; echo "include /etc/shadow"; dialogue; } > "$tree/inc.scn"
expect_refused inc.scn 4 "outside the scenario tree"
{ header inc2 postfix; echo "include ../../../../../../etc/shadow"; dialogue; } > "$tree/inc2.scn"
expect_refused inc2.scn 4 "outside the scenario tree"
ln -s /etc/shadow "$tree/innocent.scn-part"
{ header inc3 postfix; echo "include innocent.scn-part"; dialogue; } > "$tree/inc3.scn"
expect_refused inc3.scn 4 "outside the scenario tree"
{ header acl exim; echo "config exim acl-rcpt /etc/shadow"; dialogue; } > "$tree/acl.scn"
expect_refused acl.scn 4 "outside the scenario tree"
ln -s /etc/shadow "$tree/acl-link.conf"
{ header acl2 exim; echo "config exim acl-rcpt acl-link.conf"; dialogue; } > "$tree/acl2.scn"
expect_refused acl2.scn 4 "outside the scenario tree"
ln -s /etc "$tree/etc-link"
{ header acl3 exim; echo "config exim acl-rcpt etc-link/shadow"; dialogue; } > "$tree/acl3.scn"
expect_refused acl3.scn 4 "outside the scenario tree"

# 3. An Exim ACL that runs a command, on a real Exim: the command runs
# (its output is in the reply), and can write nowhere on the host.
mkdir -p "$tree/ok"
cat > "$tree/ok/evil.sh" <<EOF
#!/bin/sh
# \$1: Exim's spool directory; its log directory is beside it, and ours to write.
ln -sf /etc/shadow "\$1/../log/mainlog" 2>/dev/null && printf 'planted '
for f in /var/tmp/relaylab-pwned-$tag /etc/relaylab-pwned-$tag $tree/pwned-$tag /tmp/relaylab-pwned-$tag; do
  if touch "\$f" 2>/dev/null; then printf 'wrote %s ' "\$f"; else printf 'denied %s ' "\$f"; fi
done
EOF
chmod 755 "$tree/ok" "$tree/ok/evil.sh"
cat > "$tree/ok/acl-run.conf" <<EOF
  deny  message = ran: \${run{$tree/ok/evil.sh \$spool_directory}{\$value}{\$value}}
EOF
cat > "$tree/ok/run.scn" <<EOF
scenario exim-run-contained
title "an Exim \${run} in a scenario's ACL cannot write to the host"
mta exim
config exim acl-rcpt acl-run.conf

dialogue d
  connect smtp from outside
  S: 220
  ehlo x.example
  S: 250
  mail a@relaylab.test
  S: 250
  rcpt b@example.org
  S: 550 "denied /var/tmp/relaylab-pwned-$tag"
EOF
"$RELAYLAB" run --results "$work/r3" "$tree/ok" > "$work/run.out" 2>&1; rc=$?
# Exim folds a long message into a multi-line reply: join its lines.
reply=$(cat "$work"/r3/latest/cells/*/transcript.txt 2>/dev/null | sed -n 's/.* S: 550[- ]//p' | tr '\n' ' ')
if [ "$rc" -eq 0 ] && [ -n "$reply" ]; then
  ok "the ACL's command ran: $(echo "$reply" | cut -c1-120)"
else
  fail "exim \${run} scenario: exit $rc, reply '$reply'"; tail -20 "$work/run.out"
fi
for f in /var/tmp/relaylab-pwned-$tag /etc/relaylab-pwned-$tag "$tree/pwned-$tag" /tmp/relaylab-pwned-$tag; do
  [ -e "$f" ] && fail "the ACL's command wrote $f on the host" || ok "nothing written at $f"
done
case "$reply" in
  *planted*) if grep -rq "root:" "$work/r3"; then fail "a link planted as the MTA's log put /etc/shadow into the results"
             else ok "a link to /etc/shadow planted as Exim's log was not followed into the results"; fi ;;
  *) fail "the ACL's command could not plant its link (the test tests nothing): $reply" ;;
esac
case "$reply" in
  *"wrote /tmp/relaylab-pwned-$tag"*) ok "its own /tmp took the write (a private tmpfs, gone now)" ;;
  *) fail "the private /tmp refused a write: $reply" ;;
esac
case "$reply" in
  *"denied /etc/relaylab-pwned-$tag"*"denied $tree/pwned-$tag"*) ok "/etc and the scenario tree refused it" ;;
  *) fail "reply does not show the refusals: $reply" ;;
esac

# A results directory that is a link (a checkout can carry one) is not written through.
mkdir -p "$work/elsewhere" && ln -s "$work/elsewhere" "$work/results-link"
"$RELAYLAB" run -q --results "$work/results-link" "$tree/ok" > "$work/rl.out" 2>&1; rc=$?
if [ "$rc" -eq 3 ] && [ -z "$(ls -A "$work/elsewhere")" ] && grep -q "symbolic link is not followed" "$work/rl.out"; then
  ok "a results directory that is a symbolic link: exit 3, nothing written through it"
else
  fail "results link: exit $rc, $(ls -A "$work/elsewhere" | head -3)"; cat "$work/rl.out"
fi

# 4. Postfix's master runs as root: read-only host, no CAP_SYS_ADMIN.
"$RELAYLAB" sandbox --mta postfix -- sh -c '
  p=$(pgrep -x master | head -1)
  echo "root=$(awk "\$5 == \"/\" {print \$6}" /proc/$p/mountinfo | cut -d, -f1)"
  echo "dir=$(awk -v d="$RELAYLAB_DIR" "\$5 == d {print \$6}" /proc/$p/mountinfo | cut -d, -f1)"
  echo "sink=$(awk -v d="$RELAYLAB_SINK_DIR" "\$5 == d {print \$6}" /proc/$p/mountinfo | cut -d, -f1)"
  echo "capbnd=$(awk "/CapBnd/ {print \$2}" /proc/$p/status)"
  echo "nslevels=$(awk "/NSpid/ {print NF - 1}" /proc/$p/status)"
  echo "env=$(tr "\0" " " < /proc/$p/environ)"
  i=$(awk "/^PPid/ {print \$2}" /proc/$p/status); b=$(awk "/^PPid/ {print \$2}" /proc/$i/status)
  echo "initfds=$(ls /proc/$i/fd | sort -n | tr "\n" " ")"
  echo "betweenfds=$(ls /proc/$b/fd | sort -n | tr "\n" " ")"' > "$work/pf.out" 2>&1
grep -q "^root=ro$" "$work/pf.out" && ok "Postfix's master sees / read-only" || { fail "master's /"; cat "$work/pf.out"; }
grep -q "^dir=rw$" "$work/pf.out" && ok "... and its own directory read-write" || fail "master's run dir: $(grep dir= "$work/pf.out")"
grep -q "^sink=ro$" "$work/pf.out" && ok "... and its capture sink's messages read-only" || fail "master's sink dir: $(grep sink= "$work/pf.out")"
cap=$(sed -n 's/^capbnd=//p' "$work/pf.out")
if [ -n "$cap" ] && [ $(( 0x$cap & (1 << 21) )) -eq 0 ] && [ $(( 0x$cap & (1 << 19) )) -eq 0 ]; then
  ok "no CAP_SYS_ADMIN, no CAP_SYS_PTRACE in its bounding set ($cap)"
else
  fail "master's bounding set: '$cap'"
fi

grep -q "^nslevels=3$" "$work/pf.out" && ok "... in a PID namespace of its own (below the harness's)" || fail "master's PID namespace: $(grep nslevels= "$work/pf.out")"
grep -q "^env=PATH=/usr/sbin:/usr/bin:/sbin:/bin *$" "$work/pf.out" && ok "... with an environment of PATH only" || fail "master's environment: $(grep env= "$work/pf.out" | cut -c1-200)"
# The init and the process above it never exec: they must not keep what
# the harness had open when they forked (sinks, other spawns' pipes).
grep -q "^initfds=0 1 2 $" "$work/pf.out" && grep -q "^betweenfds=0 1 2 $" "$work/pf.out" &&
  ok "... under an init that holds nothing of the harness's (fds 0-2 only)" ||
  fail "the init's descriptors: $(grep fds= "$work/pf.out" | tr "\n" " ")"

# 5. --compare-swaks runs swaks as root on the host: a scenario's word that
# looks like a swaks option (swaks' own option files, message bodies read
# from a path) must never become one.
{ header swaks postfix; printf '\ndialogue d\n  connect smtp\n  S: 220\n  ehlo --output-file=/var/tmp/relaylab-pwned-%s\n  S: 250\n  mail --body=@/etc/shadow\n' "$tag"; } > "$tree/swaks.scn"
"$RELAYLAB" run -q --compare-swaks --results "$work/rs" "$tree/swaks.scn" > "$work/swaks.out" 2>&1
if [ -e /var/tmp/relaylab-pwned-$tag ]; then
  fail "a scenario word became a swaks option: /var/tmp/relaylab-pwned-$tag written"
else
  ok "--compare-swaks: words that look like swaks options are not passed to swaks"
fi

it_done containment
