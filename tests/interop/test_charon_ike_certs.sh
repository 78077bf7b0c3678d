#!/bin/sh
# rampartd <-> charon (kernel-libipsec) with certificates made by strongSwan's pki, through a
# router whose links have an MTU of 1280 and which drops every IP fragment: each end with RSA,
# ECDSA and Ed25519 certificates (RFC 7427 signatures), each initiating and responding, across
# AES-GCM / AES-CBC+HMAC-SHA2 / ChaCha20-Poly1305 and groups 19, 14 and 31; and a large chain
# (RSA 4096 end entities under two RSA 4096 intermediates) that only gets through with IKEv2
# fragmentation (RFC 7383) in both directions.
#
#   ns R (rp-cr-$$)                 ns M (rp-cm-$$)                  ns C (rp-cc-$$)
#   lan 10.1.0.1/24                 forwards, MTU 1280,              lan 10.2.0.1/24
#   rampartd, rampart0              drops IP fragments               charon, ipsec0
#   r 198.51.100.1/24  <---->  m0 198.51.100.254 | m1 203.0.113.254  <---->  c 203.0.113.1/24
#     .11 .21 .31 .41 .51           m2 100.64.0.254                           .11 .21 .31 .41
#     (one address per connection)     |
#                                   r2 100.64.0.1/24   ns R2 (rp-cs-$$): a second rampartd,
#                                   lan 10.5.0.1/24    rampart0
#
# Connections (tunnel 10.1.0.0/24 <-> 10.2.0.0/24, identities from the certificates' SANs):
#   rsa    rampartd RSA 2048, charon ECDSA P-256;  aes128gcm16-prfsha256-ecp256 / aes128gcm16
#   ecdsa  rampartd ECDSA P-256, charon RSA 2048;  aes256-sha256-modp2048 / aes256-sha256
#   ed     rampartd Ed25519, charon Ed25519;       chacha20poly1305-prfsha256-x25519 / chacha
#   big    both RSA 4096 + 2 intermediates (CERT payloads of about 4 KB): fragmented IKE_AUTH
#   pair   rampartd <-> rampartd (R and R2) with the same big chains, each initiating
# For each connection and each initiator: both ends' SAs up with the algorithms asked for,
# charon verified the signature scheme expected, pings both ways, the initiator deletes. For
# "big": charon received and sent IKE_AUTH in fragments, and the router's fragment-drop rule
# counted nothing for IKE (every IKE datagram fit the path). For "pair": the IKE_AUTH messages
# crossed the router as SKF fragments both ways (a capture), pings both ways, deletes.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need pki nft
CHARON_PLUGINS="$CHARON_PLUGINS chapoly"

ns_create NR cr || exit 1
ns_create NM cm || exit 1
ns_create NC cc || exit 1
ns_create NR2 cs || exit 1
link_pair "$NR" r "$NM" m0 198.51.100.1/24 198.51.100.254/24 || exit 1
link_pair "$NM" m1 "$NC" c 203.0.113.254/24 203.0.113.1/24 || exit 1
link_pair "$NM" m2 "$NR2" r2 100.64.0.254/24 100.64.0.1/24 || exit 1
addr_add "$NR" r 198.51.100.11/24 198.51.100.21/24 198.51.100.31/24 198.51.100.41/24 \
	198.51.100.51/24 || exit 1
addr_add "$NC" c 203.0.113.11/24 203.0.113.21/24 203.0.113.31/24 203.0.113.41/24 || exit 1
for l in "$NR r" "$NM m0" "$NM m1" "$NC c" "$NM m2" "$NR2 r2"; do
	set -- $l
	ip -n "$1" link set "$2" mtu 1280 || exit 1
