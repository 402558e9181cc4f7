#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generate the zsh or the fish completion of mdevctl and lsmdev from the bash one, so that the
# three shells offer the same commands, options and values from one table.
#
#   gen-completions.sh zsh BASHFILE            the zsh file (_mdevctl: mdevctl and lsmdev)
#   gen-completions.sh fish BASHFILE PROGRAM   the fish file of PROGRAM (mdevctl or lsmdev)
#
# BASHFILE is completions/mdevctl.bash: its _mdevctl_commands, _mdevctl_opts and
# _mdevctl_fixed_values are the data. Option kinds (the table's third column) map to the
# same helpers in every shell: uuid, parent and type ask `mdevctl list` and `mdevctl types`,
# file completes file names, text takes any value, the others are fixed lists. The helper of a
# kind K asked from mdevctl is _mdevctl_Ks in zsh and __mdevctl_Ks in fish.
set -eu

shell=${1:?usage: $0 zsh|fish BASHFILE [PROGRAM]}
bashfile=${2:?usage: $0 zsh|fish BASHFILE [PROGRAM]}
# shellcheck source=/dev/null
source "$bashfile"

# Every option table of the bash file: the commands, with compat's subcommands as compat-NAME.
tables() {
	local c s
	while read -r c; do
		case $c in
		help) ;;
		compat) while read -r s; do echo "compat-$s"; done < <(_mdevctl_commands compat) ;;
		*) echo "$c" ;;
		esac
	done < <(_mdevctl_commands top)
}

# The kinds of value with a fixed list
fixed_kinds() {
	local long short kind t
	for t in $(tables) lsmdev top; do
		_mdevctl_opts "$t"
	done | while read -r long short kind; do
		[ -z "$(_mdevctl_fixed_values "$kind")" ] || echo "$kind"
	done | sort -u
}

header() {
	echo "# $1 completion for mdevctl and lsmdev."
	echo "# Generated from completions/mdevctl.bash by completions/gen-completions.sh: change the"
	echo "# option tables there."
}

# --- zsh ---------------------------------------------------------------------

# zsh_specs TABLE: the _arguments specs of a table's options, one a line, quoted for zsh
zsh_specs() {
	local long short kind action
	_mdevctl_opts "$1" | while read -r long short kind; do
		case $kind in
		-) action='' ;;
		uuid | parent | type) action=":$kind:_mdevctl_${kind}s" ;;
		file) action=':file:_files' ;;
		root) action=':directory:_files -/' ;;
		text) action=":${long#--}: " ;;
		*) action=":$kind:_mdevctl_fixed_$kind" ;;
		esac
		if [ "$short" = - ]; then
			if [ -z "$action" ]; then
				printf "\t\t'%s'\n" "$long"
			else
				printf "\t\t'%s=%s'\n" "$long" "$action"
			fi
		elif [ -z "$action" ]; then
			printf "\t\t'(%s %s)'{%s,%s}\n" "$short" "$long" "$short" "$long"
		else
			printf "\t\t'(%s %s)'{%s+,%s=}'%s'\n" "$short" "$long" "$short" "$long" "$action"
		fi
	done
}

