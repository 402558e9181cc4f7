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
