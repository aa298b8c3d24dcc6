#!/usr/bin/env bash
# Build the Debian 12 systemd test image from Debian packages (mmdebstrap -> docker import).
# The tag carries a hash of this recipe, so the image is rebuilt only when the recipe changes.
# Prints the image reference on stdout (last line).
set -euo pipefail
packages="systemd,systemd-sysv,dbus,python3,python3-apt,sudo,iproute2,procps,ca-certificates,apt-utils,gnupg,less"
recipe_hash="$( (cat "$0"; echo "$packages") | sha256sum | cut -c1-12)"
image="gamestack-test/debian12-systemd:${recipe_hash}"
if docker image inspect "$image" >/dev/null 2>&1; then
  docker tag "$image" gamestack-test/debian12-systemd:latest
  echo "$image"
  exit 0
fi
build="$(mktemp -d /tmp/gamestack-image.XXXXXX)"
trap 'rm -rf "$build"' EXIT
echo "image: building $image with mmdebstrap (about a minute)" >&2
# The hooks are single-quoted on purpose: mmdebstrap runs each one with sh -c and the chroot
# directory as "$1", so $1 and the globs must reach it unexpanded.
# shellcheck disable=SC2016
mmdebstrap --quiet --variant=minbase --include="$packages" \
  --customize-hook='rm -f "$1"/etc/machine-id "$1"/var/lib/dbus/machine-id; touch "$1"/etc/machine-id' \
  --customize-hook='chroot "$1" systemctl mask systemd-udevd.service systemd-udevd-kernel.socket systemd-udevd-control.socket getty@tty1.service console-getty.service systemd-logind.service >/dev/null 2>&1 || true' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$build/rootfs.tar" http://deb.debian.org/debian >&2
docker import \
  --change 'ENV container=docker' \
  --change 'CMD ["/lib/systemd/systemd"]' \
  "$build/rootfs.tar" "$image" >/dev/null
docker tag "$image" gamestack-test/debian12-systemd:latest
echo "$image"
