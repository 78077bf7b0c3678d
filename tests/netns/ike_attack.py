#!/usr/bin/python3
"""Hostile IKEv2 input for tests/netns/test_ike_badinput.sh (run inside a namespace as root).

IKE messages are built by hand here (RFC 7296 §3) so that every field can be wrong, and sent
with their IP and UDP headers through a raw socket, so that the source address and port can be
anything (spoofing); scapy reads the capture of the answers.

  flood DST COUNT SRCNET         IKE_SA_INITs (aes128gcm16-prfsha256-x25519, a fresh SPI,
                                 nonce and X25519 value each) from random addresses in SRCNET
                                 and random ports
  noprop DST COUNT SRCNET        the same with a proposal nobody accepts (3DES/MD5/MODP-768)
  garbage DST SRC SPI_I SPI_R    the malformed-message table, spoofed from SRC ports 500 and
                                 4500 (non-ESP marker), then wrong SPIs and message IDs against
                                 the established SA (SPIs in hex), then 2,000 random mutations;
                                 prints how many datagrams went out
  cookie DST SRC                 a real initiator on SRC: IKE_SA_INIT, expects N(COOKIE), sends
                                 it again with the cookie first, expects SA, KE and Nr; prints
                                 "cookie-ok" or what went wrong
  count PCAP DST                 classifies DST's IKE_SA_INIT responses in PCAP: prints
                                 "full=N cookie=N noprop=N other=N"
"""
import ipaddress
import os
import random
import socket
import struct
import sys
import time

from scapy.all import IP, UDP, rdpcap

PT_SA, PT_KE, PT_NI, PT_N, PT_SK, PT_SKF = 33, 34, 40, 41, 46, 53
EXCH_INIT, EXCH_AUTH, EXCH_CHILD, EXCH_INFO = 34, 35, 36, 37
F_INIT, F_RESP = 0x08, 0x20
N_COOKIE, N_NO_PROPOSAL, N_INVALID_SYNTAX = 16390, 14, 7


def hdr(spi_i, spi_r, np, exch, flags, msgid, length, version=0x20):
    return struct.pack("!8s8sBBBBII", spi_i, spi_r, np, version, exch, flags, msgid, length)


def payload(np, body, crit=0):
    return struct.pack("!BBH", np, crit, 4 + len(body)) + body


def transform(last, ttype, tid, keylen=None):
    attrs = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs


def sa_body(good=True):
    if good:  # AES-GCM-16/128, PRF HMAC-SHA2-256, Curve25519
        ts = [(1, 20, 128), (2, 5, None), (4, 31, None)]
    else:  # 3DES, PRF HMAC-MD5, HMAC-MD5-96, MODP-768
        ts = [(1, 3, None), (2, 1, None), (3, 1, None), (4, 1, None)]
    body = b"".join(transform(i == len(ts) - 1, t, i_, k) for i, (t, i_, k) in enumerate(ts))
    return struct.pack("!BBHBBBB", 0, 0, 8 + len(body), 1, 1, 0, len(ts)) + body


def ike_sa_init(spi_i, good=True, cookie=None, group=31, ke=None, nonce=None):
    ke = os.urandom(32) if ke is None else ke
    nonce = os.urandom(32) if nonce is None else nonce
    chain = [(PT_SA, sa_body(good)), (PT_KE, struct.pack("!HH", group if good else 1, 0) + ke),
             (PT_NI, nonce)]
    if cookie is not None:
        chain.insert(0, (PT_N, struct.pack("!BBH", 0, 0, N_COOKIE) + cookie))
    body = b""
    for i, (t, b) in enumerate(chain):
        np = chain[i + 1][0] if i + 1 < len(chain) else 0
        body += payload(np, b)
    return hdr(spi_i, b"\0" * 8, chain[0][0], EXCH_INIT, F_INIT, 0, 28 + len(body)) + body


class Sender:
    """A raw IPv4 socket (IP_HDRINCL): any source address and port. The kernel fills in the
    IP checksum and total length; the UDP checksum is left 0 (optional in IPv4)."""

    RATE = 1000  # datagrams per second: what a loaded 2-core machine and an ASan rampartd take in
    # with few datagrams lost to the socket buffer (the test counts them)

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.sent = 0
        self.t0 = time.monotonic()

    def send(self, src, sport, dst, dport, data):
        if dport == 4500 and data[:4] != b"\0\0\0\0" and len(data) > 1:
            data = b"\0\0\0\0" + data  # non-ESP marker (RFC 3948 §2.2)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(data), 0, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
        udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
        self.sock.sendto(ip + udp + data, (dst, 0))
        self.sent += 1
        if self.sent % 50 == 0:
            ahead = self.sent / self.RATE - (time.monotonic() - self.t0)
            if ahead > 0:
                time.sleep(ahead)


