#!/bin/sh
# rampartd <-> rampartd: the daemon-side operations of the IKE daemon - the data plane's
# byte lifetimes reaching the engine (soft: rekey, hard: delete), per-Child counters in
# `rampart list-sas`, `rampart log` following the daemon's log, IKE counters in
# `rampart stats`, and time lifetimes of manually keyed states.
#
#        namespace A (rp-oa-$$)                          namespace B (rp-ob-$$)
#   lan 10.1.0.1/24, 10.1.1.1/24                   lan 10.2.0.1/24, 10.2.1.1/24
#          |                                                |
#   rampart0 (TUN) -- rampartd                rampartd -- rampart0 (TUN)
#          |                                                |
#        veth a  192.0.2.1  ====== IKE, ESP ======  192.0.2.2  veth b
#                192.0.2.11 (conn "lim")            192.0.2.12
#
# Connection "gw" (10.1.0.0/24 <-> 10.2.0.0/24): child "net" with rekey_bytes = 2 MB (and
# life_bytes = 50 MB: the default, 2.2 MB, leaves less than a rekey's round trip at veth speed;
# rand_bytes = 0: with the default jitter, 1 to 2 MB per SA, B's inbound SA could reach its
# soft limit first and rekey before A, which the checks of A's log expect to do it). A
# 3 MB TCP transfer crosses the soft limit: the Child SA is rekeyed under traffic (new SPIs,
# the old SA deleted) and the transfer arrives intact. Before that, 5 pings of 128-byte
# packets: list-sas on both sides counts exactly 5 packets / 640 bytes each way, and A's
# bytes-out and B's bytes-in grow alike over pings after the transfer.
# Connection "lim" (10.1.1.0/24 <-> 10.2.1.0/24): child "net" with life_bytes = 400 kB and no
# rekey: a 1 MB transfer hits the hard limit, the Child SA is deleted on both sides (the IKE
# SA stays) and the tunnel stops carrying traffic.
# `rampart log` runs in the background on A from the start and must capture the
# "established" lines of `rampart up`; `rampart stats` shows the IKE counters.
# Manual keying: a state with `limit time-soft 1 time-hard 4` is logged at the soft limit and
# removed at the hard one.
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip nc sha256sum timeout
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA oa || exit 1
ns_create NB ob || exit 1
link_pair "$NA" veth "$NB" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$NA" veth 192.0.2.11/24 || exit 1
addr_add "$NB" veth 192.0.2.12/24 || exit 1
lan_add "$NA" 10.1.0.1/24 10.1.1.1/24 || exit 1
lan_add "$NB" 10.2.0.1/24 10.2.1.1/24 || exit 1

PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtb3BzLXRlc3Q="
# conn NAME LOCAL REMOTE LID RID LTS RTS LIMIT-LINE
conn() {
	cat <<EOF
	$1 {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = aes128gcm16-prfsha256-x25519
		dpd_delay = 0
		local {
			auth = psk
			id = $4
		}
		remote {
			auth = psk
			id = $5
		}
		children {
			net {
				local_ts = $6
				remote_ts = $7
				esp_proposals = aes128gcm16
				mode = tunnel
				$8
			}
		}
	}
EOF
}
# side ME PEER MY-SUFFIX PEER-SUFFIX MY-NET-PREFIX THEIR-NET-PREFIX
side() {
	echo "connections {"
	conn gw "192.0.2.$3" "192.0.2.$4" "$1.ops.test" "$2.ops.test" "$5.0.0/24" "$6.0.0/24" \
		"rekey_bytes = 2000000
				life_bytes = 50000000
				rand_bytes = 0"
	conn lim "192.0.2.1$3" "192.0.2.1$4" "l$1.ops.test" "l$2.ops.test" "$5.1.0/24" \
		"$6.1.0/24" "life_bytes = 400000"
	echo "}"
	echo "secrets {"
	ri_secret gw a.ops.test b.ops.test "$PSK"
	ri_secret lim la.ops.test lb.ops.test "$PSK"
	echo "}"
}
rt_start A "$NA" "" "$(side a b 1 2 10.1 10.2)" || t_fail "rampartd A starts"
rt_start B "$NB" "" "$(side b a 2 1 10.2 10.1)" || t_fail "rampartd B starts"
[ "$T_FAIL" -eq 0 ] || t_done

