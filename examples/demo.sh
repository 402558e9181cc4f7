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
	for h in "$host" "$host/src" "$host/dst"; do
		fusermount3 -u "$h/sys" 2>/dev/null || umount -l "$h/sys" 2>/dev/null || true
	done
	rm -rf "$host"
}
trap cleanup EXIT
# simhost DIR HOST.json: a simulated host under DIR, with the directories mdevctl needs
simhost() {
	mkdir -p "$1/sys" "$1/etc/mdevctl.d" "$1/usr/lib/mdevctl/compat.d" \
		"$1/usr/lib/mdevctl/scripts.d/callouts" "$1/usr/lib/mdevctl/scripts.d/notifiers"
	"$build/tests/sim/mdev-sim" --host "$src/tests/sim/hosts/$2" "$1/sys"
}
simhost "$host" example.json
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

# Migration compatibility: two simulated hosts of a made-up GPU vendor, "simgpu", whose
# rule file says that an A2 can also run as an A4 in profile half.
echo "# --- migration compatibility: source and destination hosts (simulated) ---"
echo
for h in src dst; do
	simhost "$host/$h" "compat-$h.json"
	cp "$src/tests/sim/compat.d/simgpu.json" "$host/$h/usr/lib/mdevctl/compat.d/"
done
a2=5e0c3a2f-4b1d-4e6a-9c7b-a20000000001
export MDEVCTL_ENV_ROOT="$host/src"
echo "src\$ mdevctl list"
"$build/src/mdevctl" list
echo
echo "src\$ mdevctl compat show -u $a2 >rec.json"
"$build/src/mdevctl" compat show -u "$a2" >"$host/rec.json"
cat "$host/rec.json"
echo
export MDEVCTL_ENV_ROOT="$host/dst"
echo "dst\$ mdevctl compat check --from rec.json"
"$build/src/mdevctl" compat check --from "$host/rec.json"
echo "(exit status $?)"
