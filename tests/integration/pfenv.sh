# pfenv.sh - a private Postfix with Dovecot SASL for integration tests.
#
# Sourced by test scripts. pfenv_start ADDR makes a run directory, a
# queue tree, certificates, a SASL user with a random password, renders
# main.cf, master.cf and dovecot.conf, and starts "master -s" and
# "dovecot -F" as children of this shell. pfenv_stop ends exactly those
# PIDs and removes the directory; it runs from an EXIT trap.
#
# The sandbox issue replaces this with harness/mta; until then this is
# the one place that knows how to stand up Postfix.
#
# Variables set: PF_DIR PF_ADDR PF_USER PF_PASS PF_CA PF_MASTER_PID PF_DOVECOT_PID

PF_MASTER_PID=
PF_DOVECOT_PID=
PF_DIR=

pfenv_fail() { echo "pfenv: $*" >&2; return 1; }

# pfenv_queue DIR - the queue tree Postfix expects, owners and modes included
pfenv_queue() {
  local q=$1 d
  install -d -o root -g root -m 755 "$q" "$q/pid"
  for d in active bounce corrupt defer deferred flush hold incoming private saved trace; do
    install -d -o postfix -g root -m 700 "$q/$d"
  done
  install -d -o postfix -g postdrop -m 730 "$q/maildrop"
  install -d -o postfix -g postdrop -m 710 "$q/public"
}

# pfenv_wait_banner ADDR PORT - until a 220 arrives, at most 5 s
pfenv_wait_banner() {
  local i
  for i in $(seq 1 250); do
    if "$RELAYLAB" send --server "$1:$2" --quit-after banner --silent --timeout 1 2>/dev/null; then
      return 0
    fi
    sleep 0.02
  done
  return 1
}

pfenv_start() {
  PF_ADDR=${1:-127.0.0.10}
  PF_DIR=$(mktemp -d /tmp/relaylab-pf.XXXXXX) || return 1
  chmod 755 "$PF_DIR"
  PF_USER=user@relaylab.test
  PF_PASS=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
  PF_CA=$PF_DIR/tls/ca.pem
  mkdir -p "$PF_DIR/tls" "$PF_DIR/dovecot" "$PF_DIR/dovecot-state"
  pfenv_queue "$PF_DIR/queue"
  install -d -o postfix -g root -m 700 "$PF_DIR/data"
  "$RELAYLAB" certs "$PF_DIR/tls" --name mx.relaylab.test --ip "$PF_ADDR" || return 1
  printf '%s:{PLAIN}%s\n' "$PF_USER" "$PF_PASS" > "$PF_DIR/passwd"
  chown root:dovecot "$PF_DIR/passwd"; chmod 640 "$PF_DIR/passwd"

  cat > "$PF_DIR/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.relaylab.test
mydomain = relaylab.test
myorigin = relaylab.test
mydestination = relaylab.test, localhost
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_host_lookup = native
alias_maps =
alias_database =
local_recipient_maps =
default_transport = discard
local_transport = discard
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
smtpd_error_sleep_time = 0
in_flow_delay = 0
biff = no
smtpd_tls_cert_file = $PF_DIR/tls/cert.pem
smtpd_tls_key_file = $PF_DIR/tls/key.pem
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = yes
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
CF
  cat > "$PF_DIR/master.cf" <<CF
$PF_ADDR:25 inet n - n - - smtpd
$PF_ADDR:587 inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
tlsmgr unix - - n 1000? 1 tlsmgr
postlog unix-dgram n - n - 1 postlogd
CF
  cat > "$PF_DIR/dovecot.conf" <<CF
base_dir = $PF_DIR/dovecot
state_dir = $PF_DIR/dovecot-state
log_path = $PF_DIR/dovecot.log
protocols = none
ssl = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $PF_DIR/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $PF_DIR/queue/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CF
  dovecot -F -c "$PF_DIR/dovecot.conf" >>"$PF_DIR/dovecot.log" 2>&1 &
  PF_DOVECOT_PID=$!
  local i
  for i in $(seq 1 250); do [ -S "$PF_DIR/queue/private/auth" ] && break; sleep 0.02; done
  [ -S "$PF_DIR/queue/private/auth" ] || { cat "$PF_DIR/dovecot.log" >&2; pfenv_fail "dovecot did not start"; return 1; }
  /usr/lib/postfix/sbin/master -c "$PF_DIR" -s >>"$PF_DIR/master.log" 2>&1 &
  PF_MASTER_PID=$!
  if ! pfenv_wait_banner "$PF_ADDR" 25; then
    cat "$PF_DIR/master.log" "$PF_DIR/maillog" >&2 2>/dev/null
    pfenv_fail "postfix did not answer on $PF_ADDR:25"
    return 1
  fi
}

pfenv_stop() {
  local pid
  for pid in $PF_MASTER_PID $PF_DOVECOT_PID; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in $PF_MASTER_PID $PF_DOVECOT_PID; do
    wait "$pid" 2>/dev/null
  done
  PF_MASTER_PID= PF_DOVECOT_PID=
  if [ -n "$PF_DIR" ] && [ -z "${PF_KEEP:-}" ]; then rm -rf "$PF_DIR"; fi
}