# ---- rampart log follows A's log ---------------------------------------------------------
ip netns exec "$NA" "$RAMPART" --socket "$T_TMP/A.ctl" log --level info \
	>"$T_TMP/follow.txt" 2>"$T_TMP/follow.err" &
LOG_PID=$!
t_track "$LOG_PID"
sleep 0.5
t_check "rampart log keeps running" kill -0 "$LOG_PID"

t_check "rampart up gw" ri_up A gw
t_check "rampart up lim" ri_up A lim
b_children() { [ "$(ri_sas B | grep -c '^[a-z]*\.child-sas\.net-[0-9]*\.state=INSTALLED$')" = 2 ]; }
t_check "B has both Child SAs" wait_for 5 b_children
t_check "rampart log shows the IKE SA established" wait_file_match "$T_TMP/follow.txt" \
	'[0-9]{2}:[0-9]{2}:[0-9]{2}.*\[ike\] info: .*established' 5
t_check "rampart log shows the Child SA installed" wait_file_match "$T_TMP/follow.txt" \
	'\[ike\] info: .*Child SA gw/net .*installed' 5
sed -n '1,6s/^/#   log: /p' "$T_TMP/follow.txt"
t_check "rampart log is still running (no DONE frame)" kill -0 "$LOG_PID"
t_check "a second subscriber at --level debug" sh -c \
	"ip netns exec $NA timeout 2 $RAMPART --socket $T_TMP/A.ctl log --level debug \
		>$T_TMP/follow2.txt 2>&1; test \$? = 124"
if rt_ctl A log --level loud 2>"$T_TMP/badlevel.err"; then
	t_fail "rampart log --level loud is refused"
else
	t_check "rampart log --level loud is refused naming the levels" grep -q 'debug' \
		"$T_TMP/badlevel.err"
fi

# ---- counters: 5 pings of 128-byte packets each way ---------------------------------------
SA=$T_TMP/sas-a
SB=$T_TMP/sas-b
ri_sas A >"$SA"
spi0=$(ri_get "$SA" gw.child-sas.net.spi-in)
ip netns exec "$NA" ping -q -n -c 5 -i 0.2 -W 2 -s 100 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1
sleep 1.5 # use-in/out are sampled once a second
ri_sas A >"$SA"
ri_sas B >"$SB"
grep 'gw\.child-sas' "$SA" | grep -E 'bytes|packets|use' | sed 's/^/#   A: /'
t_expect_eq "A: packets-out" 5 "$(ri_get "$SA" gw.child-sas.net.packets-out)"
t_expect_eq "A: bytes-out (5 x 128)" 640 "$(ri_get "$SA" gw.child-sas.net.bytes-out)"
t_expect_eq "A: packets-in (the replies)" 5 "$(ri_get "$SA" gw.child-sas.net.packets-in)"
t_expect_eq "A: bytes-in" 640 "$(ri_get "$SA" gw.child-sas.net.bytes-in)"
t_expect_eq "B: packets-in" 5 "$(ri_get "$SB" gw.child-sas.net.packets-in)"
t_expect_eq "B: bytes-in" 640 "$(ri_get "$SB" gw.child-sas.net.bytes-in)"
t_expect_eq "B: bytes-out" 640 "$(ri_get "$SB" gw.child-sas.net.bytes-out)"
use=$(ri_get "$SA" gw.child-sas.net.use-out)
t_check "A: use-out says the SA was used recently ($use s)" test -n "$use" -a "${use:-99}" -le 3
t_expect_eq "lim carried nothing yet" 0 "$(ri_get "$SA" lim.child-sas.net.bytes-out)"
t_check "text list-sas shows bytes and packets" sh -c \
	"ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl list-sas | grep -qE '^    out [0-9a-f]{8}, +640 bytes, +5 packets'"

