#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian packages that building and testing mdevctl need, if they are missing.
#   tools/deps.sh build   compiler, autotools and the libraries
#   tools/deps.sh test    the above, plus bats (with bats-assert, bats-support), FUSE for the
#                         simulated host, jq, python3 (with jsonschema), groff for the man
#                         page lint, strace (system calls of list), Debian's own mdevctl for the
#                         differential test, libvirt's daemon and virsh for the libvirt test,
#                         clang with libFuzzer and the sanitizer runtimes (make fuzz; llvm-14
#                         for llvm-symbolizer), valgrind (make check-valgrind), mandoc, zsh and
#                         fish (the man page lint and the completions' tests), and what
#                         building and installing the Debian package takes (make check-deb:
#                         debhelper, lintian, debootstrap) and the RPM (rpm)
# Runs apt-get through sudo when not root. Does nothing when everything is installed.
set -eu

build="build-essential autoconf automake pkg-config libjansson-dev uuid-dev libudev-dev libfuse3-dev"
test="$build clang libclang-rt-14-dev llvm-14 valgrind bats bats-assert bats-support libfuse3-dev fuse3 jq python3 python3-jsonschema groff-base strace mdevctl libvirt-daemon libvirt-clients mandoc zsh fish rpm debhelper dpkg-dev fakeroot lintian debootstrap udev"
case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "Installing:$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
