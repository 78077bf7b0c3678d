#!/bin/sh
# Rampart's IKEv2 decoder against an independent implementation, strongSwan's charon (IKEv2,
# PSK, AES-256-GCM-16) in two namespaces: IKE_SA_INIT, IKE_AUTH, a CHILD_SA rekey, an IKE_SA
# rekey, DPD and a delete. Every datagram captured on the link is decoded (ASan build) by
# test_ikev2_wire --decode; every SK payload is decrypted with the SK_e keys charon logs at
# level 4 (the GCM tag over the AAD span the decoder reports must verify) and its inner payload
# chain decoded. Then charon parses what Rampart's encoder writes: IKE_SA_INIT requests built
# by test_ikev2_codec --dump-init (a real group 19 public value from src/crypto/kex) are sent to
# charon b, whose answers the decoder decodes: a normal response, the same with an unknown
# non-critical payload (ignored), UNSUPPORTED_CRITICAL_PAYLOAD carrying type 200 for a critical
# one, and INVALID_KE_PAYLOAD naming group 19 for a KE of group 31.
#
#   ns a                                             ns b
#   lo 10.1.0.1/32                                  lo 10.2.0.1/32
#   veth a0 192.0.2.1/24  <------ IKE 500/4500 ----->  veth b0 192.0.2.2/24
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
. "$here/../netns/charon.sh"
. "$here/../netns/rampart_ike.sh"

DECODER=$here/../../build/check/tests/unit/test_ikev2_wire
ENCODER=$here/../../build/check/tests/unit/test_ikev2_codec

t_need_root
t_need_cmd swanctl tcpdump tshark "$CHARON_BIN"
if [ ! -x "$DECODER" ] || [ ! -x "$ENCODER" ]; then
	t_fail "decoder $DECODER and encoder $ENCODER built"
	t_done
fi

ns_create A a || exit 1
ns_create B b || exit 1
link_pair "$A" a0 "$B" b0 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$A" lo 10.1.0.1/32 || exit 1
addr_add "$B" lo 10.2.0.1/32 || exit 1

conf() { # local_addr remote_addr local_ts remote_ts id remote_id
	charon_psk_conf "$@" "0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA==" \
		aes256gcm16-prfsha256-ecp256 aes128gcm16-ecp256,aes256gcm16 "dpd_delay = 1s
		fragmentation = yes"
}

DA=$T_TMP/charon-a
DB=$T_TMP/charon-b
mkdir -p "$DA" "$DB"
conf 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 a.rampart.test b.rampart.test >"$T_TMP/a.conf"
conf 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 b.rampart.test a.rampart.test >"$T_TMP/b.conf"

# charon logs the derived keys (Sk_ei/Sk_er) at ike level 4: a second file log for them
keylog_conf() { # dir
	printf 'filelog {\n\tkeys {\n\t\tpath = %s/keys.log\n\t\tdefault = 0\n\t\tike = 4\n\t\tflush_line = yes\n\t}\n}\n' "$1"
}
CHARON_EXTRA=$(keylog_conf "$DA")
t_check "charon a starts" charon_start "$A" "$DA"
# part 2 sends four IKE_SA_INITs from one address: keep charon's DoS cookies out of the way
# (receiver.c: COOKIE after 3 half-open SAs per IP by default)
CHARON_EXTRA="$(keylog_conf "$DB")
cookie_threshold = 100
cookie_threshold_ip = 50
block_threshold = 100"
t_check "charon b starts" charon_start "$B" "$DB"
[ "$T_FAIL" -eq 0 ] || t_done
pcap=$T_TMP/ikev2.pcap
capture_start "$A" a0 "$pcap" udp port 500 or udp port 4500 || t_fail "tcpdump starts"

t_check "a loads config" charon_load "$DA" "$T_TMP/a.conf"
t_check "b loads config" charon_load "$DB" "$T_TMP/b.conf"
t_check "IKE_SA_INIT + IKE_AUTH" charon_initiate "$DA" net 20
t_check "CHILD_SA installed on b" charon_wait_child "$DB" gw.child-sas.net 5
t_check "a rekeys the CHILD_SA" charon_swanctl "$DA" --rekey --child net
sleep 1
t_check "a rekeys the IKE_SA" charon_swanctl "$DA" --rekey --ike gw
sleep 3 # DPD (INFORMATIONAL with an empty SK) at 1 s intervals
t_check "a terminates the IKE_SA" charon_terminate "$DA" gw
t_check "b sees the IKE_SA gone" charon_wait_no_sas "$DB" 5
capture_stop

