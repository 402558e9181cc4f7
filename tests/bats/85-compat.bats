#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `mdevctl compat` on plain-file hosts and inventory files: the command line (subcommands,
# usage errors, exit statuses), records of defined and running devices, this host's inventory,
# checks against this host and against inventories of other hosts, rule files and
# migration_info layering, callouts answering `-e get -a compat`, and traits. The simulated
# host runs the same commands in tests/sim/compat.bats.

load helpers

DATA=$SRCDIR/tests/data/compat
NIL=00000000-0000-0000-0000-000000000000

setup() {
	mkhost --bare
	RULES=$VENDOR_RULES
	mkdir -p "$RULES" "$ADMIN_RULES"
}

# record_of UUID [PARENT]: `compat show` into $BATS_TEST_TMPDIR/rec.json
record_of() {
	"$MDEVCTL" compat show -u "$1" ${2:+-p "$2"} >"$BATS_TEST_TMPDIR/rec.json" ||
		fail "compat show -u $1 failed"
}

# jqf FILE FILTER: one raw jq result
jqf() {
	jq -r "$2" "$1"
}

@test "compat: no subcommand prints the group's help on stderr, exit 2" {
	run --separate-stderr "$MDEVCTL" compat
	assert_equal "$status" 2
	assert_equal "$output" ""
	[[ $stderr == *"mdevctl compat check --from FILE"* ]] || fail "$stderr"
}

@test "compat: --help lists the subcommands; help compat too" {
	run --separate-stderr "$MDEVCTL" compat --help
	assert_success
	[[ $output == *"inventory  Print this host as a migration destination"* ]] || fail "$output"
	run --separate-stderr "$MDEVCTL" help compat
	assert_success
	[[ $output == *"traits     Print the OpenStack Placement traits"* ]] || fail "$output"
	run --separate-stderr "$MDEVCTL" --help
	[[ $output == *"compat             Migration compatibility"* ]] || fail "$output"
}

@test "compat: an unknown subcommand is a usage error" {
	run --separate-stderr "$MDEVCTL" compat frobnicate
	assert_usage_error
	[[ $stderr == *"unrecognized subcommand 'frobnicate'"* ]] || fail "$stderr"
}

@test "compat show: -u is required and must be a UUID" {
	run --separate-stderr "$MDEVCTL" compat show
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat show -u nope
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat -u nope
	assert_usage_error
}

@test "compat show: a device that is neither defined nor running is an error" {
	run --separate-stderr "$MDEVCTL" compat show -u "$U1"
	assert_error "Mediated device $U1 is neither active nor defined"
}

@test "compat show: the identity record of a defined device, with 'show' implied" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	run --separate-stderr "$MDEVCTL" compat -u "$U1"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rec.json"
	assert_equal "$(jq -c '.self' "$BATS_TEST_TMPDIR/rec.json")" \
		'{"kind":"mdev","device_api":"vfio-pci","driver":{"name":"mtty"},"mdev_type":"mtty-2","uuid":"'"$U1"'","parent":"mtty"}'
	assert_equal "$(jqf "$BATS_TEST_TMPDIR/rec.json" '.schema')" mdev-compat/1
	assert_equal "$(jqf "$BATS_TEST_TMPDIR/rec.json" '.generated.tool')" "$("$MDEVCTL" --version)"
	assert_equal "$(jq -c 'del(.generated, .self)' "$BATS_TEST_TMPDIR/rec.json")" '{"schema":"mdev-compat/1"}'
}

@test "compat show: attrs come from the definition, in order; -p picks among definitions" {
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" auto x=1 y=2 x=3)"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	run --separate-stderr "$MDEVCTL" compat show -u "$U1"
	assert_error "Multiple definitions found for $U1, specify a parent"
	record_of "$U1" "$P_GVT"
	assert_equal "$(jq -c '.self.mdev_attrs' "$BATS_TEST_TMPDIR/rec.json")" '[{"x":"1"},{"y":"2"},{"x":"3"}]'
	assert_equal "$(jqf "$BATS_TEST_TMPDIR/rec.json" '.self.driver.name')" i915
}

