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

# --- traits per resource provider ----------------------------------------------------------

# nova_ok FILE: FILE is YAML that Nova's provider config loader accepts (tests/schema)
nova_ok() {
	local why
	why=$(python3 "$SRCDIR/tests/schema/nova-provider-config.py" "$1" 2>&1) || fail "$why
$(cat "$1")"
}

@test "traits --per-parent: each parent and type with its traits; together the host's" {
	"$MDEVCTL" compat inventory >"$BATS_TEST_TMPDIR/inv.json" || fail "inventory"
	run --separate-stderr "$MDEVCTL" compat traits --inventory="$BATS_TEST_TMPDIR/inv.json" --per-parent
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/per"
	# a header per parent and type, in inventory order
	assert_equal "$(grep -v '^  ' "$BATS_TEST_TMPDIR/per")" "$(jq -r '.parents[] | .parent as $p | .types[] | "\($p) \(.mdev_type)"' "$BATS_TEST_TMPDIR/inv.json")"
	assert_equal "$(sed -n '/^mtty mtty-2$/,/^[^ ]/p' "$BATS_TEST_TMPDIR/per" | grep '^  ')" "  CUSTOM_MDEVC_API_VFIO_PCI
  CUSTOM_MDEVC_DRV_MTTY
  CUSTOM_MDEVC_T_MTTY_2
  CUSTOM_MDEVC_VF_44136FA355B3678A"
	# every trait is a custom trait of Placement's form
	run grep -v -E '^(  CUSTOM_[A-Z0-9_]+|[^ ].* [^ ]+)$' "$BATS_TEST_TMPDIR/per"
	assert_output ""
	# the union is the host's list
	assert_equal "$(grep '^  ' "$BATS_TEST_TMPDIR/per" | sed 's/^  //' | LC_ALL=C sort -u)" \
		"$("$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR/inv.json")"
	# this host, the same
	run --separate-stderr "$MDEVCTL" compat traits --inventory --per-parent
	assert_success
	assert_equal "$output" "$(cat "$BATS_TEST_TMPDIR/per")"
	# options that need an inventory
	run --separate-stderr "$MDEVCTL" compat traits --from "$DATA/record-example.json" --per-parent
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat traits --from "$DATA/record-example.json" --format text
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat traits --inventory --format yaml
	assert_usage_error
	run --separate-stderr "$MDEVCTL" compat traits --inventory --nodename x
	assert_usage_error
}

@test "traits --format nova-provider-config: Nova's provider config, one provider per parent, named as Nova names them" {
	"$MDEVCTL" compat inventory | jq '.host = "cmp1.example.org"' >"$BATS_TEST_TMPDIR/inv.json" || fail "inventory"
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR/inv.json" --format nova-provider-config
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/p.yaml"
	nova_ok "$BATS_TEST_TMPDIR/p.yaml"
	python3 - "$BATS_TEST_TMPDIR/p.yaml" "$BATS_TEST_TMPDIR/got" <<'PY' || fail "not the YAML expected"
import re, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["meta"] == {"schema_version": "1.0"}, doc["meta"]
with open(sys.argv[2], "w") as out:
    for p in doc["providers"]:
        assert set(p) == {"identification", "traits"} and set(p["traits"]) == {"additional"}, p
        for t in p["traits"]["additional"]:
            assert re.match(r"^CUSTOM_[A-Z0-9_]+$", t) and len(t) <= 255, t
        out.write("%s %s\n" % (p["identification"]["name"], ",".join(p["traits"]["additional"])))
PY
	# the PCI parent as libvirt's node device pci_0000_00_02_0; the others by name
	assert_equal "$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/got")" "cmp1.example.org_pci_0000_00_02_0
cmp1.example.org_matrix
cmp1.example.org_mtty"
	# each provider: the union of its parent's types' traits
	local p traits
	for p in "$P_GVT" "$P_AP" "$P_MTTY"; do
		traits=$("$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR/inv.json" --per-parent |
			awk -v p="$p" '/^[^ ]/ { on = $1 == p; next } on { print $1 }' | LC_ALL=C sort -u | paste -sd,)
		grep -qx ".*_${p//[:.]/_} $traits" "$BATS_TEST_TMPDIR/got" || fail "$p: $traits
$(cat "$BATS_TEST_TMPDIR/got")"
	done
	# a record's required traits are on the provider of the parent that check chooses
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	"$MDEVCTL" compat show -u "$U1" >"$BATS_TEST_TMPDIR/rec.json" || fail "compat show"
	for t in $("$MDEVCTL" compat traits --from "$BATS_TEST_TMPDIR/rec.json" | grep -v '^in:'); do
		grep -q "^cmp1.example.org_mtty .*\b$t\b" "$BATS_TEST_TMPDIR/got" || fail "$t not on mtty's provider"
	done
	# --nodename: the compute node as Nova knows it
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR/inv.json" \
		--format nova-provider-config --nodename cmp1
	assert_success
	assert_line '      name: "cmp1_pci_0000_00_02_0"'
}

@test "traits --format nova-provider-config: names Nova would refuse, and an inventory without a host, are errors" {
	jq 'del(.host)' "$DATA/inventory-example.json" >"$BATS_TEST_TMPDIR/nohost.json"
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR/nohost.json" --format nova-provider-config
	assert_error "The inventory names no host: give Nova's name of the compute node with --nodename"
	# no compute node is named "" (nor is an inventory's host)
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$DATA/inventory-example.json" \
		--format nova-provider-config --nodename ''
	assert_usage_error
	[[ $stderr == *"invalid value '' for '--nodename <NAME>'"* ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR/nohost.json" \
		--format nova-provider-config --nodename "$(printf 'n%.0s' $(seq 190))"
	assert_equal "$status" 1
	[[ $stderr == "Error: The resource provider name n"*"_pci_0000_00_02_0 is longer than the 200 characters Nova allows" ]] || fail "$stderr"
	assert_output ""
	# an odd host name stays one YAML string
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$BATS_TEST_TMPDIR/nohost.json" \
		--format nova-provider-config --nodename $'a"b: c\n- d'
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/p.yaml"
	nova_ok "$BATS_TEST_TMPDIR/p.yaml"
	assert_equal "$(python3 -c 'import sys, yaml; print(repr(yaml.safe_load(open(sys.argv[1]))["providers"][0]["identification"]["name"]))' "$BATS_TEST_TMPDIR/p.yaml")" \
		"'a\"b: c\\n- d_pci_0000_00_02_0'"
}

@test "offline: traits per parent and Nova's provider config of an inventory file need nothing of this host" {
	offline
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$DATA/inventory-example.json" --per-parent
	assert_success
	assert_line --index 0 "0000:00:02.0 i915-GVTg_V5_4"
	run --separate-stderr "$MDEVCTL" compat traits --inventory "$DATA/inventory-example.json" --format nova-provider-config
	assert_success
	assert_line '      name: "dst1_pci_0000_00_02_0"'
	assert_equal "$(find "$ROOT" | wc -l)" 1
}
