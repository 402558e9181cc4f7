#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# create-compatible on simulated hosts: the GVT-g aggregation story (a V5_2 source whose
# destination has no V5_2 left becomes a V5_4 aggregated by 2, created and persisted), dry runs,
# no capacity, failed attribute writes and kernel refusals moving on to the next candidate, the
# UUID policy, and concurrent runs for fewer instances than runs. Every test asserts the devices
# and definitions that exist afterwards.

load helpers
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"

U=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 # the source device
P=0000:00:02.0

setup() {
	sim_require
	SRC=$BATS_TEST_TMPDIR/src
	DST=$BATS_TEST_TMPDIR/dst
	sim_start "$SIM_HOSTS/gvt-aggregation.json" "$SRC"
	sim_start "$SIM_HOSTS/gvt-aggregation-dst.json" "$DST"
	local r
	for r in "$SRC" "$DST"; do
		mkdir -p "$r/etc/mdevctl/compat.d"
		cp "$SRCDIR/examples/compat.d/i915-gvtg-aggregation.json" "$r/etc/mdevctl/compat.d/"
	done
	# the source: a V5_2 defined with aggregator 1 (the default, dropped from the record)
	MDEVCTL_ENV_ROOT=$SRC "$MDEVCTL" define -u "$U" -p "$P" -t i915-GVTg_V5_2 || fail "define"
	MDEVCTL_ENV_ROOT=$SRC "$MDEVCTL" modify -u "$U" --addattr aggregator --value 1 || fail "modify"
	MDEVCTL_ENV_ROOT=$SRC "$MDEVCTL" compat show -u "$U" >"$BATS_TEST_TMPDIR/rec.json" ||
		fail "compat show"
	export MDEVCTL_ENV_ROOT=$DST
	ETC=$DST/etc/mdevctl.d
}

teardown() {
	sim_stop_all
}

# devices: "uuid type" per line of the destination's devices of parent P, sorted
devices() {
	sim_state "$DST" | jq -r '.devices[] | "\(.uuid) \(.type)"' | sort
}
defs() {
	(cd "$ETC/$P" 2>/dev/null && ls) || true
}
attr_of() {
	sim_state "$DST" | jq -r --arg u "$1" --arg a "$2" '.devices[] | select(.uuid == $u) | .attributes[$a]'
}
PRE="6a7e0c11-0000-4000-8000-000000000521 i915-GVTg_V5_2
6a7e0c11-0000-4000-8000-000000000522 i915-GVTg_V5_2"

@test "create-compatible: a V5_2 with no V5_2 left becomes a V5_4 aggregated by 2, created and persisted" {
	assert_equal "$(jq -c '.self.mdev_attrs' "$BATS_TEST_TMPDIR/rec.json")" '[{"aggregator":"1"}]'
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_output "$U"
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_4"
	assert_equal "$(attr_of "$U" aggregator)" 2
	assert_bytes "$ETC/$P/$U" '{
  "mdev_type": "i915-GVTg_V5_4",
  "start": "manual",
  "attrs": [
    {
      "aggregator": "2"
    }
  ]
}'
	run --separate-stderr "$MDEVCTL" list -d
	assert_output "$U $P i915-GVTg_V5_4 manual (active)"
}

@test "create-compatible --auto --dumpjson: the plan with its result; the definition starts automatically" {
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --auto --dumpjson
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	assert_schema plan "$BATS_TEST_TMPDIR/plan.json"
	assert_equal "$(jq -c '[.verdict, .chosen.mdev_type, .mdevctl.config.start, .result]' <<<"$output")" \
		'["compatible","i915-GVTg_V5_4","auto",{"status":"created","uuid":"'"$U"'","definition":"written","tries":[{"action":"create","parent":"'"$P"'","mdev_type":"i915-GVTg_V5_4","uuid":"'"$U"'"}]}]'
	assert_equal "$(jq -r .start "$ETC/$P/$U")" auto
}

@test "create-compatible --dry-run: the plan, and nothing changes" {
	sim_state "$DST" >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --dry-run
	assert_success
	assert_line --index 0 "verdict: compatible"
	assert_line --index 1 "chosen: create i915-GVTg_V5_4 on $P as $U; pattern 1 with n=4; cost 2; attrs aggregator=2"
	sim_state "$DST" >"$BATS_TEST_TMPDIR/after"
	cmp -s "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail "the host changed"
	assert_equal "$(defs)" ""
}

