#!/bin/sh
# Throughput and packet-rate benchmark: Rampart against plain veth, strongSwan and wireguard-go,
# all in one run on the same two namespaces' topology. `make bench` runs it after building the
# release binaries.
#
#   ns a (sender: iperf3 client)                     ns b (receiver: iperf3 server)
#   tunnel end: 10.10.1.1 (lo) / 10.10.0.1 (wg)      tunnel end: 10.10.2.1 (lo) / 10.10.0.2 (wg)
#   veth a0 192.0.2.1/24  <--------- outer ------->  veth b0 192.0.2.2/24
#
# Cases (fresh namespaces each):
#   plain       iperf3 straight over the veth pair
#   strongswan  charon <-> charon, kernel-libipsec (userspace ESP in UDP), IKEv2 PSK,
#               one CHILD_SA = one AES-128-GCM SA each way (esp_proposals aes128gcm16)
#   wireguard   wireguard-go <-> wireguard-go, configured with wg
#   rampart     rampartd <-> rampartd, static AES-128-GCM SAs keyed with `rampart xfrm`
#               (tests/netns/rampart_tunnel.sh), ESP in UDP unless BENCH_RAMPART_ENCAP=esp
#
# Per case: iperf3 TCP for BENCH_TIME s (default 30), REPEAT times (default 3), median quoted;
# then 64-byte UDP as fast as the sender goes (build/bench/udpblast with sendmmsg/recvmmsg, or
# iperf3 -u -l 64 -b 0 if it is not built), packets per second delivered to the receiver.
# CPU per packet = utime+stime of the case's daemons (both ends, /proc/PID/stat) over the run
# divided by the packets crossing the outer link (both directions; for Rampart the ESP packets
# its daemons sent, since the veth counts a UDP GSO train as one packet). BENCH_CASES picks cases
# (default "plain strongswan wireguard rampart"); BENCH_PPS=0 skips the 64-byte runs.
# Then the microbenchmarks build/bench/*_bench run with their defaults (BENCH_MICRO=0 skips),
# and the IKEv2 handshake benchmark bench/ike_handshake.sh (BENCH_IKE=0 skips).
# The final table is also written to $BENCH_REPORT (default build/bench/report.txt).
#
# Adding a case = one function setup_NAME that builds the tunnel in $NA/$NB (veth a0/b0 is
# already up) and sets CASE_SRC, CASE_DST, CASE_PIDS, or sets CASE_SKIP and returns 1.
set -u
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
. "$root/tests/netns/lib.sh"
. "$root/tests/netns/charon.sh"

BENCH_TIME=${BENCH_TIME:-30}
REPEAT=${REPEAT:-3}
BENCH_CASES=${BENCH_CASES:-plain strongswan wireguard rampart}
BENCH_PPS=${BENCH_PPS:-1}
RAMPARTD=${RAMPARTD:-$root/build/rampartd}
RAMPART=${RAMPART:-$root/build/rampart}
UDPBLAST=${UDPBLAST:-$root/build/bench/udpblast}
RAMPART_TUNNEL_SH=${RAMPART_TUNNEL_SH:-$root/tests/netns/rampart_tunnel.sh}
BENCH_RAMPART_ENCAP=${BENCH_RAMPART_ENCAP:-udp}
HZ=$(getconf CLK_TCK)
RESULTS=$T_TMP/results

[ "$(id -u)" = 0 ] || {
	echo "bench: needs root (network namespaces)" >&2
	exit 1
}
for c in ip iperf3 python3 swanctl wg wireguard-go "$CHARON_BIN"; do
	command -v "$c" >/dev/null 2>&1 || echo "bench: missing $c (scripts/deps.sh bench)" >&2
done

say() { echo "bench: $*"; }

# ---- the cases -------------------------------------------------------------------------------

setup_plain() {
	CASE_SRC=192.0.2.1
	CASE_DST=192.0.2.2
	CASE_PIDS=""
}

