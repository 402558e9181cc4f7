# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2034,SC2154
# (constants are used by the test files; status, output, stderr and BATS_* come from bats)
# Shared helpers for the mdevctl CLI tests (bats-core >= 1.5).
#
# Every test builds its own host tree under $BATS_TEST_TMPDIR and points the
# binary at it with MDEVCTL_ENV_ROOT. Nothing is ever written into the source
# tree, except golden files when MDEVCTL_TEST_REGENERATE=1 (developers only).

bats_require_minimum_version 1.5.0

bats_load_library bats-support
bats_load_library bats-assert

# --- locations ---------------------------------------------------------------

SRCDIR=${MDEVCTL_SRCDIR:-$BATS_TEST_DIRNAME/../..}
GOLDEN=$BATS_TEST_DIRNAME/golden
MKHOST=$SRCDIR/examples/mkhost.sh

if [ -z "${MDEVCTL:-}" ]; then
	MDEVCTL=$BATS_TEST_DIRNAME/../../build/src/mdevctl
fi
case $MDEVCTL in
/*) ;;
*) MDEVCTL=$PWD/$MDEVCTL ;;
esac
if [ -z "${LSMDEV:-}" ]; then
	# a symlink named lsmdev, in the per-run temporary directory
	LSMDEV=$BATS_RUN_TMPDIR/bin/lsmdev
	if [ ! -L "$LSMDEV" ]; then
		mkdir -p "$BATS_RUN_TMPDIR/bin"
		ln -s "$MDEVCTL" "$LSMDEV" 2>/dev/null || [ -L "$LSMDEV" ]
	fi
fi
export MDEVCTL LSMDEV

# The default log filter (warnings only) and no colours, whatever the caller has.
unset MDEVCTL_LOG MDEVCTL_LOG_STYLE
export LC_ALL=C
# Trees made with the usual modes whatever the caller's umask: mdevctl refuses scripts and
# rule files in group- or world-writable directories (trust.h).
umask 022

# --- the example host --------------------------------------------------------

# Parents, types and devices of examples/mkhost.sh
P_GVT=0000:00:02.0
P_AP=matrix
P_MTTY=mtty
DEVPATH_GVT=devices/pci0000:00/0000:00:02.0
DEVPATH_AP=devices/vfio_ap/matrix
DEVPATH_MTTY=devices/virtual/mtty/mtty
T_GVT4=i915-GVTg_V5_4
T_GVT8=i915-GVTg_V5_8
T_AP=vfio_ap-passthrough
T_MTTY1=mtty-1
T_MTTY2=mtty-2
# running, not defined
U_GVT4=950dd676-e30c-4b08-bebe-a4530f22422c
# running, defined (auto)
U_GVT8=711529ad-e871-4cfe-85ac-c30a44ab9567
# running, defined (manual, three attributes)
U_AP=cae40e88-cd1f-45fc-96b7-d2a145bff9f4
# defined (auto), not running
U_MTTY=e27825ad-d57e-4e68-9f06-a0b962f030b3

# Free UUIDs for tests
U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444

UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# use_root: point the tool at the host tree $ROOT and name its well-known places
use_root() {
	MDEVCTL_ENV_ROOT=$ROOT
	export ROOT MDEVCTL_ENV_ROOT
	SYS=$ROOT/sys
	ETC=$ROOT/etc/mdevctl.d
	# where this build reads callouts and notifiers (configure --with-scriptdir), rerooted; in
	# a build whose script directory is not upstream's (make distcheck's), a tree made with
	# upstream's gets this build's too
	USRLIB=$ROOT${MDEVCTL_TEST_SCRIPTDIR:-/usr/lib/mdevctl/scripts.d}
	if [ "$USRLIB" != "$ROOT/usr/lib/mdevctl/scripts.d" ] && [ -d "$ROOT/usr/lib/mdevctl/scripts.d" ]; then
		mkdir -p "$USRLIB/callouts" "$USRLIB/notifiers"
	fi
	# where this build reads vendor compat rule files (configure --with-compatdir), rerooted
	VENDOR_RULES=$ROOT${MDEVCTL_TEST_COMPATDIR:-/usr/lib/mdevctl/compat.d}
	ADMIN_RULES=$ROOT/etc/mdevctl/compat.d
}

# mkhost [--bare]: build the example host at $ROOT and export MDEVCTL_ENV_ROOT
mkhost() {
	ROOT=$BATS_TEST_TMPDIR/root
	sh "$MKHOST" "$@" "$ROOT" >/dev/null || fail "mkhost.sh failed"
	use_root
}

# mkhost_walkable: mkhost in a fresh directory $TOP under /tmp that every user can walk
# (BATS_TEST_TMPDIR's parents may not be), for commands run as another user with setpriv; the
# caller removes $TOP
mkhost_walkable() {
	command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"
	TOP=$(mktemp -d /tmp/mdevctl-test.XXXXXX)
	chmod 755 "$TOP"
	ROOT=$TOP/root
	sh "$MKHOST" "$ROOT" >/dev/null || fail "mkhost.sh failed"
	use_root
}

# mkempty: only the required directories, no sysfs content at all
mkempty() {
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$ROOT/etc/mdevctl.d/scripts.d/callouts" "$ROOT/etc/mdevctl.d/scripts.d/notifiers" \
		"$ROOT/usr/lib/mdevctl/scripts.d/callouts" "$ROOT/usr/lib/mdevctl/scripts.d/notifiers"
	use_root
}

# --- building more of the host ----------------------------------------------

# add_parent NAME [DEVPATH]: a parent registered with mdev (mdev_supported_types, no types yet)
add_parent() {
	local name=$1 devpath=${2:-devices/test/$1}
	mkdir -p "$SYS/$devpath/mdev_supported_types" "$SYS/class/mdev_bus"
	ln -sfn "../../$devpath" "$SYS/class/mdev_bus/$name"
}

# add_unregistered_parent NAME [DEVPATH]: listed in class/mdev_bus, no mdev_supported_types
add_unregistered_parent() {
	local name=$1 devpath=${2:-devices/test/$1}
	mkdir -p "$SYS/$devpath" "$SYS/class/mdev_bus"
	ln -sfn "../../$devpath" "$SYS/class/mdev_bus/$name"
}

# parent_dir NAME: the real directory of a parent
parent_dir() {
	local link
	link=$(readlink "$SYS/class/mdev_bus/$1") || return 1
	echo "$SYS/${link#../../}"
}

# type_dir PARENT TYPE
type_dir() {
	echo "$(parent_dir "$1")/mdev_supported_types/$2"
}

# create_file PARENT TYPE: the path of the `create` file of a type
create_file() {
	echo "$(type_dir "$1" "$2")/create"
}

# add_type PARENT TYPE INSTANCES API [NAME [DESCRIPTION]]: files end with \n as the kernel's do
add_type() {
	local d
	d=$(type_dir "$1" "$2")
	mkdir -p "$d/devices"
	printf '%s\n' "$3" >"$d/available_instances"
	printf '%s\n' "$4" >"$d/device_api"
	[ $# -lt 5 ] || printf '%s\n' "$5" >"$d/name"
	[ $# -lt 6 ] || printf '%s\n' "$6" >"$d/description"
	: >"$d/create"
}

# add_device PARENT TYPE UUID: a running mdev (device dir, mdev_type link, remove, bus link)
add_device() {
	local pdir link devpath
	pdir=$(parent_dir "$1")
	link=$(readlink "$SYS/class/mdev_bus/$1")
	devpath=${link#../../}
	mkdir -p "$pdir/$3" "$SYS/bus/mdev/devices"
	ln -sfn "../mdev_supported_types/$2" "$pdir/$3/mdev_type"
	: >"$pdir/$3/remove"
	mkdir -p "$pdir/mdev_supported_types/$2/devices"
	ln -sfn "../../../$3" "$pdir/mdev_supported_types/$2/devices/$3"
	ln -sfn "../../../$devpath/$3" "$SYS/bus/mdev/devices/$3"
}

# device_dir UUID: where attributes and `remove` of a device are written
device_dir() {
	echo "$SYS/bus/mdev/devices/$1"
}

# add_device_dir UUID [ATTR...]: a plain directory in bus/mdev/devices with an empty `remove`
# and empty attribute files, and no mdev_type link: not running, but start can write into it.
add_device_dir() {
	local d=$SYS/bus/mdev/devices/$1 a
	shift
	mkdir -p "$d"
	: >"$d/remove"
	for a in "$@"; do : >"$d/$a"; done
}

# definition_path PARENT UUID
definition_path() {
	echo "$ETC/$1/$2"
}

# add_definition PARENT UUID CONTENT: a stored definition, bytes as given
add_definition() {
	mkdir -p "$ETC/$1"
	printf '%s' "$3" >"$ETC/$1/$2"
}

# def_json TYPE START [ATTR=VALUE...]: a definition in the format mdevctl writes
def_json() {
	local type=$1 start=$2 a sep=''
	shift 2
	printf '{\n  "mdev_type": "%s",\n  "start": "%s",\n  "attrs": [' "$type" "$start"
	if [ $# -eq 0 ]; then
		printf ']\n}'
		return
	fi
	for a in "$@"; do
		printf '%s\n    {\n      "%s": "%s"\n    }' "$sep" "${a%%=*}" "${a#*=}"
		sep=,
	done
	printf '\n  ]\n}'
}

# --- callouts and notifiers --------------------------------------------------

# Every script written by these helpers starts with a prologue that logs its argv and its
# stdin: capability probes (-a capabilities) to $ROOT/caps.log, everything else to
# $ROOT/callout.log, as lines "<name> <argv>" and "<name> stdin=<stdin>" (the latter only
# when stdin was not empty). The body then sees $type $event $action $state $uuid $parent.
_script() {
	local path=$1 body=$2
	mkdir -p "$(dirname "$path")"
	cat >"$path" <<EOF
#!/bin/sh
ME=\$(basename "\$0")
type=\$2 event=\$4 action=\$6 state=\$8 uuid=\${10} parent=\${12}
in=\$(timeout 5 cat)
if [ "\$action" = capabilities ]; then LOG='$ROOT/caps.log'; else LOG='$ROOT/callout.log'; fi
printf '%s %s\n' "\$ME" "\$*" >>"\$LOG"
[ -z "\$in" ] || printf '%s stdin=%s\n' "\$ME" "\$in" >>"\$LOG"
$body
EOF
	chmod 755 "$path"
}

# add_callout [--etc] NAME BODY: a callout script in /usr/lib/... (or the old /etc/... dir)
add_callout() {
	local dir=$USRLIB/callouts
	if [ "$1" = --etc ]; then dir=$ETC/scripts.d/callouts; shift; fi
	_script "$dir/$1" "${2:-exit 0}"
	echo "$dir/$1"
}

# add_notifier [--etc] NAME BODY
add_notifier() {
	local dir=$USRLIB/notifiers
	if [ "$1" = --etc ]; then dir=$ETC/scripts.d/notifiers; shift; fi
	_script "$dir/$1" "${2:-exit 0}"
	echo "$dir/$1"
}

callout_log() {
	cat "$ROOT/callout.log" 2>/dev/null || true
}

caps_log() {
	cat "$ROOT/caps.log" 2>/dev/null || true
}

# The JSON a versioned script prints to announce its capabilities
SUPPORTS_ALL='{"supports":{"version":1,"actions":["start","stop","define","undefine","modify","attributes","capabilities"],"events":["pre","post","notify","get","live"]}}'

# no_lsan CMD...: CMD with LeakSanitizer off (a build with --enable-sanitizers): it cannot run
# under ptrace, and the tests that trace system calls look at them; leaks are every other test's.
no_lsan() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"
}

# --- assertions --------------------------------------------------------------

# assert_golden FILE NAME: FILE must be byte-identical to golden/NAME
assert_golden() {
	local file=$1 golden=$GOLDEN/$2
	if [ "${MDEVCTL_TEST_REGENERATE:-}" = 1 ]; then
		mkdir -p "$(dirname "$golden")"
		cp "$file" "$golden"
		return 0
	fi
	[ -f "$golden" ] || fail "golden file '$2' does not exist"
	if ! cmp -s "$golden" "$file"; then
		{
			echo "output differs from golden '$2':"
			diff -u "$golden" "$file" || true
			echo "-- expected (last bytes) --"
			tail -c 48 "$golden" | od -c
			echo "-- actual (last bytes) --"
			tail -c 48 "$file" | od -c
		} | fail
	fi
}

# assert_bytes FILE STRING: FILE holds exactly STRING (no newline added)
assert_bytes() {
	local file=$1 expected=$2
	[ -e "$file" ] || fail "file '$file' does not exist"
	printf '%s' "$expected" >"$BATS_TEST_TMPDIR/.expected"
	if ! cmp -s "$BATS_TEST_TMPDIR/.expected" "$file"; then
		{
			echo "file '$file' has unexpected contents"
			echo "-- expected --"
			od -c "$BATS_TEST_TMPDIR/.expected"
			echo "-- actual --"
			od -c "$file"
		} | fail
	fi
}

# assert_empty_file FILE
assert_empty_file() {
	[ -e "$1" ] || fail "file '$1' does not exist"
	[ ! -s "$1" ] || fail "file '$1' is not empty: $(od -c "$1" | head -5)"
}

# assert_exists PATH / refute_exists PATH
assert_exists() {
	[ -e "$1" ] || [ -L "$1" ] || fail "'$1' does not exist"
}
refute_exists() {
	if [ -e "$1" ] || [ -L "$1" ]; then fail "'$1' exists"; fi
}

# assert_warn MSG: $stderr has an env_logger WARN line whose message contains MSG
assert_warn() {
	local msg=$1 line re
	re='^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z WARN  mdevctl(::[a-z_:]+)?\] (.*)$'
	while IFS= read -r line; do
		if [[ $line =~ $re ]] && [[ ${BASH_REMATCH[2]} == *"$msg"* ]]; then
			return 0
		fi
	done <<<"$stderr"
	printf 'no WARN line containing: %s\n-- stderr --\n%s\n' "$msg" "$stderr" | fail
}

# assert_log LEVEL MODULE PATTERN: $stderr has a log line of that level (DEBUG, WARN...) and
# module (upstream's Rust module path: mdevctl, mdevctl::mdev...) whose message matches the glob
# PATTERN as a whole; prints its line number (1 = the first line of $stderr)
assert_log() {
	local level=$1 module=$2 pattern=$3 line n=0 re
	re='^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ([A-Z]+) +([a-z_:]+)\] (.*)$'
	while IFS= read -r line; do
		n=$((n + 1))
		# shellcheck disable=SC2053
		if [[ $line =~ $re ]] && [ "${BASH_REMATCH[1]}" = "$level" ] &&
			[ "${BASH_REMATCH[2]}" = "$module" ] && [[ ${BASH_REMATCH[3]} == $pattern ]]; then
			echo "$n"
			return 0
		fi
	done <<<"$stderr"
	printf 'no %s line of %s matching: %s\n-- stderr --\n%s\n' "$level" "$module" "$pattern" \
		"$stderr" | fail
}

# refute_warn: no WARN line at all in $stderr
refute_warn() {
	if [[ $stderr == *" WARN "* ]]; then
		printf 'unexpected warning\n-- stderr --\n%s\n' "$stderr" | fail
	fi
}

# assert_usage_error: status 2, something on stderr starting with "error:", nothing on stdout
# (uses $status, $output and $stderr of `run --separate-stderr`)
assert_usage_error() {
	assert_equal "$status" 2
	[ -n "$stderr" ] || fail "usage error without a message on stderr"
	[[ $stderr == error:* ]] || fail "usage error message does not start with 'error:': $stderr"
	assert_equal "$output" ""
}

# assert_error MSG: status 1, stderr is exactly "Error: MSG", stdout empty
assert_error() {
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: $1"
	assert_equal "$output" ""
}

# assert_error_partial MSG: status 1, stderr starts with "Error: " and contains MSG
assert_error_partial() {
	assert_equal "$status" 1
	[[ $stderr == *"Error: "* ]] || fail "no 'Error: ' on stderr: $stderr"
	[[ $stderr == *"$1"* ]] || printf 'stderr lacks: %s\n-- stderr --\n%s\n' "$1" "$stderr" | fail
}

# assert_valid_json FILE: parses as one JSON document
assert_valid_json() {
	if command -v jq >/dev/null; then
		jq -e . "$1" >/dev/null || fail "not valid JSON: $(head -c 400 "$1")"
	elif command -v python3 >/dev/null; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" ||
			fail "not valid JSON: $(head -c 400 "$1")"
	else
		skip "neither jq nor python3 is installed to check JSON"
	fi
}

# assert_schema KIND FILE...: each FILE validates against its JSON Schema in schemas/ (KIND:
# record, inventory, rules, facts, plan; tests/schema/validate.py --check)
assert_schema() {
	local why
	python3 -c 'import jsonschema' 2>/dev/null ||
		fail "python3-jsonschema is not installed (tools/deps.sh test installs it)"
	why=$(MDEVCTL_SRCDIR=$SRCDIR python3 "$SRCDIR/tests/schema/validate.py" --check "$@" 2>&1) ||
		fail "$why"
}

# snapshot NAME: record every path (type, link target, size, checksum) under
# $BATS_TEST_TMPDIR except the snapshots themselves and bats' own files; compare two with assert_same_snapshot.
# The top directory itself is left out: its size on tmpfs counts its entries, and the snapshot
# files are among them.
snapshot() {
	(
		cd "$BATS_TEST_TMPDIR" &&
			find . -mindepth 1 \( -path './snap.*' -o -path './separate-stderr-*' -o -path ./.expected \) -prune \
				-o -printf '%y %p %l %s %m\n' | sort &&
			find . \( -path './snap.*' -o -path './separate-stderr-*' -o -path ./.expected \) -prune \
				-o -type f -print0 | sort -z | xargs -0 -r md5sum
	) >"$BATS_TEST_TMPDIR/snap.$1"
}
assert_same_snapshot() {
	if ! cmp -s "$BATS_TEST_TMPDIR/snap.$1" "$BATS_TEST_TMPDIR/snap.$2"; then
		{
			echo "the file system changed:"
			diff "$BATS_TEST_TMPDIR/snap.$1" "$BATS_TEST_TMPDIR/snap.$2" || true
		} | fail
	fi
}

# only_file DIR NAME: DIR contains exactly one entry, NAME (no temporary files left over)
only_file() {
	local entries
	entries=$(ls -A "$1")
	assert_equal "$entries" "$2"
}
