#!/bin/bash
# check_set.sh - every config of the audit's test set parses, and its EXPECT is well formed
#
# usage: check_set.sh SOURCE_DIR
#
# For tests/audit/configs/postfix/NAME/: "postconf -c COPY -n" and
# "postconf -c COPY -M" on a temporary copy print no warning or error;
# every table it names as TYPE:${config_directory}/FILE is a file of the
# directory, and regexp: and cidr: tables load in postmap without a
# warning. For tests/audit/configs/exim/NAME.conf: "exim4 -C COPY -bV"
# succeeds on a copy with @CONFDIR@ replaced (the unpacked Exim of
# scripts/setup, or RELAYLAB_EXIM). Unless a config's hole is
# trusted-network, its mynetworks (Postfix: set in main.cf) or
# relay_from_hosts (Exim) covers none of the audit's client addresses
# (203.0.113.7, 198.51.100.7, 192.0.2.7, 127.0.0.250). Each EXPECT: a "# " description,
# then "secure" alone or "open FAMILY" lines with known family names
# and at least one "fix FILE:LINE REPLACEMENT" whose FILE:LINE exists.
# Each failure names its config. Exit 0 when all pass, 1 otherwise, 77
# when neither MTA is installed (a skip for ctest).
set -u
src=$(realpath -- "${1:?usage: check_set.sh SOURCE_DIR}")
set_dir=$src/tests/audit/configs
exim=${RELAYLAB_EXIM:-${RELAYLAB_EXIM_PREFIX:-/opt/relaylab/exim}/usr/sbin/exim4}
families=" wide-open trusted-network sender-permit null-sender helo-permit
 recipient-localpart-permit lookalike-domain percent-hack bang-path source-route
 quoted-local-part multi-at address-literal srs-batv auth-bypass submission-open xclient "
families=" $(echo $families) "
failures=0
checked=0
# postconf looks this machine's names up (about 1.5 s a call, and DNS
# that would leave the box): the whole check runs in a network namespace
# of its own, with only loopback (Postfix's tools want an interface). One
# namespace: making one per call costs about a second each.
if [ -z "${CHECK_SET_NONET-}" ]; then
    for opt in -n -rn; do
        if unshare $opt true 2>/dev/null; then
            exec env CHECK_SET_NONET=1 unshare $opt \
                sh -c 'ip link set lo up 2>/dev/null; exec "$0" "$@"' "$0" "$@"
        fi
    done
    echo "check_set.sh: no network namespace (unshare -n): the MTAs' tools may look names up"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail()
{
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# outside_trusted NAME LIST_SEPARATOR LIST - fail if a host list covers a
# client address the audit uses (unless the config's hole is exactly that)
outside_trusted()
{
    local name=$1 sep=$2 list=$3 hit
    hit=$(python3 - "$sep" "$list" <<'PY'
import ipaddress, sys
sep, items = sys.argv[1], sys.argv[2]
outside = [ipaddress.ip_address(a) for a in
           ("203.0.113.7", "198.51.100.7", "192.0.2.7", "127.0.0.250")]
for item in items.split(sep) if sep else items.replace(",", " ").split():
    item = item.strip().strip("[]").replace("]/", "/")
    if item in ("*", "0/0"):
        print(item)
        continue
    try:
        net = ipaddress.ip_network(item, strict=False)
    except ValueError:
        continue
    for a in outside:
        if a.version == net.version and a in net:
            print("%s (covers %s)" % (item, a))
PY
)
    [ -z "$hit" ] || fail "$name: trusts a client address the audit uses: $(echo $hit)"
}

# check_expect NAME EXPECT_FILE CONFIG_DIR - the EXPECT format of README.md
check_expect()
{
    local name=$1 file=$2 dir=$3 line first=1 open=0 secure=0 fixes=0 where target n
    [ -f "$file" ] || { fail "$name: no EXPECT file ($file)"; return; }
    while IFS= read -r line || [ -n "$line" ]; do
        if [ $first = 1 ]; then
            first=0
            case $line in "# "?*) continue ;; *) fail "$name: EXPECT's first line is not '# description'" ;; esac
        fi
        case $line in
        "open "*)
            open=$((open + 1))
            case $families in *" ${line#open } "*) ;; *) fail "$name: unknown family '${line#open }'" ;; esac ;;
        secure) secure=$((secure + 1)) ;;
        "fix "*)
            fixes=$((fixes + 1))
            where=${line#fix }
            where=${where%% *}
            target=${where%:*}
            n=${where##*:}
            case $n in '' | *[!0-9]*) fail "$name: fix line '$line' has no FILE:LINE"; continue ;; esac
            if [ ! -f "$dir/$target" ]; then
                fail "$name: fix names $target, not a file of the config"
            elif [ "$n" -lt 1 ] || [ "$n" -gt "$(wc -l < "$dir/$target")" ]; then
                fail "$name: fix names line $n of $target, which has $(wc -l < "$dir/$target")"
            fi ;;
        "lint-blind"*) ;; # static analysis cannot see this hole (lint_test skips it)
        "probe-blind "*)
            # A family only the config's text names the word for: probe cannot find it.
            where=${line#probe-blind }
            case " $(sed -n 's/^open //p' "$file" | tr '\n' ' ') " in
            *" ${where%% *} "*) ;;
            *) fail "$name: probe-blind names '${where%% *}', not one of its open families" ;;
            esac ;;
        "#"*) ;;
        *) fail "$name: EXPECT line not understood: '$line'" ;;
        esac
    done < "$file"
    if [ $secure -gt 0 ] && { [ $open -gt 0 ] || [ $fixes -gt 0 ] || [ $secure -gt 1 ]; }; then
        fail "$name: 'secure' must stand alone"
    elif [ $secure = 0 ] && [ $open = 0 ]; then
        fail "$name: neither 'secure' nor an 'open FAMILY' line"
    elif [ $open -gt 0 ] && [ $fixes = 0 ]; then
        fail "$name: open, but no 'fix FILE:LINE REPLACEMENT' line"
    fi
}

