#!/bin/sh
# rampartd <-> rampartd negotiating with IKEv2: the Child SAs the data plane uses come from a
# real exchange, not from `rampart xfrm`.
#
#        namespace A (rp-ia-$$)                          namespace B (rp-ib-$$)
#   lan 10.1.0.1/24 (veth pair)            lan 10.2.0.1/24 (veth pair)
#          |                                                |
#   rampart0 (TUN) -- rampartd                rampartd -- rampart0 (TUN)
#          |                                                |
#        veth a  192.0.2.1  ====== IKE, ESP ======  192.0.2.2  veth b
#                192.0.2.11  (conn "wrongpsk")      192.0.2.12
#                192.0.2.21  (conn "noprop")        192.0.2.22
#
# Connection "gw": PSK, IKE aes128gcm16-prfsha256-x25519, ESP aes128gcm16, tunnel mode between
# 10.1.0.0/24 and 10.2.0.0/24. `rampart up gw` on A; then on both sides `list-sas --json` shows
# the IKE SA ESTABLISHED and the Child SA INSTALLED with the proposed algorithms, and the SPIs
# cross (A's spi-in is B's spi-out and the reverse). Pings both ways and a 1 MB TCP transfer
# (SHA-256) between the subnets, while a capture on the veth must hold only IKE/ESP (no clear
# ICMP or TCP between the subnets) and ESP with the negotiated SPIs. Failures: "wrongpsk"
# (different PSKs on each side) makes `rampart up` fail naming authentication; "noprop"
# (aes128gcm16-prfsha256-x25519 against aes256-sha256-modp2048) fails naming ours (the
# responder logs both: NO_PROPOSAL_CHOSEN carries no proposal back).
# `rampart down gw` removes the SAs on both sides, and traffic stops; then B initiates and A,
# the responder, closes.
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip tcpdump nc sha256sum timeout
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA ia || exit 1
ns_create NB ib || exit 1
link_pair "$NA" veth "$NB" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$NA" veth 192.0.2.11/24 192.0.2.21/24 || exit 1
addr_add "$NB" veth 192.0.2.12/24 192.0.2.22/24 || exit 1
lan_add "$NA" 10.1.0.1/24 || exit 1
lan_add "$NB" 10.2.0.1/24 || exit 1

PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
# side LOCAL-SUFFIX REMOTE-SUFFIX MY-NET THEIR-NET ME PEER WRONG-PSK NOPROP-PROPOSALS
side() {
	echo "connections {"
	ri_conn gw "192.0.2.$1" "192.0.2.$2" "$5.rampart.test" "$6.rampart.test" "$3" "$4"
	ri_conn wrongpsk "192.0.2.1$1" "192.0.2.1$2" "w$5.rampart.test" "w$6.rampart.test" \
		"$3" "$4"
	ri_conn noprop "192.0.2.2$1" "192.0.2.2$2" "n$5.rampart.test" "n$6.rampart.test" \
		"$3" "$4" "$8"
	echo "}"
	echo "secrets {"
	ri_secret gw a.rampart.test b.rampart.test "$PSK"
	ri_secret wrongpsk wa.rampart.test wb.rampart.test "$7"
	ri_secret noprop na.rampart.test nb.rampart.test "$PSK"
	echo "}"
}
CONF_A=$(side 1 2 10.1.0.0/24 10.2.0.0/24 a b "psk-of-a-is-this-one" aes128gcm16-prfsha256-x25519)
CONF_B=$(side 2 1 10.2.0.0/24 10.1.0.0/24 b a "psk-of-b-is-another" aes256-sha256-modp2048)

rt_start A "$NA" "" "$CONF_A" || t_fail "rampartd A starts with its IKE configuration"
rt_start B "$NB" "" "$CONF_B" || t_fail "rampartd B starts with its IKE configuration"
[ "$T_FAIL" -eq 0 ] || t_done
t_check "B listens on UDP 500" wait_udp_port "$NB" 500 5
t_check "B listens on UDP 4500" wait_udp_port "$NB" 4500 5
t_check "list-conns shows gw" sh -c "ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl list-conns | grep -q '^gw'"

capture_start "$NA" veth "$T_TMP/wire.pcap" || t_fail "tcpdump starts"

