#!/bin/sh
# rampartd's dpd_action = trap against charon: the peer dies, the trap comes back, and traffic
# brings the tunnel up again once the peer returns.
#
#   ns R (rp-dr-$$)                                   ns C (rp-dc-$$)
#   lan 10.1.0.1/24 (veth pair)                       lan 10.2.0.1/24 (veth pair)
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c
#
# rampartd: connection gw with dpd_delay 1s, child net with dpd_action = trap (start_action
# none), retransmit_timeout 0.5 s, base 1.4, 2 tries.
#   1. `rampart up gw`, pings both ways;
#   2. charon is killed (SIGKILL: no Delete): rampartd's liveness check goes unanswered, it
#      declares the peer dead with dpd_action trap, its SAs go (list-sas empty, the data
#      plane's states gone);
#   3. charon starts again with the same configuration and no SA: a ping from rampartd's side
#      is the acquire that sets the tunnel up again (a new IKE SA, rampartd the initiator),
#      pings pass both ways.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need
ci_topology dr dc 10.1.0.1/24 10.2.0.1/24

rt_start R "$NR" "retransmit_timeout = 0.5
	retransmit_base = 1.4
	retransmit_tries = 2" "$(
	echo "connections {"
	ci_conn gw 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 "" "dpd_delay = 1s" "dpd_action = trap"
	echo "}"
	ci_secrets
)" || t_fail "rampartd starts (dpd_delay 1s, dpd_action trap)"
ci_charon "connections {
$(ci_conn gw 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24)
}
$(ci_secrets)"

pinged() { ip netns exec "$NR" ping -q -n -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1; }
r_states() { rt_ctl R xfrm state list 2>/dev/null | grep -c '^src '; }

# ---- 1. up ----------------------------------------------------------------------------------
t_check "rampart up gw" ri_up R gw
t_check "ping rampart side -> charon side" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
t_check "ping charon side -> rampart side" ping_ok "$NC" 10.1.0.1 10.2.0.1 3
id1=$(ri_sas R | sed -n 's/^gw\.uniqueid=//p' | head -n 1)
t_expect_ge "rampartd: the two ESP states in the data plane" 2 "$(r_states)"

# ---- 2. the peer dies -------------------------------------------------------------------------
kill -KILL "$(charon_pid "$DC")" 2>/dev/null
charon_stop "$DC"
t_check "rampartd declares the peer dead (dpd_action trap)" \
	wait_for 15 grep -q 'declared dead (dpd_action trap)' "$T_TMP/R.log"
t_check "rampartd: no SA left" wait_for 5 ci_r_none
t_expect_eq "rampartd: no ESP state left in the data plane" 0 "$(r_states)"

# ---- 3. the peer returns; traffic brings the tunnel back ---------------------------------------
rm -f "$DC/charon.vici"
t_check "charon starts again" charon_start "$NC" "$DC"
t_check "charon loads its config again" charon_load "$DC" "$T_TMP/charon.conf"
t_expect_eq "charon has no SA" 0 "$(charon_ike_count "$DC")"
t_check "a ping from rampartd's side brings the tunnel back (the trap's acquire)" \
	wait_for 15 pinged
t_check "rampartd: Child SA INSTALLED" wait_for 5 ci_r_child gw
t_check "charon: CHILD_SA INSTALLED" wait_for 5 ci_c_child gw
ri_sas R >"$T_TMP/sas-r"
t_check "a new IKE SA (was $id1)" test "$(ri_get "$T_TMP/sas-r" gw.uniqueid)" != "$id1"
t_expect_eq "rampartd initiated it" yes "$(ri_get "$T_TMP/sas-r" gw.initiator)"
t_expect_eq "ESP SPIs agree" "$(ri_get "$T_TMP/sas-r" gw.child-sas.net.spi-in)" \
	"$(charon_sa_get "$DC" gw.child-sas.net.spi-out)"
t_check "ping rampart side -> charon side again" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
t_check "ping charon side -> rampart side again" ping_ok "$NC" 10.1.0.1 10.2.0.1 3

if [ "$T_FAIL" -ne 0 ]; then
	echo "--- rampartd log tail"
	tail -n 40 "$T_TMP/R.log"
fi
t_done
