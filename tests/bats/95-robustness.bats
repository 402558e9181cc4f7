#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Robustness: corrupt definitions, atomic writes, concurrent use, odd input.

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
	J=$BATS_TEST_TMPDIR/in.json
}

# --- corrupt definitions are warned about and skipped -------------------------------------------

corrupt_one() { # CONTENT: store it as U1 under mtty, then check the listings
	add_definition "$P_MTTY" "$U1" "$1"
	local path
	path=$(definition_path "$P_MTTY" "$U1")
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	assert_warn "$path"
	"$MDEVCTL" list -d >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/defined.txt
	run --separate-stderr "$MDEVCTL" list -d --dumpjson
	assert_success
	"$MDEVCTL" list -d --dumpjson >"$OUT" 2>/dev/null
	assert_valid_json "$OUT"
	assert_golden "$OUT" list/defined.json
	"$MDEVCTL" list -d --dumpjson -u "$U1" >"$OUT" 2>/dev/null
	assert_bytes "$OUT" "[]"
	"$MDEVCTL" list -d -p "$P_MTTY" >"$OUT" 2>/dev/null
	assert_bytes "$OUT" "e27825ad-d57e-4e68-9f06-a0b962f030b3 mtty mtty-2 auto
"
}

@test "corrupt definition: not JSON" {
	corrupt_one 'this is not json'
}

@test "corrupt definition: empty file" {
	corrupt_one ''
}

@test "corrupt definition: truncated JSON" {
	corrupt_one '{
  "mdev_type": "mtty-1",
  "sta'
}

@test "corrupt definition: missing start" {
	corrupt_one '{"mdev_type":"mtty-1","attrs":[]}'
}

@test "corrupt definition: missing mdev_type" {
	corrupt_one '{"start":"auto","attrs":[]}'
}

@test "corrupt definition: non-string mdev_type" {
	corrupt_one '{"mdev_type":42,"start":"auto","attrs":[]}'
}

@test "corrupt definition: non-string attribute value" {
	corrupt_one '{"mdev_type":"mtty-1","start":"auto","attrs":[{"a":1}]}'
}

@test "corrupt definition: attrs not an array, attribute not an object, two keys" {
	corrupt_one '{"mdev_type":"mtty-1","start":"auto","attrs":{"a":"1"}}'
	corrupt_one '{"mdev_type":"mtty-1","start":"auto","attrs":["a"]}'
	corrupt_one '{"mdev_type":"mtty-1","start":"auto","attrs":[{"a":"1","b":"2"}]}'
}

@test "corrupt definition: a JSON array, a string, binary data" {
	corrupt_one '[1,2,3]'
	corrupt_one '"just a string"'
	corrupt_one "$(printf '\x00\x01\x02\xff\xfe')"
}

@test "a corrupt definition does not stop operations on other devices" {
	add_definition "$P_MTTY" "$U1" 'garbage'
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --manual
	assert_success
	assert_bytes "$(definition_path "$P_MTTY" "$U_MTTY")" "$(def_json "$T_MTTY2" manual)"
	run --separate-stderr "$MDEVCTL" start -u "$U_MTTY"
	assert_success
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY2")" "$U_MTTY"
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY"
	assert_success
	refute_exists "$(definition_path "$P_MTTY" "$U_MTTY")"
}

@test "a corrupt definition of a running device: the active list still works" {
	add_definition "$P_GVT" "$U_GVT4" 'garbage'
	run --separate-stderr "$MDEVCTL" list --dumpjson
	assert_success
	"$MDEVCTL" list --dumpjson >"$OUT" 2>/dev/null
	assert_valid_json "$OUT"
	"$MDEVCTL" list -u "$U_AP" >"$OUT" 2>/dev/null
	assert_bytes "$OUT" "cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
"
}

@test "a directory named like a UUID in a parent directory is not a definition" {
	mkdir -p "$ETC/$P_MTTY/$U1"
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	"$MDEVCTL" list -d >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/defined.txt
}

# --- atomic writes ---------------------------------------------------------------------------------

