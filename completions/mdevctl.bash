# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for mdevctl and lsmdev                               -*- shell-script -*-
#
# Installed twice, as "mdevctl" and as "lsmdev", in the bash-completion completions
# directory; whichever name bash-completion loads first registers both commands.
# Device, parent and type names are asked from "mdevctl list" and "mdevctl types".
#
# This file is also the one source of the zsh and fish completions: the build runs
# completions/gen-completions.sh, which reads the commands, the option tables and the fixed
# values below (_mdevctl_commands, _mdevctl_opts, _mdevctl_fixed_values). An option added to
# mdevctl is added to _mdevctl_opts only.

# Print the commands (argument "top") or the compat subcommands (argument "compat"), one a line.
_mdevctl_commands()
{
	case $1 in
	top)
		printf '%s\n' define undefine modify start stop list types start-parent-mdevs compat \
			create-compatible monitor help
		;;
	compat) printf '%s\n' show inventory check traits ;;
	esac
}

# Print the values an option of kind $1 takes when they are a fixed list, one a line.
_mdevctl_fixed_values()
{
	case $1 in
	policy) printf '%s\n' first-fit spread pack ;;
	mode) printf '%s\n' live cold ;;
	format) printf '%s\n' text nova-provider-config ;;
	what) printf '%s\n' device parent definition ;;
	event) printf '%s\n' add remove change ;;
	esac
}

# Print the option table of a command, one option a line: "LONG SHORT KIND".
# SHORT is "-" when there is none; KIND is what the option's value is ("-" for a flag,
# "text" for a value nobody can guess). Every command also takes the global options
# --root and --run-callouts.
_mdevctl_opts()
{
	printf '%s\n' '--root - root' '--run-callouts - -'
	case $1 in
	define)
		printf '%s\n' '--uuid -u uuid' '--auto -a -' '--parent -p parent' \
			'--type -t type' '--jsonfile - file' '--force -f -' '--help -h -'
		;;
	undefine)
		printf '%s\n' '--uuid -u uuid' '--parent -p parent' '--force -f -' '--help -h -'
		;;
	modify)
		printf '%s\n' '--uuid -u uuid' '--parent -p parent' '--type -t type' \
			'--addattr - text' '--value - text' '--delattr - -' '--index -i text' \
			'--auto -a -' '--manual -m -' '--live -l -' '--defined -d -' \
			'--jsonfile - file' '--force -f -' '--help -h -'
		;;
	start)
		printf '%s\n' '--uuid -u uuid' '--parent -p parent' '--type -t type' \
			'--jsonfile - file' '--force -f -' '--help -h -'
		;;
	stop)
		printf '%s\n' '--uuid -u uuid' '--force -f -' '--help -h -'
		;;
	list | lsmdev)
		printf '%s\n' '--defined -d -' '--dumpjson - -' '--verbose -v -' \
			'--uuid -u uuid' '--parent -p parent' '--help -h -' '--version -V -'
		;;
	types)
		printf '%s\n' '--parent -p parent' '--dumpjson - -' '--help -h -'
		;;
	start-parent-mdevs | compat-inventory)
		printf '%s\n' '--help -h -'
		;;
	compat-show)
		printf '%s\n' '--uuid -u uuid' '--parent -p parent' '--type -t type' '--help -h -'
		;;
	compat-check)
		printf '%s\n' '--from - file' '--inventory - file' '--parent -p parent' \
			'--prefer-parent - parent' '--uuid -u text' '--keep-uuid - -' \
			'--policy - policy' '--mode - mode' '--no-reuse - -' '--verbose -v -' \
			'--dumpjson - -' '--help -h -'
		;;
	compat-traits)
		printf '%s\n' '--from - file' '--inventory - file' '--per-parent - -' \
			'--format - format' '--nodename - text' '--help -h -'
		;;
	create-compatible)
		printf '%s\n' '--from - file' '--parent -p parent' '--prefer-parent - parent' \
			'--uuid -u text' '--keep-uuid - -' '--policy - policy' '--mode - mode' \
			'--no-reuse - -' '--verbose -v -' '--auto -a -' '--dry-run - -' \
			'--dumpjson - -' '--help -h -'
		;;
	monitor)
		printf '%s\n' '--dumpjson - -' '--once - -' '--uuid -u uuid' '--parent -p parent' \
			'--what - what' '--event - event' '--kernel - -' '--udev - -' '--help -h -'
		;;
	top)
		printf '%s\n' '--help -h -' '--version -V -'
		;;
	esac
}

# The definitions of the image given with --root (the caller's "root"): "UUID PARENT TYPE"
# lines. An image has no running devices and no parents: what it defines is what there is.
_mdevctl_image()
{
	mdevctl --root "$root" list -d </dev/null 2>/dev/null
}

