#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Nothing needs git: a release tarball has no .git and a fresh root no git. The benchmark's
# report names the source's git revision where git can tell it, else the version configure
# gave (bench/run.sh passes it). CI (tests/run-all.sh) also runs make check and the benchmark's
# quick mode with a PATH that has no git.

load helpers

setup() {
	command -v python3 >/dev/null || skip "python3 is not installed (Debian: python3)"
}

# source_revision PATH SRCDIR: bench.py's account of the source SRCDIR, with configure's version
# 1.2.3, run with that PATH (the interpreter itself by its real path, not a shim that needs one)
source_revision() {
	local py
	py=$(python3 -c 'import sys; print(sys.executable)')
	env PATH="$1" "$py" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bench
print(bench.source_revision(sys.argv[2], "1.2.3"))' "$SRCDIR/bench" "$2"
}

@test "bench: with no git on PATH, the report names configure's version" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	run --separate-stderr source_revision "$BATS_TEST_TMPDIR/empty" "$SRCDIR"
	assert_success
	assert_output "source version 1.2.3 (configure's; no git revision)"
	assert_equal "$stderr" ""
}

@test "bench: a source tree that is no git checkout (a tarball) names configure's version too" {
	command -v git >/dev/null || skip "git is not installed (the test above covers that case)"
	mkdir "$BATS_TEST_TMPDIR/src"
	GIT_CEILING_DIRECTORIES=$BATS_TEST_TMPDIR run --separate-stderr source_revision "$PATH" "$BATS_TEST_TMPDIR/src"
	assert_success
	assert_output "source version 1.2.3 (configure's; no git revision)"
}
