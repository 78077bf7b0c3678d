#!/bin/sh
# `make demo`: two network namespaces, a rampartd in each configured in swanctl.conf syntax,
# `rampart up` negotiates IKEv2 (PSK, AES-GCM, X25519) and the Child SA carries a ping and a
# TCP transfer between the protected subnets; then what the wire saw, `rampart down` and a
# clean shutdown. Uses the release build (build/rampartd, build/rampart); needs root.
# DEMO=xfrm runs the manual-keying demo instead (scripts/demo_xfrm.sh).
#
#      namespace "left"                                  namespace "right"
#   10.1.0.1/24 (lan)                                  10.2.0.1/24 (lan)
#      |  rampart0 (TUN)                     rampart0 (TUN)  |
#   rampartd                                             rampartd
#      |  veth 192.0.2.1  ===== IKEv2, ESP =====  192.0.2.2 veth |
cd "$(dirname "$0")/.." || exit 1
[ "${DEMO:-ike}" = xfrm ] && exec sh scripts/demo_xfrm.sh
root=$(pwd)
[ "$(id -u)" = 0 ] || {
	echo "demo: needs root (network namespaces)" >&2
	exit 1
}
T_ID=demo$$
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
RAMPARTD=${RAMPARTD:-$root/build/rampartd}
RAMPART=${RAMPART:-$root/build/rampart}
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || {
	echo "demo: build first (make)" >&2
	exit 1
}

if [ -t 1 ]; then
	B=$(printf '\033[1m') D=$(printf '\033[2m') G=$(printf '\033[32m') R=$(printf '\033[31m')
	N=$(printf '\033[0m')
else
	B="" D="" G="" R="" N=""
fi
step() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
show() { # WHO CMD...: print the command as typed
	local who=$1
	shift
	printf '%s%s$ %s%s\n' "$D" "$who" "$*" "$N"
}
ok() { printf '%s  ok:%s %s\n' "$G" "$N" "$*"; }
die() {
	printf '%s  failed:%s %s\n' "$R" "$N" "$*"
	for f in "$T_TMP/left.log" "$T_TMP/right.log"; do
		[ -f "$f" ] && printf '%s--- %s%s\n' "$D" "$f" "$N" && tail -n 15 "$f"
	done
	T_FAIL=1
	exit 1
}
indent() { sed 's/^/  /'; }

step "Topology"
sed -n '8,12p' "$0" | sed 's/^#/ /'

ns_create L left || die "ip netns add"
ns_create RR right || die "ip netns add"
link_pair "$L" veth "$RR" veth 192.0.2.1/24 192.0.2.2/24 || die "veth"
for n in "$L" "$RR"; do
	ip -n "$n" link add lan type veth peer name lan-p && ip -n "$n" link set lan up &&
		ip -n "$n" link set lan-p up || die "lan"
done
addr_add "$L" lan 10.1.0.1/24 && addr_add "$RR" lan 10.2.0.1/24 || die "addresses"
ok "namespaces $L and $RR, veth 192.0.2.1 <-> 192.0.2.2"

PSK="0s$(head -c 24 /dev/urandom | base64)"
conf() { # ME PEER MY-ID PEER-ID MY-NET THEIR-NET
	echo "connections {"
	ri_conn gw "$1" "$2" "$3" "$4" "$5" "$6"
	echo "}"
	echo "secrets {"
	ri_secret gw "$3" "$4" "$PSK"
	echo "}"
}
CONF_L=$(conf 192.0.2.1 192.0.2.2 left.rampart.test right.rampart.test 10.1.0.0/24 10.2.0.0/24)
CONF_R=$(conf 192.0.2.2 192.0.2.1 right.rampart.test left.rampart.test 10.2.0.0/24 10.1.0.0/24)

step "Start rampartd in each namespace (configuration in swanctl.conf syntax)"
rt_start left "$L" "" "$CONF_L" || die "rampartd left (log: $T_TMP/left.log)"
rt_start right "$RR" "" "$CONF_R" || die "rampartd right (log: $T_TMP/right.log)"
show left "cat left.conf   # right.conf mirrors it; the PSK is random per run"
sed -e 's/secret = ".*"/secret = "0s…"/' -e "s|$T_TMP/||" -e '/dpd_delay/d' -e '/^\s*$/d' \
	-e 's/\t/  /g' "$T_TMP/left.conf" | indent
