#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a distribution package ships, checked against the program itself: every option of every
# command is in the bash, zsh and fish completions and in the man page, the three completions
# offer the host's UUIDs, parents and types, the man pages pass groff's and mandoc's checks and carry
# the version, an installation under a private prefix writes nothing outside it, and `make
# install prefix=/usr DESTDIR=` lays out exactly the expected files.

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

# The generated zsh and fish completions: the build's, or made here by the same generator when
# the tests run outside a build tree.
completion_file() {
	local f=${MDEVCTL_BUILDDIR:-/nonexistent}/completions/$1
	if [ ! -f "$f" ]; then
		f=$BATS_TEST_TMPDIR/$1
		case $1 in
		_mdevctl) bash "$SRCDIR/completions/gen-completions.sh" zsh "$COMPLETIONS" >"$f" ;;
		*.fish) bash "$SRCDIR/completions/gen-completions.sh" fish "$COMPLETIONS" "${1%.fish}" >"$f" ;;
		esac
	fi
	echo "$f"
}

# The long options each shell's completion offers for a table of the bash file, sorted
bash_opts() {
	(
		# shellcheck source=/dev/null
		source "$COMPLETIONS"
		_mdevctl_opts "$1" | cut -d' ' -f1 | sort
	)
}
zsh_opts() { # from the _mdevctl_cmd_NAME function of the zsh file
	local fn=_mdevctl_cmd_${1//-/_}
	sed -n "/^(( \$+functions\[$fn\] ))/,/^}/p" "$(completion_file _mdevctl)" |
		grep -oE -- "--[a-z][a-z-]*" | sort -u
}
fish_opts() { # from the "complete -c PROG -n '__mdevctl_using NAME'" lines of the fish file
	local prog=mdevctl
	[ "$1" != lsmdev ] || prog=lsmdev
	grep -F -- "complete -c $prog -n '__mdevctl_using $1' " "$(completion_file "$prog.fish")" |
		grep -oE -- " -l [a-z][a-z-]*" | sed 's/ -l /--/' | sort -u
}

# compare_opts WHAT EXPECTED ACTUAL: append to $problems what WHAT lacks or has in excess
compare_opts() {
	local lacks extra
	lacks=$(comm -23 <(echo "$2") <(echo "$3") | tr '\n' ' ')
	extra=$(comm -13 <(echo "$2") <(echo "$3") | tr '\n' ' ')
	[ -z "${lacks// /}" ] || problems+="$1 lacks: $lacks"$'\n'
	[ -z "${extra// /}" ] || problems+="$1 has options the program does not: $extra"$'\n'
}

@test "packaging: the bash, zsh and fish completions know every option of every command, and no other" {
	local entry cmd name want problems=''
	for entry in "${COMMANDS[@]}" "lsmdev:lsmdev"; do
		cmd=${entry%%:*} name=${entry#*:}
		if [ "$cmd" = lsmdev ]; then
			want=$("$LSMDEV" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' |
				grep -oE -- '--[a-z-]+' | sort)
		else
			# shellcheck disable=SC2086 # "compat show" is two words
			want=$(help_options $cmd)
		fi
		compare_opts "the bash completion of '$cmd'" "$want" "$(bash_opts "$name")"
		compare_opts "the zsh completion of '$cmd'" "$want" "$(zsh_opts "$name")"
		compare_opts "the fish completion of '$cmd'" "$want" "$(fish_opts "$name")"
	done
	[ -z "$problems" ] || fail "$problems(add options to _mdevctl_opts in completions/mdevctl.bash: zsh and fish are generated from it)"
}

@test "packaging: the three completions offer every command and compat subcommand" {
	local c want problems=''
	want=$(
		# shellcheck source=/dev/null
		source "$COMPLETIONS"
		_mdevctl_commands top
		_mdevctl_commands compat
	)
	for c in define undefine modify start stop list types start-parent-mdevs compat \
		create-compatible show inventory check traits; do
		grep -qx -- "$c" <<<"$want" || problems+="the bash completion lacks the command $c; "
		grep -qw -- "$c" "$(completion_file _mdevctl)" || problems+="zsh lacks $c; "
		grep -qw -- "$c" "$(completion_file mdevctl.fish)" || problems+="fish lacks $c; "
	done
	[ -z "$problems" ] || fail "$problems"
}

@test "packaging: the zsh and fish completions are valid scripts" {
	local ran=0
	if command -v zsh >/dev/null; then
		zsh -n "$(completion_file _mdevctl)" || fail "zsh -n rejects the zsh completion"
		ran=1
	fi
	if command -v fish >/dev/null; then
		fish -n "$(completion_file mdevctl.fish)" || fail "fish -n rejects mdevctl.fish"
		fish -n "$(completion_file lsmdev.fish)" || fail "fish -n rejects lsmdev.fish"
		ran=1
	fi
	[ $ran = 1 ] || skip "neither zsh nor fish is installed"
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

# The man pages as the build makes them: the build's, or made here with the same substitutions
built_page() {
	local f=${MDEVCTL_BUILDDIR:-/nonexistent}/man/$1
	if [ ! -f "$f" ]; then
		f=$BATS_TEST_TMPDIR/$1
		sed -e 's|@sbindir@|/usr/sbin|g' -e "s|@PACKAGE_VERSION@|$("$MDEVCTL" --version | cut -d' ' -f2)|g" \
			-e 's|@scriptdir@|/usr/lib/mdevctl/scripts.d|g' \
			-e 's|@compatdir@|/usr/lib/mdevctl/compat.d|g' \
			-e 's|@udevrulesdir@|/usr/lib/udev/rules.d|g' \
			-e 's|@schemadir@|/usr/share/mdevctl/schemas|g' "$SRCDIR/man/$1.in" >"$f"
	fi
	echo "$f"
}
PAGES=(mdevctl.8 lsmdev.8 mdevctl-compat.5)

@test "packaging: lsmdev(8) documents every option of lsmdev" {
	local o missing=''
	for o in $("$LSMDEV" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
		grep -qF -- "${o//-/\\-}" "$SRCDIR/man/lsmdev.8.in" || missing+=" $o"
	done
	[ -z "$missing" ] || fail "not in man/lsmdev.8.in:$missing"
}

@test "packaging: the man pages pass groff's warnings" {
	command -v groff >/dev/null || skip "groff is not installed (Debian: groff-base, which man-db needs)"
	local page out
	for page in "${PAGES[@]}"; do
		out=$(groff -man -t -ww -z "$(built_page "$page")" 2>&1)
		[ -z "$out" ] || fail "$page: $out"
	done
}

@test "packaging: the man pages pass mandoc -Tlint (warnings and worse)" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (Debian: mandoc)"
	local page out
	for page in "${PAGES[@]}"; do
		out=$(mandoc -Tlint -W warning -man "$(built_page "$page")" 2>&1)
		[ -z "$out" ] || fail "$page: $out"
	done
}

@test "packaging: every man page's footer carries the version, and no placeholder is left" {
	local page version th
	version=$("$MDEVCTL" --version | cut -d' ' -f2)
	for page in "${PAGES[@]}"; do
		th=$(grep '^\.TH ' "$(built_page "$page")")
		[[ $th == *"\"mdevctl $version\""* ]] || fail "$page: no \"mdevctl $version\" in: $th"
		! grep -n '@[a-zA-Z_]*@' "$(built_page "$page")" || fail "$page: a placeholder is left"
	done
}

@test "packaging: the FILES sections name the configured directories" {
	[ -n "${MDEVCTL_BUILDDIR:-}" ] || skip "needs the build tree (make check sets MDEVCTL_BUILDDIR)"
	local mk=$MDEVCTL_BUILDDIR/Makefile udevdir scriptdir compatdir
	udevdir=$(sed -n 's/^udevdir = //p' "$mk")
	scriptdir=$(sed -n 's/^scriptdir = //p' "$mk")
	compatdir=$(sed -n 's/^compatdir = //p' "$mk")
	[[ $udevdir != *'$'* && $scriptdir != *'$'* && $compatdir != *'$'* ]] ||
		skip "this build's directories are relative to the prefix ($udevdir)"
	local files
	files=$(sed -n '/^\.SH FILES/,/^\.SH /p' "$(built_page mdevctl.8)")
	grep -qF -- "$udevdir/rules.d/60\-mdevctl.rules" <<<"$files" || fail "no $udevdir/rules.d in mdevctl(8): $files"
	grep -qF -- "$scriptdir/callouts" <<<"$files" || fail "no $scriptdir in mdevctl(8)"
	grep -qF -- "$compatdir/" <<<"$files" || fail "no $compatdir in mdevctl(8)"
	files=$(sed -n '/^\.SH FILES/,/^\.SH /p' "$(built_page mdevctl-compat.5)")
	grep -qF -- "$compatdir/" <<<"$files" || fail "no $compatdir in mdevctl-compat(5)"
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

# fish_complete LINE...: for each LINE, "@@ LINE" and the candidates fish's completion offers
fish_complete() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -sf "$MDEVCTL" "$BATS_TEST_TMPDIR/bin/mdevctl"
	ln -sf "$MDEVCTL" "$BATS_TEST_TMPDIR/bin/lsmdev"
	HOME=$BATS_TEST_TMPDIR PATH=$BATS_TEST_TMPDIR/bin:$PATH fish --no-config -c '
		source $argv[1]; source $argv[2]
		for l in $argv[3..-1]; echo "@@ $l"; complete -C $l | cut -f1; end
	' "$(completion_file mdevctl.fish)" "$(completion_file lsmdev.fish)" "$@"
}

# zsh_complete LINE...: for each LINE, "@@ LINE" and the candidates zsh's completion offers
zsh_complete() {
	mkdir -p "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/zfunc"
	ln -sf "$MDEVCTL" "$BATS_TEST_TMPDIR/bin/mdevctl"
	cp "$(completion_file _mdevctl)" "$BATS_TEST_TMPDIR/zfunc/_mdevctl"
	HOME=$BATS_TEST_TMPDIR TMPDIR=$BATS_TEST_TMPDIR PATH=$BATS_TEST_TMPDIR/bin:$PATH \
		timeout 60 zsh -f "$SRCDIR/tests/packaging/zsh-complete.zsh" "$BATS_TEST_TMPDIR/zfunc" "$@"
}

# offers_host_names COMPLETER: COMPLETER (fish_complete, zsh_complete) offers on the example
# host, and under --root in an image, what the bash completion offers there
offers_host_names() {
	local parents i got img=$BATS_TEST_TMPDIR/image
	mkdir -p "$img"
	"$MDEVCTL" --root "$img" define -u "$U1" -p imgparent -t imgtype || fail "define in the image"
	parents=$(printf '%s\n' "$P_GVT" "$P_AP" "$P_MTTY" | LC_ALL=C sort)
	local -a lines=('mdevctl start -p ' 'mdevctl start -p mtty -t ' 'mdevctl stop -u '
		'mdevctl create-compatible --policy ' 'mdevctl compat ' 'mdevctl ' 'lsmdev --'
		'mdevctl start-parent-mdevs ' 'mdevctl monitor --what '
		"mdevctl --root $img undefine -u " "mdevctl define --root=$img -p "
		"mdevctl --root $img define -p imgparent -t ")
	local -a wants=("$parents" "$(printf '%s\n' "$T_MTTY1" "$T_MTTY2")"
		"$(printf '%s\n' "$U_GVT4" "$U_GVT8" "$U_AP" "$U_MTTY" | LC_ALL=C sort)"
		"$(printf '%s\n' first-fit pack spread)" "$(printf '%s\n' check inventory show traits)"
		"$(printf '%s\n' compat create-compatible define help list modify monitor start start-parent-mdevs stop types undefine)"
		"$(printf '%s\n' --defined --dumpjson --help --parent --root --run-callouts --uuid --verbose --version)"
		"$parents" "$(printf '%s\n' definition device parent)" "$U1" imgparent imgtype)
	"$1" "${lines[@]}" >"$BATS_TEST_TMPDIR/offered" || fail "$1 failed: $(cat "$BATS_TEST_TMPDIR/offered")"
	for i in "${!lines[@]}"; do
		got=$(awk -v l="@@ ${lines[i]}" '$0 == l { on = 1; next } /^@@ / { on = 0 } on' \
			"$BATS_TEST_TMPDIR/offered" | LC_ALL=C sort)
		[ "$got" = "${wants[i]}" ] || fail "$1 '${lines[i]}': got $(echo $got), want $(echo ${wants[i]})"
	done
}

@test "packaging: the fish completion offers this host's UUIDs, parents and types, and an image's under --root" {
	command -v fish >/dev/null || skip "fish is not installed"
	mkhost
	offers_host_names fish_complete
}

@test "packaging: the zsh completion offers this host's UUIDs, parents and types, and an image's under --root" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	zsh -fc 'zmodload zsh/zpty' 2>/dev/null || skip "zsh has no zsh/zpty module"
	mkhost
	offers_host_names zsh_complete
}

# dist_tree: the files of the tarball in $BATS_TEST_TMPDIR/src (make distdir), a source tree
# that configure accepts whether the tests' own build is in-tree (as dh builds) or not
dist_tree() {
	[ -n "${MDEVCTL_BUILDDIR:-}" ] || skip "needs the build tree (make check sets MDEVCTL_BUILDDIR)"
	make -s -C "$MDEVCTL_BUILDDIR" distdir distdir="$BATS_TEST_TMPDIR/src" >"$BATS_TEST_TMPDIR/distdir.log" 2>&1 ||
		fail "make distdir failed: $(tail -20 "$BATS_TEST_TMPDIR/distdir.log")"
}

# installed_tree DIR: every path under DIR, with its mode or link target, sorted
installed_tree() {
	(cd "$1" && find . -mindepth 1 \( -type l -printf '%p -> %l\n' \) -o \( -type d -printf '%p/\n' \) \
		-o -printf '%p %m\n' | sed 's|^\./|/|' | LC_ALL=C sort)
}

# One build, from the tarball's files, configured with a private prefix, installed twice.
@test "packaging: configure --prefix=DIR installs only under DIR; make install prefix=/usr DESTDIR= lays out exactly the expected files" {
	[ -n "${MDEVCTL_TEST_INSTALL:-}" ] ||
		skip "set MDEVCTL_TEST_INSTALL=1 (make check does) to configure and install a package tree"
	dist_tree
	local b=$BATS_TEST_TMPDIR/build p=$BATS_TEST_TMPDIR/prefix d=$BATS_TEST_TMPDIR/dest
	mkdir -p "$b"
	(cd "$b" && "$BATS_TEST_TMPDIR/src/configure" -q --prefix="$p" && make -s -j2 &&
		make -s install) >"$BATS_TEST_TMPDIR/log" 2>&1 ||
		fail "build or install failed: $(tail -20 "$BATS_TEST_TMPDIR/log")"
	installed_tree "$p" >"$BATS_TEST_TMPDIR/installed"
	# what mdevctl insists on, the udev rule and the rule file: under the prefix, not in the
	# system's directories
	local want
	for want in /etc/mdevctl.d/scripts.d/callouts/ /etc/mdevctl.d/scripts.d/notifiers/ \
		/etc/mdevctl/compat.d/ /lib/mdevctl/scripts.d/callouts/ /lib/mdevctl/scripts.d/notifiers/ \
		'/lib/mdevctl/compat.d/50-kernel-samples.json 644' '/lib/udev/rules.d/60-mdevctl.rules 644' \
		'/sbin/mdevctl 755' '/sbin/lsmdev -> mdevctl' '/share/doc/mdevctl-c/COPYING 644' \
		'/share/zsh/site-functions/_mdevctl 644' '/share/fish/vendor_completions.d/mdevctl.fish 644'; do
		grep -qxF -- "$want" "$BATS_TEST_TMPDIR/installed" ||
			fail "not under the prefix: $want (installed: $(cat "$BATS_TEST_TMPDIR/installed"))"
	done
	# the installed binary insists on the script directory it was installed with
	local r=$BATS_TEST_TMPDIR/root
	mkdir -p "$r/etc/mdevctl.d" "$r$p/lib/mdevctl/scripts.d/callouts" "$r$p/lib/mdevctl/scripts.d/notifiers"
	MDEVCTL_ENV_ROOT=$r run "$p/sbin/mdevctl" --version
	assert_success
	assert_output "mdevctl $("$MDEVCTL" --version | cut -d' ' -f2)"
	(cd "$b" && make -s uninstall) >"$BATS_TEST_TMPDIR/log" 2>&1 ||
		fail "uninstall failed: $(tail -20 "$BATS_TEST_TMPDIR/log")"
	[ -z "$(find "$p" -type f -o -type l)" ] || fail "uninstall left: $(find "$p" -type f -o -type l)"

	# every directory follows the prefix given to make install, as a distribution's layout
	(cd "$b" && make -s install DESTDIR="$d" prefix=/usr sysconfdir=/etc \
		zshcompletiondir=/usr/share/zsh/vendor-completions) >"$BATS_TEST_TMPDIR/log" 2>&1 ||
		fail "make install prefix=/usr DESTDIR= failed: $(tail -20 "$BATS_TEST_TMPDIR/log")"
	installed_tree "$d" >"$BATS_TEST_TMPDIR/installed"
	diff -u "$SRCDIR/tests/packaging/installed-files.txt" "$BATS_TEST_TMPDIR/installed" ||
		fail "the installed tree differs from tests/packaging/installed-files.txt"
}

@test "packaging: the RPM spec builds an RPM that provides and conflicts with mdevctl" {
	command -v rpmbuild >/dev/null || skip "rpmbuild is not installed (Debian: rpm)"
	dist_tree
	local v t=$BATS_TEST_TMPDIR/rpm
	v=$("$MDEVCTL" --version | cut -d' ' -f2)
	mkdir -p "$t"
	mv "$BATS_TEST_TMPDIR/src" "$t/mdevctl-c-$v"
	tar -C "$t" -cJf "$t/mdevctl-c-$v.tar.xz" "mdevctl-c-$v"
	# --nodeps: the build dependencies are Debian packages here, not RPMs
	rpmbuild --define "_topdir $t" --nodeps -tb "$t/mdevctl-c-$v.tar.xz" >"$t/log" 2>&1 ||
		fail "rpmbuild failed: $(tail -30 "$t/log")"
	local rpm=$t/RPMS/$(uname -m)/mdevctl-c-$v-1.$(uname -m).rpm
	[ -f "$rpm" ] || fail "no $rpm: $(ls -R "$t/RPMS")"
	run rpm -qp --provides "$rpm"
	assert_line "mdevctl = $v"
	run rpm -qp --conflicts "$rpm"
	assert_output "mdevctl"
	run rpm -qpl "$rpm"
	assert_line /usr/sbin/mdevctl
	assert_line /usr/sbin/lsmdev
	assert_line /usr/lib/udev/rules.d/60-mdevctl.rules
	assert_line --regexp '^/usr/share/licenses/mdevctl-c[^/]*/COPYING$'
	assert_line /usr/share/fish/vendor_completions.d/mdevctl.fish
	assert_line /usr/share/zsh/site-functions/_mdevctl
	refute_line /usr/share/doc/mdevctl-c/COPYING
}
