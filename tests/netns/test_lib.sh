#!/bin/sh
# Checks the namespace helpers in tests/netns/lib.sh that other tests rely on: addressing
# (IPv4 and IPv6), the subnet pair (lan_add), ping summaries, forwarding, masquerade NAT (with and without fully-random), packet loss,
# the wait helpers, captures, and cleanup of namespaces and their processes.
#
#   ns c                     ns m (forwards; NAT, loss)             ns s
#   c0 10.31.0.2/24  <---->  m0 10.31.0.1/24   m1 198.51.100.1/24  <---->  s0 198.51.100.2/24
#      fd31::2/64               fd31::1/64        fd32::1/64                  fd32::2/64
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

t_need_root
t_need_cmd ip nft tcpdump ping nc ss

# Cleanup: a child run leaves neither its namespace nor its processes behind.
T_ID="child$$" sh -c ". '$here/lib.sh'
	ns_create X x && ns_bg \"\$X\" /dev/null sleep 100 && echo \"\$X \$T_BG_PID \$T_TMP\"
	t_pass child; t_done" >"$T_TMP/child.out" 2>&1
# shellcheck disable=SC2046
set -- $(head -n 1 "$T_TMP/child.out")
t_check "child run printed its namespace" test -n "${1:-}"
t_check "child namespace deleted at exit" sh -c "! ip netns list | awk '{ print \$1 }' | grep -qx '${1:-none}'"
t_check "child process killed at exit" sh -c "! kill -0 ${2:-0} 2>/dev/null"
t_check "child temporary directory removed" test ! -e "${3:-/nonexistent}"

ns_create C c || exit 1
ns_create M m || exit 1
ns_create S s || exit 1
link_pair "$C" c0 "$M" m0 10.31.0.2/24 10.31.0.1/24 fd31::2/64 fd31::1/64 || exit 1
link_pair "$M" m1 "$S" s0 198.51.100.1/24 198.51.100.2/24 fd32::1/64 fd32::2/64 || exit 1
route_add "$C" default 10.31.0.1
route_add "$C" default fd31::1
route_add "$S" fd31::/64 fd32::1
ns_forwarding "$M"
# s has no route back to 10.31.0.0/24: replies reach c only through the NAT.

t_check "IPv6 forwarded c -> s" ping_ok "$C" fd32::2
if ping_ok "$C" 198.51.100.2 "" 1; then t_fail "IPv4 needs the NAT"; else t_pass "IPv4 needs the NAT"; fi
t_check "masquerade NAT set up" nat_masquerade "$M" m1
t_check "IPv4 through the NAT c -> s" ping_ok "$C" 198.51.100.2

# UDP from a fixed source port: plain masquerade keeps the port, fully-random changes it
# (a new port per flow, so the second flow uses another source port).
udp_from() { # label source-port
	capture_start "$S" s0 "$T_TMP/$1.pcap" udp port 7777 || return 1
	echo ping | ns_exec "$C" nc -u -w 1 -p "$2" 198.51.100.2 7777 >/dev/null 2>&1
	capture_stop
}
udp_from nat 5555
t_expect_eq "s sees the NAT's address" 1 \
	"$(capture_count "$T_TMP/nat.pcap" src host 198.51.100.1 and dst port 7777)"
t_expect_eq "masquerade keeps source port 5555" 1 \
	"$(capture_count "$T_TMP/nat.pcap" src port 5555)"
ns_exec "$M" nft delete table ip rampart_nat
t_check "fully-random NAT set up" nat_masquerade "$M" m1 fully-random
udp_from random 5556
t_expect_eq "s sees the NAT's address (fully-random)" 1 \
	"$(capture_count "$T_TMP/random.pcap" src host 198.51.100.1 and dst port 7777)"
t_expect_eq "fully-random changes source port 5556" 0 \
	"$(capture_count "$T_TMP/random.pcap" src port 5556)"

# Loss: 50 % in the middle drops some of 40 echo requests or replies, not all.
t_check "loss rule set" loss_set "$M" 50
got=$(ns_exec "$C" ping -n -c 40 -i 0.02 -W 1 198.51.100.2 2>/dev/null |
	sed -n 's/.* \([0-9]*\) received.*/\1/p')
if [ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt 35 ]; then
	t_pass "50 % loss loses some but not all pings ($got/40)"
else
	t_fail "50 % loss loses some but not all pings" "received '$got' of 40"
fi
t_expect_ge "loss rule counted drops" 1 "$(loss_dropped "$M")"
loss_set "$M" 0
t_check "no loss after loss_set 0" ping_ok "$C" 198.51.100.2 "" 10

# lan_add: the subnet pair up, its addresses on lan (the first one primary).
t_check "lan_add" lan_add "$S" 10.9.0.1/24 10.9.1.1/24 fd09::1/64
t_check "lan_add: lan and lan-p up" sh -c "ip -n '$S' -br link show lan | grep -q UP &&
	ip -n '$S' -br link show lan-p | grep -q UP"
t_expect_eq "lan_add: IPv4 addresses in order" "10.9.0.1/24 10.9.1.1/24" \
	"$(ip -n "$S" -4 -o addr show dev lan | awk '{ printf "%s%s", sep, $4; sep = " " }')"
t_check "lan_add: IPv6 address" sh -c "ip -n '$S' -6 -o addr show dev lan | grep -q fd09::1/64"
if lan_add "$S" 10.9.2.1/24 2>/dev/null; then t_fail "a second lan_add fails"; else
	t_pass "a second lan_add fails"
fi

# ping_sent / ping_received / ping_lost read ping -q's summary line.
printf '%s\n' "--- 10.2.0.1 ping statistics ---" \
	"40 packets transmitted, 27 received, +2 errors, 32.5% packet loss, time 800ms" >"$T_TMP/ping.sum"
t_expect_eq "ping_sent" 40 "$(ping_sent "$T_TMP/ping.sum")"
t_expect_eq "ping_received" 27 "$(ping_received "$T_TMP/ping.sum")"
t_expect_eq "ping_lost" 13 "$(ping_lost "$T_TMP/ping.sum")"
t_expect_eq "ping_lost with no summary" "" "$(ping_lost /dev/null)"

# Waits: a listening port is found; a port nobody listens on times out in time.
ns_bg "$S" "$T_TMP/nc.log" nc -l -p 7001
t_check "wait_tcp_port finds a listener" wait_tcp_port "$S" 7001 5
start=$(date +%s)
if wait_tcp_port "$S" 7002 1; then t_fail "wait_tcp_port on a closed port"; else
	t_pass "wait_tcp_port on a closed port fails"
fi
t_check "wait_tcp_port gives up after its timeout" test $(($(date +%s) - start)) -le 5

# Accounting reads live numbers.
ticks=$(proc_cpu_ticks $$)
t_check "proc_cpu_ticks reads a number" test "${ticks:-x}" -ge 0
t_expect_ge "if_packets counts c0's packets" 40 "$(if_packets "$C" c0)"
t_done
