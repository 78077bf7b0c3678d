#!/bin/sh
# rampartd <-> charon (kernel-libipsec): Child SA rekeying by lifetime (rekey_time) under
# traffic, by either side, with PFS, and the pings lost across the rekeys counted (target 0).
#
#   ns R (rp-hr-$$)                                   ns C (rp-hc-$$)
#   lan 10.1.0.1/24, 10.3.0.1/24 (veth pair)          lan 10.2.0.1/24, 10.4.0.1/24 (veth pair)
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c   (conn "rc")
#          192.0.2.11                                 192.0.2.12          (conn "cc")
#
#   rc: rampartd initiates; its Child SA rekeys every 8-10 s (rekey_time 10s, rand_time 2s;
#       off on charon), ESP aes128gcm16 with PFS over X25519: rampartd is the rekey initiator
#   cc: charon initiates; charon rekeys its Child SA (same times; off on rampartd), ESP
#       aes256-sha256 with PFS over MODP-2048: rampartd is the rekey responder
# IKE SAs are not rekeyed. For 30 s, 10 pings a second through each tunnel; then for each
# connection: at least two Child SA rekeys seen by both ends, the same IKE SA as before, one
# Child SA left on each side with SPIs that agree (rampartd's in = charon's out) and differ from
# the first ones, only that SA's two states in rampartd's data plane (the old ones deleted),
# no ping lost. Then deletes leave both sides clean.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need
ci_topology hr hc "10.1.0.1/24 10.3.0.1/24" "10.2.0.1/24 10.4.0.1/24" 192.0.2.11/24 192.0.2.12/24

# conn NAME LOCAL REMOTE LTS RTS ESP CHILD-REKEY-TIME: IKE rekeying off; CHILD-REKEY-TIME 0
# turns Child rekeying off.
conn() {
	ci_conn "$1" "$2" "$3" "$4" "$5" "$6" "rekey_time = 0
		dpd_delay = 0" "rekey_time = $7
				rand_time = 2s
				life_time = 1h
				start_action = none"
}
RC_ESP=aes128gcm16-x25519
CC_ESP=aes256-sha256-modp2048
conns() { # SIDE(1 rampartd, 2 charon) RC-REKEY CC-REKEY
	echo "connections {"
	if [ "$1" = 1 ]; then
		conn rc 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 $RC_ESP "$2"
		conn cc 192.0.2.11 192.0.2.12 10.3.0.0/24 10.4.0.0/24 $CC_ESP "$3"
	else
		conn rc 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 $RC_ESP "$2"
		conn cc 192.0.2.12 192.0.2.11 10.4.0.0/24 10.3.0.0/24 $CC_ESP "$3"
	fi
	echo "}"
	ci_secrets
}

rt_start R "$NR" "" "$(conns 1 10s 0)" || t_fail "rampartd starts"
ci_charon "$(conns 2 0 10s)"

ci_up rc rc rampart
ci_up cc cc charon
[ "$T_FAIL" -eq 0 ] || t_done

ri_sas R >"$T_TMP/before.sas"
for c in rc cc; do
	eval "ispi0_$c=\$(ri_get \"\$T_TMP/before.sas\" $c.initiator-spi)"
	eval "cspi0_$c=\$(ri_get \"\$T_TMP/before.sas\" $c.child-sas.net.spi-in)"
done

# 30 s of pings, 10 a second, through both tunnels: three rekeys each, give or take one
ip netns exec "$NR" ping -n -q -i 0.1 -c 300 -W 2 -I 10.1.0.1 10.2.0.1 >"$T_TMP/ping.rc" 2>&1 &
p1=$!
ip netns exec "$NR" ping -n -q -i 0.1 -c 300 -W 2 -I 10.3.0.1 10.4.0.1 >"$T_TMP/ping.cc" 2>&1 &
p2=$!
t_track $p1
t_track $p2
wait $p1 $p2

