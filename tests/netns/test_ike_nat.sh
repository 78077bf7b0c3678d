#!/bin/sh
# rampartd behind a masquerading NAT initiating to rampartd, and the NAT's mapping changing
# under the tunnel (RFC 7296 §2.23): the responder follows its peer to the new address and port
# and the Child SAs move in place (same SPIs), first on the peer's authenticated ESP, then, with
# the peer's traffic stopped, on its next IKE message (a DPD liveness check; with MOBIKE, the
# default, the address update it triggers, RFC 4555 §3.8). The side behind
# the NAT sends NAT keepalives (keep_alive = 2s in its rampart section).
#
#   ns A (rampartd, behind the NAT)        ns M (nftables masquerade)          ns B (rampartd)
#   lan 10.1.0.1/24                                                            lan 10.2.0.1/24
#   a0 10.31.0.2/24  <---->  m0 10.31.0.1/24   m1 198.51.100.1/24  <---->  b0 198.51.100.2/24
#
# The NAT maps to source ports 20000-20999 at first. A mapping change is the router's public
# address moving (198.51.100.1 -> .3 -> .4: the kernel drops masqueraded flows of a removed
# address) with a new port range (30000-30999, then 40000-40999).
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip nft timeout tcpdump
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA na || exit 1
ns_create NM nm || exit 1
ns_create NB nb || exit 1
link_pair "$NA" a0 "$NM" m0 10.31.0.2/24 10.31.0.1/24 || exit 1
link_pair "$NM" m1 "$NB" b0 198.51.100.1/24 198.51.100.2/24 || exit 1
route_add "$NA" default 10.31.0.1 || exit 1
lan_add "$NA" 10.1.0.1/24 || exit 1
lan_add "$NB" 10.2.0.1/24 || exit 1
ns_forwarding "$NM" || exit 1

# nat PORTS: masquerade on m1 to source ports PORTS (the table replaced)
nat() {
	ip netns exec "$NM" nft delete table ip rampart_nat 2>/dev/null
	printf 'table ip rampart_nat {\n chain post {\n  type nat hook postrouting priority srcnat; policy accept;\n  oifname "m1" meta l4proto { tcp, udp } masquerade to :%s\n  oifname "m1" masquerade\n }\n}\n' "$1" |
		ip netns exec "$NM" nft -f -
}
t_check "masquerade to ports 20000-20999" nat 20000-20999

PSK="nat-mapping-change-psk-0123456789"
CONF_A="connections {
$(ri_conn gw 10.31.0.2 198.51.100.2 a.rampart.test b.rampart.test 10.1.0.0/24 10.2.0.0/24 |
	sed 's/dpd_delay = 0/dpd_delay = 3s/')
}
secrets {
$(ri_secret gw a.rampart.test b.rampart.test "$PSK")
}"
CONF_B="connections {
$(ri_conn gw 198.51.100.2 %any b.rampart.test a.rampart.test 10.2.0.0/24 10.1.0.0/24)
}
secrets {
$(ri_secret gw a.rampart.test b.rampart.test "$PSK")
}"
rt_start A "$NA" "keep_alive = 2s" "$CONF_A" || t_fail "rampartd A starts"
rt_start B "$NB" "" "$CONF_B" || t_fail "rampartd B starts"
[ "$T_FAIL" -eq 0 ] || t_done

t_check "rampart up gw (A behind the NAT initiates)" ri_up A gw
SA=$T_TMP/sas-a
SB=$T_TMP/sas-b
ri_sas A >"$SA"
ri_sas B >"$SB"
sed 's/^/#   B: /' "$SB"
t_expect_eq "A knows it is behind a NAT" yes "$(ri_get "$SA" gw.nat-local)"
t_expect_eq "B sees A behind a NAT" yes "$(ri_get "$SB" gw.nat-remote)"
t_expect_eq "B sees the NAT's address" 198.51.100.1 "$(ri_get "$SB" gw.remote-host)"
port0=$(ri_get "$SB" gw.remote-port)
t_check "B sees a NAT port in 20000-20999 ($port0)" test "${port0:-0}" -ge 20000 -a "${port0:-0}" -le 20999
spi_in=$(ri_get "$SB" gw.child-sas.net.spi-in)
spi_out=$(ri_get "$SB" gw.child-sas.net.spi-out)
t_check "ping A -> B through the tunnel" ping_ok "$NA" 10.2.0.1 10.1.0.1
t_check "ping B -> A through the tunnel" ping_ok "$NB" 10.1.0.1 10.2.0.1

