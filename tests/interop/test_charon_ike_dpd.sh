#!/bin/sh
# rampartd <-> charon (kernel-libipsec): deletes from either side and dead peer detection both
# ways, one charon for every case.
#
#   ns R (rp-dr-$$)                                   ns C (rp-dc-$$)
#   lan 10.1.0.1/24 (veth pair)                       lan 10.2.0.1/24 (veth pair)
#   rampart0 (TUN) -- rampartd                        charon -- ipsec0 (kernel-libipsec)
#   veth r 192.0.2.1   ====== IKE, ESP in UDP ======  192.0.2.2  veth c
#          192.0.2.11  (conn "dead", rampartd's DPD)  192.0.2.12
#          192.0.2.21  (conn "cdpd", charon's DPD)    192.0.2.22
#   nftables "blackhole" tables (input, per address) make one end dead to the other.
#
# Deletes (conn "gw", PSK, aes128gcm16-prfsha256-x25519), for each the IKE SA and Child SA gone
# from `rampart list-sas` and `swanctl --list-sas`, rampartd's data plane empty (no state) and
# no traffic between the subnets:
#   1. rampartd initiates, charon (the responder) deletes: swanctl --terminate
#   2. charon initiates, rampartd (the responder) deletes: rampart down
# Dead peers (retransmissions shortened: rampartd retransmit_timeout 0.5 s, base 1.4, 2 tries;
# charon 1 s, base 1.4, 2 tries):
#   3. conn "dead", dpd_delay 1s, dpd_action restart on rampartd: charon's address stops
#      answering; rampartd's liveness check goes unanswered, the IKE SA is declared dead with a
#      sentence naming the peer, its Child SA leaves the data plane, and a new IKE SA is
#      initiated that comes up (and carries traffic) once the path is back.
#   4. conn "cdpd", dpd_delay 1s, dpd_action clear on charon: rampartd's address stops answering;
#      charon gives up after its retransmits and clears the SA; once the path is back,
#      rampartd (no DPD of its own on cdpd) deletes its stale SA with `rampart down`.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need nft
ci_topology dr dc 10.1.0.1/24 10.2.0.1/24 "192.0.2.11/24 192.0.2.21/24" \
	"192.0.2.12/24 192.0.2.22/24"

# conn NAME LOCAL REMOTE LTS RTS DPD-DELAY DPD-ACTION
conn() {
	ci_conn "$1" "$2" "$3" "$4" "$5" "" "dpd_delay = $6
		keyingtries = 3" "start_action = none
				dpd_action = $7"
}
conns() { # MY-SUFFIX PEER-SUFFIX MY-NET THEIR-NET DEAD-DPD CDPD-DPD
	echo "connections {"
	conn gw "192.0.2.$1" "192.0.2.$2" "$3" "$4" 0 clear
	conn dead "192.0.2.1$1" "192.0.2.1$2" "$3" "$4" "$5" restart
	conn cdpd "192.0.2.2$1" "192.0.2.2$2" "$3" "$4" "$6" clear
	echo "}"
	ci_secrets
}

rt_start R "$NR" "retransmit_timeout = 0.5
	retransmit_base = 1.4
	retransmit_tries = 2" "$(conns 1 2 10.1.0.0/24 10.2.0.0/24 1s 0)" ||
	t_fail "rampartd starts with short retransmissions"
CHARON_EXTRA="retransmit_timeout = 1.0
	retransmit_base = 1.4
	retransmit_tries = 2"
ci_charon "$(conns 2 1 10.2.0.0/24 10.1.0.0/24 0 1s)" "charon starts (retransmissions shortened)"

# blackhole NS ADDR on|off: NS drops every packet arriving for ADDR (its peer hears nothing).
blackhole() {
	local t="bh_$(echo "$2" | tr . _)"
	if [ "$3" = on ]; then
		ip netns exec "$1" nft -f - <<EOF
table ip $t {
	chain in {
		type filter hook input priority -10; policy accept;
		ip daddr $2 counter drop
	}
}
EOF
	else
		ip netns exec "$1" nft delete table ip "$t"
	fi
}
bh_dropped() { # NS ADDR
	ip netns exec "$1" nft list table ip "bh_$(echo "$2" | tr . _)" 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1
}

_r_has() { # conn
	ri_sas R | grep -q "^$1\.state="
}
_c_ike_gone() { # conn
	! charon_sas "$DC" | grep -q "^$1\.state="
}
no_ping() { # description
	if ping_ok "$NR" 10.2.0.1 10.1.0.1 1; then t_fail "$1"; else t_pass "$1"; fi
}
both_clean() { # label conn
	t_check "$1: rampartd lists no IKE SA" wait_for 10 ci_r_none
	t_check "$1: charon lists no IKE SA" charon_wait_no_sas "$DC" 10
	t_expect_eq "$1: rampartd's data plane holds no state" "" "$(rt_ctl R xfrm state list)"
	no_ping "$1: no traffic between the subnets"
}
up_and_ping() { # label conn who(rampart|charon)
	ci_up "$1" "$2" "$3"
	t_check "$1: ping rampart side -> charon side" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
	t_check "$1: ping charon side -> rampart side" ping_ok "$NC" 10.1.0.1 10.2.0.1 3
}

