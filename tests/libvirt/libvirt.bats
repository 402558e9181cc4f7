#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# libvirt's node-device driver (Debian's libvirtd, nodedev driver only) driving the installed
# mdevctl, through virsh. Run by run.sh, which sets up the private mount namespace and the
# daemon; the tests run in file order and build on each other (the daemon keeps its state).
# Environment from run.sh: LIBVIRT_DEFAULT_URI, LV_WORK (scratch), LV_RECORD (the recorder's
# log: one JSON line per mdevctl call), LV_LOG (libvirtd's debug log), LV_DAEMON (its pid),
# LV_INSTALLED (the installed mdevctl's path), LV_PATH (the daemon's PATH minus the recorder).
# What each step leaves on disk under /etc/mdevctl.d is checked after it.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ETC=/etc/mdevctl.d
U1=d069d019-36ea-4111-8f0a-8c9a70e21366
U3=5a3c8b2e-6f0d-4c1a-9e7b-2d4f6a8c0e13
U4=0b6f2d4e-8a1c-4e3f-b5d7-9f1a3c5e7b24
U5=0c7e3f5a-9b2d-4f4a-86e8-a02b4d6f8c35
U6=0d8f4a6b-ac3e-4a5b-97f9-b13c5e7a9d46

# Two PCI devices of this machine serve as parents: libvirt needs the parent to be a node
# device with an address, not an mdev parent (mdevctl define does not need one either).
pci() { # N: the N-th PCI address (1-based), or the first when there are fewer
	local all
	all=$(ls /sys/bus/pci/devices)
	echo "$all" | sed -n "${1}p;\$p" | head -n1
}
P1=$(pci 1)
P2=$(pci 2)

# libvirt's names: parent pci_0000_00_02_0, device mdev_<uuid>_<parent>, '_' for [-:.]
pci_name() { echo "pci_$1" | tr ':.' '__'; }
mdev_name() { echo "mdev_$1_$2" | tr -- '-:.' '___'; }

