#!/bin/sh
# Build mdevctl and show it at work on the bundled example host (examples/mkhost.sh): the
# types the parents offer, the running devices, a new definition, the definitions. Everything
# happens in a temporary tree through MDEVCTL_ENV_ROOT; nothing on this machine is touched
# (apart from installing missing build dependencies).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/tools/deps.sh" build

build=${BUILD_DIR:-$src/build}
if [ ! -x "$build/src/mdevctl" ]; then
	[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null 2>&1)
	mkdir -p "$build"
	(cd "$build" && "$src/configure" -q && make -s -j"$(nproc)") >/dev/null
fi

host=$(mktemp -d)
trap 'rm -rf "$host"' EXIT
"$src/examples/mkhost.sh" "$host"
export MDEVCTL_ENV_ROOT="$host"

run() {
	echo "\$ mdevctl $*"
	"$build/src/mdevctl" "$@"
	echo
}
run types
run list
run define --parent mtty --type mtty-1 --auto
run list --defined