@test "create-compatible: no capacity anywhere exits 4, creates nothing and says why" {
	local i
	for i in 1 2 3; do "$MDEVCTL" start -p "$P" -t i915-GVTg_V5_4 >/dev/null || fail "start"; done
	for i in 1 2 3 4 5; do "$MDEVCTL" start -p "$P" -t i915-GVTg_V5_8 >/dev/null || fail "start"; done
	devices >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_equal "$status" 4
	assert_output ""
	[[ $stderr == "Error: No device of this host can take the migration (no-capacity)"* ]] || fail "$stderr"
	[[ $stderr == *"i915-GVTg_V5_4 on $P: no capacity: 1 available, 2 needed"* ]] || fail "$stderr"
	assert_equal "$(devices)" "$(cat "$BATS_TEST_TMPDIR/before")"
	assert_equal "$(defs)" ""
}

@test "create-compatible: a failed attribute write removes the device and tries the next candidate" {
	sim_ctl "$DST" fail attr aggregator EIO
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	assert_schema plan "$BATS_TEST_TMPDIR/plan.json"
	assert_equal "$(jq -c '[.result.status, [.result.tries[] | [.mdev_type, (.error != null)]]]' <<<"$output")" \
		'["created",[["i915-GVTg_V5_4",true],["i915-GVTg_V5_8",false]]]'
	assert_warn "Attempt 1 (create i915-GVTg_V5_4 on $P as $U) failed"
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_8"
	assert_equal "$(attr_of "$U" aggregator)" 4
	assert_equal "$(defs)" "$U"
	assert_equal "$(jq -r .mdev_type "$ETC/$P/$U")" i915-GVTg_V5_8
}

@test "create-compatible: a kernel refusal moves on; three refusals leave nothing and exit 1" {
	sim_ctl "$DST" fail create EBUSY
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_output "$U"
	assert_equal "$(jq -r .mdev_type "$ETC/$P/$U")" i915-GVTg_V5_8
	"$MDEVCTL" stop -u "$U" && "$MDEVCTL" undefine -u "$U" || fail "cleanup"

	# only two candidates: both refused (EIO, not a capacity problem): an error, nothing left
	sim_ctl "$DST" fail create EIO
	sim_ctl "$DST" fail attr aggregator EIO
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_equal "$status" 1
	assert_output ""
	[[ $stderr == *"Error: Every attempt to create a compatible device failed"* ]] || fail "$stderr"
	assert_equal "$(devices)" "$PRE"
	assert_equal "$(defs)" ""
}

@test "create-compatible: the source's UUID is kept, replaced when taken, or blocking under --keep-uuid" {
	"$MDEVCTL" define -u "$U" -p "$P" -t i915-GVTg_V5_8 || fail "define"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --keep-uuid
	assert_equal "$status" 5
	[[ $stderr == "Error: No device of this host can take the migration (blocked)"* ]] || fail "$stderr"
	assert_equal "$(devices)" "$PRE"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	local new=$output
	[[ $new =~ ^$UUID_RE$ && $new != "$U" ]] || fail "not a new UUID: $new"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$new i915-GVTg_V5_4" | sort)"
	assert_equal "$(jq -r .mdev_type "$ETC/$P/$new")" i915-GVTg_V5_4
	# --uuid picks it
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" -u "$U2"
	assert_success
	assert_output "$U2"
}

@test "create-compatible: an invalid record exits 6 and changes nothing" {
	sim_state "$DST" >"$BATS_TEST_TMPDIR/before"
	jq '.self.kind = "pci"' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/bad.json"
	assert_equal "$status" 6
	sim_state "$DST" >"$BATS_TEST_TMPDIR/after"
	cmp -s "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail "the host changed"
	assert_equal "$(defs)" ""
}