hex=$T_TMP/ikev2.hex
tshark -r "$pcap" -Y "isakmp" -T fields -e udp.payload >"$hex" 2>/dev/null
frames=$(grep -c . "$hex")
keys=$T_TMP/keys.hex
# "Sk_ei secret => 36 bytes @ 0x..." followed by hex dump lines "   0: E5 D3 ...  ascii"
cat "$DA/keys.log" "$DB/keys.log" 2>/dev/null | /usr/bin/python3 -c '
import re, sys
want, buf, out = None, "", []
for line in sys.stdin:
    m = re.search(r"Sk_e[ir] secret => (\d+) bytes", line)
    if m:
        want, buf = int(m.group(1)), ""
        continue
    if want:
        d = re.match(r"\s*\d+: ((?:[0-9A-Fa-f]{2} ?)+)", line.split("[IKE]", 1)[-1])
        if d:
            buf += d.group(1).replace(" ", "")[: 2 * (want - len(buf) // 2)]
            if len(buf) == 2 * want:
                out.append(buf.lower())
                want = None
for k in sorted(set(out)):
    print(k)
' >"$keys"
out=$T_TMP/decode.out
"$DECODER" --decode "$hex" "$keys" >"$out" 2>&1
rc=$?
sed 's/^/    /' "$out"
last=$(tail -n 1 "$out")
t_expect_eq "decoder exit status" 0 "$rc"
t_expect_ge "IKEv2 datagrams captured" 12 "$frames"
t_expect_ge "SK_e keys logged (two IKE_SAs, both directions)" 4 "$(grep -c . "$keys")"
t_expect_eq "every datagram decoded" "decoded $frames" "$(echo "$last" | sed 's/,.*//')"
t_expect_eq "no decoding failure" "failed 0" "$(echo "$last" | sed 's/.*, //')"
enc=$(echo "$last" | sed 's/.*encrypted \([0-9]*\).*/\1/')
t_expect_eq "every SK payload decrypted and its inner chain decoded" "decrypted $enc" \
	"$(echo "$last" | sed 's/.*\(decrypted [0-9]*\).*/\1/')"
t_expect_ge "IKE_SA_INIT request: SA KE Nx and NAT detection" 1 \
	"$(grep -c 'IKE_SA_INIT request mid=0: SA(props=1,IKE) KE Nx N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP)' "$out")"
t_expect_ge "IKE_SA_INIT: fragmentation and signature hash notifies" 1 \
	"$(grep -c 'IKE_SA_INIT.*N(IKEV2_FRAGMENTATION_SUPPORTED)' "$out")"
t_expect_ge "IKE_AUTH request: IDi AUTH SA TSi TSr inside SK" 1 \
	"$(grep -c 'IKE_AUTH request mid=1: SK { IDi.* AUTH .*SA(props=[0-9]*,ESP) TSi TSr' "$out")"
t_expect_ge "IKE_AUTH response: IDr AUTH SA TSi TSr inside SK" 1 \
	"$(grep -c 'IKE_AUTH response mid=1: SK { IDr.*AUTH .*SA(props=1,ESP) TSi TSr' "$out")"
t_expect_ge "CHILD_SA rekey request: N(REKEY_SA) SA Nx KE TSi TSr" 1 \
	"$(grep -c 'CREATE_CHILD_SA request .*SK { N(REKEY_SA).* SA(props=[0-9]*,ESP) Nx KE TSi TSr' "$out")"
t_expect_ge "CHILD_SA rekey response: SA Nx KE TSi TSr" 1 \
	"$(grep -c 'CREATE_CHILD_SA response .*SK { SA(props=1,ESP) Nx KE TSi TSr' "$out")"
t_expect_ge "IKE_SA rekey: SA(IKE) Nx KE" 2 \
	"$(grep -c 'CREATE_CHILD_SA .*SK { SA(props=[0-9]*,IKE) Nx KE }' "$out")"
t_expect_ge "old CHILD_SA deleted: D(ESP)" 1 "$(grep -c 'INFORMATIONAL .*SK { D(ESP,1)' "$out")"
t_expect_ge "IKE_SA deleted: D(IKE)" 1 "$(grep -c 'INFORMATIONAL .*SK { D(IKE,0)' "$out")"
t_expect_ge "DPD: empty INFORMATIONAL" 1 "$(grep -c 'INFORMATIONAL .*SK { }' "$out")"

# ---- 2. charon parses what Rampart's encoder writes -------------------------------------------
sed 's/^\([[:space:]]*remote_addrs = \).*/\1%any/' "$T_TMP/b.conf" >"$T_TMP/b-resp.conf"
t_check "b loads the responder config" charon_load "$DB" "$T_TMP/b-resp.conf"
init=$T_TMP/init
mkdir -p "$init"
t_check "IKE_SA_INIT requests built" "$ENCODER" --dump-init "$init"
replies=$T_TMP/replies.hex
ip netns exec "$A" /usr/bin/python3 - "$init" >"$replies" 2>"$T_TMP/send.err" <<'PY'
import os, socket, sys
d = sys.argv[1]
for name in ("init_ok", "init_noncritical", "init_critical", "init_badke"):
    with open(os.path.join(d, name + ".bin"), "rb") as f:
        msg = f.read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("192.0.2.1", 0))
    s.settimeout(5)
    s.sendto(msg, ("192.0.2.2", 500))
    try:
        print(s.recvfrom(65535)[0].hex())
    except socket.timeout:
        print("")
    s.close()
PY
t_expect_eq "charon answered all four requests" 4 "$(grep -c . "$replies")"
rout=$T_TMP/replies.out
"$DECODER" --decode "$replies" >"$rout" 2>&1
sed 's/^/    /' "$rout"
t_expect_eq "every reply decoded" "decoded 4" "$(tail -n 1 "$rout" | sed 's/,.*//')"
t_check "plain request accepted: SA KE Nx" \
	grep -q '^1: IKE_SA_INIT response mid=0: SA(props=1,IKE) KE Nx' "$rout"
t_check "unknown non-critical payload ignored: SA KE Nx" \
	grep -q '^2: IKE_SA_INIT response mid=0: SA(props=1,IKE) KE Nx' "$rout"
t_check "critical unknown payload 200 refused with UNSUPPORTED_CRITICAL_PAYLOAD(c8)" \
	grep -q '^3: IKE_SA_INIT response mid=0: N(UNSUPPORTED_CRITICAL_PAYLOAD:c8)$' "$rout"
t_check "KE of group 31 refused with INVALID_KE_PAYLOAD(0013)" \
	grep -q '^4: IKE_SA_INIT response mid=0: N(INVALID_KE_PAYLOAD:0013)$' "$rout"
t_done
