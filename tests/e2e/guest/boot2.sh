#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# boot2.sh: the second boot of the real-kernel end-to-end test (run by /init, see init.sh).
#
# /etc/mdevctl.d is the state share that boot1.sh left two auto definitions (mtty-2 $A1 and
# an mdpy-vga) and one manual definition ($M1) in. Starts systemd-udevd with the installed
# 60-mdevctl.rules, loads vfio and mdev, then mtty and mdpy, and checks that the auto devices
# appear through the udev rule alone and the manual one does not, and that an auto definition
# that cannot start is logged at priority crit (the rule's stderr); then that the rule starts
# the device again when mtty is reloaded, and that start-parent-mdevs and start behave with
# udev running. Then create-compatible turns boot 1's compatibility record of an mtty-2 into a
# device again (with part of mtty's pool in use) and persists it, auto, for boot 3.
# shellcheck disable=SC2034 # lib.sh reads M, IMPL, T, RC, LAST, step
set -eu
# shellcheck source=lib.sh
. /e2e/lib.sh

A1=a1a1a1a1-0000-4000-8000-000000000001
M1=b1b1b1b1-0000-4000-8000-000000000001
U1=00000001-1111-4111-8111-111111111111 # the device boot 1 recorded ($REC)
F1=f1f1f1f1-0000-4000-8000-000000000001 # an auto definition whose start fails (no such type)
uptime_s() { cut -d ' ' -f 1 /proc/uptime; }

