#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# modify: change stored definitions (and, with --live, running devices).

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
	J=$BATS_TEST_TMPDIR/in.json
	F_AP=$(definition_path "$P_AP" "$U_AP")
	F_MTTY=$(definition_path "$P_MTTY" "$U_MTTY")
	F_GVT8=$(definition_path "$P_GVT" "$U_GVT8")
}

ap_attrs() {
	echo assign_adapter=5 assign_domain=0xab assign_control_domain=0xab
}

# --- start mode and type ----------------------------------------------------------------

@test "modify --auto and --manual change only the start mode" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --auto
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	# shellcheck disable=SC2046
	assert_bytes "$F_AP" "$(def_json "$T_AP" auto $(ap_attrs))"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --manual
	assert_success
	assert_golden "$F_AP" list/defined-uuid.json
	run --separate-stderr "$MDEVCTL" modify -u "$U_GVT8" -m
	assert_success
	assert_bytes "$F_GVT8" "$(def_json "$T_GVT8" manual)"
	run --separate-stderr "$MDEVCTL" modify -u "$U_GVT8" -a
	assert_success
	assert_bytes "$F_GVT8" "$(def_json "$T_GVT8" auto)"
}

@test "modify does not touch the running device" {
	"$MDEVCTL" modify -u "$U_AP" --auto
	assert_empty_file "$(device_dir "$U_AP")/remove"
	assert_empty_file "$(create_file "$P_AP" "$T_AP")"
}

@test "modify -t with -m/-a changes the type, not validated" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -t "$T_MTTY1" -m
	assert_success
	assert_bytes "$F_MTTY" "$(def_json "$T_MTTY1" manual)"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --type nosuchtype --auto
	assert_success
	assert_bytes "$F_MTTY" "$(def_json nosuchtype auto)"
}

@test "modify -t alone is a usage error" {
	snapshot before
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -t "$T_MTTY1"
	assert_usage_error
	snapshot after
	assert_same_snapshot before after
}

@test "modify with no change is a usage error" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -p "$P_MTTY"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --defined
	assert_usage_error
}

@test "modify requires --uuid" {
	run --separate-stderr "$MDEVCTL" modify --auto
	assert_usage_error
	run --separate-stderr "$MDEVCTL" modify -p "$P_MTTY" --manual
	assert_usage_error
}

@test "modify: only one of --auto, --manual, --addattr, --delattr, --jsonfile" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto"}' >"$J"
	snapshot before
	local args
	for args in "--auto --manual" "--auto --delattr" "--manual --addattr a --value 1" \
		"--addattr a --value 1 --delattr" "--jsonfile $J --auto" "--jsonfile $J --delattr"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -p "$P_MTTY" $args
		assert_usage_error
	done
	snapshot after
	assert_same_snapshot before after
}

@test "modify: option dependencies and conflicts are usage errors" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto"}' >"$J"
	snapshot before
	local args
	for args in "--addattr a" "--value 1 --auto" "--delattr --value 1" "--auto --index 0" \
		"--manual --index 0" "--jsonfile $J -t x" "--jsonfile $J --index 0" "--jsonfile $J --value 1" \
		"--live --jsonfile $J -t x" "--live --delattr --index 0" "--value 1"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -p "$P_MTTY" $args
		assert_usage_error
	done
	snapshot after
	assert_same_snapshot before after
}

# --- attributes -----------------------------------------------------------------------

@test "modify --addattr --value appends" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --addattr assign_usage --value 0x1
	assert_success
	assert_output ""
	# shellcheck disable=SC2046
	assert_bytes "$F_AP" "$(def_json "$T_AP" manual $(ap_attrs) assign_usage=0x1)"
}

@test "modify --addattr --index 0 inserts first, --index len appends" {
	"$MDEVCTL" modify -u "$U_AP" --addattr first --value 1 --index 0
	# shellcheck disable=SC2046
	assert_bytes "$F_AP" "$(def_json "$T_AP" manual first=1 $(ap_attrs))"
	"$MDEVCTL" modify -u "$U_AP" --addattr last --value 2 -i 4
	# shellcheck disable=SC2046
	assert_bytes "$F_AP" "$(def_json "$T_AP" manual first=1 $(ap_attrs) last=2)"
	"$MDEVCTL" modify -u "$U_AP" --addattr middle --value 3 --index=2
	assert_bytes "$F_AP" "$(def_json "$T_AP" manual first=1 assign_adapter=5 middle=3 assign_domain=0xab assign_control_domain=0xab last=2)"
}

