#!/bin/sh
# rampartd <-> strongSwan's charon (kernel-libipsec), IKEv2 with a PSK, for real: rampartd as
# initiator and as responder, traffic through the tunnel both ways, both sides' listings agree.
#
#   ns R (rp-ir-$$)                                   ns C (rp-ic-$$)
#   lan 10.1.0.1/24 (veth pair)                       lan 10.2.0.1/24 (veth pair)
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c
#          192.0.2.11  (conn "cbc")                   192.0.2.12
#          192.0.2.21  (conn "chacha")                192.0.2.22
#          192.0.2.31  (conn "badpsk")                192.0.2.32
#          192.0.2.41  (conn "noprop")                192.0.2.42
#
# Connections (tunnel mode, 10.1.0.0/24 <-> 10.2.0.0/24, one at a time):
#   gw      IKE aes128gcm16-prfsha256-x25519, ESP aes128gcm16: rampartd initiates, then charon
#   cbc     IKE aes256-sha256-modp2048, ESP aes256-sha256: rampartd initiates
#   chacha  IKE chacha20poly1305-prfsha256-x25519, ESP chacha20poly1305: charon initiates
# For each: the SAs are up on both sides with the proposed algorithms, `swanctl --list-sas` and
# `rampart list-sas` agree on the IKE and ESP SPIs (one side's in = the other's out), pings
# pass both ways between the subnets, the outer link carries no clear ICMP, and closing the
# IKE SA from the initiator removes it on both sides. On gw charon runs DPD (dpd_delay 1s):
# its empty INFORMATIONAL requests must be answered while the tunnel idles. charon forces UDP
# encapsulation (its kernel-libipsec data plane fakes NAT detection), so ESP travels in UDP 4500.
# Failures: "badpsk" (different PSKs) and "noprop" (aes128gcm16-prfsha256-x25519 against
# aes256-sha256-modp2048) make `rampart up` fail naming authentication / NO_PROPOSAL_CHOSEN
# with our proposal (charon logs both sides' proposals).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need tcpdump
CHARON_PLUGINS="$CHARON_PLUGINS chapoly"
ci_topology ir ic 10.1.0.1/24 10.2.0.1/24 \
	"192.0.2.11/24 192.0.2.21/24 192.0.2.31/24 192.0.2.41/24" \
	"192.0.2.12/24 192.0.2.22/24 192.0.2.32/24 192.0.2.42/24"

# conns MY-SUFFIX PEER-SUFFIX MY-NET THEIR-NET ME PEER MY-WRONG-PSK NOPROP-PROPOSALS: the
# connections, swanctl syntax
conns() {
	echo "connections {"
	ri_conn gw "192.0.2.$1" "192.0.2.$2" "$5.rampart.test" "$6.rampart.test" "$3" "$4"
	ri_conn cbc "192.0.2.1$1" "192.0.2.1$2" "$5.rampart.test" "$6.rampart.test" "$3" "$4" \
		aes256-sha256-modp2048 aes256-sha256
	ri_conn chacha "192.0.2.2$1" "192.0.2.2$2" "$5.rampart.test" "$6.rampart.test" "$3" "$4" \
		chacha20poly1305-prfsha256-x25519 chacha20poly1305
	ri_conn badpsk "192.0.2.3$1" "192.0.2.3$2" "w$5.rampart.test" "w$6.rampart.test" "$3" "$4"
	ri_conn noprop "192.0.2.4$1" "192.0.2.4$2" "$5.rampart.test" "$6.rampart.test" "$3" "$4" "$8"
	echo "}"
	echo "secrets {"
	ri_secret all r.rampart.test c.rampart.test "$CI_PSK"
	ri_secret wrong wr.rampart.test wc.rampart.test "$7"
	echo "}"
}

rt_start R "$NR" "" "$(conns 1 2 10.1.0.0/24 10.2.0.0/24 r c psk-of-rampart-side \
	aes128gcm16-prfsha256-x25519)" ||
	t_fail "rampartd starts with its IKE configuration"
# charon checks liveness on gw (an empty INFORMATIONAL request after 1 s without traffic)
ci_charon "$(conns 2 1 10.2.0.0/24 10.1.0.0/24 c r psk-of-charon-side aes256-sha256-modp2048 |
	sed '0,/dpd_delay = 0/s//dpd_delay = 1s/')"


