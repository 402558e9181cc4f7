#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The exact command lines libvirt runs, with stdin as libvirt provides it (a pipe carrying
# compact JSON without a trailing newline, or /dev/null), and the output libvirt parses.

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
}

# feed STRING ARGS...: run mdevctl with STRING (no newline) on a pipe as stdin
feed() {
	local data=$1
	shift
	printf '%s' "$data" | "$MDEVCTL" "$@"
}

# nullin ARGS...: run mdevctl with stdin from /dev/null, as libvirt does without JSON
nullin() {
	"$MDEVCTL" "$@" </dev/null
}

# The shape libvirt's parser accepts: [] or [ { parent: [ { uuid: {mdev_type, start, attrs} } ] } ]
# with lowercase UUID keys and attrs made of one-key objects with string values.
assert_libvirt_shape() {
	command -v jq >/dev/null || skip "jq is not installed"
	jq -e '
		type == "array" and length <= 1 and
		all(.[]; type == "object" and
			all(.[]; type == "array" and
				all(.[]; type == "object" and length == 1 and
					all(keys[]; test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")) and
					all(.[]; type == "object" and
						(.mdev_type | type) == "string" and
						(.start == "auto" or .start == "manual") and
						(.attrs | type) == "array" and
						all(.attrs[]; type == "object" and length == 1 and all(.[]; type == "string"))))))
	' "$1" >/dev/null || fail "not in the shape libvirt parses: $(cat "$1")"
}

AP_JSON='{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"}]}'
GVT_JSON_NOATTRS='{"mdev_type":"i915-GVTg_V5_4","start":"manual"}'

@test "libvirt: mdevctl list --dumpjson --defined" {
	nullin list --dumpjson --defined >"$OUT"
	assert_golden "$OUT" list/defined.json
	assert_libvirt_shape "$OUT"
}

@test "libvirt: mdevctl list --dumpjson (active), start taken from the definition" {
	nullin list --dumpjson >"$OUT"
	assert_golden "$OUT" list/active.json
	assert_libvirt_shape "$OUT"
}

@test "libvirt: the lists of an empty host are []" {
	rm -rf "$ROOT"
	mkhost --bare
	nullin list --dumpjson --defined >"$OUT"
	assert_bytes "$OUT" "[]"
	nullin list --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
}

@test "libvirt: the modify capability probe exits 0" {
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr nullin modify --defined --live --jsonfile b --help
	assert_success
}

@test "libvirt: define --parent=P --jsonfile=/dev/stdin --uuid=U with attributes" {
	run --separate-stderr feed "$AP_JSON" define --parent=matrix --jsonfile=/dev/stdin --uuid="$U1"
	assert_success
	assert_output ""
	assert_bytes "$(definition_path matrix "$U1")" "$(def_json "$T_AP" manual assign_adapter=5 assign_domain=0x47)"
}

@test "libvirt: define without attrs key and without --uuid prints only the UUID" {
	run --separate-stderr feed "$GVT_JSON_NOATTRS" define --parent=0000:00:02.0 --jsonfile=/dev/stdin
	assert_success
	# libvirt strips surrounding whitespace and uses the rest as the UUID
	local uuid
	uuid=$(printf '%s' "$output" | tr -d ' \t\n')
	[[ $uuid =~ ^$UUID_RE$ ]] || fail "stdout is not a UUID: '$output'"
	assert_golden "$(definition_path "$P_GVT" "$uuid")" define/gvt4-manual.json
}

@test "libvirt: define on a parent that is not present on the host" {
	run --separate-stderr feed '{"mdev_type":"nvidia-36","start":"manual","attrs":[]}' define --parent=0000:2b:00.0 --jsonfile=/dev/stdin --uuid="$U1"
	assert_success
	assert_bytes "$(definition_path 0000:2b:00.0 "$U1")" "$(def_json nvidia-36 manual)"
}

@test "libvirt: define of an existing device fails with a message and no stdout" {
	run --separate-stderr feed '{"mdev_type":"mtty-2","start":"manual","attrs":[]}' define --parent=mtty --jsonfile=/dev/stdin --uuid="$U_MTTY"
	assert_equal "$status" 1
	assert_output ""
	[ -n "$stderr" ]
	assert_bytes "$(definition_path mtty "$U_MTTY")" "$(def_json "$T_MTTY2" auto)"
}

@test "libvirt: start --parent=P --jsonfile=/dev/stdin --uuid=U (transient, with attributes)" {
	add_device_dir "$U1" assign_adapter assign_domain
	run --separate-stderr feed "$AP_JSON" start --parent=matrix --jsonfile=/dev/stdin --uuid="$U1"
	assert_success
	assert_output ""
	assert_bytes "$(create_file matrix "$T_AP")" "$U1"
	assert_bytes "$(device_dir "$U1")/assign_adapter" "5"
	assert_bytes "$(device_dir "$U1")/assign_domain" "0x47"
	refute_exists "$(definition_path matrix "$U1")"
}

@test "libvirt: start --parent=P --jsonfile=/dev/stdin without --uuid prints the UUID" {
	run --separate-stderr feed '{"mdev_type":"mtty-1","start":"manual","attrs":[]}' start --parent=mtty --jsonfile=/dev/stdin
	assert_success
	local uuid
	uuid=$(printf '%s' "$output" | tr -d ' \t\n')
	[[ $uuid =~ ^$UUID_RE$ ]] || fail "stdout is not a UUID: '$output'"
	assert_bytes "$(create_file mtty "$T_MTTY1")" "$uuid"
}

@test "libvirt: start --uuid=U of a defined device" {
	run --separate-stderr nullin start --uuid="$U_MTTY"
	assert_success
	assert_output ""
	assert_bytes "$(create_file mtty "$T_MTTY2")" "$U_MTTY"
}

@test "libvirt: stop --uuid=U" {
	run --separate-stderr nullin stop --uuid="$U_AP"
	assert_success
	assert_output ""
	assert_bytes "$(device_dir "$U_AP")/remove" "1"
}

@test "libvirt: undefine --uuid=U" {
	run --separate-stderr nullin undefine --uuid="$U_MTTY"
	assert_success
	assert_output ""
	refute_exists "$(definition_path mtty "$U_MTTY")"
}

@test "libvirt: modify --uuid U --auto / --manual (separate arguments)" {
	run --separate-stderr nullin modify --uuid "$U_AP" --auto
	assert_success
	assert_output ""
	assert_bytes "$(definition_path matrix "$U_AP")" "$(def_json "$T_AP" auto assign_adapter=5 assign_domain=0xab assign_control_domain=0xab)"
	run --separate-stderr nullin modify --uuid "$U_AP" --manual
	assert_success
	assert_golden "$(definition_path matrix "$U_AP")" list/defined-uuid.json
}

@test "libvirt: modify --parent=P --jsonfile=/dev/stdin --uuid=U --defined" {
	run --separate-stderr feed '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"7"}]}' \
		modify --parent=matrix --jsonfile=/dev/stdin --uuid="$U_AP" --defined
	assert_success
	assert_output ""
	assert_bytes "$(definition_path matrix "$U_AP")" "$(def_json "$T_AP" manual assign_adapter=7)"
}

@test "libvirt: modify --parent=P --jsonfile=/dev/stdin --uuid=U --live without a versioned callout fails cleanly" {
	run --separate-stderr feed '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[]}' \
		modify --parent=matrix --jsonfile=/dev/stdin --uuid="$U_AP" --live
	assert_equal "$status" 1
	assert_output ""
	[ -n "$stderr" ]
	assert_golden "$(definition_path matrix "$U_AP")" list/defined-uuid.json
}

@test "libvirt 6.5-7.x forms: -p/-u and separate --jsonfile argument" {
	run --separate-stderr feed '{"mdev_type":"mtty-1","start":"manual"}' start -p mtty --jsonfile /dev/stdin
	assert_success
	assert_output --regexp "^$UUID_RE\$"
	run --separate-stderr nullin undefine -u "$U_MTTY"
	assert_success
	run --separate-stderr nullin stop -u "$U_GVT4"
	assert_success
	assert_bytes "$(device_dir "$U_GVT4")/remove" "1"
}

@test "libvirt: what was defined comes back in list --dumpjson --defined" {
	feed "$AP_JSON" define --parent=matrix --jsonfile=/dev/stdin --uuid="$U1"
	feed '{"mdev_type":"mtty-1","start":"auto","attrs":[]}' define --parent=mtty --jsonfile=/dev/stdin --uuid="$U2"
	nullin modify --uuid "$U1" --auto
	nullin list --dumpjson --defined >"$OUT"
	assert_libvirt_shape "$OUT"
	command -v jq >/dev/null || skip "jq is not installed"
	run jq -c '.[0].matrix[] | select(has("'"$U1"'"))' "$OUT"
	assert_output '{"11111111-1111-4111-8111-111111111111":{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"}]}}'
	run jq -c '.[0].mtty' "$OUT"
	assert_output '[{"22222222-2222-4222-8222-222222222222":{"mdev_type":"mtty-1","start":"auto","attrs":[]}},{"e27825ad-d57e-4e68-9f06-a0b962f030b3":{"mdev_type":"mtty-2","start":"auto","attrs":[]}}]'
}

@test "libvirt: active list of a running defined device reports the defined start" {
	nullin modify --uuid "$U_AP" --auto
	nullin list --dumpjson >"$OUT"
	assert_libvirt_shape "$OUT"
	command -v jq >/dev/null || skip "jq is not installed"
	run jq -r '.[0].matrix[0]["'"$U_AP"'"].start' "$OUT"
	assert_output auto
}

@test "libvirt: the lists stay parseable with odd definitions around" {
	add_definition "$P_MTTY" "$U1" '{"mdev_type":"mtty-1","start":"x","attrs":[{"a":"\u0001\"\\"}]}'
	add_definition "$P_MTTY" not-a-uuid "$(def_json "$T_MTTY1" manual)"
	add_definition "$P_MTTY" "$U2" 'garbage'
	add_definition "$P_MTTY" "$U3" '{"mdev_type":"mtty-1","start":"auto","attrs":[{"a":1}]}'
	add_definition "$P_MTTY" "$U4" '{"mdev_type":"mtty-1","start":"auto","attrs":["x"]}'
	run --separate-stderr nullin list --dumpjson --defined
	assert_success
	nullin list --dumpjson --defined >"$OUT" 2>/dev/null
	assert_libvirt_shape "$OUT"
	nullin list --dumpjson >"$OUT" 2>/dev/null
	assert_libvirt_shape "$OUT"
}
