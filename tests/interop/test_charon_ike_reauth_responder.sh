#!/bin/sh
# rampartd <-> charon (kernel-libipsec): reauthentication (RFC 7296 §2.8.3) by rampartd as the
# IKE *responder*: charon initiates the IKE SA and both children (the second by
# CREATE_CHILD_SA); rampartd, with reauth_time 8s, reauthenticates make-before-break by
# initiating a new IKE SA with both children towards charon and then deleting the old one.
# Over ~25 s of pings through both children every 0.1 s, rampartd reauthenticates at least
# twice, the first new IKE SA is rampartd's (initiator yes), charon ends with one IKE SA and
# both children, and the lost pings are counted: the make-before-break target is none, at most
# one in 100 is allowed.
#
#   ns R (rp-qr-$$)                                   ns C (rp-qc-$$)
#   lan 10.1.0.1/24, 10.1.1.1/24                      lan 10.2.0.1/24, 10.2.1.1/24
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c
#
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need
ci_topology qr qc "10.1.0.1/24 10.1.1.1/24" "10.2.0.1/24 10.2.1.1/24"

rt_start R "$NR" "" "$(ci_two_children 192.0.2.1 192.0.2.2 r.rampart.test c.rampart.test \
	10.1 10.2 \
	'reauth_time = 8s
		over_time = 20s
		rand_time = 0')" ||
	t_fail "rampartd starts"
ci_charon "$(ci_two_children 192.0.2.2 192.0.2.1 c.rampart.test r.rampart.test \
	10.2 10.1)"

t_check "charon initiates two/net1 (IKE_AUTH)" charon_initiate "$DC" net1
t_check "charon initiates two/net2 (CREATE_CHILD_SA)" charon_initiate "$DC" net2
t_check "charon has net2" wait_for 5 ci_c_child two net2
t_check "rampartd has net1" wait_for 5 ci_r_child two net1
t_check "rampartd has net2" wait_for 5 ci_r_child two net2
t_expect_eq "rampartd is the IKE responder" no "$(ri_sas R | sed -n 's/^two\.initiator=//p' | head -n 1)"
first=$(ri_sas R | sed -n 's/^two\.uniqueid=//p' | head -n 1)
ip netns exec "$NR" ping -q -n -c 250 -i 0.1 -W 1 -I 10.1.0.1 10.2.0.1 >"$T_TMP/p1" 2>&1 &
p1=$!
ip netns exec "$NR" ping -q -n -c 250 -i 0.1 -W 1 -I 10.1.1.1 10.2.1.1 >"$T_TMP/p2" 2>&1 &
p2=$!
wait $p1 $p2
r1=$(ping_received "$T_TMP/p1")
r2=$(ping_received "$T_TMP/p2")
t_log "lost $((250 - ${r1:-0}))/250 through net1, $((250 - ${r2:-0}))/250 through net2 (target 0)"
t_expect_ge "net1: at most 1 % lost across reauthentications" 248 "${r1:-0}"
t_expect_ge "net2: at most 1 % lost across reauthentications" 248 "${r2:-0}"
t_expect_ge "rampartd reauthenticated at least twice" 2 \
	"$(grep -c 'reauthenticated as IKE_SA' "$T_TMP/R.log")"
t_expect_eq "rampartd ends with one IKE SA" 1 "$(ri_count R)"
now=$(ri_sas R | sed -n 's/^two\.uniqueid=//p' | head -n 1)
t_check "... a new one (was $first, now $now)" test "$first" != "$now"
t_expect_eq "... which rampartd initiated" yes "$(ri_sas R | sed -n 's/^two\.initiator=//p' | head -n 1)"
t_check "charon ends with net1" ci_c_child two net1
t_check "charon ends with net2" ci_c_child two net2
t_expect_eq "charon ends with one IKE SA" 1 \
	"$(charon_sas "$DC" | grep -c '^two\.state=ESTABLISHED$')"
t_check "rampart down two" rt_ctl R down two
t_check "charon sees the IKE SA gone" charon_wait_no_sas "$DC" 10

ci_tails 60 40
t_done
