#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# mkinitramfs.sh CACHE PAYLOAD_DIR OUT
#
# Builds the initramfs the end-to-end tests boot (see run.sh): a busybox userland, the
# kernel modules prepared by setup-kernel.sh in CACHE (with a modules.dep made by
# `busybox depmod`), systemd-udevd and udevadm from the host's udev package with the udev rule
# generated from 60-mdevctl.rules.in, Debian's mdevctl as a reference at /usr/bin/mdevctl, the
# guest test scripts (guest/*.sh, at /e2e) and /init (init.sh). Every dynamically linked
# program gets the shared libraries `ldd` lists, at the host's paths.
#
# PAYLOAD_DIR is copied over the root as is. It must hold the mdevctl under test at
# usr/sbin/mdevctl (E2E_SBINDIR=/other/dir moves it; not /usr/bin, which is Debian's); the
# udev rule runs it from there.
#
# Installs the packages udev and mdevctl with apt-get when they are missing.
set -eu

[ $# -eq 3 ] || { echo "usage: $0 CACHE PAYLOAD_DIR OUT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=$(cd "$1" && pwd)
payload=$(cd "$2" && pwd)
out=$3
die() { echo "mkinitramfs: error: $*" >&2; exit 1; }

kver=$(sed -n 's/^kver=//p' "$cache/stamp" 2>/dev/null || true)
[ -n "$kver" ] || die "$cache/stamp missing: run setup-kernel.sh $cache first"
sbindir=${E2E_SBINDIR:-/usr/sbin}
[ -x "$payload$sbindir/mdevctl" ] || die "$payload$sbindir/mdevctl: no such executable"
[ "$sbindir" != /usr/bin ] || die "E2E_SBINDIR=/usr/bin would replace Debian's mdevctl"

# Debian's mdevctl (the reference, 1.2.0 on bookworm) and udev.
missing=
[ -x /usr/bin/mdevctl ] || missing="$missing mdevctl"
[ -x /bin/udevadm ] || missing="$missing udev"
if [ -n "$missing" ]; then
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "mkinitramfs: installing$missing" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -q -y -o Dpkg::Use-Pty=0 install \
		--no-install-recommends $missing </dev/null >/dev/null || {
		$sudo apt-get -q update </dev/null >/dev/null
		DEBIAN_FRONTEND=noninteractive $sudo apt-get -q -y -o Dpkg::Use-Pty=0 install \
			--no-install-recommends $missing </dev/null >/dev/null
	}
fi
udevd=$(readlink -f /lib/systemd/systemd-udevd)
[ -x "$udevd" ] || die "systemd-udevd not found"

root=$(mktemp -d "${TMPDIR:-/tmp}/e2e-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# Merged /usr, like the host, so that host paths (/lib/x86_64-linux-gnu/...) can be kept.
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64"
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/var/log" \
	"$root/etc/mdevctl.d" "$root/etc/udev/rules.d" "$root/usr/lib/udev/rules.d" \
	"$root/usr/lib/mdevctl/scripts.d/callouts" "$root/usr/lib/mdevctl/scripts.d/notifiers"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
: >"$root/etc/udev/udev.conf"

# busybox: one link per applet (sh, modprobe, logger, ...), never over a real program.
cp /bin/busybox "$root/usr/bin/busybox"
for a in $(/bin/busybox --list-full); do
	[ -e "$root/$a" ] || [ -L "$root/$a" ] || ln -s /usr/bin/busybox "$root/$a"
done

# Modules.
mkdir -p "$root/usr/lib/modules"
cp -R "$cache/modules/$kver" "$root/usr/lib/modules/"
/bin/busybox depmod -b "$root" "$kver"

# Debian's mdevctl, udev, the rule (generated the way Makefile.am does it).
cp /usr/bin/mdevctl "$root/usr/bin/mdevctl"
cp /bin/udevadm "$root/usr/bin/udevadm"
mkdir -p "$root/usr/lib/systemd"
cp "$udevd" "$root/usr/lib/systemd/systemd-udevd"
sed -e "s|@sbindir[@]|$sbindir|g" "$top/60-mdevctl.rules.in" >"$root/usr/lib/udev/rules.d/60-mdevctl.rules"
grep -q '@[a-z]*@' "$root/usr/lib/udev/rules.d/60-mdevctl.rules" &&
	die "60-mdevctl.rules still has an unreplaced @variable@"

# The tests and /init, then the payload over everything.
mkdir -p "$root/e2e"
cp "$here"/guest/*.sh "$root/e2e/"
echo "OURS=$sbindir/mdevctl" >"$root/e2e/env"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init" "$root"/e2e/*.sh
cp -R "$payload/." "$root/"

# Shared libraries of every dynamically linked program, at the paths ldd names.
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
find "$root" -type f ! -name '*.ko' | while read -r f; do
	is_elf "$f" || continue
	ldd "$f" 2>/dev/null || true
done | sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' | sort -u |
	while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
if find "$root" -type f ! -name '*.ko' | while read -r f; do
	is_elf "$f" && ldd "$f" 2>/dev/null | grep -F 'not found'
done | grep -q .; then
	die "a payload program needs a library that is not installed on this host"
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
