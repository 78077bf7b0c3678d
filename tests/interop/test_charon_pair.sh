#!/bin/sh
# charon <-> charon in two namespaces: validates the harness (tests/netns/lib.sh, charon.sh)
# that the Rampart-vs-charon interop tests reuse.
#
#   ns a                                            ns b
#   lo 10.1.0.1/32, fd01::1/128                    lo 10.2.0.1/32, fd02::1/128
#   ipsec0 (kernel-libipsec)                       ipsec0 (kernel-libipsec)
#   veth a0 192.0.2.1/24  <----- ESP in UDP ----->  veth b0 192.0.2.2/24
#
# IKEv2 with a PSK, IKE aes128gcm16-prfsha256-x25519, ESP aes128gcm16, tunnel mode between
# 10.1.0.0/24,fd01::/64 and 10.2.0.0/24,fd02::/64. Checks: the SAs come up with the proposed
# algorithms, pings pass both ways (IPv4 and IPv6 inside), the SA counters move, and a capture
# on the outer link holds only ESP in UDP 4500 carrying the negotiated SPIs, no inner packet.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
. "$here/../netns/charon.sh"
. "$here/../netns/rampart_ike.sh"

t_need_root
t_need_cmd swanctl tcpdump ping "$CHARON_BIN"

ns_create A a || exit 1
ns_create B b || exit 1
link_pair "$A" a0 "$B" b0 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$A" lo 10.1.0.1/32 fd01::1/128 || exit 1
addr_add "$B" lo 10.2.0.1/32 fd02::1/128 || exit 1

conf() { # local_addr remote_addr local_ts remote_ts id remote_id
	charon_psk_conf "$@" "0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
}

DA=$T_TMP/charon-a
DB=$T_TMP/charon-b
mkdir -p "$DA" "$DB"
conf 192.0.2.1 192.0.2.2 10.1.0.0/24,fd01::/64 10.2.0.0/24,fd02::/64 \
	a.rampart.test b.rampart.test >"$T_TMP/a.conf"
conf 192.0.2.2 192.0.2.1 10.2.0.0/24,fd02::/64 10.1.0.0/24,fd01::/64 \
	b.rampart.test a.rampart.test >"$T_TMP/b.conf"

t_check "charon a starts" charon_start "$A" "$DA"
t_check "charon b starts" charon_start "$B" "$DB"
t_check "charon a loads its config" charon_load "$DA" "$T_TMP/a.conf"
t_check "charon b loads its config" charon_load "$DB" "$T_TMP/b.conf"
[ "$T_FAIL" -eq 0 ] || t_done

t_check "a initiates the CHILD_SA" charon_initiate "$DA" net 20
t_check "CHILD_SA installed on b" charon_wait_child "$DB" gw.child-sas.net 5
SA=$T_TMP/sas-a
SB=$T_TMP/sas-b
charon_sas "$DA" >"$SA"
charon_sas "$DB" >"$SB"
t_expect_eq "IKE_SA established on a" ESTABLISHED "$(charon_sa_get "$SA" gw.state)"
t_expect_eq "IKE encryption" AES_GCM_16 "$(charon_sa_get "$SA" gw.encr-alg)"
t_expect_eq "IKE key size" 128 "$(charon_sa_get "$SA" gw.encr-keysize)"
t_expect_eq "IKE PRF" PRF_HMAC_SHA2_256 "$(charon_sa_get "$SA" gw.prf-alg)"
t_expect_eq "IKE key exchange" CURVE_25519 "$(charon_sa_get "$SA" gw.dh-group)"
t_expect_eq "ESP encryption" AES_GCM_16 "$(charon_sa_get "$SA" gw.child-sas.net.encr-alg)"
t_expect_eq "ESP key size" 128 "$(charon_sa_get "$SA" gw.child-sas.net.encr-keysize)"
t_expect_eq "ESP in UDP" yes "$(charon_sa_get "$SA" gw.child-sas.net.encap)"
t_expect_eq "traffic selectors (local)" "[10.1.0.0/24 fd01::/64]" \
	"$(charon_sa_get "$SA" gw.child-sas.net.local-ts)"
t_expect_eq "traffic selectors (remote)" "[10.2.0.0/24 fd02::/64]" \
	"$(charon_sa_get "$SA" gw.child-sas.net.remote-ts)"
