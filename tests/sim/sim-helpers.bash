# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for bats tests that run against the simulated mdev host (tests/sim/mdev-sim, a FUSE
# file system that behaves like the /sys of a Linux 6.1 host with mdev parents).
#
#   bats_load_library bats-support   # found through BATS_LIB_PATH (default /usr/lib/bats)
#   bats_load_library bats-assert
#   load "$BATS_TEST_DIRNAME/../sim/sim-helpers"     # from tests/bats; "sim-helpers" from here
#
#   setup()    { sim_require; ROOT=$BATS_TEST_TMPDIR/root; sim_start "$SIM_HOSTS/example.json" "$ROOT"; }
#   teardown() { sim_stop_all; }
#
# Environment: MDEV_SIM (the simulator binary; default: the build tree next to this checkout),
# MDEVCTL_UPSTREAM (Debian's mdevctl, default /usr/bin/mdevctl).

SIM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIM_HOSTS=$SIM_DIR/hosts
: "${MDEV_SIM:=$SIM_DIR/../../build/tests/sim/mdev-sim}"
: "${MDEVCTL_UPSTREAM:=/usr/bin/mdevctl}"

# sim_unavailable: print why a FUSE mount of the simulator cannot be made here and succeed, or
# fail (print nothing) when it can. For setup_file, where bats 1.8 cannot skip.
sim_unavailable() {
	if [ ! -x "$MDEV_SIM" ]; then
		echo "mdev-sim is not built ($MDEV_SIM; configure builds it where libfuse3 is found)"
	elif [ ! -c /dev/fuse ]; then
		echo "no /dev/fuse"
	elif ! command -v fusermount3 >/dev/null; then
		echo "fusermount3 is not installed (Debian: fuse3)"
	elif [ "$(id -u)" != 0 ]; then
		echo "mounting the simulated /sys needs root"
	else
		return 1
	fi
}

# sim_require: skip the test, saying why, where a FUSE mount cannot be made
sim_require() {
	local why
	if why=$(sim_unavailable); then
		skip "$why"
	fi
}

# _sim_mounted DIR: DIR is a mount point now (also when its daemon died and stat(2) fails)
_sim_mounted() {
	awk -v d="$1" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# sim_start HOSTFILE ROOT [OPTION...]: mount the host described by HOSTFILE at ROOT/sys and
# create the directories mdevctl insists on under ROOT/etc and ROOT/usr/lib; the options go to
# mdev-sim (--uevents). With SIM_NETNS set (a /proc/PID/ns/net), the simulator runs in that
# network namespace, where its --uevents go. Returns once the mount is ready; sim_stop_all (in
# teardown) unmounts it.
sim_start() {
	local host=$1 root=$2
	local -a pre=()
	shift 2
	[ -z "${SIM_NETNS:-}" ] || pre=(nsenter --net="$SIM_NETNS")
	mkdir -p "$root/sys" \
		"$root/etc/mdevctl.d/scripts.d/callouts" "$root/etc/mdevctl.d/scripts.d/notifiers" \
		"$root/usr/lib/mdevctl/scripts.d/callouts" "$root/usr/lib/mdevctl/scripts.d/notifiers" \
		"$root${MDEVCTL_TEST_SCRIPTDIR:-/usr/lib/mdevctl/scripts.d}/callouts" \
		"$root${MDEVCTL_TEST_SCRIPTDIR:-/usr/lib/mdevctl/scripts.d}/notifiers" ||
		return 1
	root=$(cd "$root" && pwd) || return 1
	# the daemon must not hold bats's fd 3, or bats waits for it forever
	"${pre[@]}" "$MDEV_SIM" "$@" --host "$host" "$root/sys" 3>&- || return 1
	if [ -n "${BATS_TEST_TMPDIR:-}" ]; then
		echo "$root" >>"$BATS_TEST_TMPDIR/.sim-roots"
	fi
}

# sim_stop ROOT: unmount ROOT/sys (the daemon then exits). Fails, after unmounting anyway, when
# the simulator had died: a crash must not pass unnoticed.
sim_stop() {
	local sys i crashed=0
	sys=$(cd "$1" 2>/dev/null && pwd)/sys || return 0
	_sim_mounted "$sys" || return 0
	if ! stat "$sys/mdev-sim/state" >/dev/null 2>&1; then
		crashed=1
	fi
	for i in 1 2 3 4 5 6 7 8 9 10; do
		fusermount3 -u "$sys" 2>/dev/null || umount "$sys" 2>/dev/null || true
		_sim_mounted "$sys" || break
		sleep 0.2
	done
	if _sim_mounted "$sys"; then
		umount -l "$sys" 2>/dev/null || true
	fi
	if [ $crashed = 1 ]; then
		echo "mdev-sim at $sys was not answering (crashed?)" >&2
		return 1
	fi
	! _sim_mounted "$sys"
}

# sim_stop_all: sim_stop every ROOT that sim_start mounted in this test
sim_stop_all() {
	local root rc=0
	[ -f "${BATS_TEST_TMPDIR:-/nonexistent}/.sim-roots" ] || return 0
	while IFS= read -r root; do
		sim_stop "$root" || rc=1
	done <"$BATS_TEST_TMPDIR/.sim-roots"
	rm -f "$BATS_TEST_TMPDIR/.sim-roots"
	return $rc
}

# sim_ctl ROOT COMMAND...: one command to ROOT/sys/mdev-sim/control, in one write(2)
sim_ctl() {
	local root=$1
	shift
	printf '%s\n' "$*" >"$root/sys/mdev-sim/control"
}

# sim_state ROOT: the simulator's JSON dump of devices, pools and pending faults
sim_state() {
	cat "$1/sys/mdev-sim/state"
}

# sim_write PATH DATA: one write(2) of DATA (no newline added) to PATH, opened write-only;
# prints OK or the errno name (EEXIST...) and fails unless OK
sim_write() {
	python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
except OSError as e:
    print(errno.errorcode[e.errno])
    sys.exit(1)
print("OK")' "$1" "$2"
}

# sim_read PATH: the contents of PATH, or the errno name when open or read fails (status 1)
sim_read() {
	python3 -c '
import errno, os, sys
try:
    with open(sys.argv[1], "rb") as f:
        sys.stdout.buffer.write(f.read())
except OSError as e:
    print(errno.errorcode[e.errno])
    sys.exit(1)' "$1"
}

# sim_upstream_mdevctl ROOT ARGS...: Debian's mdevctl, which cannot be rerooted, in a private
# mount namespace with ROOT/sys over /sys and ROOT/etc/mdevctl.d over /etc/mdevctl.d
sim_upstream_mdevctl() {
	local root=$1
	shift
	unshare -m sh -c 'mount --bind "$1/sys" /sys && mount --bind "$1/etc/mdevctl.d" /etc/mdevctl.d &&
		shift && exec "$0" "$@"' "$MDEVCTL_UPSTREAM" "$root" "$@"
}

# sim_require_upstream: skip unless Debian's mdevctl can be run by sim_upstream_mdevctl
sim_require_upstream() {
	[ -x "$MDEVCTL_UPSTREAM" ] || skip "no upstream mdevctl at $MDEVCTL_UPSTREAM (Debian: mdevctl)"
	[ -d /etc/mdevctl.d ] || skip "/etc/mdevctl.d does not exist to be mounted over"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace (unshare -m)"
}
