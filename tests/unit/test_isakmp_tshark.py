"""tshark as an independent ISAKMP dissector for the messages Rampart's encoder produces.

build/check/tests/unit/test_isakmp_samples --dump DIR writes the IKEv1 sample messages (main,
aggressive, quick mode, informational, transaction, encrypted, fragment); this script wraps each
into IPv4/UDP 500 with scapy, writes a pcap and asks tshark (1) to flag nothing as malformed or as
an expert error and (2) for the key fields of every message, which must be what the encoder
was asked to write. Prints "N passed, M failed" last.
"""
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "build", "check", "tests", "unit", "test_isakmp_samples")

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def tshark(pcap, *args):
    r = subprocess.run(["tshark", "-r", pcap] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr)
    return r.returncode, r.stdout


# frame number -> {field: expected value as tshark prints it with -T fields}
EXPECT = {
    1: {"isakmp.exchangetype": "2", "isakmp.sa.doi": "1", "isakmp.prop.protoid": "1",
        "isakmp.trans.id": "1,1", "isakmp.ike.attr.encryption_algorithm": "7,5",
        "isakmp.ike.attr.key_length": "256", "isakmp.ike.attr.life_duration": "86400,28800",
        "isakmp.ike.attr.authentication_method": "1,65001",
        "isakmp.typepayload": "1,2,3,3,13,13,13,13,13,13", "isakmp.messageid": "0x00000000"},
    2: {"isakmp.typepayload": "4,10,7,20,20", "isakmp.certreq.type": "4",
        "x509sat.uTF8String": "rampart"},
    3: {"isakmp.id.type": "9", "isakmp.cert.encoding": "4", "isakmp.notify.msgtype": "24578",
        "isakmp.typepayload": "5,6,9,11"},
    4: {"isakmp.exchangetype": "4", "isakmp.id.type": "2",
        "isakmp.id.data.fqdn": "client.example.org", "isakmp.typepayload": "1,2,3,3,4,10,5,13,13"},
    5: {"isakmp.exchangetype": "32", "isakmp.messageid": "0x6a2b3c4d",
        "isakmp.prop.protoid": "3,3", "isakmp.trans.id": "20,12",
        "isakmp.ipsec.attr.encap_mode": "3,3", "isakmp.ipsec.attr.auth_algorithm": "5",
        "isakmp.spi": "c0010203,c00a0b0c", "isakmp.ike.nat_original_address_ipv4":
        "192.168.1.10,192.168.1.10", "isakmp.typepayload": "8,1,2,3,2,3,10,4,5,5,21,21"},
    6: {"isakmp.exchangetype": "5", "isakmp.notify.msgtype": "36136"},
    7: {"isakmp.delete.protoid": "3,1", "isakmp.typepayload": "8,12,12"},
    8: {"isakmp.notify.msgtype": "24578,24576,14", "isakmp.notify.protoid": "1,3,1"},
    9: {"isakmp.exchangetype": "6", "isakmp.cfg.type": "1",
        "isakmp.cfg.attr.type": "16520,16521,16522"},
    10: {"isakmp.cfg.type": "2", "isakmp.cfg.attr.type": "1,2,3,7,16527"},
    11: {"isakmp.exchangetype": "32", "isakmp.flag_e": "1", "isakmp.messageid": "0x66666666"},
    12: {"isakmp.typepayload": "132,5,6,9,11", "isakmp.frag.last": "1"},
}


def main():
    if not os.access(SAMPLES, os.X_OK):
        check(False, "missing %s (run make check-build)" % SAMPLES)
        return
    from scapy.all import IP, UDP, Raw, wrpcap

    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([SAMPLES, "--dump", d], capture_output=True, text=True)
        check(r.returncode == 0, "sample dump: %s" % r.stderr.strip())
        files = sorted(glob.glob(os.path.join(d, "*.bin")))
        check(len(files) == len(EXPECT), "%d samples dumped, %d expected" % (len(files), len(EXPECT)))
        pkts = [IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=500, dport=500) /
                Raw(open(f, "rb").read()) for f in files]
        pcap = os.path.join(d, "isakmp.pcap")
        wrpcap(pcap, pkts)

        rc, out = tshark(pcap, "-Y", "_ws.malformed || _ws.expert.severity == error")
        check(rc == 0 and out.strip() == "", "tshark flags malformed/error frames:\n" + out)

        fields = sorted({f for e in EXPECT.values() for f in e})
        args = ["-T", "fields", "-E", "separator=|", "-e", "frame.number"]
        for f in fields:
            args += ["-e", f]
        rc, out = tshark(pcap, *args)
        check(rc == 0, "tshark field extraction")
        rows = {}
        for line in out.splitlines():
            cols = line.split("|")
            rows[int(cols[0])] = dict(zip(fields, cols[1:]))
        for frame, want in sorted(EXPECT.items()):
            got = rows.get(frame)
            check(got is not None, "frame %d dissected" % frame)
            if got is None:
                continue
            for f, v in sorted(want.items()):
                if f == "x509sat.uTF8String":
                    check(v in got.get(f, "").split(","), "frame %d %s: %r lacks %r" %
                          (frame, f, got.get(f), v))
                else:
                    check(got.get(f) == v, "frame %d (%s) %s: got %r, want %r" %
                          (frame, os.path.basename(files[frame - 1]) if frame <= len(files)
                           else "?", f, got.get(f), v))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # an exception is one failure, not a silent pass
        check(False, "exception: %r" % (e,))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
