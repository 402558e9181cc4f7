#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The udev rule's commands (60-mdevctl.rules.in), run as udev runs them but with a logger that
# records its priority and each line it is given: mdevctl's stdout goes to the log at notice,
# its stderr (the warning of a failed auto start) at priority 2, where `journalctl -p err`
# shows it; the parent's name is an argument, never shell code. The real kernel boot
# (tests/e2e, boot 2) checks the same through syslog with systemd-udevd.

load helpers

RULE_IN=$SRCDIR/60-mdevctl.rules.in
F1=f1f1f1f1-0000-4000-8000-000000000001

setup() {
	mkhost
	BIN=$BATS_TEST_TMPDIR/bin
	LOG=$BATS_TEST_TMPDIR/log
	mkdir -p "$BIN"
	# logger -t TAG -p PRIORITY: one "PRIORITY TAG: LINE" per line of stdin
	cat >"$BIN/logger" <<-EOF
		#!/bin/sh
		tag=- pri=user.notice
		while [ \$# -gt 0 ]; do
			case \$1 in -t) tag=\$2; shift ;; -p) pri=\$2; shift ;; esac
			shift
		done
		while IFS= read -r line; do echo "\$pri \$tag: \$line"; done >>"$LOG"
	EOF
	chmod +x "$BIN/logger"
	touch "$LOG"
}

# run_rule N PROGRAMDIR KERNEL: the command of the rule's N-th RUN, with udev's substitutions
# ($$ is $, \" is ", %k is the kernel name) and the binary's directory PROGRAMDIR, run as udev
# runs it: split into words (by eval here, as the command has no other shell syntax outside its
# quotes), the kernel name substituted as one word, no shell around it
run_rule() {
	local cmd kname=$3
	cmd=$(grep -o 'RUN+="[^"\\]*\(\\.[^"\\]*\)*"' "$RULE_IN" | sed -n "$1p")
	cmd=${cmd#RUN+=\"}
	cmd=${cmd%\"}
	cmd=${cmd//'\"'/\"}
	cmd=${cmd//'$$'/\$}
	cmd=${cmd//'@sbindir@'/$2}
	cmd=${cmd//'%k'/'"$kname"'}
	[ -n "$cmd" ] || fail "no RUN in $RULE_IN"
	PATH=$BIN:$PATH eval "$cmd"
}

@test "udev rule: both RUN commands are the same" {
	[ "$(grep -c 'RUN+=' "$RULE_IN")" = 2 ]
	local a b
	a=$(grep -o 'RUN+=.*' "$RULE_IN" | sed -n 1p)
	b=$(grep -o 'RUN+=.*' "$RULE_IN" | sed -n 2p)
	assert_equal "$a" "$b"
}

@test "udev rule: a failed auto start's warning is logged at priority 2, nothing at notice" {
	"$MDEVCTL" define -u "$F1" -p "$P_MTTY" -t mtty-9 --auto
	ln -s "$MDEVCTL" "$BIN/mdevctl"
	run run_rule 1 "$BIN" "$P_MTTY"
	assert_success
	assert_output ''
	run cat "$LOG"
	assert_output --regexp "^2 mdevctl: \[[0-9TZ:-]+ WARN  mdevctl\] Parent mtty does not support mdev type mtty-9\$"
	refute_output --partial 'user.notice'
}

@test "udev rule: stdout goes to the log at notice and stderr at priority 2, each line once" {
	# a stand-in for mdevctl that writes to both streams, interleaved
	mkdir -p "$BATS_TEST_TMPDIR/fake"
	cat >"$BATS_TEST_TMPDIR/fake/mdevctl" <<-'EOF'
		#!/bin/sh
		echo "out 1: $1 $2"
		echo "err 1" >&2
		echo "out 2"
		echo "err 2" >&2
		# fd 3 is closed: udev's, and the pipe of the other stream
		if { true >&3; } 2>/dev/null; then echo "fd 3 open" >&2; fi
	EOF
	chmod +x "$BATS_TEST_TMPDIR/fake/mdevctl"
	local rule
	for rule in 1 2; do
		: >"$LOG"
		run run_rule $rule "$BATS_TEST_TMPDIR/fake" "$P_GVT"
		assert_success
		run sort "$LOG"
		assert_output "2 mdevctl: err 1
2 mdevctl: err 2
user.notice mdevctl: out 1: start-parent-mdevs $P_GVT
user.notice mdevctl: out 2"
	done
}

@test "udev rule: the kernel name is an argument, not shell code" {
	mkdir -p "$BATS_TEST_TMPDIR/fake"
	printf '#!/bin/sh\nprintf "%%s\\n" "$2"\n' >"$BATS_TEST_TMPDIR/fake/mdevctl"
	chmod +x "$BATS_TEST_TMPDIR/fake/mdevctl"
	run run_rule 1 "$BATS_TEST_TMPDIR/fake" 'x;touch${IFS}pwned *'
	assert_success
	[ ! -e pwned ] && [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
	run cat "$LOG"
	assert_output 'user.notice mdevctl: x;touch${IFS}pwned *'
}
