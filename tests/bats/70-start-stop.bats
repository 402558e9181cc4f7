#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# start, stop and start-parent-mdevs against the plain-file sysfs model: `create` receives the
# UUID, `remove` receives 1, attributes are written into a pre-made device directory.

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
	J=$BATS_TEST_TMPDIR/in.json
}

# --- transient devices ---------------------------------------------------------------

@test "start -p -t: generates a UUID, prints it, writes it to create without newline" {
	run --separate-stderr "$MDEVCTL" start -p "$P_GVT" -t "$T_GVT4"
	assert_success
	assert_equal "$stderr" ""
	assert_output --regexp "^$UUID_RE\$"
	assert_bytes "$(create_file "$P_GVT" "$T_GVT4")" "$output"
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT8")"
}

@test "start -u -p -t: prints nothing, writes the UUID to create" {
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
}

@test "start: the UUID is written in canonical form" {
	"$MDEVCTL" start -u 11111111111141118111111111111111 -p "$P_MTTY" -t "$T_MTTY1"
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
}

@test "start of a transient device does not define it" {
	"$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	refute_exists "$ETC/$P_MTTY/$U1"
}

# --- defined devices --------------------------------------------------------------------

@test "start -u of a defined device uses its parent and type" {
	run --separate-stderr "$MDEVCTL" start -u "$U_MTTY"
	assert_success
	assert_output ""
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY2")" "$U_MTTY"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
}

@test "start of a defined device ignores its start mode" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_success
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
}

@test "start of a defined device writes its attributes, in order, into the device" {
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" manual assign_adapter=5 assign_domain=0x47 assign_adapter=6 assign_control_domain='0x47 x')"
	add_device_dir "$U1" assign_adapter assign_domain assign_control_domain
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_success
	assert_output ""
	local d
	d=$(device_dir "$U1")
	assert_bytes "$(create_file "$P_AP" "$T_AP")" "$U1"
	# the second assign_adapter came last
	assert_bytes "$d/assign_adapter" "6"
	assert_bytes "$d/assign_domain" "0x47"
	assert_bytes "$d/assign_control_domain" "0x47 x"
	assert_empty_file "$d/remove"
}

@test "start -u -p -t of a defined device with the same type uses the definition's attributes" {
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" manual assign_domain=0x47)"
	add_device_dir "$U1" assign_domain
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_AP" -t "$T_AP"
	assert_success
	assert_bytes "$(device_dir "$U1")/assign_domain" "0x47"
}

@test "start -u -t of a defined device with another type" {
	run --separate-stderr "$MDEVCTL" start -u "$U_MTTY" -t "$T_MTTY1"
	assert_error "Device e27825ad-d57e-4e68-9f06-a0b962f030b3 already exists on parent mtty with type mtty-2"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY2")"
}

@test "start -u of a UUID defined under two parents" {
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual)"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_error "Multiple definitions found for device 11111111-1111-4111-8111-111111111111. Please specify a parent."
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT4")"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY"
	assert_success
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT4")"
}

@test "start -u -p -t on a parent without that definition starts a transient device" {
	run --separate-stderr "$MDEVCTL" start -u "$U_MTTY" -p "$P_GVT" -t "$T_GVT4"
	assert_success
	assert_bytes "$(create_file "$P_GVT" "$T_GVT4")" "$U_MTTY"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY2")"
}

# --- insufficient specification -----------------------------------------------------------

@test "start without --uuid and --parent is a usage error" {
	run --separate-stderr "$MDEVCTL" start
	assert_usage_error
	run --separate-stderr "$MDEVCTL" start -t "$T_MTTY1"
	assert_usage_error
}

@test "start: insufficiently specified devices" {
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_error "Device is insufficiently specified"
	run --separate-stderr "$MDEVCTL" start -p "$P_MTTY"
	assert_error "Device is insufficiently specified"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY"
	assert_error "Device is insufficiently specified"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -t "$T_MTTY1"
	assert_error "can't provide type without parent"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
}

