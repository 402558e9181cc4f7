#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a distribution package ships, checked against the program itself: every option of every
# command is in the bash completions and in the man page, the completions offer the host's
# UUIDs, parents and types, the man pages pass groff's warnings, and `make install DESTDIR=`
# lays out exactly the expected files.

load helpers

COMPLETIONS=$SRCDIR/completions/mdevctl.bash
# command (as `mdevctl ... --help` takes it) and its name in the completions' option table
COMMANDS=(
	"define:define" "undefine:undefine" "modify:modify" "start:start" "stop:stop"
	"list:list" "types:types" "compat show:compat-show" "compat inventory:compat-inventory"
	"compat check:compat-check" "compat traits:compat-traits"
	"create-compatible:create-compatible" "monitor:monitor"
)

# Every test runs rerooted: even --help needs the installation's directories (as upstream, the
# program checks them before it parses), and the host running the tests may have none.
setup() {
	mkempty
}

# help_options CMD...: the long options `mdevctl CMD --help` lists, sorted
help_options() {
	"$MDEVCTL" "$@" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort
}

@test "packaging: the completions know every option of every command, and no other" {
	# shellcheck source=/dev/null
	source "$COMPLETIONS"
	local entry cmd name
	for entry in "${COMMANDS[@]}"; do
		cmd=${entry%%:*} name=${entry#*:}
		# shellcheck disable=SC2086 # "compat show" is two words
		assert_equal "$(_mdevctl_opts "$name" | cut -d' ' -f1 | sort)" "$(help_options $cmd)"
	done
}

@test "packaging: mdevctl(8) documents every option of every command" {
	local entry cmd o missing=''
	for entry in "${COMMANDS[@]}"; do
		cmd=${entry%%:*}
		# shellcheck disable=SC2086
		for o in $(help_options $cmd); do
			case $o in --help | --version) continue ;; esac
			# roff spells every '-' of an option as '\-'
			grep -qF -- "${o//-/\\-}" "$SRCDIR/man/mdevctl.8.in" || missing+=" $cmd $o;"
		done
	done
	[ -z "$missing" ] || fail "not in man/mdevctl.8.in:$missing"
}

@test "packaging: lsmdev(8) documents every option of lsmdev" {
	local o missing=''
	for o in $("$LSMDEV" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
		grep -qF -- "${o//-/\\-}" "$SRCDIR/man/lsmdev.8" || missing+=" $o"
	done
	[ -z "$missing" ] || fail "not in man/lsmdev.8:$missing"
}

@test "packaging: the man pages pass groff's warnings" {
	command -v groff >/dev/null || skip "groff is not installed (Debian: groff-base, which man-db needs)"
	local page out
	for page in man/mdevctl.8.in man/mdevctl-compat.5 man/lsmdev.8; do
		out=$(sed -e 's|@sbindir@|/usr/sbin|g' -e 's|@PACKAGE_VERSION@|1|g' \
			-e 's|@scriptdir@|/usr/lib/mdevctl/scripts.d|g' "$SRCDIR/$page" |
			groff -man -t -ww -z 2>&1)
		[ -z "$out" ] || fail "$page: $out"
	done
}

# complete WORD...: COMPREPLY of the completion for the line "WORD... " (a last empty word)
complete_line() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -sf "$MDEVCTL" "$BATS_TEST_TMPDIR/bin/mdevctl"
	# shellcheck source=/dev/null
	source "$COMPLETIONS"
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	PATH=$BATS_TEST_TMPDIR/bin:$PATH _mdevctl
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "packaging: the completions offer this host's UUIDs, parents and types" {
	mkhost
	assert_equal "$(complete_line mdevctl start -p '' | sort)" "$(printf '%s\n' "$P_GVT" "$P_AP" "$P_MTTY" | sort)"
	assert_equal "$(complete_line mdevctl start -p mtty -t '' | sort)" "$(printf '%s\n' "$T_MTTY1" "$T_MTTY2")"
	assert_equal "$(complete_line mdevctl stop -u '' | sort)" \
		"$(printf '%s\n' "$U_GVT4" "$U_GVT8" "$U_AP" "$U_MTTY" | sort)"
	assert_equal "$(complete_line mdevctl create-compatible --policy '' | sort)" \
		"$(printf '%s\n' first-fit pack spread)"
	assert_equal "$(complete_line mdevctl compat '' | sort)" \
		"$(printf '%s\n' check inventory show traits)"
	assert_equal "$(complete_line mdevctl help compat '' | sort)" \
		"$(printf '%s\n' check inventory show traits)"
	assert_equal "$(complete_line mdevctl help list '')" ""
	complete_line mdevctl '' | grep -qx create-compatible || fail "no create-compatible"
	complete_line mdevctl '' | grep -qx monitor || fail "no monitor"
	assert_equal "$(complete_line mdevctl monitor --what '' | sort)" \
		"$(printf '%s\n' definition device parent)"
}

@test "packaging: under --root, the completions offer the image's names" {
	mkhost
	local img=$BATS_TEST_TMPDIR/image
	mkdir -p "$img"
	"$MDEVCTL" --root "$img" define -u "$U1" -p imgparent -t imgtype || fail "define"
	assert_equal "$(complete_line mdevctl --root "$img" undefine -u '')" "$U1"
	assert_equal "$(complete_line mdevctl define --root="$img" -p '')" imgparent
	assert_equal "$(complete_line mdevctl --root "$img" define -p imgparent -t '')" imgtype
	# without --root, this system's
	complete_line mdevctl undefine -u '' | grep -qx "$U_MTTY" || fail "no $U_MTTY"
	complete_line mdevctl undefine -u '' | grep -qx "$U1" && fail "$U1 offered without --root"
	# --root takes a directory
	mkdir -p "$BATS_TEST_TMPDIR/dirs/sub"
	: >"$BATS_TEST_TMPDIR/dirs/file"
	assert_equal "$(complete_line mdevctl --root "$BATS_TEST_TMPDIR/dirs/")" "$BATS_TEST_TMPDIR/dirs/sub"
}

@test "packaging: make install DESTDIR= lays out exactly the expected files" {
	[ -n "${MDEVCTL_TEST_INSTALL:-}" ] ||
		skip "set MDEVCTL_TEST_INSTALL=1 (make check does) to configure and install a package tree"
	local b=$BATS_TEST_TMPDIR/build d=$BATS_TEST_TMPDIR/dest
	mkdir -p "$b"
	(cd "$b" && "$SRCDIR/configure" -q --prefix=/usr --sysconfdir=/etc \
		--with-udevdir=/usr/lib/udev \
		--with-bashcompletiondir=/usr/share/bash-completion/completions &&
		make -s -j2 && make -s install DESTDIR="$d") >"$BATS_TEST_TMPDIR/log" 2>&1 ||
		fail "build or install failed: $(tail -20 "$BATS_TEST_TMPDIR/log")"
	(cd "$d" && find . -mindepth 1 \( -type l -printf '%p -> %l\n' \) -o \( -type d -printf '%p/\n' \) \
		-o -printf '%p %m\n' | sed 's|^\./|/|' | LC_ALL=C sort) >"$BATS_TEST_TMPDIR/installed"
	diff -u "$SRCDIR/tests/packaging/installed-files.txt" "$BATS_TEST_TMPDIR/installed" ||
		fail "the installed tree differs from tests/packaging/installed-files.txt"
}
