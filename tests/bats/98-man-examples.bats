#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replay the examples of the man page (man/examples.txt) on the host of examples/mkhost.sh.
#
# Format of man/examples.txt: blocks of
#   $ mdevctl ARGS        (or: $ lsmdev ARGS)
#   <exact stdout, one line per line>
# separated by one blank line. Output of --dumpjson commands ends without a newline (1.4.0),
# text output ends with the newline of its last line, an empty block means no output at all.
# The blocks run in order on one host tree, so examples may build on each other.

load helpers

EXAMPLES=$SRCDIR/man/examples.txt

setup() {
	mkhost
}

# run_block CMDLINE EXPECTED-FILE: run one example, compare, print a report on mismatch
run_block() {
	local cmdline=$1 expected=$2 prog
	eval "set -- $cmdline"
	prog=$1
	shift
	case $prog in
	mdevctl) "$MDEVCTL" "$@" >"$BATS_TEST_TMPDIR/actual" 2>"$BATS_TEST_TMPDIR/stderr" ;;
	lsmdev) "$LSMDEV" "$@" >"$BATS_TEST_TMPDIR/actual" 2>"$BATS_TEST_TMPDIR/stderr" ;;
	*)
		echo "example '\$ $cmdline': unknown program '$prog'"
		return 1
		;;
	esac
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "example '\$ $cmdline' exited with $rc: $(cat "$BATS_TEST_TMPDIR/stderr")"
		return 1
	fi
	if ! cmp -s "$expected" "$BATS_TEST_TMPDIR/actual"; then
		echo "example '\$ $cmdline' printed something else:"
		diff -u "$expected" "$BATS_TEST_TMPDIR/actual" || true
		echo "-- expected (last bytes) --"
		tail -c 32 "$expected" | od -c
		echo "-- actual (last bytes) --"
		tail -c 32 "$BATS_TEST_TMPDIR/actual" | od -c
		return 1
	fi
}

@test "man page examples give exactly the documented output" {
	[ -f "$EXAMPLES" ] || skip "man/examples.txt does not exist"
	local -a L
	mapfile -t L <"$EXAMPLES"
	local i=0 j n=${#L[@]} blocks=0 failed=0 cmdline report=$BATS_TEST_TMPDIR/report
	local exp=$BATS_TEST_TMPDIR/expected
	: >"$report"
	while [ "$i" -lt "$n" ]; do
		if [ -z "${L[i]}" ]; then
			i=$((i + 1))
			continue
		fi
		[[ ${L[i]} == '$ '* ]] || fail "examples.txt line $((i + 1)): expected '\$ <command>', got '${L[i]}'"
		cmdline=${L[i]#\$ }
		# the output runs to the next command line
		j=$((i + 1))
		while [ "$j" -lt "$n" ] && [[ ${L[j]} != '$ '* ]]; do j=$((j + 1)); done
		local last=$((j - 1))
		if [ "$j" -lt "$n" ]; then
			# drop the blank separator line
			[ -z "${L[last]}" ] || fail "examples.txt line $((last + 1)): no blank line before the next command"
			last=$((last - 1))
		fi
		while [ "$last" -gt "$i" ] && [ "$j" -ge "$n" ] && [ -z "${L[last]}" ]; do last=$((last - 1)); done
		: >"$exp"
		local k sep=''
		for ((k = i + 1; k <= last; k++)); do
			printf '%s%s' "$sep" "${L[k]}" >>"$exp"
			sep=$'\n'
		done
		if [ "$last" -gt "$i" ] && [[ " $cmdline " != *" --dumpjson "* ]]; then
			printf '\n' >>"$exp"
		fi
		blocks=$((blocks + 1))
		run_block "$cmdline" "$exp" >>"$report" || failed=$((failed + 1))
		i=$j
	done
	[ "$blocks" -gt 0 ] || fail "no examples found in $EXAMPLES"
	[ "$failed" -eq 0 ] || fail "$failed of $blocks examples differ:
$(cat "$report")"
}