@test "create-compatible: eight runs at once for three free instances make exactly three devices" {
	# take V5_4 down to 3 free instances (6 units of 2) and V5_8 out of the way
	"$MDEVCTL" start -p "$P" -t i915-GVTg_V5_4 >/dev/null || fail "start"
	local i
	for i in 1 2 3 4 5 6 7 8; do "$MDEVCTL" start -p "$P" -t i915-GVTg_V5_8 >/dev/null || fail "start"; done
	# eight different source devices (retries of one would find its device: see below)
	for i in 1 2 3 4 5 6 7 8; do
		jq --arg u "83b8f4f2-509f-382f-3c1e-e6bfe0fa100$i" '.compatible[0].cost = "1" | .self.uuid = $u' \
			"$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/one.$i.json"
	done
	for i in 1 2 3 4 5 6 7 8; do
		"$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/one.$i.json" \
			>"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
	done
	local ok=0 full=0 st
	for i in 1 2 3 4 5 6 7 8; do
		st=0
		wait %$i || st=$?
		case $st in
		0) ok=$((ok + 1)) ;;
		4)
			full=$((full + 1))
			grep -q "Error: No device of this host can take the migration (no-capacity)" \
				"$BATS_TEST_TMPDIR/err.$i" || fail "run $i: $(cat "$BATS_TEST_TMPDIR/err.$i")"
			;;
		*) fail "run $i: status $st: $(cat "$BATS_TEST_TMPDIR/err.$i")" ;;
		esac
	done
	assert_equal "$ok $full" "3 5"
	assert_equal "$(devices | grep -c ' i915-GVTg_V5_4$')" 4
	assert_equal "$(defs | wc -l)" 3
	# each printed UUID is a running V5_4 with its definition
	for i in 1 2 3 4 5 6 7 8; do
		[ -s "$BATS_TEST_TMPDIR/out.$i" ] || continue
		u=$(cat "$BATS_TEST_TMPDIR/out.$i")
		devices | grep -qx "$u i915-GVTg_V5_4" || fail "$u does not run"
		assert_equal "$(jq -r .mdev_type "$ETC/$P/$u")" i915-GVTg_V5_4
	done
	# no temporary file, no journal of a creation (the losers left nothing either)
	assert_equal "$(find "$ETC" -name '.*')" ""
}

@test "create-compatible: waits for the host-wide lock, boundedly, and then changes nothing" {
	flock "$ETC" sleep 30 3>&- &
	local holder=$!
	for _ in $(seq 50); do flock -n "$ETC" true || break; sleep 0.1; done
	run --separate-stderr env MDEVCTL_LOCK_TIMEOUT=0.3 "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	kill "$holder"
	wait "$holder" || true
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Another mdevctl command is still changing devices (lock on \"$ETC\" held for more than 300 ms); try again later"
	assert_equal "$(devices)" "$PRE"
	assert_equal "$(defs)" ""
}

# --- retries: the device an earlier run made is the answer ---------------------------------

@test "create-compatible: a retry finds the device the first run made: existing, nothing created, exit 0" {
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_output "$U"
	# what was done, on stderr: stdout is the UUID alone
	assert_equal "$stderr" "Created $U, i915-GVTg_V5_4 on $P
The type is not the source's i915-GVTg_V5_2: pattern 1 with n=4
Attributes applied: aggregator=2"
	sim_state "$DST" >"$BATS_TEST_TMPDIR/before"
	cp "$ETC/$P/$U" "$BATS_TEST_TMPDIR/def.before"

	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_output "$U"
	assert_equal "$stderr" "$U exists already, as i915-GVTg_V5_4 on $P; its definition is kept as it is
The type is not the source's i915-GVTg_V5_2: pattern 1 with n=4"
	sim_state "$DST" >"$BATS_TEST_TMPDIR/after"
	cmp -s "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail "the host changed"
	cmp -s "$BATS_TEST_TMPDIR/def.before" "$ETC/$P/$U" || fail "the definition changed"
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_4"

	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	assert_schema plan "$BATS_TEST_TMPDIR/plan.json"
	assert_equal "$(jq -c '[.chosen.action, .chosen.uuid, .result]' "$BATS_TEST_TMPDIR/plan.json")" \
		'["existing","'"$U"'",{"status":"existing","uuid":"'"$U"'","definition":"kept","tries":[{"action":"existing","parent":"'"$P"'","mdev_type":"i915-GVTg_V5_4","uuid":"'"$U"'"}]}]'
	# the check says the same, in words
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_line --index 1 "chosen: existing i915-GVTg_V5_4 on $P as $U; pattern 1 with n=4; cost 2; attrs aggregator=2"
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_4"
}

@test "create-compatible: a retry makes the definition persistent as asked: --auto turns manual to auto, never back" {
	"$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" >/dev/null 2>&1 || fail "first run"
	assert_equal "$(jq -r .start "$ETC/$P/$U")" manual
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --auto
	assert_success
	assert_output "$U"
	[[ $stderr == "$U exists already, as i915-GVTg_V5_4 on $P; its definition is changed to start automatically"* ]] || fail "$stderr"
	assert_bytes "$ETC/$P/$U" '{
  "mdev_type": "i915-GVTg_V5_4",
  "start": "auto",
  "attrs": [
    {
      "aggregator": "2"
    }
  ]
}'
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	[[ $stderr == "$U exists already, as i915-GVTg_V5_4 on $P; its definition is kept as it is"* ]] || fail "$stderr"
	assert_equal "$(jq -r .start "$ETC/$P/$U")" auto
	# a running device of the UUID without a definition, whose attributes read as the record
	# asks, gets one
	"$MDEVCTL" undefine -u "$U" || fail "undefine"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	[[ $stderr == "$U exists already, as i915-GVTg_V5_4 on $P; its definition is written"* ]] || fail "$stderr"
	assert_equal "$(jq -c . "$ETC/$P/$U")" '{"mdev_type":"i915-GVTg_V5_4","start":"manual","attrs":[{"aggregator":"2"}]}'
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_4"
}

