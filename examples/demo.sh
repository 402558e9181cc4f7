#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
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

# Migration: a VM's vGPU slice on a source host moves to a destination host that has no slice of
# that type left. The vendor rule file (illustrative: the kernel never merged GVT-g aggregation)
# says that a V5_2 slice is as large as a V5_4 aggregated by 2; create-compatible finds that,
# creates the device, checks its attribute and persists it.
echo "# --- migration: source and destination hosts (simulated, illustrative GVT-g aggregation) ---"
echo
simhost "$host/src" gvt-aggregation.json
simhost "$host/dst" gvt-aggregation-dst.json
for h in src dst; do
	mkdir -p "$host/$h/etc/mdevctl/compat.d"
	cp "$src/examples/compat.d/i915-gvtg-aggregation.json" "$host/$h/etc/mdevctl/compat.d/"
done
vm=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
mc() { # HOST ARGS...: one command on the source or the destination, shown
	h=$1
	shift
	echo "$h\$ mdevctl $*"
	(cd "$host" && MDEVCTL_ENV_ROOT="$host/$h" "$build/src/mdevctl" "$@")
}
mc src start --uuid "$vm" --parent 0000:00:02.0 --type i915-GVTg_V5_2
mc src define --uuid "$vm"
mc src list
echo
echo "src\$ mdevctl compat show --uuid $vm >rec.json"
MDEVCTL_ENV_ROOT="$host/src" "$build/src/mdevctl" compat show --uuid "$vm" >"$host/rec.json"
cat "$host/rec.json"
echo
mc dst types --parent 0000:00:02.0 | grep -E -v '^ *(Device API|Name|Description):'
echo
mc dst compat check --from rec.json
echo
mc dst create-compatible --from rec.json --auto 2>&1
mc dst list --defined
echo "dst\$ cat /etc/mdevctl.d/0000:00:02.0/$vm"
cat "$host/dst/etc/mdevctl.d/0000:00:02.0/$vm"
echo
echo "dst\$ cat /sys/bus/mdev/devices/$vm/aggregator   # (simulated)"
cat "$host/dst/sys/bus/mdev/devices/$vm/aggregator"
echo
echo "# a retry (after a timeout, say) finds the device it made: nothing more is created"
mc dst create-compatible --from rec.json --auto 2>&1
