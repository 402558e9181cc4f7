#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh BUILDDIR
#
# libvirt's node-device driver driving this mdevctl, end to end: installs BUILDDIR's build into
# a staging directory (make install DESTDIR=), then, in a private mount namespace,
#   - lays the staged /usr over the system's (a read-only overlay), so the installed mdevctl,
#     its callout and notifier directories and everything else sit where a package puts them;
#   - puts a temporary directory over /etc/mdevctl.d (libvirt watches that fixed path) and a
#     writable overlay over /run (libvirtd's runtime files never reach the host);
#   - starts Debian's libvirtd with only the node-device driver (LIBVIRT_DRIVER_DIR), on its own
#     socket, with a recorder named mdevctl first on its PATH (mdevctl-recorder: it logs argv and
#     stdin, then runs the installed mdevctl with the same arguments and the same kind of stdin);
# and runs libvirt.bats against it with virsh. Afterwards it prints what libvirt sent, call by
# call (runs of identical calls counted), and on failure the daemon's errors.
# Needs root, unshare, overlayfs, bats, python3, jq and libvirt-daemon + libvirt-clients (9.0 on
# Debian 12; tools/deps.sh test installs them).
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != --inside ]; then
	[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
	[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (mount namespace, libvirtd)" >&2; exit 1; }
	for c in unshare libvirtd virsh bats python3 jq; do
		command -v "$c" >/dev/null || PATH=$PATH:/usr/sbin:/sbin command -v "$c" >/dev/null ||
			{ echo "run.sh: $c is missing (sh tools/deps.sh test installs it)" >&2; exit 1; }
	done
	build=$(cd "$1" && pwd)
	work=$(mktemp -d "${TMPDIR:-/tmp}/mdevctl-libvirt.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	make -s -C "$build" install DESTDIR="$work/inst" >"$work/install.log" 2>&1 ||
		{ cat "$work/install.log"; exit 1; }
	rc=0
	unshare -m --propagation private sh "$0" --inside "$work" || rc=$?
	echo "=== what libvirt sent (argv and stdin, in order; repeated calls counted)"
	[ -f "$work/calls.log" ] && uniq -c "$work/calls.log" | sed 's/^ *\([0-9]*\) /\1x /'
	if [ $rc -ne 0 ]; then
		echo "=== libvirtd's errors and warnings"
		grep -E ' (error|warning) : ' "$work/libvirtd.log" 2>/dev/null | tail -40 || true
	fi
	exit $rc
fi

# --- inside the private mount namespace -----------------------------------------------------
work=$2
inst=$work/inst

# The installed mdevctl: where the package's Makefile put it, seen through the /usr overlay.
staged=$(find "$inst" -path '*/sbin/mdevctl' -type f | head -n1)
[ -n "$staged" ] || { echo "run.sh: no sbin/mdevctl under $inst" >&2; exit 1; }
installed=${staged#"$inst"}
case $installed in
/usr/*) ;;
*) echo "run.sh: $installed is not under /usr; configure with a /usr prefix" >&2; exit 1 ;;
esac

mkdir -p "$work/etc" "$work/run-upper" "$work/run-work" "$work/sock" "$work/drivers" "$work/bin"
# /etc/mdevctl.d as the package creates it (scripts.d/callouts and notifiers), then bound over
# the system's; libvirt watches /etc/mdevctl.d only if it exists when the daemon starts.
# (under the build's sysconfdir: /etc for a distribution's build, PREFIX/etc otherwise; mdevctl
# itself always reads /etc/mdevctl.d)
etcdir=$(find "$inst" -type d -path '*/etc/mdevctl.d' | head -n1)
[ -n "$etcdir" ] || { echo "run.sh: no etc/mdevctl.d under $inst" >&2; exit 1; }
cp -a "$etcdir/." "$work/etc/"
if [ ! -d /etc/mdevctl.d ]; then
	mkdir -p "$work/etc-upper" "$work/etc-work"
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc
	mkdir /etc/mdevctl.d
fi
mount --bind "$work/etc" /etc/mdevctl.d
mount -t overlay overlay -o "ro,lowerdir=$inst/usr:/usr" /usr
mount -t overlay overlay -o "lowerdir=/run,upperdir=$work/run-upper,workdir=$work/run-work" /run

driver=
for d in /usr/lib/*/libvirt/connection-driver /usr/lib64/libvirt/connection-driver \
	/usr/lib/libvirt/connection-driver; do
	[ -f "$d/libvirt_driver_nodedev.so" ] && driver=$d/libvirt_driver_nodedev.so && break
done
[ -n "$driver" ] || { echo "run.sh: libvirt_driver_nodedev.so not found" >&2; exit 1; }
ln -s "$driver" "$work/drivers/"
ln -s "$here/mdevctl-recorder" "$work/bin/mdevctl"

cat >"$work/libvirtd.conf" <<EOF
unix_sock_dir = "$work/sock"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_filters = "1:node_device 1:util.command 3:*"
log_outputs = "1:file:$work/libvirtd.log"
EOF

# The environment of a daemon under systemd (its default PATH), with the recorder first.
env -i PATH="$work/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" LANG=C \
	HOME=/root MDEVCTL_RECORD="$work/calls.log" \
	LIBVIRT_DRIVER_DIR="$work/drivers" \
	/usr/sbin/libvirtd --config "$work/libvirtd.conf" --pid-file "$work/libvirtd.pid" \
	>"$work/libvirtd.out" 2>&1 &
daemon=$!
stop_daemon() {
	kill "$daemon" 2>/dev/null || true
	wait "$daemon" 2>/dev/null || true
}
trap stop_daemon EXIT

export LIBVIRT_DEFAULT_URI="nodedev:///system?socket=$work/sock/libvirt-sock"
export LV_WORK=$work LV_RECORD=$work/calls.log LV_LOG=$work/libvirtd.log LV_DAEMON=$daemon
export LV_INSTALLED=$installed LV_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
bats --tap "$here/libvirt.bats"
