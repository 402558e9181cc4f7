#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# --root DIR: definitions prepared in an image offline. The commands that work on definitions
# work on DIR's, the ones that need the running system refuse, the image's scripts run only
# with --run-callouts, links in the image stay in the image, and nothing outside DIR is opened
# (strace) or written (the real /etc/mdevctl.d bound read-only).
#
# The tests run with MDEVCTL_ENV_ROOT pointing at the example host of mkhost.sh, which stands
# for "this system": --root must not look at it.

load helpers

setup() {
	mkhost
	IMG=$BATS_TEST_TMPDIR/image
	# the build's script directory (configure --with-scriptdir), in the image
	SCRIPTDIR=${MDEVCTL_TEST_SCRIPTDIR:-/usr/lib/mdevctl/scripts.d}
	mkdir -p "$IMG"
	IETC=$IMG/etc/mdevctl.d
}

# host_sum: a digest of every name, link target, mode and content of this system's tree
host_sum() {
	(cd "$ROOT" && find . -printf '%y %p %l %m\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 -r md5sum) | md5sum
}

@test "--root: define, list -d, modify and undefine work on DIR's definitions only" {
	local before
	before=$(host_sum)

	# what fails changes nothing, not even the directory an image lacks
	run --separate-stderr "$MDEVCTL" --root "$IMG" undefine -u "$U_MTTY"
	assert_error "No devices match the specified uuid"
	run --separate-stderr "$MDEVCTL" --root "$IMG" modify -u "$U_MTTY" --auto
	assert_error "Mediated device $U_MTTY is not defined"
	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U1" -p "$P_MTTY"
	assert_error "No type specified"
	assert_equal "$(ls -A "$IMG")" ""

	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_bytes "$IETC/$P_MTTY/$U1" "$(def_json "$T_MTTY2" manual)"
	[ "$(stat -c %a "$IETC")" = 755 ] || fail "etc/mdevctl.d made with mode $(stat -c %a "$IETC")"

	run --separate-stderr "$MDEVCTL" --root "$IMG" define -p "$P_GVT" -t "$T_GVT4"
	assert_success
	assert_output --regexp "^$UUID_RE\$"
	local u=$output
	assert_exists "$IETC/$P_GVT/$u"

	# the image's definitions, not this system's (it has four)
	run --separate-stderr "$MDEVCTL" --root "$IMG" list -d
	assert_success
	assert_output "$(printf '%s\n' "$u $P_GVT $T_GVT4 manual" "$U1 $P_MTTY $T_MTTY2 manual" | sort -k2,2 -k1,1)"

	run --separate-stderr "$MDEVCTL" --root "$IMG" modify -u "$U1" --auto
	assert_success
	run --separate-stderr "$MDEVCTL" --root "$IMG" modify -u "$U1" --addattr a --value 1
	assert_success
	assert_bytes "$IETC/$P_MTTY/$U1" "$(def_json "$T_MTTY2" auto a=1)"
	run --separate-stderr "$MDEVCTL" --root "$IMG" list -d -u "$U1" --dumpjson
	assert_success
	assert_output "$(cat "$IETC/$P_MTTY/$U1")"

	run --separate-stderr "$MDEVCTL" --root "$IMG" undefine -u "$U1"
	assert_success
	refute_exists "$IETC/$P_MTTY/$U1"
	run --separate-stderr "$MDEVCTL" --root "$IMG" undefine -u "$U_MTTY"
	assert_error "No devices match the specified uuid"

	assert_equal "$(host_sum)" "$before"
}

@test "--root: the option stands anywhere before '--', in both forms" {
	run --separate-stderr "$MDEVCTL" define -u "$U1" --root "$IMG" -p "$P_MTTY" -t "$T_MTTY1"
	assert_success
	run --separate-stderr "$MDEVCTL" define -u "$U2" -p "$P_MTTY" -t "$T_MTTY1" --root="$IMG"
	assert_success
	run --separate-stderr "$LSMDEV" -d --root "$IMG"
	assert_success
	assert_output "$(printf '%s\n' "$U1 $P_MTTY $T_MTTY1 manual" "$U2 $P_MTTY $T_MTTY1 manual")"
	# a relative DIR is the caller's
	run --separate-stderr sh -c 'cd "$1" && "$2" --root image list -d' sh "$BATS_TEST_TMPDIR" "$MDEVCTL"
	assert_success
	assert_equal "${#lines[@]}" 2
}

@test "--root: no device of this system counts as running" {
	# this system runs U_GVT4 (undefined) and U_GVT8 (defined with the same parent and type)
	run --separate-stderr "$MDEVCTL" define -u "$U_GVT4" -p other
	assert_success
	assert_equal "$(cat "$ETC/other/$U_GVT4" | grep -c "$T_GVT4")" 1

	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U_GVT4"
	assert_error "No parent specified"
	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U_GVT4" -p other
	assert_error "No type specified"
	refute_exists "$IETC/other/$U_GVT4"

	mkdir -p "$IETC/$P_GVT"
	cp "$ETC/$P_GVT/$U_GVT8" "$IETC/$P_GVT/"
	run --separate-stderr "$MDEVCTL" list -d -u "$U_GVT8"
	assert_output "$U_GVT8 $P_GVT $T_GVT8 auto (active)"
	run --separate-stderr "$MDEVCTL" --root "$IMG" list -d -u "$U_GVT8"
	assert_success
	assert_output "$U_GVT8 $P_GVT $T_GVT8 auto"
}

@test "--root: what needs the running system is a usage error and changes nothing" {
	local rec=$SRCDIR/tests/data/compat/record-example.json before
	mkdir -p "$IETC/$P_MTTY"
	printf '%s' "$(def_json "$T_MTTY2" manual)" >"$IETC/$P_MTTY/$U1"
	printf '%s' "$(def_json "$T_MTTY2" manual)" >"$BATS_TEST_TMPDIR/j.json"
	before=$(host_sum):$(find "$IMG" -printf '%p %s\n' | sort | md5sum)
	local -a cmds=(
		"start -u $U1"
		"start -p $P_MTTY -t $T_MTTY2"
		"stop -u $U_GVT4"
		"types"
		"list"
		"list -v -u $U_GVT4"
		"modify -u $U1 -p $P_MTTY --live --jsonfile $BATS_TEST_TMPDIR/j.json"
		"compat show -u $U_GVT4"
		"compat -u $U_GVT4"
		"compat inventory"
		"compat check --from $rec"
		"compat traits --inventory"
		"create-compatible --from $rec"
		"start-parent-mdevs $P_MTTY"
		"monitor"
	)
	local c
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$MDEVCTL" --root "$IMG" $c
		assert_usage_error
		[[ $stderr == *"needs the running system and cannot be used with '--root'"* ]] ||
			fail "mdevctl --root $c: $stderr"
	done
	run --separate-stderr "$MDEVCTL" --root "$IMG" compat traits --inventory
	assert_equal "${stderr%%$'\n'*}" "error: 'compat traits --inventory' without a FILE needs the running system and cannot be used with '--root'"
	run --separate-stderr "$LSMDEV" --root "$IMG"
	assert_usage_error
	assert_equal "$(host_sum):$(find "$IMG" -printf '%p %s\n' | sort | md5sum)" "$before"
}

@test "--root: bad uses are errors" {
	run --separate-stderr "$MDEVCTL" --root "$BATS_TEST_TMPDIR/none" list -d
	assert_equal "$status" 1
	assert_equal "$stderr" "Error: Unable to use \"$BATS_TEST_TMPDIR/none\" as the root directory

Caused by:
    No such file or directory (os error 2)"
	: >"$BATS_TEST_TMPDIR/file"
	run --separate-stderr "$MDEVCTL" --root "$BATS_TEST_TMPDIR/file" list -d
	assert_error_partial "Not a directory"
	run --separate-stderr "$MDEVCTL" list -d --root
	assert_usage_error
	run --separate-stderr "$MDEVCTL" --root= list -d
	assert_usage_error
	run --separate-stderr "$MDEVCTL" --root "$IMG" --root "$IMG" list -d
	assert_usage_error
	run --separate-stderr "$MDEVCTL" --run-callouts list -d
	assert_usage_error
	[[ $stderr == *"'--run-callouts' requires '--root <DIR>'"* ]] || fail "$stderr"
	run --separate-stderr "$MDEVCTL" --run-callouts=yes --root "$IMG" list -d
	assert_usage_error
}

# logging_script PATH LOG: a script that appends its argv to LOG and exits 0
logging_script() {
	mkdir -p "$(dirname "$1")"
	printf '#!/bin/sh\necho "$(basename "$0") $*" >>%s\n' "$2" >"$1"
	chmod 755 "$1"
}

@test "--root: the image's scripts run only with --run-callouts, this system's never" {
	local log=$BATS_TEST_TMPDIR/scripts.log
	logging_script "$USRLIB/callouts/host-callout" "$log"
	logging_script "$USRLIB/notifiers/host-notifier" "$log"
	logging_script "$IMG$SCRIPTDIR/callouts/img-callout" "$log"
	logging_script "$IMG$SCRIPTDIR/notifiers/img-notifier" "$log"
	logging_script "$IETC/scripts.d/callouts/img-old-callout" "$log"

	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	refute_exists "$log"

	run --separate-stderr "$MDEVCTL" --root "$IMG" --run-callouts define -u "$U2" -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	# the capabilities probe of both of the image's callout directories, then the protocol
	assert_equal "$(cat "$log")" "img-callout -t $T_MTTY2 -e get -a capabilities -s none -u $U2 -p $P_MTTY
img-old-callout -t $T_MTTY2 -e get -a capabilities -s none -u $U2 -p $P_MTTY
img-callout -t $T_MTTY2 -e pre -a define -s none -u $U2 -p $P_MTTY
img-callout -t $T_MTTY2 -e post -a define -s success -u $U2 -p $P_MTTY
img-notifier -t $T_MTTY2 -e notify -a define -s success -u $U2 -p $P_MTTY"
	assert_exists "$IETC/$P_MTTY/$U2"

	# the image's callout can veto
	printf '#!/bin/sh\necho no >&2\nexit 1\n' >"$IMG$SCRIPTDIR/callouts/img-callout"
	run --separate-stderr "$MDEVCTL" --root "$IMG" --run-callouts undefine -u "$U2"
	assert_equal "$status" 1
	assert_exists "$IETC/$P_MTTY/$U2"
	run --separate-stderr "$MDEVCTL" --root "$IMG" undefine -u "$U2"
	assert_success
	refute_exists "$IETC/$P_MTTY/$U2"
}

@test "--root --run-callouts: a script whose path leads out of the image is not run" {
	local log=$BATS_TEST_TMPDIR/scripts.log out=$BATS_TEST_TMPDIR/outside
	# the same relative path inside and outside the image, different scripts
	logging_script "$out/bin/cb" "$log"
	logging_script "$IMG$out/bin/cb" "$BATS_TEST_TMPDIR/inside.log"
	mkdir -p "$IMG$SCRIPTDIR/callouts"
	ln -s "$out/bin/cb" "$IMG$SCRIPTDIR/callouts/cb"
	run --separate-stderr "$MDEVCTL" --root "$IMG" --run-callouts define -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	assert_warn "its path leads out of the root directory"
	refute_exists "$log"
	refute_exists "$BATS_TEST_TMPDIR/inside.log"
}

@test "--root: links in the image lead to the image's files, never this system's" {
	local out=$BATS_TEST_TMPDIR/outside
	# an absolute link: this system has the directory too, empty
	mkdir -p "$out" "$IMG$out" "$IMG/etc"
	ln -s "$out" "$IETC"
	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U1" -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	assert_exists "$IMG$out/$P_MTTY/$U1"
	assert_equal "$(ls -A "$out")" ""
	run --separate-stderr "$MDEVCTL" --root "$IMG" list -d
	assert_output "$U1 $P_MTTY $T_MTTY2 manual"

	# a relative link that climbs above the image stops at its root, as ".." at "/" does
	rm "$IETC"
	mkdir -p "$IMG/defs"
	ln -s ../../../../../../../../../../defs "$IETC"
	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U2" -p "$P_MTTY" -t "$T_MTTY2"
	assert_success
	assert_exists "$IMG/defs/$P_MTTY/$U2"
	refute_exists "/defs/$P_MTTY/$U2"

	# a parent directory that is a link out of the image
	rm "$IETC"
	mkdir -p "$IETC" "$IMG$out/p"
	ln -s "$out/p" "$IETC/$P_GVT"
	run --separate-stderr "$MDEVCTL" --root "$IMG" define -u "$U3" -p "$P_GVT" -t "$T_GVT4"
	assert_success
	assert_exists "$IMG$out/p/$U3"
	refute_exists "$out/p"
}

# check_trace LOG DIR: every file-related system call in strace's LOG (made with -f -y) names
# a path under DIR, or a descriptor of one, except the dynamic loader's libraries, standard
# input, output and error, and, for sanitizer builds, the process's own /proc/self files.
# Prints the offending lines.
check_trace() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
log, root = sys.argv[1], sys.argv[2].rstrip('/')
def inside(p):
    return p == root or p.startswith(root + '/')
def allowed(p, pid):
    return (p in ('/etc/ld.so.cache', '/etc/ld.so.preload') or
            re.search(r'/lib[^/]*/.*\.so(\.[0-9]+)*$', p) or p.startswith('/proc/self/') or
            (pid and p.startswith('/proc/%s/' % pid)))
bad = 0
for line in open(log):
    line = line.rstrip('\n')
    m = re.match(r'^(?:(\d+) +)?(\w+)\((.*)$', line)
    if not m or m.group(2) in ('execve', 'exit', 'exit_group'):
        continue
    rest = m.group(3)
    # fd annotations: the dirfd argument and the returned descriptor; standard input, output
    # and error are the caller's (stdio looks at them)
    fds = [p for fd, p in re.findall(r'(\d+)<([^>]*)>', rest) if int(fd) > 2]
    fds += re.findall(r'AT_FDCWD<([^>]*)>', rest)
    # string arguments: an absolute one is a path of its own, a relative one is under its dirfd;
    # only the rename and link calls take two paths (readlink's second string is its answer)
    strs = re.findall(r'"((?:[^"\\]|\\.)*)"', rest)
    if m.group(2) not in ('rename', 'renameat', 'renameat2', 'link', 'linkat'):
        strs = strs[:1]
    paths = [s for s in strs if s.startswith('/')] + fds
    for p in paths:
        if not inside(p) and not allowed(p, m.group(1)):
            print('outside %s: %s' % (root, line))
            bad += 1
            break
sys.exit(1 if bad else 0)
EOF
}

