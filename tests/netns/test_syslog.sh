#!/bin/sh
# rampartd without --foreground: it daemonizes, returns once ready and logs to syslog (facility
# daemon, ident rampartd[PID], "[subsys] line", the level as the priority) with the levels of
# its log { } section.
#
#   namespace S (rp-sl-$$), a private mount namespace whose /dev holds null, zero, random,
#   urandom, net/tun and a log socket bound to a datagram listener of this script (the
#   machine's own syslog is not touched)
#
#   1. `rampartd --config FILE` exits 0 and the control socket answers at once; syslog got
#      "<30>... rampartd[PID]: [daemon] rampartd ... ready" (daemon.info);
#   2. log { cfg = warn  ike = debug }; `rampart up gw` towards a silent peer gives an ike debug
#      line as daemon.debug (<31>) and the failure as daemon.info or above;
#   3. a misspelt key and SIGHUP: the FILE:LINE error arrives as daemon.err (<27>);
#   4. SIGTERM: "shutting down" is logged and the process exits.
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip unshare mount
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NS sl || exit 1
ip -n "$NS" link add veth type veth peer name veth-p && ip -n "$NS" link set veth up &&
	ip -n "$NS" link set veth-p up || exit 1
addr_add "$NS" veth 192.0.2.1/24 || exit 1

cat >"$T_TMP/listen.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(8192).decode(errors="replace").rstrip("\n") + "\n")
        f.flush()
EOF
/usr/bin/python3 "$T_TMP/listen.py" "$T_TMP/log.sock" "$T_TMP/syslog.txt" &
t_track $!
wait_socket "$T_TMP/log.sock" 5 || t_fail "the syslog listener starts"

conf() { # [TYPO]
	cat <<EOF
rampart {
	control = $T_TMP/S.ctl
	tun = rampart0
	retransmit_timeout = 0.2
	retransmit_tries = 1
	log {
		cfg = warn
		ike = debug
	}
}
connections {
$(ri_conn gw 192.0.2.1 192.0.2.9 a.rampart.test b.rampart.test 10.1.0.0/24 10.2.0.0/24 |
		if [ -n "${1:-}" ]; then sed 's/esp_proposals =/esp_proposal =/'; else cat; fi)
}
secrets {
$(ri_secret gw a.rampart.test b.rampart.test secret-of-some-length)
}
EOF
}
conf >"$T_TMP/S.conf"

# ---- 1. daemonized, ready, logging to syslog --------------------------------------------------
mkdir -p "$T_TMP/hostdev"
ip netns exec "$NS" unshare -m --propagation private sh -c '
	mount --bind /dev "$1/hostdev" && mount -t tmpfs -o mode=755 none /dev &&
	mkdir /dev/net || exit 1
	for n in null zero random urandom net/tun; do
		touch "/dev/$n" && mount --bind "$1/hostdev/$n" "/dev/$n" || exit 1
	done
	touch /dev/log && mount --bind "$1/log.sock" /dev/log || exit 1
	umount "$1/hostdev"
	exec "$2" --config "$1/S.conf"' sh "$T_TMP" "$RAMPARTD" >"$T_TMP/start.out" 2>&1
t_expect_eq "rampartd (no --foreground) exits 0 once ready" 0 $?
t_check "the control socket answers at once" \
	ip netns exec "$NS" "$RAMPART" --socket "$T_TMP/S.ctl" version
pid=$(ip netns pids "$NS" | head -n 1)
t_check "the daemon runs in the namespace (pid $pid)" test -n "$pid"
t_check "syslog: the ready line as daemon.info" wait_file_match "$T_TMP/syslog.txt" \
	"^<30>.* rampartd\\[$pid\\]: \\[daemon\\] rampartd .* ready: control $T_TMP/S.ctl"
t_check "syslog: nothing on stdout/stderr of the start" test ! -s "$T_TMP/start.out"

# ---- 2. levels from log { } -------------------------------------------------------------------
if ip netns exec "$NS" "$RAMPART" --socket "$T_TMP/S.ctl" up gw >"$T_TMP/up.out" 2>&1; then
	t_fail "rampart up gw towards a silent peer fails"
else
	t_pass "rampart up gw towards a silent peer fails"
fi
t_check "syslog: an ike debug line as daemon.debug" wait_file_match "$T_TMP/syslog.txt" \
	"^<31>.* rampartd\\[$pid\\]: \\[ike\\] "
t_check "syslog: the failure sentence" wait_file_match "$T_TMP/syslog.txt" \
	"^<(2[4-9]|30)>.* \\[ike\\] .*no answer from 192\\.0\\.2\\.9 after 1 retransmits"

# ---- 3. an error ------------------------------------------------------------------------------
conf typo >"$T_TMP/S.conf"
line=$(grep -n 'esp_proposal =' "$T_TMP/S.conf" | head -n 1 | cut -d: -f1)
kill -HUP "$pid"
t_check "syslog: the FILE:LINE error as daemon.err" wait_file_match "$T_TMP/syslog.txt" \
	"^<27>.* rampartd\\[$pid\\]: \\[cfg\\] .*S\\.conf:$line: unknown key 'esp_proposal'"

# ---- 4. SIGTERM -------------------------------------------------------------------------------
kill -TERM "$pid"
t_check "the daemon exits" wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
t_check "syslog: shutting down" wait_file_match "$T_TMP/syslog.txt" \
	"^<30>.* rampartd\\[$pid\\]: \\[daemon\\] signal 15: shutting down"
sed 's/^/#   /' "$T_TMP/syslog.txt" | head -n 12
t_done
