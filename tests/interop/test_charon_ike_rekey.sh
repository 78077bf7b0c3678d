#!/bin/sh
# rampartd <-> charon (kernel-libipsec): IKE SA rekeying (RFC 7296 §1.3.2) under traffic, by
# either side, with the pings lost across the rekeys counted (target 0).
#
#   ns R (rp-kr-$$)                                   ns C (rp-kc-$$)
#   lan 10.1.0.1/24, 10.3.0.1/24 (veth pair)          lan 10.2.0.1/24, 10.4.0.1/24 (veth pair)
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c   (conn "rr")
#          192.0.2.11                                 192.0.2.12          (conn "cr")
#
#   rr: rampartd initiates the IKE SA and rekeys it (rekey_time 20s, rand_time 3s on rampartd,
#       IKE rekeying off on charon): rampartd is the rekey initiator
#   cr: charon initiates the IKE SA and rekeys it (rekey_time 20s, rand_time 3s on charon,
#       off on rampartd): rampartd is the rekey responder
# Child SAs keep the default rekey_time (1 h): only IKE SAs are rekeyed. For 45 s, 10 pings a
# second through each tunnel; then for each connection: at least two rekeys logged by
# rampartd and by charon ("IKE_SA rr[N] rekeyed between"), one IKE SA on each side with the
# same new SPIs, the same Child SA as before (SPIs unchanged), no ping lost. Then `rampart
# rekey cr` (rampartd rekeys an SA charon initiated) and `rampart rekey rr/net` under traffic,
# `swanctl --rekey --ike rr` (charon rekeys an SA rampartd initiated), and a Delete over each
# rekeyed SA that leaves both sides clean.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need
ci_topology kr kc "10.1.0.1/24 10.3.0.1/24" "10.2.0.1/24 10.4.0.1/24" 192.0.2.11/24 192.0.2.12/24

# conn NAME LOCAL REMOTE LTS RTS REKEY-TIME: REKEY-TIME 0 turns IKE rekeying off.
conn() {
	ci_conn "$1" "$2" "$3" "$4" "$5" "" "rekey_time = $6
		rand_time = 3s
		dpd_delay = 0"
}
conns() { # MY-SUFFIX PEER-SUFFIX RR-REKEY CR-REKEY (rampartd's view: nets 10.1/10.3)
	echo "connections {"
	if [ "$1" = 1 ]; then
		conn rr 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 "$3"
		conn cr 192.0.2.11 192.0.2.12 10.3.0.0/24 10.4.0.0/24 "$4"
	else
		conn rr 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 "$3"
		conn cr 192.0.2.12 192.0.2.11 10.4.0.0/24 10.3.0.0/24 "$4"
	fi
	echo "}"
	ci_secrets
}

rt_start R "$NR" "" "$(conns 1 2 20s 0)" || t_fail "rampartd starts"
ci_charon "$(conns 2 1 0 20s)"

ci_up rr rr rampart
ci_up cr cr charon
[ "$T_FAIL" -eq 0 ] || t_done

ri_sas R >"$T_TMP/before.sas"
for c in rr cr; do
	eval "ispi0_$c=\$(ri_get \"\$T_TMP/before.sas\" $c.initiator-spi)"
	eval "cspi0_$c=\$(ri_get \"\$T_TMP/before.sas\" $c.child-sas.net.spi-in)"
done
t_expect_eq "rr: rampartd is the IKE initiator" yes "$(ri_get "$T_TMP/before.sas" rr.initiator)"
t_expect_eq "cr: rampartd is the IKE responder" no "$(ri_get "$T_TMP/before.sas" cr.initiator)"

# 45 s of pings, 10 a second, through both tunnels (two rekeys each at 17-20 s intervals)
ip netns exec "$NR" ping -n -q -i 0.1 -c 450 -W 2 -I 10.1.0.1 10.2.0.1 >"$T_TMP/ping.rr" 2>&1 &
p1=$!
ip netns exec "$NR" ping -n -q -i 0.1 -c 450 -W 2 -I 10.3.0.1 10.4.0.1 >"$T_TMP/ping.cr" 2>&1 &
p2=$!
t_track $p1
t_track $p2
wait $p1 $p2