done
route_add "$NR" 203.0.113.0/24 198.51.100.254 || exit 1
route_add "$NC" 198.51.100.0/24 203.0.113.254 || exit 1
route_add "$NR" 100.64.0.0/24 198.51.100.254 || exit 1
route_add "$NR2" 198.51.100.0/24 100.64.0.254 || exit 1
ns_forwarding "$NM" || exit 1
# every IP fragment (MF set or a non-zero offset) crossing the router is dropped and counted,
# before any defragmentation could see it
ip netns exec "$NM" nft -f - <<EOF || exit 1
table ip rampart_nofrag {
	chain pre {
		type filter hook prerouting priority -500; policy accept;
		ip frag-off & 0x3fff != 0 udp dport { 500, 4500 } counter drop
		ip frag-off & 0x3fff != 0 counter drop
	}
}
EOF
frag_drops() { # which rule: 1 = IKE/ESP-in-UDP first fragments, 2 = any other fragment
	ip netns exec "$NM" nft list table ip rampart_nofrag |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | sed -n "${1}p"
}
lan_add "$NR" 10.1.0.1/24 || exit 1
lan_add "$NC" 10.2.0.1/24 || exit 1
lan_add "$NR2" 10.5.0.1/24 || exit 1

# ---- certificates: one root, small end entities, and the big chain ---------------------------
P=$T_TMP/pki
t_check "pki: root CA (ECDSA)" pki_ca "$P" ecdsa
t_check "pki: rampartd RSA" pki_cert "$P" r-rsa rsa "C=CH, O=Rampart Test, CN=r-rsa" r.rampart.test
t_check "pki: rampartd ECDSA" pki_cert "$P" r-ecdsa ecdsa "C=CH, O=Rampart Test, CN=r-ecdsa" \
	r.rampart.test
t_check "pki: rampartd Ed25519" pki_cert "$P" r-ed ed25519 "C=CH, O=Rampart Test, CN=r-ed" \
	r.rampart.test
t_check "pki: charon ECDSA" pki_cert "$P" c-ecdsa ecdsa "C=CH, O=Rampart Test, CN=c-ecdsa" \
	c.rampart.test
t_check "pki: charon RSA" pki_cert "$P" c-rsa rsa "C=CH, O=Rampart Test, CN=c-rsa" c.rampart.test
t_check "pki: charon Ed25519" pki_cert "$P" c-ed ed25519 "C=CH, O=Rampart Test, CN=c-ed" \
	c.rampart.test
# big: root -> im1 -> im2 -> end entities, all RSA 4096 below the root
big_key() { _pki --gen --type rsa --size 4096 --outform pem >"$P/$1.key"; }
big_issue() { # name issuer dn [--ca | --san ID]
	local _n=$1 _i=$2 _dn=$3
	shift 3
	_pki --pub --in "$P/$_n.key" --type priv | _pki --issue --lifetime 30 \
		--cacert "$P/$_i.crt" --cakey "$P/$_i.key" --dn "$_dn" "$@" --outform pem \
		>"$P/$_n.crt" && [ -s "$P/$_n.crt" ]
}
cp "$P/ca.crt" "$P/root.crt" && cp "$P/ca.key" "$P/root.key"
big_keys() { big_key im1 && big_key im2 && big_key r-big && big_key c-big; }
t_check "pki: RSA 4096 keys (2 intermediates, 2 end entities)" big_keys
t_check "pki: intermediate 1" big_issue im1 root "C=CH, O=Rampart Test, CN=Intermediate 1" --ca
t_check "pki: intermediate 2" big_issue im2 im1 "C=CH, O=Rampart Test, CN=Intermediate 2" --ca
t_check "pki: rampartd's big end entity" big_issue r-big im2 "C=CH, O=Rampart Test, CN=r-big" \
	--san r.rampart.test --flag serverAuth --flag clientAuth
t_check "pki: charon's big end entity" big_issue c-big im2 "C=CH, O=Rampart Test, CN=c-big" \
	--san c.rampart.test --flag serverAuth --flag clientAuth
chain_bytes=0
for f in r-big im2 im1; do
	chain_bytes=$((chain_bytes + $(openssl x509 -in "$P/$f.crt" -outform der | wc -c)))
done
t_expect_ge "the big chain's DER is larger than the path MTU (bytes)" 3000 "$chain_bytes"
[ "$T_FAIL" -eq 0 ] || t_done