spi_a=$(charon_sa_get "$SA" gw.child-sas.net.spi-in)
spi_b=$(charon_sa_get "$SB" gw.child-sas.net.spi-in)
t_expect_eq "SPIs agree a->b" "$spi_b" "$(charon_sa_get "$SA" gw.child-sas.net.spi-out)"
t_expect_eq "SPIs agree b->a" "$spi_a" "$(charon_sa_get "$SB" gw.child-sas.net.spi-out)"

# The route to the remote subnet goes through ipsec0 once the CHILD_SA is installed.
t_check "route to b's subnet through ipsec0" wait_for 5 sh -c \
	"ip -n $A route get 10.2.0.1 | grep -q ipsec0"

capture_start "$A" a0 "$T_TMP/outer.pcap" || t_fail "tcpdump starts"
t_check "ping a -> b through the tunnel" ping_ok "$A" 10.2.0.1 10.1.0.1 5
t_check "ping b -> a through the tunnel" ping_ok "$B" 10.1.0.1 10.2.0.1 5
t_check "ping6 a -> b through the tunnel" ping_ok "$A" fd02::1 fd01::1 5
t_check "ping6 b -> a through the tunnel" ping_ok "$B" fd01::1 fd02::1 5
capture_stop

pcap=$T_TMP/outer.pcap
# Unicast IP packets on the outer link, leaving out IPv6 neighbour discovery and router
# solicitation and
# IKE itself (port 500, or 4500 with the non-ESP marker: charon may send a liveness check or a
# keepalive while the pings run).
# Multicast (MLD reports carry a hop-by-hop header, so "icmp6" misses them) is left out too.
all=$(capture_count "$pcap" "(ip or ip6) and not ip multicast and not ip6 multicast and not (icmp6 and (ip6[40] >= 133 and ip6[40] <= 137)) and not udp port 500 and not (udp port 4500 and (udp[8:4] = 0 or udp[4:2] = 9))")
esp=$(capture_count "$pcap" "udp port 4500 and udp[8:4] != 0")
esp_spi=$(capture_count "$pcap" "udp port 4500 and (udp[8:4] = 0x$spi_a or udp[8:4] = 0x$spi_b)")
plain=$(capture_count "$pcap" "icmp or (icmp6 and not (ip6[40] >= 133 and ip6[40] <= 137))")
# 20 pings x request and reply = 40 ESP packets at least.
t_expect_ge "ESP-in-UDP packets on the outer link" 40 "$esp"
t_expect_eq "every outer IP packet is ESP in UDP 4500" "$all" "$esp"
t_expect_eq "every ESP packet carries a negotiated SPI" "$esp" "$esp_spi"
t_expect_eq "no plaintext ICMP on the outer link" 0 "$plain"
t_expect_ge "a's CHILD_SA counted outbound packets" 20 \
	"$(charon_sa_get "$DA" gw.child-sas.net.packets-out)"
t_expect_ge "b's CHILD_SA counted inbound packets" 20 \
	"$(charon_sa_get "$DB" gw.child-sas.net.packets-in)"

t_check "a terminates the IKE_SA" charon_terminate "$DA" gw
t_check "b sees the IKE_SA gone" charon_wait_no_sas "$DB" 5
if ping_ok "$A" 10.2.0.1 10.1.0.1 1; then
	t_fail "no traffic after the tunnel is down"
else
	t_pass "no traffic after the tunnel is down"
fi

# A different PSK on b: the harness must report the failure, not hang or pass.
sed 's/secret = .*/secret = "a-different-key"/' "$T_TMP/b.conf" >"$T_TMP/b-wrong.conf"
t_check "b reloads with another PSK" charon_load "$DB" "$T_TMP/b-wrong.conf"
if charon_initiate "$DA" net 10; then
	t_fail "a wrong PSK makes the initiation fail"
else
	t_pass "a wrong PSK makes the initiation fail"
fi
t_check "b logged the failed authentication" grep -q "MAC mismatched" "$DB/charon.log"

if [ "$T_FAIL" -ne 0 ]; then
	echo "--- charon a log tail"
	tail -n 30 "$DA/charon.log"
	echo "--- charon b log tail"
	tail -n 30 "$DB/charon.log"
fi
t_done
