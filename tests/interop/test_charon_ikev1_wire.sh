#!/bin/sh
# Rampart's ISAKMP codec against an independent implementation, strongSwan's charon (IKEv1,
# PSK) in two namespaces:
# 1. decoder: main mode + quick mode with PFS, DPD, delete, then aggressive mode between two
#    charons; every datagram captured on the link is decoded (ASan build): plaintext messages
#    payload by payload, encrypted ones up to the header.
# 2. encoder: main mode messages 1 and 3 built by Rampart's encoder (the samples binary) are
#    sent to charon b, which must parse them (its log lists the payloads) and answer with
#    messages 2 and 4, which the decoder decodes.
#
#   ns a                                            ns b
#   lo 10.1.0.1/32                                 lo 10.2.0.1/32
#   veth a0 192.0.2.1/24  <------ ISAKMP 500 ----->  veth b0 192.0.2.2/24
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
. "$here/../netns/charon.sh"

DECODER=$here/../../build/check/tests/unit/test_isakmp_samples

t_need_root
t_need_cmd swanctl tcpdump tshark "$CHARON_BIN"
if [ ! -x "$DECODER" ]; then
	t_fail "decoder $DECODER built"
	t_done
fi

CHARON_EXTRA="i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
ns_create A a || exit 1
ns_create B b || exit 1
link_pair "$A" a0 "$B" b0 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$A" lo 10.1.0.1/32 || exit 1
addr_add "$B" lo 10.2.0.1/32 || exit 1

conf() { # local_addr remote_addr local_ts remote_ts id remote_id aggressive
	cat <<EOF2
connections {
	gw {
		version = 1
		aggressive = $7
		local_addrs = $1
		remote_addrs = $2
		proposals = aes128-sha256-modp2048,3des-sha1-modp1024
		dpd_delay = 1s
		local {
			auth = psk
			id = $5
		}
		remote {
			auth = psk
			id = $6
		}
		children {
			net {
				local_ts = $3
				remote_ts = $4
				esp_proposals = aes128-sha256-modp2048,aes256gcm16
				mode = tunnel
				start_action = none
			}
		}
	}
}
secrets {
	ike-gw {
		id-a = a.rampart.test
		id-b = b.rampart.test
		secret = "0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
	}
}
EOF2
}

DA=$T_TMP/charon-a
DB=$T_TMP/charon-b
mkdir -p "$DA" "$DB"
for mode in no yes; do
	conf 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 a.rampart.test b.rampart.test $mode \
		>"$T_TMP/a-$mode.conf"
	conf 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 b.rampart.test a.rampart.test $mode \
		>"$T_TMP/b-$mode.conf"
done

t_check "charon a starts" charon_start "$A" "$DA"
t_check "charon b starts" charon_start "$B" "$DB"
[ "$T_FAIL" -eq 0 ] || t_done
pcap=$T_TMP/ikev1.pcap
capture_start "$A" a0 "$pcap" udp port 500 or udp port 4500 || t_fail "tcpdump starts"

# main mode, quick mode with PFS, a DPD exchange, then a delete
t_check "a loads main mode config" charon_load "$DA" "$T_TMP/a-no.conf"
t_check "b loads main mode config" charon_load "$DB" "$T_TMP/b-no.conf"
t_check "main mode + quick mode" charon_initiate "$DA" net 20
t_check "CHILD_SA installed on b" charon_wait_child "$DB" gw.child-sas.net 5
sleep 3
t_check "a terminates the IKE_SA" charon_terminate "$DA" gw
t_check "b sees the IKE_SA gone" charon_wait_no_sas "$DB" 5

# aggressive mode
t_check "a loads aggressive config" charon_load "$DA" "$T_TMP/a-yes.conf"
t_check "b loads aggressive config" charon_load "$DB" "$T_TMP/b-yes.conf"
t_check "aggressive mode + quick mode" charon_initiate "$DA" net 20
t_check "aggressive CHILD_SA installed on b" charon_wait_child "$DB" gw.child-sas.net 5
capture_stop

hex=$T_TMP/ikev1.hex
tshark -r "$pcap" -Y isakmp -T fields -e udp.payload >"$hex" 2>/dev/null
frames=$(grep -c . "$hex")
out=$T_TMP/decode.out
"$DECODER" --decode "$hex" >"$out" 2>&1
rc=$?
t_expect_eq "decoder exit status" 0 "$rc"
t_expect_ge "ISAKMP datagrams captured" 15 "$frames"
t_expect_eq "every datagram decoded" "decoded $frames" \
	"$(tail -n 1 "$out" | sed 's/,.*//')"
t_expect_eq "no decoding failure" "failed 0" "$(tail -n 1 "$out" | sed 's/.*, //')"
t_expect_ge "encrypted messages (MM5/6, QM, informational)" 8 \
	"$(tail -n 1 "$out" | sed 's/.*encrypted \([0-9]*\).*/\1/')"
t_expect_ge "main mode SA offer of two transforms" 1 \
	"$(grep -c 'Main Mode.* enc=0 SA\[props=1 xforms=2 attrs=13\]' "$out")"