# ---- soft byte lifetime: rekey under traffic ----------------------------------------------
transfer() { # PORT BYTES SRC DST [SECONDS] -> $want, $got: SHA-256 sent and received
	head -c "$2" /dev/urandom >"$T_TMP/blob"
	want=$(sha256sum <"$T_TMP/blob" | cut -d' ' -f1)
	ip netns exec "$NB" sh -c "exec timeout 60 nc -l -n $4 $1" >"$T_TMP/recv" 2>/dev/null &
	lpid=$!
	wait_tcp_port "$NB" "$1" 5
	ip netns exec "$NA" timeout "${5:-50}" nc -N -n -s "$3" "$4" "$1" <"$T_TMP/blob"
	wait_for "${5:-20}" sh -c "! kill -0 $lpid 2>/dev/null"
	kill "$lpid" 2>/dev/null
	got=$(sha256sum <"$T_TMP/recv" | cut -d' ' -f1)
}
transfer 5001 3000000 10.1.0.1 10.2.0.1
t_expect_eq "3 MB transfer across the soft limit intact (SHA-256)" "$want" "$got"
rekeyed() { ri_sas A >"$SA" && [ "$(ri_get "$SA" gw.child-sas.net.spi-in)" != "$spi0" ] &&
	[ "$(grep -c '^gw\.child-sas\.net-[0-9]*\.state=' "$SA")" = 1 ]; }
t_check "the Child SA was rekeyed (new SPI, old SA gone)" wait_for 10 rekeyed
t_check "A logged the soft lifetime" grep -q 'reached its soft lifetime' "$T_TMP/A.log"
t_check "the rekey shows in rampart log" grep -q 'soft lifetime' "$T_TMP/follow.txt"
# The transfer's packets may be lost below IPsec on a loaded machine (a full UDP receive buffer;
# TCP resends them), so the counters are compared over a quiet exchange on the new SA: 5 pings of
# 100 octets of data (128-octet IP packets) move A's bytes-out and B's bytes-in by exactly 640.
t_check "ping over the new Child SA" ping_ok "$NA" 10.2.0.1 10.1.0.1 3
sleep 1.5 # counters settle; use-in/out are sampled once a second
ri_sas A >"$SA"
ri_sas B >"$SB"
a_out0=$(ri_get "$SA" gw.child-sas.net.bytes-out)
b_in0=$(ri_get "$SB" gw.child-sas.net.bytes-in)
a_pk0=$(ri_get "$SA" gw.child-sas.net.packets-out)
b_pk0=$(ri_get "$SB" gw.child-sas.net.packets-in)
ip netns exec "$NA" ping -q -n -c 5 -i 0.2 -W 2 -s 100 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1
sleep 1.5
ri_sas A >"$SA"
ri_sas B >"$SB"
t_expect_eq "new SA: A's bytes-out grew by 5 x 128" 640 \
	$(($(ri_get "$SA" gw.child-sas.net.bytes-out) - ${a_out0:-0}))
t_expect_eq "new SA: B's bytes-in grew by 5 x 128" 640 \
	$(($(ri_get "$SB" gw.child-sas.net.bytes-in) - ${b_in0:-0}))
t_expect_eq "new SA: A's packets-out and B's packets-in grew by 5" "5 5" \
	"$(($(ri_get "$SA" gw.child-sas.net.packets-out) - ${a_pk0:-0})) $(($(ri_get "$SB" gw.child-sas.net.packets-in) - ${b_pk0:-0}))"
t_check "new SA: B received no more than A sent" \
	test "$(ri_get "$SB" gw.child-sas.net.bytes-in)" -le "$(ri_get "$SA" gw.child-sas.net.bytes-out)"
t_expect_eq "IKE SA gw still ESTABLISHED" ESTABLISHED "$(ri_get "$SA" gw.state)"

