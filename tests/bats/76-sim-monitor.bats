#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# mdevctl monitor on the simulated host: devices created and removed, parents unplugged and
# plugged, definitions added, changed and removed, as text and as JSON; filters, --once, the
# end on SIGINT, SIGTERM and a reader that has gone.
#
# FUSE cannot make the kernel send uevents, so the simulator runs with --uevents and plays
# udevd: it sends each event on udevd's netlink group in libudev's format
# (tests/sim/sim-uevent.h). The simulator and the monitor share a network namespace of the
# test's own, so that no other program on this machine hears those events, and the monitor
# runs in a mount namespace whose /run/udev/control exists, so that it takes udevd's events by
# itself, as on a host where udevd runs. The definitions are watched with inotify, as on any host.

load helpers
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"

setup() {
	sim_require
	command -v nsenter >/dev/null || skip "nsenter is not installed (Debian: util-linux)"
	unshare -n -m true 2>/dev/null || skip "cannot make network and mount namespaces (unshare)"
	ROOT=$BATS_TEST_TMPDIR/root
	unshare -n sleep 3600 </dev/null >/dev/null 2>&1 3>&- &
	NETNS_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(readlink "/proc/$NETNS_PID/ns/net")" = "$(readlink /proc/self/ns/net)" ] || break
		sleep 0.05
	done
	SIM_NETNS=/proc/$NETNS_PID/ns/net sim_start "$SIM_HOSTS/example.json" "$ROOT" --uevents
	use_root
	MON_OUT=$BATS_TEST_TMPDIR/monitor.out
	MON_ERR=$BATS_TEST_TMPDIR/monitor.err
	MON_PID=
}

teardown() {
	[ -z "$MON_PID" ] || kill -KILL "$MON_PID" 2>/dev/null || true
	sim_stop_all
	[ -z "${NETNS_PID:-}" ] || kill "$NETNS_PID" 2>/dev/null || true
}

# in_ns CMD...: CMD in the test's network namespace, in a mount namespace where udevd seems to
# run (/run/udev/control exists). Each program execs the next: started in the background, its
# process ID is CMD's.
IN_NS='mount -t tmpfs tmpfs /run && mkdir /run/udev && : >/run/udev/control && exec "$@"'
in_ns() {
	exec nsenter --net="/proc/$NETNS_PID/ns/net" unshare -m sh -c "$IN_NS" sh "$@"
}

# monitor_start ARGS...: mdevctl monitor ARGS in the background, once it listens
monitor_start() {
	MDEVCTL_LOG=debug nsenter --net="/proc/$NETNS_PID/ns/net" unshare -m sh -c "$IN_NS" sh \
		"$MDEVCTL" monitor "$@" >"$MON_OUT" 2>"$MON_ERR" 3>&- &
	MON_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q "Listening for device events" "$MON_ERR" && return 0
		kill -0 "$MON_PID" 2>/dev/null || fail "monitor ended: $(cat "$MON_ERR")"
		sleep 0.05
	done
	fail "the monitor does not listen: $(cat "$MON_ERR")"
}

# wait_lines N: until the monitor has printed N lines (10 s at most)
wait_lines() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(wc -l <"$MON_OUT")" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "the monitor printed $(wc -l <"$MON_OUT") lines, not $1: $(cat "$MON_OUT")"
}

# monitor_stop SIGNAL: send it, and the monitor must end with status 0
monitor_stop() {
	kill "-$1" "$MON_PID"
	local rc=0
	wait "$MON_PID" || rc=$?
	MON_PID=
	[ "$rc" -eq 0 ] || fail "the monitor ended with status $rc after SIG$1: $(cat "$MON_ERR")"
}

# step N CMD...: run CMD, then wait until the monitor has printed N lines in all
step() {
	local n=$1
	shift
	"$@" >/dev/null || fail "$* failed"
	wait_lines "$n"
}

ctl() { sim_ctl "$ROOT" "$@"; }

TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

@test "monitor: devices, definitions and parents as they happen, one text line each" {
	monitor_start
	step 1 "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	step 2 "$MDEVCTL" define -u "$U1" --auto
	step 3 "$MDEVCTL" modify -u "$U1" --manual
	step 4 "$MDEVCTL" stop -u "$U1"
	step 5 "$MDEVCTL" undefine -u "$U1"
	step 6 "$MDEVCTL" start -u "$U2" -p "$P_MTTY" -t "$T_MTTY1"
	# a synthetic event, as `echo change > uevent` makes the kernel send
	step 7 sim_write "$SYS/bus/mdev/devices/$U2/uevent" change
	# rmmod: the parent's devices go first, then the parent; modprobe brings it back
	step 9 ctl unplug "$P_MTTY"
	step 10 ctl plug "$P_MTTY"
	monitor_stop INT

	assert_equal "$(cut -d' ' -f2- "$MON_OUT")" "add device $U1 $P_MTTY $T_MTTY2
add definition $U1 $P_MTTY $T_MTTY2
change definition $U1 $P_MTTY $T_MTTY2
remove device $U1 $P_MTTY $T_MTTY2
remove definition $U1 $P_MTTY $T_MTTY2
add device $U2 $P_MTTY $T_MTTY1
change device $U2 $P_MTTY $T_MTTY1
remove device $U2 $P_MTTY $T_MTTY1
remove parent $P_MTTY
add parent $P_MTTY"
	local t
	for t in $(cut -d' ' -f1 "$MON_OUT"); do
		[[ $t =~ ^$TIME_RE$ ]] || fail "not a time: $t"
	done
	# the driver's bind and unbind events are not the device's
	grep -q "Ignoring bind event of /$DEVPATH_MTTY/$U2" "$MON_ERR" || fail "$(cat "$MON_ERR")"
}