t_expect_ge "main mode SA answer with the chosen transform" 1 \
	"$(grep -c 'Main Mode.* enc=0 SA\[props=1 xforms=1 attrs=7\]' "$out")"
t_expect_ge "main mode KE NONCE NAT-D NAT-D" 2 \
	"$(grep -c 'Main Mode.* KE NONCE NAT-D NAT-D' "$out")"
t_expect_ge "aggressive mode messages with SA KE NONCE ID" 2 \
	"$(grep -c 'Aggressive.* SA\[.* KE NONCE ID' "$out")"
t_expect_ge "aggressive mode 2 carries NAT-D and HASH" 1 \
	"$(grep -c 'Aggressive.* enc=0 .* NAT-D NAT-D HASH$' "$out")"
t_expect_ge "DPD vendor ID recognised" 1 "$(grep -c 'VID\[RFC 3706 DPD\]' "$out")"
t_expect_ge "RFC 3947 vendor ID recognised" 1 "$(grep -c 'VID\[RFC 3947 NAT-T\]' "$out")"
t_expect_ge "XAUTH vendor ID recognised" 1 "$(grep -c 'VID\[XAUTH\]' "$out")"
t_expect_eq "no unknown vendor ID" 0 "$(grep -c 'VID\[unknown\]' "$out")"
t_expect_ge "quick mode messages (encrypted)" 6 "$(grep -c 'Quick Mode.* enc=1' "$out")"
t_expect_ge "informational messages (DPD, delete)" 3 "$(grep -c 'Informational.* enc=1' "$out")"

# ---- 2. charon parses what Rampart's encoder writes -------------------------------------------
# b accepts the samples' first transform (AES-256, SHA2-256, PSK, MODP 2048).
sed 's/proposals = aes128-sha256-modp2048,3des-sha1-modp1024/proposals = aes256-sha256-modp2048/; s/^\([[:space:]]*remote_addrs = \).*/\1%any/' \
	"$T_TMP/b-no.conf" >"$T_TMP/b-enc.conf"
t_check "b loads the responder config" charon_load "$DB" "$T_TMP/b-enc.conf"
samples=$T_TMP/samples
mkdir -p "$samples"
t_check "samples dumped" "$DECODER" --dump "$samples"
replies=$T_TMP/replies.hex
# From an ephemeral port of a: MM1, then MM3 with the responder cookie of MM2 and, in place of
# the sample's filler, a valid MODP 2048 public value (charon checks it) from the vectors.
vectors=${VECTORS:-$here/../../../shared/vectors}
ip netns exec "$A" /usr/bin/python3 - "$samples/01-mm1.bin" "$samples/02-mm3.bin" \
	"$vectors/rfc/ike_dh_groups_ke_payloads.json" >"$replies" 2>"$T_TMP/send.err" <<'PY'
import json, socket, sys
mm1 = open(sys.argv[1], "rb").read()
mm3 = bytearray(open(sys.argv[2], "rb").read())
ke = next(bytes.fromhex(v["ke_payload_i"]) for v in json.load(open(sys.argv[3]))["vectors"]
          if v["id"] == "modp2048")
assert mm3[16] == 4 and int.from_bytes(mm3[30:32], "big") == 4 + len(ke) == 260
mm3[32:32 + len(ke)] = ke
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", 0))
s.settimeout(5)
s.sendto(mm1, ("192.0.2.2", 500))
mm2 = s.recv(65535)
print(mm2.hex())
mm3[0:8] = mm1[0:8]
mm3[8:16] = mm2[8:16]
s.sendto(bytes(mm3), ("192.0.2.2", 500))
print(s.recv(65535).hex())
PY
t_expect_eq "charon answered MM1 and MM3" 2 "$(grep -c . "$replies")"
t_check "charon parsed MM1 (SA and six VIDs)" \
	grep -q "parsed ID_PROT request 0 \[ SA V V V V V V \]" "$DB/charon.log"
t_check "charon parsed MM3 (KE, nonce, CR, two NAT-D)" \
	grep -q "parsed ID_PROT request 0 \[ KE No CERTREQ NAT-D NAT-D \]" "$DB/charon.log"
rout=$T_TMP/replies.out
"$DECODER" --decode "$replies" >"$rout" 2>&1
t_expect_eq "charon's answers decode" 0 "$?"
t_expect_eq "MM2 selects the offered first transform" 1 \
	"$(grep -c 'Main Mode.* SA\[props=1 xforms=1 attrs=7\]' "$rout")"
t_expect_eq "MM4 carries KE, nonce and NAT-D" 1 \
	"$(grep -c 'Main Mode.* KE NONCE NAT-D NAT-D' "$rout")"

if [ "$T_FAIL" -ne 0 ]; then
	echo "--- decoder output (replies)"
	cat "$rout" "$T_TMP/send.err" 2>/dev/null
	echo "--- charon b log tail"
	tail -n 30 "$DB/charon.log"
	echo "--- decoder output"
	cat "$out"
	echo "--- charon a log tail"
	tail -n 30 "$DA/charon.log"
fi
t_done