@test "compat show: a running device without a definition asks the scripts for its attributes" {
	add_device "$P_MTTY" "$T_MTTY2" "$U2"
	add_callout attrs 'if [ "$action" = attributes ]; then echo "[{\"ports\":\"2\"}]"; fi; exit 0' >/dev/null
	record_of "$U2"
	assert_equal "$(jq -c '.self.mdev_attrs' "$BATS_TEST_TMPDIR/rec.json")" '[{"ports":"2"}]'
}

@test "compat show: the driver and its version come from the parent's driver link and the module" {
	local pdir
	pdir=$(parent_dir "$P_GVT")
	mkdir -p "$SYS/bus/pci/drivers/i915" "$SYS/module/i915"
	ln -s ../../../bus/pci/drivers/i915 "$pdir/driver"
	ln -s ../../../module/i915 "$SYS/bus/pci/drivers/i915/module"
	echo 1.2.3 >"$SYS/module/i915/version"
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT8" manual)"
	record_of "$U1"
	assert_equal "$(jq -c '.self.driver' "$BATS_TEST_TMPDIR/rec.json")" \
		'{"name":"i915","version":"1.2.3","version_scheme":"dotted"}'
}

@test "compat show: without a rule file, dot-separated integers are dotted; semver only where needed" {
	mkdir -p "$SYS/module/mtty"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	local v want
	# NVIDIA's versions are not SemVer once a component has a leading zero (550.127.05)
	for v in 550.54.14:dotted 550.127.05:dotted 0.1:dotted 7:dotted 2.0.0-rc.1:semver \
		1.4.2+build.7:semver v2.1-custom:opaque 5.4.0_rhel:opaque; do
		echo "${v%:*}" >"$SYS/module/mtty/version"
		record_of "$U1"
		want='{"name":"mtty","version":"'"${v%:*}"'","version_scheme":"'"${v##*:}"'"}'
		assert_equal "$(jq -c '.self.driver' "$BATS_TEST_TMPDIR/rec.json")" "$want"
	done
	# a rule file that names the scheme has the last word
	cat >"$RULES/10-mtty.json" <<'EOF'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "mtty-*", "descriptor": {"driver": {"version_scheme": "semver"}}}]}
EOF
	echo 1.2.3 >"$SYS/module/mtty/version"
	record_of "$U1"
	assert_equal "$(jq -c '.self.driver' "$BATS_TEST_TMPDIR/rec.json")" \
		'{"name":"mtty","version":"1.2.3","version_scheme":"semver"}'
}

@test "compat check: a driver update 550.54.14 -> 550.127.05 keeps a device compatible, the destination read in the record's scheme" {
	mkdir -p "$SYS/module/mtty"
	echo 550.54.14 >"$SYS/module/mtty/version"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	echo 550.127.05 >"$SYS/module/mtty/version"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	assert_equal "$(jq -c '[.verdict, .chosen.mdev_type, .rejections]' <<<"$output")" '["compatible","mtty-2",[]]'
	# a newer major is out of the default range in live mode, fine in cold mode
	echo 555.42.02 >"$SYS/module/mtty/version"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '[.rejections[].reasons]' <<<"$output")" '[["VERSION_OUT_OF_RANGE"]]'
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --mode cold --dumpjson
	assert_success
	# an older minor is out of range too
	echo 550.40.07 >"$SYS/module/mtty/version"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_equal "$status" 3
	# the destination's own text is never read in another scheme than the record's
	echo 550.127.05-beta >"$SYS/module/mtty/version"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '[.rejections[].reasons]' <<<"$output")" '[["VERSION_UNPARSEABLE"]]'
}

@test "compat show: rule files add facts and patterns; the admin file of the same name wins" {
	cat >"$RULES/10-mtty.json" <<'EOF'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "mtty-*",
            "descriptor": {"features": ["break"], "vendor_fields": {"gen": "a"}},
            "record": {"compatible": [{"mdev_type": "mtty-1"}]}}]}
EOF
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	assert_equal "$(jq -c '[.self.features, .self.vendor_fields, .compatible]' "$BATS_TEST_TMPDIR/rec.json")" \
		'[["break"],{"gen":"a"},[{"mdev_type":"mtty-1"}]]'
	cat >"$ADMIN_RULES/10-mtty.json" <<'EOF'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "mtty-2", "descriptor": {"vendor_fields": {"gen": "b"}}}]}