# --- the create sequence: checks in order -----------------------------------------------

@test "start: a device that is already running" {
	run --separate-stderr "$MDEVCTL" start -u "$U_GVT4" -p "$P_GVT" -t "$T_GVT4"
	assert_error "Device already exists"
	run --separate-stderr "$MDEVCTL" start -u "$U_GVT8"
	assert_error "Device already exists"
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT4")"
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT8")"
}

@test "start: a UUID running under another parent" {
	run --separate-stderr "$MDEVCTL" start -u "$U_GVT4" -p "$P_AP" -t "$T_AP"
	assert_error "Device exists under different parent"
	assert_empty_file "$(create_file "$P_AP" "$T_AP")"
}

@test "start: a UUID running with another type" {
	run --separate-stderr "$MDEVCTL" start -u "$U_GVT4" -p "$P_GVT" -t "$T_GVT8"
	assert_error "Device exists with different type"
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT8")"
}

@test "start: the running check comes before the parent check" {
	run --separate-stderr "$MDEVCTL" start -u "$U_GVT4" -p nosuchparent -t nosuchtype
	assert_error "Device exists under different parent"
}

@test "start: unknown parent" {
	run --separate-stderr "$MDEVCTL" start -p 0000:00:99.0 -t "$T_GVT4"
	assert_error "Unable to find parent device '0000:00:99.0'"
}

@test "start: a parent name in the wrong case gets a hint" {
	run --separate-stderr "$MDEVCTL" start -p MATRIX -t "$T_AP"
	assert_error "Unable to find parent device 'MATRIX'. Did you mean 'matrix'?"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p mTtY -t nosuchtype
	assert_error "Unable to find parent device 'mTtY'. Did you mean 'mtty'?"
	assert_empty_file "$(create_file "$P_AP" "$T_AP")"
}

@test "start: a parent not registered for mdev" {
	add_unregistered_parent fakeparent
	run --separate-stderr "$MDEVCTL" start -p fakeparent -t "$T_GVT4"
	assert_error "Parent fakeparent is not currently registered for mdev support"
}

@test "start: a type the parent does not support" {
	run --separate-stderr "$MDEVCTL" start -p "$P_GVT" -t nosuchtype
	assert_error "Parent 0000:00:02.0 does not support mdev type nosuchtype"
	run --separate-stderr "$MDEVCTL" start -p "$P_GVT" -t "$T_AP"
	assert_error "Parent 0000:00:02.0 does not support mdev type vfio_ap-passthrough"
}

@test "start: no available instances" {
	add_parent 0000:2b:00.0 devices/pci0000:00/0000:2b:00.0
	add_type 0000:2b:00.0 nvidia-36 0 vfio-pci
	run --separate-stderr "$MDEVCTL" start -p 0000:2b:00.0 -t nvidia-36
	assert_error "No available instances of nvidia-36 on 0000:2b:00.0"
	assert_empty_file "$(create_file 0000:2b:00.0 nvidia-36)"
}

@test "start: writing create fails" {
	local c
	c=$(create_file "$P_MTTY" "$T_MTTY1")
	rm "$c"
	mkdir "$c"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" "Error: Failed to create mdev 11111111-1111-4111-8111-111111111111, type mtty-1 on mtty

Caused by:
    Is a directory (os error 21)"
}

# A rerooted tree is plain files (tests, images prepared offline): as upstream's writes, ours
# create a kernel file that is missing there. The real /sys never lacks them (tests/e2e).
@test "start on a rerooted tree whose type has no create file writes a new one" {
	local c
	c=$(create_file "$P_MTTY" "$T_MTTY1")
	rm "$c"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_bytes "$c" "$U1"
	assert_equal "$(stat -c %a "$c")" 644
}

