#!/bin/sh
# The Rampart IKEv2 engine against strongSwan's charon: IKE_SA_INIT + IKE_AUTH with a PSK and
# the first CHILD_SA, Rampart initiating and Rampart responding. The engine runs inside
# build/check/tests/exchange/test_ike_udp --peer (one engine on UDP 500/4500, no data plane).
#
#   ns a (Rampart engine)                          ns b (charon, kernel-libipsec)
#   veth a0 192.0.2.1/24  <-------- IKE -------->  veth b0 192.0.2.2/24
#
# charon's kernel-libipsec needs ESP in UDP, so it fakes NAT detection: the engine must see
# that, float to 4500 with the non-ESP marker, and agree on every algorithm. Checks charon's
# view (states, algorithms, selectors, identities) and SPIs agreeing with the engine's events.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
. "$here/../netns/charon.sh"
. "$here/../netns/rampart_ike.sh"

PEER=$here/../../build/check/tests/exchange/test_ike_udp

t_need_root
t_need_cmd swanctl "$CHARON_BIN"
[ -x "$PEER" ] || t_skip_all "no $PEER (make check-build)"

ns_create A a || exit 1
ns_create B b || exit 1
link_pair "$A" a0 "$B" b0 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$B" lo 10.2.0.1/32 || exit 1

DB=$T_TMP/charon-b
mkdir -p "$DB"
PSK=rampart-engine-interop-secret
charon_psk_conf 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 b.rampart.test a.rampart.test "$PSK" \
	"aes128gcm16-prfsha256-x25519, aes256-sha256-modp2048" "aes128gcm16, aes128-sha256" \
	>"$T_TMP/b.conf"

t_check "charon b starts" charon_start "$B" "$DB"
t_check "charon b loads its config" charon_load "$DB" "$T_TMP/b.conf"
[ "$T_FAIL" -eq 0 ] || t_done

peer() { # log args...
	_log=$1
	shift
	ip netns exec "$A" "$PEER" --peer --local 192.0.2.1 --remote 192.0.2.2 \
		--lid a.rampart.test --rid b.rampart.test --psk "$PSK" \
		--lts 10.1.0.0/24 --rts 10.2.0.0/24 "$@" >"$_log" 2>&1
}

check_sa() { # label ike-encr child-encr
	S=$T_TMP/sas-$1
	charon_sas "$DB" >"$S"
	t_expect_eq "$1: IKE_SA established on charon" ESTABLISHED "$(charon_sa_get "$S" gw.state)"
	t_expect_eq "$1: IKE encryption" "$2" "$(charon_sa_get "$S" gw.encr-alg)"
	t_expect_eq "$1: remote identity" a.rampart.test "$(charon_sa_get "$S" gw.remote-id)"
	t_expect_eq "$1: CHILD_SA installed" INSTALLED "$(charon_sa_get "$S" gw.child-sas.net.state)"
	t_expect_eq "$1: ESP encryption" "$3" "$(charon_sa_get "$S" gw.child-sas.net.encr-alg)"
	t_expect_eq "$1: local-ts" "[10.2.0.0/24]" "$(charon_sa_get "$S" gw.child-sas.net.local-ts)"
	t_expect_eq "$1: remote-ts" "[10.1.0.0/24]" "$(charon_sa_get "$S" gw.child-sas.net.remote-ts)"
	spi_in=$(charon_sa_get "$S" gw.child-sas.net.spi-in)
	spi_out=$(charon_sa_get "$S" gw.child-sas.net.spi-out)
	t_check "$1: the engine's SPIs are charon's reversed" \
		grep -q "SPIs ${spi_out}_i ${spi_in}_o" "$T_TMP/peer-$1.log"
}

# 1. Rampart initiates (GCM + x25519 as charon's first choice)
t_check "engine initiates and gets IKE and CHILD SAs" peer "$T_TMP/peer-init.log" \
	--ike aes128gcm16-prfsha256-x25519 --esp aes128gcm16 --initiate --wait 20
check_sa init AES_GCM_16 AES_GCM_16
charon_terminate "$DB" gw 5 >/dev/null 2>&1
charon_wait_no_sas "$DB" 10

# 2. charon initiates to the engine (CBC + SHA-256, MODP 2048)
peer "$T_TMP/peer-resp.log" --ike aes256-sha256-modp2048 --esp aes128-sha256 --wait 25 &
PEER_PID=$!
t_track $PEER_PID
sleep 1
t_check "charon initiates to the engine" charon_initiate "$DB" net 20
wait $PEER_PID
t_expect_eq "engine as responder reports success" 0 $?
check_sa resp AES_CBC AES_CBC

charon_terminate "$DB" gw 5 >/dev/null 2>&1
charon_wait_no_sas "$DB" 10

# 3. charon's KE guess (x25519) is not what the engine picks: INVALID_KE_PAYLOAD, retry
peer "$T_TMP/peer-ke.log" --ike aes256-sha256-modp2048 --esp aes128-sha256 --wait 25 &
PEER_PID=$!
t_track $PEER_PID
sleep 1
t_check "charon retries after INVALID_KE_PAYLOAD" charon_initiate "$DB" net 20
wait $PEER_PID
t_expect_eq "engine as responder reports success after the retry" 0 $?
t_check "charon was asked for MODP_2048" grep -q "peer didn't accept DH group CURVE_25519, it requested MODP_2048" "$DB/charon.log"
check_sa ke AES_CBC AES_CBC
charon_terminate "$DB" gw 5 >/dev/null 2>&1
charon_wait_no_sas "$DB" 10

# 4. nothing in common: the engine names both sides' proposals
peer "$T_TMP/peer-noprop.log" --ike aes256gcm16-prfsha384-ecp384 --esp aes128gcm16 --wait 10 &
PEER_PID=$!
t_track $PEER_PID
sleep 1
charon_initiate "$DB" net 10
wait $PEER_PID
t_check "NO_PROPOSAL_CHOSEN sentence with both sides" grep -q \
	"no proposal chosen for 192.0.2.2: we accept IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384, peer proposed IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519" \
	"$T_TMP/peer-noprop.log"

# 5. a wrong PSK fails cleanly with the sentence on our side
t_check "engine with a wrong PSK fails" sh -c "! ip netns exec $A $PEER --peer --local 192.0.2.1 \
	--remote 192.0.2.2 --lid a.rampart.test --rid b.rampart.test --psk wrong \
	--ike aes128gcm16-prfsha256-x25519 --esp aes128gcm16 --lts 10.1.0.0/24 \
	--rts 10.2.0.0/24 --initiate --wait 15 >$T_TMP/peer-wrong.log 2>&1"
t_check "AUTHENTICATION_FAILED reported" grep -q "AUTHENTICATION_FAILED" "$T_TMP/peer-wrong.log"

[ "$T_FAIL" -eq 0 ] || {
	for f in "$T_TMP"/peer-*.log; do
		echo "== $f"
		tail -n 20 "$f"
	done
	tail -n 60 "$DB/charon.log"
} >&2
t_done