# rampartd: x509/, x509ca/ and private/ beside its config ($T_TMP/R.conf)
mkdir -p "$T_TMP/x509" "$T_TMP/x509ca" "$T_TMP/private"
cp "$P/root.crt" "$T_TMP/x509ca/"
# (R2's configuration is beside R's: they share these directories; R2 is c-big)
for f in r-rsa r-ecdsa r-ed r-big c-big im1 im2; do cp "$P/$f.crt" "$T_TMP/x509/"; done
for f in r-rsa r-ecdsa r-ed r-big c-big; do cp "$P/$f.key" "$T_TMP/private/"; done
DC=$T_TMP/charon
mkdir -p "$DC"

# conn NAME LOCAL REMOTE LTS RTS PROPOSALS ESP CERTS ME PEER: swanctl text
conn() {
	cat <<EOF
	$1 {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = $6
		dpd_delay = 0
		fragmentation = yes
		local {
			auth = pubkey
			certs = $8
			id = $9
		}
		remote {
			auth = pubkey
			id = ${10}
		}
		children {
			net {
				local_ts = $4
				remote_ts = $5
				esp_proposals = $7
				mode = tunnel
				start_action = none
			}
		}
	}
EOF
}
GCM19="aes128gcm16-prfsha256-ecp256"
CBC14="aes256-sha256-modp2048"
CHA31="chacha20poly1305-prfsha256-x25519"
{
	echo "connections {"
	conn rsa 198.51.100.11 203.0.113.11 10.1.0.0/24 10.2.0.0/24 $GCM19 aes128gcm16 \
		r-rsa.crt r.rampart.test c.rampart.test
	conn ecdsa 198.51.100.21 203.0.113.21 10.1.0.0/24 10.2.0.0/24 $CBC14 aes256-sha256 \
		r-ecdsa.crt r.rampart.test c.rampart.test
	conn ed 198.51.100.31 203.0.113.31 10.1.0.0/24 10.2.0.0/24 $CHA31 chacha20poly1305 \
		r-ed.crt r.rampart.test c.rampart.test
	conn big 198.51.100.41 203.0.113.41 10.1.0.0/24 10.2.0.0/24 $GCM19 aes128gcm16 \
		"r-big.crt, im2.crt, im1.crt" r.rampart.test c.rampart.test
	conn pair 198.51.100.51 100.64.0.1 10.1.0.0/24 10.5.0.0/24 $GCM19 aes128gcm16 \
		"r-big.crt, im2.crt, im1.crt" r.rampart.test c.rampart.test
	echo "}"
} >"$T_TMP/r-conns"
{
	echo "connections {"
	conn pair 100.64.0.1 198.51.100.51 10.5.0.0/24 10.1.0.0/24 $GCM19 aes128gcm16 \
		"c-big.crt, im2.crt, im1.crt" c.rampart.test r.rampart.test
	echo "}"
} >"$T_TMP/r2-conns"
{
	echo "connections {"
	conn rsa 203.0.113.11 198.51.100.11 10.2.0.0/24 10.1.0.0/24 $GCM19 aes128gcm16 \
		c-ecdsa.crt c.rampart.test r.rampart.test
	conn ecdsa 203.0.113.21 198.51.100.21 10.2.0.0/24 10.1.0.0/24 $CBC14 aes256-sha256 \
		c-rsa.crt c.rampart.test r.rampart.test
	conn ed 203.0.113.31 198.51.100.31 10.2.0.0/24 10.1.0.0/24 $CHA31 chacha20poly1305 \
		c-ed.crt c.rampart.test r.rampart.test
	conn big 203.0.113.41 198.51.100.41 10.2.0.0/24 10.1.0.0/24 $GCM19 aes128gcm16 \
		c-big.crt c.rampart.test r.rampart.test
	echo "}"
} >"$T_TMP/charon.conf"

