#!/bin/sh
# Why `rampart up` failed, against charon and against rampartd as the responder: each failure
# gives one sentence of a fixed class naming what did not fit, and rampartd as the responder
# logs its side of it.
#
#   ns B (rp-fb-$$)                ns R (rp-fr-$$)                ns C (rp-fc-$$)
#   rampartd (responder)           rampartd (initiator)           charon (responder)
#   vr 198.51.100.2X  =========== vb 198.51.100.1X
#                                  vc 192.0.2.1X =============== vr 192.0.2.2X
#
# One connection per failure and responder, X its number (distinct addresses, so that each
# responder finds the connection meant for it):
#   1 noprop     IKE aes128gcm16-prfsha256-x25519 against aes256-sha256-modp2048:
#                "NO_PROPOSAL_CHOSEN from PEER: no proposal chosen, we proposed ..." (the
#                responder logs both lists)
#   2 noesp      ESP aes128gcm16 against aes256-sha256: "NO_PROPOSAL_CHOSEN from PEER for
#                CHILD_SA net: we proposed ..." (the IKE SA stays up)
#   3 wrongpsk   different PSKs: "AUTHENTICATION_FAILED from PEER: it refused us as ID (PSK
#                mismatch, unknown identity, or unique = keep there?)"
#   4 ts         remote_ts 10.9.0.0/24, which the responder does not have: "TS_UNACCEPTABLE
#                from PEER for CHILD_SA net: we proposed TSi 10.1.0.0/24 TSr 10.9.0.0/24"
#                (rampartd as the responder names both sides' selectors)
#   5 unknownid  our identity is not the one the responder expects: the same sentence
#                naming u.rampart.test (rampartd as the responder names the one it expects)
#   silent       a peer that never answers (retransmit_timeout 0.5 s, base 1.4, 2 tries):
#                "no answer from PEER after 2 retransmits (IKE_SA_INIT)"
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/charon.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh

ci_need

ns_create NR fr || exit 1
ns_create NC fc || exit 1
ns_create NB fb || exit 1
link_pair "$NR" vc "$NC" vr 192.0.2.11/24 192.0.2.21/24 || exit 1
link_pair "$NR" vb "$NB" vr 198.51.100.11/24 198.51.100.21/24 || exit 1
for k in 2 3 4 5; do
	addr_add "$NR" vc "192.0.2.1$k/24" && addr_add "$NC" vr "192.0.2.2$k/24" &&
		addr_add "$NR" vb "198.51.100.1$k/24" && addr_add "$NB" vr "198.51.100.2$k/24" || exit 1
done

PSK=$CI_PSK
# conns PREFIX SIDE: SIDE i (initiator) or r (responder) of the five connections towards the
# responder at PREFIX.2X
conns() {
	local p=$1 me=1 peer=2 lid=r.rampart.test rid=c.rampart.test lts=10.1.0.0/24 rts=10.2.0.0/24
	local ike=aes128gcm16-prfsha256-x25519 esp=aes128gcm16 uid=u.rampart.test tsr=10.9.0.0/24
	if [ "$2" = r ]; then
		me=2 peer=1 lid=c.rampart.test rid=r.rampart.test lts=10.2.0.0/24 rts=10.1.0.0/24
		ike=aes256-sha256-modp2048 esp=aes256-sha256 uid=r.rampart.test tsr=10.1.0.0/24
	fi
	ri_conn noprop "$p.${me}1" "$p.${peer}1" "$lid" "$rid" "$lts" "$rts" "$ike"
	ri_conn noesp "$p.${me}2" "$p.${peer}2" "$lid" "$rid" "$lts" "$rts" "" "$esp"
	ri_conn wrongpsk "$p.${me}3" "$p.${peer}3" "w$lid" "w$rid" "$lts" "$rts"
	if [ "$2" = r ]; then
		ri_conn ts "$p.${me}4" "$p.${peer}4" "$lid" "$rid" "$lts" "$tsr"
		ri_conn unknownid "$p.${me}5" "$p.${peer}5" "$lid" "$uid" "$lts" "$rts"
	else
		ri_conn ts "$p.${me}4" "$p.${peer}4" "$lid" "$rid" "$lts" "$tsr"
		ri_conn unknownid "$p.${me}5" "$p.${peer}5" "$uid" "$rid" "$lts" "$rts"
	fi
}
secrets() { # SIDE
	echo "secrets {"
	ri_secret all r.rampart.test c.rampart.test "$PSK"
	ri_secret u u.rampart.test c.rampart.test "$PSK"
	if [ "$1" = i ]; then
		ri_secret w wr.rampart.test wc.rampart.test "psk-of-the-initiator-is-this"
	else
		ri_secret w wr.rampart.test wc.rampart.test "psk-of-the-responder-differs"
	fi
	echo "}"
}
# rampartd R: the connections towards charon (c-*) and towards rampartd B (b-*), and silent
rconf() {
	echo "connections {"
	conns 192.0.2 i | sed 's/^\t\([a-z]*\) {$/\tc-\1 {/'
	conns 198.51.100 i | sed 's/^\t\([a-z]*\) {$/\tb-\1 {/'
	ri_conn silent 192.0.2.11 192.0.2.99 r.rampart.test c.rampart.test 10.1.0.0/24 10.2.0.0/24
	echo "}"
	secrets i
}