EOF
	record_of "$U1"
	assert_equal "$(jq -c '[.self.features, .self.vendor_fields, .compatible]' "$BATS_TEST_TMPDIR/rec.json")" \
		'[null,{"gen":"b"},null]'
}

@test "compat show: a broken rule file is warned about and skipped" {
	printf '{"schema": "mdev-compat-rules/1", "types": [{"mdev_type": "mtty-*", "bogus": 1}]}' \
		>"$RULES/20-bad.json"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	run --separate-stderr "$MDEVCTL" compat show -u "$U1"
	assert_success
	assert_warn "20-bad.json"
	assert_equal "$(jq -r '.self.mdev_type' <<<"$output")" mtty-2
}

@test "compat show: migration_info overrides the rule file, field by field" {
	cat >"$RULES/10-mtty.json" <<'EOF'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "mtty-*", "descriptor": {"features": ["a"], "vendor_fields": {"gen": "a", "x": "1"}}}]}
EOF
	printf '{"vendor_fields": {"gen": "mi"}, "migration_flags": ["STOP_COPY"]}\n' \
		>"$(type_dir "$P_MTTY" "$T_MTTY2")/migration_info"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	assert_equal "$(jq -c '[.self.features, .self.vendor_fields, .self.migration_flags]' "$BATS_TEST_TMPDIR/rec.json")" \
		'[["a"],{"gen":"mi","x":"1"},["STOP_COPY"]]'
}

@test "compat show: a migration_info that is not valid facts is warned about and skipped" {
	printf '{"vendor_fields": {"gen": 5}}\n' >"$(type_dir "$P_MTTY" "$T_MTTY2")/migration_info"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	run --separate-stderr "$MDEVCTL" compat show -u "$U1"
	assert_success
	assert_warn "migration_info of mtty/mtty-2"
	assert_equal "$(jq -c '.self.vendor_fields' <<<"$output")" null
}

@test "compat show: a versioned callout answering get compat has the last word" {
	printf '{"vendor_fields": {"gen": "mi"}}\n' >"$(type_dir "$P_MTTY" "$T_MTTY2")/migration_info"
	add_callout 50-compat '
if [ "$action" = capabilities ]; then
	echo "{\"supports\":{\"version\":1,\"actions\":[\"compat\",\"attributes\"],\"events\":[\"get\"]}}"
elif [ "$action" = compat ]; then
	echo "{\"vendor_fields\": {\"gen\": \"script\"}, \"features\": [\"f1\"]}"
fi
exit 0' >/dev/null
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	assert_equal "$(jq -c '[.self.features, .self.vendor_fields]' "$BATS_TEST_TMPDIR/rec.json")" \
		'[["f1"],{"gen":"script"}]'
	grep -q -- "-t mtty-2 -e get -a compat -s none -u $U1 -p mtty" "$ROOT/callout.log" ||
		fail "$(callout_log)"
}

@test "compat show: params are stated with their current values; attrs that back them are not repeated" {
	cat >"$RULES/10-gvt.json" <<'EOF'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "i915-*", "descriptor": {"params": {
   "ecc": {"type": "bool", "default": true, "off": false, "attr": "ecc_enable"},
   "prio": {"type": "int", "range": {"min": 0, "max": 9}, "default": 4, "attr": "prio"},
   "mode": {"type": "string", "allowed": ["a", "b"], "default": "a"}}}}]}
EOF
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual ecc_enable=0 x=1)"
	record_of "$U1"
	assert_equal "$(jq -c '[.self.params, .self.mdev_attrs]' "$BATS_TEST_TMPDIR/rec.json")" \
		'[{"ecc":false,"prio":4,"mode":"a"},[{"x":"1"}]]'
}

@test "compat inventory: this host's parents, types and devices" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual a=b)"
	add_device "$P_GVT" "$T_GVT4" "$U2"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/inv.json"
	assert_equal "$(jqf "$BATS_TEST_TMPDIR/inv.json" '.schema')" mdev-inventory/1
	assert_equal "$(jqf "$BATS_TEST_TMPDIR/inv.json" '.host')" "$(hostname)"
	assert_equal "$(jq -c '[.parents[] | .parent]' "$BATS_TEST_TMPDIR/inv.json")" \
		'["0000:00:02.0","matrix","mtty"]'
	assert_equal "$(jq -c '.parents[2].types[1]' "$BATS_TEST_TMPDIR/inv.json")" \
		'{"mdev_type":"mtty-2","device_api":"vfio-pci","available_instances":12,"name":"Dual port serial","driver":{"name":"mtty"}}'
	assert_equal "$(jq -c '.devices' "$BATS_TEST_TMPDIR/inv.json")" \
		'[{"uuid":"'"$U2"'","parent":"0000:00:02.0","mdev_type":"i915-GVTg_V5_4","state":"in_use"},{"uuid":"'"$U1"'","parent":"mtty","mdev_type":"mtty-2","attrs":[{"a":"b"}],"state":"defined"}]'
}

