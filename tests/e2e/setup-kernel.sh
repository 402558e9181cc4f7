#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# setup-kernel.sh CACHE
#
# Prepares everything the real-kernel end-to-end tests boot: Debian's own kernel (the one
# linux-image-amd64 resolves to), its vfio and mdev modules, the 9p/virtio modules for the
# state share, and the kernel's sample mdev drivers mtty, mdpy and mbochs built out of tree
# from linux-source-<major.minor> pinned to the image's exact Debian version, against the
# matching linux-headers-<abi>.
#
# Installs the host packages it needs with apt-get (through sudo when not root), downloads the
# image and source .debs with `apt-get download` into CACHE/debs, extracts only the paths it
# needs and deletes the .debs again (E2E_KEEP_DEBS=1 keeps them). Results:
#   CACHE/vmlinuz                    the kernel
#   CACHE/modules/<kver>/...         modules, laid out like /lib/modules (samples in extra/)
#   CACHE/stamp                      kver=... and version=..., written last
# Idempotent: with a complete CACHE and the host tools installed it does nothing.
set -eu

usage() { echo "usage: $0 CACHE" >&2; exit 2; }
[ $# -eq 1 ] || usage
log() { echo "setup-kernel: $*" >&2; }
die() { echo "setup-kernel: error: $*" >&2; exit 1; }

mkdir -p "$1"
cache=$(cd "$1" && pwd)
stamp=$cache/stamp

# Host tools every run needs (the modules build needs more, see below).
host_ok() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 &&
		command -v cpio >/dev/null 2>&1 &&
		[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx depmod &&
		! ldd /bin/busybox >/dev/null 2>&1 # static: it goes into the initramfs as is
}

cache_ok() {
	[ -f "$stamp" ] || return 1
	kver=$(sed -n 's/^kver=//p' "$stamp")
	[ -n "$kver" ] && [ -s "$cache/vmlinuz" ] || return 1
	for m in mtty mdpy mbochs; do
		[ -f "$cache/modules/$kver/extra/$m.ko" ] || return 1
	done
	[ -f "$cache/modules/$kver/kernel/drivers/vfio/mdev/mdev.ko" ]
}

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
apt_get() {
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -q -y -o Dpkg::Use-Pty=0 "$@" </dev/null
}
updated=
apt_update() {
	[ -n "$updated" ] && return 0
	log "apt-get update"
	apt_get update >/dev/null
	updated=1
}
install_pkgs() {
	apt_update
	log "installing $*"
	apt_get install --no-install-recommends "$@" >/dev/null
}

if cache_ok; then
	host_ok && exit 0
	# The cache was restored on a fresh machine: only the host tools are missing.
	install_pkgs qemu-system-x86 busybox-static cpio
	host_ok || die "qemu-system-x86_64, cpio or a static /bin/busybox with depmod still missing"
	exit 0
fi

start=$(date +%s)
apt_update

# The kernel ABI that linux-image-amd64 currently resolves to, and its exact Debian version.
img=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
[ -n "$img" ] || die "cannot resolve linux-image-amd64 to a linux-image-<abi>-amd64 package"
kver=${img#linux-image-}
version=$(apt-cache policy "$img" | sed -n 's/^ *Candidate: //p')
[ -n "$version" ] && [ "$version" != "(none)" ] || die "no candidate version for $img"
series=$(echo "$kver" | cut -d. -f1,2)
log "kernel $kver, Debian version $version (linux-source-$series)"

install_pkgs qemu-system-x86 busybox-static cpio xz-utils make gcc libc6-dev \
	"linux-headers-$kver=$version"
host_ok || die "qemu-system-x86_64, cpio or a static /bin/busybox with depmod still missing"
hdr=/usr/src/linux-headers-$kver
[ -f "$hdr/Makefile" ] || die "$hdr is missing after installing linux-headers-$kver"

debs=$cache/debs
mkdir -p "$debs"
tmp=$cache/tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

srcpkg=linux-source-$series
vfile=$(echo "$version" | sed 's/:/%3a/')
imgdeb=$debs/${img}_${vfile}_amd64.deb
srcdeb=$debs/${srcpkg}_${vfile}_all.deb
if [ ! -f "$imgdeb" ] || [ ! -f "$srcdeb" ]; then
	log "apt-get download $img=$version $srcpkg=$version"
	(cd "$debs" && apt-get -q -o APT::Sandbox::User=root download \
		"$img=$version" "$srcpkg=$version" </dev/null >/dev/null)
fi
[ -f "$imgdeb" ] && [ -f "$srcdeb" ] || die "apt-get download did not leave $imgdeb and $srcdeb"

# Only the kernel and the module directories the tests load; the whole image is 400 MB.
log "extracting vmlinuz and modules from $(basename "$imgdeb")"
kmod=./lib/modules/$kver
dpkg-deb --fsys-tarfile "$imgdeb" | tar -x -C "$tmp" \
	"./boot/vmlinuz-$kver" "$kmod/modules.builtin" "$kmod/modules.order" \
	"$kmod/kernel/drivers/vfio" "$kmod/kernel/drivers/virtio" "$kmod/kernel/net/9p" \
	"$kmod/kernel/fs/9p" "$kmod/kernel/fs/netfs" "$kmod/kernel/fs/fscache"
# modinfo field of a .ko, without kmod (not installed on every host).
modinfo_field() {
	objcopy -O binary --only-section=.modinfo "$2" /dev/stdout 2>/dev/null |
		tr '\0' '\n' | sed -n "s/^$1=//p"
}
# The modules the guest loads, with everything they depend on; the rest of what was extracted
# (9pnet_rdma, vfio-pci, ...) is dropped, and a dependency outside the extracted set is an error.
find_ko() { find "$tmp/$kmod" -name "$1.ko" | head -1; }
need="vfio mdev virtio_pci 9pnet_virtio 9p"
closure=
while [ -n "$need" ]; do
	set -- $need
	need=
	for m in "$@"; do
		m=$(echo "$m" | tr - _)
		case " $closure " in *" $m "*) continue ;; esac
		ko=$(find_ko "$m")
		[ -n "$ko" ] || ko=$(find_ko "$(echo "$m" | tr _ -)")
		[ -n "$ko" ] || die "module $m is needed but not among the extracted ones"
		closure="$closure $m"
		need="$need $(modinfo_field depends "$ko" | tr ',' ' ')"
	done
done
find "$tmp/$kmod" -name '*.ko' | while read -r ko; do
	m=$(basename "$ko" .ko | tr - _)
	case " $closure " in *" $m "*) ;; *) rm -f "$ko" ;; esac
