#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `list` on hosts with many devices, where it reads parents and types through each type's
# devices/ directory instead of two links per device (src/sysfs.c), opens the definitions of
# running devices directly or through their parent's listing (src/store.c): the same answer as
# the per-device reading, on consistent trees and on trees whose links disagree, either way of
# finding definitions, and a bounded number of system calls per device. Trees come from
# bench/mkhost.py; the expected listings are computed here from the generator's documented
# layout, not from the program.

load helpers

MKBIG=$SRCDIR/bench/mkhost.py

# big P T N D: a generated host (P parents x T types, N running devices, D definitions)
big() {
	ROOT=$BATS_TEST_TMPDIR/root
	python3 "$MKBIG" --parents "$1" --types "$2" --devices "$3" --defined "$4" "$ROOT" ||
		fail "mkhost.py failed"
	use_root
}

# The generator's layout: device i runs on parent i % P with type (i / P) % T, definition i is
# "auto" when i is odd; the UUID of running device i is made from sha1("0:<i>"): its first 32
# hex digits, digit 13 set to 4 and digit 17 to 8, 9, a or b (by its value modulo 4).
uuid_of() {
	local h v
	h=$(printf '0:%d' "$1" | sha1sum)
	v=89ab
	v=${v:$((16#${h:16:1} % 4)):1}
	printf '%s-%s-4%s-%s%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "$v" "${h:17:3}" "${h:20:12}"
}
parent_of() { printf '0000:%02x:00.0' $(($1 % $2 + 1)); }

# expected_active P T N D: the text `list` must print
expected_active() {
	local p=$1 t=$2 n=$3 d=$4 i start mark
	for ((i = 0; i < n; i++)); do
		start=manual mark=
		if [ "$i" -lt "$d" ]; then
			[ $((i % 2)) -eq 1 ] && start=auto
			mark=" (defined)"
		fi
		echo "$(parent_of $i "$p") $(uuid_of $i) bench_$(((i / p) % t)) $start$mark"
	done | LC_ALL=C sort | awk '{ print $2, $1, $3, $4, $5 }' | sed 's/ $//'
}

# With 200 devices on 4 x 3, the cost model picks the walk through the types' directories
# (3 x 200 calls by the links against about 4 x (4 + 12) by the walk).

@test "list of 200 devices on 4 parents x 3 types: every device, parent, type and start mode" {
	big 4 3 200 150
	run -0 "$MDEVCTL" list
	assert_output "$(expected_active 4 3 200 150)"
	# the same devices through --dumpjson, and one parent's through -p
	run -0 "$MDEVCTL" list --dumpjson
	assert_equal "$(jq -r '.[0] | to_entries[] | .key as $p | .value[] | to_entries[] | "\(.key) \($p) \(.value.mdev_type) \(.value.start)"' <<<"$output")" \
		"$(expected_active 4 3 200 150 | sed 's/ (defined)$//')"
	run -0 "$MDEVCTL" list -p 0000:02:00.0
	assert_output "$(expected_active 4 3 200 150 | grep ' 0000:02:00.0 ')"
	run -0 "$MDEVCTL" list -u "$(uuid_of 77)"
	assert_output "$(expected_active 4 3 200 150 | grep "^$(uuid_of 77) ")"
}

# How `list` finds the definitions of running devices (src/store.c): it opens them directly
# while most tries find one, and reads the parent's directory once they mostly do not. Both
# ways must give the same marks; strace -y shows which way was taken.
@test "list of 200 running devices, all defined: definitions opened directly, no directory read" {
	command -v strace >/dev/null || fail "strace is not installed (tools/deps.sh test installs it)"
	big 4 3 200 200
	no_lsan strace -y -e trace=openat,getdents64 -o "$BATS_TEST_TMPDIR/trace" "$MDEVCTL" list \
		>"$BATS_TEST_TMPDIR/out"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "$(expected_active 4 3 200 200)"
	run grep -c "^getdents64([0-9]*<$ETC/0000" "$BATS_TEST_TMPDIR/trace"
	assert_output 0
}

@test "list of 200 running devices, 12 defined: the parents' directories are read, (defined) exactly on those 12" {
	command -v strace >/dev/null || fail "strace is not installed (tools/deps.sh test installs it)"
	big 4 3 200 12
	no_lsan strace -y -e trace=openat,getdents64 -o "$BATS_TEST_TMPDIR/trace" "$MDEVCTL" list \
		>"$BATS_TEST_TMPDIR/out"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "$(expected_active 4 3 200 12)"
	assert_equal "$(grep -c ' (defined)$' "$BATS_TEST_TMPDIR/out")" 12
	# each parent's directory read, and far fewer definitions tried than devices run
	[ "$(grep -c "^getdents64([0-9]*<$ETC/0000" "$BATS_TEST_TMPDIR/trace")" -ge 4 ] ||
		fail "the parents' directories were not read: $(grep getdents64 "$BATS_TEST_TMPDIR/trace")"
	local tries
	tries=$(grep -c "^openat([0-9]*<$ETC/0000:0.:00.0>, \"[0-9a-f-]*\"" "$BATS_TEST_TMPDIR/trace")
	echo "# $tries definitions tried for 200 running devices" >&3
	[ "$tries" -lt 100 ] || fail "$tries definitions tried"
	# the same marks with the definitions of one parent gone entirely
	rm -r "$ETC/0000:02:00.0"
	run -0 "$MDEVCTL" list
	assert_output "$(expected_active 4 3 200 12 | sed '/ 0000:02:00.0 / s/ (defined)$//; / 0000:02:00.0 / s/ auto$/ manual/')"
}

# A corrupt and an unreadable definition among many: every form of the listing warns about the
# corrupt one by name; the one that is a directory is no definition to `list -d` (skipped
# quietly, as upstream does) but is warned about where a running device's definition is looked
# up.
@test "list, list -d, --dumpjson, -v of 300 definitions: the bad ones warned about, the rest listed" {
	big 4 3 200 300
	echo '{"mdev_type": ' >"$ETC/0000:01:00.0/$(uuid_of 4)"
	rm "$ETC/0000:02:00.0/$(uuid_of 5)" && mkdir "$ETC/0000:02:00.0/$(uuid_of 5)"
	local args
	for args in "list" "list -d" "list --dumpjson" "list -d --dumpjson" "list -d -v"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$MDEVCTL" $args
		assert_success
		[[ $stderr == *"Invalid definition"*"$(uuid_of 4)"* ]] ||
			fail "$args: no warning about the corrupt definition: $stderr"
		case $args in
		"list -d" | "list -d "*) [[ $stderr != *"$(uuid_of 5)"* ]] || fail "$args: the directory was warned about" ;;
		*) [[ $stderr == *"Unable to open file"*"$(uuid_of 5)"* ]] ||
			fail "$args: no warning about the directory: $stderr" ;;
		esac
	done
	run -0 "$MDEVCTL" list -d
	# 300 definitions, less the directory; the corrupt one is listed as upstream lists it
	assert_equal "$(wc -l <<<"$output")" 299
}

@test "list -d of 300 definitions, 200 running: (active) exactly on the running ones" {
	big 4 3 200 300
	run -0 "$MDEVCTL" list -d
	assert_equal "$(grep -c ' (active)$' <<<"$output")" 200
	assert_equal "$(wc -l <<<"$output")" 300
	# a defined device with the running one's UUID but another type is not active
	jq '.mdev_type = "bench_2"' "$ETC/0000:01:00.0/$(uuid_of 0)" >"$BATS_TEST_TMPDIR/c"
	cp "$BATS_TEST_TMPDIR/c" "$ETC/0000:01:00.0/$(uuid_of 0)"
	run -0 "$MDEVCTL" list -d -u "$(uuid_of 0)"
	assert_output "$(uuid_of 0) 0000:01:00.0 bench_2 manual"
	run -0 "$MDEVCTL" list -d
	assert_equal "$(grep -c ' (active)$' <<<"$output")" 199
}

@test "list and list -d when a bus entry is named by its UUID in capitals: the same devices" {
	big 4 3 200 200
	run -0 "$MDEVCTL" list -d
	local want=$output
	assert_equal "$(grep -c ' (active)$' <<<"$want")" 200
	local upper
	upper=$(uuid_of 3 | tr a-f A-F)
	mv "$SYS/bus/mdev/devices/$(uuid_of 3)" "$SYS/bus/mdev/devices/$upper"
	run -0 "$MDEVCTL" list -d
	assert_output "$want"
	run -0 "$MDEVCTL" list
	assert_output "$(expected_active 4 3 200 200)"
}

@test "list when a type's devices/ directory and the device links disagree: the links decide" {
	big 4 3 200 0
	local types=$SYS/devices/pci0000:01/0000:01:00.0/mdev_supported_types
	# device 0 (parent 1, bench_0) missing from its type's directory: still listed, via its links
	rm "$types/bench_0/devices/$(uuid_of 0)"
	# device 4 (parent 1, bench_1) also appears under bench_2: its mdev_type link says bench_1
	ln -s "../../../$(uuid_of 4)" "$types/bench_2/devices/$(uuid_of 4)"
	# a type directory entry with no bus entry is not a running device
	ln -s "../../../$(uuid_of 9999)" "$types/bench_0/devices/$(uuid_of 9999)"
	run -0 "$MDEVCTL" list
	assert_output "$(expected_active 4 3 200 0)"
}

@test "list of 1,000 running, defined devices: fewer than 4 system calls per device" {
	command -v strace >/dev/null || fail "strace is not installed (tools/deps.sh test installs it)"
	big 16 8 1000 1000
	# LeakSanitizer cannot run under ptrace (a build with --enable-sanitizers): leaks are
	# checked by every other test, and this one counts system calls.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -c -o "$BATS_TEST_TMPDIR/trace" "$MDEVCTL" list >"$BATS_TEST_TMPDIR/out"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/out")" 1000
	local calls exclude=total
	# In a --enable-sanitizers build, the sanitizer's allocator maps memory in small chunks
	# where glibc's malloc grows its heap: count everything but memory mappings there.
	if ldd "$MDEVCTL" | grep -q libasan; then
		exclude="total mmap munmap mprotect"
	fi
	# strace -c's rows: "% seconds usecs/call calls [errors] syscall", the last one "total"
	calls=$(awk -v ex=" $exclude " '$4 ~ /^[0-9]+$/ && !index(ex, " " $NF " ") { n += $4 }
		END { print n }' "$BATS_TEST_TMPDIR/trace")
	echo "# $calls system calls for 1000 devices" >&3
	[ "$calls" -lt 4000 ] || fail "$calls system calls for 1000 devices"
}

@test "compat inventory of 300 parents x 16 types (over 1 MiB of JSON): every parent and type, and create-compatible --dry-run plans on it" {
	big 300 16 50 50
	run -0 "$MDEVCTL" compat inventory
	[ "${#output}" -gt 1048576 ] || fail "the inventory is only ${#output} bytes: the test no longer covers a large one"
	[ "$(jq '.parents | length' <<<"$output")" = 300 ]
	[ "$(jq '[.parents[].types | length] | add' <<<"$output")" = 4800 ]
	# the parent past the 255th has the next PCI function (bench/mkhost.py)
	[ "$(jq -r '.parents | map(.parent) | index("0000:01:00.1")' <<<"$output")" != null ]
	"$MDEVCTL" compat show -u "$(uuid_of 0)" >"$BATS_TEST_TMPDIR/rec.json"
	run -0 "$MDEVCTL" create-compatible --dry-run --from "$BATS_TEST_TMPDIR/rec.json"
	assert_output --partial "verdict: compatible"
	[ -z "$(ls "$ROOT/sys/bus/mdev/devices" | grep -v -x -F -f <(for i in $(seq 0 49); do uuid_of "$i"; echo; done))" ]
}
