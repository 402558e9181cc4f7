#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite from a clean checkout: install what it needs, build with warnings as
# errors, run the unit, CLI, simulator and differential tests (make check), the benchmark's
# quick mode (make bench BENCH_QUICK=1), make distcheck
# (the tarball, and the tests again from a read-only source tree) (these three with a PATH in
# which git cannot be found: nothing may need it), libvirtd driving the
# installed mdevctl (make check-libvirt), then the real-kernel test in QEMU (make check-e2e;
# E2E=0 leaves it out). Run it as root: the simulated host is a FUSE mount, the libvirt test
# needs a mount namespace and the kernel test installs QEMU.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	exec sudo sh "$0" "$@"
fi
"$src/tools/deps.sh" test

build=${BUILD_DIR:-$src/build-check}
# A PATH without git: links to every other command of PATH. A release tarball has no .git and a
# fresh root no git, so nothing of the suite may need it (issue 19).
nogit=$(mktemp -d)
trap 'rm -rf "$nogit"' EXIT
(
	IFS=:
	for d in $PATH; do
		for f in "$d"/*; do
			n=${f##*/}
			[ "$n" != git ] && [ -f "$f" ] && [ -x "$f" ] && [ ! -e "$nogit/$n" ] &&
				ln -s "$f" "$nogit/$n"
		done
	done
	true
)
cd "$src"
./autogen.sh >/dev/null 2>&1
rm -rf "$build"
mkdir -p "$build"
cd "$build"
"$src/configure" -q --enable-werror
make -j"$(nproc)"
PATH=$nogit make -j"$(nproc)" check ||
	{ cat tests/*.log tests/*/*.log 2>/dev/null | grep -v '^ok ' | tail -200; exit 1; }
# The benchmark's quick mode: keeps bench/ working (every scenario and output check, tiny sizes);
# no time is asserted.
PATH=$nogit make bench BENCH_QUICK=1 >bench.log 2>&1 || { cat bench.log; exit 1; }
echo "make bench (quick): ok"
PATH=$nogit make -j"$(nproc)" distcheck >distcheck.log 2>&1 || { tail -100 distcheck.log; exit 1; }
echo "make distcheck: ok"
make check-libvirt >libvirt.log 2>&1 || { cat libvirt.log; exit 1; }
grep -E '^(ok|not ok|1\.\.)' libvirt.log
echo "make check-libvirt: ok"
# Memory checks (issue 8): the unit tests and fuzz corpora under valgrind, each fuzz target
# for FUZZ_TIME seconds (default 20), and everything of make check again in a second build
# with ASan and UBSan (its own tree: valgrind and distcheck need the plain one), that run with
# TMPDIR on a tmpfs of its own (Debian 13's /tmp is one; a directory's size there counts its
# entries), in a private mount namespace.
make check-valgrind >valgrind.log 2>&1 || { grep -v '^PASS' valgrind.log | tail -150; exit 1; }
echo "make check-valgrind: ok"
make -j"$(nproc)" fuzz FUZZ_TIME="${FUZZ_TIME:-20}" >fuzz.log 2>&1 || { tail -60 fuzz.log; exit 1; }
grep '^fuzz-' fuzz.log
san=$build-san
rm -rf "$san"
mkdir -p "$san"
(
	cd "$san"
	"$src/configure" -q --enable-werror --enable-sanitizers
	make -j"$(nproc)" >/dev/null
	mkdir -p tmpfs
	unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=1777 tmpfs tmpfs &&
		TMPDIR=$PWD/tmpfs make -j"$(nproc)" check' >check.log 2>&1 ||
		{ cat tests/*.log tests/*/*.log 2>/dev/null | grep -v '^ok ' | tail -200; exit 1; }
)
echo "make check with ASan and UBSan, TMPDIR on a tmpfs: ok"
if [ "${E2E:-1}" != 0 ]; then
	make check-e2e >e2e.log 2>&1 || { tail -150 e2e.log; exit 1; }
	tail -8 e2e.log
fi

# One closing line that any CI reader understands.
# The plain build's and the sanitizer build's make check, and make check-valgrind.
count() {
	sed -n "s/^# $1: *//p" test-suite.log "$san/test-suite.log" valgrind-suite.log |
		awk '{ n += $1 } END { print n }'
}
pass=$(count PASS)
fail=$(count FAIL)
err=$(count ERROR)
echo "$pass passed, $((fail + err)) failed"
