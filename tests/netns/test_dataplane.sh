#!/bin/sh
# rampartd's userspace data plane between two namespaces, keyed manually with `rampart xfrm`.
#
#        namespace A (rp-a-$$)                          namespace B (rp-b-$$)
#   lo 10.1.0.1/32  fd01::1/128                    lo 10.2.0.1/32  fd02::1/128
#          |                                                |
#   rampart0 (TUN) -- rampartd                rampartd -- rampart0 (TUN)
#          |                                                |
#        veth a  192.0.2.1  ====================  192.0.2.2  veth b
#                2001:db8::1       ESP / AH /     2001:db8::2
#                                  ESP-in-UDP
#
# Tunnel mode protects 10.1.0.0/24 <-> 10.2.0.0/24 (and fd01::/64 <-> fd02::/64); transport
# mode protects 192.0.2.1 <-> 192.0.2.2. For each: ping and a TCP transfer checked by SHA-256,
# and a capture on the veth that must hold only ESP/AH/UDP-4500 between the protected
# addresses. Also: CLI errors change nothing, listings and JSON, counters, clean shutdown.
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
t_need_root
t_need_cmd ip tcpdump nc sha256sum python3
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA a || exit 1
ns_create NB b || exit 1
link_pair "$NA" veth "$NB" veth 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64 || exit 1
addr_add "$NA" lo 10.1.0.1/32 fd01::1/128 || exit 1
addr_add "$NB" lo 10.2.0.1/32 fd02::1/128 || exit 1

rt_start A "$NA" || t_fail "rampartd A starts"
rt_start B "$NB" || t_fail "rampartd B starts"
[ "$T_FAIL" -eq 0 ] || t_done

# ---- CLI behaviour ---------------------------------------------------------------------------
out=$(rt_ctl A xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xzz 2>&1)
rc=$?
t_expect_eq "invalid SPI exits non-zero" 1 "$rc"
t_expect_eq "invalid SPI message" 'rampart: invalid SPI "0xzz": expected a number' "$out"
out=$(rt_ctl A xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
	aead 'rfc4106(gcm(aes))' 0x00112233445566778899aabbccddeeff 128 2>&1)
t_expect_eq "short GCM key message" \
	'rampart: key for "rfc4106(gcm(aes))" must be 20, 28 or 36 bytes, got 16' "$out"
t_expect_eq "failed commands changed nothing" "" "$(rt_ctl A xfrm state list)"
out=$(rt_ctl A xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x100 \
	aead 'rfc4106(gcm(aes))' 0x00112233445566778899aabbccddeeff01020304 128 2>&1)
t_expect_eq "daemon refuses a state with no local address" \
	"rampart: neither src 198.51.100.1 nor dst 198.51.100.2 is an address of this host" "$out"

# ---- traffic checks --------------------------------------------------------------------------
head -c 1000000 /dev/urandom >"$T_TMP/blob"
want=$(sha256sum <"$T_TMP/blob" | cut -d' ' -f1)
PORT=5000

# tcp_ok LABEL SRC DST: 1 MB from A (bound to SRC) to B's DST, compared by SHA-256.
tcp_ok() {
	PORT=$((PORT + 1))
	rm -f "$T_TMP/recv"
	ns_bg "$NB" "$T_TMP/recv" nc -l -n "$2" "$PORT" 2>/dev/null
	local lpid=$T_BG_PID
	ns_bg "$NB" "$T_TMP/nc.log" true
	ip netns exec "$NB" sh -c "exec nc -l -n $3 $PORT" >"$T_TMP/recv" 2>/dev/null &
	lpid=$!
	wait_tcp_port "$NB" "$PORT" 5
	ip netns exec "$NA" timeout 20 nc -N -n -s "$2" "$3" "$PORT" <"$T_TMP/blob"
	wait_for 10 sh -c "! kill -0 $lpid 2>/dev/null"
	kill "$lpid" 2>/dev/null
	t_expect_eq "$1: TCP transfer $2 -> $3 intact" "$want" \
		"$(sha256sum <"$T_TMP/recv" | cut -d' ' -f1)"
}

# run_case LABEL SRC DST FILTER_PROTECTED FILTER_PLAIN
run_case() {
	local cap="$T_TMP/$1.pcap"
	capture_start "$NA" veth "$cap"
	t_check "$1: ping $2 -> $3" ping_ok "$NA" "$3" "$2" 5
	tcp_ok "$1" "$2" "$3"
	capture_stop
	# the transfer crossed protected: at least 100 full-size packets' worth (bytes, not
	# packets: ESP in UDP leaves in UDP GSO trains, which a capture on the veth sees as one
	# frame each; and the capture may drop some under load)
	t_expect_ge "$1: protected bytes on the wire" 100000 "$(capture_bytes "$cap" "$4")"
	t_expect_eq "$1: no clear packets between the protected addresses" 0 \
		"$(capture_count "$cap" "$5")"
}

