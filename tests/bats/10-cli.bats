#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Command line: syntax, help, version, usage errors, UUID forms, lsmdev, start-up self-check.

load helpers

setup() {
	mkhost
}

@test "no arguments: usage error (rc 2) with help on stderr, nothing on stdout" {
	run --separate-stderr "$MDEVCTL"
	assert_equal "$status" 2
	assert_equal "$output" ""
	[ -n "$stderr" ]
}

@test "-V and --version print 'mdevctl <version>' on stdout" {
	run --separate-stderr "$MDEVCTL" -V
	assert_success
	assert_output --regexp '^mdevctl [0-9]+\.[0-9]+\.[0-9]+'
	assert_equal "${#lines[@]}" 1
	assert_equal "$stderr" ""
	run --separate-stderr "$MDEVCTL" --version
	assert_success
	assert_output --regexp '^mdevctl [0-9]+\.[0-9]+\.[0-9]+'
}

@test "--help, -h and help succeed and print to stdout" {
	run --separate-stderr "$MDEVCTL" --help
	assert_success
	[ -n "$output" ]
	run --separate-stderr "$MDEVCTL" -h
	assert_success
	[ -n "$output" ]
	run --separate-stderr "$MDEVCTL" help
	assert_success
	[ -n "$output" ]
}

@test "help for every subcommand succeeds" {
	local cmd
	for cmd in define undefine modify start stop list types; do
		run --separate-stderr "$MDEVCTL" help "$cmd"
		assert_success
		[ -n "$output" ]
		run --separate-stderr "$MDEVCTL" "$cmd" --help
		assert_success
		[ -n "$output" ]
	done
}