@test "--root: strace sees no file outside DIR opened, created or looked at" {
	command -v strace >/dev/null || skip "strace is not installed (Debian: strace)"
	command -v python3 >/dev/null || skip "python3 is needed to read strace's log"
	strace -f -qq -e trace=none true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
	local data=$SRCDIR/tests/data/compat t=$BATS_TEST_TMPDIR/trace n=0 log
	mkdir -p "$IMG/in"
	cp "$data/record-example.json" "$data/inventory-example.json" "$IMG/in/"
	printf '%s' "$(def_json "$T_MTTY1" auto)" >"$IMG/in/dev.json"
	mkdir -p "$IMG/etc/mdevctl/compat.d" "$IMG/usr/lib/mdevctl/compat.d"
	local -a cmds=(
		"define -u $U1 -p $P_MTTY -t $T_MTTY2"
		"define -p $P_GVT -t $T_GVT4 --auto"
		"define -u $U2 -p $P_AP --jsonfile $IMG/in/dev.json"
		"modify -u $U1 --addattr a --value 1"
		"modify -u $U1 -p $P_MTTY --jsonfile $IMG/in/dev.json"
		"list -d"
		"list -d -v --dumpjson"
		"list -d -u $U1 -p $P_MTTY"
		"compat check --from $IMG/in/record-example.json --inventory $IMG/in/inventory-example.json"
		"compat traits --from $IMG/in/record-example.json"
		"compat traits --inventory $IMG/in/inventory-example.json"
		"undefine -u $U1"
		"undefine -u $U2 -p $P_AP"
		"start -u $U_MTTY"
	)
	local c
	for c in "${cmds[@]}"; do
		n=$((n + 1))
		log=$t.$n
		# shellcheck disable=SC2086
		# (LeakSanitizer cannot run under ptrace: a sanitizer build checks no leak here)
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			run --separate-stderr sh -c 'cd "$1" && shift && exec strace -f -y -qq -e trace=%file "$@"' \
			sh "$IMG" -o "$log" "$MDEVCTL" --root "$IMG" $c
		# start refuses (2); the check finds this pair of documents incompatible (3)
		case $c in
		start*) assert_usage_error ;;
		"compat check"*) assert_equal "$status" 3 ;;
		*) [ "$status" -eq 0 ] || fail "mdevctl --root $c: status $status: $stderr" ;;
		esac
		grep -q 'openat2(' "$log" || fail "mdevctl --root $c: no openat2 in the trace: $(head -50 "$log")"
		run check_trace "$log" "$IMG"
		[ "$status" -eq 0 ] || fail "mdevctl --root $c: $output"
	done
	# the check itself sees a file outside DIR: the same command without --root
	(cd "$IMG" && ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -y -qq -e trace=%file -o "$t.host" "$MDEVCTL" list -d) >/dev/null
	run check_trace "$t.host" "$IMG"
	assert_failure
	assert_output --partial "$ETC"
}