@test "compat check: a device's own record is compatible with its own type on the same host" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	assert_schema plan "$BATS_TEST_TMPDIR/plan.json"
	assert_equal "$(jqf "$BATS_TEST_TMPDIR/plan.json" .verdict)" compatible
	# the UUID is the defined device's, which is what the record describes: started again
	assert_equal "$(jq -c '.chosen | [.action, .parent, .mdev_type, .uuid, .uuid_changed, .pattern, .cost]' "$BATS_TEST_TMPDIR/plan.json")" \
		'["create","mtty","mtty-2","'"$U1"'",false,0,1]'
	assert_equal "$(jq -c '.mdevctl.config' "$BATS_TEST_TMPDIR/plan.json")" \
		'{"mdev_type":"mtty-2","start":"manual","attrs":[]}'
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --keep-uuid --dumpjson
	assert_success
	assert_equal "$(jq -r .chosen.uuid <<<"$output")" "$U1"
	# the UUID defined as another type: a fresh one, or blocked under --keep-uuid
	rm "$ETC/$P_MTTY/$U1"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	assert_equal "$(jq -c '.chosen | [.action, .mdev_type, .uuid_changed]' <<<"$output")" '["create","mtty-2",true]'
	[[ $(jq -r .chosen.uuid <<<"$output") != "$U1" ]] || fail "UUID reused"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --keep-uuid --dumpjson
	assert_equal "$status" 5
	assert_equal "$(jq -r .verdict <<<"$output")" blocked
}

@test "compat check: exit statuses 3 (incompatible) and 4 (no capacity)" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	jq '.self.mdev_type = "mtty-9"' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/other.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/other.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '.rejections[0].reasons' <<<"$output")" '["TYPE_NOT_FOUND:mtty-9"]'
	echo 0 >"$(type_dir "$P_MTTY" "$T_MTTY2")/available_instances"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_equal "$status" 4
	assert_equal "$(jq -c '.rejections[0].reasons' <<<"$output")" '["NO_CAPACITY:0<1"]'
}

