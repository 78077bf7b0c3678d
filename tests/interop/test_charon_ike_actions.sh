#!/bin/sh
# rampartd against strongSwan's charon (kernel-libipsec): swanctl.conf actions on rampartd's
# side with charon as the responder that deletes.
#
#   ns R (rp-tr-$$)                                   ns C (rp-tc-$$)
#   lan 10.1.0.1/24 (veth pair)                       lan 10.2.0.1/24 (veth pair)
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c
#
# Connection gw (PSK, tunnel 10.1.0.0/24 <-> 10.2.0.0/24), on rampartd start_action = trap and
# an updown script:
#   1. no SA at start; a ping from rampartd's subnet (the acquire) brings the tunnel up: both
#      listings show it, pings pass both ways; the updown script ran with up-client and, as
#      charon forces UDP encapsulation, PLUTO_UDP_ENC=4500;
#   2. charon deletes the IKE SA (swanctl --terminate): down-client on rampartd; the trap stays
#      and a ping brings the tunnel back;
#   3. rampartd reloaded with start_action = none, close_action = start, the tunnel set up
#      again with `rampart up`: charon deletes the IKE SA and rampartd re-creates it at once.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need
ci_topology tr tc 10.1.0.1/24 10.2.0.1/24

cat >"$T_TMP/updown.sh" <<'EOF'
#!/bin/sh
{
	echo "---- $PLUTO_VERB"
	env | grep '^PLUTO_' | sort
} >>"$(dirname "$0")/updown.env"
EOF
chmod +x "$T_TMP/updown.sh"

# rampartd's file: START CLOSE
rconf() {
	cat <<EOF
rampart {
	control = $T_TMP/R.ctl
	tun = rampart0
	mtu = 1400
	workers = 2
}
connections {
$(ci_conn gw 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 "" "" "start_action = $1
				close_action = $2
				updown = $T_TMP/updown.sh")
}
$(ci_secrets)
EOF
}

rconf trap none >"$T_TMP/R.conf"
ns_bg "$NR" "$T_TMP/R.log" "$RAMPARTD" --foreground --config "$T_TMP/R.conf"
RT_PID_R=$T_BG_PID
RT_NS_R=$NR
{ wait_socket "$T_TMP/R.ctl" 10 && wait_for 5 rt_ctl R version; } ||
	t_fail "rampartd starts with its IKE configuration"
ci_charon "connections {
$(ci_conn gw 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24)
}
$(ci_secrets)"

pinged() { ip netns exec "$NR" ping -q -n -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1; }
env_of() { # RUN(1-based) NAME
	awk -v n="$1" -v k="$2" '/^---- /{i++} i==n && index($0, k "=")==1 {
		print substr($0, length(k) + 2); exit }' "$T_TMP/updown.env"
}

# ---- 1. the acquire -----------------------------------------------------------------------------
t_check "rampartd: no SA before traffic" ci_r_none
t_expect_eq "charon: no SA before traffic" 0 "$(charon_ike_count "$DC")"
t_check "a ping from rampartd's subnet brings the tunnel up" wait_for 15 pinged
t_check "rampartd: Child SA INSTALLED" wait_for 5 ci_r_child gw
t_check "charon: CHILD_SA INSTALLED" wait_for 5 ci_c_child gw
ri_sas R >"$T_TMP/sas-r"
t_expect_eq "rampartd initiated" yes "$(ri_get "$T_TMP/sas-r" gw.initiator)"
t_expect_eq "ESP SPIs agree" "$(ri_get "$T_TMP/sas-r" gw.child-sas.net.spi-in)" \
	"$(charon_sa_get "$DC" gw.child-sas.net.spi-out)"
t_check "ping rampart side -> charon side" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
t_check "ping charon side -> rampart side" ping_ok "$NC" 10.1.0.1 10.2.0.1 3
t_check "updown ran (up)" wait_for 5 test -s "$T_TMP/updown.env"
t_expect_eq "PLUTO_VERB" up-client "$(env_of 1 PLUTO_VERB)"
t_expect_eq "PLUTO_PEER_ID" c.rampart.test "$(env_of 1 PLUTO_PEER_ID)"
t_expect_eq "PLUTO_PEER_CLIENT" 10.2.0.0/24 "$(env_of 1 PLUTO_PEER_CLIENT)"
t_expect_eq "PLUTO_UDP_ENC (charon forces UDP encapsulation)" 4500 "$(env_of 1 PLUTO_UDP_ENC)"

# ---- 2. charon deletes; the trap stays --------------------------------------------------------
t_check "swanctl --terminate --ike gw" charon_terminate "$DC" gw
t_check "rampartd: SA gone" wait_for 5 ci_r_none
t_check "updown ran (down)" wait_for 5 sh -c "grep -q '^---- down-client' $T_TMP/updown.env"
t_check "the trap brings the tunnel back" wait_for 15 pinged
t_check "rampartd: Child SA INSTALLED again" wait_for 5 ci_r_child gw
t_check "charon: CHILD_SA INSTALLED again" wait_for 5 ci_c_child gw

# ---- 3. close_action = start ------------------------------------------------------------------
rconf none start >"$T_TMP/R.conf"
t_check "rampart reload" rt_ctl R reload
t_check "rampart down gw" rt_ctl R down gw
t_check "rampartd: SA gone (3)" wait_for 5 ci_r_none
t_check "charon: SA gone (3)" charon_wait_no_sas "$DC"
t_check "rampart up gw" ri_up R gw
id_before=$(ri_sas R | awk -F= '/^gw\.uniqueid=/{print $2}')
t_check "swanctl --terminate --ike gw (close_action start)" charon_terminate "$DC" gw
r_new() { ci_r_child gw && [ "$(ri_sas R | awk -F= '/^gw\.uniqueid=/{print $2}')" != "$id_before" ]; }
t_check "rampartd re-creates the tunnel at once" wait_for 10 r_new
t_check "charon: CHILD_SA INSTALLED (close_action start)" wait_for 5 ci_c_child gw
t_check "ping through the re-created tunnel" ping_ok "$NR" 10.2.0.1 10.1.0.1 3

t_done
