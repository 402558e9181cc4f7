#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package, end to end: build the tarball (make dist), build the .deb from it with
# dpkg-buildpackage as a build daemon does (as a normal user, its tests included unless
# DEB_BUILD_OPTIONS says nocheck), check it with lintian (no error allowed), then install it
# with apt in a fresh Debian 12 root that has Debian's own mdevctl 1.2.0, and check there that
# it replaced that package cleanly and that mdevctl, lsmdev, the man pages, the completions and
# the udev rule work. Prints TAP-like "ok"/"not ok" lines; exits non-zero on any failure.
#
#   tests/packaging/deb-install.sh BUILDDIR      (as root: debootstrap, chroot, mounts)
#
# BUILDDIR is a configured build tree (make dist runs there). MDEVCTL_BUILD_USER names the
# normal user that builds the package (default: the user "builder" when it exists, else root).
# The Debian root is made once with debootstrap from the mirror apt uses here and cached as a
# tarball in ~/.cache/mdevctl-deb (MDEVCTL_DEB_CACHE); every run unpacks a fresh copy, in a
# private mount namespace, and removes it afterwards. Nothing on this machine's root changes.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (debootstrap, chroot)" >&2; exit 2; }
builddir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cache=${MDEVCTL_DEB_CACHE:-$HOME/.cache/mdevctl-deb}
user=${MDEVCTL_BUILD_USER:-}
if [ -z "$user" ] && id builder >/dev/null 2>&1; then user=builder; fi
suite=bookworm
start=$(date +%s)