@test "help of the extensions' commands, and of compat's subcommands" {
	local cmd sub
	for cmd in compat create-compatible monitor; do
		run --separate-stderr "$MDEVCTL" help "$cmd"
		assert_success
		assert_equal "$output" "$("$MDEVCTL" "$cmd" --help)"
	done
	for sub in show inventory check traits; do
		run --separate-stderr "$MDEVCTL" help compat "$sub"
		assert_success
		assert_equal "$stderr" ""
		assert_equal "$output" "$("$MDEVCTL" compat "$sub" --help)"
	done
	run --separate-stderr "$MDEVCTL" help compat nosuch
	assert_usage_error
	[[ $stderr == *"unrecognized subcommand 'nosuch'"* ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" help list extra
	assert_usage_error
	[[ $stderr == *"unrecognized subcommand 'extra'"* ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" help compat check extra
	assert_usage_error
	[[ $stderr == *"unrecognized subcommand 'extra'"* ]] || fail "$stderr"
}

@test "there is no 'version' subcommand" {
	run --separate-stderr "$MDEVCTL" version
	assert_usage_error
}

@test "unknown subcommand is a usage error" {
	run --separate-stderr "$MDEVCTL" frobnicate
	assert_usage_error
}

@test "unknown option is a usage error" {
	run --separate-stderr "$MDEVCTL" list --bogus
	assert_usage_error
	run --separate-stderr "$MDEVCTL" list -x
	assert_usage_error
	run --separate-stderr "$MDEVCTL" --bogus
	assert_equal "$status" 2
}

@test "options belong to the subcommand: an option before it is a usage error" {
	run --separate-stderr "$MDEVCTL" -d list
	assert_equal "$status" 2
	assert_equal "$output" ""
}

@test "an unexpected positional argument is a usage error" {
	run --separate-stderr "$MDEVCTL" list extra
	assert_usage_error
}

@test "a repeated option is a usage error" {
	run --separate-stderr "$MDEVCTL" list -u "$U_AP" -u "$U_AP"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" list --uuid="$U_AP" --uuid "$U_AP"
	assert_usage_error
	run --separate-stderr "$MDEVCTL" list -d -d
	assert_usage_error
	run --separate-stderr "$MDEVCTL" list -dd
	assert_usage_error
	run --separate-stderr "$MDEVCTL" types -p matrix -p mtty
	assert_usage_error
}

@test "a repeated option on define writes nothing" {
	snapshot before
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -p "$P_MTTY" -t "$T_MTTY1"
	assert_usage_error
	snapshot after
	assert_same_snapshot before after
}

@test "an option without its value is a usage error" {
	run --separate-stderr "$MDEVCTL" list -u
	assert_usage_error
	run --separate-stderr "$MDEVCTL" list --parent
	assert_usage_error
}

@test "option value syntax: --opt=value, --opt value, -o value, -ovalue" {
	local expected="cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (active)
"
	"$MDEVCTL" list -d --uuid="$U_AP" >"$BATS_TEST_TMPDIR/o1"
	assert_bytes "$BATS_TEST_TMPDIR/o1" "$expected"
	"$MDEVCTL" list -d --uuid "$U_AP" >"$BATS_TEST_TMPDIR/o2"
	assert_bytes "$BATS_TEST_TMPDIR/o2" "$expected"
	"$MDEVCTL" list -d -u "$U_AP" >"$BATS_TEST_TMPDIR/o3"
	assert_bytes "$BATS_TEST_TMPDIR/o3" "$expected"
	"$MDEVCTL" list -d -u"$U_AP" >"$BATS_TEST_TMPDIR/o4"
	assert_bytes "$BATS_TEST_TMPDIR/o4" "$expected"
	"$MDEVCTL" list -d --parent=matrix >"$BATS_TEST_TMPDIR/o5"
	assert_bytes "$BATS_TEST_TMPDIR/o5" "$expected"
	"$MDEVCTL" list -d -pmatrix >"$BATS_TEST_TMPDIR/o6"
	assert_bytes "$BATS_TEST_TMPDIR/o6" "$expected"
}

@test "clustered short flags: -dv, -vd, -dp VALUE, -dpVALUE" {
	"$MDEVCTL" list -dv >"$BATS_TEST_TMPDIR/o1"
	assert_golden "$BATS_TEST_TMPDIR/o1" list/defined-verbose.txt
	"$MDEVCTL" list -vd >"$BATS_TEST_TMPDIR/o2"
	assert_golden "$BATS_TEST_TMPDIR/o2" list/defined-verbose.txt
	"$MDEVCTL" list -d -v >"$BATS_TEST_TMPDIR/o3"
	assert_golden "$BATS_TEST_TMPDIR/o3" list/defined-verbose.txt
	local expected="e27825ad-d57e-4e68-9f06-a0b962f030b3 mtty mtty-2 auto
"
	"$MDEVCTL" list -dp mtty >"$BATS_TEST_TMPDIR/o4"
	assert_bytes "$BATS_TEST_TMPDIR/o4" "$expected"
	"$MDEVCTL" list -dpmtty >"$BATS_TEST_TMPDIR/o5"
	assert_bytes "$BATS_TEST_TMPDIR/o5" "$expected"
}

@test "long options may come in any order" {
	"$MDEVCTL" list --dumpjson --defined >"$BATS_TEST_TMPDIR/o1"
	assert_golden "$BATS_TEST_TMPDIR/o1" list/defined.json
	"$MDEVCTL" list --defined --dumpjson >"$BATS_TEST_TMPDIR/o2"
	assert_golden "$BATS_TEST_TMPDIR/o2" list/defined.json
}

@test "--help wins over everything else: libvirt's modify probe exits 0" {
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr "$MDEVCTL" modify --defined --live --jsonfile b --help
	assert_success
	[ -n "$output" ]
	refute_exists "$BATS_TEST_TMPDIR/b"
}

@test "--help wins over missing required options and files" {
	snapshot before
	run --separate-stderr "$MDEVCTL" define --jsonfile /nonexistent/file --help
	assert_success
	run --separate-stderr "$MDEVCTL" undefine --help
	assert_success
	run --separate-stderr "$MDEVCTL" stop --help
	assert_success
	snapshot after
	assert_same_snapshot before after
}

@test "UUID arguments: upper case, simple, braced and urn forms are accepted and printed canonically" {
	local expected="cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (active)
" form
	for form in CAE40E88-CD1F-45FC-96B7-D2A145BFF9F4 cae40e88cd1f45fc96b7d2a145bff9f4 \
		CAE40E88CD1F45FC96B7D2A145BFF9F4 '{cae40e88-cd1f-45fc-96b7-d2a145bff9f4}' \
		urn:uuid:cae40e88-cd1f-45fc-96b7-d2a145bff9f4 Cae40e88-cD1f-45fc-96b7-d2a145bff9f4; do
		"$MDEVCTL" list -d -u "$form" >"$BATS_TEST_TMPDIR/out" || fail "list -u $form failed"
		assert_bytes "$BATS_TEST_TMPDIR/out" "$expected"
	done
}

@test "UUID arguments in other forms select running devices too" {
	"$MDEVCTL" list -u 950DD676E30C4B08BEBEA4530F22422C >"$BATS_TEST_TMPDIR/out"
	assert_bytes "$BATS_TEST_TMPDIR/out" "950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 manual
"
}

@test "an invalid UUID is a usage error" {
	local bad
	for bad in not-a-uuid '' 1234 cae40e88-cd1f-45fc-96b7-d2a145bff9f 'cae40e88-cd1f-45fc-96b7-d2a145bff9fg' \
		'cae40e88-cd1f-45fc-96b7-d2a145bff9f4-' ' cae40e88-cd1f-45fc-96b7-d2a145bff9f4'; do
		run --separate-stderr "$MDEVCTL" list -u "$bad"
		assert_usage_error
	done
	snapshot before
	run --separate-stderr "$MDEVCTL" define -u xyz -p "$P_MTTY" -t "$T_MTTY1"
	assert_usage_error
	snapshot after
	assert_same_snapshot before after
}

@test "--index must be an unsigned integer" {
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --delattr --index abc
	assert_usage_error
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --delattr --index -1
	assert_equal "$status" 2
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --delattr --index 4294967296
	assert_usage_error
}

@test "runtime errors: rc 1 and 'Error: ' on stderr, nothing on stdout" {
	run --separate-stderr "$MDEVCTL" undefine -u "$U1"
	assert_error "No devices match the specified uuid"
}

@test "start-parent-mdevs requires its PARENT argument" {
	run --separate-stderr "$MDEVCTL" start-parent-mdevs
	assert_usage_error
}

@test "lsmdev (a symlink to mdevctl) lists like 'mdevctl list'" {
	[ "$(basename "$LSMDEV")" = lsmdev ]
	"$LSMDEV" >"$BATS_TEST_TMPDIR/o1"
	assert_golden "$BATS_TEST_TMPDIR/o1" list/active.txt
	"$LSMDEV" -d >"$BATS_TEST_TMPDIR/o2"
	assert_golden "$BATS_TEST_TMPDIR/o2" list/defined.txt
	"$LSMDEV" --defined --dumpjson >"$BATS_TEST_TMPDIR/o3"
	assert_golden "$BATS_TEST_TMPDIR/o3" list/defined.json
	"$LSMDEV" -dv -u "$U_AP" >"$BATS_TEST_TMPDIR/o4"
	assert_bytes "$BATS_TEST_TMPDIR/o4" 'cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (active)
  Attrs:
    @{0}: {"assign_adapter":"5"}
    @{1}: {"assign_domain":"0xab"}
    @{2}: {"assign_control_domain":"0xab"}
'
}

@test "lsmdev takes no subcommand" {
	run --separate-stderr "$LSMDEV" list
	assert_usage_error
	run --separate-stderr "$LSMDEV" define -p x -t y
	assert_usage_error
}

@test "lsmdev -V prints 'lsmdev <version>'" {
	run --separate-stderr "$LSMDEV" -V
	assert_success
	assert_output --regexp '^lsmdev [0-9]+\.[0-9]+\.[0-9]+'
}

@test "lsmdev rejects unknown and repeated options" {
	run --separate-stderr "$LSMDEV" --bogus
	assert_usage_error
	run --separate-stderr "$LSMDEV" -d -d
	assert_usage_error
}

@test "any program name ending in 'lsmdev' behaves as lsmdev" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$MDEVCTL" "$BATS_TEST_TMPDIR/bin/foolsmdev"
	"$BATS_TEST_TMPDIR/bin/foolsmdev" -d >"$BATS_TEST_TMPDIR/out"
	assert_golden "$BATS_TEST_TMPDIR/out" list/defined.txt
	# and a name merely containing it is mdevctl
	ln -s "$MDEVCTL" "$BATS_TEST_TMPDIR/bin/lsmdev-not"
	run --separate-stderr "$BATS_TEST_TMPDIR/bin/lsmdev-not" list -d
	assert_success
}

@test "mdevctl called through a symlink with another name is mdevctl" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$MDEVCTL" "$BATS_TEST_TMPDIR/bin/mdevctl"
	"$BATS_TEST_TMPDIR/bin/mdevctl" list -d >"$BATS_TEST_TMPDIR/out"
	assert_golden "$BATS_TEST_TMPDIR/out" list/defined.txt
}

@test "self-check: missing /etc/mdevctl.d is an error for a command that uses the host" {
	rm -rf "$ROOT/etc/mdevctl.d"
	local msg="Required directory \"$ROOT/etc/mdevctl.d\" doesn't exist. This may indicate a packaging or installation error"
	run --separate-stderr "$MDEVCTL" list
	assert_error "$msg"
	run --separate-stderr "$LSMDEV"
	assert_error "$msg"
	run --separate-stderr "$MDEVCTL" compat inventory
	assert_error "$msg"
}

@test "self-check: --help, -V and help work without the installation's directories (upstream #120)" {
	rm -rf "$ROOT/etc/mdevctl.d" "$ROOT/usr/lib/mdevctl"
	local cmd
	run --separate-stderr "$MDEVCTL" --help
	assert_success
	assert_line --partial "create-compatible"
	run --separate-stderr "$MDEVCTL" -V
	assert_success
	assert_output --regexp '^mdevctl [0-9]+\.[0-9]+\.[0-9]+$'
	run --separate-stderr "$LSMDEV" -V
	assert_success
	assert_output --regexp '^lsmdev [0-9]+\.[0-9]+\.[0-9]+$'
	run --separate-stderr "$MDEVCTL" help define
	assert_success
	for cmd in define undefine modify start stop list types create-compatible \
		"compat show" "compat inventory" "compat check" "compat traits"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$MDEVCTL" $cmd --help
		assert_success
		assert_output --partial "Usage: mdevctl $cmd"
		assert_equal "$stderr" ""
	done
	run --separate-stderr "$MDEVCTL" compat --help
	assert_success
}

@test "self-check: missing /usr/lib/mdevctl/scripts.d/callouts is an error" {
	rm -rf "$USRLIB/callouts"
	run --separate-stderr "$MDEVCTL" types
	assert_error "Required directory \"$USRLIB/callouts\" doesn't exist. This may indicate a packaging or installation error"
}

@test "self-check: missing /usr/lib/mdevctl/scripts.d/notifiers is an error" {
	rm -rf "$USRLIB/notifiers"
	run --separate-stderr "$MDEVCTL" list -d
	assert_error "Required directory \"$USRLIB/notifiers\" doesn't exist. This may indicate a packaging or installation error"
}

@test "self-check: the first missing directory is reported, in order etc, callouts, notifiers" {
	rm -rf "$USRLIB"
	run --separate-stderr "$MDEVCTL" list
	assert_error "Required directory \"$USRLIB/callouts\" doesn't exist. This may indicate a packaging or installation error"
	rm -rf "$ROOT/etc/mdevctl.d"
	run --separate-stderr "$MDEVCTL" list
	assert_error "Required directory \"$ROOT/etc/mdevctl.d\" doesn't exist. This may indicate a packaging or installation error"
}

@test "self-check: a usage error is reported as such, before the installation is looked at" {
	rm -rf "$USRLIB/notifiers"
	run --separate-stderr "$MDEVCTL" list --bogus
	assert_usage_error
}

@test "self-check: the old /etc script directories are not required" {
	rm -rf "$ETC/scripts.d"
	"$MDEVCTL" list -d >"$BATS_TEST_TMPDIR/out"
	assert_golden "$BATS_TEST_TMPDIR/out" list/defined.txt
}
