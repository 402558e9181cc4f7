#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The log on stderr: each line names upstream's module (mdevctl, mdevctl::environment,
# mdevctl::mdev, mdevctl::callouts), MDEVCTL_LOG selects levels and modules as upstream's
# env_logger does, and a start that fails can be explained from MDEVCTL_LOG=debug alone: the
# definition read, the callouts run and their exit statuses, the sysfs writes and their errno.

load helpers
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"

setup() {
	mkhost
}

teardown() {
	sim_stop_all
}

# the modules of the log lines in $stderr, one per line, in order of first appearance
modules() {
	sed -nE 's/^\[[^ ]+ [A-Z]+ +([a-z_:]+)\] .*/\1/p' <<<"$stderr" | awk '!seen[$0]++'
}

# --- module names ---------------------------------------------------------------------------

@test "log: a scan's warning names mdevctl::environment, the whole line in env_logger's format" {
	add_definition "$P_MTTY" not-a-uuid '{}'
	run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_success
	[[ $stderr =~ ^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\ WARN\ \ mdevctl::environment\]\ Can\'t\ determine\ uuid\ for\ file\ \'not-a-uuid\'$ ]] ||
		fail "stderr: $stderr"
}

@test "log: a sysfs lookup that fails before create warns in mdevctl::mdev, and create goes on" {
	# a bus entry that loops: the device's state cannot be read
	ln -s "$U1" "$SYS/bus/mdev/devices/$U1"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_log WARN mdevctl::mdev "A sysfs lookup for device $U1 caused the error: Too many levels of symbolic links (os error 40)"
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
}

@test "log: list -d warns in mdevctl::environment about a defined device whose sysfs cannot be read" {
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	ln -s "$U1" "$SYS/bus/mdev/devices/$U1"
	run --separate-stderr "$MDEVCTL" list -d -u "$U1"
	assert_success
	assert_output "$U1 mtty mtty-1 manual"
	assert_log WARN mdevctl::environment "For device $U1 a sysfs update caused the error: Too many levels of symbolic links (os error 40)"
}

@test "log: a definition that cannot be opened is skipped with upstream's warning" {
	[ "$(id -u)" = 0 ] || skip "making a file unreadable to its reader needs root"
	mkhost_walkable
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	chmod 600 "$ETC/$P_MTTY/$U1"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$MDEVCTL" list -d -p "$P_MTTY"
	rm -rf "$TOP"
	assert_success
	assert_output "$U_MTTY mtty mtty-2 auto"
	assert_log WARN mdevctl::environment "Unable to open file \"$ETC/$P_MTTY/$U1\": Permission denied (os error 13)"
}

@test "log: callout warnings name mdevctl::callouts" {
	local s
	s=$(add_callout 10-killed 'kill -9 $$')
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_log WARN mdevctl::callouts "callout script \"$s\" was terminated by a signal"
}

@test "log: the commands' own warnings name mdevctl; forcing past a callout is mdevctl::callouts" {
	local s
	s=$(add_callout 10-veto 'if [ "$event" = pre ]; then exit 1; fi')
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY"
	assert_error_partial "Undefine failed"
	assert_log WARN mdevctl "Undefine of $U_MTTY on parent mtty failed with error: Script '\"$s\"' failed with status '1'"
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P_MTTY"
	assert_success
	assert_log WARN mdevctl "Script '\"$s\"' failed with status '1'"
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4" --force
	assert_success
	assert_log WARN mdevctl::callouts "Forcing operation 'stop' despite callout failure. Error was: Script '\"$s\"' failed with status '1'"
	assert_bytes "$(device_dir "$U_GVT4")/remove" 1
}

# --- MDEVCTL_LOG ------------------------------------------------------------------------------

@test "MDEVCTL_LOG: unset is warn, empty is errors only, levels in any case" {
	add_definition "$P_MTTY" not-a-uuid '{}'
	run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_log WARN mdevctl::environment "Can't determine uuid for file 'not-a-uuid'"
	MDEVCTL_LOG= run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_success
	assert_equal "$stderr" ""
	MDEVCTL_LOG=WaRn run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_equal "$(modules)" mdevctl::environment
	MDEVCTL_LOG=error run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_equal "$stderr" ""
}

@test "MDEVCTL_LOG: MODULE=LEVEL selects by module prefix, the longest prefix deciding, others off" {
	add_definition "$P_MTTY" not-a-uuid '{}'
	MDEVCTL_LOG=mdevctl::mdev=debug run --separate-stderr "$MDEVCTL" start -u "$U_MTTY"
	assert_success
	assert_equal "$(modules)" mdevctl::mdev
	MDEVCTL_LOG=debug,mdevctl::environment=off run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	[[ $'\n'$(modules)$'\n' != *$'\n'mdevctl::environment$'\n'* ]] || fail "$stderr"
	assert_log DEBUG mdevctl "Starting device $U1"
	assert_log DEBUG mdevctl::mdev "Wrote '$U1' to \"*/create\""
	# a prefix need not end at a module boundary; a bare module means all of its levels
	MDEVCTL_LOG=mdevctl::env run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_equal "$(modules)" mdevctl::environment
	assert_log DEBUG mdevctl::environment "Looking up definitions in \"$ETC\": uuid any, parent $P_MTTY"
	assert_log WARN mdevctl::environment "Can't determine uuid for file 'not-a-uuid'"
	MDEVCTL_LOG=debug,mdevctl=warn run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_equal "$(sed -nE 's/^\[[^ ]+ ([A-Z]+) .*/\1/p' <<<"$stderr" | sort -u)" WARN
}

@test "MDEVCTL_LOG: a bad level is warned about and ignored; /REGEX keeps matching messages only" {
	add_definition "$P_MTTY" not-a-uuid '{}'
	MDEVCTL_LOG=mdevctl=bogus run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_success
	assert_equal "$stderr" "warning: invalid logging spec 'bogus', ignoring it"
	MDEVCTL_LOG='debug/uuid for' run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_log WARN mdevctl::environment "Can't determine uuid for file 'not-a-uuid'"
	MDEVCTL_LOG='warn/^nothing' run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_equal "$stderr" ""
	MDEVCTL_LOG='warn/a/b' run --separate-stderr "$MDEVCTL" list -d -p "$P_MTTY"
	assert_equal "$stderr" "warning: invalid logging spec 'warn/a/b', ignoring it (too many '/'s)"
}

# --- a failing start, explained from the debug log alone -------------------------------------

@test "debug log: a start whose create the kernel refuses shows the definition, the callouts, the write and its errno" {
	local s c d
	s=$(add_callout 10-log)
	c=$(create_file "$P_MTTY" "$T_MTTY2")
	rm "$c"
	mkdir "$c"
	MDEVCTL_LOG=debug run --separate-stderr "$MDEVCTL" start -u "$U_MTTY"
	assert_equal "$status" 1
	d=$(definition_path "$P_MTTY" "$U_MTTY")
	local n1 n2 n3 n4 n5 n6 n7 n8
	n1=$(assert_log DEBUG mdevctl "Starting device $U_MTTY")
	n2=$(assert_log DEBUG mdevctl::environment "Read definition $d: type mtty-2, auto, 0 attributes")
	n3=$(assert_log DEBUG mdevctl::callouts "pre-start: executing \"$s\"")
	n4=$(assert_log DEBUG mdevctl::callouts "pre-start: \"$s\" exited with status 0, 0 bytes of output")
	n5=$(assert_log DEBUG mdevctl::mdev "Available instances of mtty-2 on mtty: 12")
	n6=$(assert_log DEBUG mdevctl::mdev "Writing '$U_MTTY' to \"*/mdev_supported_types/mtty-2/create\" failed: Is a directory (os error 21)")
	n7=$(assert_log DEBUG mdevctl::callouts "post-start: executing \"$s\"")
	n8=$(assert_log DEBUG mdevctl::callouts "post-start: \"$s\" exited with status 0, 0 bytes of output")
	[ "$n1" -lt "$n2" ] && [ "$n2" -lt "$n3" ] && [ "$n3" -lt "$n4" ] && [ "$n4" -lt "$n5" ] &&
		[ "$n5" -lt "$n6" ] && [ "$n6" -lt "$n7" ] && [ "$n7" -lt "$n8" ] ||
		fail "out of order: $n1 $n2 $n3 $n4 $n5 $n6 $n7 $n8"$'\n'"$stderr"
	# the error itself still ends stderr, as without the log
	[[ $stderr == *$'\n'"Error: Failed to create mdev $U_MTTY, type mtty-2 on mtty"$'\n\nCaused by:\n    Is a directory (os error 21)' ]] ||
		fail "stderr: $stderr"
}

@test "debug log: a vetoing callout, a definition skipped, attribute writes and the rollback" {
	local s
	add_definition "$P_MTTY" "$U1" '{"mdev_type": 5}'
	add_definition "$P_AP" "$U2" "$(def_json "$T_AP" manual assign_adapter=5 assign_domain=0x47)"
	add_device_dir "$U2" assign_adapter
	MDEVCTL_LOG=debug run --separate-stderr "$MDEVCTL" start -u "$U2"
	assert_equal "$status" 1
	assert_log DEBUG mdevctl::environment "Ignoring */$P_MTTY/$U1: another UUID"
	assert_log DEBUG mdevctl::mdev "Wrote '5' to \"*/$U2/assign_adapter\""
	assert_log DEBUG mdevctl::mdev "Attribute file \"*/$U2/assign_domain\" does not exist"
	assert_log DEBUG mdevctl::mdev "Wrote '1' to \"*/$U2/remove\""
	MDEVCTL_LOG=debug run --separate-stderr "$MDEVCTL" list -d
	assert_log WARN mdevctl::environment "Invalid definition \"*/$P_MTTY/$U1\"*; skipping it"
	s=$(add_callout 10-veto 'if [ "$event" = pre ]; then exit 1; fi')
	MDEVCTL_LOG=debug run --separate-stderr "$MDEVCTL" start -u "$U_MTTY"
	assert_equal "$status" 1
	assert_log DEBUG mdevctl::callouts "pre-start: \"$s\" exited with status 1, 0 bytes of output"
	[[ $stderr != *"Creating device"* ]] || fail "created despite the veto: $stderr"
}

@test "debug log, simulated host: the kernel's EINVAL on create, as users of upstream issue #115 see it" {
	sim_require
	sim_stop_all
	ROOT=$BATS_TEST_TMPDIR/sim
	sim_start "$SIM_HOSTS/example.json" "$ROOT"
	use_root
	sim_ctl "$ROOT" fail create EINVAL
	MDEVCTL_LOG=debug run --separate-stderr "$MDEVCTL" start -u "$U1" -p mtty -t mtty-2
	assert_equal "$status" 1
	assert_log DEBUG mdevctl::mdev "Checking parent for mdev type mtty-2: \"$SYS/class/mdev_bus/mtty/mdev_supported_types/mtty-2\""
	assert_log DEBUG mdevctl::mdev "Writing '$U1' to \"$SYS/class/mdev_bus/mtty/mdev_supported_types/mtty-2/create\" failed: Invalid argument (os error 22)"
}
