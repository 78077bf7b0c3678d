#!/usr/bin/python3
"""tshark as an independent dissector for messages built by Rampart's IKEv2 encoder.

test_ikev2_codec (built by `make check-build`) writes the messages it builds to $IKEV2_DUMP_DIR;
they are wrapped into UDP/500 with scapy and written to a pcap. tshark must flag none of them
as malformed or with an expert error, and its decode of the fields must match what was built,
including the SK payload, which tshark decrypts with the test's AES-GCM key.
Prints "N passed, M failed".
"""
import os
import subprocess
import sys
import tempfile

from scapy.all import IP, UDP, Ether, Raw, wrpcap  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODEC = os.path.join(ROOT, "build/check/tests/unit/test_ikev2_codec")
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
    return r.returncode, r.stdout


FIELDS = ["frame.number", "isakmp.ispi", "isakmp.rspi", "isakmp.exchangetype",
          "isakmp.messageid", "isakmp.nextpayload", "isakmp.criticalpayload",
          "isakmp.prop.number", "isakmp.tf.id.encr", "isakmp.ike2.attr.key_length",
          "isakmp.key_exchange.dh_group", "isakmp.id.type", "isakmp.notify.msgtype",
          "isakmp.delete.spi", "isakmp.ts.type", "isakmp.ts.start_port", "isakmp.cfg.type",
          "isakmp.cfg.attr.type", "eap.code", "eap.identity", "isakmp.auth.method",
          "isakmp.nonce", "isakmp.enc.decrypted", "isakmp.frag.number", "isakmp.frag.total",
          "isakmp.flags"]
_cache = {}


def fields(pcap, frame, names, extra=()):
    """Fields of one frame; tshark runs once per set of extra options."""
    key = tuple(extra)
    if key not in _cache:
        args = list(extra) + ["-T", "fields", "-E", "separator=|", "-E", "aggregator=,"]
        for n in FIELDS:
            args += ["-e", n]
        _, out = tshark(pcap, *args)
        rows = {}
        for line in out.splitlines():
            vals = line.split("|")
            vals += [""] * (len(FIELDS) - len(vals))
            rows[int(vals[0])] = dict(zip(FIELDS, vals))
        _cache[key] = rows
    row = _cache[key].get(frame, {})
    return {n: row.get(n, "") for n in names}