clear4='(icmp or tcp) and host 10.1.0.1 and host 10.2.0.1'
for type in esp ah udp; do
	case $type in
	esp) f=esp ;;
	ah) f=ah ;;
	udp) f='udp port 4500' ;;
	esac
	rt_tunnel A B 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 "$type" ||
		t_fail "tunnel $type: states and policies accepted"
	run_case "tunnel-$type" 10.1.0.1 10.2.0.1 "$f" "ip and not ($f) and ($clear4)"
	if [ "$type" = esp ]; then
		# Path MTU: with the TUN's MTU raised, a full-size DF packet no longer fits the
		# outer 1500 bytes; src/esp answers with "fragmentation needed" through the TUN.
		ip -n "$NA" link set rampart0 mtu 1480
		out=$(ip netns exec "$NA" ping -c 1 -W 2 -M do -s 1452 -I 10.1.0.1 10.2.0.1 2>&1)
		ip -n "$NA" link set rampart0 mtu 1400
		case "$out" in
		*"mtu = 14"*) t_pass "tunnel-esp: oversized DF packet answered with ICMP frag-needed" ;;
		*) t_fail "tunnel-esp: oversized DF packet answered with ICMP frag-needed" "$out" ;;
		esac
		t_expect_ge "tunnel-esp: icmp-too-big counted" 1 \
			"$(rt_ctl A stats | awk '$1 == "icmp-too-big" { print $2 }')"
		t_check "tunnel-esp: ping after the MTU error" ping_ok "$NA" 10.2.0.1 10.1.0.1 2
		n=$(rt_ctl A --json xfrm state list | python3 -c '
import json, sys
sas = json.load(sys.stdin)
print(sum(s["stats"]["out_packets"] for s in sas if s["dir"] == "out"))')
		t_expect_ge "tunnel-esp: state list --json counts outbound packets" 700 "$n"
		t_check "tunnel-esp: stats lists the SAs" sh -c \
			"ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl stats | grep -q 'sa esp spi 0x00001001'"
	fi
	rt_flush A && rt_flush B || t_fail "flush $type"
done

# IPv6 inside an IPv4 tunnel
rt_tunnel A B 192.0.2.1 192.0.2.2 fd01::/64 fd02::/64 esp chacha || t_fail "tunnel v6-in-v4 setup"
run_case "tunnel-v6-in-v4" fd01::1 fd02::1 esp 'ip6 and (icmp6 or tcp) and host fd01::1'
rt_flush A && rt_flush B

# transport mode between the hosts, IPv4 and IPv6
rt_transport A B 192.0.2.1 192.0.2.2 esp cbc || t_fail "transport esp setup"
run_case "transport-esp" 192.0.2.1 192.0.2.2 esp '(icmp or tcp) and host 192.0.2.1 and host 192.0.2.2'
rt_flush A && rt_flush B
rt_transport A B 2001:db8::1 2001:db8::2 ah || t_fail "transport ah v6 setup"
run_case "transport-ah6" 2001:db8::1 2001:db8::2 ah \
	'ip6 and not ah and (icmp6[0] == 128 or tcp) and host 2001:db8::1 and host 2001:db8::2'
rt_flush A && rt_flush B

# ESP in UDP in transport mode, IPv4 and IPv6 outer: the UDP GSO trains carry the hosts' own
# addresses (IP_PKTINFO / IPV6_PKTINFO), the receiver splits UDP GRO datagrams and rebuilds
# each packet's IP header in place
rt_transport A B 192.0.2.1 192.0.2.2 udp || t_fail "transport udp setup"
run_case "transport-udp" 192.0.2.1 192.0.2.2 'udp port 4500' \
	'(icmp or tcp) and host 192.0.2.1 and host 192.0.2.2'
rt_flush A && rt_flush B
rt_transport A B 2001:db8::1 2001:db8::2 udp || t_fail "transport udp v6 setup"
run_case "transport-udp6" 2001:db8::1 2001:db8::2 'udp port 4500' \
	'ip6 and (icmp6[0] == 128 or tcp) and host 2001:db8::1 and host 2001:db8::2'
rt_flush A && rt_flush B

# ---- clean shutdown ----------------------------------------------------------------------------
t_check "rampartd A stops on SIGTERM" rt_stop A
t_check "control socket removed" sh -c "! test -e $T_TMP/A.ctl"
t_check "TUN removed" sh -c "! ip -n $NA link show rampart0 2>/dev/null"
t_expect_eq "routing rule removed" "" "$(ip -n "$NA" rule show | grep 'lookup 220')"
t_done
