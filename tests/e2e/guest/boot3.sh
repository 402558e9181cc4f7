#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# boot3.sh: the third boot of the real-kernel end-to-end test (run by /init, see init.sh).
#
# Boot 2 ran create-compatible on boot 1's compatibility record of an mtty-2 and persisted the
# device ($U1) with --auto. This boot starts systemd-udevd with the installed rule and loads the
# modules: the udev rule alone must bring the device back, as the type the plan chose, next to
# boot 1's own auto definitions.
# shellcheck disable=SC2034 # lib.sh reads M, IMPL, T, RC, LAST, step
set -eu
# shellcheck source=lib.sh
. /e2e/lib.sh

A1=a1a1a1a1-0000-4000-8000-000000000001
U1=00000001-1111-4111-8111-111111111111

echo "# boot 3: $(uname -r)"
A2=$(ls /etc/mdevctl.d/mdpy 2>/dev/null | head -n 1)
check "boot 2's create-compatible definition survived the reboot: mtty/U1 (auto)" def_is mtty "$U1" mtty-2 auto
start_udevd
load_modules vfio mdev mtty mdpy || { tap_done; exit 1; }
check "the udev rule alone brings back U1 (and A1, A2) when mtty registers (20 s at most)" wait_for 20 "$U1" "$A1" "$A2"
udevadm settle -t 60 || true
check "kernel: U1 is an mtty-2 on mtty" dev_is "$U1" mtty mtty-2
mc list -d
{
	echo "$A2 mdpy mdpy-vga auto (active)"
	echo "$U1 mtty mtty-2 auto (active)"
	echo "$A1 mtty mtty-2 auto (active)"
	echo "b1b1b1b1-0000-4000-8000-000000000001 mtty mtty-1 manual"
} >"$W/want"
verdict "list -d: U1, A1 and A2 active, M1 defined" 0
for u in "$U1" "$A1" "$A2"; do
	mc stop -u "$u"
	expect_ok "stop -u $u"
done
check "kernel: nothing left running" test -z "$(ls "$DEVS")"
udevadm control --exit 2>/dev/null || true
tap_done
