#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault injection on a simulated host (tests/sim): the kernel refusing create, an attribute write
# or remove (EBUSY), the parent going away between mdevctl's look at the host and its create,
# the definitions' file system full (a tiny tmpfs over /etc/mdevctl.d), and SIGKILL at every
# system call of define, modify and create-compatible (tests/faults/kill-loop.py); then
# concurrent defines, undefines and listings. After each fault: the exit status and message,
# the devices on the host, no definition written by a command that failed, no temporary file or
# journal left, and a later command works.

load helpers
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"

U=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 # the source device of the migration record
P=0000:00:02.0
# the destination's devices before any test
PRE="6a7e0c11-0000-4000-8000-000000000521 i915-GVTg_V5_2
6a7e0c11-0000-4000-8000-000000000522 i915-GVTg_V5_2"

setup_file() {
	# bats 1.8 cannot skip here: setup() skips every test, saying why
	if sim_unavailable >/dev/null; then
		return 0
	fi
	# the record of a V5_2 on the source, made once (compat show)
	local src=$BATS_FILE_TMPDIR/src
	sim_start "$SIM_HOSTS/gvt-aggregation.json" "$src"
	mkdir -p "$src/etc/mdevctl/compat.d"
	cp "$SRCDIR/examples/compat.d/i915-gvtg-aggregation.json" "$src/etc/mdevctl/compat.d/"
	local rc=0
	{
		MDEVCTL_ENV_ROOT=$src "$MDEVCTL" define -u "$U" -p "$P" -t i915-GVTg_V5_2 &&
			MDEVCTL_ENV_ROOT=$src "$MDEVCTL" modify -u "$U" --addattr aggregator --value 1 &&
			MDEVCTL_ENV_ROOT=$src "$MDEVCTL" compat show -u "$U" >"$BATS_FILE_TMPDIR/rec.json"
	} || rc=1
	sim_stop "$src"
	return $rc
}

setup() {
	sim_require
	ROOT=$BATS_TEST_TMPDIR/root
	sim_start "$SIM_HOSTS/gvt-aggregation-dst.json" "$ROOT"
	mkdir -p "$ROOT/etc/mdevctl/compat.d"
	cp "$SRCDIR/examples/compat.d/i915-gvtg-aggregation.json" "$ROOT/etc/mdevctl/compat.d/"
	use_root
	REC=$BATS_FILE_TMPDIR/rec.json
	JOURNAL=$ETC/.create-compatible
}

teardown() {
	if [ -n "${TMPFS:-}" ]; then
		umount "$TMPFS" || umount -l "$TMPFS" || true
	fi
	sim_stop_all
}

# devices: "uuid type" per line of the host's devices, sorted (from the simulator's state)
devices() {
	sim_state "$ROOT" | jq -r '.devices[] | "\(.uuid) \(.type)"' | sort
}
defs() {
	(cd "$ETC/$P" 2>/dev/null && ls) || true
}
attr_of() {
	sim_state "$ROOT" | jq -r --arg u "$1" --arg a "$2" '.devices[] | select(.uuid == $u) | .attributes[$a]'
}

