#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `mdevctl compat` as a scheduler uses it, away from the hosts it places on: commands that read
# only the files they are given run where no mdevctl is installed (an empty MDEVCTL_ENV_ROOT,
# and strace shows nothing of it is looked at), the plans of inventories are one JSON shape
# that validates against schemas/mdev-compat-plan-1.schema.json, a bad inventory is that host's
# error, and traits come per resource provider, also as Nova's provider_config YAML.

load helpers

DATA=$SRCDIR/tests/data/compat

setup() {
	mkhost --bare
}

# offline: an empty root, as in a scheduler's container without mdevctl's directories
offline() {
	ROOT=$BATS_TEST_TMPDIR/empty
	mkdir -p "$ROOT"
	use_root
}

@test "offline: compat check --inventory and compat traits --from / --inventory FILE need nothing of this host" {
	offline
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/record-example.json" \
		--inventory "$DATA/inventory-example.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$stderr" ""
	run --separate-stderr "$MDEVCTL" compat traits --from "$DATA/record-example.json"
	assert_success
	assert_line CUSTOM_MDEVC_API_VFIO_PCI
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$DATA/inventory-example.json"
	assert_success
	assert_line CUSTOM_MDEVC_T_I915_GVTG_V5_4
	# what does use this host says what is missing
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/record-example.json"
	assert_error "Required directory \"$ROOT/etc/mdevctl.d\" doesn't exist. This may indicate a packaging or installation error"
	run --separate-stderr "$MDEVCTL" compat traits --inventory
	assert_error "Required directory \"$ROOT/etc/mdevctl.d\" doesn't exist. This may indicate a packaging or installation error"
	assert_equal "$(find "$ROOT" | wc -l)" 1
}

@test "offline: strace shows no look at the root, /etc/mdevctl.d, /usr/lib/mdevctl or /sys" {
	command -v strace >/dev/null || fail "strace is not installed (tools/deps.sh test installs it)"
	offline
	local t=$BATS_TEST_TMPDIR/trace
	no_lsan strace -f -e trace=%file,%desc -o "$t" "$MDEVCTL" compat check \
		--from "$DATA/record-example.json" --inventory "$DATA/inventory-example.json" >/dev/null || true
	no_lsan strace -f -e trace=%file,%desc -o "$t.2" "$MDEVCTL" compat traits \
		--from "$DATA/record-example.json" >/dev/null
	no_lsan strace -f -e trace=%file,%desc -o "$t.3" "$MDEVCTL" compat traits \
		--inventory="$DATA/inventory-example.json" >/dev/null
	cat "$t.2" "$t.3" >>"$t"
	# the documents were read: the trace is of the right thing
	grep -q "record-example.json" "$t" || fail "no trace of the record: $(cat "$t")"
	run grep -E "$ROOT|\"/etc/mdevctl|\"/usr/lib/mdevctl|\"/sys/" "$t"
	assert_output ""
}

# a compatible record and inventories of this host: ok (room), full (none), none (no parents)
inventories() {
	local d=$BATS_TEST_TMPDIR
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	"$MDEVCTL" compat show -u "$U1" >"$d/rec.json" || fail "compat show"
	# the record of another device: not a retry of the defined one
	jq --arg u "$U3" '.self.uuid = $u' "$d/rec.json" >"$d/rec3.json"
	"$MDEVCTL" compat inventory >"$d/here.json" || fail "compat inventory"
	jq '.host = "full" | (.parents[] | select(.parent == "mtty") | .types[] | .available_instances) = 0' "$d/here.json" >"$d/full.json"
	jq '.host = "none" | .parents = []' "$d/here.json" >"$d/none.json"
	jq '.host = "ok"' "$d/here.json" >"$d/ok.json"
	jq '.host = "bad" | .devices[0].state = "lost"' "$d/here.json" >"$d/bad.json"
	printf '{"schema": "mdev-inventory/1", "host": "cut' >"$d/cut.json"
}

@test "plans: with --inventory always an array of host plans, one inventory or several; every one validates" {
	inventories
	local d=$BATS_TEST_TMPDIR
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/ok.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$d/one.json"
	assert_schema plan "$d/one.json"
	assert_equal "$(jq -c '[.[] | [.schema, .host, .verdict, .chosen.uuid]]' "$d/one.json")" \
		'[["mdev-compat-plan/1","ok","compatible","'"$U3"'"]]'
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/none.json" \
		--inventory "$d/full.json" --inventory "$d/ok.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$d/three.json"
	assert_schema plan "$d/three.json"
	assert_equal "$(jq -c '[.[] | [.host, .verdict]]' "$d/three.json")" \
		'[["ok","compatible"],["full","no-capacity"],["none","incompatible"]]'
	# this host: one plan, no host, the same schema
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$d/local.json"
	assert_schema plan "$d/local.json"
	assert_equal "$(jq -c '[.schema, .host, .verdict]' "$d/local.json")" '["mdev-compat-plan/1",null,"compatible"]'
	# and what create-compatible prints, not created (no room) and as a dry run
	run --separate-stderr "$MDEVCTL" create-compatible --from "$d/rec3.json" --dry-run --dumpjson
	assert_success
	printf '%s\n' "$output" >"$d/dry.json"
	assert_schema plan "$d/dry.json"
	assert_equal "$(jq -c .result "$d/dry.json")" '{"status":"dry-run","tries":[]}'
	run --separate-stderr "$MDEVCTL" create-compatible --from "$d/rec3.json" --dumpjson --parent "$P_GVT"
	assert_equal "$status" 3
	printf '%s\n' "$output" >"$d/not.json"
	assert_schema plan "$d/not.json"
	assert_equal "$(jq -c '[.verdict, .result]' "$d/not.json")" '["incompatible",{"status":"not-created","tries":[]}]'
}