_swan_conf() { # local remote local_ts remote_ts
	cat <<EOF
connections {
	bench {
		version = 2
		local_addrs = $1
		remote_addrs = $2
		proposals = aes128gcm16-prfsha256-x25519
		dpd_delay = 0
		local {
			auth = psk
			id = $1
		}
		remote {
			auth = psk
			id = $2
		}
		children {
			net {
				local_ts = $3
				remote_ts = $4
				esp_proposals = aes128gcm16
				mode = tunnel
				start_action = none
			}
		}
	}
}
secrets {
	ike-bench {
		secret = "rampart-bench-pre-shared-key"
	}
}
EOF
}

setup_strongswan() {
	local da=$T_TMP/$CASE-charon-a db=$T_TMP/$CASE-charon-b
	if ! command -v swanctl >/dev/null 2>&1 || [ ! -x "$CHARON_BIN" ]; then
		CASE_SKIP="strongSwan not installed (scripts/deps.sh bench)"
		return 1
	fi
	addr_add "$NA" lo 10.10.1.1/32 && addr_add "$NB" lo 10.10.2.1/32 || return 1
	mkdir -p "$da" "$db"
	_swan_conf 192.0.2.1 192.0.2.2 10.10.1.0/24 10.10.2.0/24 >"$da.conf"
	_swan_conf 192.0.2.2 192.0.2.1 10.10.2.0/24 10.10.1.0/24 >"$db.conf"
	if ! charon_start "$NA" "$da" || ! charon_start "$NB" "$db" ||
		! charon_load "$da" "$da.conf" || ! charon_load "$db" "$db.conf" ||
		! charon_initiate "$da" net 20 || ! charon_wait_child "$db" bench.child-sas.net 5; then
		CASE_SKIP="charon tunnel did not come up (logs in $da, $db)"
		return 1
	fi
	CASE_SRC=10.10.1.1
	CASE_DST=10.10.2.1
	CASE_PIDS="$(charon_pid "$da") $(charon_pid "$db")"
	say "strongswan: $(charon_sa_get "$da" bench.child-sas.net.encr-alg)" \
		"$(charon_sa_get "$da" bench.child-sas.net.encr-keysize), encap" \
		"$(charon_sa_get "$da" bench.child-sas.net.encap)"
}

setup_wireguard() {
	local ia="wga$T_ID" ib="wgb$T_ID" ka kb pa pb
	if ! command -v wireguard-go >/dev/null 2>&1 || ! command -v wg >/dev/null 2>&1; then
		CASE_SKIP="wireguard-go or wg not installed (scripts/deps.sh bench)"
		return 1
	fi
	# The UAPI sockets live in /var/run/wireguard/NAME.sock: names unique per run.
	ka=$T_TMP/wg-a.key
	kb=$T_TMP/wg-b.key
	(umask 077 && wg genkey >"$ka" && wg genkey >"$kb") || return 1
	pa=$(wg pubkey <"$ka")
	pb=$(wg pubkey <"$kb")
	# wireguard-go refuses to run where the kernel has WireGuard unless told otherwise.
	export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
	ns_bg "$NA" "$T_TMP/wg-a.log" \
		wireguard-go -f "$ia"
	CASE_PIDS=$T_BG_PID
	ns_bg "$NB" "$T_TMP/wg-b.log" \
		wireguard-go -f "$ib"
	CASE_PIDS="$CASE_PIDS $T_BG_PID"
	if ! wait_socket "/var/run/wireguard/$ia.sock" 10 ||
		! wait_socket "/var/run/wireguard/$ib.sock" 10; then
		CASE_SKIP="wireguard-go did not start ($T_TMP/wg-a.log)"
		return 1
	fi
	ns_exec "$NA" wg set "$ia" private-key "$ka" listen-port 51820 peer "$pb" \
		endpoint 192.0.2.2:51820 allowed-ips 10.10.0.2/32 &&
		ns_exec "$NB" wg set "$ib" private-key "$kb" listen-port 51820 peer "$pa" \
			endpoint 192.0.2.1:51820 allowed-ips 10.10.0.1/32 &&
		addr_add "$NA" "$ia" 10.10.0.1/24 && addr_add "$NB" "$ib" 10.10.0.2/24 &&
		ip -n "$NA" link set "$ia" up && ip -n "$NB" link set "$ib" up || return 1
	CASE_SRC=10.10.0.1
	CASE_DST=10.10.0.2
}

