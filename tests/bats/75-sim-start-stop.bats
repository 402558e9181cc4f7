#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# start, stop, start-parent-mdevs, attributes and rollback against the simulated host
# (tests/sim), which creates and removes devices as the kernel does: every test asserts what
# exists afterwards (devices, attribute values, available instances) and that a command that
# failed left nothing behind.

load helpers
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"

setup() {
	sim_require
	ROOT=$BATS_TEST_TMPDIR/root
	sim_start "$SIM_HOSTS/example.json" "$ROOT"
	use_root
}

teardown() {
	sim_stop_all
}

# devices: "uuid parent type" per line, sorted, from the simulator's own state
devices() {
	sim_state "$ROOT" | jq -r '.devices[] | "\(.uuid) \(.parent) \(.type)"' | sort
}

avail() {
	tr -d '\n' <"$SYS/class/mdev_bus/$1/mdev_supported_types/$2/available_instances"
}

attr_of() {
	sim_state "$ROOT" | jq -r --arg u "$1" --arg a "$2" '.devices[] | select(.uuid == $u) | .attributes[$a]'
}

@test "sim: start creates the device, the pool shrinks for every type, stop gives it back" {
	run --separate-stderr "$MDEVCTL" start -p mtty -t mtty-2
	assert_success
	u=$output
	assert_equal "$(devices)" "$u mtty mtty-2"
	assert_equal "$(readlink "$SYS/bus/mdev/devices/$u/mdev_type")" "../mdev_supported_types/mtty-2"
	assert_equal "$(avail mtty mtty-2)" 11
	assert_equal "$(avail mtty mtty-1)" 22
	run --separate-stderr "$MDEVCTL" list
	assert_output "$u mtty mtty-2 manual"

	run --separate-stderr "$MDEVCTL" stop -u "$u"
	assert_success
	assert_equal "$(devices)" ""
	assert_equal "$(avail mtty mtty-2)" 12
	assert_equal "$(avail mtty mtty-1)" 24
	run --separate-stderr "$MDEVCTL" list
	assert_output ""
}

@test "sim: an upper-case UUID makes a device with the lower-case name" {
	run --separate-stderr "$MDEVCTL" start -u "${U1^^}" -p mtty -t mtty-1
	assert_success
	assert_equal "$(devices)" "$U1 mtty mtty-1"
}

@test "sim: starting the same UUID twice fails the second time and leaves one device" {
	"$MDEVCTL" start -u "$U1" -p mtty -t mtty-1
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p mtty -t mtty-1
	assert_error "Device already exists"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	assert_error "Device exists with different type"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p matrix -t vfio_ap-passthrough
	assert_error "Device exists under different parent"
	assert_equal "$(devices)" "$U1 mtty mtty-1"
}

@test "sim: a full parent is refused before the kernel is asked, for every type of the pool" {
	for i in $(seq 12); do "$MDEVCTL" start -p mtty -t mtty-2 >/dev/null; done
	assert_equal "$(avail mtty mtty-2)" 0
	assert_equal "$(avail mtty mtty-1)" 0
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	assert_error "No available instances of mtty-2 on mtty"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p mtty -t mtty-1
	assert_error "No available instances of mtty-1 on mtty"
	assert_equal "$(devices | wc -l)" 12
}

@test "sim: the kernel's refusal of create is reported with its errno and leaves nothing" {
	sim_ctl "$ROOT" fail create ENOSPC
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Failed to create mdev $U1, type mtty-2 on mtty

Caused by:
    No space left on device (os error 28)"
	assert_equal "$(devices)" ""
	assert_equal "$(avail mtty mtty-2)" 12
}

@test "sim: a defined device starts with its attributes written in order" {
	add_definition matrix "$U1" "$(def_json vfio_ap-passthrough manual assign_adapter=5 assign_domain=0x47 assign_control_domain=0x47)"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_success
	assert_output ""
	assert_equal "$(devices)" "$U1 matrix vfio_ap-passthrough"
	assert_equal "$(attr_of "$U1" assign_adapter)" 5
	# the simulated vfio_ap, like the kernel's, keeps the number it parsed
	assert_equal "$(attr_of "$U1" assign_domain)" 71
	assert_equal "$(attr_of "$U1" assign_control_domain)" 71
}

@test "sim: an attribute the kernel refuses rolls the device back" {
	add_definition matrix "$U1" "$(def_json vfio_ap-passthrough manual assign_adapter=5 assign_domain=300)"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Failed to write 300 to attribute assign_domain

Caused by:
    Invalid argument (os error 22)"
	assert_equal "$(devices)" ""
	assert_equal "$(avail matrix vfio_ap-passthrough)" 65535
}