def random_hosts(net, count):
    n = ipaddress.ip_network(net)
    for _ in range(count):
        yield str(n[random.randrange(1, n.num_addresses - 1)])


def flood(dst, count, net, good):
    s = Sender()
    for src in random_hosts(net, count):
        s.send(src, random.randrange(1024, 65535), dst, 500, ike_sa_init(os.urandom(8), good))
    print(s.sent)


def malformed_table(spi_i, spi_r):
    """(name, datagram) rows: each one something a receiver must refuse without harm."""
    good = ike_sa_init(os.urandom(8))
    rows = [("empty", b""), ("one octet", b"\x01"), ("header cut at 27", good[:27])]
    rows += [("cut at %d" % n, good[:n]) for n in (28, 29, 31, 33, 60, len(good) - 1)]
    bad_len = bytearray(good)
    struct.pack_into("!I", bad_len, 24, len(good) + 100)
    rows.append(("length beyond the datagram", bytes(bad_len)))
    struct.pack_into("!I", bad_len, 24, 20)
    rows.append(("length below the header", bytes(bad_len)))
    rows.append(("trailing bytes", good + b"\0" * 16))
    rows.append(("IKEv3", good[:17] + b"\x30" + good[18:]))
    rows.append(("IKEv1 header on the IKEv2 SPIs", good[:17] + b"\x10" + good[18:]))
    rows.append(("responder SPI set in IKE_SA_INIT request",
                 good[:8] + os.urandom(8) + good[16:]))
    rows.append(("response flag on a request", good[:19] + bytes([F_RESP | F_INIT]) + good[20:]))
    rows.append(("unknown exchange 99", good[:18] + b"\x63" + good[19:]))
    # payload-level damage in IKE_SA_INIT
    spi = os.urandom(8)
    sa = payload(PT_KE, sa_body())
    ke = payload(PT_NI, struct.pack("!HH", 31, 0) + os.urandom(32))
    ni = payload(0, os.urandom(32))

    def msg(first, body, exch=EXCH_INIT, flags=F_INIT, msgid=0, s_i=spi, s_r=b"\0" * 8):
        return hdr(s_i, s_r, first, exch, flags, msgid, 28 + len(body)) + body

    rows.append(("payload length 0", msg(PT_SA, b"\0\0\0\0" + ke + ni)))
    rows.append(("payload length 3", msg(PT_SA, b"\x22\0\0\x03" + sa[4:] + ke + ni)))
    rows.append(("payload length past the end", msg(PT_SA, sa[:2] + b"\x7f\xff" + sa[4:] + ke + ni)))
    rows.append(("transform count 255", msg(PT_SA, sa[:11] + b"\xff" + sa[12:] + ke + ni)))
    rows.append(("KE without data", msg(PT_SA, sa + payload(PT_NI, struct.pack("!HH", 31, 0)) + ni)))
    rows.append(("KE of the wrong length", msg(PT_SA, sa + payload(PT_NI, struct.pack("!HH", 31, 0) + os.urandom(31)) + ni)))
    rows.append(("nonce of 1 octet", msg(PT_SA, sa + ke + payload(0, b"\x01"))))
    rows.append(("no nonce", msg(PT_SA, sa + payload(0, struct.pack("!HH", 31, 0) + os.urandom(32)))))
    rows.append(("no SA", msg(PT_KE, ke + ni)))
    rows.append(("unknown critical payload", msg(200, payload(PT_SA, b"xx", crit=0x80) + sa + ke + ni)))
    rows.append(("150 payloads (more than IKEV2_MAX_PAYLOADS)", msg(PT_N, payload(PT_N, struct.pack("!BBH", 0, 0, 16388)) * 150)))
    # wrong SPIs and message IDs against the established SA (SK with garbage: no key)
    sk = payload(0, os.urandom(8 + 48 + 16))
    for name, s_i, s_r, exch, flags, mid in (
            ("established SPIs, next-ish message ID, bad ICV", spi_i, spi_r, EXCH_INFO, F_INIT, 1),
            ("established SPIs, message ID far ahead", spi_i, spi_r, EXCH_INFO, F_INIT, 0x7FFFFFF0),
            ("established SPIs, message ID 0xffffffff", spi_i, spi_r, EXCH_INFO, F_INIT, 0xFFFFFFFF),
            ("established SPIs, response never asked for", spi_i, spi_r, EXCH_INFO, F_RESP, 9),
            ("established SPIs, CREATE_CHILD_SA garbage", spi_i, spi_r, EXCH_CHILD, F_INIT, 2),
            ("established SPIs, IKE_AUTH again", spi_i, spi_r, EXCH_AUTH, F_INIT, 1),
            ("wrong responder SPI", spi_i, os.urandom(8), EXCH_INFO, F_INIT, 1),
            ("wrong initiator SPI", os.urandom(8), spi_r, EXCH_INFO, F_INIT, 1),
            ("zero responder SPI outside IKE_SA_INIT", spi_i, b"\0" * 8, EXCH_INFO, F_INIT, 1)):
        rows.append((name, msg(PT_SK, sk, exch, flags, mid, s_i, s_r)))
    for num, tot in ((0, 0), (5, 3), (1, 65535), (2, 1)):
        skf = payload(0, struct.pack("!HH", num, tot) + os.urandom(8 + 32 + 16))
        rows.append(("SKF %d of %d" % (num, tot), msg(PT_SKF, skf, EXCH_INFO, F_INIT, 1, spi_i, spi_r)))
    return rows


