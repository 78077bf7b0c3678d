# Sourced helpers for network-namespace tests and benchmarks (POSIX sh plus "local"; tests run
# under dash).
#
#   . "$(dirname "$0")/../netns/lib.sh"     # sets a trap on EXIT; call t_done at the end
#
# Names: every namespace is "rp-LABEL-$T_ID" where T_ID defaults to the shell's pid, so
# concurrent runs never collide. Interfaces are created directly inside their namespaces
# (never in the root namespace), so their names need only be unique per namespace.
#
# Cleanup (trap on EXIT, INT, TERM, HUP, PIPE): runs the hooks added with t_on_exit (last first),
# kills every process living in a namespace this run created (ip netns pids) and every
# background process started through ns_bg, capture_start or t_track, then deletes the
# namespaces and the temporary directory $T_TMP. T_KEEP=1 keeps $T_TMP (logs, captures);
# it is also kept, and its path printed, when a check failed.
#
# Every wait has a timeout; nothing here blocks without one.

T_ID=${T_ID:-$$}
T_PASS=0
T_FAIL=0
T_NS_LIST=""
T_HOOKS=""
T_BG_PIDS=""
T_TMP=$(mktemp -d "/tmp/rampart-${T_ID}-XXXXXX") || exit 1
T_SELF=$(basename "$0")

# ---- output and pass/fail counting ------------------------------------------------------

t_log() { # message...
	echo "# $*"
}

t_pass() { # description
	T_PASS=$((T_PASS + 1))
	echo "PASS $1"
}

t_fail() { # description [detail]
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL $1${2:+: $2}"
}

# t_check DESCRIPTION CMD...: runs CMD; success counts a pass, failure a fail.
t_check() {
	local _d
	_d=$1
	shift
	if "$@"; then t_pass "$_d"; else t_fail "$_d" "command failed: $*"; fi
}

# t_expect_eq DESCRIPTION EXPECTED ACTUAL
t_expect_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "expected '$2', got '$3'"; fi
}

# t_expect_ge DESCRIPTION MINIMUM ACTUAL (integers)
t_expect_ge() {
	if [ -n "$3" ] && [ "$3" -ge "$2" ] 2>/dev/null; then
		t_pass "$1 ($3 >= $2)"
	else
		t_fail "$1" "expected >= $2, got '$3'"
	fi
}

# t_done: prints the final "N passed, M failed" line and exits (status 1 on any failure or
# when nothing was checked at all).
t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ] && exit 0
	exit 1
}

# t_skip_all REASON: for a test whose prerequisites are missing; prints why and counts nothing.
t_skip_all() {
	echo "SKIP $T_SELF: $1"
	echo "0 passed, 0 failed"
	exit 0
}

t_need_root() {
	[ "$(id -u)" = 0 ] || t_skip_all "needs root for network namespaces"
}

t_need_cmd() { # command...
	local _c
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || t_skip_all "missing command $_c"
	done
}

# ---- cleanup -----------------------------------------------------------------------------

# t_on_exit 'shell code': run at exit, before the namespaces go away (last added runs first).
t_on_exit() {
	T_HOOKS="$1
$T_HOOKS"
}