@test "start on a rerooted tree: a missing type or parent still creates nothing" {
	local t
	t=$(type_dir "$P_MTTY" "$T_MTTY1")
	rm "$t/create"
	snapshot before
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t nosuchtype
	assert_error "Parent mtty does not support mdev type nosuchtype"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p nosuchparent -t "$T_MTTY1"
	assert_error "Unable to find parent device 'nosuchparent'"
	mv "$t/available_instances" "$BATS_TEST_TMPDIR/saved"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_error "Unable to read \"$SYS/class/mdev_bus/$P_MTTY/mdev_supported_types/$T_MTTY1/available_instances\"

Caused by:
    No such file or directory (os error 2)"
	mv "$BATS_TEST_TMPDIR/saved" "$t/available_instances"
	snapshot after
	assert_same_snapshot before after
}

@test "start on a rerooted tree: attributes are never created, the rollback's remove is" {
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" manual assign_adapter=5)"
	rm "$(create_file "$P_AP" "$T_AP")"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	# nothing made the device's directory: the attribute is missing, and so is the directory
	# that remove would be written into (upstream reports the failed rollback too)
	assert_equal "$status" 1
	[[ $stderr == "Error: Error removing device $U1"* ]] || fail "stderr: $stderr"
	assert_bytes "$(create_file "$P_AP" "$T_AP")" "$U1"
	add_device_dir "$U1"
	rm "$(device_dir "$U1")/remove"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_error "Invalid attribute 'assign_adapter'"
	refute_exists "$(device_dir "$U1")/assign_adapter"
	assert_bytes "$(device_dir "$U1")/remove" "1"
}

@test "start: a generated UUID is not printed when start fails" {
	local c
	c=$(create_file "$P_MTTY" "$T_MTTY1")
	rm "$c"
	mkdir "$c"
	run --separate-stderr "$MDEVCTL" start -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_output ""
	[[ $stderr == "Error: Failed to create mdev "*", type mtty-1 on mtty"* ]]
}

@test "start: a missing attribute fails and removes the device again" {
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" manual assign_adapter=5 assign_domain=0x47)"
	add_device_dir "$U1" assign_adapter
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_error "Invalid attribute 'assign_domain'"
	assert_bytes "$(create_file "$P_AP" "$T_AP")" "$U1"
	assert_bytes "$(device_dir "$U1")/assign_adapter" "5"
	assert_bytes "$(device_dir "$U1")/remove" "1"
	refute_exists "$(device_dir "$U1")/assign_domain"
}

@test "start: when the rollback fails too, its error is reported" {
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" manual assign_domain=0x47)"
	add_device_dir "$U1"
	rm "$(device_dir "$U1")/remove"
	mkdir "$(device_dir "$U1")/remove"
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_equal "$status" 1
	assert_output ""
	[[ $stderr == "Error: Error removing device 11111111-1111-4111-8111-111111111111"* ]] || fail "stderr: $stderr"
}

@test "start refuses a parent name that is not a single path component" {
	snapshot before
	local p
	for p in ../x '../../class/mdev_bus/mtty' 'a/b' '..' ''; do
		run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$p" -t "$T_MTTY1"
		assert_equal "$status" 1
		assert_equal "$output" ""
		[[ $stderr == "Error: "* ]] || fail "parent '$p': $stderr"
	done
	snapshot after
	assert_same_snapshot before after
}

@test "start refuses attribute names that are not a single path component" {
	add_device_dir "$U1" ok
	local name
	for name in '../remove' 'a/b' '..' '' 'x\ny'; do
		printf '{"mdev_type":"mtty-1","start":"manual","attrs":[{"ok":"1"},{"%s":"1"}]}' "$name" >"$J"
		snapshot before
		run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" --jsonfile "$J"
		assert_equal "$status" 1
		assert_equal "$output" ""
		[[ $stderr == "Error: "* ]] || fail "attribute '$name': $stderr"
		snapshot after
		assert_same_snapshot before after
	done
}

