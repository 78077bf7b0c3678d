#!/bin/sh
# rampartd against charon with MOBIKE (RFC 4555), both directions, pings counted through each
# move:
#   1. rampartd initiates; its address changes (192.0.2.1 removed, 192.0.2.5 added): rampartd
#      sends UPDATE_SA_ADDRESSES from the new address and charon follows;
#   2. charon initiates; its address changes (192.0.2.2 removed, 192.0.2.6 added): charon's
#      kernel-netlink sees it, charon sends the update and rampartd follows.
#
#   ns R (rampartd)                                   ns C (charon, kernel-libipsec)
#   lan 10.1.0.1/24                                   lan 10.2.0.1/24
#   veth 192.0.2.1 -> .5   ===== IKE, ESP in UDP =====   veth 192.0.2.2 -> .6
#
# Each move: both ends list the new address, MOBIKE negotiated (rampartd's list-sas), pings
# both ways afterwards; 50 pings at 5/s run through the move and the loss is reported (at most
# 15 allowed: the move waits for the old address to go and the new one to come).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

t_need_root
t_need_cmd swanctl ping timeout "$CHARON_BIN"
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NR mr || exit 1
ns_create NC mc || exit 1
link_pair "$NR" veth "$NC" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
for n in "$NR" "$NC"; do
	ip -n "$n" link add lan type veth peer name lan-p && ip -n "$n" link set lan up &&
		ip -n "$n" link set lan-p up || exit 1
done
addr_add "$NR" lan 10.1.0.1/24 || exit 1
addr_add "$NC" lan 10.2.0.1/24 || exit 1

PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
conf() { # LOCAL REMOTE MY-NET THEIR-NET ME PEER
	echo "connections {"
	ri_conn gw "$1" "$2" "$5.rampart.test" "$6.rampart.test" "$3" "$4"
	echo "}"
	echo "secrets {"
	ri_secret all r.rampart.test c.rampart.test "$PSK"
	echo "}"
}
# rampartd initiates to charon; a peer that moves by MOBIKE is followed whatever remote_addrs says
rt_start R "$NR" "" "$(conf 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 r c)" ||
	t_fail "rampartd starts"
DC=$T_TMP/charon
mkdir -p "$DC"
conf %any "192.0.2.1, 0.0.0.0/0" 10.2.0.0/24 10.1.0.0/24 c r >"$T_TMP/charon.conf"
t_check "charon starts" charon_start "$NC" "$DC"
t_check "charon loads its config" charon_load "$DC" "$T_TMP/charon.conf"
[ "$T_FAIL" -eq 0 ] || t_done

_charon_has_child() { [ "$(charon_sa_get "$DC" gw.child-sas.net.state)" = INSTALLED ]; }
_rampart_has_child() { ri_sas R | grep -q '^gw\.child-sas\.net-[0-9]*\.state=INSTALLED$'; }
_charon_remote_is() { [ "$(charon_sa_get "$DC" gw.remote-host)" = "$1" ]; }
_rampart_remote_is() { [ "$(ri_sas R | sed -n 's/^gw\.remote-host=//p')" = "$1" ]; }
_ri_none() { [ "$(ri_count R)" = 0 ]; }

# pings NS SRC DST FILE: 50 at 5/s in the background; pid in PPID_BG
pings() {
	ip netns exec "$1" ping -n -q -i 0.2 -c 50 -W 1 -I "$2" "$3" >"$4" 2>&1 &
	PPID_BG=$!
}
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1"; }

# ---- 1: rampartd roams, charon follows --------------------------------------------------------
t_check "1: rampart up gw" ri_up R gw
t_check "1: charon has the CHILD_SA" wait_for 5 _charon_has_child
t_expect_eq "1: MOBIKE negotiated (rampartd)" yes "$(ri_sas R | sed -n 's/^gw\.mobike=//p')"
t_check "1: ping before the move" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
pings "$NR" 10.1.0.1 10.2.0.1 "$T_TMP/ping1"
sleep 2
ip -n "$NR" addr del 192.0.2.1/24 dev veth
sleep 0.5
ip -n "$NR" addr add 192.0.2.5/24 dev veth
t_check "1: charon follows rampartd to 192.0.2.5" wait_for 15 _charon_remote_is 192.0.2.5
wait "$PPID_BG"
got=$(received "$T_TMP/ping1")
t_log "1: pings through rampartd's move: ${got:-0} of 50 answered, $((50 - ${got:-0})) lost"
t_expect_ge "1: pings through the move answered (at most 15 lost)" 35 "${got:-0}"
t_expect_eq "1: rampartd lists its new address" 192.0.2.5 \
	"$(ri_sas R | sed -n 's/^gw\.local-host=//p')"
t_check "1: charon's log: UPDATE_SA_ADDRESSES received" \
	grep -q "parsed INFORMATIONAL request.*N(UPD_SA_ADDR)" "$DC/charon.log"
t_check "1: ping rampart side -> charon side after" ping_ok "$NR" 10.2.0.1 10.1.0.1 5
t_check "1: ping charon side -> rampart side after" ping_ok "$NC" 10.1.0.1 10.2.0.1 5
t_check "1: rampart down gw" rt_ctl R down gw
t_check "1: no IKE SA left on rampartd" wait_for 5 _ri_none
charon_wait_no_sas "$DC" >/dev/null 2>&1
ip -n "$NR" addr add 192.0.2.1/24 dev veth

# ---- 2: charon roams, rampartd follows --------------------------------------------------------
t_check "2: swanctl --initiate gw" charon_swanctl "$DC" --initiate --ike gw --child net \
	--timeout 20 >>"$DC/swanctl.out" 2>&1
t_check "2: rampartd has the Child SA" wait_for 5 _rampart_has_child
t_expect_eq "2: MOBIKE negotiated (rampartd)" yes "$(ri_sas R | sed -n 's/^gw\.mobike=//p')"
t_check "2: ping before the move" ping_ok "$NC" 10.1.0.1 10.2.0.1 3
pings "$NC" 10.2.0.1 10.1.0.1 "$T_TMP/ping2"
sleep 2
ip -n "$NC" addr del 192.0.2.2/24 dev veth
sleep 0.5
ip -n "$NC" addr add 192.0.2.6/24 dev veth
t_check "2: rampartd follows charon to 192.0.2.6" wait_for 20 _rampart_remote_is 192.0.2.6
wait "$PPID_BG"
got=$(received "$T_TMP/ping2")
t_log "2: pings through charon's move: ${got:-0} of 50 answered, $((50 - ${got:-0})) lost"
t_expect_ge "2: pings through the move answered (at most 15 lost)" 35 "${got:-0}"
t_check "2: rampartd's log: moved on the update" grep -q \
	"peer moved from 192.0.2.2.*UPDATE_SA_ADDRESSES" "$T_TMP/R.log"
t_check "2: ping charon side -> rampart side after" ping_ok "$NC" 10.1.0.1 10.2.0.1 5
t_check "2: ping rampart side -> charon side after" ping_ok "$NR" 10.2.0.1 10.1.0.1 5

t_check "rampartd stops on SIGTERM" rt_stop R
if [ "$T_FAIL" -ne 0 ]; then
	echo "--- rampartd log tail"
	tail -n 40 "$T_TMP/R.log"
	echo "--- charon log tail"
	tail -n 40 "$DC/charon.log"
fi
t_done
