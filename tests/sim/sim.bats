#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Tests of the simulated mdev host (mdev-sim) itself: that it shows the sysfs layout of a Linux
# 6.1 host and answers create, remove and attribute writes as the kernel's mdev core does, that
# its fault injection works, and that Debian's mdevctl (upstream 1.2.0) drives it unchanged.
# Each test mounts its own simulator under $BATS_TEST_TMPDIR; teardown always unmounts.

bats_require_minimum_version 1.5.0

bats_load_library bats-support
bats_load_library bats-assert
load sim-helpers

export LC_ALL=C

GVT=devices/pci0000:00/0000:00:02.0
AP=devices/vfio_ap/matrix
MTTY=devices/virtual/mtty/mtty
T_GVT4=$GVT/mdev_supported_types/i915-GVTg_V5_4
T_GVT8=$GVT/mdev_supported_types/i915-GVTg_V5_8
T_AP=$AP/mdev_supported_types/vfio_ap-passthrough
T_MTTY1=$MTTY/mdev_supported_types/mtty-1
T_MTTY2=$MTTY/mdev_supported_types/mtty-2

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
UA=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee

setup() {
	sim_require
	ROOT=$BATS_TEST_TMPDIR/root
	SYS=$ROOT/sys
}

teardown() {
	sim_stop_all
}