# --- --jsonfile ------------------------------------------------------------------------------

@test "start --jsonfile -p: type and attributes from the file" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":[{"a":"1"},{"b":"two"}]}' >"$J"
	add_device_dir "$U1" a b
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_success
	assert_output ""
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
	assert_bytes "$(device_dir "$U1")/a" "1"
	assert_bytes "$(device_dir "$U1")/b" "two"
	refute_exists "$ETC/$P_MTTY/$U1"
}

@test "start --jsonfile does not consult definitions" {
	printf '%s' '{"mdev_type":"mtty-1","start":"manual"}' >"$J"
	run --separate-stderr "$MDEVCTL" start -u "$U_MTTY" -p "$P_MTTY" --jsonfile "$J"
	assert_success
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U_MTTY"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY2")"
}

@test "start --jsonfile without -u prints the generated UUID" {
	printf '%s' '{"mdev_type":"mtty-1","start":"manual"}' >"$J"
	run --separate-stderr "$MDEVCTL" start -p "$P_MTTY" --jsonfile "$J"
	assert_success
	assert_output --regexp "^$UUID_RE\$"
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$output"
}

@test "start --jsonfile without -p" {
	printf '%s' '{"mdev_type":"mtty-1","start":"manual"}' >"$J"
	run --separate-stderr "$MDEVCTL" start -u "$U1" --jsonfile "$J"
	assert_error "Parent device required to start device via json file"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
}

@test "start --jsonfile conflicts with --type" {
	printf '%s' '{"mdev_type":"mtty-1","start":"manual"}' >"$J"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1" --jsonfile "$J"
	assert_usage_error
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
}

@test "start --jsonfile of a missing file" {
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" --jsonfile "$BATS_TEST_TMPDIR/nonexistent.json"
	assert_equal "$status" 1
	assert_output ""
	assert_equal "$stderr" "Error: Unable to read jsonfile \"$BATS_TEST_TMPDIR/nonexistent.json\"

Caused by:
    No such file or directory (os error 2)"
}

@test "start --jsonfile with bad contents" {
	printf '%s' '{"mdev_type":"mtty-1",' >"$J"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_equal "$status" 1
	[[ $stderr == "Error: "*line*column* ]] || fail "stderr: $stderr"
	printf '%s' '{"mdev_type":"mtty-1"}' >"$J"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error "invalid json"
	printf '%s' '{"mdev_type":"mtty-1","start":"manual","attrs":[{"n":2}]}' >"$J"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error_partial "n"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
}

# --- stop ---------------------------------------------------------------------------------------

@test "stop -u writes 1 to remove" {
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_bytes "$(device_dir "$U_GVT4")/remove" "1"
	assert_empty_file "$(device_dir "$U_AP")/remove"
}

@test "stop of a defined running device leaves the definition" {
	run --separate-stderr "$MDEVCTL" stop --uuid "$U_AP"
	assert_success
	assert_bytes "$(device_dir "$U_AP")/remove" "1"
	assert_golden "$(definition_path "$P_AP" "$U_AP")" list/defined-uuid.json
}

@test "stop of a device that is not running" {
	run --separate-stderr "$MDEVCTL" stop -u "$U1"
	assert_error "Device 11111111-1111-4111-8111-111111111111 is not an active mdev"
	run --separate-stderr "$MDEVCTL" stop -u "$U_MTTY"
	assert_error "Device e27825ad-d57e-4e68-9f06-a0b962f030b3 is not an active mdev"
}

@test "stop of a device directory without mdev_type link: not active" {
	add_device_dir "$U1"
	run --separate-stderr "$MDEVCTL" stop -u "$U1"
	assert_error "Device 11111111-1111-4111-8111-111111111111 is not an active mdev"
	assert_empty_file "$(device_dir "$U1")/remove"
}