on_parent() { # PARENT N: exactly N devices on PARENT
	n=0
	for d in "$DEVS"/*; do
		[ -e "$d" ] || continue
		[ "$(basename "$(dirname "$(readlink -f "$d")")")" != "$1" ] || n=$((n + 1))
	done
	[ "$n" -eq "$2" ] || { echo "$n devices on $1, want $2"; return 1; }
}
syslog_seen=0
syslog_notes() { # the mdevctl lines logged since the last call
	[ -s /tmp/messages ] || return 0
	total=$(wc -l </tmp/messages)
	tail -n +$((syslog_seen + 1)) /tmp/messages | head -n $((total - syslog_seen)) |
		grep -i mdevctl | sed 's/^/syslog: /' | diag || true
	syslog_seen=$total
}

echo "# boot 2: $(uname -r)"
A2=$(ls /etc/mdevctl.d/mdpy 2>/dev/null | head -n 1)
check "boot 1's definitions survived the reboot: mtty/A1 (auto)" def_is mtty "$A1" mtty-2 auto
check "boot 1's definitions survived the reboot: mdpy/A2 (auto)" def_is mdpy "$A2" mdpy-vga auto
check "boot 1's definitions survived the reboot: mtty/M1 (manual)" def_is mtty "$M1" mtty-1 manual

syslogd -O /tmp/messages
# an auto definition on mdpy that cannot start: the rule's start-parent-mdevs warns about it
mc define -u "$F1" -p mdpy -t mdpy-bogus --auto
expect_ok "define -u F1 -p mdpy -t mdpy-bogus --auto (mdpy not loaded yet)"
start_udevd
check "60-mdevctl.rules is installed with our binary's path" grep -q "$OURS start-parent-mdevs" /usr/lib/udev/rules.d/60-mdevctl.rules

load_modules vfio mdev || { tap_done; exit 1; }
udevadm settle -t 10 || true
check "kernel: no mdev parent before the sample drivers load" test -z "$(ls "$BUS" 2>/dev/null)"
t0=$(uptime_s)
load_modules mtty mdpy || { tap_done; exit 1; }
check "the udev rule alone starts A1 and A2 when mtty and mdpy register (20 s at most)" wait_for 20 "$A1" "$A2"
note "auto devices up $(awk "BEGIN { print $(uptime_s) - $t0 }") s after modprobe"
udevadm settle -t 60 || true # the rule's other runs (add and change events of both parents)
note "udev queue empty $(awk "BEGIN { print $(uptime_s) - $t0 }") s after modprobe"
check "kernel: A1 is an mtty-2 on mtty" dev_is "$A1" mtty mtty-2
check "kernel: A2 is an mdpy-vga on mdpy" dev_is "$A2" mdpy mdpy-vga
check "kernel: the manual definition M1 was not started" dev_absent "$M1"
check "kernel: one device on mtty" on_parent mtty 1
check "kernel: one device on mdpy" on_parent mdpy 1
syslog_notes
# What the rule's mdevctl runs logged (stdout and stderr go to syslog through logger).
check "the rule's runs did not wait for udev in vain ('udev has not finished setting up')" \
	sh -c "! grep -q 'udev has not finished' /tmp/messages"
check "the rule's runs did not time out on the lock ('Another mdevctl command')" \
	sh -c "! grep -q 'Another mdevctl command' /tmp/messages"
# busybox syslogd writes "DATE HOST FACILITY.PRIORITY TAG: MESSAGE"; priority 2 is crit
check "the failed start of F1 is in syslog at user.crit (journalctl -p err would show it)" \
	grep -q 'user\.crit mdevctl: .*Parent mdpy does not support mdev type mdpy-bogus' /tmp/messages
check "nothing of stderr is logged at notice" \
	sh -c "! grep -q 'notice mdevctl: .*does not support' /tmp/messages"
check "kernel: F1 was not started" dev_absent "$F1"
mc undefine -u "$F1"
expect_ok "undefine -u F1"

mc list
expect_ok "list: the auto devices, (defined)" "$A2 mdpy mdpy-vga auto (defined)" "$A1 mtty mtty-2 auto (defined)"
cp "$W/out" "$W/list.ours"
mc list -d
{
	echo "$A2 mdpy mdpy-vga auto (active)"
	printf '%s\n' "$A1 mtty mtty-2 auto (active)" "$M1 mtty mtty-1 manual" | sort
} >"$W/want"
verdict "list -d: A1 and A2 (active), M1 not" 0
M=$DEB IMPL=deb
mc list
M=$OURS IMPL=ours
if cmp -s "$W/out" "$W/list.ours"; then
	tap_ok "Debian 1.2.0 list: the same (trailing newline normalised)"
else
	tap_todo "Debian 1.2.0 list differs from ours"
	diff -u "$W/list.ours" "$W/out" | tail -n +3 | diag
fi

mc start-parent-mdevs mtty
expect_ok "start-parent-mdevs mtty again: skips the running device, no output"
check "kernel: still one device on mtty" on_parent mtty 1

# Reloading the parent driver: the devices go with it, the rule brings the auto one back. The
# monitor hears it all through udevd.
check "monitor: listening" mon_start
check "monitor: udevd runs, so udevd's events" grep -q "Device events from udevd" $MON.err
rmmod mtty
check "kernel: rmmod mtty removed A1" dev_absent "$A1"
load_modules mtty || { tap_done; exit 1; }
check "the udev rule starts A1 again when mtty is reloaded" wait_for 20 "$A1"
udevadm settle -t 60 || true
check "monitor: rmmod and modprobe of mtty are heard" mon_wait 4
check "monitor: SIGINT ends it, status 0" mon_stop
check "monitor: every line starts with a UTC time with milliseconds" mon_lines "$W/mon.got"
# The kernel removes the parent's devices before it unregisters the parent. On modprobe, the
# rule may start A1 from the parent's "add" event, before the registration's event is through.
printf '%s\n' "remove device $A1 mtty mtty-2" "remove parent mtty" >"$W/mon.want"
{
	head -n 2 "$W/mon.got"
	tail -n +3 "$W/mon.got" | LC_ALL=C sort
} >"$W/mon.sorted"
printf '%s\n' "add device $A1 mtty mtty-2" "add parent mtty" >>"$W/mon.want"
check "monitor: A1 and mtty removed, in that order; mtty and A1 back (through the rule)" \
	same_lines "$W/mon.want" "$W/mon.sorted"
check "kernel: still no M1" dev_absent "$M1"
syslog_notes

# start with udevd running waits until udev has processed the device. Mind that udev keeps no
# database entry (and so never reports "initialized") for a device without a device node,
# properties or tags, which is what an mdev is under Debian's default rules.
t0=$(uptime_s)
mc start -u "$M1"
t1=$(uptime_s)
expect_ok "start -u M1 with udevd running: no output, no warning"
note "start -u M1 took $(awk "BEGIN { print $t1 - $t0 }") s (the udev wait times out after 5 s)"
check "kernel: M1 is an mtty-1 on mtty" dev_is "$M1" mtty mtty-1
vfio_node() {
	g=$(basename "$(readlink "$DEVS/$M1/iommu_group")")
	[ -c "/dev/vfio/$g" ] || { echo "no /dev/vfio/$g"; return 1; }
}
check "/dev/vfio/<M1's IOMMU group> exists when start returns" vfio_node
mc list
{
	echo "$A2 mdpy mdpy-vga auto (defined)"
	printf '%s\n' "$A1 mtty mtty-2 auto (defined)" "$M1 mtty mtty-1 manual (defined)" | sort
} >"$W/want"
verdict "list: all three running" 0

# --- create-compatible from boot 1's record of an mtty-2, with part of mtty's pool in use -------
check "boot 1's compatibility record of U1 (an mtty-2) survived the reboot" test -s "$REC"
mc create-compatible --from "$REC" --auto
check "create-compatible --from boot 1's record --auto: exit 0, the source's UUID, free here" \
	sh -c "[ $RC -eq 0 ] && [ \"\$(cat '$W/out')\" = '$U1' ] || { echo status $RC; cat '$W/out' '$W/err'; exit 1; }"
check "create-compatible says what it did on stderr" grep -qxF "Created $U1, mtty-2 on mtty" "$W/err"
check "kernel: U1 is an mtty-2 on mtty" dev_is "$U1" mtty mtty-2
check "U1 is persisted: mtty/U1, mtty-2, auto" def_is mtty "$U1" mtty-2 auto
check "kernel: three devices on mtty (A1, M1 and U1)" on_parent mtty 3
mc create-compatible --from "$REC" --keep-uuid
check "create-compatible --keep-uuid again (a retry): U1 exists already, exit 0" test "$RC" = 0
check "create-compatible retried: prints U1, says it exists" sh -c "grep -qxF '$U1' '$W/out' && grep -qF '$U1 exists already, as mtty-2 on mtty; its definition is kept as it is' '$W/err' || { cat '$W/out' '$W/err'; exit 1; }"
check "kernel: still three devices on mtty" on_parent mtty 3

for u in "$M1" "$A1" "$A2" "$U1"; do
	mc stop -u "$u"
	expect_ok "stop -u $u"
done
check "kernel: nothing left running" test -z "$(ls "$DEVS")"
udevadm control --exit 2>/dev/null || true
tap_done
