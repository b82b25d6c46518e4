#!/bin/bash
# probe.sh - the audit's relay attempts, by hand, against one config of the set
#
# usage: probe.sh RELAYLAB postfix tests/audit/configs/postfix/NAME [TRICK...]
#        probe.sh RELAYLAB exim tests/audit/configs/exim/NAME.conf [TRICK...]
#
# Stands the config up with "relaylab sandbox" and, from 203.0.113.7 (an
# address outside every config's trusted networks, put on the sandbox's
# loopback), sends one message per trick with "relaylab send". Prints, per
# trick, the reply to the relaying RCPT and the envelope recipients the
# capture sink got for that message ("-" for none). A foreign recipient at
# the sink (a domain other than example.com and its hosts) is a relay.
#
# This is the verification tool of tests/audit/README.md, not the audit:
# it knows the set's names (example.com is the server's, example.net the
# victim's) and sends each trick in one fixed form.
#
# Tables: until the sandbox copies a Postfix config's table files, pass
# PROBE_ABSOLUTE_TABLES=1: the copy of main.cf/master.cf it starts names
# ${config_directory}/FILE as the absolute path of the config's own FILE.
# Exim: @CONFDIR@ is replaced by the config's directory.
set -u
[ "${1-}" = --inside ] && { shift; inside=1; } || inside=0

tricks_all="plain sender-permit null-sender helo-permit recipient-localpart-permit
lookalike-domain percent-hack bang-path source-route quoted-local-part multi-at
address-literal srs-batv submission-open auth-bypass xclient local"

# trick NAME - sets port helo from to auth for one attempt
trick()
{
    port=25 helo=client.example.net from=probe@example.net to=victim@example.net auth= tls=
    case $1 in
    plain) ;;
    local) to=postmaster@example.com ;;
    sender-permit) from=postmaster@example.com ;;
    null-sender) from= ;;
    helo-permit) helo=mail.example.com ;;
    recipient-localpart-permit) to=postmaster@example.net ;;
    lookalike-domain) to=victim@evilexample.com ;;
    percent-hack) to='victim%example.net@example.com' ;;
    bang-path) to='example.net!victim@example.com' ;;
    source-route) to='@example.com:victim@example.net' ;;
    quoted-local-part) to='"victim@example.net"@example.com' ;;
    multi-at) to='victim@example.net@example.com' ;;
    address-literal) to='victim@[192.0.2.99]' ;;
    srs-batv) to='SRS0=HHH=TT=example.net=victim@example.com' ;;
    submission-open) port=587 tls=--tls ;;
    auth-bypass) auth=1 tls=--tls ;;
    xclient) ;;
    *) echo "probe.sh: unknown trick $1" >&2; exit 2 ;;
    esac
}

if [ $inside = 0 ]; then
    bin=$(realpath -- "$1") mta=$2 conf=$(realpath -- "$3")
    shift 3
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    if [ "$mta" = postfix ]; then
        for f in main.cf master.cf; do
            if [ "${PROBE_ABSOLUTE_TABLES-}" = 1 ]; then
                sed "s|\${config_directory}/|$conf/|g" "$conf/$f" > "$tmp/$f"
            else
                cp "$conf/$f" "$tmp/$f"
            fi
        done
        args=(--mta postfix --config "$tmp/main.cf" --config "$tmp/master.cf")
    else
        sed "s|@CONFDIR@|$(dirname "$conf")|g" "$conf" > "$tmp/exim.conf"
        args=(--mta exim --config "$tmp/exim.conf")
    fi
    "$bin" sandbox "${args[@]}" -- bash "$(realpath -- "$0")" --inside "$bin" "${@:-$tricks_all}" \
        > "$tmp/out" 2>&1
    rc=$?
    grep -E '^(TRICK|SANDBOX)' "$tmp/out" || { cat "$tmp/out"; echo "SANDBOX failed rc=$rc"; }
    exit $rc
fi

bin=$1
shift
ip addr add 203.0.113.7/32 dev lo 2>/dev/null
for name in $*; do
    trick "$name"
    msg=$(mktemp)
    printf 'Subject: probe %s\r\nX-Probe: %s\r\n\r\nprobe\r\n' "$name" "$name" > "$msg"
    if [ "$name" = xclient ]; then
        out=$(python3 - "$RELAYLAB_ADDR" "$msg" <<'EOF' 2>&1
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], 25, source_address=("203.0.113.7", 0), timeout=20)
s.ehlo("client.example.net")
print("xclient offered" if s.has_extn("xclient") else "xclient not offered")
code, text = s.docmd("XCLIENT", "ADDR=127.0.0.1 NAME=localhost")
print("XCLIENT reply", code, text.decode())
if code == 220:
    s.ehlo("client.example.net")
s.docmd("MAIL", "FROM:<probe@example.net>")
code, text = s.docmd("RCPT", "TO:<victim@example.net>")
print("S: %d %s (RCPT)" % (code, text.decode()))
if code == 250:
    s.docmd("DATA")
    s.send(open(sys.argv[2]).read().replace("\r\n", "\n").replace("\n", "\r\n") + ".\r\n")
    print(s.getreply())
s.quit()
EOF
)
    else
        extra=()
        # PROBE_AUTH_MECH, PROBE_AUTH_PASSWORD: an unknown user with an empty
        # PLAIN password by default; LOGIN with any password for a placeholder check
        [ -n "$auth" ] && extra=(--auth="${PROBE_AUTH_MECH:-PLAIN}" --auth-user nobody@example.com
            --auth-password "${PROBE_AUTH_PASSWORD-}")
        [ -n "$tls" ] && extra+=(--tls)
        out=$("$bin" send --server "$RELAYLAB_ADDR:$port" --local-interface 203.0.113.7 \
            --ehlo "$helo" -f "$from" -t "$to" -d "$msg" "${extra[@]}" --timeout 10 2>&1)
    fi
    reply=$(printf '%s\n' "$out" | awk '/C: RCPT TO/ { getline; sub(/^ *[0-9.]+ S: /, ""); print; exit }
        /\(RCPT\)$/ { sub(/^S: /, ""); print; exit }')
    [ -z "$reply" ] && reply="(no RCPT: $(printf '%s\n' "$out" | grep -E 'S: [45]|XCLIENT|error|refused' | tail -2 | tr '\n' ' '))"
    rm -f "$msg"
    eval "reply_$(echo "$name" | tr -- '-' '_')=\$reply"
done
sleep 2
for name in $*; do
    got=-
    for eml in "$RELAYLAB_SINK_DIR"/*.eml; do
        [ -f "$eml" ] || continue
        grep -q "^X-Probe: $name" "$eml" || continue
        got=$(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["rcpt_to"]))' "${eml%.eml}.json")
    done
    eval "reply=\$reply_$(echo "$name" | tr -- '-' '_')"
    printf 'TRICK %-27s RCPT %-60.60s SINK %s\n' "$name" "$reply" "$got"
done
