#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# undefine: remove stored definitions.

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
}

@test "undefine -u: removes the definition, prints nothing, leaves the parent directory" {
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	refute_exists "$(definition_path "$P_MTTY" "$U_MTTY")"
	[ -d "$ETC/$P_MTTY" ]
	"$MDEVCTL" list -d >"$OUT"
	assert_bytes "$OUT" "711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto (active)
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (active)
"
}

@test "undefine of a running device leaves the device running" {
	run --separate-stderr "$MDEVCTL" undefine -u "$U_AP"
	assert_success
	refute_exists "$(definition_path "$P_AP" "$U_AP")"
	assert_empty_file "$(device_dir "$U_AP")/remove"
	"$MDEVCTL" list -u "$U_AP" >"$OUT"
	assert_bytes "$OUT" "cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual
"
}

@test "undefine without -p removes the UUID under every parent" {
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual)"
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" auto)"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" auto)"
	run --separate-stderr "$MDEVCTL" undefine -u "$U1"
	assert_success
	refute_exists "$(definition_path "$P_GVT" "$U1")"
	refute_exists "$(definition_path "$P_AP" "$U1")"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
	# the others are still there
	"$MDEVCTL" list -d >"$OUT"
	assert_golden "$OUT" list/defined.txt
}

@test "undefine -p removes only that parent's definition" {
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual)"
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" auto)"
	run --separate-stderr "$MDEVCTL" undefine -u "$U1" -p "$P_AP"
	assert_success
	assert_exists "$(definition_path "$P_GVT" "$U1")"
	refute_exists "$(definition_path "$P_AP" "$U1")"
}

@test "undefine of an unknown UUID" {
	snapshot before
	run --separate-stderr "$MDEVCTL" undefine -u "$U1"
	assert_error "No devices match the specified uuid"
	snapshot after
	assert_same_snapshot before after
}

@test "undefine with a parent that does not match" {
	snapshot before
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY" -p "$P_GVT"
	assert_error "No devices match the specified uuid"
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY" -p nosuchparent
	assert_error "No devices match the specified uuid"
	snapshot after
	assert_same_snapshot before after
}

@test "undefine of a running device that has no definition" {
	run --separate-stderr "$MDEVCTL" undefine -u "$U_GVT4"
	assert_error "No devices match the specified uuid"
}

@test "undefine requires --uuid" {
	run --separate-stderr "$MDEVCTL" undefine
	assert_usage_error
	run --separate-stderr "$MDEVCTL" undefine -p "$P_MTTY"
	assert_usage_error
}

@test "undefine accepts other UUID forms" {
	run --separate-stderr "$MDEVCTL" undefine --uuid=E27825ADD57E4E689F06A0B962F030B3
	assert_success
	refute_exists "$(definition_path "$P_MTTY" "$U_MTTY")"
}

@test "undefine then define again" {
	"$MDEVCTL" undefine -u "$U_MTTY"
	run --separate-stderr "$MDEVCTL" define -u "$U_MTTY" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_bytes "$(definition_path "$P_MTTY" "$U_MTTY")" "$(def_json "$T_MTTY1" manual)"
}

@test "undefine refuses a parent name that is not a single path component" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	snapshot before
	local p
	for p in ../etc/mdevctl.d/mtty 'a/b' '..' ''; do
		run --separate-stderr "$MDEVCTL" undefine -u "$U1" -p "$p"
		assert_equal "$status" 1
		[[ $stderr == *"Error: "* ]] || fail "no error for parent '$p': $stderr"
	done
	snapshot after
	assert_same_snapshot before after
}