# ---- establish -------------------------------------------------------------------------------
start=$(date +%s%N)
t_check "rampart up gw (A initiates)" ri_up A gw
ms=$((($(date +%s%N) - start) / 1000000))
t_log "rampart up took $ms ms"
SA=$T_TMP/sas-a
SB=$T_TMP/sas-b
b_installed() { ri_sas B | grep -q '^gw\.child-sas\.net-[0-9]*\.state=INSTALLED$'; }
wait_for 5 b_installed
ri_sas A >"$SA"
ri_sas B >"$SB"
sed 's/^/#   A: /' "$SA"
t_expect_eq "A: IKE SA ESTABLISHED" ESTABLISHED "$(ri_get "$SA" gw.state)"
t_expect_eq "B: IKE SA ESTABLISHED" ESTABLISHED "$(ri_get "$SB" gw.state)"
t_expect_eq "A is the initiator" yes "$(ri_get "$SA" gw.initiator)"
t_expect_eq "B is the responder" no "$(ri_get "$SB" gw.initiator)"
t_expect_eq "IKE SPIs agree (initiator)" "$(ri_get "$SA" gw.initiator-spi)" \
	"$(ri_get "$SB" gw.initiator-spi)"
t_expect_eq "IKE SPIs agree (responder)" "$(ri_get "$SA" gw.responder-spi)" \
	"$(ri_get "$SB" gw.responder-spi)"
t_expect_eq "B sees A's identity" a.rampart.test "$(ri_get "$SB" gw.remote-id)"
t_expect_eq "IKE encryption" AES_GCM_16 "$(ri_get "$SB" gw.encr-alg)"
t_expect_eq "IKE key size" 128 "$(ri_get "$SB" gw.encr-keysize)"
t_expect_eq "IKE PRF" PRF_HMAC_SHA2_256 "$(ri_get "$SB" gw.prf-alg)"
t_expect_eq "IKE key exchange" CURVE_25519 "$(ri_get "$SB" gw.dh-group)"
t_expect_eq "A: Child SA INSTALLED" INSTALLED "$(ri_get "$SA" gw.child-sas.net.state)"
t_expect_eq "B: Child SA INSTALLED" INSTALLED "$(ri_get "$SB" gw.child-sas.net.state)"
t_expect_eq "ESP encryption" AES_GCM_16 "$(ri_get "$SA" gw.child-sas.net.encr-alg)"
t_expect_eq "ESP mode" TUNNEL "$(ri_get "$SA" gw.child-sas.net.mode)"
t_expect_eq "A: traffic selectors" "[10.1.0.0/24]->[10.2.0.0/24]" \
	"$(ri_get "$SA" gw.child-sas.net.local-ts)->$(ri_get "$SA" gw.child-sas.net.remote-ts)"
t_expect_eq "B: traffic selectors" "[10.2.0.0/24]->[10.1.0.0/24]" \
	"$(ri_get "$SB" gw.child-sas.net.local-ts)->$(ri_get "$SB" gw.child-sas.net.remote-ts)"
spi_a_in=$(ri_get "$SA" gw.child-sas.net.spi-in)
spi_a_out=$(ri_get "$SA" gw.child-sas.net.spi-out)
spi_b_in=$(ri_get "$SB" gw.child-sas.net.spi-in)
spi_b_out=$(ri_get "$SB" gw.child-sas.net.spi-out)
t_check "SPIs present (A in $spi_a_in out $spi_a_out)" test -n "$spi_a_in" -a -n "$spi_a_out"
t_expect_eq "SPIs cross: A's spi-in is B's spi-out" "$spi_a_in" "$spi_b_out"
t_expect_eq "SPIs cross: B's spi-in is A's spi-out" "$spi_b_in" "$spi_a_out"
t_check "SPIs differ per direction" test "$spi_a_in" != "$spi_a_out"

t_check "A's data plane holds the inbound SA" sh -c \
	"ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl xfrm state list | grep -qi 0x$spi_a_in"
t_check "B's data plane holds the inbound SA" sh -c \
	"ip netns exec $NB $RAMPART --socket $T_TMP/B.ctl xfrm state list | grep -qi 0x$spi_b_in"

# ---- traffic ---------------------------------------------------------------------------------
t_check "ping A -> B between the subnets" ping_ok "$NA" 10.2.0.1 10.1.0.1 5
t_check "ping B -> A between the subnets" ping_ok "$NB" 10.1.0.1 10.2.0.1 5

head -c 1000000 /dev/urandom >"$T_TMP/blob"
want=$(sha256sum <"$T_TMP/blob" | cut -d' ' -f1)
ip netns exec "$NB" sh -c "exec timeout 30 nc -l -n 10.2.0.1 5001" >"$T_TMP/recv" 2>/dev/null &
lpid=$!
wait_tcp_port "$NB" 5001 5
ip netns exec "$NA" timeout 20 nc -N -n -s 10.1.0.1 10.2.0.1 5001 <"$T_TMP/blob"
wait_for 10 sh -c "! kill -0 $lpid 2>/dev/null"
kill "$lpid" 2>/dev/null
t_expect_eq "1 MB TCP transfer A -> B intact (SHA-256)" "$want" \
	"$(sha256sum <"$T_TMP/recv" | cut -d' ' -f1)"
