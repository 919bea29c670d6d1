# bash completion for hpsim: commands, options, policies, parameters, plot kinds.
# Options, policies and parameters are read from the installed hpsim itself
# (its --help texts and `hpsim policies`), so they follow the binary.

_hpsim_commands()
{
	"$1" --help 2>/dev/null | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'
}

_hpsim_options()
{
	"$1" "$2" --help 2>/dev/null | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

_hpsim_policies()
{
	# policy lines start at column 0: "NAME  [LAYER]  ..."; $2 filters by layer
	"$1" policies 2>/dev/null | awk -v layer="[$2]" '/^[a-z]/ && (layer == "[]" || $2 == layer) {print $1}'
}

_hpsim_params()
{
	"$1" policies 2>/dev/null | awk '/^    [a-z_]+ / {print $1}' | sort -u
}

_hpsim()
{
	local cur prev cmd hpsim i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	hpsim=${COMP_WORDS[0]}

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$(_hpsim_commands "$hpsim") help --help --version" -- "$cur"))
		return
	fi

	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$(_hpsim_commands "$hpsim")" -- "$cur"))
		return
		;;
	esac

	case $prev in
	--guest | --host | --vcore)
		COMPREPLY=($(compgen -W "$(_hpsim_policies "$hpsim" "${prev#--}")" -- "$cur"))
		return
		;;
	--set)
		compopt -o nospace 2>/dev/null
		COMPREPLY=($(compgen -S = -W "$(_hpsim_params "$hpsim")" -- "$cur"))
		return
		;;
	--format)
		COMPREPLY=($(compgen -W "table json csv" -- "$cur"))
		return
		;;
	--mode)
		COMPREPLY=($(compgen -W "open closed" -- "$cur"))
		return
		;;
	--arch)
		COMPREPLY=($(compgen -W "x86 arm64 s390 ppc" -- "$cur"))
		return
		;;
	--host-idle)
		COMPREPLY=($(compgen -W "none skx icx spr" -f -- "$cur"))
		return
		;;
	--host-governor)
		COMPREPLY=($(compgen -W "menu teo ladder" -- "$cur"))
		return
		;;
	--recorded-with)
		COMPREPLY=($(compgen -W "halt_poll_ns= guest_halt_poll_ns=" -f -- "$cur"))
		return
		;;
	--layer)
		COMPREPLY=($(compgen -W "guest host vcore" -- "$cur"))
		return
		;;
	--latency)
		COMPREPLY=($(compgen -W "mean p50 p90 p99 p999 max" -- "$cur"))
		return
		;;
	-o | --output | --cost | --decisions | --emit-trace | --oracle | --cache-dir)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_hpsim_options "$hpsim" "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	plot)
		# the kind is the first operand after `plot`
		local n=0
		for ((i = 2; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} != -* ]] && n=$((n + 1))
		done
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "pareto timeline hist heatmap cdf" -- "$cur"))
			return
		fi
		;;
	gen)
		local n=0
		for ((i = 2; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} != -* ]] && n=$((n + 1))
		done
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "periodic poisson bimodal bursty pingpong" -- "$cur"))
			return
		fi
		;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _hpsim hpsim
