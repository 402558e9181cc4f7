#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-vm.sh KERNEL INITRD STATE_DIR [KERNEL_ARGS...]
#
# Boots KERNEL with INITRD in qemu-system-x86_64 (q35, TCG unless E2E_ACCEL says otherwise)
# with the serial console on stdout and STATE_DIR shared with the guest over 9p (mount tag
# "state"; init.sh mounts it at /etc/mdevctl.d, so what the guest defines survives into the
# next boot). KERNEL_ARGS are appended to "console=ttyS0 panic=-1 quiet".
#
# Exits with the status the guest prints as "@@ EXIT_CODE=n", with 124 when the VM was still
# running after VM_TIMEOUT seconds (default 300) and 125 when the guest ended without the
# marker (kernel panic, /init failure). VM_LOG=FILE also keeps the console output in FILE.
# VM_OUTDIR=DIR shares DIR too (mount tag "out", mounted at /out), for files the guest leaves
# for the host (transcripts).
# E2E_ACCEL=kvm selects KVM and E2E_CPU replaces "-cpu max" (untested: in the Firecracker
# development VMs /dev/kvm exists but "max" fails to set MSR 0x10a and "host,-arch-capabilities"
# hangs the guest, so the default stays TCG).
set -eu

[ $# -ge 3 ] || { echo "usage: $0 KERNEL INITRD STATE_DIR [KERNEL_ARGS...]" >&2; exit 2; }
kernel=$1 initrd=$2 state=$3
shift 3
timeout=${VM_TIMEOUT:-300}
accel=${E2E_ACCEL:-tcg}
cpu=${E2E_CPU:-max}
[ -r "$kernel" ] && [ -r "$initrd" ] && [ -d "$state" ] || {
	echo "run-vm: $kernel, $initrd or $state is missing" >&2
	exit 2
}

out_share=
[ -z "${VM_OUTDIR:-}" ] ||
	out_share="-virtfs local,path=$VM_OUTDIR,mount_tag=out,security_model=none,id=out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-vm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=${VM_LOG:-$tmp/console.log}
: >"$log"

# stdin must not be a closed descriptor (-serial stdio fails then): feed /dev/null. The console
# is CRLF; the carriage returns go.
{
	rc=0
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-machine "q35,accel=$accel" -cpu "$cpu" -smp 2 -m 512 \
		-nodefaults -nographic -serial stdio -no-reboot \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet $*" \
		-virtfs "local,path=$state,mount_tag=state,security_model=none,id=state" $out_share \
		</dev/null 2>&1 || rc=$?
	echo "$rc" >"$tmp/qemu-status"
} | tr -d '\r' | tee -a "$log"

qemu_rc=$(cat "$tmp/qemu-status")
# The last marker counts; SeaBIOS's escape sequences may precede it on the same line.
code=$(grep -a -o '@@ EXIT_CODE=[0-9]*' "$log" | tail -1 | sed 's/.*=//')
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	echo "run-vm: the VM was still running after ${timeout} s: killed" >&2
	exit 124
fi
if [ -z "$code" ]; then
	echo "run-vm: the guest ended without an exit code marker (QEMU status $qemu_rc)" >&2
	exit 125
fi
exit "$code"
