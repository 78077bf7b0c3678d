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

t_need_root
t_need_cmd swanctl ping timeout "$CHARON_BIN"
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NR jr || exit 1
ns_create NC jc || exit 1
link_pair "$NR" veth "$NC" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
for n in "$NR" "$NC"; do
	ip -n "$n" link add lan type veth peer name lan-p && ip -n "$n" link set lan up &&
		ip -n "$n" link set lan-p up || exit 1
done
addr_add "$NR" lan 10.1.0.1/24 10.1.1.1/24 || exit 1
addr_add "$NC" lan 10.2.0.1/24 10.2.1.1/24 || exit 1

PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
conf() { # ME PEER MY-ID PEER-ID MY-NET-PREFIX THEIR-NET-PREFIX
	cat <<EOF
connections {
	two {
		version = 2
		local_addrs = $1
		remote_addrs = $2
		proposals = aes128gcm16-prfsha256-x25519
		local {
			auth = psk
			id = $3
		}
		remote {
			auth = psk
			id = $4
		}
		children {
			net1 {
				local_ts = $5.0.0/24
				remote_ts = $6.0.0/24
				esp_proposals = aes128gcm16
			}
			net2 {
				local_ts = $5.1.0/24
				remote_ts = $6.1.0/24
				esp_proposals = aes256gcm16-x25519
			}
		}
	}
}
secrets {
$(ri_secret all r.rampart.test c.rampart.test "$PSK")
}
EOF
}

rt_start R "$NR" "" "$(conf 192.0.2.1 192.0.2.2 r.rampart.test c.rampart.test 10.1 10.2)" ||
	t_fail "rampartd starts"
DC=$T_TMP/charon
mkdir -p "$DC"
conf 192.0.2.2 192.0.2.1 c.rampart.test r.rampart.test 10.2 10.1 >"$T_TMP/charon.conf"
t_check "charon starts" charon_start "$NC" "$DC"
t_check "charon loads its config" charon_load "$DC" "$T_TMP/charon.conf"
[ "$T_FAIL" -eq 0 ] || t_done

_c_child() { [ "$(charon_sa_get "$DC" "two.child-sas.$1.state")" = INSTALLED ]; }
_r_child() { ri_sas R | grep -q "^two\.child-sas\.$1-[0-9]*\.state=INSTALLED\$"; }
_ri_none() { [ "$(ri_count R)" = 0 ]; }

check_both() { # LABEL
	local sr="$T_TMP/sas-r-$1" n
	ri_sas R >"$sr"
	t_expect_eq "$1: one IKE SA on rampartd" 1 "$(ri_count R)"
	for n in net1 net2; do
		t_check "$1: charon has $n" wait_for 5 _c_child $n
		t_check "$1: rampartd has $n" wait_for 5 _r_child $n
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
t_check "rampartd sees the IKE SA gone" wait_for 10 _ri_none

if [ "$T_FAIL" -ne 0 ]; then
	echo "--- rampartd log tail"
	tail -n 40 "$T_TMP/R.log"
	echo "--- charon log tail"
	tail -n 40 "$DC/charon.log"
fi
t_done
