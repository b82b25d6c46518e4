#!/bin/bash
# man_check.sh - relaylab(1), the --help texts and the bash completion agree
#
# usage: man_check.sh RELAYLAB SOURCE_DIR
#
# Fails when they drift:
#  - the commands of "relaylab --help" are the man page's "relaylab CMD"
#    subsections under COMMANDS, and what the completion offers first;
#  - for every command, the long options "relaylab CMD --help" prints (its
#    usage line and option lines) are the ones the man page lists in that
#    subsection (its .TP tags), both ways; likewise which short option
#    goes with which long one. -h, --help is documented once, under OPTIONS;
#  - every RELAYLAB_* variable named in harness/ (getenv, sandbox's setenv)
#    is under ENVIRONMENT;
#  - the completion offers each command's long options, and completes
#    --mta, send's --tls-verify= and --quit-after, scenario paths after
#    run, and sandbox's COMMAND;
#  - the page renders without a warning (groff -ww, mandoc -Tlint), where
#    those are installed.
set -u
bin=$(realpath -- "$1")
src=$(realpath -- "$2")
man=$src/docs/relaylab.1
comp=$src/docs/relaylab.bash-completion
failures=0

fail()
{
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# same NAME WHAT_A FILE_A WHAT_B FILE_B - the sorted lines of two files agree
same()
{
    local name=$1 a=$2 fa=$3 b=$4 fb=$5 line

    while IFS= read -r line; do
        fail "$name: '$line' is in $a but not in $b"
    done < <(comm -23 "$fa" "$fb")
    while IFS= read -r line; do
        fail "$name: '$line' is in $b but not in $a"
    done < <(comm -13 "$fa" "$fb")
}

tmp=$(mktemp -d)
# KEEP_TMP=1 keeps the intermediate lists (help.*, man.*, comp.*) for a look.
if [ -n "${KEEP_TMP-}" ]; then
    echo "tmp: $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi

# help_commands - the "commands:" section of "relaylab --help"
help_commands()
{
    "$bin" --help | awk '/^commands:/ { f = 1; next }
                         f && /^[ \t]+[a-z]/ { print $1; next }
                         f { exit }'
}

# help_specs CMD - its usage line, and the option part of each option line
help_specs()
{
    "$bin" "$1" --help | awk '/^usage:/ { print; next }
        /^[ \t]+-/ { s = $0; sub(/^[ \t]+/, "", s)
                     i = index(s, "  "); if (i) s = substr(s, 1, i - 1); print s }'
}

# man_tags CMD - the .TP tags of the man page's "relaylab CMD" subsection, unescaped
man_tags()
{
    awk -v want="$1" '
        /^\.SH/ { in_cmd = 0 }
        /^\.SS/ { in_cmd = ($0 ~ "^\\.SS \"?relaylab " want "\"?$") }
        in_cmd && tag { s = $0; gsub(/\\-/, "-", s); gsub(/\\f[BIRP]/, "", s)
                        gsub(/"/, "", s); sub(/^\.[A-Z]+ /, "", s); print s; tag = 0; next }
        in_cmd && /^\.TP/ { tag = 1 }' "$man"
}

# man_commands - the subsections under COMMANDS
man_commands()
{
    awk '/^\.SH/ { in_cmds = ($0 ~ /^\.SH "?COMMANDS"?$/) }
         in_cmds && /^\.SS/ { s = $0; gsub(/"/, "", s)
                              if (s ~ /^\.SS relaylab [a-z]+$/) { split(s, f, " "); print f[3] } }' "$man"
}

# longs - the long options named in spec lines, but --help
longs()
{
    grep -oE -- '--[a-z][a-z0-9-]*' | grep -vx -- '--help' | sort -u
}

# pairs - "-j --jobs" for each spec line naming one short and a long option
pairs()
{
    awk '{ s = " " $0; n = 0
           while (match(s, /[ ,[]-[a-zA-Z]([] ,]|$)/)) {
               short = substr(s, RSTART + 1, 2); n++; s = substr(s, RSTART + 3) }
           if (n == 1 && match($0, /--[a-z][a-z0-9-]*/) && short != "-h")
               print short, substr($0, RSTART, RLENGTH) }' | sort -u
}

# completions WORD... - what the completion offers for the line WORD... (the
# last is the word being completed), one per line, sorted, run in $tmp/work
completions()
{
    (cd "$tmp/work" && bash -c '
        comp=$1
        shift
        source "$comp" || exit 1
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _relaylab
        printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@") | sed '/^$/d' | sort -u
}

# expect_complete WANT WORD... - the completion offers exactly WANT (space-separated)
expect_complete()
{
    local want got word

    want=$(for word in $1; do echo "$word"; done | sort -u | tr '\n' ' ')
    shift
    got=$(completions "$@" | tr '\n' ' ')
    [ "$got" = "$want" ] || fail "completion of '${*:2}': got '$got', want '$want'"
}

# expect_offered WANT WORD... - the completion offers WANT, among others
expect_offered()
{
    local want=$1

    shift
    completions "$@" | grep -qxF -- "$want" || fail "completion of '${*:2}' does not offer '$want'"
}

[ -x "$bin" ] || { echo "FAIL: no relaylab at $bin"; exit 1; }
[ -r "$man" ] || { echo "FAIL: no man page at $man"; exit 1; }

# Commands: --help, the man page, the completion (and its list for when it
# cannot ask a binary).
help_commands | sort -u >"$tmp/help.cmds"
[ -s "$tmp/help.cmds" ] || fail "no commands in 'relaylab --help'"
man_commands | sort -u >"$tmp/man.cmds"
same commands "'relaylab --help'" "$tmp/help.cmds" "relaylab(1) COMMANDS" "$tmp/man.cmds"

# Options, command by command.
while IFS= read -r cmd; do
    help_specs "$cmd" >"$tmp/help.$cmd.specs"
    man_tags "$cmd" >"$tmp/man.$cmd.tags"
    [ -s "$tmp/help.$cmd.specs" ] || fail "$cmd: 'relaylab $cmd --help' printed nothing"
    longs <"$tmp/help.$cmd.specs" >"$tmp/help.$cmd.longs"
    longs <"$tmp/man.$cmd.tags" >"$tmp/man.$cmd.longs"
    same "$cmd" "'relaylab $cmd --help'" "$tmp/help.$cmd.longs" \
        "relaylab(1) 'relaylab $cmd'" "$tmp/man.$cmd.longs"
    pairs <"$tmp/help.$cmd.specs" >"$tmp/help.$cmd.pairs"
    pairs <"$tmp/man.$cmd.tags" >"$tmp/man.$cmd.pairs"
    same "$cmd short option" "'relaylab $cmd --help'" "$tmp/help.$cmd.pairs" \
        "relaylab(1) 'relaylab $cmd'" "$tmp/man.$cmd.pairs"
done <"$tmp/help.cmds"

# ENVIRONMENT: every RELAYLAB_* that relaylab reads or sets ("RELAYLAB_PORT_%s": the prefix).
awk '/^\.SH/ { f = ($0 ~ /^\.SH "?ENVIRONMENT"?$/) } f' "$man" >"$tmp/man.env"
grep -rhoE '"RELAYLAB_[A-Z0-9_]*' --include='*.c' "$src/harness" | tr -d '"' | sort -u |
    while IFS= read -r var; do
        if [[ $var == *_ ]]; then
            grep -qF -- "$var" "$tmp/man.env"
        else
            grep -qE -- "(^|[^A-Z0-9_])$var([^A-Z0-9_]|$)" "$tmp/man.env"
        fi || echo "FAIL: $var (named in harness/) is not under ENVIRONMENT in relaylab(1)"
    done >"$tmp/env.fail"
while IFS= read -r line; do fail "${line#FAIL: }"; done <"$tmp/env.fail"

# The page renders cleanly.
if command -v groff >/dev/null; then
    warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
    [ -z "$warnings" ] || fail "groff -ww: $warnings"
else
    echo "note: no groff, rendering not checked"
fi
if command -v mandoc >/dev/null; then
    warnings=$(mandoc -Tlint -Wall "$man" 2>&1)
    [ -z "$warnings" ] || fail "mandoc -Tlint: $warnings"
fi

# The completion.
if ! bash -n "$comp"; then
    fail "$comp: syntax error"
else
    mkdir -p "$tmp/work/scn-dir"
    touch "$tmp/work/a.scn" "$tmp/work/b.txt"
    expect_complete "$(cat "$tmp/help.cmds") --help --version" "$bin" ""
    # Without a binary to ask, its own list of commands.
    expect_complete "$(cat "$tmp/help.cmds") --help --version" "$tmp/no-such-relaylab" ""
    while IFS= read -r cmd; do
        # --help too: it offers what --help prints.
        { cat "$tmp/help.$cmd.longs"; grep -qE -- '--help' "$tmp/help.$cmd.specs" && echo --help; } |
            sort -u >"$tmp/want.$cmd"
        completions "$bin" "$cmd" "--" >"$tmp/comp.$cmd"
        same "$cmd completion" "'relaylab $cmd --help'" "$tmp/want.$cmd" \
            "the completion of 'relaylab $cmd --'" "$tmp/comp.$cmd"
    done <"$tmp/help.cmds"
    expect_complete "postfix exim postfix@bullseye postfix@bookworm postfix@trixie exim@bullseye exim@bookworm exim@trixie" "$bin" run --mta ""
    expect_complete "namespace container" "$bin" run --runtime ""
    expect_complete "postfix" "$bin" sandbox --mta p
    expect_complete "postfix exim" "$bin" fuzz --mta "=" ""        # --mta=<TAB>
    expect_complete "exim" "$bin" fuzz --mta "=" "e"              # --mta=e<TAB>
    expect_complete "name ca none" "$bin" send --tls-verify "=" ""
    expect_complete "rcpt" "$bin" send --quit-after r
    expect_complete "PLAIN LOGIN CRAM-MD5" "$bin" send --auth ""
    expect_complete "--jobs" "$bin" run --jo
    expect_complete "a.scn scn-dir" "$bin" run ""                 # scenario paths
    expect_complete "a.scn scn-dir" "$bin" run -j 2 --mta exim ""
    expect_complete "a.scn scn-dir" "$bin" fuzz --scenario ""
    expect_complete "" "$bin" run --filter ""                      # a value: no guess
    expect_complete "scn-dir" "$bin" certs ""
    expect_offered "bash" "$bin" sandbox --mta exim -- bas         # COMMAND
fi

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s): relaylab(1) ($man), the --help texts and $comp disagree"
    exit 1
fi
echo "ok: relaylab(1), the --help texts and the completion agree"
