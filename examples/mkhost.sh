#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build a plain-file model of an mdev host under DIR, laid out as the kernel lays out sysfs
# (parents under /sys/devices, relative symlinks from /sys/class/mdev_bus and /sys/bus/mdev),
# plus the directories mdevctl expects under /etc and /usr/lib. Point MDEVCTL_ENV_ROOT at DIR.
#
#   mkhost.sh [--bare] DIR
#
# --bare  only the parents and their types: no running devices and no definitions.
#
# The tree is static: writing to `create` or `remove` changes a file, it makes or removes no
# device. That is enough for listing and definitions; the simulated host (tests/sim) is the
# one that behaves like the kernel.
set -eu

bare=0
if [ "${1:-}" = "--bare" ]; then bare=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--bare] DIR" >&2; exit 2; }
root=$1

mkdir -p "$root"
root=$(cd "$root" && pwd)
sys=$root/sys

mkdir -p "$sys/class/mdev_bus" "$sys/bus/mdev/devices" \
	"$root/etc/mdevctl.d/scripts.d/callouts" "$root/etc/mdevctl.d/scripts.d/notifiers" \
	"$root/usr/lib/mdevctl/scripts.d/callouts" "$root/usr/lib/mdevctl/scripts.d/notifiers"

# parent NAME DEVPATH: a parent device at sys/DEVPATH, registered in class/mdev_bus
parent() {
	mkdir -p "$sys/$2/mdev_supported_types"
	ln -sfn "../../$2" "$sys/class/mdev_bus/$1"
}

# mtype DEVPATH TYPE INSTANCES API [NAME [DESCRIPTION]]
mtype() {
	d=$sys/$1/mdev_supported_types/$2
	mkdir -p "$d/devices"
	printf '%s\n' "$3" >"$d/available_instances"
	printf '%s\n' "$4" >"$d/device_api"
	[ $# -lt 5 ] || printf '%s\n' "$5" >"$d/name"
	[ $# -lt 6 ] || printf '%s\n' "$6" >"$d/description"
	: >"$d/create"
}

# device DEVPATH TYPE UUID: a running mdev of TYPE on the parent at DEVPATH
device() {
	mkdir -p "$sys/$1/$3"
	ln -sfn "../mdev_supported_types/$2" "$sys/$1/$3/mdev_type"
	: >"$sys/$1/$3/remove"
	ln -sfn "../../../$3" "$sys/$1/mdev_supported_types/$2/devices/$3"
	# bus/mdev/devices is three levels below the root of sys
	ln -sfn "../../../$1/$3" "$sys/bus/mdev/devices/$3"
}

# define PARENT UUID CONTENT: a stored definition
define() {
	mkdir -p "$root/etc/mdevctl.d/$1"
	printf '%s' "$3" >"$root/etc/mdevctl.d/$1/$2"
}

gvt=devices/pci0000:00/0000:00:02.0
parent 0000:00:02.0 $gvt
mtype $gvt i915-GVTg_V5_4 2 vfio-pci GVTg_V5_4 "low_gm_size: 128MB
high_gm_size: 512MB
fence: 4
resolution: 1920x1200
weight: 4"
mtype $gvt i915-GVTg_V5_8 4 vfio-pci GVTg_V5_8

ap=devices/vfio_ap/matrix
parent matrix $ap
mtype $ap vfio_ap-passthrough 65535 vfio-ap

mtty=devices/virtual/mtty/mtty
parent mtty $mtty
mtype $mtty mtty-1 24 vfio-pci "Single port serial"
mtype $mtty mtty-2 12 vfio-pci "Dual port serial"

[ $bare -eq 0 ] || exit 0

device $gvt i915-GVTg_V5_4 950dd676-e30c-4b08-bebe-a4530f22422c
device $gvt i915-GVTg_V5_8 711529ad-e871-4cfe-85ac-c30a44ab9567
device $ap vfio_ap-passthrough cae40e88-cd1f-45fc-96b7-d2a145bff9f4

define 0000:00:02.0 711529ad-e871-4cfe-85ac-c30a44ab9567 '{
  "mdev_type": "i915-GVTg_V5_8",
  "start": "auto",
  "attrs": []
}'
define matrix cae40e88-cd1f-45fc-96b7-d2a145bff9f4 '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "manual",
  "attrs": [
    {
      "assign_adapter": "5"
    },
    {
      "assign_domain": "0xab"
    },
    {
      "assign_control_domain": "0xab"
    }
  ]
}'
define mtty e27825ad-d57e-4e68-9f06-a0b962f030b3 '{
  "mdev_type": "mtty-2",
  "start": "auto",
  "attrs": []
}'
