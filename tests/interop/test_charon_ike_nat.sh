#!/bin/sh
# NAT mapping changes between rampartd and strongSwan's charon (kernel-libipsec), each side
# in turn behind an nftables masquerade (RFC 7296 §2.23):
#   1. charon behind the NAT initiates to rampartd; the NAT's address and ports change under
#      traffic from charon's side: rampartd follows charon's ESP (in place, same SPIs); then
#      again with charon silent: rampartd follows charon's next IKE message (DPD, 3 s).
#   2. rampartd behind the NAT initiates to charon; the mapping changes: charon follows
#      rampartd's next authenticated IKE message (rampartd's DPD, 3 s) and traffic flows again.
#
#   ns A (behind the NAT)                  ns M (masquerade)                   ns B
#   lan 10.1.0.1/24                                                            lan 10.2.0.1/24
#   a0 10.31.0.2/24  <---->  m0 10.31.0.1/24   m1 198.51.100.1/24  <---->  b0 198.51.100.2/24
#   (1: charon, 2: rampartd)                                          (1: rampartd, 2: charon)
#
# A mapping change moves the router's public address (its masqueraded flows are dropped) and
# its source port range.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
ci_need nft

PSK="nat-interop-psk-0123456789abcdef"

# topo N: namespaces A$N, M$N, B$N as drawn above (variables NA, NM, NB)
topo() {
	ns_create NA "na$1" && ns_create NM "nm$1" && ns_create NB "nb$1" || return 1
	link_pair "$NA" a0 "$NM" m0 10.31.0.2/24 10.31.0.1/24 || return 1
	link_pair "$NM" m1 "$NB" b0 198.51.100.1/24 198.51.100.2/24 || return 1
	route_add "$NA" default 10.31.0.1 || return 1
	lan_add "$NA" 10.1.0.1/24 && lan_add "$NB" 10.2.0.1/24 && ns_forwarding "$NM" &&
		nat 20000-20999
}
# nat PORTS: masquerade on m1 to source ports PORTS (the table replaced)
nat() {
	ip netns exec "$NM" nft delete table ip rampart_nat 2>/dev/null
	printf 'table ip rampart_nat {\n chain post {\n  type nat hook postrouting priority srcnat; policy accept;\n  oifname "m1" meta l4proto { tcp, udp } masquerade to :%s\n  oifname "m1" masquerade\n }\n}\n' "$1" |
		ip netns exec "$NM" nft -f -
}
remap() { # PUBLIC PORTS
	nat "$2" && ip -n "$NM" addr flush dev m1 && ip -n "$NM" addr add "$1/24" dev m1
}
in_range() { # VALUE LOW
	[ "${1:-0}" -ge "$2" ] && [ "${1:-0}" -le $(($2 + 999)) ]
}
# mobike = no on both ends: this is §2.23's implicit following; with MOBIKE (RFC 4555 §3.3) no
# end follows implicitly (strongSwan neither), only UPDATE_SA_ADDRESSES moves an SA, and charon
# behind a NAT cannot tell its mapping changed when its first liveness check already went
# through the new one (test_charon_ike_mobike covers MOBIKE)
conf_a() { # the side behind the NAT (dpd_delay 3 s)
	echo "connections {"
	ri_conn gw 10.31.0.2 198.51.100.2 a.rampart.test b.rampart.test 10.1.0.0/24 10.2.0.0/24 |
		sed 's/dpd_delay = 0/dpd_delay = 3s\n\t\tmobike = no/'
	echo "}"
	echo "secrets {"
	ri_secret gw a.rampart.test b.rampart.test "$PSK"
	echo "}"
}
conf_b() {
	echo "connections {"
	ri_conn gw 198.51.100.2 %any b.rampart.test a.rampart.test 10.2.0.0/24 10.1.0.0/24 |
		sed 's/dpd_delay = 0/dpd_delay = 0\n\t\tmobike = no/'
	echo "}"
	echo "secrets {"
	ri_secret gw a.rampart.test b.rampart.test "$PSK"
	echo "}"
}

# ---- 1: charon behind the NAT, rampartd follows ----------------------------------------------
topo 1 || exit 1
DC=$T_TMP/charon1
mkdir -p "$DC"
conf_a >"$T_TMP/charon1.conf"
t_check "1: charon (behind the NAT) starts" charon_start "$NA" "$DC"
t_check "1: charon loads its config" charon_load "$DC" "$T_TMP/charon1.conf"
rt_start R1 "$NB" "" "$(conf_b)" || t_fail "1: rampartd starts"
[ "$T_FAIL" -eq 0 ] || t_done
t_check "1: charon initiates" charon_initiate "$DC" net
S=$T_TMP/sas
r1_remote() { # ADDRESS: rampartd sees its peer there
	ri_sas R1 >"$S" && [ "$(ri_get "$S" gw.remote-host)" = "$1" ]
}
t_check "1: rampartd sees charon at the NAT's address" wait_for 10 r1_remote 198.51.100.1
t_expect_eq "1: rampartd sees charon behind a NAT" yes "$(ri_get "$S" gw.nat-remote)"
t_check "1: NAT port in 20000-20999 ($(ri_get "$S" gw.remote-port))" \
	in_range "$(ri_get "$S" gw.remote-port)" 20000
