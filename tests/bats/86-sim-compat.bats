#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Migration compatibility between two simulated hosts (tests/sim/hosts/compat-src.json and
# compat-dst.json, a fictitious vendor "simgpu" described by tests/sim/compat.d/simgpu.json and by
# migration_info files): `compat show` on the source, `compat check` on the destination, and the
# scheduler's way (the destination's inventory checked elsewhere) giving the same plan. Every
# check leaves both hosts as they were.

load helpers
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"

A2=5e0c3a2f-4b1d-4e6a-9c7b-a20000000001 # source: an A2 running with ECC off
B2=5e0c3a2f-4b1d-4e6a-9c7b-b20000000001 # source: a B2 (facts from migration_info)
G1=0000:41:00.0
G2=0000:81:00.0

setup() {
	sim_require
	SRC=$BATS_TEST_TMPDIR/src
	DST=$BATS_TEST_TMPDIR/dst
	sim_start "$SIM_HOSTS/compat-src.json" "$SRC"
	sim_start "$SIM_HOSTS/compat-dst.json" "$DST"
	local r
	for r in "$SRC" "$DST"; do
		mkdir -p "$r${MDEVCTL_TEST_COMPATDIR:-/usr/lib/mdevctl/compat.d}"
		cp "$SRCDIR/tests/sim/compat.d/simgpu.json" "$r${MDEVCTL_TEST_COMPATDIR:-/usr/lib/mdevctl/compat.d}/"
	done
}

teardown() {
	sim_stop_all
}

on_src() { MDEVCTL_ENV_ROOT=$SRC "$MDEVCTL" "$@"; }
on_dst() { MDEVCTL_ENV_ROOT=$DST "$MDEVCTL" "$@"; }

# show UUID NAME: the source's record of UUID into $BATS_TEST_TMPDIR/NAME.json
show() {
	on_src compat show -u "$1" >"$BATS_TEST_TMPDIR/$2.json" || fail "compat show -u $1 failed"
}

@test "sim compat: the record of a running A2 states its facts from the rule file, its PCI ids from sysfs, and its ECC param" {
	show "$A2" a2
	assert_equal "$(jq -c .self "$BATS_TEST_TMPDIR/a2.json")" \
		'{"kind":"mdev","device_api":"vfio-pci","driver":{"name":"simgpu","version":"2.3.1","version_scheme":"semver"},"mdev_type":"simgpu-A2","uuid":"'"$A2"'","parent":"'"$G1"'","pci":{"vendor":"0x1f3c","device":"0x2a20","subsystem_vendor":"0x1f3c","subsystem_device":"0x0001"},"features":["fbc","vsync"],"params":{"ecc":false},"vendor_fields":{"arch":"gen2"},"migration_flags":["STOP_COPY","PRE_COPY"]}'
	assert_equal "$(jq -c '[.attr_defaults, .compatible]' "$BATS_TEST_TMPDIR/a2.json")" \
		'[{"ecc":"1","profile":"full"},[{"mdev_type":"simgpu-A4","mdev_attrs":[{"profile":"half"}]}]]'
}

@test "sim compat: the A2 goes to an A4 in profile half with ECC written off; the full A2 and the other generation are rejected" {
	show "$A2" a2
	sim_state "$DST" >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/a2.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	assert_schema plan "$BATS_TEST_TMPDIR/plan.json"
	assert_equal "$(jq -c .chosen "$BATS_TEST_TMPDIR/plan.json")" \
		'{"action":"create","parent":"'"$G1"'","mdev_type":"simgpu-A4","attrs":[{"profile":"half"},{"ecc":"0"}],"uuid":"'"$A2"'","uuid_changed":false,"pattern":1,"binding":{},"cost":1}'
	assert_equal "$(jq -c .mdevctl "$BATS_TEST_TMPDIR/plan.json")" \
		'{"parent":"'"$G1"'","uuid":"'"$A2"'","config":{"mdev_type":"simgpu-A4","start":"manual","attrs":[{"profile":"half"},{"ecc":"0"}]}}'
	assert_equal "$(jq -c .rejections "$BATS_TEST_TMPDIR/plan.json")" \
		'[{"pattern":0,"binding":{},"parent":"'"$G1"'","mdev_type":"simgpu-A2","reasons":["NO_CAPACITY:0<1"]},{"pattern":0,"binding":{},"parent":"'"$G2"'","mdev_type":"simgpu-A2","reasons":["PCI_ID_MISMATCH:device","VENDOR_FIELD_MISMATCH:arch"]}]'
	# the check changed nothing on the destination
	sim_state "$DST" >"$BATS_TEST_TMPDIR/after"
	cmp -s "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail "the destination changed"
}