@test "compat check: an invalid record exits 6 naming the rule and the path, and changes nothing" {
	snapshot before
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/invalid-record-unknown-member-self.json"
	assert_equal "$status" 6
	assert_equal "$output" ""
	[[ $stderr == "Error: Invalid compatibility record $DATA/invalid-record-unknown-member-self.json"* ]] || fail "$stderr"
	[[ $stderr == *'$.self.'*'unknown member'* ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/invalid-record-syntax.json"
	assert_equal "$status" 6
	[[ $stderr == *"line "*"column "* ]] || fail "$stderr"
	snapshot after
	assert_same_snapshot before after
}

@test "compat check, create-compatible: a type a template gives must be a type name; a parent too (exit 6, naming the binding)" {
	jq '.compatible = [{"mdev_type": "a/b"}]' "$DATA/record-example.json" >"$BATS_TEST_TMPDIR/r.json"
	snapshot before
	local f
	for f in template-type-path template-type-glob parent-dotdot; do
		run --separate-stderr "$MDEVCTL" compat check --from "$DATA/invalid-record-$f.json"
		assert_equal "$status" 6
		run --separate-stderr "$MDEVCTL" create-compatible --from "$DATA/invalid-record-$f.json"
		assert_equal "$status" 6
	done
	[[ $stderr == *'$.self.parent: not a valid name'* ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/invalid-record-template-type-path.json"
	[[ $stderr == *'$.compatible[0].mdev_type: with t=../../x it is "../../x", not a valid type name'* ]] ||
		fail "$stderr"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/r.json"
	assert_equal "$status" 6
	[[ $stderr == *'$.compatible[0].mdev_type: "a/b" is not a valid type name'* ]] || fail "$stderr"
	snapshot after
	assert_same_snapshot before after
}

@test "compat check: an empty version_range is the default range, as if it were left out" {
	mkdir -p "$SYS/module/mtty"
	echo 1.2.0 >"$SYS/module/mtty/version"
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	echo 2.0.0 >"$SYS/module/mtty/version"
	jq '.version_range = {}' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/empty.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/empty.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '[.rejections[].reasons]' <<<"$output")" '[["VERSION_OUT_OF_RANGE"]]'
	jq '.version_range = {"include_prerelease": true}' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/pre.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/pre.json"
	assert_equal "$status" 6
	[[ $stderr == *'$.version_range.include_prerelease: needs a bound'* ]] || fail "$stderr"
}

@test "compat check: every invalid record fixture exits 6, every valid one does not" {
	local f
	for f in "$DATA"/invalid-record-*.json; do
		run --separate-stderr "$MDEVCTL" compat check --from "$f" --inventory "$DATA/inventory-example.json"
		[ "$status" -eq 6 ] || fail "$f: status $status"
	done
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/record-example.json" --inventory "$DATA/inventory-example.json"
	[ "$status" -ne 6 ] && [ "$status" -ne 1 ] || fail "status $status: $stderr"
}

@test "compat check: an unreadable record is a runtime error (exit 1) that says why" {
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/nope.json"
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Unable to read $BATS_TEST_TMPDIR/nope.json

Caused by:
    No such file or directory (os error 2)"
	# a directory, as record, as inventory, and for traits and create-compatible
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR"
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Unable to read $BATS_TEST_TMPDIR

Caused by:
    Is a directory (os error 21)"
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/record-example.json" --inventory "$BATS_TEST_TMPDIR"
	assert_equal "$status" 1
	[[ $stderr == *"Unable to read $BATS_TEST_TMPDIR"*"Is a directory (os error 21)" ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" compat traits --from "$BATS_TEST_TMPDIR"
	assert_equal "$status" 1
	[[ $stderr == *"Is a directory (os error 21)" ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR"
	assert_equal "$status" 1
	[[ $stderr == *"Is a directory (os error 21)" ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR"
	assert_equal "$status" 1
	[[ $stderr == *"Is a directory (os error 21)" ]] || fail "$stderr"
}

@test "compat check: the record may come from standard input, but only one document" {
	run --separate-stderr "$MDEVCTL" compat check --from - --inventory "$DATA/inventory-example.json" --dumpjson <"$DATA/record-example.json"
	[ "$status" -ne 6 ] && [ "$status" -ne 1 ] || fail "status $status: $stderr"
	jq -e '.[0].verdict' <<<"$output" >/dev/null || fail "$output"
	run --separate-stderr "$MDEVCTL" compat check --from - --inventory - </dev/null
	assert_usage_error
}

@test "compat check: selection option values are checked" {
	run --separate-stderr "$MDEVCTL" compat check --from x --policy best
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat check --from x --mode warm
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat check --from x --uuid nope
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat check --from x --uuid "$U1" --keep-uuid
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat check --inventory x
	assert_usage_error
}

@test "compat check: --keep-uuid needs a record that names its UUID" {
	jq 'del(.self.uuid)' "$DATA/record-example.json" >"$BATS_TEST_TMPDIR/r.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/r.json" --keep-uuid --inventory "$DATA/inventory-example.json"
	assert_usage_error
}

@test "compat check: several inventories rank hosts, best first; the status is the best host's" {
	local d=$BATS_TEST_TMPDIR
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	"$MDEVCTL" compat inventory >"$d/here.json"
	jq '.host = "full" | (.parents[] | select(.parent == "mtty") | .types[] | .available_instances) = 0' "$d/here.json" >"$d/full.json"
	jq '.host = "none" | .parents = []' "$d/here.json" >"$d/none.json"
	jq '.host = "ok"' "$d/here.json" >"$d/ok.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec.json" --inventory "$d/none.json" \
		--inventory "$d/full.json" --inventory "$d/ok.json" --dumpjson
	assert_success
	assert_equal "$(jq -c '[.[] | [.host, .verdict]]' <<<"$output")" \
		'[["ok","compatible"],["full","no-capacity"],["none","incompatible"]]'
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec.json" --inventory "$d/none.json" \
		--inventory "$d/full.json" --dumpjson
	assert_equal "$status" 4
}

@test "compat check: an invalid inventory is a runtime error naming the file" {
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/record-example.json" --inventory "$DATA/invalid-inventory-bad-state.json"
	assert_equal "$status" 1
	[[ $stderr == "Error: Invalid inventory $DATA/invalid-inventory-bad-state.json"* ]] || fail "$stderr"
}

@test "compat check: the readable plan names the verdict and the choice" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	[[ $output == *compatible* ]] || fail "$output"
	[[ $output == *mtty-2* ]] || fail "$output"
}

@test "compat traits: a record's required traits and this host's offered ones" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	run --separate-stderr "$MDEVCTL" compat traits --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/req"
	grep -qx CUSTOM_MDEVC_API_VFIO_PCI "$BATS_TEST_TMPDIR/req" || fail "$output"
	grep -qx CUSTOM_MDEVC_DRV_MTTY "$BATS_TEST_TMPDIR/req" || fail "$output"
	grep -qx CUSTOM_MDEVC_T_MTTY_2 "$BATS_TEST_TMPDIR/req" || fail "$output"
	run --separate-stderr "$MDEVCTL" compat traits --inventory
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/offered"
	# every required trait is offered by this host, which check accepts
	while read -r t; do
		grep -qx "$t" "$BATS_TEST_TMPDIR/offered" || fail "$t not offered"
	done <"$BATS_TEST_TMPDIR/req"
	run --separate-stderr "$MDEVCTL" compat traits
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat traits --from x --inventory
	assert_usage_error
}

@test "compat traits: of an inventory file" {
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$DATA/inventory-example.json"
	assert_success
	[[ $output == *CUSTOM_MDEVC_T_I915_GVTG_V5_4* ]] || fail "$output"
}

@test "compat inventory: a UUID defined under two parents is listed once, as it is taken once" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual)"
	add_device "$P_MTTY" "$T_MTTY2" "$U1"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_equal "$(jq -c '.devices' <<<"$output")" \
		'[{"uuid":"'"$U1"'","parent":"mtty","mdev_type":"mtty-2","state":"in_use"}]'
	rm -r "$(device_dir "$U1")"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_equal "$(jq -c '.devices' <<<"$output")" \
		'[{"uuid":"'"$U1"'","parent":"0000:00:02.0","mdev_type":"i915-GVTg_V5_4","state":"defined"}]'
}

@test "compat show: a defined device whose parent is absent cannot be described" {
	add_definition "0000:99:00.0" "$U1" "$(def_json "$T_GVT4" manual)"
	run --separate-stderr "$MDEVCTL" compat show -u "$U1"
	assert_error "Type i915-GVTg_V5_4 of parent 0000:99:00.0 is not present: its facts are unknown"
}

@test "compat check: the worked example of mdevctl-compat(5) gives the plan the page shows" {
	local d=$BATS_TEST_TMPDIR
	python3 - "$SRCDIR" "$d" <<'PY' || fail "could not extract the examples"
import json, sys
sys.path.insert(0, sys.argv[1] + "/tests/schema")
from validate import man_example
src, out = sys.argv[1], sys.argv[2]
open(out + "/rec.json", "w").write(man_example(src, "A record"))
open(out + "/inv.json", "w").write(man_example(src, "An inventory"))
# the page abridges the candidates: compare everything else
plan = "\n".join(l for l in man_example(src, "The plan").split("\n") if '"candidates"' not in l)
json.dump(json.loads(plan), open(out + "/want.json", "w"), sort_keys=True)
PY
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec.json" --inventory "$d/inv.json" --dumpjson
	assert_success
	assert_equal "$(jq -S -c '.[0] | del(.candidates)' <<<"$output")" "$(jq -S -c '.[0]' "$d/want.json")"
	assert_equal "$(jq -c '.[0].candidates | length' <<<"$output")" 1
}

@test "compat inventory: a layer that would make a type's facts invalid is left out with a warning" {
	cat >"$RULES/10-mtty.json" <<'EOF2'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "mtty-2", "descriptor": {"settable_attrs": {"ports": {"type": "int", "range": {"min": 1, "max": 2}}}}}]}
EOF2
	# valid on its own, but an allowed list next to the rule's range is not
	printf '{"settable_attrs": {"ports": {"type": "int", "allowed": [1, 2]}}, "features": ["x"]}\n' \
		>"$(type_dir "$P_MTTY" "$T_MTTY2")/migration_info"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Ignoring migration_info of mtty/mtty-2: together with the facts before it"
	assert_equal "$(jq -c '.parents[2].types[1] | [.settable_attrs, .features]' <<<"$output")" \
		'[{"ports":{"type":"int","range":{"min":1,"max":2}}},null]'
}

# A check looks at this host only as far as its record needs (src/compat-host.c): the types the
# record can become, and the devices of the UUIDs it may give. What it does not read cannot
# change its answer, and what it reads must be the same as in the whole inventory.

@test "compat check: a broken type the record cannot become does not matter; the inventory skips its parent" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	echo many >"$(type_dir "$P_MTTY" mtty-1)/available_instances"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Skipping parent mtty: invalid digit found in string"
	assert_equal "$(jq -c '[.parents[] | select(.parent == "mtty")]' <<<"$output")" '[]'
	# a failure to read names the file, with the system's error
	echo 2 >"$(type_dir "$P_MTTY" mtty-1)/available_instances"
	rm "$(type_dir "$P_MTTY" mtty-1)/device_api"
	mkdir "$(type_dir "$P_MTTY" mtty-1)/device_api"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Skipping parent mtty: Unable to read \"$SYS/class/mdev_bus/mtty/mdev_supported_types/mtty-1/device_api\": Is a directory (os error 21)"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '.chosen | [.parent, .mdev_type]' <<<"$output")" '["mtty","mtty-2"]'
	run --separate-stderr "$MDEVCTL" create-compatible --dry-run --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_equal "$stderr" ""
}

