# shellcheck shell=bash
# scripts/lib/rootfs.sh - the Debian base root file systems relaylab's MTA
# images and chroot trees start from, sourced by scripts/container-setup
# and scripts/mta-rootfs (not run by itself).
#
# Each release's base is `debootstrap --variant=minbase`, made slim as
# Debian's own images are, and cached as CACHE/RELEASE.tar: podman imports
# that tar as debian:RELEASE-slim (container-setup), and mta-rootfs
# extracts it for a chroot tree, so both start from the same bytes.
#
# The caller sets PROG (its name, for messages) before sourcing, and may
# set RELAYLAB_DEBIAN_MIRROR, RELAYLAB_DEBIAN_SECURITY_MIRROR and
# RELAYLAB_ROOTFS_CACHE in the environment.

MIRROR=${RELAYLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${RELAYLAB_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=${RELAYLAB_ROOTFS_CACHE:-/var/cache/relaylab/rootfs}
ROOTFS_RELEASES="trixie bookworm bullseye"
case $CACHE in
  /*[[:space:]]*|[!/]*) echo "$PROG: RELAYLAB_ROOTFS_CACHE='$CACHE': not an absolute path without white space" >&2; exit 2 ;;
esac

say() { echo "$PROG: $*" >&2; }
die() { say "$*"; exit 3; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Paths to remove at exit (rootfs_cleanup, the callers' EXIT trap): the
# work directories of a run that failed or was interrupted.
ROOTFS_TRASH=""
rootfs_cleanup() {
  local p
  for p in $ROOTFS_TRASH; do
    rootfs_remove "$p"
  done
  ROOTFS_TRASH=""
}
# rootfs_traps - rootfs_cleanup at exit, also on SIGINT, SIGTERM, SIGHUP
rootfs_traps() {
  trap rootfs_cleanup EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
trash_add() { ROOTFS_TRASH="$ROOTFS_TRASH $1"; }
trash_del() {
  local p keep=""
  for p in $ROOTFS_TRASH; do
    [ "$p" = "$1" ] || keep="$keep $p"
  done
  ROOTFS_TRASH=$keep
}

# mounted_under DIR - true when something is mounted at or below DIR in
# this mount namespace
mounted_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# rootfs_remove PATH - rm -rf, but never through a mount (a /proc or /dev
# left mounted in a tree would otherwise be emptied with it)
rootfs_remove() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  if mounted_under "$1"; then
    say "not removing $1: something is mounted under it (see /proc/self/mountinfo)"
    return 1
  fi
  rm -rf -- "$1"
}

# rootfs_check_releases R... - each one supported, or exit 2
rootfs_check_releases() {
  local r
  for r in "$@"; do
    case " $ROOTFS_RELEASES " in
      *" $r "*) ;;
      *) say "release $r not supported (bullseye, bookworm, trixie)"; exit 2 ;;
    esac
  done
}

# dir_files DIR NAME - a line "file SHA256 NAME/PATH" for each file below
# DIR, sorted: what a build context or a tree's copy of it holds
dir_files() {
  (cd "$1" && find . -type f -print | LC_ALL=C sort | while IFS= read -r f; do
     echo "file $(sha256sum < "$f" | cut -d' ' -f1) $2/${f#./}"
   done)
}

# apt_quiet ARGS - apt-get with its chatter in a log, shown only on failure
apt_quiet() {
  local log
  log=$(mktemp)
  if ! DEBIAN_FRONTEND=noninteractive apt-get -q "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "apt-get $* failed"
  fi
  rm -f "$log"
}

# need_packages PKG... - install the missing ones (apt, no recommends)
need_packages() {
  local p missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    say "installing$missing"
    apt_quiet update
    # shellcheck disable=SC2086
    apt_quiet install -y --no-install-recommends $missing
  fi
}

# slim_rootfs DIR RELEASE - the apt sources, dpkg's excludes, no caches
slim_rootfs() {
  local dir=$1 release=$2
  # The release, its point-release updates and its security archive.
  cat > "$dir/etc/apt/sources.list" <<EOF
deb $MIRROR $release main
deb $MIRROR $release-updates main
deb $SECURITY_MIRROR $release-security main
EOF
  cat > "$dir/etc/dpkg/dpkg.cfg.d/relaylab-slim" <<'EOF'
# relaylab: a slim image, like Debian's own: files later packages would
# install and nobody reads in a container.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
  cat > "$dir/etc/apt/apt.conf.d/relaylab-slim" <<'EOF'
// relaylab: a slim image: no recommends, no translations, no package cache.
APT::Install-Recommends "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
EOF
  # What debootstrap installed before the excludes existed.
  find "$dir/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$dir/usr/share/man/"* "$dir/usr/share/info/"* "$dir/usr/share/groff/"* "$dir/usr/share/lintian/"*
  find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$dir/var/lib/apt/lists/"* "$dir/var/cache/apt/"*.bin "$dir/var/cache/apt/archives/"*.deb
  rm -f "$dir/var/log/"*.log "$dir/var/log/apt/"* "$dir/etc/hostname" "$dir/etc/machine-id"
  : > "$dir/etc/resolv.conf" # podman fills it per container; mta-rootfs only for apt
}

# tar_digest TAR - sets TAR_DIGEST to the tar's SHA-256, kept beside it in
# TAR.sha256 with the tar's size and modification time (a re-run reads it
# there instead of reading the whole tar again)
TAR_DIGEST=""
tar_digest() {
  local tarball=$1 stamp have_stamp have_digest
  stamp=$(stat -c '%s %Y' "$tarball")
  if [ -f "$tarball.sha256" ] && read -r have_digest have_stamp < "$tarball.sha256" &&
     [ "$have_stamp" = "$(echo "$stamp" | tr ' ' :)" ]; then
    TAR_DIGEST=$have_digest
    return 0
  fi
  TAR_DIGEST=$(sha256sum "$tarball" | cut -d' ' -f1)
  echo "$TAR_DIGEST $(echo "$stamp" | tr ' ' :)" > "$tarball.sha256.new"
  mv "$tarball.sha256.new" "$tarball.sha256"
}

# base_tar RELEASE [refresh] - sets BASE_TAR to CACHE/RELEASE.tar, made by
# debootstrap when missing (or when the second argument is non-empty).
# One debootstrap at a time (a lock on CACHE/.lock). debootstrap mounts
# /proc and /sys in its target: it runs in a private mount namespace, so a
# failed run cannot leave them mounted on the host.
BASE_TAR=""
base_tar() {
  local release=$1 refresh=${2:-} work log t0 t1
  BASE_TAR=$CACHE/$release.tar
  if [ -z "$refresh" ] && [ -s "$BASE_TAR" ]; then
    return 0
  fi
  need_packages debootstrap
  mkdir -p "$CACHE"
  chmod 755 "$CACHE"
  exec 8>"$CACHE/.lock"
  if ! flock -n 8; then
    say "waiting for another run's debootstrap ($CACHE/.lock)"
    flock 8
    # That run may have made it.
    if [ -z "$refresh" ] && [ -s "$BASE_TAR" ]; then
      exec 8>&-
      return 0
    fi
  fi
  work=$(mktemp -d "$CACHE/.$release.XXXXXX")
  trash_add "$work"
  trash_add "$BASE_TAR.new"
  log=$work.log
  say "debootstrap $release (minbase) from $MIRROR"
  t0=$(now)
  if ! unshare --mount --propagation private \
       debootstrap --variant=minbase "$release" "$work/root" "$MIRROR" >"$log" 2>&1; then
    tail -20 "$log" >&2
    die "debootstrap $release failed (whole log: $log)"
  fi
  t1=$(now)
  rm -f "$log"
  slim_rootfs "$work/root" "$release"
  tar --numeric-owner -C "$work/root" -cf "$BASE_TAR.new" .
  mv "$BASE_TAR.new" "$BASE_TAR"
  trash_del "$BASE_TAR.new"
  rootfs_remove "$work"
  trash_del "$work"
  exec 8>&-
  say "$release: debootstrap $(elapsed "$t0" "$t1") s; $(du -h "$BASE_TAR" | cut -f1) in $BASE_TAR"
}