@test "modify replaces the definition file instead of rewriting it in place" {
	local f
	f=$(definition_path "$P_MTTY" "$U_MTTY")
	ln "$f" "$BATS_TEST_TMPDIR/hardlink"
	"$MDEVCTL" modify -u "$U_MTTY" --manual
	assert_bytes "$f" "$(def_json "$T_MTTY2" manual)"
	# the old inode still has the old contents: the new file was renamed into place
	assert_bytes "$BATS_TEST_TMPDIR/hardlink" "$(def_json "$T_MTTY2" auto)"
	only_file "$ETC/$P_MTTY" "$U_MTTY"
}

@test "define, modify and undefine leave no temporary files anywhere in /etc/mdevctl.d" {
	"$MDEVCTL" define -u "$U1" -p newparent -t t1
	"$MDEVCTL" modify -u "$U1" --addattr a --value 1
	"$MDEVCTL" modify -u "$U1" -p newparent --jsonfile <(printf '%s' '{"mdev_type":"t2","start":"auto"}')
	only_file "$ETC/newparent" "$U1"
	"$MDEVCTL" undefine -u "$U1"
	only_file "$ETC/newparent" ""
	run bash -c 'find "$1" -type f | LC_ALL=C sort' _ "$ETC"
	assert_output "$(definition_path "$P_GVT" "$U_GVT8")
$(definition_path "$P_AP" "$U_AP")
$(definition_path "$P_MTTY" "$U_MTTY")"
}

@test "listing while definitions change never fails and always prints valid JSON" {
	(
		for i in $(seq 1 25); do
			"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
			"$MDEVCTL" modify -u "$U1" --addattr "a$i" --value "$(printf 'v%.0s' $(seq 1 200))"
			"$MDEVCTL" undefine -u "$U1"
		done
	) >/dev/null 2>&1 &
	local writer=$! i rc
	for i in $(seq 1 40); do
		rc=0
		"$MDEVCTL" list -d --dumpjson >"$OUT.$i" 2>/dev/null || rc=$?
		[ "$rc" -eq 0 ] || fail "list failed with $rc in round $i"
		assert_valid_json "$OUT.$i"
	done
	wait "$writer"
	"$MDEVCTL" list -d >"$OUT"
	assert_golden "$OUT" list/defined.txt
}

# --- odd input -------------------------------------------------------------------------------------

@test "a large attribute value round-trips" {
	local big
	big=$(head -c 60000 /dev/zero | tr '\0' 'x')
	printf '{"mdev_type":"mtty-1","start":"manual","attrs":[{"big":"%s"}]}' "$big" >"$J"
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	"$MDEVCTL" list -d --dumpjson -u "$U1" >"$OUT"
	assert_bytes "$OUT" "$(def_json "$T_MTTY1" manual "big=$big")"
	add_device_dir "$U1" big
	"$MDEVCTL" start -u "$U1"
	assert_bytes "$(device_dir "$U1")/big" "$big"
}

@test "many definitions are listed, sorted" {
	local i u
	for i in $(seq 100 299); do
		u=$(printf '%08x-0000-4000-8000-%012x' "$i" "$i")
		add_definition bulk "$u" "$(def_json t manual)"
	done
	"$MDEVCTL" list -d -p bulk >"$OUT"
	[ "$(wc -l <"$OUT")" -eq 200 ]
	sort -c "$OUT"
	head -1 "$OUT" | grep -q '^00000064-0000-4000-8000-000000000064 bulk t manual$'
}