@test "plans: a bad inventory is that host's error, ranked last; the status is the best host's" {
	inventories
	local d=$BATS_TEST_TMPDIR
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/bad.json" \
		--inventory "$d/cut.json" --inventory "$d/nope.json" --inventory "$d/full.json" --dumpjson
	assert_equal "$status" 4
	printf '%s\n' "$output" >"$d/plans.json"
	assert_schema plan "$d/plans.json"
	# the host an invalid inventory names when it is JSON, else its file
	assert_equal "$(jq -c '[.[] | [.host, .verdict]]' "$d/plans.json")" \
		'[["full","no-capacity"],["bad","error"],["'"$d/cut.json"'","error"],["'"$d/nope.json"'","error"]]'
	assert_equal "$(jq -r '.[1].error' "$d/plans.json")" \
		"Invalid inventory $d/bad.json: \$.devices[0].state: expected \"free\", \"in_use\" or \"defined\""
	[[ $(jq -r '.[2].error' "$d/plans.json") == "Invalid inventory $d/cut.json: "* ]] || fail "$(jq -r '.[2].error' "$d/plans.json")"
	[[ $(jq -r '.[3].error' "$d/plans.json") == "Unable to read $d/nope.json"* ]] || fail "$(jq -r '.[3].error' "$d/plans.json")"
	# on stderr too, as warnings
	assert_warn "Invalid inventory $d/bad.json"
	assert_warn "Unable to read $d/nope.json"
	# in words: one line per host in error, after the plans
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/bad.json" \
		--inventory "$d/ok.json"
	assert_success
	assert_line --index 0 "host ok: compatible"
	assert_line "host bad: error: Invalid inventory $d/bad.json: \$.devices[0].state: expected \"free\", \"in_use\" or \"defined\""
	# every host in error: the first one's error, exit 1, and the array all the same
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/bad.json" --dumpjson
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Invalid inventory $d/bad.json: \$.devices[0].state: expected \"free\", \"in_use\" or \"defined\""
	assert_equal "$(jq -c '[.[] | [.host, .verdict]]' <<<"$output")" '[["bad","error"]]'
}

@test "plans: --parent with inventories: a host without it is in error, one with it is checked there only" {
	inventories
	local d=$BATS_TEST_TMPDIR
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/none.json" \
		--inventory "$d/ok.json" --parent MTTY --dumpjson
	assert_equal "$status" 1
	assert_equal "$(jq -c '[.[] | [.host, .error]]' <<<"$output")" \
		'[["none","Unable to find parent device '"'MTTY'"' in the inventory"],["ok","Unable to find parent device '"'MTTY'"' in the inventory. Did you mean '"'mtty'"'?"]]'
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/none.json" \
		--inventory "$d/ok.json" --parent mtty --dumpjson
	assert_success
	assert_equal "$(jq -c '[.[] | [.host, .verdict]]' <<<"$output")" '[["ok","compatible"],["none","error"]]'
	# the other parents are not examined
	assert_equal "$(jq -c '[.[0].rejections[] | .parent] | unique' <<<"$output")" '[]'
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --inventory "$d/ok.json" --parent "a/b"
	assert_usage_error
	# this host
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --parent MTTY
	assert_error "Unable to find parent device 'MTTY'. Did you mean 'mtty'?"
	run --separate-stderr "$MDEVCTL" compat check --from "$d/rec3.json" --prefer-parent MTTY
	assert_success
}

@test "plans: the readable plan leaves out what is no advice, unless --verbose" {
	local d=$BATS_TEST_TMPDIR
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/record-example.json" \
		--inventory "$DATA/inventory-example.json"
	assert_equal "$status" 3
	assert_output "host dst1: incompatible
chosen: none
rejected: pattern 1 with n=4, i915-GVTg_V5_4 on 0000:00:02.0: PCI id mismatch: the source's subsystem_vendor is 0x8086, the destination reports none; PCI id mismatch: the source's subsystem_device is 0x2212, the destination reports none
not shown: 1 binding that does not apply, 2 types the destination does not have (--verbose shows them)"
	run --separate-stderr "$MDEVCTL" compat check --from "$DATA/record-example.json" \
		--inventory "$DATA/inventory-example.json" -v
	assert_equal "$status" 3
	assert_line "rejected: pattern 1 with n=1: binding invalid: n/2 = 1/2 is not a whole number"
	assert_line "rejected: pattern 1 with n=8, i915-GVTg_V5_8: type not found on any parent"
	refute_line --partial "not shown"
}