# assert_clean: no temporary file, no journal, no other dot-file anywhere in /etc/mdevctl.d
# (the filler of the tiny file system aside), and every definition loads
assert_clean() {
	local dots f
	dots=$(find "$ETC" -name '.*' ! -name .filler)
	[ -z "$dots" ] || fail "left in $ETC: $dots"
	for f in "$ETC/$P"/*; do
		[ -e "$f" ] || continue
		jq -e '.mdev_type and .start' "$f" >/dev/null || fail "$f does not load: $(cat "$f")"
	done
}

# tiny_etc PAGES: /etc/mdevctl.d on a tmpfs of 8 pages with PAGES of them left free (a page is
# the least a non-empty file takes there)
tiny_etc() {
	TMPFS=$ETC
	mount -t tmpfs -o size=32k,mode=0755 tmpfs "$ETC" || fail "cannot mount a tmpfs"
	mkdir -p "$ETC/scripts.d/callouts" "$ETC/scripts.d/notifiers" "$ETC/$P"
	head -c $(((8 - $1) * 4096)) /dev/zero >"$ETC/.filler" 2>/dev/null || true
	[ "$(stat -f -c %a "$ETC")" = "$1" ] || fail "$(stat -f -c %a "$ETC") free pages, not $1"
}

# stderr_has TEXT: $stderr contains TEXT
stderr_has() {
	[[ $stderr == *"$1"* ]] || printf 'stderr lacks: %s\n-- stderr --\n%s\n' "$1" "$stderr" | fail
}

# strace_kill NAME K CMD...: run CMD killed with SIGKILL on entering its K-th NAME system call
strace_kill() {
	local name=$1 k=$2
	shift 2
	run --separate-stderr strace -qq -o /dev/null -e trace="$name" \
		-e inject="$name:signal=SIGKILL:when=$k" -- "$@"
	[ "$status" = 137 ] || fail "not killed: status $status, $stderr"
}

require_strace() {
	command -v strace >/dev/null || skip "strace is not installed (Debian: strace)"
	strace -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here (no ptrace)"
}

# --- the kernel refuses ---------------------------------------------------------------------

@test "faults: create fails: start reports the kernel's errno, leaves nothing, and the next start works" {
	"$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_8 || fail "define"
	local before
	before=$(cat "$ETC/$P/$U1")
	sim_ctl "$ROOT" fail create EIO
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_error "Failed to create mdev $U1, type i915-GVTg_V5_8 on $P

Caused by:
    Input/output error (os error 5)"
	assert_equal "$(devices)" "$PRE"
	assert_equal "$(cat "$ETC/$P/$U1")" "$before"
	assert_clean
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_success
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U1 i915-GVTg_V5_8" | sort)"
}

@test "faults: an attribute write fails: start removes the device again, the definition stays as it was" {
	printf '{"mdev_type":"i915-GVTg_V5_4","start":"manual","attrs":[{"aggregator":"2"}]}' >"$BATS_TEST_TMPDIR/j"
	"$MDEVCTL" define -u "$U1" -p "$P" --jsonfile "$BATS_TEST_TMPDIR/j" || fail "define"
	cp "$ETC/$P/$U1" "$BATS_TEST_TMPDIR/before"
	sim_ctl "$ROOT" fail attr aggregator EIO
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_error "Failed to write 2 to attribute aggregator

Caused by:
    Input/output error (os error 5)"
	assert_equal "$(devices)" "$PRE"
	cmp "$BATS_TEST_TMPDIR/before" "$ETC/$P/$U1" || fail "the definition changed"
	assert_clean
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_success
	assert_equal "$(attr_of "$U1" aggregator)" 2
}

@test "faults: remove gives EBUSY: stop fails and keeps device and definition; undefine does not need remove" {
	"$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_8 || fail "define"
	"$MDEVCTL" start -u "$U1" || fail "start"
	cp "$ETC/$P/$U1" "$BATS_TEST_TMPDIR/before"
	sim_ctl "$ROOT" busy "$U1"
	run --separate-stderr "$MDEVCTL" stop -u "$U1"
	assert_error "Error removing device $U1

Caused by:
    Device or resource busy (os error 16)"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U1 i915-GVTg_V5_8" | sort)"
	cmp "$BATS_TEST_TMPDIR/before" "$ETC/$P/$U1" || fail "the definition changed"
	# undefine removes the definition only (upstream never stops the device)
	run --separate-stderr "$MDEVCTL" undefine -u "$U1"
	assert_success
	assert_equal "$(defs)" ""
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U1 i915-GVTg_V5_8" | sort)"
	sim_ctl "$ROOT" unbusy "$U1"
	run --separate-stderr "$MDEVCTL" stop -u "$U1"
	assert_success
	assert_equal "$(devices)" "$PRE"
	assert_clean
}

@test "faults: remove gives EBUSY in create-compatible's rollback: it gives up at once and names the device left" {
	sim_ctl "$ROOT" busy "$U"
	sim_ctl "$ROOT" fail attr aggregator EIO
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_equal "$status" 1
	assert_output ""
	assert_warn "Attempt 1 (create i915-GVTg_V5_4 on $P as $U) failed: Failed to write 2 to attribute aggregator: Input/output error (os error 5)"
	stderr_has "Error: Gave up creating a compatible device after attempt 1: $U is left running without a definition

Caused by:
    Error removing device $U: Device or resource busy (os error 16)"
	[[ $stderr != *"Attempt 2"* ]] || fail "went on after the failed rollback: $stderr"
	# the kernel kept it: visible, undefined, reported; nothing else was made
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	assert_equal "$(defs)" ""
	assert_clean
	# a later command leaves the reported device alone (it is no unfinished command's)
	sim_ctl "$ROOT" unbusy "$U"
	"$MDEVCTL" define -u "$U2" -p "$P" -t i915-GVTg_V5_8 || fail "define"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	"$MDEVCTL" stop -u "$U" || fail "stop"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_success
	assert_output "$U"
}

# --- the parent goes away ---------------------------------------------------------------------

@test "faults: the parent disappears between selection and creation: start fails with ENODEV, nothing is left" {
	sim_ctl "$ROOT" unplug-on-create "$P"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P" -t i915-GVTg_V5_8
	assert_error "Failed to create mdev $U1, type i915-GVTg_V5_8 on $P

Caused by:
    No such device (os error 19)"
	assert_equal "$(devices)" ""
	assert_equal "$(defs)" ""
	assert_clean
	sim_ctl "$ROOT" plug "$P"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P" -t i915-GVTg_V5_8
	assert_success
	assert_equal "$(devices)" "$U1 i915-GVTg_V5_8"
}

@test "faults: the parent disappears between selection and creation: create-compatible fails, nothing is left" {
	sim_ctl "$ROOT" unplug-on-create "$P"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC" --dumpjson
	assert_equal "$status" 1
	assert_equal "$(jq -c '[.result.status, [.result.tries[] | .mdev_type]]' <<<"$output")" \
		'["failed",["i915-GVTg_V5_4","i915-GVTg_V5_8"]]'
	assert_warn "Attempt 1 (create i915-GVTg_V5_4 on $P as $U) failed: Failed to create mdev $U, type i915-GVTg_V5_4 on $P: No such device (os error 19)"
	assert_warn "Attempt 2 (create i915-GVTg_V5_8 on $P as $U) failed: Unable to find parent device '$P'"
	stderr_has "Error: Every attempt to create a compatible device failed"
	assert_equal "$(devices)" ""
	assert_equal "$(defs)" ""
	assert_clean
	# back, fresh: the V5_2 itself is free now
	sim_ctl "$ROOT" plug "$P"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_success
	assert_equal "$(devices)" "$U i915-GVTg_V5_2"
	assert_equal "$(jq -r .mdev_type "$ETC/$P/$U")" i915-GVTg_V5_2
}

# --- the definitions' file system is full --------------------------------------------------------

@test "faults: no space for the definition: define and modify fail and change nothing" {
	printf '{"mdev_type":"i915-GVTg_V5_8","start":"manual","attrs":[]}' >"$BATS_TEST_TMPDIR/j"
	tiny_etc 1
	"$MDEVCTL" define -u "$U2" -p "$P" --jsonfile "$BATS_TEST_TMPDIR/j" || fail "define"
	cp "$ETC/$P/$U2" "$BATS_TEST_TMPDIR/before"
	assert_equal "$(stat -f -c %a "$ETC")" 0
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_8
	assert_error "Failed to write config for device $U1

Caused by:
    No space left on device (os error 28)"
	run --separate-stderr "$MDEVCTL" modify -u "$U2" --auto
	assert_error "Failed to write config for device $U2

Caused by:
    No space left on device (os error 28)"
	assert_equal "$(defs)" "$U2"
	cmp "$BATS_TEST_TMPDIR/before" "$ETC/$P/$U2" || fail "the definition changed"
	assert_clean
	rm "$ETC/.filler"
	"$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_8 || fail "define after freeing space"
	"$MDEVCTL" modify -u "$U2" --auto || fail "modify after freeing space"
	assert_equal "$(jq -r .start "$ETC/$P/$U2")" auto
	assert_clean
}

@test "faults: no space for the definition: create-compatible removes its device and gives up at once" {
	# one page: the journal fits, the definition does not
	tiny_etc 1
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC" --dumpjson
	assert_equal "$status" 1
	assert_equal "$(jq -c '[.result.status, [.result.tries[] | .mdev_type]]' <<<"$output")" \
		'["failed",["i915-GVTg_V5_4"]]'
	assert_warn "Attempt 1 (create i915-GVTg_V5_4 on $P as $U) failed: Failed to write config for device $U: No space left on device (os error 28)"
	stderr_has "Error: Gave up creating a compatible device after attempt 1: nothing is left of it

Caused by:
    0: Failed to write config for device $U
    1: No space left on device (os error 28)"
	[[ $stderr != *"no capacity"* ]] || fail "a full disk is not a full GPU: $stderr"
	assert_equal "$(devices)" "$PRE"
	assert_equal "$(defs)" ""
	assert_clean
	# no page at all: the journal cannot be written and nothing is created
	head -c 4096 /dev/zero >>"$ETC/.filler" 2>/dev/null || true
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_equal "$status" 1
	stderr_has "Error: Gave up creating a compatible device after attempt 1: nothing is left of it"
	stderr_has "Unable to write \"$JOURNAL\""
	assert_equal "$(devices)" "$PRE"
	assert_clean
	rm "$ETC/.filler"
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_success
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	assert_equal "$(defs)" "$U"
	assert_clean
}

# --- SIGKILL -------------------------------------------------------------------------------------

@test "faults: a writer killed before its rename: listings skip its temporary file, the next write removes it" {
	require_strace
	"$MDEVCTL" define -u "$U2" -p "$P" -t i915-GVTg_V5_8 || fail "define"
	strace_kill renameat 1 "$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_4
	run ls -A "$ETC/$P"
	[[ ${lines[0]} =~ ^\.$U1\.[A-Za-z0-9]{6}$ && ${#lines[@]} = 2 ]] || fail "no temporary file: $output"
	assert_equal "$(defs)" "$U2"
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	assert_output "$U2 $P i915-GVTg_V5_8 manual"
	refute_warn
	"$MDEVCTL" list -d --dumpjson >"$BATS_TEST_TMPDIR/out"
	assert_valid_json "$BATS_TEST_TMPDIR/out"
	# the next write in that directory
	run --separate-stderr "$MDEVCTL" modify -u "$U2" --auto
	assert_success
	assert_equal "$(ls -A "$ETC/$P")" "$U2"
	"$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_4 || fail "define"
	assert_clean
}

@test "faults: create-compatible killed between create and definition: the next locking command removes the device" {
	require_strace
	strace_kill renameat 1 "$MDEVCTL" create-compatible --from "$REC"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	assert_equal "$(jq -r '[.uuid, .parent, .mdev_type] | join(" ")' "$JOURNAL")" "$U $P i915-GVTg_V5_4"
	# listings change nothing
	run --separate-stderr "$MDEVCTL" list
	assert_line "$U $P i915-GVTg_V5_4 manual"
	assert_exists "$JOURNAL"
	# any command that takes the lock finishes the job
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_8
	assert_success
	assert_warn "Removed $U (i915-GVTg_V5_4 on $P), left running without a definition by a create-compatible that did not finish"
	assert_equal "$(devices)" "$PRE"
	refute_exists "$JOURNAL"
	assert_equal "$(defs)" "$U1"
	assert_clean
	# and create-compatible works again
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_success
	refute_warn
	assert_equal "$(defs)" "$(printf '%s\n' "$U1" "$U" | sort)"
}

@test "faults: create-compatible killed after its definition: device and definition stay, the journal goes" {
	require_strace
	# journal_end's unlinkat(2) is the last thing it does
	strace_kill unlinkat 1 "$MDEVCTL" create-compatible --from "$REC"
	assert_exists "$JOURNAL"
	assert_equal "$(defs)" "$U"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P"
	assert_success
	refute_warn
	refute_exists "$JOURNAL"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	assert_equal "$(defs)" "$U"
	assert_clean
}

@test "faults: a journal from an earlier boot, an incomplete one, or one whose device changed removes nothing" {
	local u3
	u3=$("$MDEVCTL" start -p "$P" -t i915-GVTg_V5_8) || fail "start"
	printf '{"uuid": "%s", "parent": "%s", "mdev_type": "i915-GVTg_V5_8", "boot_id": "00000000-0000-4000-8000-000000000000"}' \
		"$u3" "$P" >"$JOURNAL"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_8
	assert_success
	refute_warn
	refute_exists "$JOURNAL"
	printf '{"uuid": "%s", "parent": "%s", "mdev_ty' "$u3" "$P" >"$JOURNAL"
	run --separate-stderr "$MDEVCTL" undefine -u "$U1"
	assert_success
	refute_exists "$JOURNAL"
	# this boot, but another type than recorded: not the device the killed command made
	printf '{"uuid": "%s", "parent": "%s", "mdev_type": "i915-GVTg_V5_4", "boot_id": "%s"}' \
		"$u3" "$P" "$(cat /proc/sys/kernel/random/boot_id)" >"$JOURNAL"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P"
	assert_success
	refute_warn
	refute_exists "$JOURNAL"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$u3 i915-GVTg_V5_8" | sort)"
	# the same, recorded as it runs: removed
	printf '{"uuid": "%s", "parent": "%s", "mdev_type": "i915-GVTg_V5_8", "boot_id": "%s"}' \
		"$u3" "$P" "$(cat /proc/sys/kernel/random/boot_id)" >"$JOURNAL"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P"
	assert_success
	assert_warn "Removed $u3 (i915-GVTg_V5_8 on $P)"
	assert_equal "$(devices)" "$PRE"
	assert_clean
}

@test "faults: SIGKILL at every system call of define, modify and create-compatible: nothing partial, nothing left" {
	require_strace
	local t0=$SECONDS
	run python3 "$SRCDIR/tests/faults/kill-loop.py" --mdevctl "$MDEVCTL" --root "$ROOT" --parent "$P" \
		--record "$REC" --uuid "$U" --tmp "$BATS_TEST_TMPDIR"
	# the figures, in the TAP log
	local line
	for line in "${lines[@]}"; do echo "# $line" >&3; done
	assert_success
	assert_line --regexp '^total: [0-9]+ runs, [0-9]+ killed, 0 violations'
	local runs kills
	runs=$(sed -n 's/^total: \([0-9]*\) runs.*/\1/p' <<<"$output")
	kills=$(sed -n 's/^total: [0-9]* runs, \([0-9]*\) killed.*/\1/p' <<<"$output")
	[ "$runs" -ge 200 ] && [ "$kills" -ge 200 ] || fail "only $runs runs, $kills kills"
	echo "# kill loop: $((SECONDS - t0)) s" >&3
	assert_equal "$(devices)" "$PRE"
	assert_clean
}

