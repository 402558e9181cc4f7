# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh disable=SC2034 # DEB and others are for the scripts that source this
# lib.sh: helpers sourced by the guest-side test scripts (boot1.sh, boot2.sh).
#
# Output is TAP-like: "ok N - name" / "not ok N - name", details as "# ..." lines. A failure
# makes the boot script exit non-zero (see tap_done).
#
# mc ARGS...      runs "$M" ARGS (M: the mdevctl under test), keeps stdout in $W/out, stderr in
#                 $W/err, the status in $RC. With IMPL=deb (Debian's 1.2.0) one trailing newline
#                 is dropped from successful list/types output, the one known difference. When
#                 $T is set, every call is also recorded there as a numbered step $T/NNN:
#                 command, status, stdout, stderr and, for commands that change something,
#                 the resulting kernel and definition state; compare_transcripts in boot1.sh
#                 compares them.
# expect_ok NAME [LINE...]      status 0, stdout = the lines (none: empty), stderr empty
# expect_json NAME TEXT         status 0, stdout = TEXT exactly (no final newline), stderr empty
# expect_err NAME MESSAGE       status 1, stdout empty, stderr = MESSAGE and a newline
# check NAME CMD...             ok when CMD succeeds
# Assertions are only counted for IMPL=ours; for the reference they do nothing (the
# transcript comparison covers it). They always return 0, so that the scripts can run with
# set -e and still go on after a failed check.

OURS=/usr/sbin/mdevctl
DEB=/usr/bin/mdevctl
# shellcheck disable=SC1091 # written by mkinitramfs.sh: where the payload put our binary
[ ! -f /e2e/env ] || . /e2e/env
M=$OURS
IMPL=ours
T=
W=/tmp/w
mkdir -p "$W"
tap_n=0
tap_failed=0
step=0
RC=0
LAST=

diag() { sed 's/^/# /'; }
stamp() { echo "# [$(cut -d ' ' -f 1 /proc/uptime) s] $*"; }
note() { echo "# $*"; }
tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}
tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}
tap_todo() { # a known or reported difference that does not fail the run
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n - $* # TODO"
}
tap_done() {
	echo "1..$tap_n"
	if [ "$tap_failed" -ne 0 ]; then
		echo "# $tap_failed of $tap_n checks failed"
		return 1
	fi
	echo "# all $tap_n checks passed"
	return 0
}

