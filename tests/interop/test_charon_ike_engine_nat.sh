#!/bin/sh
# The Rampart IKEv2 engine behind a NAT, initiating to charon: NAT detection both ways, the
# float to port 4500 (non-ESP marker) through a masquerading router that maps 500 and 4500 to
# random source ports, and charon seeing the peer behind the NAT.
#
#   ns a (test_ike_udp --peer)    ns m (masquerade, fully-random)         ns b (charon)
#   a0 10.31.0.2/24  <---->  m0 10.31.0.1/24   m1 198.51.100.1/24  <---->  b0 198.51.100.2/24
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
. "$here/../netns/charon.sh"
. "$here/../netns/rampart_ike.sh"

PEER=$here/../../build/check/tests/exchange/test_ike_udp

t_need_root
t_need_cmd swanctl nft "$CHARON_BIN"
[ -x "$PEER" ] || t_skip_all "no $PEER (make check-build)"

ns_create A a || exit 1
ns_create M m || exit 1
ns_create B b || exit 1
link_pair "$A" a0 "$M" m0 10.31.0.2/24 10.31.0.1/24 || exit 1
link_pair "$M" m1 "$B" b0 198.51.100.1/24 198.51.100.2/24 || exit 1
route_add "$A" default 10.31.0.1 || exit 1
addr_add "$B" lo 10.2.0.1/32 || exit 1
t_check "masquerade NAT with random ports" nat_masquerade "$M" m1 fully-random

DB=$T_TMP/charon-b
mkdir -p "$DB"
PSK=rampart-engine-nat-secret
charon_psk_conf 198.51.100.2 %any 10.2.0.0/24 10.1.0.0/24 b.rampart.test a.rampart.test "$PSK" \
	>"$T_TMP/b.conf"
t_check "charon b starts" charon_start "$B" "$DB"
t_check "charon b loads its config" charon_load "$DB" "$T_TMP/b.conf"
[ "$T_FAIL" -eq 0 ] || t_done

t_check "engine behind the NAT initiates" ip netns exec "$A" "$PEER" --peer --local 10.31.0.2 \
	--remote 198.51.100.2 --lid a.rampart.test --rid b.rampart.test --psk "$PSK" \
	--ike aes128gcm16-prfsha256-x25519 --esp aes128gcm16 --lts 10.1.0.0/24 \
	--rts 10.2.0.0/24 --initiate --wait 20 >"$T_TMP/peer.log" 2>&1
S=$T_TMP/sas
charon_sas "$DB" >"$S"
t_expect_eq "IKE_SA established on charon" ESTABLISHED "$(charon_sa_get "$S" gw.state)"
t_expect_eq "charon sees the peer behind a NAT" yes "$(charon_sa_get "$S" gw.nat-remote)"
t_expect_eq "charon sees the NAT's address" 198.51.100.1 "$(charon_sa_get "$S" gw.remote-host)"
t_check "the engine moved to port 4500 (charon's view of the IKE_AUTH)" \
	grep -q "received packet: from 198.51.100.1\[[0-9]*\] to 198.51.100.2\[4500\]" "$DB/charon.log"
t_expect_eq "CHILD_SA installed" INSTALLED "$(charon_sa_get "$S" gw.child-sas.net.state)"
t_expect_eq "ESP in UDP" yes "$(charon_sa_get "$S" gw.child-sas.net.encap)"

[ "$T_FAIL" -eq 0 ] || {
	tail -n 20 "$T_TMP/peer.log"
	tail -n 60 "$DB/charon.log"
} >&2
t_done