work=$(mktemp -d /tmp/mdevctl-deb.XXXXXX)
listener=
cleanup() {
	[ -z "$listener" ] || kill "$listener" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
chmod 755 "$work"

fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
# check NAME CMD...: ok when CMD succeeds; its output is shown when it does not
check() {
	name=$1
	shift
	if "$@" >"$work/check.out" 2>&1; then ok "$name"; else notok "$name"; sed 's/^/# /' "$work/check.out"; fi
}
elapsed() { echo $(($(date +%s) - start)); }

# --- the tarball and the package ------------------------------------------------------------
make -s -C "$builddir" dist-xz >"$work/dist.log" 2>&1 || { cat "$work/dist.log"; exit 1; }
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$builddir/Makefile")
tarname=$(sed -n 's/^PACKAGE_TARNAME = //p' "$builddir/Makefile")
tar -C "$work" -xf "$builddir/$tarname-$version.tar.xz"
echo "# tarball $tarname-$version.tar.xz, $(elapsed) s"
as_user() {
	if [ -n "$user" ] && [ "$user" != root ]; then
		runuser -u "$user" -- env HOME="$work" "$@"
	else
		"$@"
	fi
}
[ -z "$user" ] || [ "$user" = root ] || chown -R "$user" "$work"
if (cd "$work/$tarname-$version" &&
	as_user env DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=$(nproc)" \
		dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds the package as ${user:-root}"
else
	notok "dpkg-buildpackage -us -uc -b builds the package as ${user:-root}"
	tail -150 "$work/build.log" | sed 's/^/# /'
	exit 1
fi
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$work/build.log" | tail -5 | sed 's/^# /# make check in the package build: /' || true
echo "# package built, $(elapsed) s"
deb=$(ls "$work"/mdevctl-c_*.deb)
changes=$(ls "$work"/mdevctl-c_*.changes)
check "the package is named mdevctl-c, version $version-1" test "$(basename "$deb")" = "mdevctl-c_${version}-1_$(dpkg --print-architecture).deb"
if as_user lintian --fail-on error --display-info "$changes" >"$work/lintian.log" 2>&1; then
	ok "lintian reports no error"
else
	notok "lintian reports no error"
fi
sed 's/^/# lintian: /' "$work/lintian.log"
dpkg-deb -I "$deb" | grep -E '^ (Package|Version|Provides|Conflicts|Replaces|Depends):' | sed 's/^/# /'
echo "# lintian done, $(elapsed) s"

# --- a fresh Debian 12 root with Debian's mdevctl ------------------------------------------
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -m1 '/debian/*$' ||
	sed -n 's/^deb  *\(http[^ ]*\/debian\/*\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
base=$cache/$suite-minbase-mdevctl.tar.gz
if [ ! -s "$base" ]; then
	echo "# making the $suite root with debootstrap from $mirror (once; cached in $base)"
	mkdir -p "$cache"
	debootstrap --variant=minbase --include=mdevctl,man-db,bash-completion "$suite" "$work/base" "$mirror" \
		>"$work/debootstrap.log" 2>&1 || { tail -40 "$work/debootstrap.log"; exit 1; }
	rm -rf "$work/base/var/cache/apt/archives/"*.deb
	tar -C "$work/base" -czf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf "$work/base"
fi
root=$work/root
mkdir -p "$root"
tar -C "$root" -xzf "$base"
echo "# fresh root from $base, $(elapsed) s"
cp "$deb" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# A syslog socket in the root that records what logger sends: the udev rule's check.
rm -f "$root/dev/log"
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
open(sys.argv[2] + ".ready", "w").close()
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(65536).decode("utf-8", "replace").replace("\n", " ") + "\n")
        f.flush()
' "$root/dev/log" "$work/syslog" &
listener=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$work/syslog.ready" ] && break; sleep 0.2; done

# in_root CMD...: run CMD in the root, with /proc and /sys mounted in a private namespace
in_root() {
	unshare --mount --pid --fork -- sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" && mount -t sysfs -o ro sysfs "$root/sys" &&
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"
	' in_root "$root" "$@"
}
check "Debian's mdevctl 1.2.0 is installed in the fresh root" in_root sh -c 'dpkg-query -W mdevctl | grep -q "	1\.2\.0"'
check "apt install ./mdevctl-c_*.deb replaces it" in_root sh -c \
	'cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ./mdevctl-c_*.deb'
check "Debian's mdevctl is gone, mdevctl-c is installed" in_root sh -c \
	'! dpkg-query -W -f "\${Status}" mdevctl 2>/dev/null | grep -q "ok installed" &&
	 dpkg-query -W -f "\${Status}" mdevctl-c | grep -q "install ok installed"'
check "mdevctl-c owns the files Debian's package had: /usr/bin/mdevctl, /usr/bin/lsmdev, the udev rule" \
	in_root sh -c 'for f in /usr/bin/mdevctl /usr/bin/lsmdev /lib/udev/rules.d/60-mdevctl.rules \
		/usr/share/man/man8/mdevctl.8.gz /usr/share/bash-completion/completions/mdevctl; do
		test -e "$f" && dpkg -S "$f" | grep -q "^mdevctl-c: " || { echo "$f"; exit 1; }; done'
check "mdevctl --version: mdevctl $version" in_root sh -c "test \"\$(mdevctl --version)\" = 'mdevctl $version'"
check "lsmdev -V: lsmdev $version" in_root sh -c "test \"\$(lsmdev -V)\" = 'lsmdev $version'"
check "lsmdev and mdevctl types run (no mdev parent on this host: empty)" in_root sh -c \
	'lsmdev && lsmdev -d && mdevctl types && test -z "$(lsmdev; lsmdev -d)"'
check "mdevctl define and list -d in the root" in_root sh -c \
	'mdevctl define -u f1f1f1f1-0000-4000-8000-000000000001 -p mtty -t mtty-9 --auto &&
	 test "$(mdevctl list -d)" = "f1f1f1f1-0000-4000-8000-000000000001 mtty mtty-9 auto"'
for page in 8:mdevctl 8:lsmdev 5:mdevctl-compat; do
	check "man ${page#*:}(${page%%:*}) renders, with the version in its footer" in_root sh -c \
		"MANWIDTH=80 man ${page%%:*} ${page#*:} 2>&1 | tail -n 1 | grep -q 'mdevctl $version'"
done
check "the bash completion registers mdevctl and lsmdev" in_root bash -c \
	'. /usr/share/bash-completion/completions/mdevctl && complete -p mdevctl && complete -p lsmdev'
check "the zsh and fish completions are installed" in_root sh -c \
	'test -s /usr/share/zsh/vendor-completions/_mdevctl &&
	 test -s /usr/share/fish/vendor_completions.d/mdevctl.fish &&
	 test -s /usr/share/fish/vendor_completions.d/lsmdev.fish'
check "the udev rule runs /usr/bin/mdevctl" grep -q '/usr/bin/mdevctl start-parent-mdevs' "$root/lib/udev/rules.d/60-mdevctl.rules"
# The rule's command as udev would run it for a parent "mtty" that has an auto definition
# (made above) but is not on this host: the failure goes to syslog at user.crit (<10>).
prog=$(python3 - "$root/lib/udev/rules.d/60-mdevctl.rules" <<'EOF'
import re, shlex, sys
for line in open(sys.argv[1]):
    m = re.search(r'RUN\+="((?:[^"\\]|\\.)*)"', line)
    if m:
        cmd = m.group(1).replace('\\"', '"').replace("$$", "$")
        argv = shlex.split(cmd)
        assert argv[:2] == ["/bin/sh", "-c"] and argv[3:] == ["mdevctl-udev", "%k"], argv
        print(argv[2])
        break
EOF
)
check "the udev rule's command, run for a parent with a definition, exits 0" in_root /bin/sh -c "$prog" mdevctl-udev mtty
sleep 0.5
check "its failure is logged at user.crit (priority 2), as upstream's rule does" \
	grep -E "^<10>.*mdevctl.*Unable to find parent device 'mtty'" "$work/syslog"
sed 's/^/# syslog: /' "$work/syslog"
check "apt remove mdevctl-c removes the program" in_root sh -c \
	'DEBIAN_FRONTEND=noninteractive apt-get remove -y mdevctl-c && ! test -e /usr/bin/mdevctl'

echo "1..$n"
echo "# $(elapsed) s in all"
[ "$fails" -eq 0 ]