@test "deeply nested JSON is an error, not a crash" {
	{
		head -c 100000 /dev/zero | tr '\0' '['
	} >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_equal "$status" 1
	[[ $stderr == "Error: "* ]] || fail "stderr: ${stderr:0:300}"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "a NUL byte inside a JSON file is an error" {
	printf '{"mdev_type":"mtty-1",\0"start":"auto"}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_equal "$status" 1
	[[ $stderr == "Error: "* ]] || fail "stderr: $stderr"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "a very long parent name fails cleanly" {
	local p
	p=$(head -c 300 /dev/zero | tr '\0' 'p')
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$p" -t "$T_MTTY1"
	assert_equal "$status" 1
	[[ $stderr == "Error: "* ]] || fail "stderr: $stderr"
}

@test "empty available_instances is an error, not a crash" {
	: >"$(type_dir "$P_AP" "$T_AP")/available_instances"
	run --separate-stderr "$MDEVCTL" types
	assert_equal "$status" 1
	[[ $stderr == "Error: "* ]] || fail "stderr: $stderr"
}

@test "a missing device_api is an error, not a crash" {
	rm "$(type_dir "$P_AP" "$T_AP")/device_api"
	run --separate-stderr "$MDEVCTL" types
	assert_equal "$status" 1
	[[ $stderr == "Error: "* ]] || fail "stderr: $stderr"
}

@test "a write error on stdout is reported with a non-zero status" {
	[ -w /dev/full ] || skip "/dev/full is not available"
	run --separate-stderr bash -c '"$MDEVCTL" types >/dev/full'
	[ "$status" -ne 0 ] || fail "exit status 0 although the output was lost"
	[ "$status" -lt 128 ] || fail "killed by a signal: $status"
}

@test "list and types filters cannot reach other directories through the parent name" {
	run --separate-stderr "$MDEVCTL" types -p ../mdev_bus/matrix
	[[ $output != *vfio_ap* ]] || fail "types -p escaped: $output"
	run --separate-stderr "$MDEVCTL" types -p ../../devices/vfio_ap/matrix
	[[ $output != *vfio_ap* ]] || fail "types -p escaped: $output"
	run --separate-stderr "$MDEVCTL" list -d -p ../mdevctl.d/matrix
	[[ $output != *cae40e88* ]] || fail "list -p escaped: $output"
	run --separate-stderr "$MDEVCTL" list -p ../mdevctl.d/matrix
	[[ $output != *cae40e88* ]] || fail "list -p escaped: $output"
}

# hold_lock SECONDS: hold the lock of mutating commands (an flock on $ETC) in this process,
# which releases it when it ends or is killed
hold_lock() {
	exec python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
time.sleep(float(sys.argv[2]))' "$ETC" "$1" 3>&-
}

@test "a mutating command waits for the lock, boundedly; list never waits" {
	mkhost
	hold_lock 30 &
	holder=$!
	# wait until the holder has the lock
	for _ in $(seq 50); do flock -n "$ETC" true || break; sleep 0.1; done
	run --separate-stderr env MDEVCTL_LOCK_TIMEOUT=0.3 "$MDEVCTL" define -u "$U1" -p mtty -t mtty-1
	assert_equal "$status" 1
	[[ $stderr == "Error: Another mdevctl command is still changing devices (lock on \"$ETC\" held for more than 300 ms); try again later" ]] ||
		fail "unexpected stderr: $stderr"
	refute_exists "$ETC/mtty/$U1"
	run --separate-stderr timeout 5 "$MDEVCTL" list -d
	assert_success
	kill "$holder"
	wait "$holder" || true
	run --separate-stderr env MDEVCTL_LOCK_TIMEOUT=0.3 "$MDEVCTL" define -u "$U1" -p mtty -t mtty-1
	assert_success
	assert_exists "$ETC/mtty/$U1"
}

@test "MDEVCTL_LOCK_TIMEOUT: a value that is no number of seconds is warned about; a huge one waits" {
	mkhost
	run --separate-stderr env MDEVCTL_LOCK_TIMEOUT=5s "$MDEVCTL" define -u "$U1" -p mtty -t mtty-1
	assert_success
	assert_warn "Ignoring MDEVCTL_LOCK_TIMEOUT=5s: not a number of seconds; waiting 10 s at most"
	local t
	for t in inf 1e300; do
		hold_lock 1 &
		holder=$!
		for _ in $(seq 50); do flock -n "$ETC" true || break; sleep 0.1; done
		run --separate-stderr env MDEVCTL_LOCK_TIMEOUT=$t "$MDEVCTL" undefine -u "$U1"
		assert_success
		assert_equal "$stderr" ""
		wait "$holder" || true
		run --separate-stderr "$MDEVCTL" define -u "$U1" -p mtty -t mtty-1
		assert_success
	done
}

@test "a command that waits for the lock goes on once it is free" {
	mkhost
	hold_lock 1 &
	holder=$!
	for _ in $(seq 50); do flock -n "$ETC" true || break; sleep 0.1; done
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p mtty -t mtty-1
	assert_success
	assert_exists "$ETC/mtty/$U1"
	wait "$holder" || true
}