@test "sim compat: the readable plan says the same in words" {
	show "$A2" a2
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/a2.json"
	assert_success
	assert_output "verdict: compatible
chosen: create simgpu-A4 on $G1 as $A2; pattern 1; cost 1; attrs profile=half, ecc=0
rejected: pattern 0, simgpu-A2 on $G1: no capacity: 0 available, 1 needed
rejected: pattern 0, simgpu-A2 on $G2: PCI id mismatch: the source's device is 0x2a20, the destination's 0x2a30; vendor field mismatch: arch is \"gen2\" on the source, \"gen3\" on the destination"
}

@test "sim compat: with the A4s taken too, the A2 finds no capacity (exit 4)" {
	show "$A2" a2
	on_dst start -u "$U1" -p "$G1" -t simgpu-A4 || fail "start"
	on_dst start -u "$U2" -p "$G1" -t simgpu-A4 || fail "start"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/a2.json" --dumpjson
	assert_equal "$status" 4
	assert_equal "$(jq -c '[.verdict, .chosen, [.rejections[].reasons]]' <<<"$output")" \
		'["no-capacity",null,[["NO_CAPACITY:0<1"],["PCI_ID_MISMATCH:device","VENDOR_FIELD_MISMATCH:arch"],["NO_CAPACITY:0<1"]]]'
}

@test "sim compat: a B2 described by migration_info moves to the B2 that offers one feature more" {
	show "$B2" b2
	assert_equal "$(jq -c '[.self.features, .self.vendor_fields, .self.migration_flags]' "$BATS_TEST_TMPDIR/b2.json")" \
		'[["fbc","vsync","compute"],{"arch":"gen2","profile":"compute"},["STOP_COPY"]]'
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/b2.json" --dumpjson
	assert_success
	assert_equal "$(jq -c '.chosen | [.action, .parent, .mdev_type, .attrs]' <<<"$output")" \
		"[\"create\",\"$G1\",\"simgpu-B2\",[]]"
	# feature_match exact: the destination's fp64 is one too many
	jq '.feature_match = "exact"' "$BATS_TEST_TMPDIR/b2.json" >"$BATS_TEST_TMPDIR/b2x.json"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/b2x.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '[.verdict, [.rejections[] | [.mdev_type, .reasons]]]' <<<"$output")" \
		'["incompatible",[["simgpu-B2",["FEATURE_EXTRA:fp64"]]]]'
}

@test "sim compat: an older major is refused live but accepted cold" {
	show "$B2" b2
	jq '.self.driver.version = "1.9.0"' "$BATS_TEST_TMPDIR/b2.json" >"$BATS_TEST_TMPDIR/old.json"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/old.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '[.rejections[].reasons]' <<<"$output")" \
		'[["VERSION_OUT_OF_RANGE","DEST_REJECTS_SOURCE_VERSION"]]'
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/old.json" --mode cold --dumpjson
	assert_success
	assert_equal "$(jq -r '.chosen.mdev_type' <<<"$output")" simgpu-B2
}