# Rampart: tests/netns/rampart_tunnel.sh (rt_start, rt_tunnel) with static SAs keyed through
# `rampart xfrm`, one AES-128-GCM SA each way, tunnel mode. BENCH_RAMPART_ENCAP=udp (default,
# like charon's kernel-libipsec, which always encapsulates) or esp (plain ESP, IP protocol 50).
setup_rampart() {
	if [ ! -x "$RAMPARTD" ] || [ ! -x "$RAMPART" ]; then
		CASE_SKIP="no $RAMPARTD or $RAMPART (make all)"
		CASE_KEEP=0
		return 1
	fi
	if [ ! -f "$RAMPART_TUNNEL_SH" ]; then
		CASE_SKIP="the data plane is not on main yet (no tests/netns/rampart_tunnel.sh)"
		CASE_KEEP=0
		return 1
	fi
	. "$RAMPART_TUNNEL_SH"
	addr_add "$NA" lo 10.10.1.1/32 && addr_add "$NB" lo 10.10.2.1/32 || return 1
	if ! rt_start RA "$NA" || ! rt_start RB "$NB"; then
		CASE_SKIP="rampartd did not start (logs $T_TMP/RA.log, $T_TMP/RB.log)"
		return 1
	fi
	if ! rt_tunnel RA RB 192.0.2.1 192.0.2.2 10.10.1.0/24 10.10.2.0/24 \
		"$BENCH_RAMPART_ENCAP" gcm >"$T_TMP/rt_tunnel.log" 2>&1; then
		CASE_SKIP="rampart xfrm refused the SAs ($(tail -n 1 "$T_TMP/rt_tunnel.log"))"
		return 1
	fi
	CASE_SRC=10.10.1.1
	CASE_DST=10.10.2.1
	CASE_PIDS="$(rt_pid RA) $(rt_pid RB)"
	say "rampart: AES-128-GCM, $BENCH_RAMPART_ENCAP, $RAMPARTD"
}

# ---- measuring -------------------------------------------------------------------------------

cpu_ticks() { # pids...
	local p t=0 v
	for p in "$@"; do
		v=$(proc_cpu_ticks "$p")
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# json_get FILE EXPR: a value from an iperf3 -J report (python3: no jq needed).
json_get() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
e = d.get("end", {})
r = e.get("sum_received", {})
if sys.argv[2] == "tcp":
    print(int(r.get("bits_per_second", 0)))
elif sys.argv[2] == "udp":
    secs = r.get("seconds") or 0
    got = r.get("packets", 0) - r.get("lost_packets", 0)
    print(int(got / secs) if secs else 0)
elif sys.argv[2] == "error":
    print(d.get("error", ""))' "$1" "$2" 2>/dev/null
}

# _rt_net_tx NAME: protected packets rampartd NAME sent (its net-tx counter).
_rt_net_tx() {
	rt_ctl "$1" stats 2>/dev/null | awk '$1 == "net-tx" { print $2; exit }'
}

# outer_packets: packets that crossed the outer link so far, both directions. The veth counts
# a UDP GSO train (Rampart's ESP in UDP) as one packet, so for Rampart the daemons' own
# counters of ESP packets sent are used (A's and B's: both directions).
outer_packets() {
	local a b
	if [ "$CASE" = rampart ]; then
		a=$(_rt_net_tx RA)
		b=$(_rt_net_tx RB)
		echo $((${a:-0} + ${b:-0}))
	else
		if_packets "$NA" a0
	fi
}

# The measuring window: daemon CPU ticks and outer packets at its start and end.
mark_start() {
	# shellcheck disable=SC2086
	M_T0=$(cpu_ticks $CASE_PIDS)
	M_P0=$(outer_packets)
}
mark_end() {
	# shellcheck disable=SC2086
	M_T1=$(cpu_ticks $CASE_PIDS)
	M_P1=$(outer_packets)
}

