#!/bin/sh
# `DEMO=xfrm make demo`: two network namespaces, a rampartd in each, an ESP tunnel keyed by hand with
# `rampart xfrm` (iproute2 syntax), traffic through it, and what the wire sees. Cleans up after
# itself. Uses the release build (build/rampartd, build/rampart); needs root.
#
#      namespace "left"                                  namespace "right"
#   10.1.0.1 (lo)                                      10.2.0.1 (lo)
#      |  rampart0 (TUN)                     rampart0 (TUN)  |
#   rampartd                                             rampartd
#      |  veth 192.0.2.1  ======= ESP =======  192.0.2.2 veth |
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
[ "$(id -u)" = 0 ] || {
	echo "demo: needs root (network namespaces)" >&2
	exit 1
}
T_ID=demo$$
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
RAMPARTD=${RAMPARTD:-$root/build/rampartd}
RAMPART=${RAMPART:-$root/build/rampart}
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || {
	echo "demo: build first (make)" >&2
	exit 1
}

if [ -t 1 ]; then
	B=$(printf '\033[1m') D=$(printf '\033[2m') G=$(printf '\033[32m') R=$(printf '\033[31m')
	N=$(printf '\033[0m')
else
	B="" D="" G="" R="" N=""
fi
step() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
show() { # NS-LABEL CMD...: print the command as typed, then run it (output indented)
	local who=$1
	shift
	printf '%s%s$ %s%s\n' "$D" "$who" "$*" "$N"
}
ok() { printf '%s  ok:%s %s\n' "$G" "$N" "$*"; }
die() {
	printf '%s  failed:%s %s\n' "$R" "$N" "$*"
	T_FAIL=1
	exit 1
}

step "Topology"
sed -n '6,10p' "$0" | sed 's/^#/ /'

ns_create L left || die "ip netns add"
ns_create RR right || die "ip netns add"
link_pair "$L" veth "$RR" veth 192.0.2.1/24 192.0.2.2/24 || die "veth"
addr_add "$L" lo 10.1.0.1/32 && addr_add "$RR" lo 10.2.0.1/32 || die "addresses"
ok "namespaces $L and $RR, veth 192.0.2.1 <-> 192.0.2.2"

step "Start rampartd in each namespace"
rt_start left "$L" || die "rampartd left (log: $T_TMP/left.log)"
rt_start right "$RR" || die "rampartd right (log: $T_TMP/right.log)"
sed 's/^/  /' "$T_TMP/left.log"

step "Key the tunnel by hand (ip xfrm syntax)"
K1=0x$(_rt_hex 20)
K2=0x$(_rt_hex 20)
for side in left right; do
	if [ $side = left ]; then me=192.0.2.1 peer=192.0.2.2 mine=10.1.0.0/24 theirs=10.2.0.0/24 kout=$K1 kin=$K2 so=0x1001 si=0x2001
	else me=192.0.2.2 peer=192.0.2.1 mine=10.2.0.0/24 theirs=10.1.0.0/24 kout=$K2 kin=$K1 so=0x2001 si=0x1001; fi
	for args in \
		"xfrm state add src $me dst $peer proto esp spi $so mode tunnel reqid 1 aead rfc4106(gcm(aes)) $kout 128" \
		"xfrm state add src $peer dst $me proto esp spi $si mode tunnel reqid 1 aead rfc4106(gcm(aes)) $kin 128" \
		"xfrm policy add src $mine dst $theirs dir out tmpl src $me dst $peer proto esp mode tunnel reqid 1" \
		"xfrm policy add src $theirs dst $mine dir in tmpl src $peer dst $me proto esp mode tunnel reqid 1"; do
		show "$side" "rampart $args" | sed "s/0x[0-9a-f]\{40\}/0x…(20-byte key)/"
		# shellcheck disable=SC2086
		rt_ctl $side $args || die "rampart $args"
	done
done
show left "rampart xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xzz ..."
rt_ctl left xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xzz 2>&1 | sed 's/^/  /'
ok "a mistyped command is refused with the argument at fault and changes nothing"

step "Ping through the tunnel"
capture_start "$L" veth "$T_TMP/wire.pcap"
show left "ping -c 3 -I 10.1.0.1 10.2.0.1"
ip netns exec "$L" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1 | sed 's/^/  /' || die ping

step "A TCP transfer through the tunnel (iperf3, 3 s)"
ns_bg "$RR" "$T_TMP/iperf3-server.log" iperf3 -s -B 10.2.0.1 -1
wait_tcp_port "$RR" 5201 5 || die "iperf3 server"
show left "iperf3 -c 10.2.0.1 -B 10.1.0.1 -t 3"
ip netns exec "$L" iperf3 -c 10.2.0.1 -B 10.1.0.1 -t 3 -f m | grep -E 'sender|receiver' |
	sed 's/^/  /' || die iperf3
capture_stop

step "What the wire between the namespaces saw"
esp=$(capture_count "$T_TMP/wire.pcap" esp)
clear=$(capture_count "$T_TMP/wire.pcap" 'not esp and (icmp or tcp) and host 10.1.0.1 and host 10.2.0.1')
show veth "tcpdump -n -r wire.pcap | head -4"
tcpdump -n -r "$T_TMP/wire.pcap" 2>/dev/null | head -4 | cut -c1-100 | sed 's/^/  /'
ok "$esp ESP packets; $clear clear packets between 10.1.0.1 and 10.2.0.1"
[ "$clear" = 0 ] || die "clear traffic leaked"

step "The SAs, with their counters"
show left "rampart xfrm state list"
rt_ctl left xfrm state list | sed 's/^/  /'
show left "rampart xfrm policy list"
rt_ctl left xfrm policy list | sed 's/^/  /'

step "Shut down"
rt_stop left && rt_stop right || die "rampartd did not stop"
ok "rampartd stopped on SIGTERM: TUN, routes, rule and control socket removed"
printf '\n%sDone.%s Namespaces are removed on exit. Try: make demo (IKE), sh tests/netns/test_dataplane.sh\n' "$B" "$N"
