#!/bin/sh
# The Rampart IKEv2 engine against charon with certificates made by strongSwan's pki: RFC 7427
# signatures both ways (the engine RSA or Ed25519, charon ECDSA), chains to a pki CA, SAN
# identities; Rampart initiating and responding; a certificate from another CA refused.
#
#   ns a (test_ike_udp --peer)                     ns b (charon, kernel-libipsec)
#   veth a0 192.0.2.1/24  <-------- IKE -------->  veth b0 192.0.2.2/24
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
. "$here/../netns/charon.sh"

PEER=$here/../../build/check/tests/exchange/test_ike_udp

t_need_root
t_need_cmd swanctl pki "$CHARON_BIN"
[ -x "$PEER" ] || t_skip_all "no $PEER (make check-build)"

ns_create A a || exit 1
ns_create B b || exit 1
link_pair "$A" a0 "$B" b0 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$B" lo 10.2.0.1/32 || exit 1

P=$T_TMP/pki
O=$T_TMP/other
t_check "pki CA" pki_ca "$P" ecdsa
t_check "pki: charon's ECDSA certificate" pki_cert "$P" b ecdsa "C=CH, O=Rampart Test, CN=b" b.rampart.test
t_check "pki: the engine's RSA certificate" pki_cert "$P" a-rsa rsa "C=CH, O=Rampart Test, CN=a" a.rampart.test
t_check "pki: the engine's Ed25519 certificate" pki_cert "$P" a-ed ed25519 "C=CH, O=Rampart Test, CN=a2" a.rampart.test
t_check "pki: another CA" pki_ca "$O" ecdsa "C=XX, O=Other, CN=Other CA"
t_check "pki: a certificate from it" pki_cert "$O" a-rogue ecdsa "C=CH, O=Rampart Test, CN=a" a.rampart.test

DB=$T_TMP/charon-b
mkdir -p "$DB"
cat >"$T_TMP/b.conf" <<EOF
connections {
	gw {
		version = 2
		local_addrs = 192.0.2.2
		remote_addrs = 192.0.2.1
		proposals = aes128gcm16-prfsha256-ecp256
		dpd_delay = 0
		local {
			auth = pubkey
			certs = b.crt
			id = b.rampart.test
		}
		remote {
			auth = pubkey
			id = a.rampart.test
		}
		children {
			net {
				local_ts = 10.2.0.0/24
				remote_ts = 10.1.0.0/24
				esp_proposals = aes128gcm16
				start_action = none
			}
		}
	}
}
EOF
t_check "charon b starts" charon_start "$B" "$DB"
t_check "charon gets its certificate" charon_install_cert "$DB" "$P" b
t_check "charon b loads its config" charon_load "$DB" "$T_TMP/b.conf"
[ "$T_FAIL" -eq 0 ] || t_done

peer() { # log cert key ca args...
	_log=$1
	_c=$2
	_k=$3
	_ca=$4
	shift 4
	ip netns exec "$A" "$PEER" --peer --local 192.0.2.1 --remote 192.0.2.2 \
		--lid a.rampart.test --rid b.rampart.test --cert "$_c" --key "$_k" --ca "$_ca" \
		--ike aes128gcm16-prfsha256-ecp256 --esp aes128gcm16 \
		--lts 10.1.0.0/24 --rts 10.2.0.0/24 "$@" >"$_log" 2>&1
}

check_sa() { # label
	S=$T_TMP/sas-$1
	charon_sas "$DB" >"$S"
	t_expect_eq "$1: IKE_SA established on charon" ESTABLISHED "$(charon_sa_get "$S" gw.state)"
	t_expect_eq "$1: remote identity" a.rampart.test "$(charon_sa_get "$S" gw.remote-id)"
	t_expect_eq "$1: CHILD_SA installed" INSTALLED "$(charon_sa_get "$S" gw.child-sas.net.state)"
	charon_terminate "$DB" gw 5 >/dev/null 2>&1
	charon_wait_no_sas "$DB" 10
}

t_check "RSA engine initiates to charon" peer "$T_TMP/peer-rsa.log" "$P/a-rsa.crt" "$P/a-rsa.key" \
	"$P/ca.crt" --initiate --wait 20
check_sa rsa
t_check "charon checked an RFC 7427 RSA-PSS signature" grep -q \
	"authentication of 'a.rampart.test' with RSA_EMSA_PSS_SHA2_256_SALT_32 successful" "$DB/charon.log"

peer "$T_TMP/peer-ed.log" "$P/a-ed.crt" "$P/a-ed.key" "$P/ca.crt" --wait 25 &
PEER_PID=$!
t_track $PEER_PID
sleep 1
t_check "charon initiates to the Ed25519 engine" charon_initiate "$DB" net 20
wait $PEER_PID
t_expect_eq "engine as responder reports success" 0 $?
check_sa ed
t_check "charon checked an Ed25519 signature" grep -q "with ED25519 successful" "$DB/charon.log"

# RFC 7383: the RSA certificate with the CA certificate sent along does not fit 1280 octets
cat "$P/a-rsa.crt" "$O/ca.crt" >"$T_TMP/a-bundle.crt"
t_check "fragmented IKE_AUTH to charon" peer "$T_TMP/peer-frag.log" "$T_TMP/a-bundle.crt" \
	"$P/a-rsa.key" "$P/ca.crt" --initiate --wait 20
check_sa frag
t_check "charon reassembled our fragments" grep -q "IKE_AUTH request 1 \\[ EF(1/2) \\]\\|received fragment #1 of 2" "$DB/charon.log"

t_check "a certificate from another CA is refused" sh -c "! ip netns exec $A $PEER --peer \
	--local 192.0.2.1 --remote 192.0.2.2 --lid a.rampart.test --rid b.rampart.test \
	--cert $O/a-rogue.crt --key $O/a-rogue.key --ca $P/ca.crt \
	--ike aes128gcm16-prfsha256-ecp256 --esp aes128gcm16 --lts 10.1.0.0/24 \
	--rts 10.2.0.0/24 --initiate --wait 15 >$T_TMP/peer-rogue.log 2>&1"
t_check "AUTHENTICATION_FAILED reported" grep -q "AUTHENTICATION_FAILED" "$T_TMP/peer-rogue.log"

[ "$T_FAIL" -eq 0 ] || {
	for f in "$T_TMP"/peer-*.log; do
		echo "== $f"
		tail -n 20 "$f"
	done
	tail -n 60 "$DB/charon.log"
} >&2
t_done