# devices libvirt lists (--all: defined but inactive ones too), sorted, one per line
listed() { virsh -q nodedev-list --cap mdev --all | sed '/^$/d' | sort; }
# what libvirt should list for the definitions on disk
on_disk() {
	local f p u
	for f in "$ETC"/*/*; do
		[ -f "$f" ] || continue
		p=${f%/*}
		p=${p##*/}
		u=${f##*/}
		[ "$p" = scripts.d ] && continue
		echo "$u" | grep -Eq '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' || continue
		# a definition mdevctl accepts: a type, a start mode, attrs of one-key objects
		jq -e '(.mdev_type | type) == "string" and (.start == "auto" or .start == "manual") and
			((.attrs // []) | type == "array" and all(.[]; type == "object" and length == 1))' \
			"$f" >/dev/null 2>&1 || continue
		mdev_name "$u" "$p"
	done | sort
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds (libvirt re-lists asynchronously)
wait_for() {
	local n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || { "$@" || true; return 1; }
		sleep 0.1
	done
}
is_listed() { listed | grep -qx "$1"; }
not_listed() { ! listed | grep -qx "$1"; }
autostart_is() { virsh nodedev-info "$1" | grep -Eq "^Autostart: +$2\$"; }
view_matches_disk() { [ "$(listed)" = "$(on_disk)" ]; }

calls() { wc -l <"$LV_RECORD"; }
# the recorded calls after the first N, one JSON line each
calls_after() { tail -n +"$(($1 + 1))" "$LV_RECORD"; }
# list_calls_after N: how many refreshes (list calls) were made after the first N calls
list_calls_after() { calls_after "$1" | jq -c 'select(.argv[1] == "list")' | wc -l; }
# lists_after N K: libvirt re-listed at least K times after the first N calls (a command for
# wait_for: the count must be taken at each try, not once when wait_for is called)
lists_after() { [ "$(list_calls_after "$1")" -ge "$2" ]; }
# the one non-list call after the first N, as {"argv":…,"stdin":…}
sent_after() { calls_after "$1" | jq -c 'select(.argv[1] != "list") | {argv, stdin}'; }

# libvirt logs these (as errors or warnings) when it cannot use what mdevctl printed
PARSE_ERRORS='nodeDeviceParseMdevctl|virJSONValueFromString|Unable to parse|failed to update mediated devices|failed to query mdevs|Unexpected format for mdevctl'
no_parse_errors() {
	if grep -E ' (error|warning) : ' "$LV_LOG" | grep -E "$PARSE_ERRORS"; then
		fail "libvirt could not use mdevctl's output (above)"
	fi
}
daemon_alive() { kill -0 "$LV_DAEMON" 2>/dev/null || fail "libvirtd is gone: $(tail -5 "$LV_LOG")"; }

# mdev_xml PARENT TYPE [UUID [NAME=VALUE...]]
mdev_xml() {
	local parent=$1 type=$2 uuid=${3:-} a
	echo "<device><parent>$(pci_name "$parent")</parent><capability type='mdev'>"
	echo "<type id='$type'/>"
	[ -z "$uuid" ] || echo "<uuid>$uuid</uuid>"
	shift 3 2>/dev/null || shift $#
	for a in "$@"; do
		echo "<attr name='${a%%=*}' value='${a#*=}'/>"
	done
	echo "</capability></device>"
}

# what nodedev-dumpxml says of an mdev, one fact per line, attributes in their order
dump_facts() {
	virsh nodedev-dumpxml "$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
d = ET.fromstring(sys.stdin.read())
c = d.find("capability")
print("parent", d.findtext("parent"))
print("capability", c.get("type"))
print("type", c.find("type").get("id"))
print("uuid", c.findtext("uuid"))
print("parent_addr", c.findtext("parent_addr"))
for a in c.findall("attr"):
    print("attr", a.get("name"), a.get("value"))
'
}

setup_file() {
	local n=300
	until virsh -q nodedev-list >/dev/null 2>&1; do
		n=$((n - 1))
		if [ $n -le 0 ] || ! kill -0 "$LV_DAEMON" 2>/dev/null; then
			cat "$LV_WORK/libvirtd.out" "$LV_LOG" >&2 2>/dev/null
			echo "libvirtd did not come up" >&2
			return 1
		fi
		sleep 0.1
	done
	[ -n "$P1" ] || { echo "no PCI device to use as a parent" >&2; return 1; }
}

@test "libvirtd starts, finds the installed mdevctl through its PATH and lists the definitions" {
	[ -x "$LV_INSTALLED" ]
	# the same lookup the daemon makes, without the recorder: ours comes first
	[ "$(PATH=$LV_PATH command -v mdevctl)" = "$LV_INSTALLED" ]
	wait_for 10 test -s "$LV_RECORD"
	run jq -c '{argv, stdin, ran}' <(head -n1 "$LV_RECORD")
	assert_output "{\"argv\":[\"mdevctl\",\"list\",\"--dumpjson\",\"--defined\"],\"stdin\":\"/dev/null\",\"ran\":\"$LV_INSTALLED\"}"
	run listed
	assert_output ""
	no_parse_errors
}

@test "nodedev-define with a UUID and attributes in order (one name twice) writes the definition" {
	local n
	n=$(calls)
	mdev_xml "$P1" vfio_ap-passthrough "$U1" assign_adapter=5 assign_domain=0x47 assign_adapter=6 \
		>"$LV_WORK/d1.xml"
	run virsh nodedev-define "$LV_WORK/d1.xml"
	assert_success
	assert_output --partial "Node device '$(mdev_name "$U1" "$P1")' defined"
	run sent_after "$n"
	assert_output "{\"argv\":[\"mdevctl\",\"define\",\"--parent=$P1\",\"--jsonfile=/dev/stdin\",\"--uuid=$U1\"],\"stdin\":\"{\\\"mdev_type\\\":\\\"vfio_ap-passthrough\\\",\\\"start\\\":\\\"manual\\\",\\\"attrs\\\":[{\\\"assign_adapter\\\":\\\"5\\\"},{\\\"assign_domain\\\":\\\"0x47\\\"},{\\\"assign_adapter\\\":\\\"6\\\"}]}\"}"
	# on disk: exactly one file, the definition, attributes in libvirt's order
	run ls -A "$ETC/$P1"
	assert_output "$U1"
	run jq -c . "$ETC/$P1/$U1"
	assert_output '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"},{"assign_adapter":"6"}]}'
}

@test "nodedev-define without a UUID: libvirt names the device after the UUID mdevctl printed" {
	local n name u2
	n=$(calls)
	mdev_xml "$P2" i915-GVTg_V5_4 >"$LV_WORK/d2.xml"
	run virsh nodedev-define "$LV_WORK/d2.xml"
	assert_success
	name=$(echo "$output" | sed -n "s/^Node device '\\(mdev_[^']*\\)' defined.*/\\1/p")
	[ -n "$name" ]
	run sent_after "$n"
	assert_output "{\"argv\":[\"mdevctl\",\"define\",\"--parent=$P2\",\"--jsonfile=/dev/stdin\"],\"stdin\":\"{\\\"mdev_type\\\":\\\"i915-GVTg_V5_4\\\",\\\"start\\\":\\\"manual\\\"}\"}"
	# the one new definition under P2 carries the UUID in libvirt's name
	u2=$(cd "$ETC/$P2" && ls -A | grep -v "^$U1\$")
	[ "$(echo "$u2" | wc -l)" -eq 1 ]
	[ "$name" = "$(mdev_name "$u2" "$P2")" ]
	run jq -c . "$ETC/$P2/$u2"
	assert_output '{"mdev_type":"i915-GVTg_V5_4","start":"manual","attrs":[]}'
	echo "$u2" >"$LV_WORK/u2"
}

@test "nodedev-list --cap mdev --all lists both definitions, and nothing is active" {
	local u2
	u2=$(cat "$LV_WORK/u2")
	# after libvirt's own re-list of what mdevctl reports
	wait_for 10 view_matches_disk
	run listed
	assert_output "$(printf '%s\n' "$(mdev_name "$U1" "$P1")" "$(mdev_name "$u2" "$P2")" | sort)"
	run virsh -q nodedev-list --cap mdev
	assert_output ""
	no_parse_errors
}

@test "nodedev-dumpxml: parent, type, UUID and the attributes in order" {
	local u2
	u2=$(cat "$LV_WORK/u2")
	run dump_facts "$(mdev_name "$U1" "$P1")"
	assert_output "parent $(pci_name "$P1")
capability mdev
type vfio_ap-passthrough
uuid $U1
parent_addr $P1
attr assign_adapter 5
attr assign_domain 0x47
attr assign_adapter 6"
	run dump_facts "$(mdev_name "$u2" "$P2")"
	assert_output "parent $(pci_name "$P2")
capability mdev
type i915-GVTg_V5_4
uuid $u2
parent_addr $P2"
}

@test "nodedev-autostart and --disable switch the definition's start mode; libvirt keeps it across re-lists" {
	local name n
	name=$(mdev_name "$U1" "$P1")
	n=$(calls)
	run virsh nodedev-autostart "$name"
	assert_success
	run sent_after "$n"
	assert_output "{\"argv\":[\"mdevctl\",\"modify\",\"--uuid\",\"$U1\",\"--auto\"],\"stdin\":\"/dev/null\"}"
	run jq -c . "$ETC/$P1/$U1"
	assert_output '{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"},{"assign_adapter":"6"}]}'
	# the rewrite reaches libvirt through inotify: it re-lists, and still says yes
	wait_for 10 lists_after "$n" 1
	sleep 0.5
	autostart_is "$name" yes

	n=$(calls)
	run virsh nodedev-autostart --disable "$name"
	assert_success
	run sent_after "$n"
	assert_output "{\"argv\":[\"mdevctl\",\"modify\",\"--uuid\",\"$U1\",\"--manual\"],\"stdin\":\"/dev/null\"}"
	run jq -r .start "$ETC/$P1/$U1"
	assert_output manual
	wait_for 10 lists_after "$n" 1
	sleep 0.5
	autostart_is "$name" no
	no_parse_errors
}

@test "nodedev-start on a parent without mdev support: virsh shows mdevctl's error verbatim, nothing changes" {
	local name before n expected
	name=$(mdev_name "$U1" "$P1")
	before=$(cat "$ETC/$P1/$U1")
	# what the installed mdevctl says on its own, with libvirt's argv
	expected=$("$LV_INSTALLED" start --uuid="$U1" 2>&1 </dev/null) && fail "mdevctl start succeeded"
	[ -n "$expected" ]
	n=$(calls)
	run virsh nodedev-start "$name"
	assert_failure
	assert_output --partial "Unable to create mediated device: $expected"
	run sent_after "$n"
	assert_output "{\"argv\":[\"mdevctl\",\"start\",\"--uuid=$U1\"],\"stdin\":\"/dev/null\"}"
	[ "$(cat "$ETC/$P1/$U1")" = "$before" ]
	[ ! -e "/sys/bus/mdev/devices/$U1" ]
	autostart_is "$name" no
}

@test "nodedev-undefine removes the definition file; the re-list drops the device" {
	local name n
	name=$(mdev_name "$U1" "$P1")
	n=$(calls)
	run virsh nodedev-undefine "$name"
	assert_success
	run sent_after "$n"
	assert_output "{\"argv\":[\"mdevctl\",\"undefine\",\"--uuid=$U1\"],\"stdin\":\"/dev/null\"}"
	[ ! -e "$ETC/$P1/$U1" ]
	wait_for 10 not_listed "$name"
	wait_for 10 view_matches_disk
}

@test "changes made with mdevctl outside libvirt reach it through /etc/mdevctl.d" {
	local name
	name=$(mdev_name "$U3" "$P1")
	printf '%s' '{"mdev_type":"mtty-2","start":"manual","attrs":[{"z-first":"1"},{"a-second":"two words"}]}' \
		>"$LV_WORK/u3.json"
	"$LV_INSTALLED" define -u "$U3" -p "$P1" --jsonfile "$LV_WORK/u3.json"
	wait_for 10 is_listed "$name"
	# what libvirt knows of it came only from mdevctl's list output
	run dump_facts "$name"
	assert_output "parent $(pci_name "$P1")
capability mdev
type mtty-2
uuid $U3
parent_addr $P1
attr z-first 1
attr a-second two words"
	"$LV_INSTALLED" modify -u "$U3" --auto
	wait_for 10 autostart_is "$name" yes
	"$LV_INSTALLED" modify -u "$U3" --manual
	wait_for 10 autostart_is "$name" no
	"$LV_INSTALLED" undefine -u "$U3"
	wait_for 10 not_listed "$name"
	no_parse_errors
}

@test "corrupt definitions beside good ones: libvirt still lists the good ones and never sees the bad" {
	local good n
	n=$(calls)
	# an editor's half-written file, and attrs in the shape that crashes libvirt's parser
	printf '{"mdev_type": "mtty-1", "start": ' >"$ETC/$P1/$U4"
	printf '{"mdev_type":"mtty-1","start":"auto","attrs":["x"]}\n' >"$ETC/$P1/$U5"
	good=$(mdev_name "$U6" "$P1")
	mdev_xml "$P1" mtty-1 "$U6" >"$LV_WORK/d6.xml"
	run virsh nodedev-define "$LV_WORK/d6.xml"
	assert_success
	# inotify events for the three files (libvirt may coalesce them into fewer re-lists)
	wait_for 10 lists_after "$n" 1
	wait_for 10 is_listed "$good"
	wait_for 10 view_matches_disk
	run listed
	refute_output --partial "$(mdev_name "$U4" "$P1")"
	refute_output --partial "$(mdev_name "$U5" "$P1")"
	assert_output --partial "$(mdev_name "$(cat "$LV_WORK/u2")" "$P2")"
	# mdevctl saw both bad files during libvirt's re-lists and said so on stderr (libvirtd
	# writes its log asynchronously)
	wait_for 10 grep -q "Invalid definition \"$ETC/$P1/$U4\"" "$LV_LOG"
	wait_for 10 grep -q "Invalid definition \"$ETC/$P1/$U5\"" "$LV_LOG"
	daemon_alive
	no_parse_errors
	rm -f "$ETC/$P1/$U4" "$ETC/$P1/$U5"
}

# a worker of the race below: CYCLES defines and undefines of its own UUIDs, through virsh
# (libvirt's path) or straight through mdevctl (an administrator's path); failures to FILE
race_worker() { # ID VIA CYCLES FILE
	local id=$1 via=$2 cycles=$3 err=$4 i u name parent
	for i in $(seq "$cycles"); do
		u=$(printf 'a%07x-0000-4000-8000-%012x' "$id" "$i")
		parent=$P1
		[ $((i % 2)) -eq 0 ] && parent=$P2
		name=$(mdev_name "$u" "$parent")
		if [ "$via" = virsh ]; then
			mdev_xml "$parent" mtty-1 "$u" n="$i" >"$LV_WORK/race-$id.xml"
			virsh -q nodedev-define "$LV_WORK/race-$id.xml" >/dev/null 2>>"$err" ||
				echo "define $u failed" >>"$err"
			# a re-list that started before the define can drop the device for a moment;
			# libvirt undefines only what it lists
			wait_for 10 is_listed "$name" || echo "$name never listed" >>"$err"
			virsh -q nodedev-undefine "$name" >/dev/null 2>>"$err" ||
				echo "undefine $name failed" >>"$err"
		else
			"$LV_INSTALLED" define -u "$u" -p "$parent" -t mtty-2 2>>"$err" ||
				echo "define $u failed" >>"$err"
			"$LV_INSTALLED" undefine -u "$u" 2>>"$err" || echo "undefine $u failed" >>"$err"
		fi
	done
}

@test "defines and undefines racing libvirt's re-lists: no parse error, the final view is the disk's" {
	local n pids="" w listings=0 err=$LV_WORK/race.err
	: >"$err"
	n=$(calls)
	for w in 1 2; do
		race_worker "$w" virsh 10 "$err" &
		pids="$pids $!"
	done
	for w in 3 4; do
		race_worker "$w" mdevctl 25 "$err" &
		pids="$pids $!"
	done
	# meanwhile clients keep asking libvirt for the list
	while kill -0 $pids 2>/dev/null; do
		listed >/dev/null
		listings=$((listings + 1))
	done
	wait $pids
	run cat "$err"
	assert_output ""
	echo "# $(list_calls_after "$n") mdevctl list calls during the race, $listings virsh listings" >&3
	[ "$(list_calls_after "$n")" -ge 20 ]
	wait_for 15 view_matches_disk
	run listed
	assert_output "$(printf '%s\n' "$(mdev_name "$U6" "$P1")" "$(mdev_name "$(cat "$LV_WORK/u2")" "$P2")" | sort)"
	daemon_alive
	no_parse_errors
}