@test "sim: an attribute the device does not have rolls the device back" {
	add_definition mtty "$U1" "$(def_json mtty-1 manual nosuch=1)"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_error "Invalid attribute 'nosuch'"
	assert_equal "$(devices)" ""
	assert_equal "$(avail mtty mtty-1)" 24
}

@test "sim: a failed attribute write whose rollback fails too reports the rollback, and the device stays" {
	add_definition matrix "$U1" "$(def_json vfio_ap-passthrough manual assign_adapter=5)"
	sim_ctl "$ROOT" fail attr assign_adapter EIO
	sim_ctl "$ROOT" busy "$U1"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Error removing device $U1

Caused by:
    Device or resource busy (os error 16)"
	assert_equal "$(devices)" "$U1 matrix vfio_ap-passthrough"
}

@test "sim: stop of a busy device fails with the kernel's errno and the device stays" {
	"$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	sim_ctl "$ROOT" busy "$U1"
	run --separate-stderr "$MDEVCTL" stop -u "$U1"
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Error removing device $U1

Caused by:
    Device or resource busy (os error 16)"
	assert_equal "$(devices)" "$U1 mtty mtty-2"
	sim_ctl "$ROOT" unbusy "$U1"
	run --separate-stderr "$MDEVCTL" stop -u "$U1"
	assert_success
	assert_equal "$(devices)" ""
}

@test "sim: stop of a device that does not run changes nothing" {
	"$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	run --separate-stderr "$MDEVCTL" stop -u "$U2"
	assert_error "Device $U2 is not an active mdev"
	assert_equal "$(devices)" "$U1 mtty mtty-2"
}

@test "sim: start-parent-mdevs starts the auto definitions only, skips running ones, keeps going" {
	add_definition mtty "$U1" "$(def_json mtty-2 auto)"
	add_definition mtty "$U2" "$(def_json mtty-1 manual)"
	add_definition mtty "$U3" "$(def_json nosuch auto)"
	add_definition mtty "$U4" "$(def_json mtty-1 auto)"
	add_definition matrix 55555555-5555-4555-8555-555555555555 "$(def_json vfio_ap-passthrough auto)"
	"$MDEVCTL" start -u "$U4"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs mtty
	assert_success
	assert_output ""
	assert_warn "Parent mtty does not support mdev type nosuch"
	assert_equal "$(devices)" "$U1 mtty mtty-2
$U4 mtty mtty-1"
	run --separate-stderr "$MDEVCTL" list
	assert_output "$U1 mtty mtty-2 auto (defined)
$U4 mtty mtty-1 auto (defined)"
	# again, without the broken one: everything that should run runs, nothing is retried
	rm "$ETC/mtty/$U3"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs mtty
	assert_success
	refute_warn
	assert_equal "$(devices | wc -l)" 2
}

@test "sim: start-parent-mdevs of a parent without definitions does nothing" {
	run --separate-stderr "$MDEVCTL" start-parent-mdevs mtty
	assert_success
	assert_output ""
	assert_equal "$(devices)" ""
}

@test "sim: a parent that went away cannot be started on; its devices are gone from list" {
	"$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	sim_ctl "$ROOT" unplug mtty
	run --separate-stderr "$MDEVCTL" list
	assert_success
	assert_output ""
	run --separate-stderr "$MDEVCTL" start -u "$U2" -p mtty -t mtty-2
	assert_error "Unable to find parent device 'mtty'"
	sim_ctl "$ROOT" plug mtty
	run --separate-stderr "$MDEVCTL" start -u "$U2" -p mtty -t mtty-2
	assert_success
	assert_equal "$(devices)" "$U2 mtty mtty-2"
}

@test "sim: define from a running device stores its parent and type" {
	"$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	run --separate-stderr "$MDEVCTL" define -u "$U1" --auto
	assert_success
	assert_output ""
	assert_bytes "$ETC/mtty/$U1" "$(def_json mtty-2 auto)"
	run --separate-stderr "$MDEVCTL" list -d
	assert_output "$U1 mtty mtty-2 auto (active)"
}

@test "sim: libvirt's transient create through stdin makes the device with its attributes" {
	run --separate-stderr "$MDEVCTL" start --parent=matrix --jsonfile=/dev/stdin --uuid="$U1" \
		<<<'{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"7"},{"assign_domain":"0x3"}]}'
	assert_success
	assert_output ""
	assert_equal "$(devices)" "$U1 matrix vfio_ap-passthrough"
	assert_equal "$(attr_of "$U1" assign_adapter)" 7
	assert_equal "$(attr_of "$U1" assign_domain)" 3
	refute_exists "$ETC/matrix/$U1"
}
