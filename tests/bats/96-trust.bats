#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Trust and input limits (issue 8): callout and notifier scripts and compat rule files that
# someone other than root (or the user running mdevctl) could change are refused with one
# warning and not run or read; a script's output is capped; every input has a size limit,
# tested at the limit and one byte over it; a FIFO or /dev/zero as an input neither hangs nor
# eats memory.
#
# The scripts written here record each run as a line "<event> <action>" in $MARK/<name>, so
# that "not run" is the absence of that file.

load helpers

LIMIT=1048576

setup() {
	mkhost
	CALLOUTS=$USRLIB/callouts
	NOTIFIERS=$USRLIB/notifiers
	# from the callouts up to the root ("../../../../.." for /usr/lib/mdevctl/scripts.d), and
	# the first directory under the root on the way to them (/usr): the build's script
	# directory decides both
	local rel=${USRLIB#"$ROOT"/} c
	UP=..
	for c in ${rel//\// }; do UP+=/..; done
	FIRST=$ROOT/${rel%%/*}
	MARK=$BATS_TEST_TMPDIR/marks
	mkdir -p "$MARK"
	mkdir -p "$VENDOR_RULES" "$ADMIN_RULES"
}

teardown() {
	if [ -n "${TOP:-}" ]; then rm -rf "$TOP"; fi
}

needs_root() {
	[ "$(id -u)" = 0 ] || skip "giving files to another owner (chown) needs root"
}

# script PATH [BODY]: a script (mode 0755) that records its run in $MARK/<basename of PATH>,
# declines the capabilities probe (the classic protocol) and then runs BODY (default: exit 0)
script() {
	mkdir -p "$(dirname "$1")"
	cat >"$1" <<EOF
#!/bin/sh
[ "\$6" = capabilities ] && exit 2
echo "\$4 \$6" >>'$MARK/$(basename "$1")'
${2:-exit 0}
EOF
	chmod 755 "$1"
}

# pad FILE SIZE: append spaces to FILE until it is SIZE bytes long
pad() {
	local n
	n=$(($2 - $(stat -c %s "$1")))
	[ "$n" -ge 0 ] || fail "$1 is already over $2 bytes"
	head -c "$n" /dev/zero | tr '\0' ' ' >>"$1"
	assert_equal "$(stat -c %s "$1")" "$2"
}

define_u1() {
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
}

# refused NAME PATH REASON: the command went on, PATH was warned about exactly once with REASON,
# and the script NAME never ran
refused() {
	assert_warn "Ignoring $1 \"$2\": $3"
	assert_equal "$(grep -c -F -- "\"$2\"" <<<"$stderr")" 1
	refute_exists "$MARK/$(basename "$2")"
}

# loose_dir DIR: sets LOOSE_DIR and LOOSE_WHY to the first directory from / down to DIR
# (inclusive) that someone but root or us could change, what a walk from / reports first
loose_dir() {
	local d=/ rest=${1#/} part mode uid
	while :; do
		mode=$(stat -c %a "$d")
		uid=$(stat -c %u "$d")
		LOOSE_DIR=$d
		if [ "$uid" != 0 ] && [ "$uid" != "$(id -u)" ]; then
			LOOSE_WHY="owned by uid $uid"
			return
		fi
		if (((8#$mode & 8#022) != 0)); then
			LOOSE_WHY="writable by group or others"
			return
		fi
		[ -n "$rest" ] || break
		part=${rest%%/*}
		rest=${rest#"$part"}
		rest=${rest#/}
		d=${d%/}/$part
	done
	LOOSE_DIR=
}

# --- scripts: what is refused ----------------------------------------------------------------

@test "trust: a script owned by root, mode 0755, in 0755 directories runs" {
	script "$CALLOUTS/10-ok"
	script "$NOTIFIERS/n-ok"
	define_u1
	assert_success
	refute_warn
	assert_equal "$(cat "$MARK/10-ok")" "pre define
post define"
	assert_equal "$(cat "$MARK/n-ok")" "notify define"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "trust: a callout script owned by another user is refused and not run; the command goes on" {
	needs_root
	script "$CALLOUTS/10-other"
	script "$CALLOUTS/20-ok"
	chown 65534 "$CALLOUTS/10-other"
	define_u1
	assert_success
	refused "callout script" "$CALLOUTS/10-other" "owned by uid 65534"
	assert_equal "$(cat "$MARK/20-ok")" "pre define
post define"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "trust: a group-writable callout script is refused, even one that would veto" {
	script "$CALLOUTS/10-gw" 'exit 1'
	chmod 775 "$CALLOUTS/10-gw"
	define_u1
	assert_success
	refused "callout script" "$CALLOUTS/10-gw" "writable by group or others"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "trust: a world-writable callout script is refused" {
	script "$CALLOUTS/10-ow"
	chmod 757 "$CALLOUTS/10-ow"
	define_u1
	assert_success
	refused "callout script" "$CALLOUTS/10-ow" "writable by group or others"
}

@test "trust: a script in a group-writable directory is refused, naming the directory" {
	script "$CALLOUTS/10-ok"
	chmod 775 "$CALLOUTS"
	define_u1
	assert_success
	refused "callout script" "$CALLOUTS/10-ok" "directory \"$CALLOUTS\" is writable by group or others"
}

@test "trust: every directory up to the root counts, the root included; what is above it does not" {
	needs_root
	script "$CALLOUTS/10-ok"
	chown 65534 "$FIRST"
	define_u1
	refused "callout script" "$CALLOUTS/10-ok" "directory \"$FIRST\" is owned by uid 65534"
	chown 0 "$FIRST"
	chmod 777 "$ROOT"
	run --separate-stderr "$MDEVCTL" define -u "$U2" -p "$P_MTTY" -t "$T_MTTY1"
	refused "callout script" "$CALLOUTS/10-ok" "directory \"$ROOT\" is writable by group or others"
	chmod 755 "$ROOT"
	chmod 777 "$BATS_TEST_TMPDIR"
	run --separate-stderr "$MDEVCTL" define -u "$U3" -p "$P_MTTY" -t "$T_MTTY1"
	chmod 755 "$BATS_TEST_TMPDIR"
	assert_success
	refute_warn
	assert_equal "$(cat "$MARK/10-ok")" "pre define
post define"
}

@test "trust: a symbolic link to a world-writable file is refused, naming the target" {
	mkdir -p "$ROOT/opt/vendor"
	script "$ROOT/opt/vendor/10-loose"
	chmod 777 "$ROOT/opt/vendor/10-loose"
	ln -s "$UP"/opt/vendor/10-loose "$CALLOUTS/10-link"
	define_u1
	assert_success
	assert_warn "Ignoring callout script \"$CALLOUTS/10-link\": \"$ROOT/opt/vendor/10-loose\" is writable by group or others"
	refute_exists "$MARK/10-loose"
}

@test "trust: a symbolic link into a world-writable directory is refused, naming the directory" {
	mkdir -p "$ROOT/opt/drop"
	script "$ROOT/opt/drop/10-script"
	chmod 1777 "$ROOT/opt/drop"
	ln -s "$UP"/opt/drop/10-script "$CALLOUTS/10-link"
	define_u1
	assert_success
	assert_warn "Ignoring callout script \"$CALLOUTS/10-link\": directory \"$ROOT/opt/drop\" is writable by group or others"
	refute_exists "$MARK/10-script"
}

@test "trust: a link to a link in a loose directory is refused, though the final file is sound" {
	mkdir -p "$ROOT/opt/vendor" "$ROOT/opt/drop"
	script "$ROOT/opt/vendor/10-script"
	ln -s ../vendor/10-script "$ROOT/opt/drop/hop"
	chmod 777 "$ROOT/opt/drop"
	ln -s "$UP"/opt/drop/hop "$CALLOUTS/10-link"
	define_u1
	assert_warn "Ignoring callout script \"$CALLOUTS/10-link\": directory \"$ROOT/opt/drop\" is writable by group or others"
	refute_exists "$MARK/10-script"
}

@test "trust: links to sound files run, relative or absolute (an absolute one under the root is walked from the root)" {
	mkdir -p "$ROOT/opt/vendor"
	script "$ROOT/opt/vendor/10-rel"
	script "$ROOT/opt/vendor/20-abs"
	ln -s "$UP"/opt/vendor/10-rel "$CALLOUTS/10-rel"
	ln -s "$ROOT/opt/vendor/20-abs" "$CALLOUTS/20-abs"
	add_callout 05-first 'exit 2' >/dev/null
	define_u1
	assert_success
	refute_warn
	assert_equal "$(cat "$MARK/10-rel")" "pre define
post define"
	# 10-rel took the device: 20-abs is asked nothing else, but was asked nothing before either
	refute_exists "$MARK/20-abs"
	rm "$CALLOUTS/10-rel"
	run --separate-stderr "$MDEVCTL" define -u "$U2" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	refute_warn
	assert_equal "$(cat "$MARK/20-abs")" "pre define
post define"
}

@test "trust: an absolute link outside the root is walked from /, and the first loose directory is named" {
	local outside=$BATS_TEST_TMPDIR/outside
	mkdir -p "$outside"
	chmod 777 "$outside"
	script "$outside/10-out"
	chmod 777 "$outside"
	ln -s "$outside/10-out" "$CALLOUTS/10-out"
	loose_dir "$outside"
	[ -n "$LOOSE_DIR" ] || fail "no loose directory on the way to $outside"
	define_u1
	assert_success
	assert_warn "Ignoring callout script \"$CALLOUTS/10-out\": directory \"$LOOSE_DIR\" is $LOOSE_WHY"
	refute_exists "$MARK/10-out"
}

@test "trust: the capabilities probe is not sent to a refused script" {
	add_callout 10-versioned "echo '$SUPPORTS_ALL'" >/dev/null
	chmod 775 "$CALLOUTS/10-versioned"
	define_u1
	assert_success
	assert_warn "Ignoring callout script \"$CALLOUTS/10-versioned\": writable by group or others"
	assert_equal "$(caps_log)" ""
	assert_equal "$(callout_log)" ""
}

@test "trust: refused notifiers are warned about and not run; the others run" {
	needs_root
	script "$NOTIFIERS/n-gw"
	chmod 775 "$NOTIFIERS/n-gw"
	script "$ETC/scripts.d/notifiers/n-other"
	chown 65534 "$ETC/scripts.d/notifiers/n-other"
	script "$NOTIFIERS/n-ok"
	define_u1
	assert_success
	refused "notifier script" "$NOTIFIERS/n-gw" "writable by group or others"
	refused "notifier script" "$ETC/scripts.d/notifiers/n-other" "owned by uid 65534"
	assert_equal "$(cat "$MARK/n-ok")" "notify define"
}

@test "trust: a script judged again before each run: one that became writable after pre gets no post" {
	script "$CALLOUTS/10-self" 'chmod g+w "$0"; exit 0'
	define_u1
	assert_success
	assert_warn "Ignoring callout script \"$CALLOUTS/10-self\": writable by group or others"
	assert_equal "$(cat "$MARK/10-self")" "pre define"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "trust: directories and entries that are not regular files are skipped quietly, as upstream does" {
	mkdir "$CALLOUTS/10-dir"
	ln -s /nonexistent "$CALLOUTS/20-dangling"
	mkfifo "$CALLOUTS/30-fifo"
	script "$CALLOUTS/40-ok"
	define_u1
	assert_success
	refute_warn
	assert_equal "$(cat "$MARK/40-ok")" "pre define
post define"
}

@test "trust: a script owned by the user running mdevctl is trusted, another user's is not" {
	needs_root
	mkhost_walkable
	MARK=$TOP/marks
	mkdir -p "$MARK"
	CALLOUTS=$USRLIB/callouts
	script "$CALLOUTS/10-mine" 'exit 2'
	script "$CALLOUTS/20-roots" 'exit 2'
	script "$CALLOUTS/30-theirs" 'exit 2'
	chown -R 65534 "$ROOT/etc/mdevctl.d" "$MARK"
	chown 65534 "$CALLOUTS/10-mine"
	chown 1234 "$CALLOUTS/30-theirs"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	refused "callout script" "$CALLOUTS/30-theirs" "owned by uid 1234"
	assert_equal "$(cat "$MARK/10-mine")" "pre define
post define"
	assert_equal "$(cat "$MARK/20-roots")" "pre define
post define"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

# --- scripts: output limits ------------------------------------------------------------------

@test "limits: a callout that prints forever is killed; its pre event is a failure (veto)" {
	script "$CALLOUTS/10-yes" "echo \$\$ >'$BATS_TEST_TMPDIR/pid'; echo 'about to talk' >&2; exec yes"
	run --separate-stderr timeout 60 "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_warn "Callout script \"$CALLOUTS/10-yes\" was killed: it wrote more than $LIMIT bytes to standard output"
	[[ $stderr == *"10-yes: about to talk"* ]] || fail "its standard error was not repeated: $stderr"
	[[ $stderr == *"Error: Script '\"$CALLOUTS/10-yes\"' failed: it wrote more than $LIMIT bytes"* ]] ||
		fail "$stderr"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
	# killed and waited for: not even a zombie is left
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	if kill -0 "$pid" 2>/dev/null; then fail "the script (pid $pid) is still there"; fi
}

@test "limits: a callout that writes forever to standard error is killed, and that output is not repeated" {
	script "$CALLOUTS/10-yes" 'exec yes >&2'
	run --separate-stderr timeout 60 "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_warn "Callout script \"$CALLOUTS/10-yes\" was killed: it wrote more than $LIMIT bytes to standard error"
	[ "${#stderr}" -lt 4096 ] || fail "${#stderr} bytes on stderr"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "limits: --force goes past a callout killed for its output" {
	script "$CALLOUTS/10-yes" '[ "$4" = pre ] && exec yes; exit 0'
	run --separate-stderr timeout 60 "$MDEVCTL" define -f -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_warn "Forcing operation 'define' despite callout failure. Error was: Script '\"$CALLOUTS/10-yes\"' failed: it wrote more than $LIMIT bytes"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "limits: a notifier or a post event that prints forever is killed; the command succeeds" {
	script "$CALLOUTS/10-post" '[ "$4" = post ] && exec yes; exit 0'
	script "$NOTIFIERS/n-yes" 'exec yes'
	run --separate-stderr timeout 60 "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_warn "Callout script \"$CALLOUTS/10-post\" was killed: it wrote more than $LIMIT bytes to standard output"
	assert_warn "Notifier script \"$NOTIFIERS/n-yes\" was killed: it wrote more than $LIMIT bytes to standard output"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "limits: get attributes: exactly 1 MiB of output is read; one byte more and the script is killed" {
	local out=$BATS_TEST_TMPDIR/attrs.json
	printf '[{"assign_adapter": "7"}]' >"$out"
	pad "$out" "$LIMIT"
	script "$CALLOUTS/10-attrs" "[ \"\$6\" = attributes ] && cat '$out'; exit 0"
	run --separate-stderr "$MDEVCTL" list -u "$U_AP" --dumpjson
	assert_success
	refute_warn
	assert_equal "$(jq -c '.attrs' <<<"$output")" '[{"assign_adapter":"7"}]'
	printf ' ' >>"$out"
	run --separate-stderr "$MDEVCTL" list -u "$U_AP" --dumpjson
	assert_success
	assert_warn "Callout script \"$CALLOUTS/10-attrs\" was killed: it wrote more than $LIMIT bytes to standard output"
	assert_equal "$(jq -c '.attrs' <<<"$output")" '[]'
}

# --- rule files ------------------------------------------------------------------------------

# rule FILE GEN: a rule file giving every mtty type the vendor field gen = GEN
rule() {
	mkdir -p "$(dirname "$1")"
	printf '{"schema": "mdev-compat-rules/1", "types": [{"mdev_type": "mtty-*", "descriptor": {"vendor_fields": {"%s": "x"}}}]}\n' "$2" >"$1"
}

# the vendor fields of mtty-2 in this host's inventory, sorted, one line
fields() {
	"$MDEVCTL" compat inventory 2>/dev/null |
		jq -r '.parents[] | select(.parent == "mtty") | .types[] | select(.mdev_type == "mtty-2") |
			(.vendor_fields // {}) | keys | join(" ")'
}

@test "trust: rule files that others can change are refused, their facts absent; sound ones count" {
	needs_root
	rule "$VENDOR_RULES/10-ok.json" ok
	rule "$VENDOR_RULES/20-gw.json" gw
	chmod 664 "$VENDOR_RULES/20-gw.json"
	rule "$ADMIN_RULES/30-other.json" other
	chown 65534 "$ADMIN_RULES/30-other.json"
	mkdir -p "$ROOT/opt/drop"
	rule "$ROOT/opt/drop/40.json" linked
	chmod 777 "$ROOT/opt/drop"
	ln -s ../../../opt/drop/40.json "$ADMIN_RULES/40-link.json"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Ignoring rule file $VENDOR_RULES/20-gw.json: writable by group or others"
	assert_warn "Ignoring rule file $ADMIN_RULES/30-other.json: owned by uid 65534"
	assert_warn "Ignoring rule file $ADMIN_RULES/40-link.json: directory \"$ROOT/opt/drop\" is writable by group or others"
	assert_equal "$(grep -c 'Ignoring rule file' <<<"$stderr")" 3
	assert_equal "$(fields)" "ok"
}

@test "trust: rule files in a group-writable directory are refused" {
	rule "$ADMIN_RULES/10-admin.json" admin
	rule "$VENDOR_RULES/20-vendor.json" vendor
	chmod 775 "$ADMIN_RULES"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Ignoring rule file $ADMIN_RULES/10-admin.json: directory \"$ADMIN_RULES\" is writable by group or others"
	assert_equal "$(fields)" "vendor"
}

@test "trust: a refused admin file is as if absent: the vendor file of its name stays in force" {
	rule "$VENDOR_RULES/10-x.json" vendor
	rule "$ADMIN_RULES/10-x.json" admin
	assert_equal "$(fields)" "admin"
	chmod 646 "$ADMIN_RULES/10-x.json"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_warn "Ignoring rule file $ADMIN_RULES/10-x.json: writable by group or others"
	assert_equal "$(fields)" "vendor"
}

@test "trust: a mask (link to /dev/null) counts only in a sound directory" {
	rule "$VENDOR_RULES/10-x.json" vendor
	ln -s /dev/null "$ADMIN_RULES/10-x.json"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	refute_warn
	assert_equal "$(fields)" ""
	chmod 777 "$ADMIN_RULES"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_warn "Ignoring rule file $ADMIN_RULES/10-x.json: directory \"$ADMIN_RULES\" is writable by group or others"
	assert_equal "$(fields)" "vendor"
}

@test "limits: a rule file of exactly 1 MiB is read; one byte more and it is ignored, naming the limit" {
	rule "$VENDOR_RULES/10-big.json" big
	pad "$VENDOR_RULES/10-big.json" "$LIMIT"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	refute_warn
	assert_equal "$(fields)" "big"
	printf ' ' >>"$VENDOR_RULES/10-big.json"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Ignoring rule file $VENDOR_RULES/10-big.json: larger than $LIMIT bytes"
	assert_equal "$(fields)" ""
}

# --- input limits ----------------------------------------------------------------------------

@test "limits: a definition of exactly 1 MiB is read; one byte more and it is skipped, naming the limit" {
	local f
	f=$(definition_path "$P_MTTY" "$U1")
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	pad "$f" "$LIMIT"
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	refute_warn
	[[ $output == *"$U1 mtty mtty-1 manual"* ]] || fail "$output"
	printf ' ' >>"$f"
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	assert_warn "Unable to open file \"$f\": File is larger than $LIMIT bytes, the most a definition may have; skipping it"
	[[ $output != *"$U1"* ]] || fail "$output"
}

@test "limits: --jsonfile of exactly 1 MiB is read; one byte more is an error that changes nothing" {
	local j=$BATS_TEST_TMPDIR/in.json
	printf '{"mdev_type": "mtty-1", "start": "manual", "attrs": []}' >"$j"
	pad "$j" "$LIMIT"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$j"
	assert_success
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
	printf ' ' >>"$j"
	snapshot before
	run --separate-stderr "$MDEVCTL" define -u "$U2" -p "$P_MTTY" --jsonfile "$j"
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Unable to read file \"$j\"

Caused by:
    File is larger than $LIMIT bytes, the most a definition may have"
	run --separate-stderr "$MDEVCTL" modify -u "$U1" -p "$P_MTTY" --jsonfile "$j"
	assert_equal "$status" 1
	[[ $stderr == *"File is larger than $LIMIT bytes, the most a definition may have"* ]] || fail "$stderr"
	snapshot after
	assert_same_snapshot before after
}

@test "limits: a definition that would be written over 1 MiB is refused, nothing written" {
	local j=$BATS_TEST_TMPDIR/in.json
	jq -nc '{mdev_type: "mtty-1", start: "manual", attrs: [range(60000) | {"a\(.)": "x"}]}' >"$j"
	[ "$(stat -c %s "$j")" -lt "$LIMIT" ] || fail "the input is already too large"
	snapshot before
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$j"
	assert_equal "$status" 1
	[[ $stderr == "Error: The definition of device $U1 would be "*" bytes, more than the $LIMIT a definition may have" ]] ||
		fail "$stderr"
	snapshot after
	assert_same_snapshot before after
}

@test "limits: /dev/zero and a FIFO without a writer as --jsonfile: an error at once, no hang" {
	run --separate-stderr timeout 20 "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile /dev/zero
	assert_equal "$status" 1
	[[ $stderr == *"Unable to read file \"/dev/zero\""*"File is larger than $LIMIT bytes"* ]] || fail "$stderr"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run --separate-stderr timeout 20 "$MDEVCTL" define -u "$U1" -p "$P_MTTY" --jsonfile "$BATS_TEST_TMPDIR/fifo"
	assert_equal "$status" 1
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "limits: --jsonfile /dev/stdin still waits for a slow writer" {
	run --separate-stderr bash -c '{ sleep 1; echo "{\"mdev_type\": \"mtty-1\", \"start\": \"auto\"}"; } |
		"$MDEVCTL" define -u '"$U1"' -p mtty --jsonfile /dev/stdin'
	assert_success
	[[ $(cat "$(definition_path "$P_MTTY" "$U1")") == *'"start": "auto"'* ]] || fail "not defined"
}

@test "limits: a compat record of exactly 1 MiB is read; one byte more is an invalid record (exit 6)" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	"$MDEVCTL" compat show -u "$U1" >"$BATS_TEST_TMPDIR/rec.json"
	pad "$BATS_TEST_TMPDIR/rec.json" "$LIMIT"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	printf ' ' >>"$BATS_TEST_TMPDIR/rec.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json"
	assert_equal "$status" 6
	assert_equal "$stderr" "Error: $BATS_TEST_TMPDIR/rec.json is larger than the $LIMIT bytes a document may have"
}

@test "limits: an inventory of exactly 1 MiB is read; one byte more is an error naming the limit" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	"$MDEVCTL" compat show -u "$U1" >"$BATS_TEST_TMPDIR/rec.json"
	"$MDEVCTL" compat inventory >"$BATS_TEST_TMPDIR/inv.json"
	pad "$BATS_TEST_TMPDIR/inv.json" "$LIMIT"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" \
		--inventory "$BATS_TEST_TMPDIR/inv.json"
	assert_success
	printf ' ' >>"$BATS_TEST_TMPDIR/inv.json"
	run --separate-stderr "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" \
		--inventory "$BATS_TEST_TMPDIR/inv.json"
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: $BATS_TEST_TMPDIR/inv.json is larger than the $LIMIT bytes a document may have"
}

@test "limits: a compat record or inventory from /dev/zero or a FIFO without a writer: no hang" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY2" manual)"
	"$MDEVCTL" compat show -u "$U1" >"$BATS_TEST_TMPDIR/rec.json"
	run --separate-stderr timeout 20 "$MDEVCTL" compat check --from /dev/zero
	assert_equal "$status" 6
	assert_equal "$stderr" "Error: /dev/zero is larger than the $LIMIT bytes a document may have"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run --separate-stderr timeout 20 "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/fifo"
	assert_equal "$status" 6
	run --separate-stderr timeout 20 "$MDEVCTL" compat check --from "$BATS_TEST_TMPDIR/rec.json" \
		--inventory /dev/zero
	assert_equal "$status" 1
	[[ $stderr == *"/dev/zero is larger than the $LIMIT bytes a document may have"* ]] || fail "$stderr"
}

@test "limits: migration_info of exactly 1 MiB is read; one byte more is ignored, naming the limit" {
	local mi
	mi=$(type_dir "$P_MTTY" "$T_MTTY2")/migration_info
	printf '{"vendor_fields": {"mi": "x"}}' >"$mi"
	pad "$mi" "$LIMIT"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	refute_warn
	assert_equal "$(fields)" "mi"
	printf ' ' >>"$mi"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_success
	assert_warn "Ignoring migration_info of mtty/mtty-2: larger than $LIMIT bytes"
	assert_equal "$(fields)" ""
}