# Append to the caller's "cands" the UUIDs of active and defined devices, each once.
_mdevctl_uuids()
{
	local line u seen=' '
	while IFS= read -r line || [[ -n $line ]]; do
		case $line in '' | [[:space:]]*) continue ;; esac
		u=${line%%[[:space:]]*}
		case $seen in *" $u "*) continue ;; esac
		seen+="$u "
		cands+=("$u")
	done < <(if [[ -n $root ]]; then _mdevctl_image; else
		{ mdevctl list; mdevctl list -d; } </dev/null 2>/dev/null; fi)
}

# Append to the caller's "cands" the parents "mdevctl types" reports (with --root, those the
# image's definitions name).
_mdevctl_parents()
{
	local line u p t seen=' '
	if [[ -n $root ]]; then
		while read -r u p t _; do
			[[ -n $p && $seen != *" $p "* ]] || continue
			seen+="$p "
			cands+=("$p")
		done < <(_mdevctl_image)
		return
	fi
	while IFS= read -r line || [[ -n $line ]]; do
		case $line in '' | [[:space:]]*) continue ;; esac
		cands+=("$line")
	done < <(mdevctl types </dev/null 2>/dev/null)
}

# Append to the caller's "cands" the types "mdevctl types" reports, only those of parent $1
# when it is not empty (with --root, those the image's definitions name).
_mdevctl_types()
{
	local line parent='' u p t seen=' '
	if [[ -n $root ]]; then
		while read -r u p t _; do
			[[ -n $t && ( -z $1 || $p == "$1" ) && $seen != *" $t "* ]] || continue
			seen+="$t "
			cands+=("$t")
		done < <(_mdevctl_image)
		return
	fi
	while IFS= read -r line || [[ -n $line ]]; do
		case $line in
		'') ;;
		[![:space:]]*) parent=$line ;;
		'  '[![:space:]]*)
			[[ -z $1 || $parent == "$1" ]] || continue
			line=${line#  }
			line=${line%%[[:space:]]*}
			cands+=("$line")
			;;
		esac
	done < <(mdevctl types </dev/null 2>/dev/null)
}

# Append to the caller's "cands" the candidate values of an option of kind $1; $2 is the
# parent given on the line so far. Sets the caller's "isfile" to 1 for file names, 2 for
# directory names.
_mdevctl_values()
{
	case $1 in
	uuid) _mdevctl_uuids ;;
	parent) _mdevctl_parents ;;
	type) _mdevctl_types "$2" ;;
	policy | mode | format | what | event)
		mapfile -t -O "${#cands[@]}" cands < <(_mdevctl_fixed_values "$1")
		;;
	file) isfile=1 ;;
	root) isfile=2 ;;
	esac
}

