#!/bin/sh
# charon <-> charon with certificates made by charon.sh's pki helpers: an ECDSA CA, an RSA
# end-entity certificate for a and an Ed25519 one for b, identities taken from their SANs.
# Validates the certificate half of the harness that Rampart-vs-charon tests reuse.
#
#   ns a  lo 10.1.0.1/32                               ns b  lo 10.2.0.1/32
#   veth a0 192.0.2.1/24  <----- ESP in UDP ----->     veth b0 192.0.2.2/24
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
. "$here/../netns/charon.sh"

t_need_root
t_need_cmd swanctl pki openssl ping "$CHARON_BIN"

PKI=$T_TMP/pki
t_check "CA (ECDSA)" pki_ca "$PKI" ecdsa
t_check "a's certificate (RSA)" pki_cert "$PKI" a rsa "C=CH, O=Rampart Test, CN=a.rampart.test" \
	a.rampart.test 192.0.2.1
t_check "b's certificate (Ed25519)" pki_cert "$PKI" b ed25519 \
	"C=CH, O=Rampart Test, CN=b.rampart.test" b.rampart.test 192.0.2.2
t_check "a's certificate verifies against the CA" sh -c \
	"openssl verify -CAfile '$PKI/ca.crt' '$PKI/a.crt' >/dev/null"
t_check "b's certificate verifies against the CA" sh -c \
	"openssl verify -CAfile '$PKI/ca.crt' '$PKI/b.crt' >/dev/null"
t_check "a's certificate carries its SANs" sh -c "openssl x509 -in '$PKI/a.crt' -noout \
	-ext subjectAltName | grep -q 'DNS:a.rampart.test, IP Address:192.0.2.1'"
t_check "a's key is RSA" sh -c "openssl pkey -in '$PKI/a.key' -noout -text | grep -q 'Private-Key: (2048 bit'"
t_check "b's key is Ed25519" sh -c "openssl pkey -in '$PKI/b.key' -noout -text | grep -q ED25519"
t_check "CA key is ECDSA P-256" sh -c "openssl pkey -in '$PKI/ca.key' -noout -text | grep -q prime256v1"

ns_create A a || exit 1
ns_create B b || exit 1
link_pair "$A" a0 "$B" b0 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$A" lo 10.1.0.1/32 || exit 1
addr_add "$B" lo 10.2.0.1/32 || exit 1

conf() { # local remote local_ts remote_ts my_id peer_id my_cert
	cat <<EOF
connections {
	gw {
		version = 2
		local_addrs = $1
		remote_addrs = $2
		proposals = aes128gcm16-prfsha256-x25519
		local {
			auth = pubkey
			certs = $7
			id = $5
		}
		remote {
			auth = pubkey
			id = $6
		}
		children {
			net {
				local_ts = $3
				remote_ts = $4
				esp_proposals = aes128gcm16
			}
		}
	}
}
EOF
}

DA=$T_TMP/charon-a
DB=$T_TMP/charon-b
conf 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 a.rampart.test b.rampart.test a.crt >"$T_TMP/a.conf"
conf 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 b.rampart.test a.rampart.test b.crt >"$T_TMP/b.conf"

t_check "charon a starts" charon_start "$A" "$DA"
t_check "charon b starts" charon_start "$B" "$DB"
t_check "a's credentials installed" charon_install_cert "$DA" "$PKI" a
t_check "b's credentials installed" charon_install_cert "$DB" "$PKI" b
t_check "charon a loads config and credentials" charon_load "$DA" "$T_TMP/a.conf"
t_check "charon b loads config and credentials" charon_load "$DB" "$T_TMP/b.conf"
[ "$T_FAIL" -eq 0 ] || t_done

t_check "a initiates (certificate authentication)" charon_initiate "$DA" net 20
t_expect_eq "IKE_SA established on b" ESTABLISHED "$(charon_sa_get "$DB" gw.state)"
t_expect_eq "b authenticated a by its SAN" a.rampart.test "$(charon_sa_get "$DB" gw.remote-id)"
t_check "a verified b's Ed25519 signature, b a's RSA one" sh -c \
	"grep -q \"authentication of 'b.rampart.test' with ED25519 successful\" '$DA/charon.log' &&
	 grep -q \"authentication of 'a.rampart.test' with RSA\" '$DB/charon.log'"
t_check "CHILD_SA installed on b" charon_wait_child "$DB" gw.child-sas.net 5
t_check "ping a -> b through the tunnel" ping_ok "$A" 10.2.0.1 10.1.0.1 3

if [ "$T_FAIL" -ne 0 ]; then
	echo "--- charon a log tail"
	tail -n 30 "$DA/charon.log"
	echo "--- charon b log tail"
	tail -n 30 "$DB/charon.log"
fi
t_done