@test "modify --addattr keeps duplicate names and stores the value verbatim" {
	"$MDEVCTL" modify -u "$U_MTTY" --addattr a --value 'x y/z'
	"$MDEVCTL" modify -u "$U_MTTY" --addattr a --value ''
	assert_bytes "$F_MTTY" "$(def_json "$T_MTTY2" auto 'a=x y/z' a=)"
}

@test "modify --addattr with a value that needs JSON escaping" {
	"$MDEVCTL" modify -u "$U_MTTY" --addattr 'q"k' --value 'back\slash "quoted"'
	assert_bytes "$F_MTTY" '{
  "mdev_type": "mtty-2",
  "start": "auto",
  "attrs": [
    {
      "q\"k": "back\\slash \"quoted\""
    }
  ]
}'
}

@test "modify --delattr removes the last attribute, --index removes that one" {
	"$MDEVCTL" modify -u "$U_AP" --delattr
	assert_bytes "$F_AP" "$(def_json "$T_AP" manual assign_adapter=5 assign_domain=0xab)"
	"$MDEVCTL" modify -u "$U_AP" --delattr --index 0
	assert_bytes "$F_AP" "$(def_json "$T_AP" manual assign_domain=0xab)"
	"$MDEVCTL" modify -u "$U_AP" --delattr -i 0
	assert_bytes "$F_AP" "$(def_json "$T_AP" manual)"
}

@test "modify --delattr on a device without attributes does nothing" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --delattr
	assert_success
	assert_bytes "$F_MTTY" "$(def_json "$T_MTTY2" auto)"
}

@test "modify --addattr with an index past the end: error with the attribute listing" {
	cp "$F_AP" "$BATS_TEST_TMPDIR/orig"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --addattr x --value 1 --index 4
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" 'Error: Attribute index 4 is invalid
  Attrs:
    @{0}: {"assign_adapter":"5"}
    @{1}: {"assign_domain":"0xab"}
    @{2}: {"assign_control_domain":"0xab"}'
	cmp "$F_AP" "$BATS_TEST_TMPDIR/orig"
}

@test "modify --delattr with an index past the end: error with the attribute listing" {
	cp "$F_AP" "$BATS_TEST_TMPDIR/orig"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --delattr --index 3
	assert_equal "$status" 1
	assert_equal "$stderr" 'Error: Attribute index 3 is invalid
  Attrs:
    @{0}: {"assign_adapter":"5"}
    @{1}: {"assign_domain":"0xab"}
    @{2}: {"assign_control_domain":"0xab"}'
	cmp "$F_AP" "$BATS_TEST_TMPDIR/orig"
}

@test "modify with an invalid index on a device without attributes" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --delattr --index 0
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Attribute index 0 is invalid
Device e27825ad-d57e-4e68-9f06-a0b962f030b3 has no attributes"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --addattr a --value 1 --index 1
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Attribute index 1 is invalid
Device e27825ad-d57e-4e68-9f06-a0b962f030b3 has no attributes"
	assert_bytes "$F_MTTY" "$(def_json "$T_MTTY2" auto)"
}

@test "modify refuses attribute names that are not a single path component" {
	snapshot before
	local name
	for name in 'a/b' '..' '' '../remove' $'x\ny' $'x\x01'; do
		run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --addattr "$name" --value 1
		assert_equal "$status" 1
		assert_equal "$output" ""
		[[ $stderr == "Error: "* ]] || fail "attribute '$name': $stderr"
	done
	snapshot after
	assert_same_snapshot before after
}

# --- which definition ------------------------------------------------------------------

@test "modify of a device that is not defined" {
	run --separate-stderr "$MDEVCTL" modify -u "$U1" --auto
	assert_error "Mediated device 11111111-1111-4111-8111-111111111111 is not defined"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -p "$P_GVT" --auto
	assert_error "Mediated device 0000:00:02.0/e27825ad-d57e-4e68-9f06-a0b962f030b3 is not defined"
	# running but not defined
	run --separate-stderr "$MDEVCTL" modify -u "$U_GVT4" --auto
	assert_error "Mediated device 950dd676-e30c-4b08-bebe-a4530f22422c is not defined"
	refute_exists "$(definition_path "$P_GVT" "$U_GVT4")"
}