@test "create-compatible: two retries at once leave exactly one device, and both answer its UUID" {
	local i st
	for i in 1 2 3 4; do
		"$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" \
			>"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
	done
	for i in 1 2 3 4; do
		st=0
		wait %$i || st=$?
		[ "$st" = 0 ] || fail "run $i: status $st: $(cat "$BATS_TEST_TMPDIR/err.$i")"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/out.$i")" "$U"
	done
	# one created it, the others found it
	assert_equal "$(grep -l "^Created $U, " "$BATS_TEST_TMPDIR"/err.* | wc -l)" 1
	assert_equal "$(grep -l "^$U exists already, " "$BATS_TEST_TMPDIR"/err.* | wc -l)" 3
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_4"
	assert_equal "$(defs)" "$U"
	assert_equal "$(find "$ETC" -name '.*')" ""
}

@test "create-compatible: a retry after the device was stopped starts its definition again" {
	"$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --auto >/dev/null 2>&1 || fail "first run"
	"$MDEVCTL" stop -u "$U" || fail "stop"
	assert_equal "$(devices)" "$PRE"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	assert_schema plan "$BATS_TEST_TMPDIR/plan.json"
	assert_equal "$(jq -c '[.chosen.action, .chosen.uuid, .result.status, .result.definition]' "$BATS_TEST_TMPDIR/plan.json")" \
		'["create","'"$U"'","created","kept"]'
	[[ $stderr == "Started $U again from its definition, as i915-GVTg_V5_4 on $P; its definition is kept as it is"* ]] || fail "$stderr"
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_4"
	assert_equal "$(attr_of "$U" aggregator)" 2
	assert_equal "$(jq -r .start "$ETC/$P/$U")" auto
}

@test "create-compatible: a device with the source's UUID that the record does not accept: a fresh UUID, and a warning that says why" {
	"$MDEVCTL" start -u "$U" -p "$P" -t i915-GVTg_V5_8 || fail "start"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	local new=$output
	[[ $new =~ ^$UUID_RE$ && $new != "$U" ]] || fail "not a new UUID: $new"
	assert_warn "The source's UUID $U is taken on this host, by i915-GVTg_V5_8 on $P, in use: the device has the new UUID $new"
	[[ $stderr == *"Created $new, i915-GVTg_V5_4 on $P"* ]] || fail "$stderr"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_8" "$new i915-GVTg_V5_4" | sort)"
	# the readable check says so before anything is done, without a UUID it would not use
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	[[ ${lines[1]} == "chosen: create i915-GVTg_V5_4 on $P as a new UUID (the source's $U is taken, by i915-GVTg_V5_8 on $P, in use); pattern 1 with n=4; cost 2; attrs aggregator=2" ]] ||
		fail "${lines[1]}"
}

# --- --parent and --prefer-parent ------------------------------------------------------------

@test "create-compatible --parent: a parent that does not exist is an error, a malformed name a usage error; nothing is created" {
	sim_state "$DST" >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --parent 0000:00:03.0
	assert_error "Unable to find parent device '0000:00:03.0'"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" -p ../../etc
	assert_usage_error
	[[ $stderr == *"invalid value '../../etc' for '--parent <PARENT>'"* ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --dry-run --parent 0000:00:03.0
	assert_equal "$status" 1
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --parent "$P" --prefer-parent "$P"
	assert_usage_error
	sim_state "$DST" >"$BATS_TEST_TMPDIR/after"
	cmp -s "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail "the host changed"
	assert_equal "$(defs)" ""
	# the parent that is there
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --parent "$P"
	assert_success
	assert_output "$U"
}

@test "create-compatible --prefer-parent: a hint, as --parent was: one that does not exist is passed over" {
	run --separate-stderr "$MDEVCTL" create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --prefer-parent 0000:00:03.0
	assert_success
	assert_output "$U"
	assert_equal "$(devices)" "$PRE
$U i915-GVTg_V5_4"
}
