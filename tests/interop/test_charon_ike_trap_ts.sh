#!/bin/sh
# rampartd's acquire against charon with two subnets (RFC 7296 §2.9): the triggering packet's
# addresses go first in TSi/TSr, so charon picks the child that carries the packet.
#
#   ns R (rp-tr-$$)                                   ns C (rp-tc-$$)
#   lan 10.1.0.1/24 (veth pair)                       lan 10.2.1.1/24, 10.2.2.1/24 (veth pair)
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c
#
# rampartd: connection gw, child net 10.1.0.0/24 === 10.2.0.0/16 with start_action = trap.
# charon: children one (10.2.1.0/24 === 10.1.0.0/24) and two (10.2.2.0/24 === 10.1.0.0/24).
#   1. a ping to 10.2.2.1 is the acquire: charon installs two (not one, its first child that
#      would fit the /16 alone), both listings show the narrowed 10.2.2.0/24, pings pass;
#   2. after `rampart down`, a ping to 10.2.1.1 brings up one, narrowed to 10.2.1.0/24;
#   3. the same against rampartd as the responder (ns B, rp-tb-$$, 198.51.100.2 on a second
#      link from R's 198.51.100.1, lan 10.3.1.1/24 and 10.3.2.1/24; R's connection gw2 traps
#      10.1.0.0/24 === 10.3.0.0/16): a ping to 10.3.2.1 brings up B's child two, narrowed to
#      10.3.2.0/24 in both listings.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need
ci_topology tr tc 10.1.0.1/24 "10.2.1.1/24 10.2.2.1/24"
ns_create NB tb || exit 1
link_pair "$NR" vb "$NB" veth 198.51.100.1/24 198.51.100.2/24 || exit 1
lan_add "$NB" 10.3.1.1/24 10.3.2.1/24 || exit 1

cat >"$T_TMP/R.conf" <<EOF
rampart {
	control = $T_TMP/R.ctl
	tun = rampart0
	mtu = 1400
	workers = 2
}
connections {
$(ci_conn gw 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/16 "" "" "start_action = trap")
$(ci_conn gw2 198.51.100.1 198.51.100.2 10.1.0.0/24 10.3.0.0/16 "" "" "start_action = trap")
}
$(ci_secrets)
EOF
ns_bg "$NR" "$T_TMP/R.log" "$RAMPARTD" --foreground --config "$T_TMP/R.conf"
RT_PID_R=$T_BG_PID
RT_NS_R=$NR
{ wait_socket "$T_TMP/R.ctl" 10 && wait_for 5 rt_ctl R version; } ||
	t_fail "rampartd starts with its IKE configuration"
DC=$T_TMP/charon
mkdir -p "$DC"
{
	echo "connections {"
	# child two after child one
	ri_conn gw 192.0.2.2 192.0.2.1 c.rampart.test r.rampart.test 10.2.1.0/24 10.1.0.0/24 \
		"" "" one | awk '{ print } /start_action = none/ { after = 1; next }
		after == 1 {
			print "\t\t\ttwo {"
			print "\t\t\t\tlocal_ts = 10.2.2.0/24"
			print "\t\t\t\tremote_ts = 10.1.0.0/24"
			print "\t\t\t\tesp_proposals = aes128gcm16"
			print "\t\t\t}"
			after = 2
		}'
	echo "}"
	ci_secrets
} >"$T_TMP/charon.conf"
t_check "charon starts" charon_start "$NC" "$DC"
t_check "charon loads its config (children one and two)" charon_load "$DC" "$T_TMP/charon.conf"
[ "$T_FAIL" -eq 0 ] || t_done

pinged() { ip netns exec "$NR" ping -q -n -c 1 -W 1 -I 10.1.0.1 "$1" >/dev/null 2>&1; }