# start [HOST]: mount hosts/HOST.json (default: example), or HOST itself when it is a path
start() {
	local host=${1:-example}
	[[ $host == */* ]] || host=$SIM_HOSTS/$host.json
	sim_start "$host" "$ROOT" || fail "mdev-sim did not start with $host"
}

# assert_content FILE STRING: FILE holds exactly STRING (use $'...' for newlines). The file is
# copied first: `cmp -s` trusts st_size, which is 4096 for every attribute, as on sysfs.
assert_content() {
	printf '%s' "$2" >"$BATS_TEST_TMPDIR/.expected"
	cat "$1" >"$BATS_TEST_TMPDIR/.actual" || fail "cannot read $1"
	if ! cmp -s "$BATS_TEST_TMPDIR/.expected" "$BATS_TEST_TMPDIR/.actual"; then
		{
			echo "unexpected contents of $1"
			echo "-- expected --"
			od -c "$BATS_TEST_TMPDIR/.expected"
			echo "-- actual --"
			od -c "$BATS_TEST_TMPDIR/.actual"
		} | fail
	fi
}

# assert_link LINK TARGET: LINK is a symlink whose text is TARGET
assert_link() {
	[ -L "$1" ] || fail "$1 is not a symbolic link"
	assert_equal "$(readlink "$1")" "$2"
}

# assert_resolves LINK DIR: LINK leads to the directory DIR of the mount
assert_resolves() {
	assert_equal "$(cd "$1" && pwd -P)" "$(cd "$2" && pwd -P)"
}

assert_gone() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		fail "$1 still exists"
	fi
}

# create TYPEDIR UUID: a device, asserting success
create() {
	run sim_write "$SYS/$1/create" "$2"
	assert_output OK
}

# write a host description to $BATS_TEST_TMPDIR/NAME.json; prints its path
host_file() {
	printf '%s' "$2" >"$BATS_TEST_TMPDIR/$1.json"
	echo "$BATS_TEST_TMPDIR/$1.json"
}

# --- layout ------------------------------------------------------------------------------

@test "class/mdev_bus holds relative links to the parents' directories" {
	start
	run ls "$SYS/class/mdev_bus"
	assert_output $'0000:00:02.0\nmatrix\nmtty'
	assert_link "$SYS/class/mdev_bus/0000:00:02.0" "../../$GVT"
	assert_link "$SYS/class/mdev_bus/matrix" "../../$AP"
	assert_link "$SYS/class/mdev_bus/mtty" "../../$MTTY"
	assert_resolves "$SYS/class/mdev_bus/mtty" "$SYS/$MTTY"
	[ -d "$SYS/class/mdev_bus/0000:00:02.0/mdev_supported_types" ] || fail "no mdev_supported_types"
}

@test "a parent has mdev_supported_types, a driver link to an existing driver, the module version" {
	start
	run ls "$SYS/$GVT"
	assert_output $'device\ndriver\nmdev_supported_types\nsubsystem\nsubsystem_device\nsubsystem_vendor\nuevent\nvendor'
	# a PCI parent's ids, read-only, as the PCI core prints them
	run cat "$SYS/$GVT/vendor" "$SYS/$GVT/device" "$SYS/$GVT/subsystem_vendor" "$SYS/$GVT/subsystem_device"
	assert_output $'0x8086\n0x591d\n0x8086\n0x2212'
	run sim_write "$SYS/$GVT/vendor" 0x1234
	assert_output EACCES
	run ls "$SYS/$MTTY"
	refute_line vendor
	assert_link "$SYS/$GVT/driver" ../../../bus/pci/drivers/i915
	assert_resolves "$SYS/$GVT/driver" "$SYS/bus/pci/drivers/i915"
	assert_link "$SYS/bus/pci/drivers/i915/0000:00:02.0" "../../../../$GVT"
	assert_link "$SYS/$AP/driver" ../../../bus/matrix/drivers/vfio_ap
	[ -d "$SYS/$AP/driver/" ] || fail "the driver link of matrix leads nowhere"
	assert_content "$SYS/module/i915/version" $'1.1.0\n'
	assert_gone "$SYS/module/vfio_ap"
	assert_gone "$SYS/$MTTY/driver"
	assert_link "$SYS/$MTTY/subsystem" ../../../../class/mtty
	assert_link "$SYS/$GVT/subsystem" ../../../bus/pci
	assert_content "$SYS/$GVT/uevent" $'DRIVER=i915\n'
	assert_content "$SYS/$MTTY/uevent" ''
}

@test "a type directory has the kernel's files with their modes" {
	start
	run ls "$SYS/$T_GVT4"
	assert_output $'available_instances\ncreate\ndescription\ndevice_api\ndevices\nname'
	run ls "$SYS/$T_MTTY1"
	assert_output $'available_instances\ncreate\ndevice_api\ndevices\nname'
	run ls "$SYS/$T_AP"
	assert_output $'available_instances\ncreate\ndevice_api\ndevices'
	cd "$SYS/$T_GVT4"
	run stat -c '%n %F %a %s' available_instances create description device_api name devices
	assert_output - <<-EOF
		available_instances regular file 444 4096
		create regular file 200 4096
		description regular file 444 4096
		device_api regular file 444 4096
		name regular file 444 4096
		devices directory 755 0
	EOF
	run ls -A devices
	assert_output ''
}

@test "type attributes read as the kernel prints them" {
	start
	assert_content "$SYS/$T_GVT4/available_instances" $'2\n'
	assert_content "$SYS/$T_GVT4/device_api" $'vfio-pci\n'
	assert_content "$SYS/$T_GVT4/name" $'GVTg_V5_4\n'
	assert_content "$SYS/$T_GVT4/description" \
		$'low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n'
	assert_content "$SYS/$T_GVT8/available_instances" $'4\n'
	assert_content "$SYS/$T_AP/available_instances" $'65535\n'
	assert_content "$SYS/$T_AP/device_api" $'vfio-ap\n'
	assert_content "$SYS/$T_MTTY1/available_instances" $'24\n'
	assert_content "$SYS/$T_MTTY2/available_instances" $'12\n'
	assert_content "$SYS/$T_MTTY2/name" $'Dual port serial\n'
}

@test "reads work with any buffer size and offset" {
	start
	local whole
	whole=$(od -c "$SYS/$T_GVT4/description")
	assert_equal "$(dd if="$SYS/$T_GVT4/description" bs=1 status=none | od -c)" "$whole"
	assert_equal "$(dd if="$SYS/$T_GVT4/description" bs=7 status=none | od -c)" "$whole"
	run dd if="$SYS/$T_GVT4/description" bs=1 skip=13 count=6 status=none
	assert_output "128MB"
	run dd if="$SYS/$T_GVT4/name" bs=1 skip=100 status=none
	assert_output ''
}

@test "bus/mdev/devices exists and is empty while there is no device" {
	start
	[ -d "$SYS/bus/mdev/devices" ] || fail "no bus/mdev/devices"
	run ls -A "$SYS/bus/mdev/devices"
	assert_output ''
}

@test "symbolic links are links, directories directories; nothing can be made or deleted" {
	start
	[ -L "$SYS/class/mdev_bus/mtty" ] || fail "not a link"
	[ -d "$SYS/$MTTY" ] && [ ! -L "$SYS/$MTTY" ] || fail "not a plain directory"
	run stat -c %F "$SYS/class/mdev_bus/mtty"
	assert_output "symbolic link"
	run touch "$SYS/$MTTY/newfile"
	assert_failure
	assert_output --partial "Permission denied"
	run mkdir "$SYS/$MTTY/newdir"
	assert_failure
	assert_output --partial "Operation not permitted"
	run rm -f "$SYS/$T_MTTY1/name"
	assert_failure
	assert_output --partial "Operation not permitted"
	run ln -s x "$SYS/$MTTY/newlink"
	assert_failure
	assert_gone "$SYS/$MTTY/newfile"
	assert_gone "$SYS/$MTTY/newlink"
}

# --- create --------------------------------------------------------------------------------

@test "writing a UUID to create makes the device, its links and files" {
	start
	create "$T_MTTY2" "$U1"
	local d=$SYS/$MTTY/$U1
	[ -d "$d" ] && [ ! -L "$d" ] || fail "no device directory"
	run ls "$d"
	assert_output $'driver\niommu_group\nmdev_type\nremove\nsubsystem\nuevent'
	assert_link "$d/mdev_type" ../mdev_supported_types/mtty-2
	assert_resolves "$d/mdev_type" "$SYS/$T_MTTY2"
	assert_equal "$(stat -c %a "$d/remove")" 200
	assert_content "$d/uevent" $'DRIVER=mtty\n'
	assert_link "$SYS/bus/mdev/devices/$U1" "../../../$MTTY/$U1"
	assert_resolves "$SYS/bus/mdev/devices/$U1" "$d"
	assert_link "$SYS/$T_MTTY2/devices/$U1" "../../../$U1"
	assert_resolves "$SYS/$T_MTTY2/devices/$U1" "$d"
	assert_link "$d/driver" ../../../../../bus/mdev/drivers/mtty
	assert_link "$d/iommu_group" ../../../../../kernel/iommu_groups/0
	assert_resolves "$SYS/kernel/iommu_groups/0/devices/$U1" "$d"
	assert_resolves "$SYS/bus/mdev/drivers/mtty/$U1" "$d"
	# as mdevctl finds the parent and the type of a running device
	assert_equal "$(basename "$(dirname "$(readlink -f "$SYS/bus/mdev/devices/$U1")")")" mtty
	assert_equal "$(basename "$(readlink -f "$SYS/bus/mdev/devices/$U1/mdev_type")")" mtty-2
}

@test "no link dangles once devices exist on every parent" {
	start
	create "$T_GVT4" "$U1"
	create "$T_AP" "$U2"
	create "$T_MTTY1" "$U3"
	run find "$SYS" -xtype l
	assert_output ''
	[ "$(find "$SYS" -type l | wc -l)" -gt 20 ] || fail "fewer links than expected"
}

@test "create takes upper case and a trailing newline, and names the device in lower case" {
	start
	create "$T_MTTY1" "${UA^^}"
	[ -d "$SYS/$MTTY/$UA" ] || fail "no lower-case device"
	assert_gone "$SYS/$MTTY/${UA^^}"
	create "$T_MTTY1" "$U1"$'\n'
	[ -d "$SYS/$MTTY/$U1" ] || fail "no device from a UUID with a newline"
	# the 37th character is not looked at, as in the kernel's create_store()
	create "$T_MTTY1" "${U2}x"
	[ -d "$SYS/$MTTY/$U2" ] || fail "no device from a UUID with a 37th character"
	# shell redirection (O_TRUNC) works as on sysfs
	echo "$U3" >"$SYS/$T_MTTY1/create" || fail "echo > create failed"
	[ -d "$SYS/$MTTY/$U3" ] || fail "no device from echo"
}

@test "create refuses a malformed UUID with EINVAL" {
	start
	local bad
	for bad in not-a-uuid "${U1:0:35}" "${U1}xy" "${U1/4111/4g11}" "${U1/-/x}" " $U1" \
		"${U1//-/}" "{$U1}"; do
		run sim_write "$SYS/$T_MTTY1/create" "$bad"
		assert_output EINVAL
	done
	assert_content "$SYS/$T_MTTY1/available_instances" $'24\n'
	run ls -A "$SYS/bus/mdev/devices"
	assert_output ''
}

@test "create refuses a UUID in use anywhere with EEXIST" {
	start
	create "$T_MTTY2" "$U1"
	run sim_write "$SYS/$T_MTTY2/create" "$U1"
	assert_output EEXIST
	run sim_write "$SYS/$T_MTTY1/create" "$U1"
	assert_output EEXIST
	run sim_write "$SYS/$T_GVT4/create" "$U1"
	assert_output EEXIST
	create "$T_GVT4" "$UA"
	run sim_write "$SYS/$T_MTTY1/create" "${UA^^}"
	assert_output EEXIST
	assert_content "$SYS/$T_MTTY1/available_instances" $'22\n'
	assert_content "$SYS/$T_GVT4/available_instances" $'1\n'
}

@test "available_instances counts down and create fails with ENOSPC at zero" {
	start
	create "$T_GVT4" "$U1"
	assert_content "$SYS/$T_GVT4/available_instances" $'1\n'
	create "$T_GVT4" "$U2"
	assert_content "$SYS/$T_GVT4/available_instances" $'0\n'
	run sim_write "$SYS/$T_GVT4/create" "$U3"
	assert_output ENOSPC
	assert_gone "$SYS/$GVT/$U3"
	# the other type of the parent has instances of its own
	assert_content "$SYS/$T_GVT8/available_instances" $'4\n'
}

@test "mtty's types share a pool of 24 ports" {
	start mtty
	create "$T_MTTY2" "$U1"
	assert_content "$SYS/$T_MTTY2/available_instances" $'11\n'
	assert_content "$SYS/$T_MTTY1/available_instances" $'22\n'
	create "$T_MTTY1" "$U2"
	assert_content "$SYS/$T_MTTY2/available_instances" $'10\n'
	assert_content "$SYS/$T_MTTY1/available_instances" $'21\n'
	local i
	for i in $(seq 1 10); do
		create "$T_MTTY2" "$(printf '00000000-0000-4000-8000-%012d' "$i")"
	done
	assert_content "$SYS/$T_MTTY2/available_instances" $'0\n'
	assert_content "$SYS/$T_MTTY1/available_instances" $'1\n'
	run sim_write "$SYS/$T_MTTY2/create" "$U3"
	assert_output ENOSPC
	create "$T_MTTY1" "$U3"
	assert_content "$SYS/$T_MTTY1/available_instances" $'0\n'
	run sim_write "$SYS/$T_MTTY1/create" "$UA"
	assert_output ENOSPC
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output OK
	assert_content "$SYS/$T_MTTY1/available_instances" $'2\n'
	assert_content "$SYS/$T_MTTY2/available_instances" $'1\n'
}

# --- remove --------------------------------------------------------------------------------

@test "writing 1 to remove deletes the device and every link to it, and gives capacity back" {
	start
	create "$T_MTTY2" "$U1"
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output OK
	assert_gone "$SYS/$MTTY/$U1"
	assert_gone "$SYS/bus/mdev/devices/$U1"
	assert_gone "$SYS/$T_MTTY2/devices/$U1"
	assert_gone "$SYS/bus/mdev/drivers/mtty/$U1"
	assert_gone "$SYS/kernel/iommu_groups/0"
	assert_content "$SYS/$T_MTTY2/available_instances" $'12\n'
	assert_content "$SYS/$T_MTTY1/available_instances" $'24\n'
	# with a newline, through the device's own directory
	create "$T_MTTY2" "$U1"
	echo 1 >"$SYS/$MTTY/$U1/remove" || fail "echo 1 > remove failed"
	assert_gone "$SYS/$MTTY/$U1"
	# the UUID is free again
	create "$T_GVT8" "$U1"
}

@test "writing 0 to remove does nothing; anything but a number is EINVAL" {
	start
	create "$T_MTTY1" "$U1"
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 0
	assert_output OK
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" $'0\n'
	assert_output OK
	local bad
	for bad in yes " 1" -1 "1 " 1x ""$'\n'; do
		run sim_write "$SYS/bus/mdev/devices/$U1/remove" "$bad"
		assert_output EINVAL
	done
	[ -d "$SYS/$MTTY/$U1" ] || fail "the device went away"
	assert_content "$SYS/$T_MTTY1/available_instances" $'23\n'
	# kstrtoul(buf, 0): any non-zero number removes, in any base
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 0x2
	assert_output OK
	assert_gone "$SYS/$MTTY/$U1"
}

@test "a write to a device that went away fails with ENODEV" {
	start
	create "$T_MTTY1" "$U1"
	run python3 -c '
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.write(fd, b"1")
try:
    os.write(fd, b"1")
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])' "$SYS/$MTTY/$U1/remove"
	assert_output ENODEV
	assert_gone "$SYS/$MTTY/$U1"
}

# --- permissions ----------------------------------------------------------------------------

@test "read-only files refuse writes with EACCES, write-only files refuse reads" {
	start
	local f
	for f in available_instances device_api name description; do
		run sim_write "$SYS/$T_GVT4/$f" 5
		assert_output EACCES
	done
	run sim_read "$SYS/$T_GVT4/create"
	assert_output EACCES
	create "$T_GVT4" "$U1"
	run sim_read "$SYS/$GVT/$U1/remove"
	assert_output EACCES
	run sim_read "$SYS/mdev-sim/control"
	assert_output EACCES
	run sim_write "$SYS/mdev-sim/state" reset
	assert_output EACCES
	# the kernel refuses at open(2) already, not only at write(2)
	run python3 -c '
import errno, os, sys
for path, flags in ((sys.argv[1], os.O_WRONLY), (sys.argv[2], os.O_RDONLY), (sys.argv[1], os.O_RDWR)):
    try:
        os.close(os.open(path, flags))
        print("opened")
    except OSError as e:
        print(errno.errorcode[e.errno])' "$SYS/$T_GVT4/name" "$SYS/$T_GVT4/create"
	assert_output $'EACCES\nEACCES\nEACCES'
	run bash -c "echo 7 > '$SYS/$T_GVT4/available_instances'"
	assert_failure
	assert_output --partial "Permission denied"
	assert_content "$SYS/$T_GVT4/available_instances" $'1\n'
}

@test "root in another mount namespace can use the mount through a bind mount" {
	start
	command -v unshare >/dev/null || skip "no unshare"
	run unshare -m sh -c 'mkdir -p "$2" && mount --bind "$1" "$2" &&
		cat "$2/'"$T_MTTY2"'/available_instances" &&
		printf %s "$3" > "$2/'"$T_MTTY2"'/create" &&
		readlink "$2/bus/mdev/devices/$3"' sh "$SYS" "$BATS_TEST_TMPDIR/other" "$U1"
	assert_success
	assert_output $'12\n'"../../../$MTTY/$U1"
	[ -d "$SYS/$MTTY/$U1" ] || fail "the device made in the other namespace is not here"
}

@test "a write longer than a page is cut to a page, as sysfs does" {
	start
	run python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
try:
    print(os.write(fd, b"x" * 5000))
except OSError as e:
    print(e.errno)' "$SYS/$T_MTTY1/create"
	# a short write of one page, which create_store() refuses as too long for a UUID
	assert_output 22
	# what follows the first page does not reach the store(): "reset" and blanks succeed
	run python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
print(os.write(fd, b"reset" + b" " * 5000 + b"garbage"))' "$SYS/mdev-sim/control"
	assert_output 4096
}

# --- vendor attributes and migration_info -----------------------------------------------

@test "vendor attributes: default, allowed values, EINVAL for others" {
	start gvt-aggregation
	local t=$GVT/mdev_supported_types/i915-GVTg_V5_8 d=$SYS/$GVT/$U1
	create "$t" "$U1"
	assert_equal "$(stat -c %a "$d/aggregator")" 644
	assert_content "$d/aggregator" $'1\n'
	run sim_write "$d/aggregator" 4
	assert_output OK
	assert_content "$d/aggregator" $'4\n'
	run sim_write "$d/aggregator" $'8\n'
	assert_output OK
	assert_content "$d/aggregator" $'8\n'
	local bad
	for bad in 9 0 -1 abc $'\n' 4x " 4"; do
		run sim_write "$d/aggregator" "$bad"
		assert_output EINVAL
	done
	assert_content "$d/aggregator" $'8\n'
	# an empty write(2) reaches no store(), as on sysfs
	run sim_write "$d/aggregator" ""
	assert_output OK
	assert_content "$d/aggregator" $'8\n'
	# kstrtoint syntax: 0x prefix, read back in decimal
	run sim_write "$d/aggregator" 0x3
	assert_output OK
	assert_content "$d/aggregator" $'3\n'
	# a type without attributes has none
	create "$GVT/mdev_supported_types/i915-GVTg_V5_2" "$U2"
	assert_gone "$SYS/$GVT/$U2/aggregator"
	# and mdevctl's way to write one (O_TRUNC, no newline) works
	printf 5 >"$d/aggregator" || fail "printf > aggregator failed"
	assert_content "$d/aggregator" $'5\n'
}

@test "vendor attributes: lists, free text, write-only and read-only ones, nested names" {
	local host
	host=$(host_file attrs '{
	  "parents": [ { "name": "p", "path": "devices/p", "types": [ {
	    "id": "p-t", "device_api": "vfio-pci", "instances": 3,
	    "attributes": {
	      "mode": { "allowed": ["fast", "slow"] },
	      "label": { "default": "none" },
	      "secret": { "access": "wo" },
	      "serial": { "access": "ro", "default": "S-1" },
	      "vendor/info": { "access": "ro", "default": "hello" }
	    } } ] } ] }')
	start "$host"
	create devices/p/mdev_supported_types/p-t "$U1"
	local d=$SYS/devices/p/$U1
	assert_content "$d/mode" $'fast\n'
	run sim_write "$d/mode" $'slow\n'
	assert_output OK
	assert_content "$d/mode" $'slow\n'
	run sim_write "$d/mode" medium
	assert_output EINVAL
	assert_content "$d/label" $'none\n'
	run sim_write "$d/label" "any text at all"
	assert_output OK
	assert_content "$d/label" $'any text at all\n'
	assert_equal "$(stat -c %a "$d/secret" "$d/serial")" $'200\n444'
	run sim_read "$d/secret"
	assert_output EACCES
	run sim_write "$d/secret" s3cr3t
	assert_output OK
	run sim_write "$d/serial" S-2
	assert_output EACCES
	assert_content "$d/vendor/info" $'hello\n'
	run bash -c "jq -r '.devices[0].attributes.secret' '$SYS/mdev-sim/state'"
	assert_output s3cr3t
}

@test "migration_info is a read-only file of the types that have one" {
	start gvt-aggregation
	local t=$SYS/$GVT/mdev_supported_types
	assert_content "$t/i915-GVTg_V5_1/migration_info" \
		$'{"features":["pv_ppgtt","pv_context"],"vendor_fields":{"gvt_gen":"KBL-GT2"},"migration_flags":["STOP_COPY"]}\n'
	assert_equal "$(stat -c %a "$t/i915-GVTg_V5_1/migration_info")" 444
	run sim_write "$t/i915-GVTg_V5_1/migration_info" x
	assert_output EACCES
	assert_gone "$t/i915-GVTg_V5_4/migration_info"
	jq -e . "$t/i915-GVTg_V5_2/migration_info" >/dev/null || fail "not JSON"
}

@test "GVT-g style types share the graphics memory" {
	start gvt-aggregation
	local t=$SYS/$GVT/mdev_supported_types
	run cat "$t"/i915-GVTg_V5_{1,2,4,8}/available_instances
	assert_output $'1\n2\n4\n8'
	create "$GVT/mdev_supported_types/i915-GVTg_V5_4" "$U1"
	run cat "$t"/i915-GVTg_V5_{1,2,4,8}/available_instances
	assert_output $'0\n1\n3\n6'
	run sim_write "$t/i915-GVTg_V5_1/create" "$U2"
	assert_output ENOSPC
}

@test "the migration-compatibility hosts: a full type, a free one, another generation" {
	local src=$BATS_TEST_TMPDIR/src
	sim_start "$SIM_HOSTS/compat-src.json" "$src" || fail "compat-src did not start"
	local g=$src/sys/devices/pci0000:40/0000:40:01.1/0000:41:00.0
	assert_content "$src/sys/module/simgpu/version" $'2.3.1\n'
	assert_content "$g/5e0c3a2f-4b1d-4e6a-9c7b-a20000000001/ecc" $'0\n'
	run cat "$g"/mdev_supported_types/simgpu-{A1,A2,A4,B2}/available_instances
	assert_output $'12\n6\n3\n6'
	jq -e '.features == ["fbc","vsync","compute"]' \
		"$g/mdev_supported_types/simgpu-B2/migration_info" >/dev/null || fail "B2's facts"
	start compat-dst
	assert_content "$SYS/module/simgpu/version" $'2.5.0\n'
	local a=$SYS/devices/pci0000:40/0000:40:01.1/0000:41:00.0/mdev_supported_types
	local b=$SYS/devices/pci0000:80/0000:80:01.1/0000:81:00.0/mdev_supported_types
	run cat "$a"/simgpu-{A1,A2,A4,B2}/available_instances "$b/simgpu-A2/available_instances"
	assert_output $'8\n0\n2\n4\n4'
	assert_content "$b/simgpu-A2/migration_info" $'{"vendor_fields":{"arch":"gen3"}}\n'
	assert_content "$b/../device" $'0x2a30\n'
	assert_content "$a/../device" $'0x2a20\n'
	assert_gone "$a/simgpu-A2/migration_info"
}

@test "a one-type pool: while one type has devices, the others have none, until it is empty" {
	local host g
	host=$(host_file gpu '{
	  "parents": [ { "name": "0000:3b:00.0", "path": "devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0",
	    "driver": { "name": "nvidia", "version": "550.54.14" },
	    "pools": { "fb": { "size": 16, "one_type": true } },
	    "types": [ { "id": "nvidia-222", "device_api": "vfio-pci", "pool": "fb", "cost": 1 },
	      { "id": "nvidia-223", "device_api": "vfio-pci", "pool": "fb", "cost": 2 } ] } ] }')
	start "$host"
	g=devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0/mdev_supported_types
	run cat "$SYS/$g"/nvidia-22{2,3}/available_instances
	assert_output $'16\n8'
	create "$g/nvidia-223" "$U1"
	run cat "$SYS/$g"/nvidia-22{2,3}/available_instances
	assert_output $'0\n7'
	run sim_write "$SYS/$g/nvidia-222/create" "$U2"
	assert_output ENOSPC
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output OK
	run cat "$SYS/$g"/nvidia-22{2,3}/available_instances
	assert_output $'16\n8'
	create "$g/nvidia-222" "$U2"
	run cat "$SYS/$g"/nvidia-22{2,3}/available_instances
	assert_output $'15\n0'
	# a pool is a size, or an object with size and one_type
	host=$(host_file bad '{ "parents": [ { "name": "p", "path": "devices/p",
	    "pools": { "fb": { "size": 16, "one_type": "yes" } }, "types": [] } ] }')
	run "$MDEV_SIM" --host "$host" "$BATS_TEST_TMPDIR/mnt"
	assert_failure 1
	[[ $output == *'one_type must be true or false'* ]] || fail "$output"
}

@test "devices described in the host file exist at mount time, with their attributes" {
	local host
	host=$(host_file pre '{
	  "parents": [ { "name": "mtty", "path": "devices/virtual/mtty/mtty", "mdev_driver": "mtty",
	    "pools": { "ports": 4 },
	    "types": [ { "id": "mtty-2", "device_api": "vfio-pci", "pool": "ports", "cost": 2,
	      "attributes": { "level": { "range": [0, 9] } } },
	      { "id": "mtty-1", "device_api": "vfio-pci", "pool": "ports" } ] } ],
	  "devices": [ { "uuid": "'"${UA^^}"'", "parent": "mtty", "type": "mtty-2",
	                 "attributes": { "level": 7 } } ] }')
	start "$host"
	assert_link "$SYS/bus/mdev/devices/$UA" "../../../$MTTY/$UA"
	assert_link "$SYS/$T_MTTY2/devices/$UA" "../../../$UA"
	assert_content "$SYS/$MTTY/$UA/level" $'7\n'
	assert_content "$SYS/$T_MTTY2/available_instances" $'1\n'
	assert_content "$SYS/$T_MTTY1/available_instances" $'2\n'
}

# --- fault injection ----------------------------------------------------------------------

@test "fail create ERRNO fails the next create once" {
	start
	sim_ctl "$ROOT" fail create EBUSY
	run sim_write "$SYS/$T_MTTY1/create" "$U1"
	assert_output EBUSY
	assert_gone "$SYS/$MTTY/$U1"
	create "$T_MTTY1" "$U1"
	sim_ctl "$ROOT" fail create 5
	run sim_write "$SYS/$T_GVT4/create" "$U2"
	assert_output EIO
	create "$T_GVT4" "$U2"
	sim_ctl "$ROOT" fail create ENOSPC
	run sim_write "$SYS/$T_AP/create" "$U3"
	assert_output ENOSPC
	assert_content "$SYS/$T_AP/available_instances" $'65535\n'
}

@test "fail attr NAME ERRNO fails the next write of that attribute once" {
	start gvt-aggregation
	local d=$SYS/$GVT/$U1
	create "$GVT/mdev_supported_types/i915-GVTg_V5_8" "$U1"
	sim_ctl "$ROOT" fail attr aggregator EIO
	run sim_write "$d/aggregator" 2
	assert_output EIO
	assert_content "$d/aggregator" $'1\n'
	run sim_write "$d/aggregator" 2
	assert_output OK
	assert_content "$d/aggregator" $'2\n'
	# another attribute's fault leaves this one alone
	sim_ctl "$ROOT" fail attr other EPERM
	run sim_write "$d/aggregator" 3
	assert_output OK
}

@test "fail remove ERRNO fails the next remove once" {
	start
	create "$T_MTTY1" "$U1"
	sim_ctl "$ROOT" fail remove EAGAIN
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output EAGAIN
	[ -d "$SYS/$MTTY/$U1" ] || fail "removed despite the fault"
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output OK
	assert_gone "$SYS/$MTTY/$U1"
}

@test "busy UUID makes remove fail with EBUSY until unbusy" {
	start
	create "$T_MTTY1" "$U1"
	create "$T_MTTY1" "$U2"
	sim_ctl "$ROOT" busy "${U1^^}"
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output EBUSY
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output EBUSY
	[ -d "$SYS/$MTTY/$U1" ] || fail "a busy device went away"
	run sim_write "$SYS/bus/mdev/devices/$U2/remove" 1
	assert_output OK
	sim_ctl "$ROOT" unbusy "$U1"
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output OK
	assert_gone "$SYS/$MTTY/$U1"
}

@test "unplug PARENT removes it with its devices; plug brings it back fresh" {
	start
	create "$T_MTTY2" "$U1"
	create "$T_MTTY1" "$U2"
	create "$T_GVT4" "$U3"
	sim_ctl "$ROOT" unplug mtty
	run ls "$SYS/class/mdev_bus"
	assert_output $'0000:00:02.0\nmatrix'
	assert_gone "$SYS/$MTTY"
	run ls "$SYS/bus/mdev/devices"
	assert_output "$U3"
	assert_gone "$SYS/bus/mdev/drivers/mtty/$U1"
	run sim_write "$SYS/mdev-sim/control" "unplug mtty"
	assert_output EALREADY
	sim_ctl "$ROOT" plug mtty
	assert_link "$SYS/class/mdev_bus/mtty" "../../$MTTY"
	assert_content "$SYS/$T_MTTY1/available_instances" $'24\n'
	assert_content "$SYS/$T_MTTY2/available_instances" $'12\n'
	run ls -A "$SYS/$T_MTTY2/devices"
	assert_output ''
	# the UUIDs of the vanished devices are free again
	create "$T_MTTY2" "$U1"
	run sim_write "$SYS/mdev-sim/control" "plug mtty"
	assert_output EALREADY
	run sim_write "$SYS/mdev-sim/control" "unplug nosuch"
	assert_output ENOENT
}

@test "unplug-on-create PARENT: the next create on it unplugs the parent and fails with ENODEV" {
	start
	create "$T_MTTY1" "$U1"
	create "$T_GVT4" "$U2"
	sim_ctl "$ROOT" unplug-on-create mtty
	run bash -c "jq -c .faults.unplug_on_create '$SYS/mdev-sim/state'"
	assert_output '["mtty"]'
	# a create on another parent is not concerned
	create "$T_GVT4" "$U3"
	# the file was opened while the parent was there; the write finds it gone
	run sim_write "$SYS/$T_MTTY2/create" "$UA"
	assert_output ENODEV
	assert_gone "$SYS/$MTTY"
	assert_gone "$SYS/class/mdev_bus/mtty"
	assert_gone "$SYS/bus/mdev/devices/$U1"
	assert_gone "$SYS/bus/mdev/devices/$UA"
	run bash -c "jq -c '[.parents.mtty.plugged, [.devices[].uuid], .faults.unplug_on_create]' '$SYS/mdev-sim/state'"
	assert_output '[false,["'"$U2"'","'"$U3"'"],[]]'
	# once: plugged again, creates work
	sim_ctl "$ROOT" plug mtty
	create "$T_MTTY2" "$UA"
	run sim_write "$SYS/mdev-sim/control" "unplug-on-create nosuch"
	assert_output ENOENT
	# reset disarms it
	sim_ctl "$ROOT" unplug-on-create mtty
	sim_ctl "$ROOT" reset
	create "$T_MTTY1" "$U1"
	run bash -c "jq -c .parents.mtty.plugged '$SYS/mdev-sim/state'"
	assert_output true
}

@test "reset clears pending faults" {
	start
	create "$T_MTTY1" "$U1"
	sim_ctl "$ROOT" fail create EIO
	sim_ctl "$ROOT" fail remove EIO
	sim_ctl "$ROOT" fail attr x EIO
	sim_ctl "$ROOT" busy "$U1"
	sim_ctl "$ROOT" unplug-on-create matrix
	run bash -c "jq -c .faults '$SYS/mdev-sim/state'"
	assert_output '{"create":"EIO","remove":"EIO","attr":{"x":"EIO"},"busy":["'"$U1"'"],"unplug_on_create":["matrix"]}'
	sim_ctl "$ROOT" reset
	run bash -c "jq -c .faults '$SYS/mdev-sim/state'"
	assert_output '{"create":null,"remove":null,"attr":{},"busy":[],"unplug_on_create":[]}'
	create "$T_MTTY1" "$U2"
	run sim_write "$SYS/bus/mdev/devices/$U1/remove" 1
	assert_output OK
}

@test "unknown or malformed control commands fail with EINVAL" {
	start
	local bad
	for bad in $'\n' bogus "fail" "fail create" "fail create ENOTANERRNO" "fail create 0" \
		"fail create 512" "fail delete EIO" "fail attr x" "busy" "busy not-a-uuid" \
		"unplug" "plug a b" "reset now" "fail create EIO extra" "unplug-on-create" \
		"unplug-on-create mtty matrix"; do
		run sim_write "$SYS/mdev-sim/control" "$bad"
		assert_output EINVAL
	done
	run bash -c "jq -c .faults '$SYS/mdev-sim/state'"
	assert_output '{"create":null,"remove":null,"attr":{},"busy":[],"unplug_on_create":[]}'
	# garbage bytes
	run python3 -c '
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
try:
    os.write(fd, bytes(range(256)))
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])' "$SYS/mdev-sim/control"
	assert_output EINVAL
}

@test "state is a JSON dump of devices, pools and types" {
	start
	create "$T_MTTY2" "$U1"
	create "$T_GVT4" "$U2"
	run bash -c "jq -c '.devices' '$SYS/mdev-sim/state'"
	assert_output '[{"uuid":"'"$U1"'","parent":"mtty","type":"mtty-2","iommu_group":0,"busy":false,"attributes":{}},{"uuid":"'"$U2"'","parent":"0000:00:02.0","type":"i915-GVTg_V5_4","iommu_group":1,"busy":false,"attributes":{}}]'
	run bash -c "jq -c '.parents.mtty' '$SYS/mdev-sim/state'"
	assert_output '{"plugged":true,"pools":{"ports":{"size":24,"used":2}},"types":{"mtty-1":{"available_instances":22,"devices":0},"mtty-2":{"available_instances":11,"devices":1}}}'
	run bash -c "jq -c '.parents[\"0000:00:02.0\"].types[\"i915-GVTg_V5_4\"]' '$SYS/mdev-sim/state'"
	assert_output '{"available_instances":1,"devices":1}'
}

# --- the command line and bad host files ---------------------------------------------------

@test "a bad host file is refused with a message saying where, and nothing is mounted" {
	mkdir -p "$ROOT/sys"
	local host
	host=$(host_file bad1 '{"parents": [{"name": "x", "path": "devices/x", "types": [{"id": "t", "device_api": "vfio-pci", "instances": 1, "cost": 2}]}]}')
	run "$MDEV_SIM" --host "$host" "$ROOT/sys"
	assert_failure 1
	assert_output "mdev-sim: $host: parents[0].types[0].cost: only means something with a \"pool\""
	host=$(host_file bad2 '{"parents": [{"name": "x", "path": "devices/x", "typos": []}]}')
	run "$MDEV_SIM" --host "$host" "$ROOT/sys"
	assert_failure 1
	assert_output --partial "$host: parents[0]: unknown key \"typos\""
	host=$(host_file bad3 '{"parents": [')
	run "$MDEV_SIM" --host "$host" "$ROOT/sys"
	assert_failure 1
	assert_output --regexp "^mdev-sim: $host:1:[0-9]+: "
	host=$(host_file bad4 '{"parents": [{"name": "a", "path": "devices/a", "types": []}, {"name": "a", "path": "devices/b", "types": []}]}')
	run "$MDEV_SIM" --host "$host" "$ROOT/sys"
	assert_failure 1
	assert_output --partial "parents[1].name: \"a\" is also the name of parents[0]"
	host=$(host_file bad5 '{"parents": [{"name": "p", "path": "devices/p", "types": [{"id": "t", "device_api": "vfio-pci", "instances": 1, "attributes": {"n": {"range": [1, 8], "default": "0"}}}]}]}')
	run "$MDEV_SIM" --host "$host" "$ROOT/sys"
	assert_failure 1
	assert_output --partial "parents[0].types[0].attributes.n.default: \"0\" is not an allowed value"
	host=$(host_file bad6 '{"parents": [{"name": "mtty", "path": "devices/virtual/mtty/mtty", "pci": {"vendor": "0x8086", "device": "0x1", "subsystem_vendor": "0x0", "subsystem_device": "0x0"}, "types": []}]}')
	run "$MDEV_SIM" --host "$host" "$ROOT/sys"
	assert_failure 1
	assert_output "mdev-sim: $host: parents[0].pci: only a parent on the PCI bus (subsystem bus/pci) has PCI ids"
	host=$(host_file bad7 '{"parents": [{"name": "0000:00:02.0", "path": "devices/p", "driver": {"name": "d"}, "pci": {"vendor": "8086", "device": "0x1", "subsystem_vendor": "0x0", "subsystem_device": "0x0"}, "types": []}]}')
	run "$MDEV_SIM" --host "$host" "$ROOT/sys"
	assert_failure 1
	assert_output "mdev-sim: $host: parents[0].pci.vendor: must be \"0x\" and 1 to 4 hex digits"
	run "$MDEV_SIM" --host "$BATS_TEST_TMPDIR/missing.json" "$ROOT/sys"
	assert_failure 1
	assert_output --partial "missing.json"
	run "$MDEV_SIM" "$ROOT/sys"
	assert_failure 2
	run _sim_mounted "$ROOT/sys"
	assert_failure
}

@test "every shipped host file loads" {
	local f
	for f in "$SIM_HOSTS"/*.json; do
		rm -rf "$ROOT"
		sim_start "$f" "$ROOT" || fail "$f did not load"
		[ -d "$ROOT/sys/class/mdev_bus" ] || fail "$f: no class/mdev_bus"
		sim_stop "$ROOT" || fail "$f: unmount failed"
	done
}

@test "fusermount3 -u unmounts and the simulator goes away" {
	start
	run _sim_mounted "$SYS"
	assert_success
	fusermount3 -u "$SYS"
	run _sim_mounted "$SYS"
	assert_failure
	[ ! -e "$SYS/class" ] || fail "the tree is still visible"
}

# --- real mdevctl binaries ----------------------------------------------------------------

@test "Debian's mdevctl lists the types" {
	sim_require_upstream
	start
	run sim_upstream_mdevctl "$ROOT" types
	assert_success
	assert_output --partial $'mtty\n  mtty-1\n    Available instances: 24\n    Device API: vfio-pci\n    Name: Single port serial'
	assert_output --partial $'  i915-GVTg_V5_4\n    Available instances: 2\n    Device API: vfio-pci\n    Name: GVTg_V5_4\n    Description: low_gm_size: 128MB, high_gm_size: 512MB'
	assert_output --partial $'matrix\n  vfio_ap-passthrough\n    Available instances: 65535\n    Device API: vfio-ap'
}

@test "Debian's mdevctl starts and stops a device" {
	sim_require_upstream
	start
	run sim_upstream_mdevctl "$ROOT" start -u "$U1" -p mtty -t mtty-2
	assert_success
	assert_link "$SYS/bus/mdev/devices/$U1" "../../../$MTTY/$U1"
	assert_content "$SYS/$T_MTTY1/available_instances" $'22\n'
	run sim_upstream_mdevctl "$ROOT" list
	assert_success
	assert_line "$U1 mtty mtty-2 manual"
	run sim_upstream_mdevctl "$ROOT" types -p mtty
	assert_output --partial $'  mtty-2\n    Available instances: 11\n'
	run sim_upstream_mdevctl "$ROOT" stop -u "$U1"
	assert_success
	assert_gone "$SYS/bus/mdev/devices/$U1"
	run bash -c "jq -c '.devices' '$SYS/mdev-sim/state'"
	assert_output '[]'
}

@test "Debian's mdevctl reports injected faults" {
	sim_require_upstream
	start
	sim_ctl "$ROOT" fail create EIO
	run sim_upstream_mdevctl "$ROOT" start -u "$U1" -p mtty -t mtty-2
	assert_failure
	assert_output --partial "Input/output error"
	create "$T_MTTY2" "$U1"
	sim_ctl "$ROOT" busy "$U1"
	run sim_upstream_mdevctl "$ROOT" stop -u "$U1"
	assert_failure
	assert_output --partial "busy"
	[ -d "$SYS/$MTTY/$U1" ] || fail "the busy device went away"
}

@test "our mdevctl works on the simulator through MDEVCTL_ENV_ROOT" {
	local bin=${MDEVCTL:-$SIM_DIR/../../build/src/mdevctl}
	[ -x "$bin" ] || skip "mdevctl is not built ($bin)"
	start
	MDEVCTL_ENV_ROOT=$ROOT run "$bin" start -u "$U1" -p 0000:00:02.0 -t i915-GVTg_V5_8
	assert_success
	assert_link "$SYS/bus/mdev/devices/$U1" "../../../$GVT/$U1"
	MDEVCTL_ENV_ROOT=$ROOT run "$bin" list
	assert_output "$U1 0000:00:02.0 i915-GVTg_V5_8 manual"
	MDEVCTL_ENV_ROOT=$ROOT run "$bin" stop -u "$U1"
	assert_success
	assert_gone "$SYS/$GVT/$U1"
}
