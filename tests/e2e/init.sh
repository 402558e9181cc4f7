#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of the end-to-end test initramfs (mkinitramfs.sh installs this file as /init).
#
# Mounts the kernel file systems, mounts the host's state directory (a 9p share with mount tag
# "state", see run-vm.sh) at /etc/mdevctl.d, runs /e2e/boot<N>.sh for the N given as e2e.boot=N
# on the kernel command line, prints "@@ EXIT_CODE=<status>" on the console for run-vm.sh and
# powers the machine off. Each boot script loads the kernel modules it tests itself.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs tmpfs /tmp
# Kernel messages (mtty's taint warning, ...) would interleave with the test output.
dmesg -n 1

finish() {
	sync
	umount /etc/mdevctl.d /out 2>/dev/null
	echo "@@ EXIT_CODE=$1"
	poweroff -f
	sleep 5
	exit "$1" # only if poweroff failed: the kernel panics and QEMU exits (-no-reboot)
}

boot=
for arg in $(cat /proc/cmdline); do
	case $arg in
	e2e.boot=*) boot=${arg#e2e.boot=} ;;
	esac
done
if [ -z "$boot" ] || [ ! -f "/e2e/boot$boot.sh" ]; then
	echo "init: no /e2e/boot<N>.sh for e2e.boot='$boot' on the kernel command line"
	finish 125
fi

if ! { modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p &&
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 state /etc/mdevctl.d; }; then
	echo "init: cannot mount the state share at /etc/mdevctl.d"
	finish 125
fi

# The optional share for files to hand back to the host (run-vm.sh VM_OUTDIR).
mkdir -p /out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out 2>/dev/null || true

echo "init: kernel $(uname -r), boot $boot"
sh "/e2e/boot$boot.sh"
finish $?