show left "rampartd --foreground --config left.conf"
indent <"$T_TMP/left.log"
show left "rampart list-conns"
rt_ctl left list-conns | indent

step "Negotiate: IKE_SA_INIT + IKE_AUTH, the Child SA installed on both sides"
capture_start "$L" veth "$T_TMP/wire.pcap" || die "tcpdump"
show left "rampart up gw"
t0=$(date +%s%N)
ri_up left gw >/dev/null || die "rampart up gw: $RI_OUT"
t1=$(date +%s%N)
printf '%s\n' "$RI_OUT" | indent
ok "established in $(((t1 - t0) / 1000000)) ms"
show left "rampart list-sas"
rt_ctl left list-sas | indent
show right "rampart list-sas"
rt_ctl right list-sas | indent
ri_sas left >"$T_TMP/l.sas"
ri_sas right >"$T_TMP/r.sas"
spi_l=$(ri_get "$T_TMP/l.sas" gw.child-sas.net.spi-in)
spi_r=$(ri_get "$T_TMP/r.sas" gw.child-sas.net.spi-in)
[ -n "$spi_l" ] && [ "$spi_l" = "$(ri_get "$T_TMP/r.sas" gw.child-sas.net.spi-out)" ] &&
	[ "$spi_r" = "$(ri_get "$T_TMP/l.sas" gw.child-sas.net.spi-out)" ] ||
	die "the two sides disagree on the SPIs"
ok "SPIs cross: left in $spi_l = right out, right in $spi_r = left out"

step "Ping through the tunnel, both ways"
show left "ping -c 3 -I 10.1.0.1 10.2.0.1"
ip netns exec "$L" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1 | indent || die ping
show right "ping -c 3 -I 10.2.0.1 10.1.0.1"
ip netns exec "$RR" ping -c 3 -i 0.2 -W 2 -I 10.2.0.1 10.1.0.1 | tail -n 2 | indent ||
	die ping

step "A TCP transfer through the tunnel (iperf3, 3 s)"
ns_bg "$RR" "$T_TMP/iperf3-server.log" iperf3 -s -B 10.2.0.1 -1
wait_tcp_port "$RR" 5201 5 || die "iperf3 server"
show left "iperf3 -c 10.2.0.1 -B 10.1.0.1 -t 3"
ip netns exec "$L" iperf3 -c 10.2.0.1 -B 10.1.0.1 -t 3 -f m | grep -E 'sender|receiver' |
	indent || die iperf3
capture_stop

step "What the wire between the namespaces saw"
ike=$(capture_count "$T_TMP/wire.pcap" 'udp port 500 or (udp port 4500 and udp[8:4] = 0)')
esp=$(capture_count "$T_TMP/wire.pcap" "esp or (udp port 4500 and udp[8:4] != 0)")
clear=$(capture_count "$T_TMP/wire.pcap" '(icmp or tcp) and net 10.1.0.0/24 and net 10.2.0.0/24')
show veth "tcpdump -n -r wire.pcap | head -6"
tcpdump -n -r "$T_TMP/wire.pcap" 2>/dev/null | head -6 | cut -c1-110 | indent
ok "$ike IKE messages, $esp ESP packets, $clear clear packets between the subnets"
[ "$clear" = 0 ] || die "clear traffic leaked"

step "Tear down"
show left "rampart down gw"
rt_ctl left down gw | indent || die "rampart down"
wait_for 5 sh -c "! ip netns exec $RR $RAMPART --socket $T_TMP/right.ctl list-sas | grep -q ESTABLISHED" ||
	die "right still has the IKE SA"
show right "rampart list-sas"
rt_ctl right list-sas | indent
rt_stop left && rt_stop right || die "rampartd did not stop"
ok "rampartd stopped on SIGTERM: TUN, routes, rule and control socket removed"
printf '\n%sDone.%s Namespaces are removed on exit. More: DEMO=xfrm make demo (manual keying),\n' "$B" "$N"
printf 'sh tests/netns/test_ike_pair.sh, sh tests/interop/test_charon_ike.sh\n'
