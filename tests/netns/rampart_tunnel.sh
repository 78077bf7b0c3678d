# Sourced after tests/netns/lib.sh: a two-namespace Rampart setup with static SAs keyed by
# `rampart xfrm`, for the namespace tests, `make demo` (scripts/demo.sh) and bench/run.sh.
#
#   . tests/netns/lib.sh; . tests/netns/rampart_tunnel.sh
#   rt_start NAME NS [CONFIG-LINES] [TOP-LEVEL]
#                                        rampartd in NS (control socket $T_TMP/NAME.ctl, TUN
#                                        rampart0, log $T_TMP/NAME.log, config
#                                        $T_TMP/NAME.conf); CONFIG-LINES go into the rampart
#                                        section, TOP-LEVEL after it (connections, secrets:
#                                        swanctl.conf syntax); waits until ready
#   rt_ctl NAME ARGS...                  `rampart --socket ... ARGS` inside NAME's namespace
#   rt_tunnel A B OUT_A OUT_B NET_A NET_B [esp|ah|udp] [ALG]
#                                        tunnel-mode SAs and policies both ways between the
#                                        outer addresses, protecting NET_A <-> NET_B
#   rt_transport A B OUT_A OUT_B [esp|ah|udp] [ALG]
#                                        transport-mode SAs and policies between the hosts
#   rt_flush NAME                        removes every state and policy
#   rt_stop NAME                         SIGTERM and wait for the daemon to exit
#   rt_pid NAME                          the daemon's pid
#
# ALG for esp/udp: gcm (AES-128-GCM, default), gcm256, chacha, cbc (AES-CBC + HMAC-SHA256);
# ah is always HMAC-SHA256. SPIs: A->B 0x1000+N, B->A 0x2000+N (N counts calls). Keys are
# random per call. Needs $RAMPARTD and $RAMPART (absolute paths).

RT_SEQ=0

_rt_hex() { # bytes
	od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

_rt_var() { # NAME FIELD -> value of RT_<FIELD>_<NAME>
	eval "echo \"\${RT_${2}_$1:-}\""
}

rt_start() { # NAME NS [extra config lines for the rampart section] [top-level sections]
	local _name=$1 _ns=$2 _conf="$T_TMP/$1.conf"
	cat >"$_conf" <<EOF
rampart {
	control = $T_TMP/$_name.ctl
	tun = rampart0
	mtu = 1400
	workers = 2
	${3:-}
}
${4:-}
EOF
	ns_bg "$_ns" "$T_TMP/$_name.log" "$RAMPARTD" --foreground --config "$_conf"
	eval "RT_PID_$_name=\$T_BG_PID; RT_NS_$_name=\$_ns"
	if ! wait_socket "$T_TMP/$_name.ctl" 10 || ! wait_for 5 rt_ctl "$_name" version; then
		echo "rampartd $_name did not start:" >&2
		cat "$T_TMP/$_name.log" >&2
		return 1
	fi
}

rt_pid() {
	_rt_var "$1" PID
}

rt_ctl() { # NAME ARGS...
	local _name=$1 _ns
	_ns=$(_rt_var "$_name" NS)
	shift
	ip netns exec "$_ns" "$RAMPART" --socket "$T_TMP/$_name.ctl" "$@"
}

rt_stop() { # NAME
	local _pid
	_pid=$(rt_pid "$1")
	[ -n "$_pid" ] || return 0
	kill -TERM "$_pid" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $_pid 2>/dev/null"
}

rt_flush() { # NAME
	rt_ctl "$1" xfrm policy flush && rt_ctl "$1" xfrm state flush
}

# _rt_alg TYPE ALG: the algorithm arguments of `xfrm state add` (fresh keys).
_rt_alg() {
	case "$1" in
	ah) echo "auth-trunc hmac(sha256) 0x$(_rt_hex 32) 128" ;;
	*)
		case "${2:-gcm}" in
		gcm) echo "aead rfc4106(gcm(aes)) 0x$(_rt_hex 20) 128" ;;
		gcm256) echo "aead rfc4106(gcm(aes)) 0x$(_rt_hex 36) 128" ;;
		chacha) echo "aead rfc7539esp(chacha20,poly1305) 0x$(_rt_hex 36) 128" ;;
		cbc) echo "enc cbc(aes) 0x$(_rt_hex 16) auth-trunc hmac(sha256) 0x$(_rt_hex 32) 128" ;;
		*) echo "bad-alg-$2" ;;
		esac
		;;
	esac
}

# _rt_side NAME ME PEER SPI_OUT SPI_IN MINE THEIRS MODE PROTO ENCAP ALG_OUT ALG_IN
_rt_side() {
	# shellcheck disable=SC2086
	rt_ctl "$1" xfrm state add src "$2" dst "$3" proto "$9" spi "$4" mode "$8" \
		reqid "$RT_SEQ" ${10} ${11} &&
		rt_ctl "$1" xfrm state add src "$3" dst "$2" proto "$9" spi "$5" mode "$8" \
			reqid "$RT_SEQ" ${10} ${12} &&
		rt_ctl "$1" xfrm policy add src "$6" dst "$7" dir out \
			tmpl src "$2" dst "$3" proto "$9" mode "$8" reqid "$RT_SEQ" &&
		rt_ctl "$1" xfrm policy add src "$7" dst "$6" dir in \
			tmpl src "$3" dst "$2" proto "$9" mode "$8" reqid "$RT_SEQ"
}

# _rt_pair A B OUT_A OUT_B MODE TYPE ALG SEL_A SEL_B: states and policies on both sides.
_rt_pair() {
	local proto=esp encap="" spi_ab spi_ba alg_ab alg_ba
	RT_SEQ=$((RT_SEQ + 1))
	spi_ab=$(printf '0x%x' $((0x1000 + RT_SEQ)))
	spi_ba=$(printf '0x%x' $((0x2000 + RT_SEQ)))
	[ "$6" = ah ] && proto=ah
	[ "$6" = udp ] && encap="encap espinudp 4500 4500 0.0.0.0"
	alg_ab=$(_rt_alg "$6" "$7")
	alg_ba=$(_rt_alg "$6" "$7")
	_rt_side "$1" "$3" "$4" "$spi_ab" "$spi_ba" "$8" "$9" "$5" "$proto" "$encap" \
		"$alg_ab" "$alg_ba" &&
		_rt_side "$2" "$4" "$3" "$spi_ba" "$spi_ab" "$9" "$8" "$5" "$proto" "$encap" \
			"$alg_ba" "$alg_ab"
}

rt_tunnel() { # A B OUT_A OUT_B NET_A NET_B [TYPE] [ALG]
	_rt_pair "$1" "$2" "$3" "$4" tunnel "${7:-esp}" "${8:-gcm}" "$5" "$6"
}

rt_transport() { # A B OUT_A OUT_B [TYPE] [ALG]
	local pa=32
	case "$3" in *:*) pa=128 ;; esac
	_rt_pair "$1" "$2" "$3" "$4" transport "${5:-esp}" "${6:-gcm}" "$3/$pa" "$4/$pa"
}
