#!/bin/sh
# The whole test suite from a clean checkout: install what it needs, build with warnings as
# errors, run the unit, CLI, simulator and differential tests (make check), the benchmark's
# quick mode (make bench BENCH_QUICK=1), make distcheck
# (the tarball, and the tests again from a read-only source tree), libvirtd driving the
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
cd "$src"
./autogen.sh >/dev/null 2>&1
rm -rf "$build"
mkdir -p "$build"
cd "$build"
"$src/configure" -q --enable-werror
make -j"$(nproc)"
make -j"$(nproc)" check || { cat tests/*.log tests/*/*.log 2>/dev/null | grep -v '^ok ' | tail -200; exit 1; }
# The benchmark's quick mode: keeps bench/ working (every scenario and output check, tiny sizes);
# no time is asserted.
make bench BENCH_QUICK=1 >bench.log 2>&1 || { cat bench.log; exit 1; }
echo "make bench (quick): ok"
make -j"$(nproc)" distcheck >distcheck.log 2>&1 || { tail -100 distcheck.log; exit 1; }
echo "make distcheck: ok"
make check-libvirt >libvirt.log 2>&1 || { cat libvirt.log; exit 1; }
grep -E '^(ok|not ok|1\.\.)' libvirt.log
echo "make check-libvirt: ok"
if [ "${E2E:-1}" != 0 ]; then
	make check-e2e >e2e.log 2>&1 || { tail -150 e2e.log; exit 1; }
	tail -8 e2e.log
fi

# One closing line that any CI reader understands.
pass=$(sed -n 's/^# PASS: *//p' test-suite.log)
fail=$(sed -n 's/^# FAIL: *//p' test-suite.log)
err=$(sed -n 's/^# ERROR: *//p' test-suite.log)
echo "$pass passed, $((fail + err)) failed"