done
log "kernel modules:$closure"

# The sample drivers' sources: four files out of the 139 MB source tarball. --occurrence lets
# tar stop as soon as it has them (dpkg-deb then dies of SIGPIPE: its complaint is silenced and
# the files are checked instead).
log "extracting samples/vfio-mdev from $(basename "$srcdeb")"
s=linux-source-$series/samples/vfio-mdev
dpkg-deb --fsys-tarfile "$srcdeb" 2>/dev/null | tar -xO "./usr/src/linux-source-$series.tar.xz" |
	xz -dc | tar -x -C "$tmp" --occurrence "$s/mtty.c" "$s/mdpy.c" "$s/mdpy-defs.h" "$s/mbochs.c"
for f in mtty.c mdpy.c mdpy-defs.h mbochs.c; do
	[ -f "$tmp/$s/$f" ] || die "$s/$f not found in $(basename "$srcdeb")"
done

log "building mtty, mdpy and mbochs against $hdr"
b=$tmp/build
mkdir -p "$b"
cp "$tmp/$s/mtty.c" "$tmp/$s/mdpy.c" "$tmp/$s/mdpy-defs.h" "$tmp/$s/mbochs.c" "$b/"
echo 'obj-m := mtty.o mdpy.o mbochs.o' >"$b/Kbuild"
make -s -C "$hdr" M="$b" -j"$(nproc)" modules >"$tmp/build.log" 2>&1 || {
	cat "$tmp/build.log" >&2
	die "building the sample modules failed"
}
mkdir -p "$tmp/$kmod/extra"
for m in mtty mdpy mbochs; do
	vm=$(modinfo_field vermagic "$b/$m.ko")
	case "$vm" in
	"$kver "*) ;;
	*) die "$m.ko has vermagic '$vm', not $kver" ;;
	esac
	cp "$b/$m.ko" "$tmp/$kmod/extra/"
done

# Move the results into place; the stamp goes last.
rm -f "$stamp"
rm -rf "$cache/modules" "$cache/vmlinuz"
mkdir -p "$cache/modules"
mv "$tmp/$kmod" "$cache/modules/$kver"
mv "$tmp/boot/vmlinuz-$kver" "$cache/vmlinuz"
[ "${E2E_KEEP_DEBS:-0}" = 1 ] || rm -rf "$debs"
printf 'kver=%s\nversion=%s\n' "$kver" "$version" >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
log "done in $(($(date +%s) - start)) s: $cache/vmlinuz, $cache/modules/$kver"