@test "compat check: a UUID is taken by a running device, or by a definition under any parent in any spelling" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	add_device "$P_GVT" "$T_GVT4" "$U2"
	# a definition named by its UUID in capitals, under another parent than the record's
	add_definition "$P_AP" "$(tr a-f A-F <<<"$U3")" "$(def_json "$T_AP" manual)"
	local u
	for u in "$U2" "$U3"; do
		run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" -u "$u" --dumpjson
		assert_equal "$status" 5
		assert_equal "$(jq -c '.rejections[0].reasons' <<<"$output")" '["UUID_CONFLICT"]'
	done
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" -u "$U4" --dumpjson
	assert_success
	assert_equal "$(jq -r .chosen.uuid <<<"$output")" "$U4"
}

@test "compat: many parents with the same types share the rule files' facts, and a migration_info changes only its own type" {
	ROOT=$BATS_TEST_TMPDIR/big
	python3 "$SRCDIR/bench/mkhost.py" --parents 6 --types 2 --devices 2 --defined 2 "$ROOT" ||
		fail "mkhost.py failed"
	use_root
	mkdir -p "$ADMIN_RULES"
	cat >"$ADMIN_RULES/50-bench.json" <<'EOF2'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "bench_*", "descriptor": {"driver": {"name": "bench", "version": "1.4.2"}, "features": ["fbc", "h264"], "vendor_fields": {"gen": "g1"}}}]}
