#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh BUILDDIR [--quick] [--runs N] [--out FILE]
#
# The benchmarks of issue 7 (what `make bench` runs): BUILDDIR's src/mdevctl against Debian's
# /usr/bin/mdevctl on generated hosts, plus the compatibility matcher's throughput; a markdown
# report on stdout (and in FILE with --out). BENCH_QUICK=1 is --quick: tiny sizes and one run
# each, every scenario and check still exercised (CI runs it to keep the scripts working; no
# time is asserted anywhere). The work is bench.py's, started here in a private mount namespace
# (unshare -m) because it binds the generated trees over /sys and /etc/mdevctl.d: Debian's
# binary cannot be pointed anywhere else. Nothing outside that namespace is touched but a
# temporary directory, removed at the end.
# Needs root, unshare, python3, strace, FUSE (mdev-sim, fusermount3) and Debian's mdevctl
# (`tools/deps.sh test` installs them), and BUILDDIR's src/mdevctl, bench/bench-compat and
# tests/sim/mdev-sim (`make bench` builds them).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [--quick] [--runs N] [--out FILE]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (mount namespace, FUSE)" >&2; exit 1; }

for c in unshare python3 strace fusermount3; do
	command -v "$c" >/dev/null ||
		{ echo "run.sh: $c is missing (sh tools/deps.sh test installs it)" >&2; exit 1; }
done
upstream=${MDEVCTL_UPSTREAM:-/usr/bin/mdevctl}
if [ ! -x "$upstream" ]; then
	echo "run.sh: Debian's mdevctl ($upstream) is missing (sh tools/deps.sh test installs it)" >&2
	exit 1
fi
if [ ! -c /dev/fuse ]; then
	echo "run.sh: no /dev/fuse: the simulated host cannot be mounted" >&2
	exit 1
fi
for f in src/mdevctl bench/bench-compat bench/bench-run tests/sim/mdev-sim; do
	[ -x "$build/$f" ] || { echo "run.sh: $build/$f is not built (make bench builds it)" >&2; exit 1; }
done

quick=
case ${BENCH_QUICK:-0} in 0 | "") ;; *) quick=--quick ;; esac
srcdir=$(cd "$here/.." && pwd)
# where git cannot tell the revision (a release tarball, no git installed), the report gives this
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$build/config.h" 2>/dev/null || true)
exec unshare -m --propagation private python3 "$here/bench.py" \
	--mdevctl "$build/src/mdevctl" --upstream "$upstream" --sim "$build/tests/sim/mdev-sim" \
	--bench-compat "$build/bench/bench-compat" --bench-run "$build/bench/bench-run" \
	--srcdir "$srcdir" --source-version "$version" \
	--command "$0 $build${quick:+ $quick}${*:+ $*}" $quick "$@"