# check_child CHILD SUBNET: charon runs CHILD only, both listings show SUBNET === 10.1.0.0/24
check_child() {
	local other=one
	[ "$1" = one ] && other=two
	t_check "charon: CHILD_SA $1 INSTALLED" wait_for 5 ci_c_child gw "$1"
	t_check "rampartd: Child SA INSTALLED" wait_for 5 ci_r_child gw
	charon_sas "$DC" >"$T_TMP/sas-c"
	ri_sas R >"$T_TMP/sas-r"
	t_expect_eq "charon: no CHILD_SA $other" "" "$(charon_sa_get "$T_TMP/sas-c" "gw.child-sas.$other.state")"
	t_expect_eq "charon local-ts ($1)" "[$2]" "$(charon_sa_get "$T_TMP/sas-c" "gw.child-sas.$1.local-ts")"
	t_expect_eq "charon remote-ts ($1)" "[10.1.0.0/24]" \
		"$(charon_sa_get "$T_TMP/sas-c" "gw.child-sas.$1.remote-ts")"
	t_expect_eq "rampartd remote-ts narrowed to $2" "[$2]" \
		"$(ri_get "$T_TMP/sas-r" gw.child-sas.net.remote-ts)"
	t_expect_eq "rampartd local-ts" "[10.1.0.0/24]" "$(ri_get "$T_TMP/sas-r" gw.child-sas.net.local-ts)"
	t_expect_eq "ESP SPIs agree ($1)" "$(ri_get "$T_TMP/sas-r" gw.child-sas.net.spi-in)" \
		"$(charon_sa_get "$T_TMP/sas-c" "gw.child-sas.$1.spi-out")"
}

# ---- 1. a packet to the second subnet ------------------------------------------------------------
t_check "rampartd: no SA before traffic" ci_r_none
t_check "a ping to 10.2.2.1 brings the tunnel up" wait_for 15 pinged 10.2.2.1
check_child two 10.2.2.0/24
t_check "ping 10.1.0.1 -> 10.2.2.1" ping_ok "$NR" 10.2.2.1 10.1.0.1 3
t_check "ping 10.2.2.1 -> 10.1.0.1" ping_ok "$NC" 10.1.0.1 10.2.2.1 3

# ---- 2. a packet to the first subnet -------------------------------------------------------------
t_check "rampart down gw" rt_ctl R down gw
t_check "rampartd: SA gone" wait_for 5 ci_r_none
t_check "charon: SA gone" charon_wait_no_sas "$DC"
t_check "a ping to 10.2.1.1 brings the tunnel up" wait_for 15 pinged 10.2.1.1
check_child one 10.2.1.0/24
t_check "ping 10.1.0.1 -> 10.2.1.1" ping_ok "$NR" 10.2.1.1 10.1.0.1 3

# ---- 3. rampartd as the responder ------------------------------------------------------------
rt_start B "$NB" "" "$(
	echo "connections {"
	ri_conn gw2 198.51.100.2 198.51.100.1 c.rampart.test r.rampart.test 10.3.1.0/24 \
		10.1.0.0/24 "" "" one | head -n -2
	ri_conn gw2 198.51.100.2 198.51.100.1 c.rampart.test r.rampart.test 10.3.2.0/24 \
		10.1.0.0/24 "" "" two | sed -n '/^\t\t\ttwo {$/,$p'
	echo "}"
	ci_secrets
)" || t_fail "rampartd B starts (children one and two)"
b_up() { ri_sas B | grep -q "^gw2\.child-sas\.$1-[0-9]*\.state=INSTALLED\$"; }
r2_up() { ri_sas R | grep -q '^gw2\.child-sas\.net-[0-9]*\.state=INSTALLED$'; }
t_check "a ping to 10.3.2.1 brings gw2 up" wait_for 15 pinged 10.3.2.1
t_check "B: child two INSTALLED" wait_for 5 b_up two
t_check "R: gw2's Child SA INSTALLED" wait_for 5 r2_up
ri_sas B >"$T_TMP/sas-b"
ri_sas R >"$T_TMP/sas-r"
t_expect_eq "B: no child one" "" "$(ri_get "$T_TMP/sas-b" gw2.child-sas.one.state)"
t_expect_eq "B local-ts (two)" "[10.3.2.0/24]" "$(ri_get "$T_TMP/sas-b" gw2.child-sas.two.local-ts)"
t_expect_eq "B remote-ts (two)" "[10.1.0.0/24]" "$(ri_get "$T_TMP/sas-b" gw2.child-sas.two.remote-ts)"
t_expect_eq "R remote-ts narrowed to 10.3.2.0/24" "[10.3.2.0/24]" \
	"$(ri_get "$T_TMP/sas-r" gw2.child-sas.net.remote-ts)"
t_check "ping 10.1.0.1 -> 10.3.2.1" ping_ok "$NR" 10.3.2.1 10.1.0.1 3

t_done
