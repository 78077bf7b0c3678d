#!/bin/sh
# rampartd's local-address cache (daemon/netmon.h) follows the namespace's addresses while it
# runs: a state whose source is not (yet) ours is refused, accepted once `ip addr add` gave us
# the address, refused again after `ip addr del`; IPv6 the same; deleting the link drops its
# addresses; a burst of 3000 addresses (more notifications than the socket holds: a resync)
# leaves every one of them known.
#
#   namespace nm-$$:  rampartd (TUN rampart0)    d0 (veth): 198.51.100.7/24, 2001:db8:77::1/64
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
t_need_root
t_need_cmd ip
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA nm || exit 1
ip -n "$NA" link add d0 type veth peer name d0p && ip -n "$NA" link set d0 up || exit 1
rt_start A "$NA" || t_fail "rampartd starts"
[ "$T_FAIL" -eq 0 ] || t_done

KEY=0x00112233445566778899aabbccddeeff01020304
# state_add SRC DST: adds an ESP state with the next SPI (a counter in a file: callers run in
# subshells); prints rampart's stderr. $T_TMP/spi holds the last SPI used.
echo 256 >"$T_TMP/spi"
state_add() {
	local spi=$(($(cat "$T_TMP/spi") + 1))
	echo "$spi" >"$T_TMP/spi"
	rt_ctl A xfrm state add src "$1" dst "$2" proto esp spi "$spi" \
		aead 'rfc4106(gcm(aes))' "$KEY" 128 2>&1
}
last_spi() { printf '0x%08x' "$(cat "$T_TMP/spi")"; }
state_ok() { [ -z "$(state_add "$1" "$2")" ]; }
refused() { state_add "$1" "$2" | grep -q "is an address of this host"; }

t_check "198.51.100.7 is not ours yet: state refused" refused 198.51.100.7 198.51.100.8
ip -n "$NA" addr add 198.51.100.7/24 dev d0
t_check "after ip addr add: a state from 198.51.100.7 is accepted" \
	wait_for 5 state_ok 198.51.100.7 198.51.100.8
t_expect_eq "and it is outbound" 1 \
	"$(rt_ctl A xfrm state list | grep -c "spi $(last_spi) .*dir out")"
ip -n "$NA" addr del 198.51.100.7/24 dev d0
t_check "after ip addr del: refused again" wait_for 5 refused 198.51.100.7 198.51.100.8

t_check "2001:db8:77::1 is not ours yet" refused 2001:db8:77::2 2001:db8:77::1
ip -n "$NA" addr add 2001:db8:77::1/64 dev d0 nodad
t_check "after ip addr add (IPv6): inbound state accepted" \
	wait_for 5 state_ok 2001:db8:77::2 2001:db8:77::1
t_expect_eq "and it is inbound" 1 \
	"$(rt_ctl A xfrm state list | grep -c "spi $(last_spi) .*dir in")"
ip -n "$NA" link del d0
t_check "the link deleted: its IPv6 address is gone" \
	wait_for 5 refused 2001:db8:77::2 2001:db8:77::1

# a burst: 3000 addresses in one ip -batch
ip -n "$NA" link add d1 type veth peer name d1p && ip -n "$NA" link set d1 up
i=0
while [ $i -lt 3000 ]; do
	echo "addr add 10.77.$((i / 250)).$((i % 250 + 1))/32 dev d1"
	i=$((i + 1))
done >"$T_TMP/batch"
ip -n "$NA" -batch "$T_TMP/batch"
t_check "the first of 3000 new addresses is known" wait_for 10 state_ok 10.77.0.1 10.78.0.1
t_check "the last of 3000 new addresses is known" wait_for 10 state_ok 10.77.11.250 10.78.0.1
t_check "a middle one too" state_ok 10.77.6.100 10.78.0.1
t_check "and 10.77.12.1 was never added" refused 10.77.12.1 10.78.0.1
t_check "rampartd still answers" rt_ctl A version
rt_stop A
t_done