ri_sas R >"$T_TMP/after.sas"
charon_sas "$DC" >"$T_TMP/charon.sas"
for c in rr cr; do
	t_expect_eq "$c: 450 pings sent" 450 "$(ping_sent "$T_TMP/ping.$c")"
	t_expect_eq "$c: no ping lost across the IKE rekeys" 0 "$(ping_lost "$T_TMP/ping.$c")"
	t_expect_ge "$c: rampartd logged at least two rekeys" 2 \
		"$(grep -c "IKE_SA $c\[[0-9]*\] rekeyed: now $c\[" "$T_TMP/R.log")"
	t_expect_ge "$c: charon logged at least two completed rekeys" 2 \
		"$(grep -c "IKE_SA $c\[[0-9]*\] rekeyed between" "$DC/charon.log")"
	t_expect_eq "$c: rampartd lists one IKE SA" 1 \
		"$(grep -c "^$c\.state=" "$T_TMP/after.sas")"
	t_expect_eq "$c: charon lists one IKE SA" 1 "$(grep -c "^$c\.state=" "$T_TMP/charon.sas")"
	t_expect_eq "$c: ESTABLISHED at rampartd" ESTABLISHED "$(ri_get "$T_TMP/after.sas" $c.state)"
	ispi=$(ri_get "$T_TMP/after.sas" $c.initiator-spi)
	eval "old=\$ispi0_$c"
	t_check "$c: new IKE SPIs" test -n "$ispi" -a "$ispi" != "$old"
	t_expect_eq "$c: charon has the same initiator SPI" "$ispi" \
		"$(charon_sa_get "$T_TMP/charon.sas" $c.initiator-spi)"
	t_expect_eq "$c: charon has the same responder SPI" \
		"$(ri_get "$T_TMP/after.sas" $c.responder-spi)" \
		"$(charon_sa_get "$T_TMP/charon.sas" $c.responder-spi)"
	eval "old=\$cspi0_$c"
	t_expect_eq "$c: the same Child SA (SPI in unchanged)" "$old" \
		"$(ri_get "$T_TMP/after.sas" $c.child-sas.net.spi-in)"
done
t_expect_eq "rr: the rekeyed SA keeps rampartd as initiator" yes \
	"$(ri_get "$T_TMP/after.sas" rr.initiator)"
t_expect_eq "cr: the rekeyed SA has charon as initiator" no \
	"$(ri_get "$T_TMP/after.sas" cr.initiator)"
t_check "rampartd reported no failure" sh -c "! grep -qiE 'failed|declared dead' '$T_TMP/R.log'"
t_check "charon reported no rekey failure" sh -c \
	"! grep -qE 'rekeying failed|giving up|collision' '$DC/charon.log'"

# `rampart rekey` under traffic: rampartd rekeys the IKE SA charon initiated (rampartd becomes
# the initiator of the new SA, §2.18), then the Child SA of rr
crk() { grep -c "IKE_SA cr\[[0-9]*\] rekeyed between" "$DC/charon.log"; }
n0=$(crk)
ip netns exec "$NR" ping -n -q -i 0.1 -c 40 -W 2 -I 10.3.0.1 10.4.0.1 >"$T_TMP/ping.m" 2>&1 &
p1=$!
t_track $p1
sleep 1
t_check "rampart rekey cr" rt_ctl R rekey cr
_c_rekeyed() { [ "$(crk)" -gt "$n0" ]; }
t_check "cr: charon logged the rekey rampartd started" wait_for 10 _c_rekeyed
t_check "rampart rekey rr/net" rt_ctl R rekey rr/net
_r_child_new() {
	[ "$(ri_sas R | awk -F= '/^rr\.child-sas\.net-[0-9]*\.spi-in=/ { print $2 }')" != "$cspi0_rr" ]
}
t_check "rr: the Child SA was rekeyed" wait_for 10 _r_child_new
wait $p1
t_expect_eq "cr: no ping lost across rampart rekey" 0 "$(ping_lost "$T_TMP/ping.m")"
ri_sas R >"$T_TMP/after2.sas"
t_expect_eq "cr: rampartd is now the initiator" yes "$(ri_get "$T_TMP/after2.sas" cr.initiator)"
t_expect_eq "cr: still one IKE SA at charon" 1 "$(charon_sas "$DC" | grep -c '^cr\.state=')"
t_check "rr: traffic through the new Child SA" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
# charon rekeys the IKE SA rampartd initiated (charon becomes its initiator)
rrk() { grep -c "IKE_SA rr\[[0-9]*\] rekeyed: now rr\[" "$T_TMP/R.log"; }
n0=$(rrk)
t_check "swanctl --rekey --ike rr" charon_swanctl "$DC" --rekey --ike rr >>"$DC/swanctl.out" 2>&1
_r_rekeyed() { [ "$(rrk)" -gt "$n0" ]; }
t_check "rr: rampartd answered charon's rekey" wait_for 10 _r_rekeyed
_r_rr_resp() { [ "$(ri_sas R | sed -n 's/^rr\.initiator=//p')" = no ]; }
t_check "rr: charon is now the initiator" wait_for 5 _r_rr_resp
t_check "rr: traffic after charon's rekey" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
if rt_ctl R rekey nosuch >"$T_TMP/nosuch.out" 2>&1; then
	t_fail "rampart rekey of an unknown connection fails"
else
	t_check "rampart rekey of an unknown connection fails, saying why" grep -q \
		'no established SA of "nosuch" to rekey' "$T_TMP/nosuch.out"
fi

# Deletes over the rekeyed SAs (their keys work both ways)
t_check "rr: rampart down rr" rt_ctl R down rr
t_check "rr: charon received the delete" wait_file_match "$DC/charon.log" \
	"received DELETE for IKE_SA rr" 10
t_check "cr: swanctl --terminate cr" charon_terminate "$DC" cr
t_check "rampartd lists no IKE SA" wait_for 10 ci_r_none
t_check "charon lists no IKE SA" charon_wait_no_sas "$DC" 10
t_expect_eq "rampartd's data plane holds no state" "" "$(rt_ctl R xfrm state list)"

t_check "rampartd stops on SIGTERM" rt_stop R
ci_tails 60 80
t_done