EOF2
	printf '{"features": ["fbc", "h264", "vsync"], "vendor_fields": {"gen": "g2"}}\n' \
		>"$SYS/devices/pci0000:03/0000:03:00.0/mdev_supported_types/bench_1/migration_info"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_equal "$stderr" ""
	# every type but that one: the rules' facts; that one: its migration_info over them
	assert_equal "$(jq -c '[.parents[].types[] | [.mdev_type, .driver.version, .features, .vendor_fields.gen]] | unique' <<<"$output")" \
		'[["bench_0","1.4.2",["fbc","h264"],"g1"],["bench_1","1.4.2",["fbc","h264"],"g1"],["bench_1","1.4.2",["fbc","h264","vsync"],"g2"]]'
	assert_equal "$(jq -c '[.parents[] | select(.parent == "0000:03:00.0") | .types[1].vendor_fields.gen]' <<<"$output")" '["g2"]'
	assert_equal "$(jq '[.parents[].types[]] | length' <<<"$output")" 12
	# a check sees the same facts: the record of device 0 (bench_0) against bench_1 on every parent
	"$MDEVCTL" compat show -u "$(ls "$SYS/bus/mdev/devices" | head -1)" >"$BATS_TEST_TMPDIR/rec.json"
	jq '.compatible = [{"mdev_type": "bench_1"}] | .feature_match = "exact"' "$BATS_TEST_TMPDIR/rec.json" \
		>"$BATS_TEST_TMPDIR/rec1.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec1.json" --dumpjson
	assert_success
	# bench_1 on 0000:03:00.0 has a feature more: refused under exact matching, the others not
	assert_equal "$(jq -c '[.candidates[] | select(.mdev_type == "bench_1") | .parent] | length' <<<"$output")" 5
	assert_equal "$(jq -c '[.rejections[] | select(.mdev_type == "bench_1") | .parent]' <<<"$output")" '["0000:03:00.0"]'
}