rt_start R "$NR" "" "$(cat "$T_TMP/r-conns")" || t_fail "rampartd starts with certificates"
rt_start R2 "$NR2" "" "$(cat "$T_TMP/r2-conns")" || t_fail "rampartd R2 starts"
t_check "charon starts" charon_start "$NC" "$DC"
cp "$P/root.crt" "$P/im1.crt" "$P/im2.crt" "$DC/swanctl/x509ca/"
for f in c-ecdsa c-rsa c-ed c-big; do
	cp "$P/$f.crt" "$DC/swanctl/x509/" && cp "$P/$f.key" "$DC/swanctl/private/"
done
t_check "charon loads its config and certificates" charon_load "$DC" "$T_TMP/charon.conf"
[ "$T_FAIL" -eq 0 ] || t_done


# run_case CONN INITIATOR IKE-ENCR DH ESP-ENCR CHARON-SAW(regex of the scheme charon verified)
run_case() {
	local c=$1 who=$2 sc="$T_TMP/sas-c-$1-$2" sr="$T_TMP/sas-r-$1-$2" n0
	t_log "---- $c, $who initiates"
	n0=$(grep -c "authentication of 'r.rampart.test' with" "$DC/charon.log")
	ci_up "$c/$who" "$c" "$who" 30
	charon_sas "$DC" >"$sc"
	ri_sas R >"$sr"
	t_expect_eq "$c/$who: rampartd IKE SA ESTABLISHED" ESTABLISHED "$(ri_get "$sr" "$c.state")"
	t_expect_eq "$c/$who: charon IKE SA ESTABLISHED" ESTABLISHED \
		"$(charon_sa_get "$sc" "$c.state")"
	t_expect_eq "$c/$who: rampartd sees charon's identity" c.rampart.test \
		"$(ri_get "$sr" "$c.remote-id")"
	t_expect_eq "$c/$who: charon sees rampartd's identity" r.rampart.test \
		"$(charon_sa_get "$sc" "$c.remote-id")"
	t_expect_eq "$c/$who: IKE encryption" "$3" "$(charon_sa_get "$sc" "$c.encr-alg")"
	t_expect_eq "$c/$who: key exchange (charon)" "$4" "$(charon_sa_get "$sc" "$c.dh-group")"
	t_expect_eq "$c/$who: key exchange (rampartd)" "$4" "$(ri_get "$sr" "$c.dh-group")"
	t_expect_eq "$c/$who: ESP encryption" "$5" \
		"$(charon_sa_get "$sc" "$c.child-sas.net.encr-alg")"
	t_expect_eq "$c/$who: ESP encryption (rampartd)" "$5" \
		"$(ri_get "$sr" "$c.child-sas.net.encr-alg")"
	t_check "$c/$who: charon verified rampartd's signature ($6)" sh -c \
		"grep \"authentication of 'r.rampart.test' with\" '$DC/charon.log' | tail -n +$((n0 + 1)) |
		grep -qE \"with ($6) successful\""
	t_check "$c/$who: ping rampart side -> charon side" ping_ok "$NR" 10.2.0.1 10.1.0.1 3
	t_check "$c/$who: ping charon side -> rampart side" ping_ok "$NC" 10.1.0.1 10.2.0.1 3
	if [ "$who" = rampart ]; then
		t_check "$c/$who: rampart down" rt_ctl R down "$c"
	else
		t_check "$c/$who: swanctl --terminate" charon_terminate "$DC" "$c"
	fi
	t_check "$c/$who: charon has no IKE SA left" charon_wait_no_sas "$DC" 10
	t_check "$c/$who: rampartd has no IKE SA left" wait_for 10 ci_r_none
}

PSS="RSA_EMSA_PSS_SHA2_[0-9]+(_SALT_[0-9]+)?"
run_case rsa rampart AES_GCM_16 ECP_256 AES_GCM_16 "$PSS"
run_case rsa charon AES_GCM_16 ECP_256 AES_GCM_16 "$PSS"
run_case ecdsa rampart AES_CBC MODP_2048 AES_CBC "ECDSA[-_A-Z0-9]*"
run_case ecdsa charon AES_CBC MODP_2048 AES_CBC "ECDSA[-_A-Z0-9]*"
run_case ed rampart CHACHA20_POLY1305 CURVE_25519 CHACHA20_POLY1305 ED25519
run_case ed charon CHACHA20_POLY1305 CURVE_25519 CHACHA20_POLY1305 ED25519