# Postfix
if command -v postconf >/dev/null && [ -d "$set_dir/postfix" ]; then
    for dir in "$set_dir"/postfix/*/; do
        dir=${dir%/}
        name=postfix/$(basename "$dir")
        checked=$((checked + 1))
        for f in main.cf master.cf; do
            [ -f "$dir/$f" ] || fail "$name: no $f"
        done
        rm -rf "$tmp/pf"
        mkdir "$tmp/pf"
        cp "$dir"/* "$tmp/pf/"
        # postconf takes about 2 s over a main.cf changed a moment ago: an old mtime.
        touch -d 2000-01-01 "$tmp/pf"/*
        out=$(postconf -c "$tmp/pf" -n 2>&1 >/dev/null; postconf -c "$tmp/pf" -M 2>&1 >/dev/null)
        [ -z "$out" ] || fail "$name: postconf: $(echo "$out" | head -3)"
        # mynetworks explicit, and outside it the audit's clients, unless that is the hole
        if ! grep -q '^mynetworks *=' "$dir/main.cf"; then
            fail "$name: main.cf does not set mynetworks"
        elif ! grep -qx 'open trusted-network' "$dir/EXPECT" 2>/dev/null; then
            outside_trusted "$name" "" "$(postconf -c "$tmp/pf" -h mynetworks 2>/dev/null)"
        fi
        # Tables in the config's own directory: present, and loading cleanly.
        for ref in $(grep -ohE '[a-z]+:\$\{?config_directory\}?/[A-Za-z0-9._-]+' "$dir/main.cf" "$dir/master.cf" | sort -u); do
            type=${ref%%:*}
            file=${ref##*/}
            if [ ! -f "$dir/$file" ]; then
                fail "$name: names $ref, but $file is not in the directory"
                continue
            fi
            case $type in
            regexp | cidr | texthash)
                out=$(postmap -c "$tmp/pf" -q relaylab-probe@example.com "$type:$tmp/pf/$file" 2>&1 >/dev/null)
                [ -z "$out" ] || fail "$name: $type:$file: $(echo "$out" | head -2)" ;;
            *) fail "$name: $ref: use texthash:, cidr:, regexp: or pcre: (no .db files)" ;;
            esac
        done
        check_expect "$name" "$dir/EXPECT" "$dir"
    done
else
    echo "check_set.sh: no postconf: Postfix configs not checked"
fi

# Exim
if [ -x "$exim" ] && [ -d "$set_dir/exim" ]; then
    for conf in "$set_dir"/exim/*.conf; do
        base=$(basename "$conf" .conf)
        name=exim/$base
        checked=$((checked + 1))
        sed "s|@CONFDIR@|$set_dir/exim|g" "$conf" > "$tmp/exim.conf"
        if ! out=$("$exim" -C "$tmp/exim.conf" -bV 2>&1); then
            fail "$name: exim4 -bV: $(echo "$out" | grep -iE 'error|unknown|fail|missing|not' | head -2)"
        fi
        if ! grep -qx 'open trusted-network' "$set_dir/exim/$base.expect" 2>/dev/null; then
            list=$(sed -n 's/^hostlist *relay_from_hosts *= *//p' "$conf")
            case $list in
            "<;"*) outside_trusted "$name" ";" "${list#<;}" ;;
            *) outside_trusted "$name" ":" "$list" ;;
            esac
        fi
        for d in $(grep -oE '@CONFDIR@/[A-Za-z0-9._/-]+' "$conf" | sort -u); do
            [ -f "$set_dir/exim/${d#@CONFDIR@/}" ] || fail "$name: names $d, which is not in the set"
        done
        check_expect "$name" "$set_dir/exim/$base.expect" "$set_dir/exim"
    done
else
    echo "check_set.sh: no Exim at $exim (scripts/setup): Exim configs not checked"
fi

if [ $checked = 0 ]; then
    echo "check_set.sh: neither MTA is installed: skipped"
    exit 77
fi
echo "check_set.sh: $checked configs, $failures failures"
[ $failures = 0 ]
