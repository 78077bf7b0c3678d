#!/bin/sh
# The uniqueness policy of rampartd as the responder (swanctl.conf unique, strongSwan's
# check_uniqueness) when a second IKE SA comes with the same identity from another address
# (a road warrior reconnecting from elsewhere): the first from charon, the second from
# rampartd.
#
#   ns C (rp-uc-$$)                 ns R (rp-ur-$$)                  ns B (rp-ub-$$)
#   charon (initiator)              rampartd (responder)             rampartd (initiator)
#   lan 10.2.0.1/24                 lan 10.1.0.1/24                  lan 10.2.0.3/24
#   veth 192.0.2.2 ================ veth 192.0.2.1
#                                   vb 198.51.100.1 ================ veth 198.51.100.3
#
# R: connection rep (peer id c.rampart.test, unique = replace, child net) and keep (peer id
# k.rampart.test, unique = keep, child knet), both 10.1.0.0/24 === 10.2.0.0/24 and accepting
# either peer address.
#   1. replace: charon sets up rep; then B sets up rep with the same identity (B's
#      connections have unique = never: no INITIAL_CONTACT): R deletes charon's IKE SA with a
#      Delete (charon has none left) and keeps B's; R's pings reach B's 10.2.0.3;
#   2. keep: charon sets up keep; B (no INITIAL_CONTACT) fails `rampart up keep` with AUTHENTICATION_FAILED naming the
#      identity, R logs the reason (unique = keep), charon's IKE SA stays and R's pings reach
#      charon's 10.2.0.1;
#   3. keep and INITIAL_CONTACT: B reloaded with unique = no sends INITIAL_CONTACT, which
#      replaces charon's IKE SA on R (silently, as strongSwan's check_uniqueness with
#      force_replace: the peer says it lost its state) and R's pings reach B's 10.2.0.3.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need

ns_create NR ur || exit 1
ns_create NC uc || exit 1
ns_create NB ub || exit 1
link_pair "$NR" veth "$NC" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
link_pair "$NR" vb "$NB" veth 198.51.100.1/24 198.51.100.3/24 || exit 1
lan_add "$NR" 10.1.0.1/24 || exit 1
lan_add "$NC" 10.2.0.1/24 || exit 1
lan_add "$NB" 10.2.0.3/24 || exit 1

PSK=$CI_PSK
secrets() {
	echo "secrets {"
	ri_secret rep r.rampart.test c.rampart.test "$PSK"
	ri_secret keep r.rampart.test k.rampart.test "$PSK"
	echo "}"
}
# peer ME REMOTE [UNIQUE]: an initiator's connections rep and keep with unique = UNIQUE
# (never: no INITIAL_CONTACT is sent)
peer() {
	echo "connections {"
	ri_conn rep "$1" "$2" c.rampart.test r.rampart.test 10.2.0.0/24 10.1.0.0/24 |
		sed "s|dpd_delay = 0|unique = ${3:-no}|"
	ri_conn keep "$1" "$2" k.rampart.test r.rampart.test 10.2.0.0/24 10.1.0.0/24 "" "" knet |
		sed "s|dpd_delay = 0|unique = ${3:-no}|"
	echo "}"
	secrets
}
rt_start R "$NR" "" "$(
	echo "connections {"
	ri_conn rep "192.0.2.1, 198.51.100.1" "192.0.2.2, 198.51.100.3" r.rampart.test \
		c.rampart.test 10.1.0.0/24 10.2.0.0/24 | sed 's|dpd_delay = 0|unique = replace|'
	ri_conn keep "192.0.2.1, 198.51.100.1" "192.0.2.2, 198.51.100.3" r.rampart.test \
		k.rampart.test 10.1.0.0/24 10.2.0.0/24 "" "" knet | sed 's|dpd_delay = 0|unique = keep|'
	echo "}"
	secrets
)" || t_fail "rampartd R (responder) starts"
rt_start B "$NB" "" "$(peer 198.51.100.3 198.51.100.1 never)" || t_fail "rampartd B starts"
DC=$T_TMP/charon
mkdir -p "$DC"
peer 192.0.2.2 192.0.2.1 >"$T_TMP/charon.conf"
t_check "charon starts" charon_start "$NC" "$DC"
t_check "charon loads its config" charon_load "$DC" "$T_TMP/charon.conf"
[ "$T_FAIL" -eq 0 ] || t_done