spi_in=$(ri_get "$S" gw.child-sas.net.spi-in)
t_check "1: ping charon side -> rampartd side" ping_ok "$NA" 10.2.0.1 10.1.0.1
t_check "1: ping rampartd side -> charon side" ping_ok "$NB" 10.1.0.1 10.2.0.1

ip netns exec "$NA" ping -q -n -i 0.2 -w 20 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 &
PING=$!
t_track "$PING"
sleep 1
t_check "1: NAT moves to 198.51.100.3, ports 30000-30999" remap 198.51.100.3 30000-30999
t_check "1: rampartd follows charon to 198.51.100.3" wait_for 10 r1_remote 198.51.100.3
t_check "1: new port in 30000-30999 ($(ri_get "$S" gw.remote-port))" \
	in_range "$(ri_get "$S" gw.remote-port)" 30000
t_expect_eq "1: Child SA moved in place (same SPI)" "$spi_in" "$(ri_get "$S" gw.child-sas.net.spi-in)"
t_check "1: ping rampartd side -> charon side again" ping_ok "$NB" 10.1.0.1 10.2.0.1
kill "$PING" 2>/dev/null
wait "$PING" 2>/dev/null
sleep 1
t_check "1: NAT moves to 198.51.100.4, ports 40000-40999 (charon silent)" \
	remap 198.51.100.4 40000-40999
t_check "1: rampartd follows charon's next IKE message" wait_for 25 r1_remote 198.51.100.4
t_check "1: new port in 40000-40999 ($(ri_get "$S" gw.remote-port))" \
	in_range "$(ri_get "$S" gw.remote-port)" 40000
t_check "1: ping rampartd side -> charon side again" ping_ok "$NB" 10.1.0.1 10.2.0.1
t_check "1: ping charon side -> rampartd side" ping_ok "$NA" 10.2.0.1 10.1.0.1
t_check "1: rampartd logged the moves" grep -q "peer moved from 198.51.100.3" "$T_TMP/R1.log"
charon_stop "$DC"
rt_stop R1

# ---- 2: rampartd behind the NAT, charon follows ----------------------------------------------
topo 2 || exit 1
DC=$T_TMP/charon2
mkdir -p "$DC"
conf_b >"$T_TMP/charon2.conf"
t_check "2: charon starts" charon_start "$NB" "$DC"
t_check "2: charon loads its config" charon_load "$DC" "$T_TMP/charon2.conf"
rt_start R2 "$NA" "" "$(conf_a)" || t_fail "2: rampartd starts"
[ "$T_FAIL" -eq 0 ] || t_done
t_check "2: rampart up gw (behind the NAT)" ri_up R2 gw
C=$T_TMP/csas
c_remote() { # ADDRESS: charon sees its peer there
	charon_sas "$DC" >"$C" && [ "$(charon_sa_get "$C" gw.remote-host)" = "$1" ]
}
t_check "2: charon sees rampartd at the NAT's address" wait_for 10 c_remote 198.51.100.1
t_expect_eq "2: charon sees rampartd behind a NAT" yes "$(charon_sa_get "$C" gw.nat-remote)"
ri_sas R2 >"$S"
t_expect_eq "2: rampartd knows it is behind a NAT" yes "$(ri_get "$S" gw.nat-local)"
t_check "2: ping rampartd side -> charon side" ping_ok "$NA" 10.2.0.1 10.1.0.1
t_check "2: ping charon side -> rampartd side" ping_ok "$NB" 10.1.0.1 10.2.0.1
t_check "2: NAT moves to 198.51.100.3, ports 30000-30999" remap 198.51.100.3 30000-30999
t_check "2: charon follows rampartd to 198.51.100.3" wait_for 25 c_remote 198.51.100.3
t_check "2: new port in 30000-30999 ($(charon_sa_get "$C" gw.remote-port))" \
	in_range "$(charon_sa_get "$C" gw.remote-port)" 30000
t_check "2: ping charon side -> rampartd side again" ping_ok "$NB" 10.1.0.1 10.2.0.1
t_check "2: ping rampartd side -> charon side" ping_ok "$NA" 10.2.0.1 10.1.0.1
t_expect_eq "2: IKE SA still ESTABLISHED (rampartd)" ESTABLISHED "$(ri_sas R2 | grep '^gw.state=' | cut -d= -f2)"
[ "$T_FAIL" -eq 0 ] || {
	tail -n 30 "$T_TMP/R1.log" "$T_TMP/R2.log" 2>/dev/null
	tail -n 40 "$T_TMP/charon1/charon.log" "$T_TMP/charon2/charon.log" 2>/dev/null
} >&2
t_done