# The completion itself. $1 is "mdevctl" or "lsmdev" (lsmdev takes list's options and no
# command).
_mdevctl_complete()
{
	local prog=$1 IFS=$' \t\n'
	local -a words=() cands=() table=()
	local cword cur i j w c spec long short kind
	local cmd='' nargs=0 helpof='' want='' parent='' root='' used=' ' isfile=0 prefix='' val
	local wb=${COMP_WORDBREAKS-}

	COMPREPLY=()

	# Work on whole words as the user sees them. bash splits COMP_WORDS at ':' and '=',
	# which parent names (0000:00:02.0) and --opt=value contain, so rebuild the words
	# from the line when it is there.
	if [[ -n ${COMP_LINE-} && -n ${COMP_POINT-} ]]; then
		local line=${COMP_LINE:0:COMP_POINT}
		read -r -a words <<<"$line"
		[[ ${#words[@]} -gt 0 && $line != *[[:space:]] ]] || words+=('')
	else
		words=("${COMP_WORDS[@]}")
		words=("${words[@]:0:${COMP_CWORD:-0}+1}")
		[[ ${#words[@]} -gt ${COMP_CWORD:-0} ]] || words+=('')
	fi
	cword=$((${#words[@]} - 1))
	cur=${words[cword]}

	if [[ $prog == lsmdev ]]; then
		cmd=lsmdev
	fi
	mapfile -t table < <(_mdevctl_opts "${cmd:-top}")

	# Walk the words before the current one: find the command, what was used, the parent,
	# and whether the current word is the value of the last option.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [[ -n $want ]]; then
			[[ $want != parent ]] || parent=$w
			[[ $want != root ]] || root=$w
			want=''
			continue
		fi
		if [[ $cmd == compat- && $w == -* ]]; then
			# "mdevctl compat -u UUID" is "compat show"
			cmd=compat-show
			mapfile -t table < <(_mdevctl_opts "$cmd")
		fi
		case $w in
		--*=*)
			for spec in "${table[@]}"; do
				read -r long short kind <<<"$spec"
				if [[ ${w%%=*} == "$long" ]]; then
					used+="$long "
					[[ $kind != parent ]] || parent=${w#*=}
					[[ $kind != root ]] || root=${w#*=}
				fi
			done
			;;
		--?*)
			for spec in "${table[@]}"; do
				read -r long short kind <<<"$spec"
				if [[ $w == "$long" ]]; then
					used+="$long "
					[[ $kind == - ]] || want=$kind
				fi
			done
			;;
		-?*)
			# a cluster of short options; one taking a value takes the rest or the next word
			for ((j = 1; j < ${#w}; j++)); do
				c=-${w:j:1}
				kind=''
				for spec in "${table[@]}"; do
					read -r long short kind <<<"$spec"
					[[ $c == "$short" ]] && break
					kind=''
				done
				[[ -n $kind ]] || continue
				used+="$long "
				[[ $kind != - ]] || continue
				if ((j + 1 < ${#w})); then
					[[ $kind != parent ]] || parent=${w:j+1}
				else
					want=$kind
				fi
				break
			done
			;;
		*)
			if [[ -z $cmd ]]; then
				cmd=$w
				[[ $cmd != compat ]] || cmd=compat-
				mapfile -t table < <(_mdevctl_opts "$cmd")
			elif [[ $cmd == compat- ]]; then
				if _mdevctl_commands compat | grep -qxF -- "$w"; then
					cmd=compat-$w
				else
					cmd=compat-show
				fi
				mapfile -t table < <(_mdevctl_opts "$cmd")
			else
				[[ $cmd != help || $nargs -ne 0 ]] || helpof=$w
				((nargs++))
			fi
			;;
		esac
	done
	if [[ $cmd == compat- && $cur == -* ]]; then
		# "mdevctl compat -u UUID" is "compat show"
		mapfile -t table < <(_mdevctl_opts compat-show)
	fi

	local joined=''
	if [[ $cur == -[!-]?* ]]; then
		for spec in "${table[@]}"; do
			read -r long short kind <<<"$spec"
			[[ ${cur:0:2} != "$short" || $kind == - ]] || joined=$kind
		done
	fi

	if [[ -n $want ]]; then
		_mdevctl_values "$want" "$parent"
		val=$cur
	elif [[ $cur == --*=* ]]; then
		val=${cur#*=}
		for spec in "${table[@]}"; do
			read -r long short kind <<<"$spec"
			if [[ ${cur%%=*} == "$long" && $kind != - ]]; then
				_mdevctl_values "$kind" "$parent"
				prefix=${cur%%=*}=
			fi
		done
	elif [[ -n $joined ]]; then
		# a short option with its value joined to it: -pmatr
		_mdevctl_values "$joined" "$parent"
		prefix=${cur:0:2}
		val=${cur:2}
	elif [[ $cur == -* || ( -n $cmd && $cmd != help && $cmd != compat- &&
		$cmd != start-parent-mdevs ) ]]; then
		# option names, leaving out those already given; modify takes exactly one of
		# --auto, --manual, --addattr, --delattr and --jsonfile
		local group=' --auto --manual --addattr --delattr --jsonfile ' taken=''
		if [[ $cmd == modify ]]; then
			for long in $group; do
				[[ $used != *" $long "* ]] || taken=1
			done
		fi
		for spec in "${table[@]}"; do
			read -r long short kind <<<"$spec"
			[[ $used != *" $long "* ]] || continue
			[[ -z $taken || $group != *" $long "* ]] || continue
			cands+=("$long")
			[[ $short == - ]] || cands+=("$short")
		done
		val=$cur
	elif [[ -z $cmd || ( $cmd == help && $nargs -eq 0 ) ]]; then
		mapfile -t cands < <(_mdevctl_commands top)
		val=$cur
	elif [[ $cmd == compat- || ( $cmd == help && $nargs -eq 1 && $helpof == compat ) ]]; then
		mapfile -t cands < <(_mdevctl_commands compat)
		val=$cur
	elif [[ $cmd == start-parent-mdevs && $nargs -eq 0 ]]; then
		_mdevctl_parents
		val=$cur
	fi

	if ((isfile)); then
		compopt -o filenames 2>/dev/null
		if ((isfile == 2)); then
			mapfile -t cands < <(compgen -d -- "${val-}")
		else
			mapfile -t cands < <(compgen -f -- "${val-}")
		fi
	fi
	for c in "${cands[@]}"; do
		[[ $c == "${val-}"* ]] && COMPREPLY+=("$prefix$c")
	done

	# readline replaces only the text after the last word-break character (':' in
	# 0000:00:02.0, '=' in --parent=...); drop what comes before it from the replies.
	local cw=${COMP_WORDS[${COMP_CWORD:-0}]-}
	if [[ -n ${COMP_LINE-} && $cw != "$cur" && ${#COMPREPLY[@]} -gt 0 ]]; then
		local keep=''
		for ((i = ${#cur} - 1; i >= 0; i--)); do
			if [[ $wb == *"${cur:i:1}"* ]]; then
				keep=${cur:0:i+1}
				break
			fi
		done
		if [[ -n $keep ]]; then
			for i in "${!COMPREPLY[@]}"; do
				COMPREPLY[i]=${COMPREPLY[i]#"$keep"}
			done
		fi
	fi
	return 0
}

_mdevctl()
{
	_mdevctl_complete mdevctl
}

_lsmdev()
{
	_mdevctl_complete lsmdev
}

complete -F _mdevctl mdevctl
complete -F _lsmdev lsmdev