@test "stop of a device whose mdev_type link dangles: not active" {
	ln -sfn ../mdev_supported_types/gone "$(parent_dir "$P_GVT")/$U_GVT4/mdev_type"
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4"
	assert_error "Device 950dd676-e30c-4b08-bebe-a4530f22422c is not an active mdev"
	assert_empty_file "$(device_dir "$U_GVT4")/remove"
}

@test "stop on a rerooted tree whose device has no remove file writes a new one" {
	rm "$(device_dir "$U_GVT4")/remove"
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_bytes "$(device_dir "$U_GVT4")/remove" "1"
}

@test "stop: writing remove fails" {
	rm "$(device_dir "$U_GVT4")/remove"
	mkdir "$(device_dir "$U_GVT4")/remove"
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4"
	assert_equal "$status" 1
	[[ $stderr == "Error: Error removing device 950dd676-e30c-4b08-bebe-a4530f22422c"* ]] || fail "stderr: $stderr"
}

@test "stop takes only --uuid" {
	run --separate-stderr "$MDEVCTL" stop
	assert_usage_error
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4" -p "$P_GVT"
	assert_usage_error
	assert_empty_file "$(device_dir "$U_GVT4")/remove"
}

# --- start-parent-mdevs -------------------------------------------------------------------------

@test "start-parent-mdevs starts the auto definitions of that parent only" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	add_definition "$P_AP" "$U2" "$(def_json "$T_AP" auto)"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P_MTTY"
	assert_success
	assert_output ""
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY2")" "$U_MTTY"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
	assert_empty_file "$(create_file "$P_AP" "$T_AP")"
}

@test "start-parent-mdevs writes the definitions' attributes" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" auto a=1 b=2)"
	rm "$(definition_path "$P_MTTY" "$U_MTTY")"
	add_device_dir "$U1" a b
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P_MTTY"
	assert_success
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
	assert_bytes "$(device_dir "$U1")/a" "1"
	assert_bytes "$(device_dir "$U1")/b" "2"
}

@test "start-parent-mdevs of a parent without definitions does nothing" {
	snapshot before
	run --separate-stderr "$MDEVCTL" start-parent-mdevs nosuchparent
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	snapshot after
	assert_same_snapshot before after
}

@test "start-parent-mdevs skips devices that are already running" {
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P_GVT"
	assert_success
	assert_output ""
	refute_warn
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT8")"
}

@test "start-parent-mdevs looks each device up on the bus once" {
	command -v strace >/dev/null || fail "strace is not installed (tools/deps.sh test installs it)"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" auto)"
	no_lsan strace -e trace=readlink,readlinkat -o "$BATS_TEST_TMPDIR/trace" \
		"$MDEVCTL" start-parent-mdevs "$P_MTTY"
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY2")" "$U_MTTY"
	# neither runs: one failing readlink of bus/mdev/devices/UUID each, not one more
	local u
	for u in "$U1" "$U_MTTY"; do
		assert_equal "$(grep -c "\"$u\"" "$BATS_TEST_TMPDIR/trace")" 1
	done
}

@test "start-parent-mdevs keeps going after a failure and exits 0" {
	add_definition "$P_AP" "$U1" "$(def_json nosuchtype auto)"
	add_definition "$P_AP" "$U2" "$(def_json "$T_AP" auto)"
	add_definition "$P_AP" "$U3" "$(def_json nosuchtype auto)"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P_AP"
	assert_success
	assert_output ""
	assert_warn "Parent matrix does not support mdev type nosuchtype"
	assert_bytes "$(create_file "$P_AP" "$T_AP")" "$U2"
}

@test "start-parent-mdevs refuses a parent name that is not a single path component" {
	snapshot before
	run --separate-stderr "$MDEVCTL" start-parent-mdevs ../mdevctl.d/mtty
	assert_equal "$status" 1
	[[ $stderr == "Error: "* ]]
	snapshot after
	assert_same_snapshot before after
}
