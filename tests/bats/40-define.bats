#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# define: new definitions from options, from a running device, from a JSON file.

load helpers

setup() {
	mkhost
	umask 022
	OUT=$BATS_TEST_TMPDIR/out
	J=$BATS_TEST_TMPDIR/in.json
}

# --- from options -------------------------------------------------------------------

@test "define -p -t: generates a UUID, prints it, writes the definition" {
	run --separate-stderr "$MDEVCTL" define -p "$P_GVT" -t "$T_GVT4"
	assert_success
	assert_equal "$stderr" ""
	assert_output --regexp "^$UUID_RE\$"
	local uuid=$output
	assert_golden "$(definition_path "$P_GVT" "$uuid")" define/gvt4-manual.json
}

@test "define: the generated UUID is printed as one line, lowercase, version 4" {
	"$MDEVCTL" define -p "$P_MTTY" -t "$T_MTTY1" >"$OUT"
	[ "$(wc -c <"$OUT")" -eq 37 ]
	[ "$(tail -c 1 "$OUT" | od -An -c | tr -d ' ')" = '\n' ]
	grep -Eq "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\$" "$OUT"
}

@test "define: generated UUIDs differ" {
	local a b
	a=$("$MDEVCTL" define -p "$P_MTTY" -t "$T_MTTY1")
	b=$("$MDEVCTL" define -p "$P_MTTY" -t "$T_MTTY1")
	[ "$a" != "$b" ]
	assert_exists "$(definition_path "$P_MTTY" "$a")"
	assert_exists "$(definition_path "$P_MTTY" "$b")"
}

@test "define -u -p -t: prints nothing, writes the definition" {
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_GVT" -t "$T_GVT4"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_golden "$(definition_path "$P_GVT" "$U1")" define/gvt4-manual.json
}

@test "define -a / --auto: start is auto" {
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_AP" -t "$T_AP" -a
	assert_success
	assert_golden "$(definition_path "$P_AP" "$U1")" define/ap-auto.json
	run --separate-stderr "$MDEVCTL" define --uuid "$U2" --parent "$P_AP" --type "$T_AP" --auto
	assert_success
	assert_golden "$(definition_path "$P_AP" "$U2")" define/ap-auto.json
}

@test "define: file mode 0644, new parent directory 0755, nothing else in it" {
	"$MDEVCTL" define -u "$U1" -p newparent -t sometype
	[ "$(stat -c %a "$ETC/newparent")" = 755 ]
	[ "$(stat -c %a "$ETC/newparent/$U1")" = 644 ]
	only_file "$ETC/newparent" "$U1"
}

@test "define: no temporary files are left in an existing parent directory" {
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	only_file "$ETC/$P_MTTY" "$U1
$U_MTTY"
}

@test "define: the UUID is stored in canonical lowercase form" {
	"$MDEVCTL" define -u "{11111111-1111-4111-8111-11111111111A}" -p "$P_MTTY" -t "$T_MTTY1"
	assert_exists "$ETC/$P_MTTY/11111111-1111-4111-8111-11111111111a"
	refute_exists "$ETC/$P_MTTY/11111111-1111-4111-8111-11111111111A"
}

@test "define does not need the parent or the type to exist" {
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p nosuchparent -t nosuchtype
	assert_success
	assert_bytes "$(definition_path nosuchparent "$U1")" "$(def_json nosuchtype manual)"
}

@test "define: the same UUID may be defined under several parents" {
	"$MDEVCTL" define -u "$U1" -p "$P_GVT" -t "$T_GVT4"
	"$MDEVCTL" define -u "$U1" -p "$P_AP" -t "$T_AP" -a
	assert_golden "$(definition_path "$P_GVT" "$U1")" define/gvt4-manual.json
	assert_golden "$(definition_path "$P_AP" "$U1")" define/ap-auto.json
}

@test "define does not touch sysfs" {
	snapshot before
	"$MDEVCTL" define -u "$U1" -p "$P_GVT" -t "$T_GVT4"
	rm "$(definition_path "$P_GVT" "$U1")"
	snapshot after
	assert_same_snapshot before after
}

@test "define -p without -t: No type specified" {
	snapshot before
	run --separate-stderr "$MDEVCTL" define -p "$P_GVT"
	assert_error "No type specified"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_GVT"
	assert_error "No type specified"
	snapshot after
	assert_same_snapshot before after
}

@test "define -u of a device that is not running, without -p: No parent specified" {
	run --separate-stderr "$MDEVCTL" define -u "$U1"
	assert_error "No parent specified"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -t "$T_MTTY1"
	assert_error "No parent specified"
}