gen_zsh() {
	local t k
	echo '#compdef mdevctl lsmdev'
	echo "# SPDX-License-Identifier: LGPL-2.1-or-later"
	header zsh
	cat <<'EOF'

# The definitions of the image named with --root ($_mdevctl_root, set by _mdevctl from the
# line): "UUID PARENT TYPE" lines. An image has no running devices and no parents: what it
# defines is what there is.
(( $+functions[_mdevctl_image] )) || _mdevctl_image() {
	mdevctl --root "$_mdevctl_root" list -d </dev/null 2>/dev/null
}

# The UUIDs of active and defined devices, each once (with --root, the image's)
(( $+functions[_mdevctl_uuids] )) || _mdevctl_uuids() {
	local -a u
	if [[ -n $_mdevctl_root ]]; then
		u=(${(u)${(f)"$(_mdevctl_image | awk '{ print $1 }')"}})
	else
		u=(${(u)${(f)"$({ mdevctl list; mdevctl list -d } </dev/null 2>/dev/null |
			sed -n 's/^\([^[:space:]][^[:space:]]*\).*/\1/p')"}})
	fi
	compadd -a u
}

# The parents that `mdevctl types` reports (with --root, those the image's definitions name)
(( $+functions[_mdevctl_parents] )) || _mdevctl_parents() {
	local -a p
	if [[ -n $_mdevctl_root ]]; then
		p=(${(u)${(f)"$(_mdevctl_image | awk '{ print $2 }')"}})
	else
		p=(${(f)"$(mdevctl types </dev/null 2>/dev/null | sed -n '/^[^[:space:]]/p')"})
	fi
	compadd -a p
}

# The types `mdevctl types` reports, only the parent's when the line names one (with --root,
# those the image's definitions name)
(( $+functions[_mdevctl_types] )) || _mdevctl_types() {
	local parent=${opt_args[-p]:-${opt_args[--parent]:-}}
	local -a t
	if [[ -n $_mdevctl_root ]]; then
		t=(${(u)${(f)"$(_mdevctl_image | awk -v want="$parent" 'want == "" || $2 == want { print $3 }')"}})
	else
		t=(${(f)"$(mdevctl types </dev/null 2>/dev/null | awk -v want="$parent" '
			/^[^[:space:]]/ { parent = $1; next }
			/^  [^[:space:]]/ { if (want == "" || want == parent) print $1 }')"})
	fi
	compadd -a t
}
EOF
	for k in $(fixed_kinds); do
		echo
		echo "(( \$+functions[_mdevctl_fixed_$k] )) || _mdevctl_fixed_$k() {"
		echo "	compadd -- $(_mdevctl_fixed_values "$k" | tr '\n' ' ')"
		echo '}'
	done
	for t in $(tables) lsmdev; do
		echo
		echo "(( \$+functions[_mdevctl_cmd_${t//-/_}] )) || _mdevctl_cmd_${t//-/_}() {"
		echo '	_arguments -s -S \'
		zsh_specs "$t" | sed 's/$/ \\/'
		if [ "$t" = start-parent-mdevs ]; then
			echo "		'1:parent:_mdevctl_parents'"
		else
			echo "		&& return 0"
		fi
		echo '}'
	done
	cat <<EOF

_mdevctl() {
	local curcontext=\$curcontext state line ret=1 i _mdevctl_root=
	typeset -A opt_args
	# --root DIR anywhere on the line: names come from that image
	for (( i = 2; i < CURRENT; i++ )); do
		case \$words[i] in
		--root) _mdevctl_root=\$words[i+1] ;;
		--root=*) _mdevctl_root=\${words[i]#--root=} ;;
		esac
	done
	if [[ \$service == lsmdev ]]; then
		_mdevctl_cmd_lsmdev
		return
	fi
	_arguments -C -A '-*' \\
$(zsh_specs top | sed 's/$/ \\/')
		'1:command:->command' \\
		'*::argument:->argument' && ret=0
	case \$state in
	command)
		compadd -- $(_mdevctl_commands top | tr '\n' ' ')&& ret=0
		;;
	argument)
		curcontext=\${curcontext%:*:*}:mdevctl-\$words[1]:
		case \$words[1] in
		compat)
			if [[ \$words[2] == -* ]]; then
				# "mdevctl compat -u UUID" is "compat show"
				_mdevctl_cmd_compat_show && ret=0
			elif (( CURRENT == 2 )); then
				compadd -- $(_mdevctl_commands compat | tr '\n' ' ')&& ret=0
			else
				shift words
				(( CURRENT-- ))
				case \$words[1] in
EOF
	for k in $(_mdevctl_commands compat); do
		echo "				$k) _mdevctl_cmd_compat_$k && ret=0 ;;"
	done
	cat <<EOF
				esac
			fi
			;;
		help)
			(( CURRENT == 2 )) && compadd -- $(_mdevctl_commands top | tr '\n' ' ')&& ret=0
			;;
EOF
	for t in $(_mdevctl_commands top); do
		case $t in help | compat) continue ;; esac
		echo "		$t) _mdevctl_cmd_${t//-/_} && ret=0 ;;"
	done
	cat <<'EOF'
		esac
		;;
	esac
	return ret
}

_mdevctl "$@"
EOF
}

# --- fish --------------------------------------------------------------------