# r_sas CONN: how many IKE SAs of CONN R lists; r_host CONN: their remote hosts
r_sas() { ri_sas R | grep -c "^$1\\.state="; }
r_host() { ri_sas R | sed -n "s/^$1\\.remote-host=//p" | tr '\n' ' ' | sed 's/ $//'; }
r_sas_is() { [ "$(r_sas "$1")" = "$2" ]; }
c_sas() { charon_sas "$DC" | grep -c "^$1\\.state=ESTABLISHED$"; }
c_sas_is() { [ "$(c_sas "$1")" = "$2" ]; }

# ---- 1. unique = replace ----------------------------------------------------------------------
t_check "charon sets up rep" charon_initiate "$DC" net
t_check "R: one rep IKE SA" wait_for 5 r_sas_is rep 1
t_expect_eq "R: rep from charon" 192.0.2.2 "$(r_host rep)"
t_check "B sets up rep with the same identity" ri_up B rep
t_check "R: one rep IKE SA left" wait_for 5 r_sas_is rep 1
t_expect_eq "R: rep from B now" 198.51.100.3 "$(r_host rep)"
t_check "charon: its rep IKE SA deleted by R" wait_for 5 c_sas_is rep 0
t_check "R logged the replacement" grep -q \
	"deleting duplicate IKE_SA rep\[[0-9]*\] for peer 'c.rampart.test' (unique = replace)" "$T_TMP/R.log"
t_check "ping R -> B's 10.2.0.3 through B's SA" ping_ok "$NR" 10.2.0.3 10.1.0.1 3
t_check "rampart down rep on B" rt_ctl B down rep
t_check "R: no rep IKE SA" wait_for 5 r_sas_is rep 0

# ---- 2. unique = keep -------------------------------------------------------------------------
t_check "charon sets up keep" charon_initiate "$DC" knet
t_check "R: one keep IKE SA" wait_for 5 r_sas_is keep 1
if ri_up B keep; then
	t_fail "B: rampart up keep fails (unique = keep)"
else
	t_pass "B: rampart up keep fails (unique = keep)"
fi
t_check "... with AUTHENTICATION_FAILED naming the identity" sh -c \
	"echo \"\$1\" | grep -q '^rampart: failed: AUTHENTICATION_FAILED from 198.51.100.1: it refused us as k.rampart.test '" \
	sh "$RI_OUT"
t_check "R logged why (unique = keep)" grep -q \
	'AUTHENTICATION_FAILED for 198.51.100.3 (id k.rampart.test): an IKE_SA with the same identities exists (unique = keep)' \
	"$T_TMP/R.log"
t_expect_eq "R: still one keep IKE SA" 1 "$(r_sas keep)"
t_expect_eq "R: keep from charon" 192.0.2.2 "$(r_host keep)"
t_expect_eq "charon: its keep IKE SA stays" 1 "$(c_sas keep)"
t_expect_eq "B: no IKE SA" 0 "$(ri_count B)"
t_check "ping R -> charon's 10.2.0.1 through charon's SA" ping_ok "$NR" 10.2.0.1 10.1.0.1 3

# ---- 3. keep, and a peer that sends INITIAL_CONTACT -----------------------------------------
{
	echo "rampart {"
	echo "	control = $T_TMP/B.ctl"
	echo "	tun = rampart0"
	echo "	mtu = 1400"
	echo "	workers = 2"
	echo "}"
	peer 198.51.100.3 198.51.100.1 no
} >"$T_TMP/B.conf"
t_check "B reloaded (keep: unique = no)" rt_ctl B reload
t_check "B sets up keep (INITIAL_CONTACT)" ri_up B keep
t_check "R: one keep IKE SA, from B" wait_for 5 sh -c \
	"[ \"\$(ip netns exec $NR $RAMPART --socket $T_TMP/R.ctl --json list-sas | grep -o '\"remote-host\":\"[0-9.]*\"' | sort -u | tr '\n' ' ')\" = '\"remote-host\":\"198.51.100.3\" ' ]"
t_check "R logged the INITIAL_CONTACT replacement" grep -q "keep\[[0-9]*\] replaced by IKE_SA keep\[[0-9]*\]: peer 'k.rampart.test' sent INITIAL_CONTACT" "$T_TMP/R.log"
t_check "ping R -> B's 10.2.0.3 through B's SA" ping_ok "$NR" 10.2.0.3 10.1.0.1 3

if [ "$T_FAIL" -ne 0 ]; then
	echo "--- R log tail"
	tail -n 40 "$T_TMP/R.log"
fi
t_done