@test "define without -u and -p is a usage error" {
	run --separate-stderr "$MDEVCTL" define
	assert_usage_error
	run --separate-stderr "$MDEVCTL" define -t "$T_MTTY1"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" define -a
	assert_usage_error
}

@test "define of an existing definition: already defined, file unchanged" {
	local f
	f=$(definition_path "$P_GVT" "$U_GVT8")
	cp "$f" "$BATS_TEST_TMPDIR/orig"
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT8"
	assert_error "Device 711529ad-e871-4cfe-85ac-c30a44ab9567 on 0000:00:02.0 already defined"
	run --separate-stderr "$MDEVCTL" define -u "$U_MTTY" -p "$P_MTTY" -t "$T_MTTY1" -a
	assert_error "Device e27825ad-d57e-4e68-9f06-a0b962f030b3 on mtty already defined"
	cmp "$f" "$BATS_TEST_TMPDIR/orig"
}

@test "define: 'already defined' tests existence only, even of a corrupt file" {
	add_definition "$P_MTTY" "$U1" "garbage"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_error "Device $U1 on mtty already defined"
	assert_bytes "$(definition_path "$P_MTTY" "$U1")" "garbage"
}

# --- from a running device ------------------------------------------------------------

@test "define -u of a running device inherits parent and type, prints nothing" {
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4"
	assert_success
	assert_output ""
	assert_golden "$(definition_path "$P_GVT" "$U_GVT4")" define/gvt4-manual.json
	"$MDEVCTL" list -u "$U_GVT4" >"$OUT"
	assert_bytes "$OUT" "950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 manual (defined)
"
}

@test "define -u of a running device with --auto" {
	"$MDEVCTL" define -u "$U_GVT4" --auto
	assert_bytes "$(definition_path "$P_GVT" "$U_GVT4")" "$(def_json "$T_GVT4" auto)"
}

@test "define -u of a running device with another -p keeps the running type" {
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4" -p "$P_AP"
	assert_success
	assert_golden "$(definition_path "$P_AP" "$U_GVT4")" define/gvt4-manual.json
	refute_exists "$(definition_path "$P_GVT" "$U_GVT4")"
}

@test "define -u of a running device with -p and -t uses the given type" {
	"$MDEVCTL" define -u "$U_GVT4" -p "$P_GVT" -t "$T_GVT8"
	assert_bytes "$(definition_path "$P_GVT" "$U_GVT4")" "$(def_json "$T_GVT8" manual)"
}

@test "define -u of a running device with -t but no -p: No parent specified" {
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4" -t "$T_GVT8"
	assert_error "No parent specified"
	refute_exists "$(definition_path "$P_GVT" "$U_GVT4")"
}

@test "define -u of a running device given in upper case" {
	"$MDEVCTL" define -u 950DD676-E30C-4B08-BEBE-A4530F22422C
	assert_golden "$(definition_path "$P_GVT" "$U_GVT4")" define/gvt4-manual.json
}

@test "define -u of a running device leaves the device alone" {
	"$MDEVCTL" define -u "$U_GVT4"
	assert_empty_file "$(device_dir "$U_GVT4")/remove"
	assert_empty_file "$(create_file "$P_GVT" "$T_GVT4")"
}

# --- from a JSON file -------------------------------------------------------------

@test "define --jsonfile: normalised key order, start and attributes kept in order" {
	printf '%s' '{"extra":true,"attrs":[{"b_second":"2"},{"a_first":"1"},{"b_second":"3"}],"start":"bogus","mdev_type":"mtty-1","zzz":[1,2]}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_success
	assert_output ""
	assert_golden "$(definition_path "$P_MTTY" "$U1")" define/jsonfile-normalised.json
}

@test "define --jsonfile: escapes are written like serde_json" {
	printf '%s' '{"mdev_type":"mtty-2","start":"auto","attrs":[{"k\"q":"v\\al/ue"},{"ctl":"a\u0001b\tc\nd\re\u0008f\u000cg\u007fh"},{"utf":"é€😀"}]}' >"$J"
	"$MDEVCTL" define -u "$U2" -p "$P_MTTY" --jsonfile "$J"
	assert_golden "$(definition_path "$P_MTTY" "$U2")" define/escapes.json
}

@test "define --jsonfile without -u prints the generated UUID" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" define -p "$P_MTTY" --jsonfile "$J"
	assert_success
	assert_output --regexp "^$UUID_RE\$"
	assert_bytes "$(definition_path "$P_MTTY" "$output")" "$(def_json "$T_MTTY1" auto)"
}

