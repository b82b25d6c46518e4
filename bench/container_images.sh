#!/usr/bin/env bash
# bench/container_images.sh [--debootstrap] [RELEASE...] - the MTA images of
# docker/ on each Debian release (default: trixie bookworm bullseye), as
# root, after scripts/container-setup: for each release, optionally the
# base image made again (debootstrap and import, timed by container-setup),
# then for Postfix and Exim a cold build (--no-cache), the same build again
# (podman 4.3 does not always reuse the layers a --no-cache build made), a
# warm build (every layer cached), the image's size and /etc/relaylab-mta-version, and a
# container started by hand with host networking inside a private network
# namespace (unshare -n), answering a banner on 127.0.0.1:25 there
# (Postfix also: STARTTLS and AUTH PLAIN through Dovecot on 587). Every
# container is removed by name; podman's leftover state is listed at the end.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
DEBOOTSTRAP=""
[ "${1:-}" = "--debootstrap" ] && { DEBOOTSTRAP=1; shift; }
RELEASES=${*:-trixie bookworm bullseye}
[ "$(id -u)" -eq 0 ] || { echo "bench/container_images.sh: run as root" >&2; exit 3; }
command -v podman >/dev/null || { echo "bench/container_images.sh: run scripts/container-setup first" >&2; exit 3; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mb() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1000000 }'; }

# build ARGS - podman build, its output shown only when it fails
build() {
  local log
  log=$(mktemp)
  if ! podman build "$@" >"$log" 2>&1; then
    tail -30 "$log" >&2
    rm -f "$log"
    echo "bench/container_images.sh: podman build $* failed" >&2
    exit 1
  fi
  rm -f "$log"
}

# check IMAGE MTA - in a fresh network namespace: the image's default
# command with host networking (that namespace), then the banner; prints
# "SECONDS BANNER" or fails with the container's log
check() {
  local image=$1 mta=$2 name
  name=relaylab-bench-$mta-$$
  unshare -n bash -c '
    set -eu
    ip link set lo up
    t0=$(date +%s.%N)
    podman run -d --name "$1" --network host --pull=never \
      -e SASL_USER=bench -e SASL_PASSWORD=bench-pass "$2" >/dev/null
    python3 - "$3" "$t0" <<"EOF"
import smtplib, ssl, sys, time
mta, t0 = sys.argv[1], float(sys.argv[2])
deadline = time.time() + 20
while True:
    try:
        s = smtplib.SMTP(timeout=5)
        code, banner = s.connect("127.0.0.1", 25)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("no banner on 127.0.0.1:25 in 20 s")
        time.sleep(0.05)
out = "%.2f  %d %s" % (time.time() - t0, code, banner.decode())
code, msg = s.ehlo("bench.relaylab.test")
if code != 250:
    sys.exit("EHLO: %d %s" % (code, msg.decode()))
s.quit()
if mta == "postfix":
    s = smtplib.SMTP("127.0.0.1", 587, timeout=5)
    s.ehlo("bench.relaylab.test")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s.starttls(context=ctx)
    s.ehlo("bench.relaylab.test")
    code, msg = s.login("bench", "bench-pass")
    out += " | 587: STARTTLS, AUTH %d %s" % (code, msg.decode())
    s.quit()
print(out)
EOF
  ' check "$name" "$image" "$mta" || { podman logs "$name" 2>&1 | tail -20 >&2; podman rm -f -t 1 "$name" >/dev/null 2>&1 || true; return 1; }
  podman rm -f -t 1 "$name" >/dev/null
}

printf '%-8s %-8s %-44s %-8s %-7s %-7s %-7s %s\n' release mta version "size MB" cold_s again_s warm_s "run -d to banner s, banner"
for release in $RELEASES; do
  if [ -n "$DEBOOTSTRAP" ]; then
    t0=$(now)
    "$TOP/scripts/container-setup" --refresh --release "$release" 2>&1 | grep -E 'debootstrap [0-9]|imported' | sed "s/^/  /"
    echo "  $release: base image made again in $(secs "$t0" "$(now)") s (container-setup, whole)"
  fi
  for mta in postfix exim; do
    image=relaylab/$mta:$release
    t0=$(now)
    build --no-cache --pull=never --build-arg RELEASE="$release" -t "$image" "$TOP/docker/$mta"
    t1=$(now)
    build --pull=never --build-arg RELEASE="$release" -t "$image" "$TOP/docker/$mta"
    t2=$(now)
    build --pull=never --build-arg RELEASE="$release" -t "$image" "$TOP/docker/$mta"
    t3=$(now)
    size=$(podman image inspect --format '{{.Size}}' "$image")
    version=$(podman run --rm --name "relaylab-bench-version-$$" --network none --pull=never "$image" \
              head -1 /etc/relaylab-mta-version)
    banner=$(check "$image" "$mta")
    printf '%-8s %-8s %-44s %-8s %-7s %-7s %-7s %s\n' "$release" "$mta" "$version" "$(mb "$size")" \
      "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")" "$banner"
  done
done
# The --no-cache builds leave the images they replaced untagged.
podman image prune -f --filter label=org.relaylab.mta >/dev/null
podman image prune -f --filter label=org.relaylab.rootfs-sha256 >/dev/null
echo "podman $(podman version --format '{{.Client.Version}}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
sleep 1 # conmon outlives podman rm by a moment
echo "leftovers: containers $(podman ps -aq | wc -l), conmon processes $(pgrep -c -x conmon || true)," \
  "images $(podman images -q | wc -l), bridge $(ip -br link show cni-podman0 2>/dev/null | awk '{print $1}' || true)"
