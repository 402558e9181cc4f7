#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite from a clean checkout: install what it needs, build with warnings as
# errors, run the unit, CLI, simulator and differential tests (make check, as root), the
# benchmark's quick mode (make bench BENCH_QUICK=1), make check again as a normal user the way a
# Debian build daemon runs it (in-tree, from the tarball; what needs root or FUSE skips), make
# distcheck as that user (the tarball, and the tests again from a read-only source tree) (these
# four with a PATH in which git cannot be found: nothing may need it), the Debian package built,
# linted and installed in a fresh Debian 12 root (make check-deb), libvirtd driving the
# installed mdevctl (make check-libvirt), the memory checks, then the real-kernel test in QEMU
# (make check-e2e; E2E=0 leaves it out). Run it as root: the simulated host is a FUSE mount, the
# libvirt test needs a mount namespace, the package test a chroot and the kernel test installs
# QEMU. The normal user is "builder" (made if missing).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	exec sudo sh "$0" "$@"
fi
"$src/tools/deps.sh" test

build=${BUILD_DIR:-$src/build-check}
# A PATH without git: links to every other command of PATH. A release tarball has no .git and a
# fresh root no git, so nothing of the suite may need it (issue 19).
# nogit_path DIR DIRS: fill DIR with links to every command of the colon-separated DIRS but git
nogit_path() {
	(
		IFS=:
		for d in $2; do
			for f in "$d"/*; do
				n=${f##*/}
				[ "$n" != git ] && [ -f "$f" ] && [ -x "$f" ] && [ ! -e "$1/$n" ] &&
					ln -s "$f" "$1/$n"
			done
		done
		true
	)
}
nogit=$(mktemp -d)
# the normal user's: from the system's directories only, as root's may hold what only root
# can run (a python under /root, say)
usernogit=$(mktemp -d)
trap 'rm -rf "$nogit" "$usernogit"' EXIT
nogit_path "$nogit" "$PATH"
nogit_path "$usernogit" /usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
chmod 755 "$usernogit"
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
# As a normal user, from the tarball, as a build daemon does: ./configure && make check in
# the unpacked tree, then make distcheck there. Nothing of it may need root.
id builder >/dev/null 2>&1 || useradd -m builder
make dist-xz >dist.log 2>&1 || { cat dist.log; exit 1; }
user=$(mktemp -d /tmp/mdevctl-user.XXXXXX)
chmod 755 "$user"
tar -C "$user" -xf "$(sed -n 's/^PACKAGE_TARNAME = //p' Makefile)-$(sed -n 's/^PACKAGE_VERSION = //p' Makefile).tar.xz"
chown -R builder "$user"
tree=$(echo "$user"/*/)
as_builder() { runuser -u builder -- env HOME="$user" PATH="$usernogit" "$@"; }
(cd "$tree" && as_builder sh -c './configure -q && make -j"$(nproc)" >/dev/null') >user-build.log 2>&1 ||
	{ cat user-build.log; exit 1; }
(cd "$tree" && as_builder make -j"$(nproc)" check >"$build/user-check.log" 2>&1) ||
	{ cat "$tree"/tests/*.log "$tree"/tests/*/*.log 2>/dev/null | grep -v '^ok ' | tail -200; exit 1; }
cp "$tree/test-suite.log" user-suite.log
sed -n 's/^# \(TOTAL\|PASS\|SKIP\|FAIL\|ERROR\): */\1 /p' user-suite.log | tr '\n' ' ' |
	sed 's/^/make check as a normal user: /; s/$/\n/'
(cd "$tree" && as_builder make -j"$(nproc)" distcheck >"$build/distcheck.log" 2>&1) ||
	{ tail -100 distcheck.log; exit 1; }
echo "make distcheck as a normal user: ok"
rm -rf "$user"
# The Debian package: built by the normal user from the tarball (its make check is the one
# just run, so it is not run again), lintian, and the install over Debian's mdevctl in a fresh
# Debian 12 root (debootstrap once, cached in ~/.cache/mdevctl-deb).
t0=$(date +%s)
DEB_BUILD_OPTIONS=nocheck MDEVCTL_BUILD_USER=builder make check-deb >deb.log 2>&1 ||
	{ grep -v '^ok ' deb.log | tail -150; exit 1; }
grep -E '^(not )?ok|^# lintian' deb.log
echo "make check-deb: ok ($(($(date +%s) - t0)) s)"
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
# The plain build's make check (as root and as a normal user), the sanitizer build's, and make
# check-valgrind.
count() {
	sed -n "s/^# $1: *//p" test-suite.log user-suite.log "$san/test-suite.log" valgrind-suite.log |
		awk '{ n += $1 } END { print n }'
}
pass=$(count PASS)
fail=$(count FAIL)
err=$(count ERROR)
echo "$pass passed, $((fail + err)) failed"