@test "define --jsonfile: missing or null attrs become []" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto"}' >"$J"
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_bytes "$(definition_path "$P_MTTY" "$U1")" "$(def_json "$T_MTTY1" auto)"
	printf '%s' '{"mdev_type":"mtty-1","start":"manual","attrs":null}' >"$J"
	"$MDEVCTL" define -u "$U2" -p "$P_MTTY" --jsonfile "$J"
	assert_bytes "$(definition_path "$P_MTTY" "$U2")" "$(def_json "$T_MTTY1" manual)"
}

@test "define --jsonfile: a pretty-printed file with a trailing newline is fine" {
	printf '%s\n' "$(def_json "$T_AP" auto assign_adapter=5 assign_domain=0x47)" >"$J"
	"$MDEVCTL" define -u "$U1" -p "$P_AP" --jsonfile "$J"
	assert_bytes "$(definition_path "$P_AP" "$U1")" '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "auto",
  "attrs": [
    {
      "assign_adapter": "5"
    },
    {
      "assign_domain": "0x47"
    }
  ]
}'
}

@test "define --jsonfile: a relative path is relative to the working directory" {
	mkdir -p "$BATS_TEST_TMPDIR/cwd"
	printf '%s' '{"mdev_type":"mtty-1","start":"auto"}' >"$BATS_TEST_TMPDIR/cwd/rel.json"
	cd "$BATS_TEST_TMPDIR/cwd"
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile rel.json
	assert_bytes "$(definition_path "$P_MTTY" "$U1")" "$(def_json "$T_MTTY1" auto)"
}

@test "define --jsonfile=/dev/stdin through a pipe" {
	run --separate-stderr bash -c 'printf %s "{\"mdev_type\":\"mtty-1\",\"start\":\"manual\",\"attrs\":[{\"x\":\"y\"}]}" | "$MDEVCTL" define --parent=mtty --jsonfile=/dev/stdin --uuid='"$U1"
	assert_success
	assert_output ""
	assert_bytes "$(definition_path "$P_MTTY" "$U1")" "$(def_json "$T_MTTY1" manual x=y)"
}

@test "define --jsonfile conflicts with --type and --auto" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto"}' >"$J"
	snapshot before
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J" -t "$T_MTTY1"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J" --auto
	assert_usage_error
	snapshot after
	assert_same_snapshot before after
}

@test "define --jsonfile without --parent" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto"}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" --jsonfile "$J"
	assert_error "Parent device required to define device via \"$J\""
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "define --jsonfile over an existing definition: Cowardly refusing" {
	printf '%s' '{"mdev_type":"mtty-1","start":"manual"}' >"$J"
	local f
	f=$(definition_path "$P_MTTY" "$U_MTTY")
	cp "$f" "$BATS_TEST_TMPDIR/orig"
	run --separate-stderr "$MDEVCTL" define -u "$U_MTTY" -p "$P_MTTY" --jsonfile "$J"
	assert_error "Cowardly refusing to overwrite existing config for mtty/e27825ad-d57e-4e68-9f06-a0b962f030b3"
	cmp "$f" "$BATS_TEST_TMPDIR/orig"
}

@test "define --jsonfile of a missing file" {
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$BATS_TEST_TMPDIR/nonexistent.json"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" "Error: Unable to read file \"$BATS_TEST_TMPDIR/nonexistent.json\"

Caused by:
    No such file or directory (os error 2)"
	refute_exists "$ETC/$P_MTTY/$U1"
}

@test "define --jsonfile: JSON syntax errors say where (line, column); nothing written" {
	local content
	for content in 'x' '' '{"mdev_type":"a"' '{"mdev_type":"a","start":"auto"} x' \
		'{"mdev_type":"a",
"start":"auto",,}' "{'mdev_type':'a'}"; do
		printf '%s' "$content" >"$J"
		run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
		assert_equal "$status" 1
		assert_equal "$output" ""
		[[ $stderr == "Error: "* ]] || fail "no 'Error: ' for '$content': $stderr"
		[[ $stderr == *line* && $stderr == *column* ]] || fail "no line/column for '$content': $stderr"
		refute_exists "$ETC/$P_MTTY/$U1"
	done
}

@test "define --jsonfile: missing or null mdev_type or start is invalid json" {
	local content
	for content in '{"start":"auto"}' '{"mdev_type":"mtty-1"}' '{"mdev_type":"mtty-1","start":null}' \
		'{"mdev_type":null,"start":"auto"}' '[]' '"string"' '{}'; do
		printf '%s' "$content" >"$J"
		run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
		assert_error "invalid json"
		refute_exists "$ETC/$P_MTTY/$U1"
	done
}