# ---- 1. rampartd initiates, charon (responder) deletes -------------------------------------
up_and_ping "1" gw rampart
t_expect_eq "1: rampartd is the initiator" yes "$(ri_sas R | sed -n 's/^gw\.initiator=//p')"
t_check "1: swanctl --terminate gw (the responder)" charon_terminate "$DC" gw
both_clean "1" gw
t_check "1: rampartd logged the peer's delete" grep -qiE "gw.*(delet|down)|(delet|down).*gw" \
	"$T_TMP/R.log"

# ---- 2. charon initiates, rampartd (responder) deletes --------------------------------------
up_and_ping "2" gw charon
t_expect_eq "2: rampartd is the responder" no "$(ri_sas R | sed -n 's/^gw\.initiator=//p')"
t_check "2: rampart down gw (the responder)" rt_ctl R down gw
both_clean "2" gw
t_check "2: charon received the delete" grep -q "received DELETE for IKE_SA gw" "$DC/charon.log"

# ---- 3. rampartd finds charon dead (dpd_action restart) -------------------------------------
up_and_ping "3" dead rampart
old_spi=$(ri_sas R | sed -n 's/^dead\.initiator-spi=//p')
n_r0=$(grep -c "liveness check\|declared dead" "$T_TMP/R.log")
t_check "3: charon's address goes silent" blackhole "$NC" 192.0.2.12 on
start=$(date +%s)
_r_dead() { grep -q "did not answer liveness checks.*declared dead" "$T_TMP/R.log"; }
t_check "3: rampartd declares charon dead" wait_for 15 _r_dead
secs=$(($(date +%s) - start))
t_log "declared dead after about $secs s (dpd_delay 1 s + 0.5 + 0.7 + 0.98 s)"
t_check "3: ... within 6 s" test "$secs" -le 6
t_check "3: the sentence names the peer and the action" grep -q \
	"peer 192.0.2.12.* did not answer liveness checks after 2 retransmits: IKE_SA dead\[[0-9]*\] declared dead (dpd_action restart)" \
	"$T_TMP/R.log"
t_expect_ge "3: the blackhole dropped the liveness checks and retransmits" 3 \
	"$(bh_dropped "$NC" 192.0.2.12)"
t_expect_eq "3: the dead SA's ESP state left the data plane" "" \
	"$(rt_ctl R xfrm state list | grep -v '^$' | head -n 1)"
t_check "3: path back" blackhole "$NC" 192.0.2.12 off
_r_new_up() {
	ci_r_child dead && [ "$(ri_sas R | sed -n 's/^dead\.initiator-spi=//p')" != "$old_spi" ]
}
t_check "3: restart: a new IKE SA comes up" wait_for 20 _r_new_up
t_expect_eq "3: rampartd holds one IKE SA" 1 "$(ri_count R)"
t_check "3: charon replaced its stale SA (one IKE SA)" wait_for 10 _charon_ike_count_is "$DC" 1
t_check "3: traffic through the new SA" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
t_check "3: rampart down dead" rt_ctl R down dead
both_clean "3" dead

# ---- 4. charon finds rampartd dead (dpd_action clear) ---------------------------------------
up_and_ping "4" cdpd rampart
t_check "4: rampartd's address goes silent" blackhole "$NR" 192.0.2.21 on
start=$(date +%s)
t_check "4: charon gives up and clears the SA" wait_for 20 _c_ike_gone cdpd
secs=$(($(date +%s) - start))
t_log "charon cleared the SA after about $secs s (dpd_delay 1 s + 1 + 1.4 + 1.96 s)"
t_check "4: charon logged the dead peer" grep -q "giving up after 2 retransmits" "$DC/charon.log"
t_expect_ge "4: rampartd's blackhole dropped charon's liveness checks" 3 \
	"$(bh_dropped "$NR" 192.0.2.21)"
t_check "4: path back" blackhole "$NR" 192.0.2.21 off
t_expect_eq "4: rampartd (no DPD on cdpd) still holds its SA" 1 "$(ri_count R)"
t_check "4: rampart down cdpd (the peer has forgotten the SA)" rt_ctl R down cdpd
t_check "4: rampartd lists no IKE SA" wait_for 10 ci_r_none
t_expect_eq "4: rampartd's data plane holds no state" "" "$(rt_ctl R xfrm state list)"

t_check "rampartd stops on SIGTERM" rt_stop R
ci_tails 60
t_done