# --- concurrency ---------------------------------------------------------------------------------

@test "concurrency: 50 defines and undefines while list --dumpjson -d loops: every listing is valid and true" {
	local i pids=() n=0 bad=0
	"$MDEVCTL" define -u "$U1" -p "$P" -t i915-GVTg_V5_8 || fail "define"
	for i in $(seq 1 50); do
		(
			u=$(printf 'c0000000-0000-4000-8000-%012d' "$i")
			"$MDEVCTL" define -u "$u" -p "$P" -t i915-GVTg_V5_4 --auto &&
				"$MDEVCTL" undefine -u "$u"
		) >"$BATS_TEST_TMPDIR/job.$i" 2>&1 &
		pids+=($!)
	done
	# list until every job has ended, and at least 20 times
	while :; do
		n=$((n + 1))
		"$MDEVCTL" list --dumpjson -d >"$BATS_TEST_TMPDIR/list.$n" 2>"$BATS_TEST_TMPDIR/list-err.$n" ||
			fail "list $n failed: $(cat "$BATS_TEST_TMPDIR/list-err.$n")"
		if [ -s "$BATS_TEST_TMPDIR/list-err.$n" ]; then
			fail "list $n warned: $(cat "$BATS_TEST_TMPDIR/list-err.$n")"
		fi
		local running=0 pid
		for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
		[ $running = 1 ] || [ $n -lt 20 ] || break
	done
	for i in $(seq 1 50); do
		wait "${pids[$((i - 1))]}" || { bad=$((bad + 1)); echo "job $i: $(cat "$BATS_TEST_TMPDIR/job.$i")"; }
	done
	[ $bad = 0 ] || fail "$bad of 50 define/undefine pairs failed"
	# every listing parses and holds only what was defined, each with its definition's content
	local seen
	seen=$(python3 - "$BATS_TEST_TMPDIR" "$n" "$P" "$U1" <<'EOF') || fail "a listing was wrong: $seen"
import json, re, sys
tmp, n, parent, u1 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ok = re.compile(r"^c0000000-0000-4000-8000-0000000000(0[1-9]|[1-4][0-9]|50)$")
seen = 0
for i in range(1, n + 1):
    doc = json.load(open(f"{tmp}/list.{i}"))
    for group in doc:
        for p, devs in group.items():
            assert p == parent, p
            for d in devs:
                (u, cfg), = d.items()
                if u == u1:
                    assert cfg == {"mdev_type": "i915-GVTg_V5_8", "start": "manual", "attrs": []}, cfg
                    continue
                assert ok.match(u), f"listing {i}: {u} was never defined"
                assert cfg == {"mdev_type": "i915-GVTg_V5_4", "start": "auto", "attrs": []}, cfg
                seen += 1
print(seen)
EOF
	echo "# $n listings during 50 define/undefine pairs; $seen transient definitions seen in them" >&3
	# the listings did run while definitions came and went
	[ "$seen" -gt 0 ] || fail "no listing saw a transient definition: the test raced nothing"
	assert_equal "$(defs)" "$U1"
	assert_clean
}

@test "faults: create-compatible killed between create and definition, then retried: the retry removes the orphan and makes the device again, once" {
	require_strace
	strace_kill renameat 1 "$MDEVCTL" create-compatible --from "$REC"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	assert_exists "$JOURNAL"
	# the retry takes the lock, which removes the half-made device (its attributes were never
	# known to be right), and then makes it again with the source's UUID
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_success
	assert_output "$U"
	assert_warn "Removed $U (i915-GVTg_V5_4 on $P), left running without a definition by a create-compatible that did not finish"
	stderr_has "Created $U, i915-GVTg_V5_4 on $P"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	assert_equal "$(attr_of "$U" aggregator)" 2
	assert_equal "$(defs)" "$U"
	assert_clean
	# and the next retry finds it
	run --separate-stderr "$MDEVCTL" create-compatible --from "$REC"
	assert_success
	assert_output "$U"
	stderr_has "$U exists already, as i915-GVTg_V5_4 on $P; its definition is kept as it is"
	assert_equal "$(devices)" "$(printf '%s\n' "$PRE" "$U i915-GVTg_V5_4" | sort)"
	assert_clean
}