# Kills every process whose network namespace is NS: TERM, up to 3 s grace, then KILL.
ns_kill_all() { # ns
	local _i _pids
	_pids=$(ip netns pids "$1" 2>/dev/null)
	[ -z "$_pids" ] && return 0
	# shellcheck disable=SC2086
	kill -TERM $_pids 2>/dev/null
	_i=0
	while [ $_i -lt 30 ]; do
		_pids=$(ip netns pids "$1" 2>/dev/null)
		[ -z "$_pids" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086
	kill -KILL $_pids 2>/dev/null
	_i=0
	while [ $_i -lt 20 ] && [ -n "$(ip netns pids "$1" 2>/dev/null)" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# t_track PID: a background process of this shell to kill at exit even if it never (or not
# yet) entered a namespace: one started just before exit may still be on its way in.
t_track() {
	T_BG_PIDS="$T_BG_PIDS $1"
}

# Our own children only (parent pid is this shell), so a reused pid is never hit.
_t_own_pids() {
	local _p _pp
	for _p in $T_BG_PIDS; do
		_pp=$(sed 's/^.*) //' "/proc/$_p/stat" 2>/dev/null | awk '{ print $2 }')
		[ "$_pp" = "$$" ] && echo "$_p"
	done
}

t_cleanup() {
	local _rc=$?
	local _h _ns _old_ifs _own _i
	trap - EXIT INT TERM HUP PIPE
	_old_ifs=$IFS
	IFS='
'
	for _h in $T_HOOKS; do
		IFS=$_old_ifs
		eval "$_h" >/dev/null 2>&1
		IFS='
'
	done
	IFS=$_old_ifs
	_own=$(_t_own_pids)
	# shellcheck disable=SC2086
	[ -n "$_own" ] && kill -TERM $_own 2>/dev/null
	for _ns in $T_NS_LIST; do
		ns_kill_all "$_ns"
	done
	_i=0
	while [ -n "$(_t_own_pids)" ] && [ $_i -lt 20 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	_own=$(_t_own_pids)
	# shellcheck disable=SC2086
	[ -n "$_own" ] && kill -KILL $_own 2>/dev/null
	for _ns in $T_NS_LIST; do
		ns_kill_all "$_ns"
		ip netns del "$_ns" 2>/dev/null
	done
	if [ "${T_KEEP:-0}" = 1 ] || [ "$T_FAIL" -ne 0 ]; then
		echo "# logs kept in $T_TMP"
	else
		rm -rf "$T_TMP"
	fi
	exit "$_rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# ---- namespaces, links, addresses ----------------------------------------------------------

# ns_create VAR LABEL: creates namespace rp-LABEL-$T_ID with lo up, IPv6 DAD off, and stores
# its name in the variable VAR.
ns_create() {
	local _n
	_n="rp-$2-$T_ID"
	ip netns add "$_n" || return 1
	T_NS_LIST="$T_NS_LIST $_n"
	ip -n "$_n" link set lo up
	ip netns exec "$_n" sysctl -q -w net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1
	eval "$1=\$_n"
}

# ns_destroy NS: kills NS's processes and deletes it now rather than at exit.
ns_destroy() {
	local _ns _rest=""
	ns_kill_all "$1"
	ip netns del "$1" 2>/dev/null
	for _ns in $T_NS_LIST; do
		[ "$_ns" = "$1" ] || _rest="$_rest $_ns"
	done
	T_NS_LIST=$_rest
}

# ns_exec NS CMD...: runs CMD inside NS.
ns_exec() {
	local _n
	_n=$1
	shift
	ip netns exec "$_n" "$@"
}

# ns_bg NS LOGFILE CMD...: starts CMD in the background inside NS (stdout and stderr to
# LOGFILE); its pid is left in T_BG_PID. Cleanup kills it with the namespace.
ns_bg() {
	local _l _n
	_n=$1
	_l=$2
	shift 2
	ip netns exec "$_n" "$@" >"$_l" 2>&1 </dev/null &
	T_BG_PID=$!
	t_track "$T_BG_PID"
}

# link_veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up.
link_veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# addr_add NS IF ADDR/PREFIX...: IPv4 and IPv6 addresses (IPv6 without DAD).
addr_add() {
	local _a _if _n
	_n=$1
	_if=$2
	shift 2
	for _a in "$@"; do
		case "$_a" in
		*:*) ip -n "$_n" -6 addr add "$_a" dev "$_if" nodad || return 1 ;;
		*) ip -n "$_n" addr add "$_a" dev "$_if" || return 1 ;;
		esac
	done
}

# link_pair NS1 IF1 NS2 IF2 ADDR1 ADDR2 [ADDR6_1 ADDR6_2]: veth pair with addresses.
link_pair() {
	link_veth "$1" "$2" "$3" "$4" || return 1
	addr_add "$1" "$2" "$5" || return 1
	addr_add "$3" "$4" "$6" || return 1
	if [ -n "${7:-}" ]; then
		addr_add "$1" "$2" "$7" || return 1
		addr_add "$3" "$4" "$8" || return 1
	fi
}

# route_add NS PREFIX VIA: a route (IPv4 or IPv6 by the prefix).
route_add() {
	case "$2" in
	*:*) ip -n "$1" -6 route add "$2" via "$3" ;;
	*) ip -n "$1" route add "$2" via "$3" ;;
	esac
}

# ns_forwarding NS: routes packets (IPv4 and IPv6), no reverse-path filter.
ns_forwarding() {
	ip netns exec "$1" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
}

# ---- the "middle" namespace: NAT and loss with nftables ------------------------------------

# nat_masquerade NS OUT_IF [fully-random]: NS forwards and masquerades IPv4 leaving OUT_IF
# (source ports randomised when "fully-random" is given).
nat_masquerade() {
	local _opt
	ns_forwarding "$1" || return 1
	_opt=""
	[ "${3:-}" = fully-random ] && _opt=" fully-random"
	ip netns exec "$1" nft -f - <<EOF
table ip rampart_nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$2" masquerade$_opt
	}
}
EOF
}

# loss_set NS PERCENT [HOOK] [IIF]: drops PERCENT % of the packets at nftables HOOK
# (forward by default; input or output for end hosts), only those arriving on IIF if given.
# Replaces any previous loss rule in NS; loss_set NS 0 removes it.
loss_set() {
	local _hook _match
	ip netns exec "$1" nft delete table inet rampart_loss 2>/dev/null
	[ "$2" -eq 0 ] && return 0
	_hook=${3:-forward}
	_match=""
	[ -n "${4:-}" ] && _match="iifname \"$4\" "
	ip netns exec "$1" nft -f - <<EOF
table inet rampart_loss {
	chain c {
		type filter hook $_hook priority filter; policy accept;
		${_match}numgen random mod 100 < $2 counter drop
	}
}
EOF
}