@test "--root: the real /etc/mdevctl.d bound read-only is not written, nor needed" {
	[ "$(id -u)" = 0 ] || skip "bind mounts need root"
	[ -d /etc/mdevctl.d ] || skip "this system has no /etc/mdevctl.d to bind"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace (unshare -m)"
	local before
	before=$(find /etc/mdevctl.d -printf '%p %s %T@\n' | sort | md5sum)
	# without MDEVCTL_ENV_ROOT: this is the real system, with its real /etc/mdevctl.d read-only
	# and an image that has no installation at all (no scripts directories)
	run --separate-stderr env -u MDEVCTL_ENV_ROOT unshare -m sh -c '
		mount --bind /etc/mdevctl.d /etc/mdevctl.d &&
		mount -o remount,bind,ro /etc/mdevctl.d /etc/mdevctl.d || exit 99
		"$1" --root "$2" define -u "$3" -p mtty -t mtty-2 &&
		"$1" --root "$2" modify -u "$3" --auto &&
		"$1" --root "$2" list -d &&
		"$1" --root "$2" undefine -u "$3" &&
		"$1" --root "$2" define -u "$3" -p mtty -t mtty-1 &&
		"$1" --root "$2" list -d --dumpjson' sh "$MDEVCTL" "$IMG" "$U1"
	[ "$status" -ne 99 ] || skip "cannot bind /etc/mdevctl.d read-only here"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${lines[0]}" "$U1 mtty mtty-2 auto"
	assert_bytes "$IETC/mtty/$U1" "$(def_json mtty-1 manual)"
	assert_equal "$(find /etc/mdevctl.d -printf '%p %s %T@\n' | sort | md5sum)" "$before"
}