@test "monitor --dumpjson: one JSON object per line, unknown members null" {
	monitor_start --dumpjson
	step 1 "$MDEVCTL" start -u "$U1" -p "$P_GVT" -t "$T_GVT8"
	step 2 "$MDEVCTL" define -u "$U1"
	step 4 ctl unplug "$P_GVT"
	monitor_stop TERM
	assert_equal "$(sed -E "s/\"time\":\"$TIME_RE\"/\"time\":\"T\"/" "$MON_OUT")" \
		"{\"event\":\"add\",\"what\":\"device\",\"uuid\":\"$U1\",\"parent\":\"$P_GVT\",\"mdev_type\":\"$T_GVT8\",\"time\":\"T\"}
{\"event\":\"add\",\"what\":\"definition\",\"uuid\":\"$U1\",\"parent\":\"$P_GVT\",\"mdev_type\":\"$T_GVT8\",\"time\":\"T\"}
{\"event\":\"remove\",\"what\":\"device\",\"uuid\":\"$U1\",\"parent\":\"$P_GVT\",\"mdev_type\":\"$T_GVT8\",\"time\":\"T\"}
{\"event\":\"remove\",\"what\":\"parent\",\"uuid\":null,\"parent\":\"$P_GVT\",\"mdev_type\":null,\"time\":\"T\"}"
	local line
	while IFS= read -r line; do
		printf '%s' "$line" >"$BATS_TEST_TMPDIR/line.json"
		assert_valid_json "$BATS_TEST_TMPDIR/line.json"
	done <"$MON_OUT"
}

@test "monitor --once: waits for the one event asked for, prints it and exits 0" {
	monitor_start --once -u "$U1" --what device --event add
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY2" # a definition: not asked for
	"$MDEVCTL" start -u "$U2" -p "$P_MTTY" -t "$T_MTTY2"  # another device
	sleep 0.3
	kill -0 "$MON_PID" || fail "the monitor ended early: $(cat "$MON_OUT" "$MON_ERR")"
	"$MDEVCTL" start -u "$U1"
	local rc=0
	wait "$MON_PID" || rc=$?
	MON_PID=
	assert_equal "$rc" 0
	assert_equal "$(cut -d' ' -f2- "$MON_OUT")" "add device $U1 $P_MTTY $T_MTTY2"
}

@test "monitor -p, --what, --event: only what is asked for" {
	monitor_start -p "$P_MTTY" --what definition --what parent --event remove
	"$MDEVCTL" define -u "$U1" -p "$P_AP" -t "$T_AP"
	"$MDEVCTL" define -u "$U2" -p "$P_MTTY" -t "$T_MTTY1"
	"$MDEVCTL" start -u "$U2"
	"$MDEVCTL" undefine -u "$U1"
	step 1 "$MDEVCTL" undefine -u "$U2"
	step 2 ctl unplug "$P_MTTY"
	monitor_stop INT
	assert_equal "$(cut -d' ' -f2- "$MON_OUT")" "remove definition $U2 $P_MTTY $T_MTTY1
remove parent $P_MTTY"
}

@test "monitor: definitions written by hand, in new parent directories, broken ones" {
	monitor_start
	# a shell's redirection: created, written, closed
	mkdir -p "$ETC/$P_MTTY"
	step 1 sh -c "printf '%s' '$(def_json "$T_MTTY1" manual)' >'$ETC/$P_MTTY/$U1'"
	# written again with the same content: no change
	sh -c "printf '%s' '$(def_json "$T_MTTY1" manual)' >'$ETC/$P_MTTY/$U1'"
	step 2 sh -c "printf '%s' '$(def_json "$T_MTTY2" manual)' >'$ETC/$P_MTTY/$U1'"
	# one that does not parse: a definition of unknown type
	step 3 sh -c "echo '{' >'$ETC/$P_MTTY/$U2'"
	# not definitions: dot-files, names that are no UUIDs, scripts.d
	echo x >"$ETC/$P_MTTY/.hidden"
	echo x >"$ETC/$P_MTTY/notauuid"
	echo x >"$ETC/scripts.d/callouts/$U3"
	# a parent directory that appears with a definition already in it
	mkdir -p "$BATS_TEST_TMPDIR/new"
	def_json "$T_AP" auto >"$BATS_TEST_TMPDIR/new/$U3"
	step 4 mv "$BATS_TEST_TMPDIR/new" "$ETC/$P_AP"
	step 5 rm "$ETC/$P_MTTY/$U2"
	# a parent directory moved away takes its definitions with it
	step 6 mv "$ETC/$P_AP" "$BATS_TEST_TMPDIR/gone"
	step 7 rm "$ETC/$P_MTTY/$U1"
	monitor_stop INT
	assert_equal "$(cut -d' ' -f2- "$MON_OUT")" "add definition $U1 $P_MTTY $T_MTTY1
change definition $U1 $P_MTTY $T_MTTY2
add definition $U2 $P_MTTY -
add definition $U3 $P_AP $T_AP
remove definition $U2 $P_MTTY -
remove definition $U3 $P_AP $T_AP
remove definition $U1 $P_MTTY $T_MTTY2"
}

@test "monitor --dumpjson: a parent directory whose name is not UTF-8 is printed as list --dumpjson prints it" {
	local odd
	odd=$(printf 'odd\377')
	monitor_start --dumpjson --what definition
	mkdir -p "$ETC/$odd"
	step 1 sh -c "printf '%s' '$(def_json "$T_MTTY1" manual)' >'$ETC/$odd/$U1'"
	monitor_stop TERM
	# the name's bytes, as mdevctl list -d --dumpjson writes them
	grep -aqF "\"parent\":\"$odd\",\"mdev_type\":\"$T_MTTY1\"" "$MON_OUT" || fail "$(cat -v "$MON_OUT")"
	"$MDEVCTL" list -d --dumpjson | grep -aqF "\"$odd\": [" || fail "list prints it otherwise"
}

@test "monitor: a reader that goes (EPIPE) ends it with status 0" {
	(in_ns bash -c '"$1" monitor --what device | head -n 1 >"$2"; echo "${PIPESTATUS[0]}" >"$2.rc"' \
		sh "$MDEVCTL" "$BATS_TEST_TMPDIR/first") </dev/null >/dev/null 2>&1 3>&- &
	local pid=$! i
	# no ready line to wait for here: start devices until the reader has its line
	for ((i = 0; i < 100; i++)); do
		[ -s "$BATS_TEST_TMPDIR/first" ] && break
		"$MDEVCTL" start -p "$P_MTTY" -t "$T_MTTY1" >/dev/null
		sleep 0.1
	done
	# one more event for the monitor to write into the closed pipe
	"$MDEVCTL" start -p "$P_MTTY" -t "$T_MTTY1" >/dev/null
	wait "$pid"
	grep -Eq "^$TIME_RE add device $UUID_RE $P_MTTY $T_MTTY1\$" "$BATS_TEST_TMPDIR/first" ||
		fail "$(cat "$BATS_TEST_TMPDIR/first")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/first.rc")" 0
}

@test "monitor --kernel: the simulator cannot speak for the kernel; --udev hears it" {
	# a second monitor, on udevd's events, tells when the event has been sent
	(MDEVCTL_LOG=debug in_ns "$MDEVCTL" monitor --kernel --what device) \
		>"$BATS_TEST_TMPDIR/kernel.out" 2>"$BATS_TEST_TMPDIR/kernel.err" 3>&- &
	local kpid=$!
	monitor_start --udev --what device
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q "Listening for device events" "$BATS_TEST_TMPDIR/kernel.err" && break
		sleep 0.05
	done
	grep -q "Device events from the kernel" "$BATS_TEST_TMPDIR/kernel.err" ||
		fail "$(cat "$BATS_TEST_TMPDIR/kernel.err")"
	step 1 "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	sleep 0.2
	kill -INT "$kpid"
	wait "$kpid"
	monitor_stop INT
	assert_equal "$(cut -d' ' -f2- "$MON_OUT")" "add device $U1 $P_MTTY $T_MTTY2"
	assert_empty_file "$BATS_TEST_TMPDIR/kernel.out"
}

@test "monitor: usage errors" {
	run --separate-stderr "$MDEVCTL" monitor --what devices
	assert_usage_error
	[[ $stderr == *"invalid value 'devices' for '--what <KIND>': one of device, parent or definition"* ]] ||
		fail "$stderr"
	run --separate-stderr "$MDEVCTL" monitor --event added
	assert_usage_error
	run --separate-stderr "$MDEVCTL" monitor --kernel --udev
	assert_usage_error
	run --separate-stderr "$MDEVCTL" monitor -u not-a-uuid
	assert_usage_error
	run --separate-stderr "$MDEVCTL" monitor extra
	assert_usage_error
}