@test "compat show -p -t: the record a device of a type would have, without a UUID or a device" {
	cat >"$RULES/10-mtty.json" <<'EOF2'
{"schema": "mdev-compat-rules/1", "types": [{"mdev_type": "mtty-*", "descriptor": {"features": ["fifo"]},
 "record": {"compatible": [{"mdev_type": "mtty-1"}]}}]}
EOF2
	run --separate-stderr "$MDEVCTL" compat show -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/type.json"
	assert_schema record "$BATS_TEST_TMPDIR/type.json"
	assert_equal "$(jq -c 'del(.generated)' "$BATS_TEST_TMPDIR/type.json")" \
		'{"schema":"mdev-compat/1","self":{"kind":"mdev","device_api":"vfio-pci","driver":{"name":"mtty"},"mdev_type":"mtty-2","parent":"mtty","features":["fifo"]},"compatible":[{"mdev_type":"mtty-1"}]}'
	# the record of a defined device of that type is the same, with its UUID
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	record_of "$U1"
	assert_equal "$(jq -c 'del(.generated, .self.uuid)' "$BATS_TEST_TMPDIR/rec.json")" "$(jq -c 'del(.generated)' "$BATS_TEST_TMPDIR/type.json")"
	# a check of it: a new UUID
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/type.json"
	assert_success
	assert_line --index 1 "chosen: create mtty-2 on mtty as a new UUID; pattern 0; cost 1; attrs none"
	# errors: the parent, the type, the options
	run --separate-stderr "$MDEVCTL" compat show -p MTTY -t "$T_MTTY2"
	assert_error "Unable to find parent device 'MTTY'. Did you mean 'mtty'?"
	run --separate-stderr "$MDEVCTL" compat show -p "$P_MTTY" -t mtty-9
	assert_error "Type mtty-9 of parent mtty is not present: its facts are unknown"
	run --separate-stderr "$MDEVCTL" compat show -t "$T_MTTY2"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat show -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat show -p "$P_MTTY" -t ../x
	assert_usage_error
}

@test "create-compatible: an attribute that cannot be read back fails the attempt with the system's error" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual x=1)"
	record_of "$U1"
	rm "$(definition_path "$P_MTTY" "$U1")"
	# on this plain tree the device's directory is there before create; its attribute reads
	# without end
	mkdir -p "$SYS/bus/mdev/devices/$U1"
	ln -s /dev/zero "$SYS/bus/mdev/devices/$U1/x"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_equal "$status" 1
	assert_warn "Attempt 1 (create $T_MTTY2 on $P_MTTY as $U1) failed: Unable to read back attribute x of $U1: File too large (os error 27)"
	[ ! -e "$(definition_path "$P_MTTY" "$U1")" ] || fail "a definition was left behind"
}

@test "compat inventory: a definition under a parent directory whose name is not UTF-8 is skipped with a warning, not the host" {
	local odd
	odd=$(printf 'odd\377')
	add_definition "$odd" "$U1" "$(def_json "$T_MTTY2" manual)"
	add_definition "$P_MTTY" "$U2" "$(def_json "$T_MTTY2" manual)"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Skipping device $U1: the name of its parent directory is not UTF-8, which an inventory cannot hold"
	assert_equal "$(jq -c '[.devices[] | [.uuid, .parent, .state]]' <<<"$output")" "[[\"$U2\",\"$P_MTTY\",\"defined\"]]"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/inv.json"
	assert_schema inventory "$BATS_TEST_TMPDIR/inv.json"
}