# ---- hard byte lifetime: the Child SA is deleted ------------------------------------------
transfer 5002 1000000 10.1.1.1 10.2.1.1 8 # stalls at the hard limit
t_log "transfer over lim (400 kB hard limit): sha256 ${got%"${got#????????}"}"
lim_gone() { ri_sas "$1" >"$T_TMP/sas-x" &&
	! grep -q '^lim\.child-sas\.net-[0-9]*\.state=' "$T_TMP/sas-x"; }
t_check "A: the lim Child SA is deleted at life_bytes" wait_for 10 lim_gone A
t_check "B: the lim Child SA is deleted too" wait_for 10 lim_gone B
t_check "A logged the hard lifetime" grep -q 'reached its hard lifetime' "$T_TMP/A.log"
ri_sas A >"$SA"
t_expect_eq "the lim IKE SA stays" ESTABLISHED "$(ri_get "$SA" lim.state)"
if ping_ok "$NA" 10.2.1.1 10.1.1.1 1; then
	t_fail "no traffic over lim after the hard limit"
else
	t_pass "no traffic over lim after the hard limit"
fi

# ---- IKE counters in rampart stats --------------------------------------------------------
rt_ctl A stats >"$T_TMP/stats.txt"
sed -n '/^ike/,$p' "$T_TMP/stats.txt" | sed 's/^/#   /' | head -20
t_check "stats shows the IKE section" grep -q '^ike' "$T_TMP/stats.txt"
rt_ctl A --json stats >"$T_TMP/stats.json"
jget() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d$2)" "$1"; }
t_expect_eq "stats --json: 2 IKE SAs established" 2 "$(jget "$T_TMP/stats.json" "['ike']['established']")"
t_expect_ge "stats --json: IKE_AUTH exchanges initiated" 2 \
	"$(jget "$T_TMP/stats.json" "['ike']['exchanges']['IKE_AUTH']['initiated']")"
t_expect_ge "stats --json: CREATE_CHILD_SA exchanges" 1 \
	"$(jget "$T_TMP/stats.json" "['ike']['exchanges']['CREATE_CHILD_SA']['initiated'] + d['ike']['exchanges']['CREATE_CHILD_SA']['responded']")"
t_expect_eq "stats --json: no half-open SA" 0 "$(jget "$T_TMP/stats.json" "['ike']['half-open']")"

# ---- manual keying: time lifetimes --------------------------------------------------------
rt_ctl A xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x7001 mode tunnel \
	limit time-soft 1 time-hard 4 aead 'rfc4106(gcm(aes))' "0x$(_rt_hex 20)" 128 ||
	t_fail "xfrm state add with limits"
t_check "the limits are listed" sh -c "rt_ctl() { ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl \"\$@\"; };
	rt_ctl xfrm state list | grep -q 'expire add: soft 1(sec), hard 4(sec)'"
manual_gone() { ! rt_ctl A xfrm state list | grep -q 'spi 0x00007001'; }
t_check "the manual state is removed at time-hard" wait_for 9 manual_gone
t_check "its soft limit was logged" grep -q 'spi 0x00007001 reached its soft lifetime' "$T_TMP/A.log"
t_check "its removal was logged" grep -q 'spi 0x00007001 reached its hard lifetime: removed' \
	"$T_TMP/A.log"
if rt_ctl A xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x7002 \
	limit byte-soft 10 byte-hard 5 aead 'rfc4106(gcm(aes))' "0x$(_rt_hex 20)" 128 \
	2>"$T_TMP/lim.err"; then
	t_fail "soft above hard is refused"
else
	t_check "soft above hard is refused with the reason" grep -q 'byte-soft (10) is larger' \
		"$T_TMP/lim.err"
fi

kill "$LOG_PID" 2>/dev/null
t_check "rampartd A stops on SIGTERM" rt_stop A
t_check "rampartd B stops on SIGTERM" rt_stop B
if [ "$T_FAIL" -ne 0 ]; then
	echo "--- rampartd A log tail"
	tail -n 40 "$T_TMP/A.log"
	echo "--- rampartd B log tail"
	tail -n 20 "$T_TMP/B.log"
fi
t_done