def garbage(dst, src, spi_i_hex, spi_r_hex):
    spi_i, spi_r = bytes.fromhex(spi_i_hex), bytes.fromhex(spi_r_hex)
    s = Sender()
    rows = malformed_table(spi_i, spi_r)
    for _, data in rows:
        for port in (500, 4500):
            s.send(src, port, dst, port, data)
    # random mutations of a good IKE_SA_INIT and of an SK message on the established SPIs
    rnd = random.Random(7296)
    bases = [ike_sa_init(os.urandom(8)),
             hdr(spi_i, spi_r, PT_SK, EXCH_INFO, F_INIT, 1, 28 + 4 + 72) +
             payload(0, os.urandom(72))]
    for i in range(2000):
        m = bytearray(bases[i % 2])
        for _ in range(rnd.randrange(1, 8)):
            op = rnd.randrange(3)
            if op == 0 and m:
                m[rnd.randrange(len(m))] ^= 1 << rnd.randrange(8)
            elif op == 1 and m:
                del m[rnd.randrange(len(m)):]
            else:
                m[rnd.randrange(len(m) + 1):rnd.randrange(len(m) + 1)] = os.urandom(rnd.randrange(1, 9))
        s.send(src, rnd.choice((500, 4500)), dst, rnd.choice((500, 4500)), bytes(m))
    print(s.sent)


def parse_notify_first(data):
    """The first payload's (type, notify type or None) of an IKE message."""
    if len(data) < 32:
        return None, None
    np = data[16]
    if np == PT_N and len(data) >= 36:
        return np, struct.unpack("!H", data[34:36])[0]
    return np, None


def payload_types(data):
    types, np, off = [], data[16], 28
    while np and off + 4 <= len(data):
        types.append(np)
        nxt, _, ln = struct.unpack("!BBH", data[off:off + 4])
        if ln < 4:
            break
        np, off = nxt, off + ln
    return types


def cookie(dst, src):
    sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sk.bind((src, 0))
    sk.settimeout(3)
    spi, ke, nonce = os.urandom(8), os.urandom(32), os.urandom(32)
    sk.sendto(ike_sa_init(spi, ke=ke, nonce=nonce), (dst, 500))
    try:
        r = sk.recv(65535)
    except socket.timeout:
        print("no answer to the first IKE_SA_INIT")
        return 1
    np, nt = parse_notify_first(r)
    if nt != N_COOKIE:
        print("first answer: payloads %s, not N(COOKIE)" % payload_types(r))
        return 1
    ln = struct.unpack("!H", r[30:32])[0]
    ck = r[36:28 + ln]
    sk.sendto(ike_sa_init(spi, cookie=ck, ke=ke, nonce=nonce), (dst, 500))
    try:
        r = sk.recv(65535)
    except socket.timeout:
        print("no answer to the IKE_SA_INIT with the cookie")
        return 1
    t = payload_types(r)
    if r[:8] != spi or PT_SA not in t or PT_KE not in t or PT_NI not in t:
        print("answer with the cookie: payloads %s" % t)
        return 1
    print("cookie-ok (%d-octet cookie)" % len(ck))
    return 0


def count(pcap, dst):
    c = {"full": 0, "cookie": 0, "noprop": 0, "other": 0}
    for p in rdpcap(pcap):
        if IP not in p or UDP not in p or p[IP].src != dst or p[UDP].sport != 500:
            continue
        d = bytes(p[UDP].payload)
        if len(d) < 28 or d[18] != EXCH_INIT or not d[19] & F_RESP:
            continue
        np, nt = parse_notify_first(d)
        if nt == N_COOKIE:
            c["cookie"] += 1
        elif nt == N_NO_PROPOSAL:
            c["noprop"] += 1
        elif PT_KE in payload_types(d):
            c["full"] += 1
        else:
            c["other"] += 1
    print(" ".join("%s=%d" % kv for kv in c.items()))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd in ("flood", "noprop") and len(argv) == 5:
        flood(argv[2], int(argv[3]), argv[4], cmd == "flood")
    elif cmd == "garbage" and len(argv) == 6:
        garbage(*argv[2:6])
    elif cmd == "cookie" and len(argv) == 4:
        return cookie(argv[2], argv[3])
    elif cmd == "count" and len(argv) == 4:
        count(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