@test "define --jsonfile: a non-string mdev_type is an error naming the field" {
	local content
	for content in '{"mdev_type":5,"start":"auto"}' '{"mdev_type":["a"],"start":"auto"}' '{"mdev_type":{},"start":"auto"}' \
		'{"mdev_type":true,"start":"auto"}'; do
		printf '%s' "$content" >"$J"
		run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
		assert_error_partial "mdev_type"
		assert_equal "$output" ""
		refute_exists "$ETC/$P_MTTY/$U1"
	done
}

@test "define --jsonfile: a non-string attribute value is an error naming the attribute" {
	local content
	for content in '{"mdev_type":"mtty-1","start":"auto","attrs":[{"assign_zzz":1}]}' \
		'{"mdev_type":"mtty-1","start":"auto","attrs":[{"ok":"1"},{"assign_zzz":null}]}' \
		'{"mdev_type":"mtty-1","start":"auto","attrs":[{"assign_zzz":["x"]}]}' \
		'{"mdev_type":"mtty-1","start":"auto","attrs":[{"assign_zzz":{"a":"b"}}]}'; do
		printf '%s' "$content" >"$J"
		run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
		assert_error_partial "assign_zzz"
		assert_equal "$output" ""
		refute_exists "$ETC/$P_MTTY/$U1"
	done
}

@test "define --jsonfile: attrs not an array" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":{}}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error "attributes field is not an array"
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":"a=b"}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error "attributes field is not an array"
	refute_exists "$ETC/$P_MTTY/$U1"
}

@test "define --jsonfile: an attribute that is not an object" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":["x"]}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error "invalid JSON format for attribute: not an object"
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":[["a","b"]]}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error "invalid JSON format for attribute: not an object"
	refute_exists "$ETC/$P_MTTY/$U1"
}

@test "define --jsonfile: an attribute object without exactly one key" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":[{"a":"1","b":"2"}]}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error "invalid JSON format for attribute: too many fields"
	printf '%s' '{"mdev_type":"mtty-1","start":"auto","attrs":[{}]}' >"$J"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$J"
	assert_error "invalid JSON format for attribute: too many fields"
	refute_exists "$ETC/$P_MTTY/$U1"
}

# --- names that become path components --------------------------------------------------

@test "define refuses parent names that are not a single path component" {
	local p
	snapshot before
	for p in '../x' '' 'a/b' '..' 'a..b' '/abs' '../../../../../../escape' $'a\nb' $'tab\there' $'\x01' $'x\x7f'; do
		run --separate-stderr "$MDEVCTL" define -p "$p" -t "$T_MTTY1" -u "$U1"
		assert_equal "$status" 1
		assert_equal "$output" ""
		[[ $stderr == "Error: "* ]] || fail "parent '$p': $stderr"
		run --separate-stderr "$MDEVCTL" define -p "$p" -t "$T_MTTY1"
		assert_equal "$status" 1
		assert_equal "$output" ""
	done
	snapshot after
	assert_same_snapshot before after
}

@test "define --jsonfile refuses a bad parent name too" {
	printf '%s' '{"mdev_type":"mtty-1","start":"auto"}' >"$J"
	snapshot before
	run --separate-stderr "$MDEVCTL" define -p ../x -u "$U1" --jsonfile "$J"
	assert_equal "$status" 1
	[[ $stderr == "Error: "* ]]
	snapshot after
	assert_same_snapshot before after
}

@test "define refuses attribute names that are not a single path component" {
	local name
	for name in 'a/b' '..' '' '../remove' 'x\ny' 'x\u0001'; do
		printf '{"mdev_type":"mtty-1","start":"auto","attrs":[{"%s":"1"}]}' "$name" >"$J"
		snapshot before
		run --separate-stderr "$MDEVCTL" define -p "$P_MTTY" -u "$U1" --jsonfile "$J"
		assert_equal "$status" 1
		assert_equal "$output" ""
		[[ $stderr == "Error: "* ]] || fail "attribute '$name': $stderr"
		snapshot after
		assert_same_snapshot before after
	done
}

@test "define accepts parent names with colons, dots and other punctuation" {
	local p
	for p in 0.0.26ab 0000:2b:00.0 'a b' 'x-y_z+1' '.hidden' 'a.b.c'; do
		run --separate-stderr "$MDEVCTL" define -p "$p" -t "$T_MTTY1" -u "$U1"
		assert_success
		assert_bytes "$ETC/$p/$U1" "$(def_json "$T_MTTY1" manual)"
	done
}
