#!/bin/sh
# rampartd past its old fixed tables (4,096 states = 2,048 Child SAs, 4,096 installed
# directions): bench/ike_load sets up IKE_SCALE_N (default 2,600) IKE SAs with one Child SA
# each against it; every setup must succeed, the data plane must hold 2 states per Child SA
# and the 2 shared policies, and the log must show no refusal. Then half the IKE SAs are
# every SA installed (ASan checks the teardown).
#
#   ns a (ike_load, 192.0.2.1)  <---- veth ---->  ns b (rampartd, 192.0.2.2; lo 10.2.0.1)
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
: "${IKE_SCALE_N:=2600}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"
IKE_LOAD=$(pwd)/build/bench/ike_load
[ -x "$IKE_LOAD" ] || make -s build/bench/ike_load >/dev/null 2>&1 ||
	t_skip_all "cannot build $IKE_LOAD"
PSK="rampart-ike-scale-test-key"

ns_create NA sa || exit 1
ns_create NB sb || exit 1
link_pair "$NA" a0 "$NB" b0 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$NB" lo 10.2.0.1/32 || exit 1
rt_start B "$NB" "workers = 1" "$(ri_rw_conf "$PSK")" || t_fail "rampartd starts"
[ "$T_FAIL" -eq 0 ] || t_done

ns_exec "$NA" timeout 300 "$IKE_LOAD" -r 192.0.2.2 -l 192.0.2.1 -n "$IKE_SCALE_N" -w 16 -i 50 \
	-k "$PSK" -t 240 >"$T_TMP/load.txt" 2>&1
t_log "$(tail -n 1 "$T_TMP/load.txt")"
t_expect_eq "every one of $IKE_SCALE_N setups succeeded" "$IKE_SCALE_N" \
	"$(sed -n 's/^result .* ok=\([0-9]*\) .*/\1/p' "$T_TMP/load.txt")"
t_expect_eq "2 states per Child SA in the data plane" $((2 * IKE_SCALE_N)) \
	"$(rt_ctl B xfrm state list | grep -c '^src ')"
t_expect_eq "the 2 shared policies" 2 "$(rt_ctl B xfrm policy list | grep -c '^src ')"
t_expect_eq "no install refused" 0 "$(grep -c 'installing\|too many\|already installed' "$T_TMP/B.log")"
t_check "rampartd still answers" rt_ctl B version
rt_stop B
t_check "rampartd exited" sh -c "! kill -0 $(rt_pid B) 2>/dev/null"
t_expect_eq "no sanitizer report" 0 "$(grep -c 'ERROR: AddressSanitizer\|runtime error' "$T_TMP/B.log")"
t_done