# inst FILE CONN KEY: KEY of CONN's INSTALLED Child SA in a flattened listing (charon keeps
# deleted ones listed for a while)
inst() {
	awk -F= -v c="$2" -v k="$3" '
	{ split($1, p, "."); if (p[1] == c && p[2] == "child-sas") v[p[3] "." p[4]] = $2 }
	END { for (x in v) if (x ~ /\.state$/ && v[x] == "INSTALLED") {
		split(x, q, "."); print v[q[1] "." k]; exit } }' "$1"
}
ninst() { grep -c "^$2\.child-sas\.net-[0-9]*\.state=INSTALLED" "$1"; }
# The listings of both sides and rampartd's data plane, taken between two rekeys (they go on:
# one may be in flight right now): one INSTALLED Child SA per connection on each side, with
# SPIs that agree, and only its two states in the data plane.
_settled() {
	ri_sas R >"$T_TMP/after.sas"
	charon_sas "$DC" >"$T_TMP/charon.sas"
	rt_ctl R xfrm state list >"$T_TMP/states"
	for c in rc cc; do
		[ "$(ninst "$T_TMP/after.sas" $c)" = 1 ] && [ "$(ninst "$T_TMP/charon.sas" $c)" = 1 ] &&
			[ "$(inst "$T_TMP/after.sas" $c spi-in)" = "$(inst "$T_TMP/charon.sas" $c spi-out)" ] &&
			[ "$(inst "$T_TMP/after.sas" $c spi-out)" = "$(inst "$T_TMP/charon.sas" $c spi-in)" ] &&
			grep -qi "spi 0x$(inst "$T_TMP/after.sas" $c spi-in) " "$T_TMP/states" &&
			grep -qi "spi 0x$(inst "$T_TMP/after.sas" $c spi-out) " "$T_TMP/states" ||
			return 1
	done
	[ "$(grep -c '^src ' "$T_TMP/states")" = 4 ]
}
t_check "both sides agree on one Child SA per connection, SPIs crossing, only its 2 states each in rampartd's data plane" \
	wait_for 8 _settled
for c in rc cc; do
	t_expect_eq "$c: 300 pings sent" 300 "$(ping_sent "$T_TMP/ping.$c")"
	t_expect_eq "$c: no ping lost across the Child SA rekeys" 0 "$(ping_lost "$T_TMP/ping.$c")"
	# every Child SA installed after the first is a rekey
	t_expect_ge "$c: rampartd installed at least two rekeyed Child SAs" 3 \
		"$(grep -c "Child SA $c/net in SPI 0x[0-9a-f]* installed" "$T_TMP/R.log")"
	t_expect_ge "$c: charon established at least two rekeyed CHILD_SAs" 3 \
		"$(grep -cE "<$c\|[0-9]+> (inbound )?CHILD_SA net\{[0-9]+\} established with SPIs" \
			"$DC/charon.log")"
	t_expect_eq "$c: the same IKE SA (initiator SPI)" "$(eval echo "\$ispi0_$c")" \
		"$(ri_get "$T_TMP/after.sas" $c.initiator-spi)"
	r_in=$(inst "$T_TMP/after.sas" $c spi-in)
	t_check "$c: new Child SA SPIs ($r_in, first $(eval echo "\$cspi0_$c"))" \
		test -n "$r_in" -a "$r_in" != "$(eval echo "\$cspi0_$c")"
done
t_expect_eq "rc: PFS group in the Child SA (charon)" CURVE_25519 \
	"$(inst "$T_TMP/charon.sas" rc dh-group)"
t_expect_eq "cc: PFS group in the Child SA (charon)" MODP_2048 \
	"$(inst "$T_TMP/charon.sas" cc dh-group)"
t_check "rampartd logged its own rekeys of rc" grep -q "rekeying CHILD_SA net{[0-9]*}" \
	"$T_TMP/R.log"
t_check "rampartd reported no failure" sh -c "! grep -qiE 'failed|declared dead' '$T_TMP/R.log'"
t_check "charon reported no rekey failure" sh -c \
	"! grep -qE 'rekeying failed|giving up|INVALID_KE|NO_PROPOSAL' '$DC/charon.log'"

t_check "rc: rampart down rc" rt_ctl R down rc
t_check "cc: swanctl --terminate cc" charon_terminate "$DC" cc
t_check "charon has no IKE SA left" charon_wait_no_sas "$DC" 10
t_check "rampartd has no IKE SA left" wait_for 10 ci_r_none
t_expect_eq "rampartd's data plane has no state left" "" "$(rt_ctl R xfrm state list)"

t_check "rampartd stops on SIGTERM" rt_stop R
ci_tails 40
t_done
