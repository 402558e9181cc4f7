#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Differential test: Debian's mdevctl 1.2.0 and ours, side by side on simulated hosts, through
# the scenarios in scenarios/. See diff-helpers.bash for how, normalise.py for the known
# differences.

bats_load_library bats-support
bats_load_library bats-assert
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"
load diff-helpers

setup() {
	sim_require
	sim_require_upstream
	command -v jq >/dev/null || skip "jq is not installed (Debian: jq)"
	: "${MDEVCTL:=$BATS_TEST_DIRNAME/../../build/src/mdevctl}"
	export LC_ALL=C
	unset MDEVCTL_LOG
}

teardown() {
	sim_stop_all
}

@test "differential: types and listings on the example host" {
	run_scenario 10-listing
}

@test "differential: transient devices, start and stop" {
	run_scenario 20-start-stop
}

@test "differential: definitions: define, modify, undefine" {
	run_scenario 30-definitions
}

@test "differential: defined devices, attributes and autostart" {
	run_scenario 40-defined-start
}

@test "differential: errors: capacity, duplicates, unknown parents and types" {
	run_scenario 50-errors
}

@test "differential: libvirt's calls" {
	run_scenario 60-libvirt
}

@test "differential: a rerooted tree of plain files: create and remove written, warnings' modules" {
	run_scenario 70-plain-tree
}