# remap PUBLIC PORTS: the router's public address moves (its masqueraded flows are dropped)
remap() {
	nat "$2" && ip -n "$NM" addr flush dev m1 && ip -n "$NM" addr add "$1/24" dev m1
}
b_followed() { # ADDRESS
	ri_sas B >"$SB" && [ "$(ri_get "$SB" gw.remote-host)" = "$1" ]
}

# ---- 1: the mapping changes under traffic from A: B follows A's ESP ------------------------
ip netns exec "$NA" ping -q -n -i 0.2 -w 30 -I 10.1.0.1 10.2.0.1 >"$T_TMP/ping-a" 2>&1 &
PING=$!
t_track "$PING"
sleep 1
t_check "NAT re-addressed to 198.51.100.3, ports 30000-30999" remap 198.51.100.3 30000-30999
t_check "B follows A to 198.51.100.3 (ESP from the new mapping)" wait_for 10 b_followed 198.51.100.3
port1=$(ri_get "$SB" gw.remote-port)
t_check "B shows the new port ($port1)" test "${port1:-0}" -ge 30000 -a "${port1:-0}" -le 30999
t_expect_eq "same inbound SPI (moved in place)" "$spi_in" "$(ri_get "$SB" gw.child-sas.net.spi-in)"
t_expect_eq "same outbound SPI" "$spi_out" "$(ri_get "$SB" gw.child-sas.net.spi-out)"
t_expect_eq "IKE SA still ESTABLISHED" ESTABLISHED "$(ri_get "$SB" gw.state)"
t_check "ping B -> A works again" ping_ok "$NB" 10.1.0.1 10.2.0.1
t_check "ping A -> B works" ping_ok "$NA" 10.2.0.1 10.1.0.1
t_check "B's log: moved on A's ESP" grep -q \
	"peer moved from 198.51.100.1.* (authenticated ESP packet" "$T_TMP/B.log"
kill "$PING" 2>/dev/null
wait "$PING" 2>/dev/null

# ---- 2: the mapping changes while A is silent: B follows A's next IKE message (DPD) ----------
sleep 1
t_check "NAT re-addressed to 198.51.100.4, ports 40000-40999" remap 198.51.100.4 40000-40999
# B's packets go to the dead mapping until A's liveness check (dpd_delay 3 s) arrives
t_check "B follows A to 198.51.100.4 (A's liveness check)" wait_for 20 b_followed 198.51.100.4
port2=$(ri_get "$SB" gw.remote-port)
t_check "B shows the new port ($port2)" test "${port2:-0}" -ge 40000 -a "${port2:-0}" -le 40999
t_expect_eq "same inbound SPI" "$spi_in" "$(ri_get "$SB" gw.child-sas.net.spi-in)"
# with MOBIKE (the default) A's liveness check carries NAT detection, B answers where it came
# from, A sees its mapping changed and sends UPDATE_SA_ADDRESSES (RFC 4555 §3.8)
t_check "B's log: moved on A's IKE message (MOBIKE address update)" grep -qE \
	"peer moved from 198.51.100.3.* \((authenticated IKE message|UPDATE_SA_ADDRESSES)" \
	"$T_TMP/B.log"
t_check "ping B -> A works again" ping_ok "$NB" 10.1.0.1 10.2.0.1
t_check "ping A -> B works" ping_ok "$NA" 10.2.0.1 10.1.0.1

# ---- keepalives: A (behind the NAT, keep_alive = 2s) sends 0xFF to 4500; B (not) sends none -
capture_start "$NM" m0 "$T_TMP/ka.pcap" udp port 4500 and udp[4:2] = 9 || t_fail "tcpdump"
sleep 7
capture_stop
ka=$(capture_count "$T_TMP/ka.pcap" src host 10.31.0.2)
kb=$(capture_count "$T_TMP/ka.pcap" dst host 10.31.0.2)
t_check "A sent NAT keepalives every 2 s ($ka in 7 s)" test "${ka:-0}" -ge 3 -a "${ka:-0}" -le 4
t_expect_eq "B sent none" 0 "${kb:-x}"
ri_sas A >"$SA"
t_expect_eq "A: still ESTABLISHED" ESTABLISHED "$(ri_get "$SA" gw.state)"
[ "$T_FAIL" -eq 0 ] || {
	tail -n 30 "$T_TMP/A.log"
	tail -n 40 "$T_TMP/B.log"
} >&2
t_done
