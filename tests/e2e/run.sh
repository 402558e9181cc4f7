#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh MDEVCTL_BINARY [CACHE]
#
# The real-kernel end-to-end test, in one command: prepares Debian's kernel and the sample mdev
# drivers (setup-kernel.sh, cached in CACHE, default ${E2E_CACHE:-$HOME/.cache/mdevctl-e2e}),
# builds an initramfs with MDEVCTL_BINARY at /usr/sbin/mdevctl (E2E_SBINDIR=DIR: DIR/mdevctl;
# the udev rule is generated for that path) and an lsmdev link (mkinitramfs.sh), boots it
# three times in QEMU (run-vm.sh) with a state directory shared between the boots, prints a
# summary and exits 0 only if every boot passed.
#   boot 1 (guest/boot1.sh): the commands against the real /sys, compared with Debian's 1.2.0;
#                            leaves definitions in the state directory
#   boot 2 (guest/boot2.sh): udevd + 60-mdevctl.rules start the auto definitions at boot;
#                            create-compatible persists a device from boot 1's record
#   boot 3 (guest/boot3.sh): the udev rule brings that device back
# Needs root or sudo for apt-get. Runs with no standard input. Environment: VM_TIMEOUT (per
# boot, default 300 s), E2E_ACCEL (default tcg), E2E_LOGDIR (keep the console logs there;
# otherwise they are kept in a temporary directory only when something failed).
set -eu

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 MDEVCTL_BINARY [CACHE]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
cache=${2:-${E2E_CACHE:-${HOME:-/root}/.cache/mdevctl-e2e}}
[ -f "$bin" ] && [ -x "$bin" ] || { echo "run.sh: $bin is not an executable file" >&2; exit 2; }
now() { date +%s; }
t0=$(now)

work=$(mktemp -d "${TMPDIR:-/tmp}/mdevctl-e2e.XXXXXX")
logs=${E2E_LOGDIR:-$work/logs}
mkdir -p "$logs"
keep=
trap '[ -n "$keep" ] || rm -rf "$work"' EXIT

echo "=== setup ($cache)"
sh "$here/setup-kernel.sh" "$cache"
t_setup=$(now)

echo "=== initramfs"
payload=$work/payload
sbindir=${E2E_SBINDIR:-/usr/sbin}
mkdir -p "$payload$sbindir"
cp "$bin" "$payload$sbindir/mdevctl"
ln -s mdevctl "$payload$sbindir/lsmdev"
sh "$here/mkinitramfs.sh" "$cache" "$payload" "$work/initrd"
t_initrd=$(now)

state=$work/state
mkdir -p "$state"
boot() { # N
	echo "=== boot $1"
	rc=0
	mkdir -p "$logs/boot$1"
	VM_OUTDIR=$logs/boot$1 VM_LOG=$logs/boot$1.log sh "$here/run-vm.sh" "$cache/vmlinuz" "$work/initrd" "$state" \
		"e2e.boot=$1" || rc=$?
	return $rc
}
rc1=0
boot 1 || rc1=$?
t_boot1=$(now)
rc2=skipped
if [ "$rc1" -le 1 ]; then
	# The guest ran its tests to the end (failed or not): its definitions are in $state.
	rc2=0
	boot 2 || rc2=$?
fi
t_boot2=$(now)
rc3=skipped
if [ "$rc2" != skipped ] && [ "$rc2" -le 1 ]; then
	# Boot 2 persisted a device with create-compatible: the udev rule must bring it back.
	rc3=0
	boot 3 || rc3=$?
fi
t_boot3=$(now)

count() { grep -a -c "$1" "$2" 2>/dev/null || true; }
echo
echo "=== summary"
for n in 1 2 3; do
	f=$logs/boot$n.log
	[ -f "$f" ] || continue
	echo "boot $n: $(count '^ok [0-9]' "$f") ok, $(count '^not ok [0-9].*# TODO' "$f") TODO (reported differences), $(grep -a '^not ok [0-9]' "$f" | grep -a -c -v '# TODO' || true) failed"
	grep -a '^not ok [0-9]' "$f" | grep -a -v '# TODO' | sed "s/^/  boot $n: /" || true
done
grep -a -h '^# Debian 1.2.0 vs ours' "$logs"/boot1.log 2>/dev/null | sed 's/^# /  /' || true
echo "times: setup $((t_setup - t0)) s, initramfs $((t_initrd - t_setup)) s, boot 1 $((t_boot1 - t_initrd)) s, boot 2 $((t_boot2 - t_boot1)) s, boot 3 $((t_boot3 - t_boot2)) s, total $((t_boot3 - t0)) s"
echo "exit: boot 1 $rc1, boot 2 $rc2, boot 3 $rc3 (124: VM timeout, 125: no exit marker)"
if [ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ "$rc3" = 0 ]; then
	echo "PASS"
	exit 0
fi
[ -n "${E2E_LOGDIR:-}" ] || keep=1
echo "FAIL (console logs: $logs)"
exit 1