# traffic_tcp N: iperf3 TCP from a to b; sets M_VALUE to the bits/s received (empty if none).
traffic_tcp() {
	local json=$T_TMP/$CASE-tcp-$1.json srv
	ns_bg "$NB" "$T_TMP/$CASE-iperf3-server.log" iperf3 -s -1 -B "$CASE_DST" -p 5201
	srv=$T_BG_PID
	if wait_tcp_port "$NB" 5201 10; then
		mark_start
		ns_exec "$NA" timeout $((BENCH_TIME + 30)) iperf3 -c "$CASE_DST" -B "$CASE_SRC" \
			-p 5201 --connect-timeout 5000 -J -t "$BENCH_TIME" >"$json" 2>"$json.err"
		mark_end
	else
		echo "iperf3 server did not start" >&2
	fi
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	M_VALUE=$(json_get "$json" tcp)
}

# traffic_pps N: 64-byte UDP from a to b, as fast as the sender goes; sets M_VALUE to the
# packets per second the receiving application got. build/bench/udpblast (sendmmsg/recvmmsg)
# when built, else iperf3 -u -l 64 -b 0.
traffic_pps() {
	local out=$T_TMP/$CASE-pps-$1 rcv
	if [ -x "$UDPBLAST" ]; then
		ns_bg "$NB" "$out.recv" "$UDPBLAST" recv "$CASE_DST" 5202 "$BENCH_TIME"
		rcv=$T_BG_PID
		if wait_udp_port "$NB" 5202 10; then
			mark_start
			ns_exec "$NA" timeout $((BENCH_TIME + 30)) "$UDPBLAST" send "$CASE_SRC" \
				"$CASE_DST" 5202 $((BENCH_TIME + 1)) 64 >"$out.send" 2>&1
			mark_end
		fi
		wait_for 15 sh -c "! kill -0 $rcv 2>/dev/null"
		kill "$rcv" 2>/dev/null
		wait "$rcv" 2>/dev/null
		M_VALUE=$(sed -n 's/^received .*: \([0-9]*\) pps.*/\1/p' "$out.recv")
		return
	fi
	ns_bg "$NB" "$T_TMP/$CASE-iperf3-server.log" iperf3 -s -1 -B "$CASE_DST" -p 5201
	rcv=$T_BG_PID
	if wait_tcp_port "$NB" 5201 10; then
		mark_start
		ns_exec "$NA" timeout $((BENCH_TIME + 30)) iperf3 -c "$CASE_DST" -B "$CASE_SRC" \
			-p 5201 --connect-timeout 5000 -J -t "$BENCH_TIME" -u -l 64 -b 0 \
			>"$out.json" 2>"$out.err"
		mark_end
	fi
	kill "$rcv" 2>/dev/null
	wait "$rcv" 2>/dev/null
	M_VALUE=$(json_get "$out.json" udp)
}

# run_one KIND N: one run (KIND tcp or pps); appends "case kind value cpu_ns_per_pkt" to
# $RESULTS, with cpu "-" for cases without daemons.
run_one() {
	local kind=$1 n=$2 cpu pk
	M_T0=0 M_T1=0 M_P0=0 M_P1=0 M_VALUE=""
	"traffic_$kind" "$n"
	if [ -z "$M_VALUE" ] || [ "$M_VALUE" = 0 ]; then
		say "$CASE $kind run $n/$REPEAT: no result (files $T_TMP/$CASE-$kind-$n*)"
		return 1
	fi
	pk=$((M_P1 - M_P0))
	cpu=-
	if [ -n "$CASE_PIDS" ] && [ "$pk" -gt 0 ]; then
		# clock ticks -> ns, per outer packet
		cpu=$(((M_T1 - M_T0) * (1000000000 / HZ) / pk))
	fi
	echo "$CASE $kind $M_VALUE $cpu" >>"$RESULTS"
	if [ "$kind" = tcp ]; then
		say "$CASE tcp run $n/$REPEAT: $(fmt_gbit "$M_VALUE") Gbit/s," \
			"cpu $(fmt_us "$cpu") us/pkt ($pk outer packets)"
	else
		say "$CASE 64-byte UDP run $n/$REPEAT: $(fmt_kpps "$M_VALUE") kpps delivered," \
			"cpu $(fmt_us "$cpu") us/pkt ($pk outer packets)"
	fi
}

