#!/bin/sh
# rampartd's configuration reload (SIGHUP) and `rampartd --check`, rampartd <-> rampartd.
#
#        namespace A (rp-la-$$)                          namespace B (rp-lb-$$)
#   lan 10.1.0.1/24, 10.1.1.1/24, 10.1.2.1/24     lan 10.2.0.1/24, 10.2.1.1/24, 10.2.2.1/24
#   rampart0 (TUN) -- rampartd                     rampartd -- rampart0 (TUN)
#        veth a  192.0.2.1  ====== IKE, ESP ======  192.0.2.2  veth b
#
# Connections gw (10.1.0.0/24 === 10.2.0.0/24), other (10.1.1.0/24 === 10.2.1.0/24) and, on B
# from the start and on A after the reload, extra (10.1.2.0/24 === 10.2.2.0/24); each with its
# own pair of identities (the responder picks the connection by them).
#   1. `rampartd --check` accepts A's file (exit 0, "configuration OK") and refuses one with a
#      misspelt key (exit 1, "FILE:LINE: unknown key ... did you mean ...");
#   2. gw and other up; under pings through gw (10/s), A's file changes (other's ESP proposal
#      becomes aes256gcm16, extra is added) and A gets SIGHUP: gw is untouched (same IKE SA,
#      same SPIs, no ping lost), other's SA stays (start_action none: strongSwan keeps SAs of
#      changed connections), extra is listed and comes up; other set up again uses the new
#      proposal;
#   3. a misspelt key in A's file and SIGHUP: the log names FILE:LINE and the key to use, the
#      previous configuration stays (extra still listed, gw's SAs untouched); `rampart reload`
#      fails saying so;
#   4. `log { ike = debug  daemon = warn }` in the rampart section and SIGHUP: a rekey then logs
#      ike debug lines and no daemon info lines.
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip ping timeout
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA la || exit 1
ns_create NB lb || exit 1
link_pair "$NA" veth "$NB" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
lan_add "$NA" 10.1.0.1/24 10.1.1.1/24 10.1.2.1/24 || exit 1
lan_add "$NB" 10.2.0.1/24 10.2.1.1/24 10.2.2.1/24 || exit 1

PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
# conns ME PEER MY-ID PEER-ID MY-NET THEIR-NET OTHER-ESP EXTRA(yes/no) [TYPO]
conns() {
	echo "connections {"
	ri_conn gw "$1" "$2" "$3" "$4" "$5.0.0/24" "$6.0.0/24" |
		if [ -n "${9:-}" ]; then sed 's/esp_proposals =/esp_proposal =/'; else cat; fi
	ri_conn other "$1" "$2" "o$3" "o$4" "$5.1.0/24" "$6.1.0/24" "" "$7"
	[ "$8" = yes ] && ri_conn extra "$1" "$2" "e$3" "e$4" "$5.2.0/24" "$6.2.0/24"
	echo "}"
	echo "secrets {"
	ri_secret gw a.rampart.test b.rampart.test "$PSK"
	ri_secret other oa.rampart.test ob.rampart.test "$PSK"
	ri_secret extra ea.rampart.test eb.rampart.test "$PSK"
	echo "}"
}
a_conf() { # OTHER-ESP EXTRA [TYPO] [RAMPART-LINES]: A's whole file
	cat <<EOF
rampart {
	control = $T_TMP/A.ctl
	tun = rampart0
	mtu = 1400
	workers = 2
	${4:-}
}
$(conns 192.0.2.1 192.0.2.2 a.rampart.test b.rampart.test 10.1 10.2 "$1" "$2" "${3:-}")
EOF
}

# ---- 1. rampartd --check -------------------------------------------------------------------
a_conf aes128gcm16 no >"$T_TMP/check-good.conf"
a_conf aes128gcm16 no typo >"$T_TMP/check-bad.conf"
out=$("$RAMPARTD" --check "$T_TMP/check-good.conf" 2>&1)
t_expect_eq "--check: a good file exits 0" 0 $?
t_check "--check: ... saying configuration OK" sh -c \
	"echo \"\$1\" | grep -q 'configuration OK (2 connections'" sh "$out"
out=$("$RAMPARTD" --check "$T_TMP/check-bad.conf" 2>&1)
t_expect_eq "--check: a misspelt key exits 1" 1 $?
line=$(grep -n 'esp_proposal =' "$T_TMP/check-bad.conf" | head -n 1 | cut -d: -f1)
t_check "--check: ... naming FILE:LINE and the key to use" sh -c \
	"echo \"\$1\" | grep -qF \"check-bad.conf:$line: unknown key 'esp_proposal' in 'connections.gw.children.net', did you mean 'esp_proposals'?\"" \
	sh "$out"

# ---- 2. SIGHUP with changes ----------------------------------------------------------------
a_conf aes128gcm16 no >"$T_TMP/A.conf"
ns_bg "$NA" "$T_TMP/A.log" "$RAMPARTD" --foreground --config "$T_TMP/A.conf"
RT_PID_A=$T_BG_PID
RT_NS_A=$NA
{ wait_socket "$T_TMP/A.ctl" 10 && wait_for 5 rt_ctl A version; } || t_fail "rampartd A starts"
rt_start B "$NB" "" "$(conns 192.0.2.2 192.0.2.1 b.rampart.test a.rampart.test 10.2 10.1 \
	"aes128gcm16, aes256gcm16" yes)" || t_fail "rampartd B starts"