rt_start R "$NR" "retransmit_timeout = 0.5
	retransmit_base = 1.4
	retransmit_tries = 2" "$(rconf)" || t_fail "rampartd R (initiator) starts"
rt_start B "$NB" "" "$(
	echo "connections {"
	conns 198.51.100 r
	echo "}"
	secrets r
)" || t_fail "rampartd B (responder) starts"
DC=$T_TMP/charon
mkdir -p "$DC"
{
	echo "connections {"
	conns 192.0.2 r
	echo "}"
	secrets r
} >"$T_TMP/charon.conf"
t_check "charon starts" charon_start "$NC" "$DC"
t_check "charon loads its config" charon_load "$DC" "$T_TMP/charon.conf"
[ "$T_FAIL" -eq 0 ] || t_done

# fails NAME CONN SENTENCE-REGEX: `rampart up CONN` on R fails with one line, matching the
# extended regular expression (after "rampart: failed: ", anchored at both ends)
fails() {
	if ri_up R "$2"; then
		t_fail "$1: rampart up $2 fails"
		return
	fi
	t_pass "$1: rampart up $2 fails"
	if [ "$(echo "$RI_OUT" | wc -l)" = 1 ] && echo "$RI_OUT" | grep -qE "^rampart: failed: $3\$"; then
		t_pass "$1: the sentence names what failed"
	else
		t_fail "$1: the sentence names what failed (wanted /$3/)"
	fi
}
# logged NAME REGEX: rampartd B logged its side
logged() {
	t_check "$1: B logged it" wait_for 3 grep -qE "$2" "$T_TMP/B.log"
}

OURS='AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519'
for peer in c b; do
	if [ "$peer" = c ]; then who=charon p=192.0.2; else who=rampartd p=198.51.100; fi
	fails "$who noprop" "$peer-noprop" \
		"NO_PROPOSAL_CHOSEN from $p\\.21: no proposal chosen, we proposed IKE:$OURS"
	fails "$who noesp" "$peer-noesp" \
		"NO_PROPOSAL_CHOSEN from $p\\.22 for CHILD_SA net: we proposed ESP:AES_GCM_16_128/NO_ESN"
	fails "$who wrongpsk" "$peer-wrongpsk" \
		"AUTHENTICATION_FAILED from $p\\.23: it refused us as wr\\.rampart\\.test \\(PSK mismatch, unknown identity, or unique = keep there\\?\\)"
	fails "$who ts" "$peer-ts" \
		"TS_UNACCEPTABLE from $p\\.24 for CHILD_SA net: we proposed TSi 10\\.1\\.0\\.0/24 TSr 10\\.9\\.0\\.0/24"
	fails "$who unknownid" "$peer-unknownid" \
		"AUTHENTICATION_FAILED from $p\\.25: it refused us as u\\.rampart\\.test \\(PSK mismatch, unknown identity, or unique = keep there\\?\\)"
done
logged "noprop" "no proposal chosen for 198\\.51\\.100\\.11: we accept IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, peer proposed IKE:$OURS"
logged "noesp" "no proposal chosen for CHILD_SA net: we accept ESP:AES_CBC_256/HMAC_SHA2_256_128.*, peer proposed ESP:AES_GCM_16_128"
logged "wrongpsk" "AUTHENTICATION_FAILED for 198\\.51\\.100\\.13 \\(id wr\\.rampart\\.test\\): PSK mismatch\\?"
logged "ts" "TS_UNACCEPTABLE: peer proposed TSi 10\\.1\\.0\\.0/24 TSr 10\\.9\\.0\\.0/24, none of our children of 'ts' allows them \\(we allow TSi 10\\.1\\.0\\.0/24 TSr 10\\.2\\.0\\.0/24 \\(net\\)\\)"
logged "unknownid" "AUTHENTICATION_FAILED for 198\\.51\\.100\\.15 \\(id u\\.rampart\\.test\\): identity not accepted by the connection \\(unknownid expects r\\.rampart\\.test\\)"
fails "silent peer" silent "no answer from 192\\.0\\.2\\.99 after 2 retransmits \\(IKE_SA_INIT\\)"

t_done
