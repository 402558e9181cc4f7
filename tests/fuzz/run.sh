#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run each libFuzzer target for a while (`make fuzz`): run.sh BUILD SEEDS SECONDS TARGET...
# BUILD holds the fuzz-<target> binaries (tests/fuzz/fuzz.mk); SEEDS is tests/fuzz, whose
# <target>/ directories are the seed corpora (read only: new inputs go to BUILD/corpus/<target>,
# kept between runs) and <target>.dict, else json.dict, the dictionary. A crash, a leak, a sanitizer report
# or a timeout makes the target fail; its input is saved as BUILD/artifacts/<target>-crash-...
# and the run goes on with the next target, then exits 1. One line of figures per target.
set -u
build=$1 seeds=$2 secs=$3
shift 3
failed=
mkdir -p "$build/artifacts" "$build/logs"
for t in "$@"; do
	corpus=$build/corpus/$t
	log=$build/logs/$t.log
	mkdir -p "$corpus"
	dict=
	[ -f "$seeds/json.dict" ] && dict=-dict=$seeds/json.dict
	[ -f "$seeds/$t.dict" ] && dict=-dict=$seeds/$t.dict
	# -max_len: definitions, records and rule files of a few KiB reach every rule; longer inputs
	# only slow the search down. Leak checking stays on (libFuzzer's default with ASan).
	"$build/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" $dict \
		"$corpus" "$seeds/$t" >"$log" 2>&1
	rc=$?
	# Figures from libFuzzer's last status line and final stats.
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-$t: FAILED (exit $rc), log $log:" >&2
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|==[0-9]+==' "$log" | head -20 >&2
		failed="$failed $t"
		continue
	fi
	echo "fuzz-$t: ok, ${secs}s, ${execs:-?} execs, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