fmt_gbit() { [ "$1" = - ] && echo - || awk -v v="$1" 'BEGIN { printf "%.3f", v / 1e9 }'; }
fmt_kpps() { [ "$1" = - ] && echo - || awk -v v="$1" 'BEGIN { printf "%.1f", v / 1e3 }'; }
fmt_us() { [ "$1" = - ] && echo - || awk -v v="$1" 'BEGIN { printf "%.2f", v / 1e3 }'; }

# median CASE KIND FIELD: median of the recorded values (field 3 value, 4 cpu); "-" if none.
median() {
	awk -v c="$1" -v k="$2" -v f="$3" '$1 == c && $2 == k && $f != "-" { print $f }' \
		"$RESULTS" 2>/dev/null | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2)
		}'
}

# ping_checked: pings through the case's path; for tunnels, a capture on the outer link must
# hold no plaintext ICMP (a bypass would make the figures meaningless).
ping_checked() {
	local pcap=$T_TMP/$CASE-ping.pcap n
	capture_start "$NA" a0 "$pcap" icmp || {
		CASE_SKIP="tcpdump did not start"
		return 1
	}
	if ! ping_ok "$NA" "$CASE_DST" "$CASE_SRC" 3; then
		capture_stop
		CASE_SKIP="no ping through the tunnel"
		return 1
	fi
	capture_stop
	n=$(capture_count "$pcap")
	if [ "$CASE" != plain ] && [ "$n" != 0 ]; then
		CASE_SKIP="$n plaintext ICMP packets on the outer link: not a tunnel"
		return 1
	fi
	if [ "$CASE" = plain ] && [ "$n" = 0 ]; then
		CASE_SKIP="the capture saw no ping on the plain link"
		return 1
	fi
}

# bench_case NAME: fresh namespaces, the case's tunnel, the runs; then everything torn down.
bench_case() {
	local i
	CASE=$1
	CASE_SKIP=""
	CASE_KEEP=1
	CASE_PIDS=""
	say "--- $CASE"
	ns_create NA "$CASE-a" && ns_create NB "$CASE-b" &&
		link_pair "$NA" a0 "$NB" b0 192.0.2.1/24 192.0.2.2/24 || {
		echo "$CASE skip could not create namespaces" >>"$RESULTS"
		return
	}
	if ! "setup_$CASE"; then
		[ -n "$CASE_SKIP" ] || CASE_SKIP="setup failed"
		# keep the logs of a setup that broke (not of one that cannot run here yet)
		[ "$CASE_KEEP" = 1 ] && T_KEEP=1
		say "$CASE: not available ($CASE_SKIP)"
		echo "$CASE skip $CASE_SKIP" >>"$RESULTS"
	elif ! ping_checked; then
		T_KEEP=1
		say "$CASE: not available ($CASE_SKIP)"
		echo "$CASE skip $CASE_SKIP" >>"$RESULTS"
	else
		i=1
		while [ $i -le "$REPEAT" ]; do
			run_one tcp $i
			i=$((i + 1))
		done
		i=1
		while [ "$BENCH_PPS" = 1 ] && [ $i -le "$REPEAT" ]; do
			run_one pps $i
			i=$((i + 1))
		done
	fi
	for d in "$T_TMP/$CASE-charon-a" "$T_TMP/$CASE-charon-b"; do
		[ -d "$d" ] && charon_stop "$d"
	done
	ns_destroy "$NA"
	ns_destroy "$NB"
}

