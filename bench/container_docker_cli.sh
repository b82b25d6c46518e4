#!/usr/bin/env bash
# bench/container_docker_cli.sh [DOCKER...] - the docker CLI (default: the
# docker on PATH; give one or more client binaries to compare) driving
# podman through its Docker-compatible API socket (podman system service),
# as root, after scripts/container-setup and bench/container_images.sh
# (it uses relaylab/postfix:bookworm and relaylab/exim:bookworm):
# version, images, build, run, logs, exec, rm; then an MTA in a private
# network namespace (as relaylab's), two ways:
#   ns:    a service in the host's namespace, docker run --network ns:/proc/PID/ns/net
#   host:  a service started inside the namespace (nsenter -n), docker run --network host
# Clients there connect from 203.0.113.7 (outside mynetworks) and 10.0.0.5
# (inside): refused and accepted means their source addresses reached the
# MTA unchanged. Everything started here is stopped by its id at the end.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "bench/container_docker_cli.sh: run as root" >&2; exit 3; }
[ $# -gt 0 ] || set -- "$(command -v docker || echo docker)"

tmp=$(mktemp -d)
pids=""
names=""
cleanup() {
  for n in $names; do podman rm -f -t 1 --ignore "$n" >/dev/null 2>&1 || true; done
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The network namespace, kept by a process of ours, with the guide's
# addresses on its lo (the MTA on 192.0.2.10).
unshare -n sleep 3600 &
holder=$!
pids="$pids $holder"
sleep 0.2
nsenter -t "$holder" -n sh -c 'ip link set lo up; for a in 192.0.2.10/24 203.0.113.7/24 10.0.0.5/24; do ip addr add $a dev lo; done'

# wait_socket PATH - until a podman service listens there
wait_socket() {
  for _ in $(seq 1 100); do [ -S "$1" ] && return 0; sleep 0.05; done
  echo "bench/container_docker_cli.sh: no podman service on $1" >&2
  exit 3
}
podman system service --time=0 "unix://$tmp/podman.sock" 2>"$tmp/service.log" &
pids="$pids $!"
nsenter -t "$holder" -n podman system service --time=0 "unix://$tmp/podman-ns.sock" 2>"$tmp/service-ns.log" &
pids="$pids $!"
wait_socket "$tmp/podman.sock"
wait_socket "$tmp/podman-ns.sock"

cat > "$tmp/client.py" <<'EOF'
import smtplib, sys, time
src, dst, port, rcpt = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
deadline = time.time() + 20
while True:
    try:
        s = smtplib.SMTP(timeout=5, source_address=(src, 0))
        s.connect(dst, port)
        break
    except OSError as e:
        if time.time() > deadline:
            sys.exit("no banner on %s:%d: %s" % (dst, port, e))
        time.sleep(0.1)
s.ehlo("client.relaylab.test")
s.mail("someone@relaylab.test")
code, msg = s.rcpt(rcpt)
print("%s: %d %s" % (src, code, msg.decode()))
s.quit()
EOF
# dialogues - from outside and inside mynetworks, in the namespace
dialogues() {
  local src
  for src in 203.0.113.7 10.0.0.5; do
    nsenter -t "$holder" -n python3 "$tmp/client.py" "$src" 192.0.2.10 25 victim@example.net | sed 's/^/    /'
  done
}

for docker in "$@"; do
  echo "== $docker: $("$docker" --version)"
  export DOCKER_HOST=unix://$tmp/podman.sock DOCKER_BUILDKIT=0
  echo "  version: $("$docker" version --format 'client API {{.Client.APIVersion}}, server {{.Server.Version}} API {{.Server.APIVersion}} (minimum {{.Server.MinAPIVersion}})' 2>&1)"
  echo "  images: $("$docker" images --format '{{.Repository}}:{{.Tag}}' 2>&1 | grep -c relaylab) relaylab images listed"
  tag=relaylab/exim:docker-cli-$$
  t0=$(date +%s.%N)
  if "$docker" build -q --build-arg RELEASE=bookworm -t "$tag" "$TOP/docker/exim" >"$tmp/build.log" 2>&1; then
    echo "  build: ok in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s, stored as $(podman images --format '{{.Repository}}:{{.Tag}}' | grep "docker-cli-$$" | head -1)"
    "$docker" rmi "$tag" >/dev/null 2>&1 || true
  else
    echo "  build: FAILED:"; tail -5 "$tmp/build.log" | sed 's/^/    /'
  fi

  name=relaylab-docker-cli-ns-$$
  names="$names $name"
  echo "  run --network ns:/proc/$holder/ns/net (Postfix, mynetworks 10.0.0.0/24):"
  "$docker" run -d --name "$name" --network "ns:/proc/$holder/ns/net" -e MYNETWORKS=10.0.0.0/24 \
    relaylab/postfix:bookworm >/dev/null
  echo "    network mode: $("$docker" inspect --format '{{.HostConfig.NetworkMode}}' "$name")"
  dialogues
  echo "    logs: $("$docker" logs "$name" 2>&1 | grep -c ': connect from unknown\[203.0.113.7\]') line(s) 'connect from unknown[203.0.113.7]'"
  echo "    exec: $("$docker" exec "$name" head -1 /etc/relaylab-mta-version)"
  "$docker" rm -f "$name" >/dev/null

  export DOCKER_HOST=unix://$tmp/podman-ns.sock
  name=relaylab-docker-cli-host-$$
  names="$names $name"
  echo "  run --network host, the service inside the namespace (Exim, relay_nets 10.0.0.0/24):"
  "$docker" run -d --name "$name" --network host -e RELAY_NETS=10.0.0.0/24 relaylab/exim:bookworm >/dev/null
  dialogues
  "$docker" rm -f "$name" >/dev/null
done
sleep 1 # conmon outlives rm by a moment
echo "leftovers: containers $(podman ps -aq | wc -l), conmon processes $(pgrep -c -x conmon || true)"
# podman 4.3 leaves two conmon processes per exec made through the API,
# after the container is gone, until its exit_command_delay (5 minutes):
# those of our containers are ended here, by their ids.
leaked=""
for p in $(pgrep -x conmon || true); do
  grep -q -e "relaylab-docker-cli-[a-z]*-$$" "/proc/$p/cmdline" 2>/dev/null && leaked="$leaked $p"
done
if [ -n "$leaked" ]; then
  echo "  of which left by docker exec on our removed containers:$leaked (ended now)"
  kill $leaked 2>/dev/null || true
fi