# run_case CONN INITIATOR(rampart|charon) IKE-ENCR IKE-DH ESP-ENCR IKE-TEXT ESP-TEXT
run_case() {
	local c=$1 who=$2 sr="$T_TMP/sas-r-$1-$2" sc="$T_TMP/sas-c-$1-$2" cap
	t_log "---- $c, $who initiates"
	ci_up "$c" "$c" "$who"
	ri_sas R >"$sr"
	charon_sas "$DC" >"$sc"
	t_expect_eq "$c: rampartd IKE SA ESTABLISHED" ESTABLISHED "$(ri_get "$sr" "$c.state")"
	t_expect_eq "$c: charon IKE SA ESTABLISHED" ESTABLISHED "$(charon_sa_get "$sc" "$c.state")"
	t_expect_eq "$c: rampartd Child SA INSTALLED" INSTALLED \
		"$(ri_get "$sr" "$c.child-sas.net.state")"
	t_expect_eq "$c: IKE encryption (charon)" "$3" "$(charon_sa_get "$sc" "$c.encr-alg")"
	t_expect_eq "$c: IKE encryption (rampartd)" "$3" "$(ri_get "$sr" "$c.encr-alg")"
	t_expect_eq "$c: IKE key exchange (charon)" "$4" "$(charon_sa_get "$sc" "$c.dh-group")"
	t_expect_eq "$c: ESP encryption (charon)" "$5" \
		"$(charon_sa_get "$sc" "$c.child-sas.net.encr-alg")"
	t_expect_eq "$c: ESP encryption (rampartd)" "$5" \
		"$(ri_get "$sr" "$c.child-sas.net.encr-alg")"
	t_expect_eq "$c: ESP in UDP (charon)" yes "$(charon_sa_get "$sc" "$c.child-sas.net.encap")"
	t_expect_eq "$c: IKE initiator SPI agrees" "$(charon_sa_get "$sc" "$c.initiator-spi")" \
		"$(ri_get "$sr" "$c.initiator-spi")"
	t_expect_eq "$c: IKE responder SPI agrees" "$(charon_sa_get "$sc" "$c.responder-spi")" \
		"$(ri_get "$sr" "$c.responder-spi")"
	t_check "$c: rampart list-sas (text) names the IKE algorithms" sh -c \
		"ip netns exec $NR $RAMPART --socket $T_TMP/R.ctl list-sas | grep -qx '  $6'"
	t_check "$c: rampart list-sas (text) names the ESP algorithms" sh -c \
		"ip netns exec $NR $RAMPART --socket $T_TMP/R.ctl list-sas | grep -qx '    $7'"
	r_in=$(ri_get "$sr" "$c.child-sas.net.spi-in")
	r_out=$(ri_get "$sr" "$c.child-sas.net.spi-out")
	t_check "$c: rampartd lists ESP SPIs (in $r_in, out $r_out)" test -n "$r_in" -a -n "$r_out"
	t_expect_eq "$c: charon's spi-out is rampartd's spi-in" "$r_in" \
		"$(charon_sa_get "$sc" "$c.child-sas.net.spi-out")"
	t_expect_eq "$c: charon's spi-in is rampartd's spi-out" "$r_out" \
		"$(charon_sa_get "$sc" "$c.child-sas.net.spi-in")"

	cap=$T_TMP/outer-$c-$who.pcap
	capture_start "$NR" veth "$cap" || t_fail "tcpdump starts"
	t_check "$c: ping rampart side -> charon side" ping_ok "$NR" 10.2.0.1 10.1.0.1 5
	t_check "$c: ping charon side -> rampart side" ping_ok "$NC" 10.1.0.1 10.2.0.1 5
	capture_stop
	t_expect_eq "$c: no clear ICMP between the subnets on the wire" 0 \
		"$(capture_count "$cap" 'icmp and net 10.1.0.0/24 and net 10.2.0.0/24')"
	t_expect_ge "$c: ESP in UDP with the negotiated SPIs" 20 "$(capture_count "$cap" \
		"udp port 4500 and (udp[8:4] = 0x$r_in or udp[8:4] = 0x$r_out)")"
	t_expect_ge "$c: charon counted inbound packets" 10 \
		"$(charon_sa_get "$DC" "$c.child-sas.net.packets-in")"

	if [ "$c" = gw ]; then
		# idle: charon's DPD requests are answered and the SAs stay up
		n0=$(grep -c 'parsed INFORMATIONAL response' "$DC/charon.log")
		sleep 3
		t_expect_ge "$c: charon's liveness checks answered" $((n0 + 1)) \
			"$(grep -c 'parsed INFORMATIONAL response' "$DC/charon.log")"
		t_expect_eq "$c: charon's IKE SA still up after idling" ESTABLISHED \
			"$(charon_sa_get "$DC" "$c.state")"
		t_expect_eq "$c: rampartd's IKE SA still up after idling" 1 "$(ri_count R)"
	fi
	if [ "$who" = rampart ]; then
		t_check "$c: rampart down $c" rt_ctl R down "$c"
		t_check "$c: charon sees the IKE SA gone" charon_wait_no_sas "$DC" 10
	else
		t_check "$c: swanctl --terminate $c" charon_terminate "$DC" "$c"
		t_check "$c: rampartd sees the IKE SA gone" wait_for 10 ci_r_none
	fi
	t_expect_eq "$c: rampartd's data plane has no state left" "" "$(rt_ctl R xfrm state list)"
}

GCM_TEXT="AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519"
run_case gw rampart AES_GCM_16 CURVE_25519 AES_GCM_16 "$GCM_TEXT" AES_GCM_16_128
run_case gw charon AES_GCM_16 CURVE_25519 AES_GCM_16 "$GCM_TEXT" AES_GCM_16_128
run_case cbc rampart AES_CBC MODP_2048 AES_CBC \
	AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 AES_CBC_256/HMAC_SHA2_256_128
run_case chacha charon CHACHA20_POLY1305 CURVE_25519 CHACHA20_POLY1305 \
	CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519 CHACHA20_POLY1305

# failures explained by `rampart up`
if ri_up R badpsk; then t_fail "up with different PSKs fails"; else
	t_pass "up with different PSKs fails"
fi
t_check "... naming authentication" sh -c "echo \"\$1\" | grep -qi authenticat" sh "$RI_OUT"
t_check "charon logged the failed authentication" grep -q "MAC mismatched" "$DC/charon.log"
if ri_up R noprop; then t_fail "up with mismatched proposals fails"; else
	t_pass "up with mismatched proposals fails"
fi
t_check "... naming NO_PROPOSAL_CHOSEN and our proposal" sh -c \
	"echo \"\$1\" | grep -i 'no_proposal_chosen' | grep -q AES_GCM_16" sh "$RI_OUT"
t_check "charon logged both sides' proposals" grep -q \
	"received proposals: IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519" "$DC/charon.log"
t_expect_eq "no IKE SA left on rampartd after the failures" 0 "$(ri_count R)"

ci_tails 40
t_done
