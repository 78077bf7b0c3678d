#!/bin/sh
# rampartd <-> rampartd with MOBIKE (RFC 4555): A, the initiator, loses its address and gets
# another one on the same link while pings flow; A's netmon watcher sees the change, asks the
# kernel for the new source toward B, moves its IKE SA and Child SA there and sends
# UPDATE_SA_ADDRESSES; B follows (same SPIs) and traffic flows again both ways.
#
#        namespace A (rp-ma-$$)                          namespace B (rp-mb-$$)
#   lan 10.1.0.1/24                                                lan 10.2.0.1/24
#          |                                                              |
#   rampart0 (TUN) -- rampartd                            rampartd -- rampart0 (TUN)
#          |                                                              |
#        veth a  192.0.2.1 -> 192.0.2.5  ===== IKE (4500), ESP =====  192.0.2.2  veth b
#
# Checked: MOBIKE negotiated on both (list-sas), IKE on port 4500 without a NAT, pings before;
# after the move both listings show A at 192.0.2.5 with one address update and the same SPIs,
# pings both ways; the pings sent through the move (5 per second) are counted and the loss is
# reported (at most 10 of 50 allowed: the move waits for the old address to go and the new one
# to come). Then `rampart mobike` moves A back by hand to a second new address.
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip ping timeout
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA ma || exit 1
ns_create NB mb || exit 1
link_pair "$NA" veth "$NB" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
for n in "$NA" "$NB"; do
	ip -n "$n" link add lan type veth peer name lan-p && ip -n "$n" link set lan up &&
		ip -n "$n" link set lan-p up || exit 1
done
addr_add "$NA" lan 10.1.0.1/24 || exit 1
addr_add "$NB" lan 10.2.0.1/24 || exit 1

PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
side() { # LOCAL REMOTE MY-NET THEIR-NET ME PEER
	echo "connections {"
	ri_conn gw "$1" "$2" "$5.rampart.test" "$6.rampart.test" "$3" "$4"
	echo "}"
	echo "secrets {"
	ri_secret gw a.rampart.test b.rampart.test "$PSK"
	echo "}"
}
# B accepts A from any address: A's address changes under the SA
rt_start A "$NA" "" "$(side 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 a b)" ||
	t_fail "rampartd A starts"
rt_start B "$NB" "" "$(side 192.0.2.2 %any 10.2.0.0/24 10.1.0.0/24 b a)" ||
	t_fail "rampartd B starts"
[ "$T_FAIL" -eq 0 ] || t_done
t_check "B listens on UDP 4500" wait_udp_port "$NB" 4500 5

t_check "rampart up gw (A initiates)" ri_up A gw
SA=$T_TMP/sas-a
SB=$T_TMP/sas-b
b_installed() { ri_sas B | grep -q '^gw\.child-sas\.net-[0-9]*\.state=INSTALLED$'; }
wait_for 5 b_installed
ri_sas A >"$SA"
ri_sas B >"$SB"
t_expect_eq "A: MOBIKE negotiated" yes "$(ri_get "$SA" gw.mobike)"
t_expect_eq "B: MOBIKE negotiated" yes "$(ri_get "$SB" gw.mobike)"
t_expect_eq "IKE on port 4500 without a NAT (A)" 4500 "$(ri_get "$SA" gw.remote-port)"
t_expect_eq "IKE on port 4500 without a NAT (B)" 4500 "$(ri_get "$SB" gw.remote-port)"
spi_in=$(ri_get "$SB" gw.child-sas.net.spi-in)
spi_out=$(ri_get "$SB" gw.child-sas.net.spi-out)
t_check "ping A -> B before the move" ping_ok "$NA" 10.2.0.1 10.1.0.1 3
t_check "ping B -> A before the move" ping_ok "$NB" 10.1.0.1 10.2.0.1 3

# ---- A's address changes under a flow of pings ------------------------------------------------
ip netns exec "$NA" ping -n -q -i 0.2 -c 50 -W 1 -I 10.1.0.1 10.2.0.1 >"$T_TMP/ping" 2>&1 &
ppid=$!
sleep 2
ip -n "$NA" addr del 192.0.2.1/24 dev veth
sleep 0.5
ip -n "$NA" addr add 192.0.2.5/24 dev veth
b_moved() { ri_sas B >"$SB" && [ "$(ri_get "$SB" gw.remote-host)" = "$1" ]; }
t_check "B follows A to 192.0.2.5 (UPDATE_SA_ADDRESSES)" wait_for 15 b_moved 192.0.2.5
wait "$ppid"
ri_sas A >"$SA"
t_expect_eq "A's IKE SA on its new address" 192.0.2.5 "$(ri_get "$SA" gw.local-host)"
t_expect_eq "A: one address update" 1 "$(ri_get "$SA" gw.mobike-updates)"
t_expect_eq "B: one address update" 1 "$(ri_get "$SB" gw.mobike-updates)"
t_expect_eq "B: same inbound SPI (moved in place)" "$spi_in" "$(ri_get "$SB" gw.child-sas.net.spi-in)"
t_expect_eq "B: same outbound SPI" "$spi_out" "$(ri_get "$SB" gw.child-sas.net.spi-out)"
t_check "A's log: UPDATE_SA_ADDRESSES sent" grep -q "UPDATE_SA_ADDRESSES sent" "$T_TMP/A.log"
t_check "B's log: moved on the update" grep -q "peer moved from 192.0.2.1.*UPDATE_SA_ADDRESSES" \
	"$T_TMP/B.log"
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_TMP/ping")
t_log "pings through the move: ${got:-0} of 50 answered, $((50 - ${got:-0})) lost"
t_expect_ge "pings through the move answered (at most 10 lost)" 40 "${got:-0}"
t_check "ping A -> B after the move" ping_ok "$NA" 10.2.0.1 10.1.0.1 5
t_check "ping B -> A after the move" ping_ok "$NB" 10.1.0.1 10.2.0.1 5

# ---- a second address; `rampart mobike` moves the SA there by hand ---------------------------
addr_add "$NA" veth 192.0.2.6/24 || t_fail "second address"
id=$(rt_ctl A list-sas | sed -n 's/^gw: #\([0-9]*\),.*/\1/p' | head -n 1)
t_check "rampart mobike $id 192.0.2.6" sh -c \
	"ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl mobike $id 192.0.2.6 | grep -q 'update sent'"
t_check "B follows A to 192.0.2.6" wait_for 10 b_moved 192.0.2.6
t_check "ping A -> B after the manual move" ping_ok "$NA" 10.2.0.1 10.1.0.1 3
t_check "ping B -> A after the manual move" ping_ok "$NB" 10.1.0.1 10.2.0.1 3

t_check "rampartd A stops on SIGTERM" rt_stop A
t_check "rampartd B stops on SIGTERM" rt_stop B
if [ "$T_FAIL" -ne 0 ]; then
	echo "--- rampartd A log tail"
	tail -n 30 "$T_TMP/A.log"
	echo "--- rampartd B log tail"
	tail -n 30 "$T_TMP/B.log"
fi
t_done