t_expect_eq "no IKE datagram was IP-fragmented so far" 0 "$(frag_drops 1)"
nf0=$(grep -c "received fragment #" "$DC/charon.log")
ns0=$(grep -cE "generating IKE_AUTH (request|response) [0-9]+ \[ EF\(" "$DC/charon.log")
run_case big rampart AES_GCM_16 ECP_256 AES_GCM_16 "$PSS"
run_case big charon AES_GCM_16 ECP_256 AES_GCM_16 "$PSS"
t_expect_ge "big: charon reassembled rampartd's IKE fragments" $((nf0 + 6)) \
	"$(grep -c "received fragment #" "$DC/charon.log")"
t_expect_ge "big: charon sent its IKE_AUTH messages in fragments" $((ns0 + 2)) \
	"$(grep -cE "generating IKE_AUTH (request|response) [0-9]+ \[ EF\(" "$DC/charon.log")"
t_expect_eq "big: no IKE datagram was IP-fragmented (router's drop counter)" 0 "$(frag_drops 1)"

# ---- rampartd <-> rampartd with the big chains, each initiating --------------------------
_pair_child() { ri_sas "$1" | grep -q '^pair\.child-sas\.net-[0-9]*\.state=INSTALLED$'; }
_pair_none() { ! ri_sas "$1" | grep -q '^pair\.'; }
for who in R R2; do
	other=R2
	[ "$who" = R2 ] && other=R
	t_log "---- pair, $who initiates"
	capture_start "$NM" m2 "$T_TMP/pair-$who.pcap" udp || t_fail "pair/$who: tcpdump starts"
	t_check "pair/$who: rampart up pair" ri_up "$who" pair
	t_check "pair/$who: $other has the Child SA" wait_for 5 _pair_child "$other"
	t_check "pair/$who: ping R -> R2" ping_ok "$NR" 10.5.0.1 10.1.0.1 3
	t_check "pair/$who: ping R2 -> R" ping_ok "$NR2" 10.1.0.1 10.5.0.1 3
	capture_stop
	# SKF (53) as the first payload: on 500 at octet 16 of the IKE header, on 4500 after the
	# non-ESP marker
	skf="(udp port 500 and udp[24] = 53) or (udp port 4500 and udp[8:4] = 0 and udp[28] = 53)"
	t_expect_ge "pair/$who: R's IKE_AUTH in fragments" 3 \
		"$(capture_count "$T_TMP/pair-$who.pcap" "src host 198.51.100.51 and ($skf)")"
	t_expect_ge "pair/$who: R2's IKE_AUTH in fragments" 3 \
		"$(capture_count "$T_TMP/pair-$who.pcap" "src host 100.64.0.1 and ($skf)")"
	ri_sas "$other" >"$T_TMP/sas-pair-$who"
	t_expect_eq "pair/$who: $other sees the peer's certificate identity" \
		"$([ "$other" = R ] && echo c.rampart.test || echo r.rampart.test)" \
		"$(ri_get "$T_TMP/sas-pair-$who" pair.remote-id)"
	t_check "pair/$who: rampart down pair" rt_ctl "$who" down pair
	t_check "pair/$who: R has no pair SA left" wait_for 10 _pair_none R
	t_check "pair/$who: R2 has no pair SA left" wait_for 10 _pair_none R2
done
t_expect_eq "pair: no IKE datagram was IP-fragmented (router's drop counter)" 0 "$(frag_drops 1)"
t_log "router dropped $(frag_drops 2) other fragments"
t_check "rampartd R2 stops on SIGTERM" rt_stop R2

t_check "rampartd stops on SIGTERM" rt_stop R
ci_tails 40 60
t_done