capture_stop

pcap=$T_TMP/wire.pcap
clear=$(capture_count "$pcap" '(icmp or tcp) and net 10.1.0.0/24 and net 10.2.0.0/24')
t_expect_eq "no clear ICMP/TCP between the subnets on the veth" 0 "$clear"
other=$(capture_count "$pcap" 'ip and not esp and not udp port 500 and not udp port 4500')
t_expect_eq "nothing but IKE and ESP (or ESP in UDP) between the gateways" 0 "$other"
ike=$(capture_count "$pcap" 'udp port 500 or (udp port 4500 and udp[8:4] = 0)')
t_expect_ge "IKE messages on the wire (IKE_SA_INIT, IKE_AUTH)" 4 "$ike"
esp_plain=$(capture_count "$pcap" "esp and (ip[20:4] = 0x$spi_a_in or ip[20:4] = 0x$spi_b_in)")
esp_udp=$(capture_count "$pcap" \
	"udp port 4500 and (udp[8:4] = 0x$spi_a_in or udp[8:4] = 0x$spi_b_in)")
t_expect_ge "ESP with the negotiated SPIs on the wire (the capture may drop some)" 200 $((esp_plain + esp_udp))
t_log "capture: $ike IKE, $esp_plain ESP, $esp_udp ESP-in-UDP, $clear clear"

# ---- failures explained --------------------------------------------------------------------
if ri_up A wrongpsk; then
	t_fail "up with different PSKs fails"
else
	t_pass "up with different PSKs fails"
fi
t_check "... and the reason names authentication" sh -c \
	"echo \"\$1\" | grep -qi 'authenticat'" sh "$RI_OUT"
t_expect_eq "... in one line" 1 "$(echo "$RI_OUT" | wc -l)"
t_check "B logged the failed authentication" grep -qi 'authenticat' "$T_TMP/B.log"

if ri_up A noprop; then
	t_fail "up with mismatched proposals fails"
else
	t_pass "up with mismatched proposals fails"
fi
t_check "... and the reason names A's proposal" sh -c \
	"echo \"\$1\" | grep -qiE 'aes128gcm16|AES_GCM_16'" sh "$RI_OUT"
t_check "... and NO_PROPOSAL_CHOSEN" sh -c \
	"echo \"\$1\" | grep -qiE 'no.proposal.chosen'" sh "$RI_OUT"
t_check "B logged both sides' proposals" sh -c \
	"grep -iE 'proposal' '$T_TMP/B.log' | grep -iE 'modp2048|MODP_2048' | grep -qiE 'aes128gcm16|AES_GCM_16'"
t_expect_eq "only gw is up on A after the failures" 1 "$(ri_count A)"

# ---- teardown --------------------------------------------------------------------------------
t_check "rampart down gw" rt_ctl A down gw
ri_none() { [ "$(ri_count "$1")" = 0 ]; }
t_check "A has no IKE SA left" wait_for 5 ri_none A
t_check "B has no IKE SA left" wait_for 5 ri_none B
t_expect_eq "A's data plane has no state left" "" "$(rt_ctl A xfrm state list)"
t_expect_eq "B's data plane has no state left" "" "$(rt_ctl B xfrm state list)"
if ping_ok "$NA" 10.2.0.1 10.1.0.1 1; then
	t_fail "no traffic between the subnets once down"
else
	t_pass "no traffic between the subnets once down"
fi
# the other way round: B initiates, A (the responder) closes
t_check "rampart up gw (B initiates)" ri_up B gw
t_check "ping A -> B through B's IKE SA" ping_ok "$NA" 10.2.0.1 10.1.0.1 3
t_check "rampart down gw on the responder (A)" rt_ctl A down gw
t_check "A has no IKE SA left (responder deleted)" wait_for 5 ri_none A
t_check "B has no IKE SA left (initiator told)" wait_for 5 ri_none B
t_expect_eq "B's data plane has no state left (2)" "" "$(rt_ctl B xfrm state list)"

t_check "rampartd A stops on SIGTERM" rt_stop A
t_check "rampartd B stops on SIGTERM" rt_stop B
if [ "$T_FAIL" -ne 0 ]; then
	echo "--- rampartd A log tail"
	tail -n 30 "$T_TMP/A.log"
	echo "--- rampartd B log tail"
	tail -n 30 "$T_TMP/B.log"
fi
t_done
