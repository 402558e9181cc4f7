#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# types: parents and their supported mdev types.

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
}

# the edge-case host: three parents, one without types, odd file contents
mkedge() {
	rm -rf "$ROOT"
	mkempty
	mkdir -p "$SYS/class/mdev_bus"
	add_parent empty
	add_parent zz
	add_parent Zed
	local d
	d=$(type_dir zz b-type)
	mkdir -p "$d"
	printf ' 7 \n' >"$d/available_instances"
	printf 'vfio-pci\n' >"$d/device_api"
	printf '\n' >"$d/name"
	printf 'line one\nline two\nline three\n' >"$d/description"
	d=$(type_dir zz a-type)
	mkdir -p "$d"
	printf '0\n' >"$d/available_instances"
	printf 'vfio-ccw\n' >"$d/device_api"
	printf 'A type\n' >"$d/name"
	d=$(type_dir zz B-type)
	mkdir -p "$d"
	printf '3\n' >"$d/available_instances"
	printf ' vfio-ap \n' >"$d/device_api"
	printf '  spaced name  \n' >"$d/name"
	printf '\n' >"$d/description"
	d=$(type_dir Zed t)
	mkdir -p "$d"
	printf '1\n' >"$d/available_instances"
	printf 'x\n' >"$d/device_api"
	# not a directory: not a type
	: >"$(parent_dir zz)/mdev_supported_types/not-a-type"
}

@test "types: all parents and types" {
	run --separate-stderr "$MDEVCTL" types
	assert_success
	assert_equal "$stderr" ""
	"$MDEVCTL" types >"$OUT"
	assert_golden "$OUT" types/all.txt
}

@test "types --dumpjson: all parents and types" {
	"$MDEVCTL" types --dumpjson >"$OUT"
	assert_golden "$OUT" types/all.json
}

@test "types -p: one parent" {
	"$MDEVCTL" types -p matrix >"$OUT"
	assert_golden "$OUT" types/matrix.txt
	"$MDEVCTL" types --parent=matrix >"$OUT"
	assert_golden "$OUT" types/matrix.txt
	"$MDEVCTL" types --dumpjson -p mtty >"$OUT"
	assert_golden "$OUT" types/mtty.json
}

@test "types -p of an unknown parent: empty output, [] in JSON" {
	"$MDEVCTL" types -p nosuch >"$OUT"
	assert_bytes "$OUT" ""
	"$MDEVCTL" types -p nosuch --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
	# exact and case-sensitive
	"$MDEVCTL" types -p MATRIX >"$OUT"
	assert_bytes "$OUT" ""
}

@test "types: no parents at all" {
	rm -rf "$SYS/class/mdev_bus"/*
	run --separate-stderr "$MDEVCTL" types
	assert_success
	"$MDEVCTL" types >"$OUT"
	assert_bytes "$OUT" ""
	"$MDEVCTL" types --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
}

@test "types: missing /sys/class/mdev_bus means no parents" {
	rm -rf "$SYS/class"
	run --separate-stderr "$MDEVCTL" types
	assert_success
	assert_output ""
	"$MDEVCTL" types --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
}

@test "types: sorting, trimming, empty name/description omitted, description lines joined" {
	mkedge
	"$MDEVCTL" types >"$OUT"
	assert_golden "$OUT" types/edge.txt
	"$MDEVCTL" types --dumpjson >"$OUT"
	assert_golden "$OUT" types/edge.json
}

@test "types: a parent with no types prints its header (text) and an empty array (JSON)" {
	mkedge
	"$MDEVCTL" types -p empty >"$OUT"
	assert_bytes "$OUT" "empty
"
	"$MDEVCTL" types -p empty --dumpjson >"$OUT"
	assert_bytes "$OUT" '[
  {
    "empty": []
  }
]'
}

@test "types: running devices do not change the listing" {
	add_device "$P_MTTY" "$T_MTTY1" "$U1"
	"$MDEVCTL" types >"$OUT"
	assert_golden "$OUT" types/all.txt
}

@test "types: unparsable available_instances is an error" {
	printf 'abc\n' >"$(type_dir "$P_AP" "$T_AP")/available_instances"
	run --separate-stderr "$MDEVCTL" types
	assert_error "invalid digit found in string"
}

@test "types: a type's file that cannot be read is named in the error" {
	local t=$SYS/class/mdev_bus/$P_MTTY/mdev_supported_types/$T_MTTY1
	rm "$(type_dir "$P_MTTY" "$T_MTTY1")/name"
	mkdir "$(type_dir "$P_MTTY" "$T_MTTY1")/name"
	run --separate-stderr "$MDEVCTL" types -p "$P_MTTY"
	assert_error "Unable to read \"$t/name\"

Caused by:
    Is a directory (os error 21)"
	rmdir "$(type_dir "$P_MTTY" "$T_MTTY1")/name"
	# larger than any kernel attribute (a page): refused, and named
	head -c 5000 /dev/zero | tr '\0' 7 >"$(type_dir "$P_MTTY" "$T_MTTY1")/available_instances"
	run --separate-stderr "$MDEVCTL" types --dumpjson
	assert_error "Unable to read \"$t/available_instances\"

Caused by:
    File too large (os error 27)"
	# start reads it too
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_error "Unable to read \"$t/available_instances\"

Caused by:
    File too large (os error 27)"
}

@test "types: a parent without mdev_supported_types is an error" {
	add_unregistered_parent fakeparent
	run --separate-stderr "$MDEVCTL" types
	assert_error "No such file or directory (os error 2)"
}

@test "types: a parent without mdev_supported_types does not matter when filtered out" {
	add_unregistered_parent fakeparent
	"$MDEVCTL" types -p matrix >"$OUT"
	assert_golden "$OUT" types/matrix.txt
}