[ "$T_FAIL" -eq 0 ] || t_done

t_check "rampart up gw" ri_up A gw
t_check "rampart up other" ri_up A other
ri_sas A >"$T_TMP/before"
gw_id=$(ri_get "$T_TMP/before" gw.uniqueid)
gw_spi=$(ri_get "$T_TMP/before" gw.child-sas.net.spi-in)
other_id=$(ri_get "$T_TMP/before" other.uniqueid)
t_check "list-conns has no extra yet" sh -c "! ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl list-conns | grep -q '^extra'"

ip netns exec "$NA" ping -q -n -c 60 -i 0.1 -W 1 -I 10.1.0.1 10.2.0.1 >"$T_TMP/ping" 2>&1 &
pp=$!
sleep 2
a_conf aes256gcm16 yes >"$T_TMP/A.conf"
kill -HUP "$RT_PID_A"
t_check "A logged the SIGHUP reload" wait_for 5 grep -q "SIGHUP: reloading $T_TMP/A.conf" "$T_TMP/A.log"
t_check "A loaded 3 connections" wait_for 5 grep -q "loaded 3 connections from" "$T_TMP/A.log"
wait $pp
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_TMP/ping")
t_expect_eq "no ping through gw lost across the reload" 60 "${got:-0}"
ri_sas A >"$T_TMP/after"
t_expect_eq "gw: the same IKE SA" "$gw_id" "$(ri_get "$T_TMP/after" gw.uniqueid)"
t_expect_eq "gw: the same Child SA (SPI)" "$gw_spi" "$(ri_get "$T_TMP/after" gw.child-sas.net.spi-in)"
t_expect_eq "other: its SA stays (start_action none)" "$other_id" "$(ri_get "$T_TMP/after" other.uniqueid)"
t_check "list-conns shows extra" sh -c "ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl list-conns | grep -q '^extra'"
t_check "rampart up extra" ri_up A extra
t_check "ping through extra" ping_ok "$NA" 10.2.2.1 10.1.2.1 3
t_check "rampart down other" rt_ctl A down other
t_check "rampart up other (the new proposal)" ri_up A other
ri_sas A >"$T_TMP/after2"
t_expect_eq "other now negotiates AES-GCM-256" 256 "$(ri_get "$T_TMP/after2" other.child-sas.net.encr-keysize)"
t_check "ping through other" ping_ok "$NA" 10.2.1.1 10.1.1.1 3

# ---- 3. SIGHUP with an error ---------------------------------------------------------------
a_conf aes256gcm16 yes typo >"$T_TMP/A.conf"
line=$(grep -n 'esp_proposal =' "$T_TMP/A.conf" | head -n 1 | cut -d: -f1)
kill -HUP "$RT_PID_A"
t_check "A logged FILE:LINE and the key to use" wait_for 5 grep -qF \
	"A.conf:$line: unknown key 'esp_proposal' in 'connections.gw.children.net', did you mean 'esp_proposals'?" \
	"$T_TMP/A.log"
t_check "A logged that the previous configuration stays" wait_for 5 grep -q \
	"reload failed; the previous configuration stays" "$T_TMP/A.log"
t_check "list-conns still shows extra" sh -c "ip netns exec $NA $RAMPART --socket $T_TMP/A.ctl list-conns | grep -q '^extra'"
ri_sas A >"$T_TMP/after3"
t_expect_eq "gw: still the same Child SA" "$gw_spi" "$(ri_get "$T_TMP/after3" gw.child-sas.net.spi-in)"
t_check "ping through gw" ping_ok "$NA" 10.2.0.1 10.1.0.1 3
if rt_ctl A reload >"$T_TMP/reload.out" 2>&1; then
	t_fail "rampart reload fails on the broken file"
else
	t_pass "rampart reload fails on the broken file"
fi
t_check "... saying the configuration has errors" grep -q "reload failed: the configuration has errors" "$T_TMP/reload.out"

# ---- 4. log levels per subsystem, changed by SIGHUP ------------------------------------------
a_conf aes256gcm16 yes "" "log {
		ike = debug
		daemon = warn
	}" >"$T_TMP/A.conf"
kill -HUP "$RT_PID_A"
t_check "A reloaded (log { ike = debug, daemon = warn })" wait_for 5 sh -c \
	"[ \$(grep -c 'SIGHUP: reloading' $T_TMP/A.log) = 3 ] && grep -q 'loaded 3 connections' $T_TMP/A.log"
sleep 1
mark=$(wc -l <"$T_TMP/A.log")
t_check "rampart rekey gw" rt_ctl A rekey gw/net
gw_rekeyed() { ri_sas A >"$T_TMP/after4" && [ "$(ri_get "$T_TMP/after4" gw.child-sas.net.spi-in)" != "$gw_spi" ]; }
t_check "the Child SA was rekeyed" wait_for 5 gw_rekeyed
tail -n +"$((mark + 1))" "$T_TMP/A.log" >"$T_TMP/A.tail"
t_check "ike debug lines appear" grep -q '^\[ike\] debug: ' "$T_TMP/A.tail"
t_check "no daemon info lines (the new states go unlogged)" sh -c "! grep -q '^\[daemon\] info: ' $T_TMP/A.tail"
t_check "ping through gw after the rekey" ping_ok "$NA" 10.2.0.1 10.1.0.1 3

t_done
