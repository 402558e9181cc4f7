#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Callout and notifier scripts: invocation protocol, vetoes, ordering, get-attributes,
# versioned scripts and live modify.
#
# The scripts written by add_callout/add_notifier log "<name> <argv>" and "<name> stdin=<data>"
# to $ROOT/callout.log (capability probes go to $ROOT/caps.log); see helpers.bash.

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
	J=$BATS_TEST_TMPDIR/in.json
}

# A script that vetoes the pre event of every action
VETO='if [ "$event" = pre ]; then echo vetoing >&2; exit 1; fi; exit 0'
PROVIDES='{"provides":{"version":2,"actions":["start","stop","define","undefine","modify","attributes","capabilities","compat"],"events":["pre","post","notify","get","live"]}}'

# --- the invocation protocol -----------------------------------------------------------------

@test "define: pre and post get argv -t -e -a -s -u -p and the compact JSON; notify gets no stdin" {
	add_callout 10-log
	add_notifier n-log
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(callout_log)" "10-log -t mtty-1 -e pre -a define -s none -u $U1 -p mtty
10-log stdin={\"mdev_type\":\"mtty-1\",\"start\":\"manual\",\"attrs\":[]}
10-log -t mtty-1 -e post -a define -s success -u $U1 -p mtty
10-log stdin={\"mdev_type\":\"mtty-1\",\"start\":\"manual\",\"attrs\":[]}
n-log -t mtty-1 -e notify -a define -s success -u $U1 -p mtty"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "the capabilities probe: once per operation, provides JSON on stdin" {
	add_callout 10-log
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$(caps_log)" "10-log -t mtty-1 -e get -a capabilities -s none -u $U1 -p mtty
10-log stdin=$PROVIDES"
}

@test "notifiers get no stdin, even when mdevctl's own stdin has data" {
	add_notifier n-log
	run --separate-stderr bash -c 'echo LEAKED | "$MDEVCTL" define -u '"$U1"' -p mtty -t mtty-1'
	assert_success
	assert_equal "$(callout_log)" "n-log -t mtty-1 -e notify -a define -s success -u $U1 -p mtty"
}

@test "start: the JSON carries the definition's start and attributes" {
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" auto assign_adapter=5)"
	add_device_dir "$U1" assign_adapter
	add_callout 10-log
	run --separate-stderr "$MDEVCTL" start -u "$U1"
	assert_success
	assert_equal "$(callout_log)" "10-log -t vfio_ap-passthrough -e pre -a start -s none -u $U1 -p matrix
10-log stdin={\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":[{\"assign_adapter\":\"5\"}]}
10-log -t vfio_ap-passthrough -e post -a start -s success -u $U1 -p matrix
10-log stdin={\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":[{\"assign_adapter\":\"5\"}]}"
}

@test "start: a failing primary step gives post state failure" {
	add_callout 10-log
	add_notifier n-log
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t nosuchtype
	assert_error "Parent mtty does not support mdev type nosuchtype"
	assert_equal "$(callout_log | grep -v stdin=)" "10-log -t nosuchtype -e pre -a start -s none -u $U1 -p mtty
10-log -t nosuchtype -e post -a start -s failure -u $U1 -p mtty
n-log -t nosuchtype -e notify -a start -s failure -u $U1 -p mtty"
}

@test "stop: the JSON has the running type, manual and no attributes" {
	add_callout 10-log
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT8"
	assert_success
	assert_equal "$(callout_log)" "10-log -t i915-GVTg_V5_8 -e pre -a stop -s none -u $U_GVT8 -p 0000:00:02.0
10-log stdin={\"mdev_type\":\"i915-GVTg_V5_8\",\"start\":\"manual\",\"attrs\":[]}
10-log -t i915-GVTg_V5_8 -e post -a stop -s success -u $U_GVT8 -p 0000:00:02.0
10-log stdin={\"mdev_type\":\"i915-GVTg_V5_8\",\"start\":\"manual\",\"attrs\":[]}"
}

@test "undefine: the JSON is the stored definition" {
	add_callout 10-log
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY"
	assert_success
	assert_equal "$(callout_log)" "10-log -t mtty-2 -e pre -a undefine -s none -u $U_MTTY -p mtty
10-log stdin={\"mdev_type\":\"mtty-2\",\"start\":\"auto\",\"attrs\":[]}
10-log -t mtty-2 -e post -a undefine -s success -u $U_MTTY -p mtty
10-log stdin={\"mdev_type\":\"mtty-2\",\"start\":\"auto\",\"attrs\":[]}"
}

@test "undefine without -p runs the callouts once per parent" {
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual)"
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" manual)"
	add_callout 10-log
	run --separate-stderr "$MDEVCTL" undefine -u "$U1"
	assert_success
	run grep -c -- "-e pre -a undefine" "$ROOT/callout.log"
	assert_output 2
	run grep -c -- "-e post -a undefine -s success" "$ROOT/callout.log"
	assert_output 2
}

@test "modify: pre and post with action modify" {
	add_callout 10-log
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --manual
	assert_success
	assert_equal "$(callout_log | grep -v stdin=)" "10-log -t mtty-2 -e pre -a modify -s none -u $U_MTTY -p mtty
10-log -t mtty-2 -e post -a modify -s success -u $U_MTTY -p mtty"
}

@test "script stderr is echoed as '<name>: <text>'" {
	add_callout 10-talk 'if [ "$event" = post ]; then echo "hello from post" >&2; fi; exit 0'
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_equal "$stderr" "10-talk: hello from post"
}

# --- choosing the script ------------------------------------------------------------------------

@test "exit status 2 means 'not my device': the next script is tried, post goes to the one that took it" {
	add_callout 10-a 'exit 2'
	add_callout 20-b 'exit 0'
	add_callout 30-c 'exit 0'
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_equal "$(callout_log | grep -v stdin=)" "10-a -t mtty-1 -e pre -a define -s none -u $U1 -p mtty
20-b -t mtty-1 -e pre -a define -s none -u $U1 -p mtty
20-b -t mtty-1 -e post -a define -s success -u $U1 -p mtty"
}

@test "scripts check the type themselves: one that declines lets the operation go on" {
	add_callout 10-mtty1-only 'if [ "$type" != mtty-1 ]; then exit 2; fi; '"$VETO"
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
	run --separate-stderr "$MDEVCTL" define -u "$U2" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	refute_exists "$(definition_path "$P_MTTY" "$U2")"
}

@test "callouts run sorted by name" {
	add_callout 20-b 'exit 2'
	add_callout 30-c 'exit 2'
	add_callout 10-a 'exit 2'
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$(callout_log | grep -- '-e pre' | cut -d' ' -f1 | tr '\n' ' ')" "10-a 20-b 30-c "
}

@test "callouts in /usr/lib/mdevctl/scripts.d run before those in /etc/mdevctl.d/scripts.d" {
	add_callout 90-usr 'exit 2'
	add_callout --etc 00-etc 'exit 2'
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$(callout_log | grep -v stdin=)" "90-usr -t mtty-1 -e pre -a define -s none -u $U1 -p mtty
00-etc -t mtty-1 -e pre -a define -s none -u $U1 -p mtty
90-usr -t mtty-1 -e post -a define -s success -u $U1 -p mtty
00-etc -t mtty-1 -e post -a define -s success -u $U1 -p mtty"
}

@test "a callout in the old /etc directory still vetoes" {
	local s
	s=$(add_callout --etc 10-veto "$VETO")
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_equal "$stderr" "10-veto: vetoing
Error: Script '\"$s\"' failed with status '1'"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "a file that cannot be executed is skipped" {
	mkdir -p "$USRLIB/callouts"
	printf 'not a script\n' >"$USRLIB/callouts/00-README"
	add_callout 10-log
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
	run grep -c -- "-e post -a define" "$ROOT/callout.log"
	assert_output 1
}

@test "a script killed by a signal is warned about and the next one is tried" {
	local s
	s=$(add_callout 10-kill 'if [ "$event" = pre ]; then kill -KILL $$; fi; exit 2')
	add_callout 20-ok 'exit 0'
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_warn "callout script \"$s\" was terminated by a signal"
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
	run grep -c -- "^20-ok .*-e pre -a define" "$ROOT/callout.log"
	assert_output 1
}

# --- vetoes and --force -----------------------------------------------------------------------------

@test "define: a pre veto fails the command; no post; notify with state none" {
	local s
	s=$(add_callout 10-veto "$VETO")
	add_notifier n-log
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_output ""
	assert_equal "$stderr" "10-veto: vetoing
Error: Script '\"$s\"' failed with status '1'"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
	assert_equal "$(callout_log | grep -v stdin=)" "10-veto -t mtty-1 -e pre -a define -s none -u $U1 -p mtty
n-log -t mtty-1 -e notify -a define -s none -u $U1 -p mtty"
}

@test "define: the status of the vetoing script is reported" {
	local s
	s=$(add_callout 10-veto 'if [ "$event" = pre ]; then exit 7; fi; exit 0')
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_error "Script '\"$s\"' failed with status '7'"
}

@test "define --force: a veto becomes a warning" {
	local s
	s=$(add_callout 10-veto "$VETO")
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1" --force
	assert_success
	assert_output ""
	assert_warn "Forcing operation 'define' despite callout failure. Error was: Script '\"$s\"' failed with status '1'"
	assert_bytes "$(definition_path "$P_MTTY" "$U1")" "$(def_json "$T_MTTY1" manual)"
	run grep -c -- "-e post -a define -s success" "$ROOT/callout.log"
	assert_output 1
}

@test "a failing post is ignored" {
	add_callout 10-post-fails 'if [ "$event" = post ]; then exit 1; fi; exit 0'
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	assert_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "failing notifiers are ignored; notifiers in both directories run" {
	add_notifier n-usr 'exit 1'
	add_notifier --etc n-etc 'exit 3'
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	run grep -c -- "-e notify -a define -s success" "$ROOT/callout.log"
	assert_output 2
}

@test "undefine: a veto keeps the file, warns and fails" {
	local s
	s=$(add_callout 10-veto "$VETO")
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY"
	assert_equal "$status" 1
	assert_output ""
	[[ $stderr == *"10-veto: vetoing"* ]] || fail "no script stderr: $stderr"
	assert_warn "Undefine of $U_MTTY on parent mtty failed with error: Script '\"$s\"' failed with status '1'"
	[[ $stderr == *$'\nError: Undefine failed' ]] || fail "stderr: $stderr"
	assert_exists "$(definition_path "$P_MTTY" "$U_MTTY")"
}

@test "undefine --force: the file is removed despite the veto" {
	add_callout 10-veto "$VETO"
	run --separate-stderr "$MDEVCTL" undefine -u "$U_MTTY" -f
	assert_success
	assert_warn "Forcing operation 'undefine' despite callout failure"
	refute_exists "$(definition_path "$P_MTTY" "$U_MTTY")"
}

@test "modify: a veto keeps the file; --force overrides" {
	local s
	s=$(add_callout 10-veto "$VETO")
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --manual
	assert_equal "$status" 1
	[[ $stderr == *"Error: Script '\"$s\"' failed with status '1'" ]] || fail "stderr: $stderr"
	assert_bytes "$(definition_path "$P_MTTY" "$U_MTTY")" "$(def_json "$T_MTTY2" auto)"
	run --separate-stderr "$MDEVCTL" modify -u "$U_MTTY" --manual --force
	assert_success
	assert_warn "Forcing operation 'modify' despite callout failure"
	assert_bytes "$(definition_path "$P_MTTY" "$U_MTTY")" "$(def_json "$T_MTTY2" manual)"
}

@test "start: a veto leaves create alone; --force overrides" {
	local s
	s=$(add_callout 10-veto "$VETO")
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_output ""
	[[ $stderr == *"Error: Script '\"$s\"' failed with status '1'" ]] || fail "stderr: $stderr"
	assert_empty_file "$(create_file "$P_MTTY" "$T_MTTY1")"
	run --separate-stderr "$MDEVCTL" start -u "$U1" -p "$P_MTTY" -t "$T_MTTY1" -f
	assert_success
	assert_warn "Forcing operation 'start' despite callout failure"
	assert_bytes "$(create_file "$P_MTTY" "$T_MTTY1")" "$U1"
}

@test "start without -u: a veto means no UUID on stdout" {
	add_callout 10-veto "$VETO"
	run --separate-stderr "$MDEVCTL" start -p "$P_MTTY" -t "$T_MTTY1"
	assert_equal "$status" 1
	assert_output ""
}

@test "stop: a veto leaves remove alone; --force overrides" {
	local s
	s=$(add_callout 10-veto "$VETO")
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4"
	assert_equal "$status" 1
	assert_equal "$stderr" "10-veto: vetoing
Error: Script '\"$s\"' failed with status '1'"
	assert_empty_file "$(device_dir "$U_GVT4")/remove"
	run --separate-stderr "$MDEVCTL" stop -u "$U_GVT4" --force
	assert_success
	assert_warn "Forcing operation 'stop' despite callout failure"
	assert_bytes "$(device_dir "$U_GVT4")/remove" "1"
}

@test "start-parent-mdevs: a vetoed device is skipped with a warning, the others start" {
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" auto)"
	add_definition "$P_AP" "$U2" "$(def_json "$T_GVT4" auto)"
	add_callout 10-veto-u1 'if [ "$uuid" = '"$U1"' ] && [ "$event" = pre ]; then exit 1; fi; exit 0'
	# U2's type is not supported by matrix: fails too; only the logging matters here
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P_AP"
	assert_success
	assert_output ""
	assert_warn "failed with status '1'"
	assert_empty_file "$(create_file "$P_AP" "$T_AP")"
	run grep -c -- "-e pre -a start" "$ROOT/callout.log"
	assert_output 2
}

@test "start-parent-mdevs runs the start callouts" {
	add_callout 10-log
	run --separate-stderr "$MDEVCTL" start-parent-mdevs "$P_MTTY"
	assert_success
	assert_equal "$(callout_log | grep -v stdin=)" "10-log -t mtty-2 -e pre -a start -s none -u $U_MTTY -p mtty
10-log -t mtty-2 -e post -a start -s success -u $U_MTTY -p mtty"
}

# --- get attributes -------------------------------------------------------------------------------

# prints attributes for U_GVT4 only, declines everything else
ATTRS_GVT4='if [ "$event $action" = "get attributes" ] && [ "$uuid" = 950dd676-e30c-4b08-bebe-a4530f22422c ]; then printf "%s" "[{\"attribute0\": \"VALUE\"}, {\"attribute1\": \"x y\"}]"; exit 0; fi; exit 2'

@test "active list -v shows the attributes from the get-attributes callout" {
	add_callout 10-attrs "$ATTRS_GVT4"
	run --separate-stderr "$MDEVCTL" list -v
	assert_success
	rm -f "$ROOT/callout.log"
	"$MDEVCTL" list -v >"$OUT"
	assert_bytes "$OUT" '711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto (defined)
950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 manual
  Attrs:
    @{0}: {"attribute0":"VALUE"}
    @{1}: {"attribute1":"x y"}
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
'
	run grep -c -- "-e get -a attributes -s none" "$ROOT/callout.log"
	assert_output 3
	run grep -c -- "-t i915-GVTg_V5_4 -e get -a attributes -s none -u 950dd676-e30c-4b08-bebe-a4530f22422c -p 0000:00:02.0" "$ROOT/callout.log"
	assert_output 1
}

@test "active list --dumpjson includes the callout attributes" {
	add_callout 10-attrs "$ATTRS_GVT4"
	"$MDEVCTL" list --dumpjson -u "$U_GVT4" >"$OUT"
	assert_bytes "$OUT" '{
  "mdev_type": "i915-GVTg_V5_4",
  "start": "manual",
  "attrs": [
    {
      "attribute0": "VALUE"
    },
    {
      "attribute1": "x y"
    }
  ]
}'
}

@test "defined list runs no callouts" {
	add_callout 10-log
	"$MDEVCTL" list -dv >"$OUT"
	assert_golden "$OUT" list/defined-verbose.txt
	assert_equal "$(callout_log)" ""
}

@test "active list: bad output or failure of get-attributes is ignored" {
	add_callout 10-bad 'if [ "$event" = get ]; then case $uuid in 950*) printf "not json"; exit 0;; 711*) exit 1;; cae*) printf "[{\"a\":1}]"; exit 0;; esac; fi; exit 0'
	run --separate-stderr "$MDEVCTL" list -v
	assert_success
	"$MDEVCTL" list -v >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/active.txt
	"$MDEVCTL" list --dumpjson >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/active.json
}

@test "get-attributes: [{}] and empty output mean no attributes, trailing NULs are trimmed" {
	add_callout 10-odd 'if [ "$event" = get ]; then case $uuid in 950*) printf "[{}]";; 711*) ;; cae*) printf "[{\"a\":\"b\"}]\0\0";; esac; exit 0; fi; exit 0'
	"$MDEVCTL" list -v >"$OUT"
	assert_bytes "$OUT" '711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto (defined)
950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 manual
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
  Attrs:
    @{0}: {"a":"b"}
'
}

@test "define of a running device appends the get-attributes output" {
	add_callout 10-attrs "$ATTRS_GVT4"
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4"
	assert_success
	assert_output ""
	assert_bytes "$(definition_path "$P_GVT" "$U_GVT4")" "$(def_json "$T_GVT4" manual attribute0=VALUE 'attribute1=x y')"
}

@test "define of a running device: get-attributes is called between pre and post" {
	add_callout 10-all 'if [ "$event" = get ]; then printf "[{\"k\":\"v\"}]"; fi; exit 0'
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4" -a
	assert_success
	assert_equal "$(callout_log)" "10-all -t i915-GVTg_V5_4 -e pre -a define -s none -u $U_GVT4 -p 0000:00:02.0
10-all stdin={\"mdev_type\":\"i915-GVTg_V5_4\",\"start\":\"auto\",\"attrs\":[]}
10-all -t i915-GVTg_V5_4 -e get -a attributes -s none -u $U_GVT4 -p 0000:00:02.0
10-all -t i915-GVTg_V5_4 -e post -a define -s success -u $U_GVT4 -p 0000:00:02.0
10-all stdin={\"mdev_type\":\"i915-GVTg_V5_4\",\"start\":\"auto\",\"attrs\":[]}"
	assert_bytes "$(definition_path "$P_GVT" "$U_GVT4")" "$(def_json "$T_GVT4" auto k=v)"
}

@test "define of a running device fails on invalid get-attributes output" {
	add_callout 10-bad 'if [ "$event" = get ]; then printf "not json"; fi; exit 0'
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4"
	assert_equal "$status" 1
	assert_output ""
	[[ $stderr == "Error: Invalid JSON received from callout script"* ]] || fail "stderr: $stderr"
	refute_exists "$(definition_path "$P_GVT" "$U_GVT4")"
}

@test "define of a running device fails when get-attributes fails" {
	local s
	s=$(add_callout 10-fail 'if [ "$event" = get ]; then exit 1; fi; exit 0')
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4"
	assert_error_partial "Script '\"$s\"' failed with status '1'"
	refute_exists "$(definition_path "$P_GVT" "$U_GVT4")"
}

@test "define of a device that is not running does not ask for attributes" {
	add_callout 10-log
	"$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	run grep -c -- "-a attributes" "$ROOT/callout.log"
	assert_output 0
}

# --- versioned scripts ----------------------------------------------------------------------------

# versioned script: announces SUPPORTS_ALL (or $1), then accepts everything
versioned() {
	local caps=${2:-$SUPPORTS_ALL}
	add_callout "$1" 'if [ "$action" = capabilities ]; then printf "%s" '"'$caps'"'; exit 0; fi; '"${3:-exit 0}"
}

@test "live modify: the versioned script gets -e live -a modify and the new JSON; the definition is untouched" {
	versioned 50-versioned
	add_notifier n-log
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_domain":"0x1"}]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --jsonfile "$J"
	assert_success
	assert_output ""
	assert_equal "$(callout_log | grep -v '^n-log')" "50-versioned -t vfio_ap-passthrough -e live -a modify -s none -u $U_AP -p matrix
50-versioned stdin={\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[{\"assign_domain\":\"0x1\"}]}"
	run grep -c -- "^n-log .*-e notify -a modify" "$ROOT/callout.log"
	assert_output 1
	assert_golden "$(definition_path "$P_AP" "$U_AP")" list/defined-uuid.json
	assert_equal "$(caps_log | head -1)" "50-versioned -t vfio_ap-passthrough -e get -a capabilities -s none -u $U_AP -p matrix"
}

@test "live modify: a failing live callout fails the command" {
	local s
	s=$(versioned 50-versioned "$SUPPORTS_ALL" 'if [ "$event" = live ]; then echo refused >&2; exit 1; fi; exit 0')
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --jsonfile "$J"
	assert_equal "$status" 1
	[[ $stderr == *"50-versioned: refused"* ]] || fail "stderr: $stderr"
	[[ $stderr == *"Error: "* ]] || fail "stderr: $stderr"
}

@test "live and defined modify: live callout, then the definition is rewritten" {
	versioned 50-versioned
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_domain":"0x1"}]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" -p "$P_AP" --live --defined --jsonfile "$J"
	assert_success
	assert_bytes "$(definition_path "$P_AP" "$U_AP")" "$(def_json "$T_AP" auto assign_domain=0x1)"
	assert_equal "$(callout_log | grep -v stdin= | cut -d' ' -f2-9)" "-t vfio_ap-passthrough -e live -a modify -s none
-t vfio_ap-passthrough -e pre -a modify -s none
-t vfio_ap-passthrough -e post -a modify -s success"
}

@test "live and defined modify: the definition must have the running type" {
	versioned 50-versioned
	add_definition "$P_GVT" "$U_GVT8" "$(def_json "$T_GVT4" auto)"
	printf '%s' '{"mdev_type":"i915-GVTg_V5_8","start":"auto","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_GVT8" --live --defined --jsonfile "$J"
	assert_error "'type' of active and defined mdev does not match"
	assert_bytes "$(definition_path "$P_GVT" "$U_GVT8")" "$(def_json "$T_GVT4" auto)"
}

@test "live modify: a versioned script without the live event" {
	local s
	s=$(versioned 50-versioned '{"supports":{"version":1,"actions":["start","stop","define","undefine","modify","attributes","capabilities"],"events":["pre","post","notify","get"]}}')
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --jsonfile "$J"
	assert_error "Script \"$s\" does not support event 'Live'"
}

@test "a script exiting 1 with valid capabilities is still a versioned script" {
	add_callout 50-v 'if [ "$action" = capabilities ]; then printf "%s" '"'$SUPPORTS_ALL'"'; exit 1; fi; exit 0'
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --jsonfile "$J"
	assert_success
}

@test "a script without capabilities output is not versioned: live modify is refused" {
	add_callout 10-plain 'exit 0'
	printf '%s' '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[]}' >"$J"
	run --separate-stderr "$MDEVCTL" modify -u "$U_AP" --live --jsonfile "$J"
	assert_error "No callout script with version support found that supports live modify"
}

@test "a versioned script is used for all events: exit 2 is a failure" {
	local s
	s=$(versioned 50-versioned "$SUPPORTS_ALL" 'if [ "$event" = pre ]; then exit 2; fi; exit 0')
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_error "Script '\"$s\"' failed with status '2'"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "a versioned script takes precedence: later scripts are not called" {
	versioned 10-versioned
	add_callout 20-plain 'exit 0'
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	run grep -c '^20-plain' "$ROOT/callout.log"
	assert_output 0
	run grep -c '^20-plain' "$ROOT/caps.log"
	assert_output 0
	run grep -c -- '^10-versioned .*-e post -a define -s success' "$ROOT/callout.log"
	assert_output 1
}

@test "a versioned script without the action refuses it" {
	local s
	s=$(versioned 50-versioned '{"supports":{"version":1,"actions":["start","stop"],"events":["pre","post","notify","get"]}}')
	run --separate-stderr "$MDEVCTL" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY1"
	assert_error_partial "Script \"$s\" does not support action 'Define'"
	refute_exists "$(definition_path "$P_MTTY" "$U1")"
}

@test "versioned script: get attributes in the active list" {
	versioned 50-versioned "$SUPPORTS_ALL" 'if [ "$event" = get ]; then printf "[{\"v\":\"1\"}]"; fi; exit 0'
	"$MDEVCTL" list -v -p matrix >"$OUT"
	assert_bytes "$OUT" 'cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
  Attrs:
    @{0}: {"v":"1"}
'
}