gen_fish() {
	local prog=$1 t k long short kind cond args
	echo "# SPDX-License-Identifier: LGPL-2.1-or-later"
	header fish
	cat <<'EOF'

# The command being completed, as the option tables name it: "top" before the command,
# "compat-" before compat's subcommand, "compat-show" for "mdevctl compat -u ...".
function __mdevctl_cmd
    set -l words (commandline -opc)
    if string match -q -- '*lsmdev' $words[1]
        echo lsmdev
        return
    end
    set -l cmd top
    set -l skip 0
    for w in $words[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $cmd
            case top
                if contains -- $w (__mdevctl_top_valued)
                    set skip 1
                else if not string match -q -- '-*' $w
                    set cmd $w
                end
            case compat-
                if string match -q -- '-*' $w
                    set cmd compat-show
                else if contains -- $w (__mdevctl_compat_commands)
                    set cmd compat-$w
                else
                    set cmd compat-show
                end
        end
        test $cmd = compat; and set cmd compat-
    end
    echo $cmd
end

function __mdevctl_using
    test (__mdevctl_cmd) = $argv[1]
end

# The value of an option given on the line so far: __mdevctl_optval LONG [SHORT] prints P of
# "LONG P", "LONG=P", "SHORT P" or "SHORTP"
function __mdevctl_optval
    set -l words (commandline -opc)
    set -l next 0
    for w in $words
        if test $next = 1
            echo $w
            return
        end
        if test "$w" = $argv[1]; or begin; set -q argv[2]; and test "$w" = $argv[2]; end
            set next 1
        else if string match -q -- "$argv[1]=*" $w
            string replace -- "$argv[1]=" '' $w
            return
        else if set -q argv[2]; and string match -q -- "$argv[2]?*" $w
            string sub -s 3 -- $w
            return
        end
    end
end

# The definitions of the image named with --root: "UUID PARENT TYPE" lines. An image has no
# running devices and no parents: what it defines is what there is.
function __mdevctl_image
    mdevctl --root (__mdevctl_optval --root) list -d </dev/null 2>/dev/null
end

# The UUIDs of active and defined devices, each once (with --root, the image's)
function __mdevctl_uuids
    if test -n "$(__mdevctl_optval --root)"
        __mdevctl_image | awk '{ print $1 }' | sort -u
        return
    end
    begin
        mdevctl list
        mdevctl list -d
    end </dev/null 2>/dev/null | string match -r '^\S+' | sort -u
end

# The parents that `mdevctl types` reports (with --root, those the image's definitions name)
function __mdevctl_parents
    if test -n "$(__mdevctl_optval --root)"
        __mdevctl_image | awk '{ print $2 }' | sort -u
        return
    end
    mdevctl types </dev/null 2>/dev/null | string match -r '^\S.*'
end

# The types `mdevctl types` reports, only the parent's when the line names one (with --root,
# those the image's definitions name)
function __mdevctl_types
    set -l parent (__mdevctl_optval --parent -p)
    if test -n "$(__mdevctl_optval --root)"
        __mdevctl_image | awk -v want="$parent" 'want == "" || $2 == want { print $3 }' | sort -u
        return
    end
    mdevctl types </dev/null 2>/dev/null | awk -v want="$parent" '
        /^[^[:space:]]/ { parent = $1; next }
        /^  [^[:space:]]/ { if (want == "" || want == parent) print $1 }'
end
EOF
	echo
	echo "# The options before the command that take a value (the next word)"
	echo "function __mdevctl_top_valued"
	echo "    printf '%s\\n' $(_mdevctl_opts top | awk '$3 != "-" { printf "%s ", $1 }')"
	echo "end"
	echo
	echo "function __mdevctl_compat_commands"
	echo "    printf '%s\\n' $(_mdevctl_commands compat | tr '\n' ' ')"
	echo "end"
	echo
	echo "complete -c $prog -f"
	if [ "$prog" = lsmdev ]; then
		set -- lsmdev
	else
		echo "complete -c $prog -n '__mdevctl_using top' -a '$(_mdevctl_commands top | tr '\n' ' ' | sed 's/ $//')'"
		echo "complete -c $prog -n '__mdevctl_using compat-' -a '$(_mdevctl_commands compat | tr '\n' ' ' | sed 's/ $//')'"
		echo "complete -c $prog -n '__mdevctl_using help' -a '$(_mdevctl_commands top | tr '\n' ' ' | sed 's/ $//')'"
		echo "complete -c $prog -n '__mdevctl_using start-parent-mdevs' -a '(__mdevctl_parents)'"
		set -- top $(tables)
	fi
	for t in "$@"; do
		_mdevctl_opts "$t" | while read -r long short kind; do
			args="-l ${long#--}"
			[ "$short" = - ] || args="-s ${short#-} $args"
			case $kind in
			-) ;;
			uuid | parent | type) args="$args -x -a '(__mdevctl_${kind}s)'" ;;
			file) args="$args -r -F" ;;
			root) args="$args -x -a '(__fish_complete_directories (commandline -ct))'" ;;
			text) args="$args -x" ;;
			*) args="$args -x -a '$(_mdevctl_fixed_values "$kind" | tr '\n' ' ' | sed 's/ $//')'" ;;
			esac
			cond="-n '__mdevctl_using $t'"
			echo "complete -c $prog $cond $args"
		done
	done
}

case $shell in
zsh) gen_zsh ;;
fish) gen_fish "${3:?usage: $0 fish BASHFILE PROGRAM}" ;;
*)
	echo "usage: $0 zsh|fish BASHFILE [PROGRAM]" >&2
	exit 2
	;;
esac
