# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# The differential test: run Debian's mdevctl (1.2.0) and ours through the same scripted
# command sequence, each on its own fresh simulated host built from the same description, and
# compare exit status, stdout and the error line of every command, then the definitions
# written and the devices left. Known 1.2-versus-1.4 differences are normalised in
# normalise.py, and only there.
#
# A scenario (scenarios/*.txt) is a list of lines:
#   host FILE                 the host description (tests/sim/hosts/FILE), first line
#   plain                     instead of host: examples/mkhost.sh's host as plain files, the
#                             kind of rerooted tree upstream's own tests and images use
#   sh COMMAND                COMMAND run by sh in each root directory (to change a plain tree)
#   mdevctl ARGS... [< FILE]  a command for both tools; FILE (tests/diff/data/) becomes stdin
#   # ...                     a comment
# Arguments are split on spaces; {data} stands for the data directory. UUIDs a scenario names
# start with zeros so that they sort before the ones the tools generate, whatever those are.

DIFF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# run_scenario NAME: run scenarios/NAME.txt; fails with a readable diff at the first difference
run_scenario() {
	local file=$DIFF_DIR/scenarios/$1.txt line host="" n=0 known plain=0
	local A=$BATS_TEST_TMPDIR/upstream B=$BATS_TEST_TMPDIR/ours W=$BATS_TEST_TMPDIR/work
	mkdir -p "$W"
	known=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' "$file" | sort -u | paste -sd, -)

	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'' | '#'*) continue ;;
		host\ *)
			host=${line#host }
			sim_start "$SIM_HOSTS/$host" "$A" || fail "cannot start the simulated host"
			sim_start "$SIM_HOSTS/$host" "$B" || fail "cannot start the simulated host"
			continue
			;;
		plain)
			host=plain plain=1
			sh "$DIFF_DIR/../../examples/mkhost.sh" "$A" >/dev/null || fail "mkhost.sh failed"
			sh "$DIFF_DIR/../../examples/mkhost.sh" "$B" >/dev/null || fail "mkhost.sh failed"
			continue
			;;
		sh\ *)
			(cd "$A" && sh -c "${line#sh }") || fail "$1.txt: failed: $line"
			(cd "$B" && sh -c "${line#sh }") || fail "$1.txt: failed: $line"
			continue
			;;
		mdevctl\ *) ;;
		*) fail "$1.txt: cannot read line: $line" ;;
		esac
		[ -n "$host" ] || fail "$1.txt: no host line before the first command"
		n=$((n + 1))
		local cmd=${line#mdevctl } input=/dev/null
		if [[ $cmd == *' < '* ]]; then
			input=$DIFF_DIR/data/${cmd##* < }
			cmd=${cmd% < *}
		fi
		cmd=${cmd//\{data\}/$DIFF_DIR/data}
		local -a argv
		read -r -a argv <<<"$cmd"
		local argv_json
		argv_json=$(printf '%s\n' "${argv[@]}" | jq -R . | jq -sc .)

		local urc=0 orc=0
		sim_upstream_mdevctl "$A" "${argv[@]}" <"$input" >"$W/u.out" 2>"$W/u.err" || urc=$?
		MDEVCTL_ENV_ROOT=$B "$MDEVCTL" "${argv[@]}" <"$input" >"$W/o.out" 2>"$W/o.err" || orc=$?
		python3 "$DIFF_DIR/normalise.py" cmd "$known" "$W/u.map" upstream "$argv_json" \
			"$W/u.out" "$W/u.err" "$urc" >"$W/u.norm"
		python3 "$DIFF_DIR/normalise.py" cmd "$known" "$W/o.map" ours "$argv_json" \
			"$W/o.out" "$W/o.err" "$orc" >"$W/o.norm"
		if ! diff -u "$W/u.norm" "$W/o.norm" >"$W/diff"; then
			{
				echo "$1.txt, command $n: mdevctl $cmd"
				echo "--- Debian's mdevctl (normalised) vs +++ ours:"
				cat "$W/diff"
				echo "--- raw stderr, Debian's:"
				cat "$W/u.err"
				echo "--- raw stderr, ours:"
				cat "$W/o.err"
			} | fail
		fi
		echo "# $n: mdevctl $cmd -> $orc" >&3
	done <"$file"

	python3 "$DIFF_DIR/normalise.py" tree "$known" "$W/u.map" "$A/etc/mdevctl.d" >"$W/u.tree"
	python3 "$DIFF_DIR/normalise.py" tree "$known" "$W/o.map" "$B/etc/mdevctl.d" >"$W/o.tree"
	diff -u "$W/u.tree" "$W/o.tree" >"$W/diff" ||
		{ echo "$1.txt: the definitions differ (--- Debian's, +++ ours)"; cat "$W/diff"; } | fail
	if [ $plain = 1 ]; then
		# what was written into the plain tree's files (create, remove, attributes)
		python3 "$DIFF_DIR/normalise.py" files "$known" "$W/u.map" "$A/sys" >"$W/u.dev"
		python3 "$DIFF_DIR/normalise.py" files "$known" "$W/o.map" "$B/sys" >"$W/o.dev"
	else
		sim_state "$A" >"$W/u.state"
		sim_state "$B" >"$W/o.state"
		python3 "$DIFF_DIR/normalise.py" state "$known" "$W/u.map" "$W/u.state" >"$W/u.dev"
		python3 "$DIFF_DIR/normalise.py" state "$known" "$W/o.map" "$W/o.state" >"$W/o.dev"
	fi
	diff -u "$W/u.dev" "$W/o.dev" >"$W/diff" ||
		{ echo "$1.txt: the devices left differ (--- Debian's, +++ ours)"; cat "$W/diff"; } | fail
}