# Drop one trailing newline from FILE (Debian 1.2.0 ends list/types output with an extra one).
strip_one_nl() {
	sz=$(wc -c <"$1")
	[ "$sz" -gt 0 ] || return 0
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || return 0
	head -c $((sz - 1)) "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# Kernel and definition state, one line per device ("dev PARENT UUID TYPE") and per definition
# file (its newlines shown as |, so that a trailing newline is visible), by parent and UUID.
state() {
	# two ls and one awk for all devices: per-device subshells are slow under TCG
	{
		ls -l "$DEVS/" 2>/dev/null
		ls -l "$DEVS"/*/mdev_type 2>/dev/null
	} | awk '$(NF - 1) == "->" {
		n = split($(NF - 2), a, "/"); m = split($NF, b, "/")
		if (a[n] == "mdev_type") type[a[n - 1]] = b[m]
		else { parent[a[n]] = b[m - 1]; ids[++k] = a[n] }
	}
	END { for (i = 1; i <= k; i++) print "dev " parent[ids[i]] " " ids[i] " " type[ids[i]] }' |
		LC_ALL=C sort
	for f in /etc/mdevctl.d/*/*; do
		case $f in /etc/mdevctl.d/scripts.d/*) continue ;; esac
		[ -f "$f" ] || continue
		printf 'def %s ' "${f#/etc/mdevctl.d/}"
		tr '\n' '|' <"$f"
		echo
	done
	return 0
}

mc() {
	LAST="mdevctl $*"
	RC=0
	"$M" "$@" >"$W/out" 2>"$W/err" || RC=$?
	if [ "$IMPL" = deb ] && [ "$RC" -eq 0 ]; then
		case $1 in list | types) strip_one_nl "$W/out" ;; esac
	fi
	if [ -n "$T" ]; then
		step=$((step + 1))
		case $step in
		?) f=$T/00$step ;;
		??) f=$T/0$step ;;
		*) f=$T/$step ;;
		esac
		{
			echo "\$ mdevctl $*"
			echo "status $RC"
			echo "--- stdout"
			cat "$W/out"
			echo "<<<"
			echo "--- stderr"
			# env_logger-style time stamps differ from run to run
			[ ! -s "$W/err" ] || sed 's/^\[[0-9][0-9T:.-]*Z /[TIME /' "$W/err"
			echo "<<<"
			case $1 in
			list | types) ;;
			*)
				echo "--- state"
				state
				;;
			esac
		} >"$f"
	fi
	return 0
}

# Remember a generated UUID under a placeholder name for the transcript comparison.
gen_uuid() { # NAME UUID
	[ -z "$T" ] || echo "s/$2/<$1>/g" >>"$T/subst.sed"
}

verdict() { # NAME WANT_RC [STDERR_LINE]; expected stdout in $W/want
	[ "$IMPL" = ours ] || return 0
	if [ $# -ge 3 ]; then printf '%s\n' "$3" >"$W/want_err"; else : >"$W/want_err"; fi
	if [ "$RC" -eq "$2" ] && cmp -s "$W/out" "$W/want" && cmp -s "$W/err" "$W/want_err"; then
		tap_ok "$1"
		return 0
	fi
	tap_not_ok "$1"
	{
		echo "\$ $LAST"
		echo "status: got $RC, want $2"
		cmp -s "$W/out" "$W/want" || { echo "stdout (- want, + got):"; diff -u "$W/want" "$W/out" | tail -n +3; }
		cmp -s "$W/err" "$W/want_err" || { echo "stderr (- want, + got):"; diff -u "$W/want_err" "$W/err" | tail -n +3; }
	} | diag
	return 0
}
expect_ok() {
	name=$1
	shift
	if [ $# -gt 0 ]; then printf '%s\n' "$@" >"$W/want"; else : >"$W/want"; fi
	verdict "$name" 0
}
expect_json() {
	printf '%s' "$2" >"$W/want"
	verdict "$1" 0
}
expect_err() {
	: >"$W/want"
	verdict "$1" 1 "$2"
}
check() {
	[ "$IMPL" = ours ] || return 0
	name=$1
	shift
	if "$@" >"$W/check" 2>&1; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
		diag <"$W/check"
	fi
	return 0
}

# --- kernel side -----------------------------------------------------------------------------

BUS=/sys/class/mdev_bus
DEVS=/sys/bus/mdev/devices

load_modules() { # MODULE...
	for m in "$@"; do
		modprobe "$m" || { tap_not_ok "modprobe $m"; return 1; }
	done
}

# UUID PARENT TYPE: the kernel has the device, on that parent, of that type.
dev_is() {
	[ -e "$DEVS/$1" ] || { echo "no $DEVS/$1"; return 1; }
	p=$(readlink "$DEVS/$1")
	p=${p%/*}
	p=${p##*/}
	t=$(readlink "$DEVS/$1/mdev_type")
	t=${t##*/}
	[ "$p $t" = "$2 $3" ] || { echo "$1 is $p $t, want $2 $3"; return 1; }
}
dev_absent() { [ ! -e "$DEVS/$1" ] || { echo "$DEVS/$1 exists"; return 1; }; }
avail_is() { # PARENT TYPE N
	read -r a <"$BUS/$1/mdev_supported_types/$2/available_instances"
	[ "$a" = "$3" ] || { echo "$1/$2 available_instances is $a, want $3"; return 1; }
}
is_uuid() { echo "$1" | grep -qx '[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'; }

# Remove every mdev through sysfs, and every definition.
reset_all() {
	for d in "$DEVS"/*; do
		[ -e "$d/remove" ] && echo 1 >"$d/remove"
	done
	for d in /etc/mdevctl.d/*; do
		[ "$d" = /etc/mdevctl.d/scripts.d ] || rm -rf "$d"
	done
	mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
}

# A type directory's files (one line each for the sample drivers) into $ai $api $name $desc.
read_type() {
	ai='' api='' name='' desc=''
	read -r ai <"$1/available_instances" || true
	read -r api <"$1/device_api" || true
	[ ! -f "$1/name" ] || read -r name <"$1/name" || true
	[ ! -f "$1/description" ] || read -r desc <"$1/description" || true
}

# What `mdevctl types [-p PARENT]` must print, read from sysfs the way the kernel shows it.
sysfs_types() {
	for p in $(ls "$BUS" | LC_ALL=C sort); do
		[ -z "${1:-}" ] || [ "$p" = "$1" ] || continue
		echo "$p"
		for t in $(ls "$BUS/$p/mdev_supported_types" | LC_ALL=C sort); do
			d=$BUS/$p/mdev_supported_types/$t
			read_type "$d"
			echo "  $t"
			echo "    Available instances: $ai"
			echo "    Device API: $api"
			[ -z "$name" ] || echo "    Name: $name"
			[ -z "$desc" ] || echo "    Description: $desc"
		done
	done
}

# What `mdevctl types [-p PARENT] --dumpjson` must print.
sysfs_types_json() {
	first_p=1
	printf '[\n  {'
	for p in $(ls "$BUS" | LC_ALL=C sort); do
		[ -z "${1:-}" ] || [ "$p" = "$1" ] || continue
		[ $first_p = 1 ] || printf ','
		first_p=0
		printf '\n    "%s": [' "$p"
		first_t=1
		for t in $(ls "$BUS/$p/mdev_supported_types" | LC_ALL=C sort); do
			read_type "$BUS/$p/mdev_supported_types/$t"
			[ $first_t = 1 ] || printf ','
			first_t=0
			printf '\n      {\n        "%s": {\n          "available_instances": %s,\n          "device_api": "%s"' \
				"$t" "$ai" "$api"
			[ -z "$name" ] || printf ',\n          "name": "%s"' "$name"
			[ -z "$desc" ] || printf ',\n          "description": "%s"' "$desc"
			printf '\n        }\n      }'
		done
		printf '\n    ]'
	done
	if [ $first_p = 1 ]; then printf '[]'; else printf '\n  }\n]'; fi
}

# stdin: "PARENT UUID TYPE START" lines sorted by parent and UUID; stdout: the JSON that
# `mdevctl list --dumpjson` prints for them (no attributes).
list_json() {
	awk 'BEGIN { n = 0 } { p[n] = $1; u[n] = $2; t[n] = $3; s[n] = $4; n++ }
	END {
		if (n == 0) { printf "[]"; exit }
		printf "[\n  {\n"
		for (i = 0; i < n; i++) {
			if (i == 0 || p[i] != p[i - 1]) {
				if (i > 0) printf "\n    ],\n"
				printf "    \"%s\": [\n", p[i]
			} else printf ",\n"
			printf "      {\n        \"%s\": {\n          \"mdev_type\": \"%s\",\n", u[i], t[i]
			printf "          \"start\": \"%s\",\n          \"attrs\": []\n        }\n      }", s[i]
		}
		printf "\n    ]\n  }\n]"
	}'
}

# A definition file / single-device JSON with no attributes.
def_json() { printf '{\n  "mdev_type": "%s",\n  "start": "%s",\n  "attrs": []\n}' "$1" "$2"; }
def_is() { # PARENT UUID TYPE START
	f=/etc/mdevctl.d/$1/$2
	[ -f "$f" ] || { echo "no $f"; return 1; }
	def_json "$3" "$4" >"$W/def_want"
	cmp -s "$f" "$W/def_want" || {
		echo "$f differs (- want, + got):"
		diff -u "$W/def_want" "$f" | tail -n +3
		return 1
	}
}

# --- mdevctl monitor (boots 1 and 2) -----------------------------------------------------------

MON=/tmp/monitor
MON_PID=
# Our monitor in the background (ARGS: its options), once it listens (10 s at most).
mon_start() { # ARGS...
	MDEVCTL_LOG=debug "$OURS" monitor "$@" >$MON.out 2>$MON.err &
	MON_PID=$!
	i=0
	while ! grep -q "Listening for device events" $MON.err; do
		i=$((i + 1))
		kill -0 "$MON_PID" 2>/dev/null && [ $i -lt 100 ] || { echo "not listening:"; cat $MON.err; return 1; }
		sleep 0.1
	done
}
# Until the monitor has printed N lines (SECONDS, default 20, at most).
mon_wait() { # N [SECONDS]
	end=$(($(date +%s) + ${2:-20}))
	while [ "$(wc -l <$MON.out)" -lt "$1" ]; do
		[ "$(date +%s)" -lt "$end" ] || { echo "$(wc -l <$MON.out) lines, want $1:"; cat $MON.out $MON.err; return 1; }
		sleep 0.1
	done
}
# SIGINT: the monitor must end with status 0.
mon_stop() {
	kill -INT "$MON_PID"
	rc=0
	wait "$MON_PID" || rc=$?
	[ "$rc" -eq 0 ] || { echo "status $rc"; cat $MON.err; return 1; }
}
# The monitor's lines without their first field, the time, into FILE; and every time is one.
mon_lines() { # FILE
	cut -d ' ' -f 2- $MON.out >"$1"
	! cut -d ' ' -f 1 $MON.out | grep -v -x '[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}Z'
}
same_lines() { # WANT GOT
	cmp -s "$1" "$2" || { echo "- want, + got:"; diff -u "$1" "$2" | tail -n +3; return 1; }
}

# --- udev (boots 2 and 3) ---------------------------------------------------------------------

# Where boot 1 leaves the compatibility record of an mtty-2 for boot 2: under scripts.d, which
# every mdevctl skips as a parent and reset_all keeps, on the state share.
REC=/etc/mdevctl.d/scripts.d/e2e-mtty2-record.json

start_udevd() {
	/lib/systemd/systemd-udevd --daemon >/tmp/udevd.log 2>&1 || true
	i=0
	while [ ! -S /run/udev/control ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "systemd-udevd is running" test -S /run/udev/control
}

# Poll (udevadm settle, then look) until every UUID is in /sys/bus/mdev/devices.
wait_for() { # SECONDS UUID...
	secs=$1
	end=$(($(date +%s) + secs))
	shift
	while :; do
		udevadm settle -t 2 >/dev/null 2>&1 || true
		all=1
		for u in "$@"; do
			[ -e "$DEVS/$u" ] || all=0
		done
		[ $all = 0 ] || return 0
		[ "$(date +%s)" -lt "$end" ] || { echo "after $secs s, running: $(ls "$DEVS" | tr '\n' ' ')"; return 1; }
		sleep 1
	done
}
