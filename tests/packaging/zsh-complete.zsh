#!/bin/zsh -f
# SPDX-License-Identifier: LGPL-2.1-or-later
# The candidates zsh's completion system offers for command lines: for each LINE, "@@ LINE"
# and then its candidates, one a line, sorted. One zsh -i on a pseudo-terminal (zsh/zpty)
# loads the completions of FPATHDIR with compinit, a wrapper around compadd prints every match
# it is given, and each line is completed with TAB. For tests/bats/99-packaging.bats; run it
# under timeout(1).
#
#   zsh-complete.zsh FPATHDIR LINE...
zmodload zsh/zpty || exit 2
dir=$1 tmp=${TMPDIR:-/tmp}/zc.$$
shift
mkdir -p $tmp
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT='' PS2=''"
zpty -w z "fpath=($dir \$fpath); autoload -U compinit; compinit -u -d $tmp/dump"
zpty -w z "compadd() { local -a __h; builtin compadd -O __h \"\$@\"; (( \$#__h )) && print -rl -- \${__h/#/@@M@@}; builtin compadd \"\$@\" }"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' select-prompt ''; bindkey '^I' complete-word"
zpty -w z "print @@S@@"
zpty -r z out '*@@S@@*@@S@@*'
for line in "$@"; do
	zpty -w -n z "$line"$'\t'
	zpty -w -n z $'\C-u'"print @@E@@"$'\n'
	zpty -r z all '*@@E@@*@@E@@*'
	print -r -- "@@ $line"
	print -r -- "$all" | tr -d '\r' | grep -o '@@M@@[^[:cntrl:]]*' | sed 's/^@@M@@//' | LC_ALL=C sort -u
done
zpty -d z
rm -rf $tmp