# loss_dropped NS: how many packets the loss rule dropped so far.
loss_dropped() {
	ip netns exec "$1" nft list table inet rampart_loss 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1
}

# ---- waiting, always with a timeout ---------------------------------------------------------

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
wait_for() {
	local _deadline
	_deadline=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.1
	done
}

_listening() { # ns proto port
	ip netns exec "$1" ss -H -n -l "-$2" "sport = :$3" 2>/dev/null | grep -q .
}

# wait_tcp_port NS PORT [SECONDS], wait_udp_port NS PORT [SECONDS]: a listening socket exists.
wait_tcp_port() { wait_for "${3:-10}" _listening "$1" t "$2"; }
wait_udp_port() { wait_for "${3:-10}" _listening "$1" u "$2"; }

# wait_socket PATH [SECONDS]: a UNIX socket file exists.
wait_socket() { wait_for "${2:-10}" test -S "$1"; }

# wait_file_match FILE REGEX [SECONDS]: a line of FILE matches REGEX (grep -E).
wait_file_match() { wait_for "${3:-10}" grep -qE "$2" "$1"; }

# lan_add NS [ADDR...]: a veth pair lan / lan-p inside NS, both up (a subnet behind the host),
# with the addresses ADDR... on lan.
lan_add() {
	local _ns
	_ns=$1
	shift
	ip -n "$_ns" link add lan type veth peer name lan-p && ip -n "$_ns" link set lan up &&
		ip -n "$_ns" link set lan-p up || return 1
	[ $# -eq 0 ] || addr_add "$_ns" lan "$@"
}

# ping_ok NS DEST [SRC] [COUNT]: COUNT (default 3) echo requests, all answered within 2 s each.
ping_ok() {
	local _src
	_src=""
	[ -n "${3:-}" ] && _src="-I $3"
	# shellcheck disable=SC2086
	ip netns exec "$1" ping -q -n -c "${4:-3}" -i 0.2 -W 2 $_src "$2" >/dev/null 2>&1
}

# ping_sent FILE, ping_received FILE, ping_lost FILE: echo requests sent, answered, and sent but
# not answered, in the summary ping -q wrote to FILE.
ping_sent() { awk '/packets transmitted/ { print $1 }' "$1"; }
ping_received() { awk '/packets transmitted/ { print $4 }' "$1"; }
ping_lost() { awk '/packets transmitted/ { print $1 - $4 }' "$1"; }

# ---- captures --------------------------------------------------------------------------------

# capture_start NS IF FILE [FILTER...]: starts tcpdump on IF (full packets, unbuffered) and
# returns once it is capturing (immediate mode: no packet waits in a kernel block when the
# capture stops); the pid is left in T_CAP_PID.
capture_start() {
	local _f _if _n
	_n=$1
	_if=$2
	_f=$3
	shift 3
	ip netns exec "$_n" tcpdump -i "$_if" -n -U --immediate-mode -s 0 -w "$_f" "$@" >"$_f.log" 2>&1 </dev/null &
	T_CAP_PID=$!
	t_track "$T_CAP_PID"
	wait_file_match "$_f.log" "listening on" 10 || return 1
}

# capture_stop [PID]: stops a capture (default the last one) and waits for it to flush.
capture_stop() {
	local _i _p
	_p=${1:-$T_CAP_PID}
	sleep 0.2
	kill -INT "$_p" 2>/dev/null
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	return 0
}

# capture_count FILE [FILTER...]: packets in FILE matching a pcap FILTER.
capture_count() {
	local _f
	_f=$1
	shift
	tcpdump -n -r "$_f" "$@" 2>/dev/null | wc -l | tr -d ' '
}

# capture_bytes FILE [FILTER...]: bytes on the wire (original frame lengths) of the packets in
# FILE matching a pcap FILTER. A GSO super-packet (veth passes them whole, tcpdump sees one
# frame) counts for all the bytes it carries, where capture_count sees one packet.
capture_bytes() {
	local _f
	_f=$1
	shift
	tcpdump -n -r "$_f" -w "$_f.sel" "$@" 2>/dev/null
	python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
o, n = 24, 0
while o + 16 <= len(d):
    _, _, incl, orig = struct.unpack(e + "IIII", d[o:o + 16])
    n += orig
    o += 16 + incl
print(n)' "$_f.sel" 2>/dev/null || echo 0
}

# ---- measuring ---------------------------------------------------------------------------------

# proc_cpu_ticks PID: utime+stime of the process (all threads) in clock ticks, from
# /proc/PID/stat (fields 14 and 15, counted after the parenthesised command name).
proc_cpu_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

# if_packets NS IF: rx_packets + tx_packets of an interface.
if_packets() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets" \
		"/sys/class/net/$2/statistics/tx_packets" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}
