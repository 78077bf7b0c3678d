#!/bin/sh
# rampartd <-> charon (kernel-libipsec): one IKE SA with two Child SAs, the second created by
# CREATE_CHILD_SA (RFC 7296 §1.3.1), in both roles, traffic through both.
#
#   ns R (rp-jr-$$)                                   ns C (rp-jc-$$)
#   lan 10.1.0.1/24, 10.1.1.1/24                      lan 10.2.0.1/24, 10.2.1.1/24
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c
#
# Connection "two": children net1 (10.1.0.0/24 <-> 10.2.0.0/24) and net2 (10.1.1.0/24 <->
# 10.2.1.0/24). First rampartd: `rampart up two/net1` (IKE_AUTH), `rampart up two/net2`
# (CREATE_CHILD_SA on the same IKE SA); then charon: `swanctl --initiate --child net1`, then
# `--child net2` on its IKE SA. Each time: one IKE SA on each side, both children INSTALLED
# with crossing SPIs, pings through both.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need
ci_topology jr jc "10.1.0.1/24 10.1.1.1/24" "10.2.0.1/24 10.2.1.1/24"

rt_start R "$NR" "" "$(ci_two_children 192.0.2.1 192.0.2.2 r.rampart.test c.rampart.test \
	10.1 10.2)" ||
	t_fail "rampartd starts"
ci_charon "$(ci_two_children 192.0.2.2 192.0.2.1 c.rampart.test r.rampart.test \
	10.2 10.1)"


check_both() { # LABEL
	local sr="$T_TMP/sas-r-$1" n
	ri_sas R >"$sr"
	t_expect_eq "$1: one IKE SA on rampartd" 1 "$(ri_count R)"
	for n in net1 net2; do
		t_check "$1: charon has $n" wait_for 5 ci_c_child two $n
		t_check "$1: rampartd has $n" wait_for 5 ci_r_child two $n
		ri_sas R >"$sr"
		t_expect_eq "$1: $n charon spi-out = rampartd spi-in" \
			"$(ri_get "$sr" "two.child-sas.$n.spi-in")" \
			"$(charon_sa_get "$DC" "two.child-sas.$n.spi-out")"
		t_expect_eq "$1: $n charon spi-in = rampartd spi-out" \
			"$(ri_get "$sr" "two.child-sas.$n.spi-out")" \
			"$(charon_sa_get "$DC" "two.child-sas.$n.spi-in")"
	done
	t_check "$1: ping through net1 (R -> C)" ping_ok "$NR" 10.2.0.1 10.1.0.1 5
	t_check "$1: ping through net1 (C -> R)" ping_ok "$NC" 10.1.0.1 10.2.0.1 5
	t_check "$1: ping through net2 (R -> C)" ping_ok "$NR" 10.2.1.1 10.1.1.1 5
	t_check "$1: ping through net2 (C -> R)" ping_ok "$NC" 10.1.1.1 10.2.1.1 5
}

t_log "---- rampartd initiates"
t_check "rampart up two/net1" ri_up R two/net1
t_check "rampart up two/net2 (CREATE_CHILD_SA)" ri_up R two/net2
check_both rampart
if ri_up R two/net2; then t_fail "a second up of net2 fails"; else
	t_check "a second up of net2 says it is up" sh -c "echo \"\$1\" | grep -q 'already up'" \
		sh "$RI_OUT"
fi
t_check "rampart down two" rt_ctl R down two
t_check "charon sees the IKE SA gone" charon_wait_no_sas "$DC" 10

t_log "---- charon initiates"
t_check "swanctl --initiate net1" charon_swanctl "$DC" --initiate --ike two --child net1 \
	--timeout 20 >>"$DC/swanctl.out" 2>&1
t_check "swanctl --initiate net2 (CREATE_CHILD_SA)" charon_swanctl "$DC" --initiate --ike two \
	--child net2 --timeout 20 >>"$DC/swanctl.out" 2>&1
check_both charon
t_check "swanctl --terminate two" charon_terminate "$DC" two
t_check "rampartd sees the IKE SA gone" wait_for 10 ci_r_none

ci_tails 40
t_done