def main():
    if not os.access(CODEC, os.X_OK):
        check(False, "%s missing: run make check-build" % CODEC)
        return
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, IKEV2_DUMP_DIR=d)
        r = subprocess.run([CODEC], env=env, capture_output=True, text=True)
        check(r.returncode == 0, "test_ikev2_codec with IKEV2_DUMP_DIR: " + r.stdout[-300:])
        names = sorted(f for f in os.listdir(d) if f.endswith(".bin"))
        expected = ["all_payloads.bin", "sk_gcm.bin", "skf_1.bin", "skf_2.bin",
                    "vector0_init_req.bin", "vector0_init_resp.bin",
                    "vector1_init_req.bin", "vector1_init_resp.bin"]
        check(names == expected, "dumped messages: %s" % names)
        pkts = []
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                pkts.append(Ether() / IP(src="192.0.2.1", dst="192.0.2.2") /
                            UDP(sport=500, dport=500) / Raw(f.read()))
        pcap = os.path.join(d, "ikev2.pcap")
        wrpcap(pcap, pkts)
        frame = {n: i + 1 for i, n in enumerate(names)}

        # nothing malformed, no expert errors
        rc, out = tshark(pcap, "-Y", "_ws.malformed || _ws.expert.severity == error")
        check(rc == 0 and out.strip() == "", "malformed or expert errors:\n" + out)
        rc, out = tshark(pcap)
        check(rc == 0 and len(out.strip().splitlines()) == len(names),
              "tshark lists every frame")

        f = fields(pcap, frame["all_payloads.bin"],
                   ["isakmp.ispi", "isakmp.rspi", "isakmp.exchangetype", "isakmp.messageid",
                    "isakmp.nextpayload", "isakmp.criticalpayload", "isakmp.prop.number",
                    "isakmp.tf.id.encr", "isakmp.ike2.attr.key_length", "isakmp.key_exchange.dh_group", "isakmp.id.type",
                    "isakmp.notify.msgtype", "isakmp.delete.spi", "isakmp.ts.type",
                    "isakmp.ts.start_port", "isakmp.cfg.type", "isakmp.cfg.attr.type",
                    "eap.code", "eap.identity", "isakmp.auth.method", "isakmp.nonce"])
        check(f["isakmp.ispi"] == "0102030405060708", "ispi " + f["isakmp.ispi"])
        check(f["isakmp.rspi"] == "090a0b0c0d0e0f10", "rspi " + f["isakmp.rspi"])
        check(f["isakmp.exchangetype"] == "35", "exchtype " + f["isakmp.exchangetype"])
        check(f["isakmp.messageid"] == "0x00000001", "msgid " + f["isakmp.messageid"])
        chain = f["isakmp.nextpayload"].split(",")
        # header, SA (+ its proposals/transforms), then the payload chain
        outer = [x for x in chain if x not in ("2", "3")]
        check(outer[:2] == ["33", "34"] and outer[-1] == "0" and "48" in outer,
              "next payload chain " + f["isakmp.nextpayload"])
        check(set(f["isakmp.criticalpayload"].split(",")) == {"0"},
              "critical bits " + f["isakmp.criticalpayload"])
        check(f["isakmp.prop.number"] == "1,2", "proposal numbers " + f["isakmp.prop.number"])
        check(f["isakmp.tf.id.encr"] == "12,20", "encr ids " + f["isakmp.tf.id.encr"])
        check(f["isakmp.ike2.attr.key_length"] == "256,128", "key lengths " +
              f["isakmp.ike2.attr.key_length"])
        check(f["isakmp.key_exchange.dh_group"] == "31", "group " +
              f["isakmp.key_exchange.dh_group"])
        check(f["isakmp.id.type"] == "2,1", "id types " + f["isakmp.id.type"])
        check(f["isakmp.notify.msgtype"] == "16393,16388", "notify " +
              f["isakmp.notify.msgtype"])
        check(f["isakmp.delete.spi"] == "01020304,05060708", "delete spis " +
              f["isakmp.delete.spi"])
        check(f["isakmp.ts.type"] == "7,8,7,8", "ts types " + f["isakmp.ts.type"])
        check(f["isakmp.ts.start_port"] == "500,0,500,0", "ts ports " +
              f["isakmp.ts.start_port"])
        check(f["isakmp.cfg.type"] == "1", "cfg type " + f["isakmp.cfg.type"])
        check(f["isakmp.cfg.attr.type"] == "1,3", "cfg attrs " + f["isakmp.cfg.attr.type"])
        check(f["eap.code"] == "2" and f["eap.identity"] == "user", "eap %s %s" %
              (f["eap.code"], f["eap.identity"]))
        check(f["isakmp.auth.method"] == "14", "auth method " + f["isakmp.auth.method"])
        check(len(f["isakmp.nonce"]) == 64, "nonce " + f["isakmp.nonce"])

        # SK: tshark decrypts with the key the test encrypted with (AES-256-GCM, salt 01020304)
        key = "07" + "00" * 31 + "01020304"
        uat = ("0102030405060708,090a0b0c0d0e0f10,%s,%s,"
               "\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"" % (key, key))
        f = fields(pcap, frame["sk_gcm.bin"],
                   ["isakmp.nextpayload", "isakmp.enc.decrypted", "isakmp.id.type",
                    "isakmp.notify.msgtype", "isakmp.id.data"],
                   extra=["-o", "uat:ikev2_decryption_table:" + uat])
        check(f["isakmp.enc.decrypted"] != "", "SK decrypted by tshark")
        check(f["isakmp.id.type"] == "2", "inner IDi type " + f["isakmp.id.type"])
        check(f["isakmp.notify.msgtype"] == "16384", "inner notify " +
              f["isakmp.notify.msgtype"])
        check(f["isakmp.nextpayload"].startswith("46,35"), "SK chain " +
              f["isakmp.nextpayload"])
        rc, out = tshark(pcap, "-o", "uat:ikev2_decryption_table:" + uat, "-Y",
                         "frame.number==%d && (_ws.malformed || _ws.expert.severity == error)"
                         % frame["sk_gcm.bin"])
        check(rc == 0 and out.strip() == "", "errors with decryption on:\n" + out)

        for n, num in (("skf_1.bin", "1"), ("skf_2.bin", "2")):
            f = fields(pcap, frame[n], ["isakmp.frag.number", "isakmp.frag.total",
                                        "isakmp.nextpayload"])
            check(f["isakmp.frag.number"] == num and f["isakmp.frag.total"] == "2",
                  "%s fragment %s/%s" % (n, f["isakmp.frag.number"], f["isakmp.frag.total"]))
            check(f["isakmp.nextpayload"].split(",")[:2] == ["53", "35" if num == "1" else "0"],
                  "%s chain %s" % (n, f["isakmp.nextpayload"]))

        for n in names:
            if not n.startswith("vector"):
                continue
            f = fields(pcap, frame[n], ["isakmp.exchangetype", "isakmp.key_exchange.dh_group",
                                        "isakmp.flags"])
            check(f["isakmp.exchangetype"] == "34" and f["isakmp.key_exchange.dh_group"] == "19",
                  "%s: %s" % (n, f))


if __name__ == "__main__":
    main()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
