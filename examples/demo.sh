#!/bin/sh
# Build mdevctl and show it at work on the bundled simulated host: tests/sim/mdev-sim mounts a
# FUSE file system that behaves like the sysfs of a host with mdev parents (an Intel GVT-g
# GPU, a vfio_ap matrix, the mtty sample driver), and mdevctl runs against it through
# MDEVCTL_ENV_ROOT: types, start a device, list it, define it, stop it. Everything happens in
# a temporary directory; nothing on this machine is touched apart from installing missing
# build dependencies. Mounting needs root: the script re-runs itself with sudo when needed.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	exec sudo sh "$0" "$@"
fi
"$src/tools/deps.sh" build
command -v fusermount3 >/dev/null || "$src/tools/deps.sh" test

build=${BUILD_DIR:-$src/build}
if [ ! -x "$build/src/mdevctl" ] || [ ! -x "$build/tests/sim/mdev-sim" ]; then
	[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null 2>&1)
	mkdir -p "$build"
	(cd "$build" && { [ -f Makefile ] || "$src/configure" -q; } &&
		make -s -j"$(nproc)" src/mdevctl tests/sim/mdev-sim) >/dev/null
fi

host=$(mktemp -d)
cleanup() {
	fusermount3 -u "$host/sys" 2>/dev/null || umount -l "$host/sys" 2>/dev/null || true
	rm -rf "$host"
}
trap cleanup EXIT
mkdir -p "$host/sys" "$host/etc/mdevctl.d" \
	"$host/usr/lib/mdevctl/scripts.d/callouts" "$host/usr/lib/mdevctl/scripts.d/notifiers"
"$build/tests/sim/mdev-sim" --host "$src/tests/sim/hosts/example.json" "$host/sys"
export MDEVCTL_ENV_ROOT="$host"

run() {
	echo "\$ mdevctl $*"
	"$build/src/mdevctl" "$@"
	echo
}
run types --parent mtty
uuid=$("$build/src/mdevctl" start --parent mtty --type mtty-2)
echo "\$ mdevctl start --parent mtty --type mtty-2"
echo "$uuid"
echo
run list
echo "\$ cat /sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1/available_instances   # (simulated)"
cat "$host/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1/available_instances"
echo
run define --uuid "$uuid" --auto
run list --defined
echo "\$ cat /etc/mdevctl.d/mtty/$uuid"
cat "$host/etc/mdevctl.d/mtty/$uuid"
echo
echo
run stop --uuid "$uuid"
run list --defined