ratio() { # a b
	if [ "$1" = - ] || [ "$2" = - ] || [ "$2" = 0 ]; then echo -; else
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	fi
}

report() {
	local c label skip tcp tcpcpu udp udpcpu
	echo
	echo "Rampart benchmark: iperf3 TCP ${BENCH_TIME}s and 64-byte UDP, median of $REPEAT," \
		"$(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "CPU/pkt: user+system time of both daemons per packet on the outer link"
	echo "load average at start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(other work on the machine skews every figure)"
	echo
	printf '%-14s %12s %12s %12s %12s\n' case "TCP Gbit/s" "CPU us/pkt" "64B kpps" "CPU us/pkt"
	printf '%-14s %12s %12s %12s %12s\n' -------------- ------------ ------------ \
		------------ ------------
	for c in $BENCH_CASES; do
		case $c in wireguard) label=wireguard-go ;; *) label=$c ;; esac
		skip=$(awk -v c="$c" '$1 == c && $2 == "skip" { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' \
			"$RESULTS" 2>/dev/null)
		if [ -n "$skip" ]; then
			printf '%-14s %s\n' "$label" "not available ($skip)"
			continue
		fi
		tcp=$(median "$c" tcp 3)
		tcpcpu=$(median "$c" tcp 4)
		udp=$(median "$c" pps 3)
		udpcpu=$(median "$c" pps 4)
		printf '%-14s %12s %12s %12s %12s\n' "$label" "$(fmt_gbit "$tcp")" "$(fmt_us "$tcpcpu")" \
			"$(fmt_kpps "$udp")" "$(fmt_us "$udpcpu")"
	done
	echo
	printf '%-26s %10s %10s\n' ratio "TCP" "64B pps"
	for c in strongswan wireguard plain; do
		case $c in wireguard) label=wireguard-go ;; *) label=$c ;; esac
		printf '%-26s %10s %10s\n' "rampart/$label" \
			"$(ratio "$(median rampart tcp 3)" "$(median "$c" tcp 3)")" \
			"$(ratio "$(median rampart pps 3)" "$(median "$c" pps 3)")"
	done
	case " $BENCH_CASES " in
	*" rampart "*) ;;
	*) echo "rampart: not measured (not in BENCH_CASES)" ;;
	esac
	# the issue's memory budget, as rampartd creates SAs (keys only, contexts in worker caches)
	[ -x "$root/build/bench/esp_bench" ] && "$root/build/bench/esp_bench" sa-memory
	if grep -q '^rampart skip' "$RESULTS" 2>/dev/null; then
		echo "rampart: not available ($(awk '$1 == "rampart" && $2 == "skip" { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' "$RESULTS"))"
	fi
}

: >"$RESULTS"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "cases: $BENCH_CASES; ${BENCH_TIME}s per run, $REPEAT runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in $BENCH_CASES; do
	if command -v "setup_$c" >/dev/null 2>&1; then
		bench_case "$c"
	else
		say "unknown case $c"
	fi
done
# The single-core microbenchmarks that make bench builds (bench/*_bench.c) print their own figures.
if [ "${BENCH_MICRO:-1}" = 1 ]; then
	for b in "$root"/build/bench/*_bench; do
		[ -x "$b" ] || continue
		say "--- $(basename "$b")"
		timeout 600 "$b" || say "$(basename "$b") failed (exit $?)"
	done
fi

# The IKEv2 handshake benchmark against rampartd and charon (its own table and ratios; sized by
# BENCH_IKE_N, BENCH_IKE_WINDOW, BENCH_IKE_REPEAT). BENCH_IKE=0 skips it (default: as
# BENCH_MICRO).
if [ "${BENCH_IKE:-${BENCH_MICRO:-1}}" = 1 ]; then
	say "--- ike_handshake"
	sh "$root/bench/ike_handshake.sh" || say "ike_handshake failed (exit $?)"
fi

BENCH_REPORT=${BENCH_REPORT:-$root/build/bench/report.txt}
mkdir -p "$(dirname "$BENCH_REPORT")"
report | tee "$BENCH_REPORT"