@test "modify of a UUID defined under two parents needs -p" {
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual)"
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" manual)"
	run --separate-stderr "$MDEVCTL" modify -u "$U1" --auto
	assert_error "Multiple definitions found for 11111111-1111-4111-8111-111111111111, specify a parent"
	assert_bytes "$(definition_path "$P_GVT" "$U1")" "$(def_json "$T_GVT4" manual)"
	run --separate-stderr "$MDEVCTL" modify -u "$U1" -p "$P_AP" --auto
	assert_success
	assert_bytes "$(definition_path "$P_AP" "$U1")" "$(def_json "$T_AP" auto)"
	assert_bytes "$(definition_path "$P_GVT" "$U1")" "$(def_json "$T_GVT4" manual)"
}

@test "modify leaves no temporary files" {
	"$MDEVCTL" modify -u "$U_MTTY" --addattr a --value 1
	only_file "$ETC/$P_MTTY" "$U_MTTY"
}

@test "modify --defined without --live is a plain stored modify" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --defined --auto
	assert_success
	# shellcheck disable=SC2046
	assert_bytes "$F_AP" "$(def_json "$T_AP" auto $(ap_attrs))"
}

# --- --jsonfile ----------------------------------------------------------------------------

@test "modify --jsonfile requires --parent, even for a unique UUID" {
	printf '%s' '{"mdev_type":"mtty-1","start":"manual"}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --jsonfile "$J"
	assert_error "Parent device required to modify device via json file"
	assert_bytes "$F_MTTY" "$(def_json "$T_MTTY2" auto)"
}

@test "modify --jsonfile replaces type, start and attributes" {
	printf '%s' '{"attrs":[{"b":"2"},{"a":"1"}],"start":"manual","mdev_type":"mtty-1","x":0}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -p "$P_MTTY" --jsonfile "$J"
	assert_success
	assert_output ""
	assert_bytes "$F_MTTY" "$(def_json "$T_MTTY1" manual b=2 a=1)"
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"auto"}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" -p "$P_AP" --jsonfile "$J" --defined
	assert_success
	assert_bytes "$F_AP" "$(def_json "$T_AP" auto)"
}

@test "modify --jsonfile of a device that is not defined creates the definition" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_success
	assert_bytes "$(definition_path "$P_MTTY" "$U1")" "$(def_json "$T_MTTY1" auto)"
}

@test "modify --jsonfile with bad JSON leaves the definition alone" {
	local content
	for content in '{"mdev_type":' '{"start":"auto"}' '{"mdev_type":"x","start":"auto","attrs":[{"a":1}]}'; do
		printf '%s' "$content" >"$J"
		run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -p "$P_MTTY" --jsonfile "$J"
		assert_equal "$status" 1
		[[ $stderr == "Error: "* ]] || fail "$content: $stderr"
		assert_bytes "$F_MTTY" "$(def_json "$T_MTTY2" auto)"
	done
}

# --- --live (without a versioned callout; see 80-callouts for the successful case) ---------

@test "modify --live of a device that is not running" {
	printf '%s' '{"mdev_type":"mtty-2","start":"auto"}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --live --jsonfile "$J"
	assert_error "Mediated device e27825ad-d57e-4e68-9f06-a0b962f030b3 is not active"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" -p "$P_MTTY" --live --jsonfile "$J"
	assert_error "Mediated device mtty/e27825ad-d57e-4e68-9f06-a0b962f030b3 is not active"
}

@test "modify --live cannot change auto or manual" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --auto
	assert_error "'auto' cannot be changed on active mdev"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --manual
	assert_error "'manual' cannot be changed on active mdev"
	assert_golden "$F_AP" list/defined-uuid.json
}

@test "modify --live without --jsonfile" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --delattr
	assert_error "'live' option must be used with 'jsonfile' option"
	assert_golden "$F_AP" list/defined-uuid.json
}

@test "modify --live cannot change the type" {
	printf '%s' '{"mdev_type":"i915-GVTg_V5_4","start":"manual","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_GVT8" --live --jsonfile "$J"
	assert_error "'type' cannot be changed on active mdev"
}

@test "modify --live needs a versioned callout script" {
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_domain":"0x1"}]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --jsonfile "$J"
	assert_error "No callout script with version support found that supports live modify"
	assert_golden "$F_AP" list/defined-uuid.json
}