@test "sim compat: the destination's inventory checked elsewhere gives the same plan as the check on it" {
	show "$A2" a2
	on_dst compat inventory >"$BATS_TEST_TMPDIR/dst-inv.json" || fail "inventory"
	assert_equal "$(jq -c '[.parents[] | [.parent, [.types[] | [.mdev_type, .available_instances]]]]' "$BATS_TEST_TMPDIR/dst-inv.json")" \
		'[["0000:41:00.0",[["simgpu-A1",8],["simgpu-A2",0],["simgpu-A4",2],["simgpu-B2",4]]],["0000:81:00.0",[["simgpu-A2",4]]]]'
	# the PCI ids of each parent, from its sysfs files: the rule file names none
	assert_equal "$(jq -c '[.parents[] | [.parent, ([.types[].pci.device] | unique)]]' "$BATS_TEST_TMPDIR/dst-inv.json")" \
		'[["0000:41:00.0",["0x2a20"]],["0000:81:00.0",["0x2a30"]]]'
	on_dst compat check --from "$BATS_TEST_TMPDIR/a2.json" --dumpjson >"$BATS_TEST_TMPDIR/direct.json"
	on_src compat check --from "$BATS_TEST_TMPDIR/a2.json" --inventory "$BATS_TEST_TMPDIR/dst-inv.json" \
		--dumpjson >"$BATS_TEST_TMPDIR/remote.json" || fail "remote check"
	# one inventory: an array of one plan, which names its host
	assert_equal "$(jq -r '[length, .[0].host] | @tsv' "$BATS_TEST_TMPDIR/remote.json")" "1	$(jq -r .host "$BATS_TEST_TMPDIR/dst-inv.json")"
	jq '.[0] | del(.host)' "$BATS_TEST_TMPDIR/remote.json" >"$BATS_TEST_TMPDIR/remote-plan.json"
	jq . "$BATS_TEST_TMPDIR/direct.json" >"$BATS_TEST_TMPDIR/direct-plan.json"
	cmp "$BATS_TEST_TMPDIR/direct-plan.json" "$BATS_TEST_TMPDIR/remote-plan.json" || fail "plans differ"
}

@test "sim compat: the source's UUID taken on the destination gives a fresh one, or blocks under --keep-uuid" {
	show "$B2" b2
	on_dst define -u "$B2" -p "$G1" -t simgpu-A1 || fail "define"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/b2.json" --dumpjson
	assert_success
	assert_equal "$(jq -r .chosen.uuid_changed <<<"$output")" true
	[[ $(jq -r .chosen.uuid <<<"$output") =~ ^$UUID_RE$ ]] || fail "$output"
	[[ $(jq -r .chosen.uuid <<<"$output") != "$B2" ]] || fail "kept a taken UUID"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/b2.json" --keep-uuid --dumpjson
	assert_equal "$status" 5
	assert_equal "$(jq -c '[.verdict, [.rejections[].reasons]]' <<<"$output")" \
		'["blocked",[["UUID_CONFLICT"]]]'
}

@test "sim compat: every trait the A2 record requires is offered by the destination that accepts it" {
	show "$A2" a2
	on_src compat traits --from "$BATS_TEST_TMPDIR/a2.json" >"$BATS_TEST_TMPDIR/req" || fail "traits"
	on_dst compat traits --inventory >"$BATS_TEST_TMPDIR/offered" || fail "traits"
	local t n=0
	while read -r t; do
		case $t in
		in:*)
			# any one of the listed traits
			local found=0 one
			for one in $(tr ',' ' ' <<<"${t#in:}"); do
				grep -qx "$one" "$BATS_TEST_TMPDIR/offered" && found=1
			done
			[ $found = 1 ] || fail "none of $t offered"
			;;
		*) grep -qx "$t" "$BATS_TEST_TMPDIR/offered" || fail "$t not offered" ;;
		esac
		n=$((n + 1))
	done <"$BATS_TEST_TMPDIR/req"
	[ $n -ge 6 ] || fail "only $n traits: $(cat "$BATS_TEST_TMPDIR/req")"
	grep -qx 'in:CUSTOM_MDEVC_T_SIMGPU_A2,CUSTOM_MDEVC_T_SIMGPU_A4' "$BATS_TEST_TMPDIR/req" ||
		fail "$(cat "$BATS_TEST_TMPDIR/req")"
	grep -qx CUSTOM_MDEVC_DRV_SIMGPU_V2_3 "$BATS_TEST_TMPDIR/req" || fail "$(cat "$BATS_TEST_TMPDIR/req")"
}
