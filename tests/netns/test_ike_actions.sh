#!/bin/sh
# rampartd <-> rampartd: swanctl.conf actions acted on by the daemon.
#
#        namespace A (rp-aa-$$)                          namespace B (rp-ab-$$)
#   lan 10.1.0.1/24 (veth pair)            lan 10.2.0.1/24 (veth pair)
#          |                                                |
#   rampart0 (TUN) -- rampartd                rampartd -- rampart0 (TUN)
#          |                                                |
#        veth a  192.0.2.1  ====== IKE, ESP ======  192.0.2.2  veth b
#               192.0.2.11  (conn "host")           192.0.2.12
#
# Connection "gw", child "net" (10.1.0.0/24 === 10.2.0.0/24), PSK.
#   0. "host": a transport-mode trap between the hosts themselves (start_action = trap on A):
#      a ping brings it up, so IKE between the same addresses is not caught by the trap.
#   1. start_action = trap on A: no SA at start; a ping from A's subnet is the acquire that
#      brings the tunnel up (list-sas on both sides), then pings pass. B has tfc_padding =
#      1000: its ESP packets on the wire are all at least that long, A's are not.
#   2. updown (both sides, a script given with an argument, as a shell command line): the
#      script writes its PLUTO_* environment to a file; up-client with the connection, reqid,
#      protocol, unique id, addresses, identities, clients, ports, protocols and interface
#      that list-sas shows; output lines logged by rampartd.
#   3. B deletes the IKE SA: down-client on both sides; A's trap stays and the next ping
#      brings the tunnel back.
#   4. A reloaded with close_action = start (no trap): B deletes, A re-creates at once.
#   5. A reloaded with close_action = trap: B deletes, no SA until a ping brings it back.
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/lib.sh
. tests/netns/rampart_tunnel.sh
. tests/netns/rampart_ike.sh
t_need_root
t_need_cmd ip ping timeout
: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
: "${RAMPART:=$(pwd)/build/check/rampart}"
[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] || t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"

ns_create NA aa || exit 1
ns_create NB ab || exit 1
link_pair "$NA" veth "$NB" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
addr_add "$NA" veth 192.0.2.11/24 || exit 1
addr_add "$NB" veth 192.0.2.12/24 || exit 1
lan_add "$NA" 10.1.0.1/24 || exit 1
lan_add "$NB" 10.2.0.1/24 || exit 1

# The updown script: "updown.sh SIDE" appends its PLUTO_* environment, then says hello.
cat >"$T_TMP/updown.sh" <<'EOF'
#!/bin/sh
{
	echo "---- $PLUTO_VERB"
	env | grep '^PLUTO_' | sort
} >>"$(dirname "$0")/updown-$1.env"
echo "hello from updown $1 $PLUTO_VERB"
EOF
chmod +x "$T_TMP/updown.sh"

PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="
# conf SIDE ME PEER MY-NET THEIR-NET START CLOSE
conf() {
	cat <<EOF
rampart {
	control = $T_TMP/$1.ctl
	tun = rampart0
	mtu = 1400
	workers = 2
}
connections {
	gw {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = aes128gcm16-prfsha256-x25519
		local {
			auth = psk
			id = $1.rampart.test
		}
		remote {
			auth = psk
		}
		children {
			net {
				local_ts = $4
				remote_ts = $5
				esp_proposals = aes128gcm16
				start_action = $6
				close_action = $7
				updown = $T_TMP/updown.sh $1
				tfc_padding = ${11:-0}
			}
		}
	}
	host {
		version = 2
		local_addrs = $8
		remote_addrs = $9
		proposals = aes128gcm16-prfsha256-x25519
		local {
			auth = psk
			id = h$1.rampart.test
		}
		remote {
			auth = psk
		}
		children {
			host {
				mode = transport
				esp_proposals = aes128gcm16
				start_action = ${10}
			}
		}
	}
}
secrets {
	ike-gw {
		secret = "$PSK"
	}
}
EOF
}
conf_a() { conf a 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 "$1" "$2" 192.0.2.11 192.0.2.12 trap; }
conf_b() { conf b 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 none none 192.0.2.12 192.0.2.11 none 1000; }

# rampartd started with the whole file (rt_start writes its own rampart section)
start_rampartd() { # NAME NS CONF
	printf '%s\n' "$3" >"$T_TMP/$1.conf"
	ns_bg "$2" "$T_TMP/$1.log" "$RAMPARTD" --foreground --config "$T_TMP/$1.conf"
	eval "RT_PID_$1=\$T_BG_PID; RT_NS_$1=\$2"
	wait_socket "$T_TMP/$1.ctl" 10 && wait_for 5 rt_ctl "$1" version
}
reload_a() { # START CLOSE
	conf_a "$1" "$2" >"$T_TMP/a.conf"
	rt_ctl a reload >/dev/null
}

start_rampartd a "$NA" "$(conf_a trap none)" || t_fail "rampartd A starts"
start_rampartd b "$NB" "$(conf_b)" || t_fail "rampartd B starts"
[ "$T_FAIL" -eq 0 ] || t_done
t_check "B listens on UDP 500" wait_udp_port "$NB" 500 5

a_up() { ri_sas a | grep -q '^gw\.child-sas\.net-[0-9]*\.state=INSTALLED$'; }
b_up() { ri_sas b | grep -q '^gw\.child-sas\.net-[0-9]*\.state=INSTALLED$'; }
a_none() { [ "$(ri_count a)" = 0 ]; }
pinged() { # the first packets are the acquire; any answer within a few tries
	ip netns exec "$NA" ping -q -n -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1
}
env_of() { # SIDE VERB-INDEX(1-based) NAME: a value of the Nth run's environment
	awk -v n="$2" -v k="$3" '/^---- /{i++} i==n && index($0, k "=")==1 {
		print substr($0, length(k) + 2); exit }' "$T_TMP/updown-$1.env"
}
runs() { grep -c '^---- ' "$T_TMP/updown-$1.env" 2>/dev/null || echo 0; }

# ---- 0. a transport-mode trap between the hosts: IKE itself must not be caught by it ------
host_up() { ri_sas a | grep -q '^host\.child-sas\.host-[0-9]*\.state=INSTALLED$'; }
host_pinged() { ip netns exec "$NA" ping -q -n -c 1 -W 1 -I 192.0.2.11 192.0.2.12 >/dev/null 2>&1; }
t_check "transport-mode trap: a ping between the hosts brings the SA up" wait_for 10 host_pinged
t_check "A: host Child SA INSTALLED" wait_for 5 host_up
t_expect_eq "A: host SA in transport mode" TRANSPORT "$(ri_sas a | awk -F= '/^host\.child-sas\.host-[0-9]*\.mode=/{print $2; exit}')"
t_check "rampart down host" rt_ctl a down host

# ---- 1. trap ---------------------------------------------------------------------------------
a_none() { ! ri_sas a | grep -q '^gw\.state='; }
t_check "A: trap installed, no SA yet" a_none
t_check "A: the trap's outbound policy is in the data plane" \
	sh -c "ip netns exec $NA $RAMPART --socket $T_TMP/a.ctl xfrm policy list | grep -q 'dir out'"
t_check "a ping from A's subnet brings the tunnel up (acquire)" wait_for 10 pinged
t_check "A: Child SA INSTALLED" wait_for 5 a_up
t_check "B: Child SA INSTALLED" wait_for 5 b_up
SA=$T_TMP/sas-a
ri_sas a >"$SA"
sed 's/^/#   A: /' "$SA"
t_expect_eq "A initiated" yes "$(ri_get "$SA" gw.initiator)"
t_check "ping A -> B through the tunnel" ping_ok "$NA" 10.2.0.1 10.1.0.1 3
t_check "ping B -> A through the tunnel" ping_ok "$NB" 10.1.0.1 10.2.0.1 3
t_check "A logged the acquire" grep -q "acquire for gw/net" "$T_TMP/a.log"
# B pads what it sends to 1000 octets (tfc_padding = 1000); A does not
capture_start "$NA" veth "$T_TMP/tfc.pcap" esp || t_fail "tcpdump starts"
ping_ok "$NA" 10.2.0.1 10.1.0.1 3
capture_stop
t_expect_ge "ESP from B captured" "$(capture_count "$T_TMP/tfc.pcap" src 192.0.2.2)" 3
t_expect_eq "every ESP packet from B is TFC-padded (>= 1000 octets)" 0 \
	"$(capture_count "$T_TMP/tfc.pcap" src 192.0.2.2 and less 1000)"
t_expect_ge "ESP from A is not padded" "$(capture_count "$T_TMP/tfc.pcap" src 192.0.2.1 and less 300)" 3

# ---- 2. updown (up) ----------------------------------------------------------------------------
t_check "A: updown ran for up" wait_for 5 test -s "$T_TMP/updown-a.env"
t_check "B: updown ran for up" wait_for 5 test -s "$T_TMP/updown-b.env"
sed 's/^/#   A env: /' "$T_TMP/updown-a.env"
t_expect_eq "A: one run" 1 "$(runs a)"
t_expect_eq "PLUTO_VERSION" 1.1 "$(env_of a 1 PLUTO_VERSION)"
t_expect_eq "PLUTO_VERB" up-client "$(env_of a 1 PLUTO_VERB)"
t_expect_eq "PLUTO_CONNECTION (the child's name)" net "$(env_of a 1 PLUTO_CONNECTION)"
t_expect_eq "PLUTO_INTERFACE" veth "$(env_of a 1 PLUTO_INTERFACE)"
t_expect_eq "PLUTO_REQID = list-sas reqid" "$(ri_get "$SA" gw.child-sas.net.reqid)" \
	"$(env_of a 1 PLUTO_REQID)"
t_expect_eq "PLUTO_PROTO" esp "$(env_of a 1 PLUTO_PROTO)"
t_expect_eq "PLUTO_UNIQUEID = IKE SA uniqueid" "$(ri_get "$SA" gw.uniqueid)" \
	"$(env_of a 1 PLUTO_UNIQUEID)"
t_expect_eq "PLUTO_ME" 192.0.2.1 "$(env_of a 1 PLUTO_ME)"
t_expect_eq "PLUTO_MY_ID" a.rampart.test "$(env_of a 1 PLUTO_MY_ID)"
t_expect_eq "PLUTO_MY_CLIENT" 10.1.0.0/24 "$(env_of a 1 PLUTO_MY_CLIENT)"
t_expect_eq "PLUTO_MY_PORT" 0 "$(env_of a 1 PLUTO_MY_PORT)"
t_expect_eq "PLUTO_MY_PROTOCOL" 0 "$(env_of a 1 PLUTO_MY_PROTOCOL)"
t_expect_eq "PLUTO_PEER" 192.0.2.2 "$(env_of a 1 PLUTO_PEER)"
t_expect_eq "PLUTO_PEER_ID" b.rampart.test "$(env_of a 1 PLUTO_PEER_ID)"
t_expect_eq "PLUTO_PEER_CLIENT" 10.2.0.0/24 "$(env_of a 1 PLUTO_PEER_CLIENT)"
t_expect_eq "PLUTO_PEER_PORT" 0 "$(env_of a 1 PLUTO_PEER_PORT)"
t_expect_eq "PLUTO_PEER_PROTOCOL" 0 "$(env_of a 1 PLUTO_PEER_PROTOCOL)"
t_expect_eq "no PLUTO_UDP_ENC without a NAT" "" "$(env_of a 1 PLUTO_UDP_ENC)"
t_expect_eq "B: PLUTO_VERB" up-client "$(env_of b 1 PLUTO_VERB)"
t_expect_eq "B: PLUTO_MY_CLIENT" 10.2.0.0/24 "$(env_of b 1 PLUTO_MY_CLIENT)"
t_expect_eq "B: PLUTO_PEER_ID" a.rampart.test "$(env_of b 1 PLUTO_PEER_ID)"
t_expect_eq "no secret in the environment" 0 \
	"$(grep -ci -e psk -e secret -e c2VjcmV0 "$T_TMP/updown-a.env" "$T_TMP/updown-b.env" | awk -F: '{s+=$NF} END {print s+0}')"
t_check "A logged the script's output" wait_file_match "$T_TMP/a.log" "updown: hello from updown a up-client" 5

# ---- 3. B deletes: down on both sides, A's trap stays ------------------------------------------
t_check "rampart down gw on B" rt_ctl b down gw
t_check "A has no SA left" wait_for 5 a_none
t_check "A: updown ran for down" wait_for 5 sh -c "[ \$(grep -c '^---- ' $T_TMP/updown-a.env) -ge 2 ]"
t_expect_eq "A: PLUTO_VERB (down)" down-client "$(env_of a 2 PLUTO_VERB)"
t_expect_eq "A: same reqid down" "$(env_of a 1 PLUTO_REQID)" "$(env_of a 2 PLUTO_REQID)"
t_check "B: updown ran for down" wait_for 5 sh -c "[ \$(grep -c '^---- ' $T_TMP/updown-b.env) -ge 2 ]"
t_expect_eq "B: PLUTO_VERB (down)" down-client "$(env_of b 2 PLUTO_VERB)"
t_check "the trap stays: a ping brings the tunnel back" wait_for 10 pinged
t_check "A: Child SA INSTALLED again" wait_for 5 a_up
t_expect_eq "A: third run is up" up-client "$(env_of a 3 PLUTO_VERB)"

# ---- 4. close_action = start -------------------------------------------------------------------
# (an SA keeps the configuration it was set up with, as in strongSwan: set up a new one)
reload_a none start
t_check "A reloaded" grep -q "loaded 2 connections" "$T_TMP/a.log"
t_check "A: the trap is gone after the reload" sh -c "grep -q 'trap policy for gw/net.* uninstalled' $T_TMP/a.log"
t_check "rampart down gw on A" rt_ctl a down gw
t_check "A has no SA left (4)" wait_for 5 a_none
t_check "rampart up gw on A with the new configuration" ri_up a gw
ri_sas a >"$SA"
id_before=$(ri_get "$SA" gw.uniqueid)
t_check "rampart down gw on B (2)" rt_ctl b down gw
a_new() { a_up && [ "$(ri_sas a | awk -F= '/^gw\.uniqueid=/{print $2}')" != "$id_before" ]; }
t_check "A re-creates the tunnel at once (close_action start)" wait_for 10 a_new
t_check "B: Child SA INSTALLED (close_action start)" wait_for 5 b_up
t_check "ping through the re-created tunnel" ping_ok "$NA" 10.2.0.1 10.1.0.1 3

# ---- 5. close_action = trap --------------------------------------------------------------------
reload_a none trap
t_check "rampart down gw on A (5)" rt_ctl a down gw
t_check "A has no SA left (5)" wait_for 5 a_none
t_check "rampart up gw on A (5)" ri_up a gw
traps_before=$(grep -c "trap gw/net{[0-9]*} installed in the data plane" "$T_TMP/a.log")
t_check "rampart down gw on B (3)" rt_ctl b down gw
t_check "A has no SA (close_action trap)" wait_for 5 a_none
sleep 1
t_check "no SA without traffic" a_none
t_expect_eq "A installed the trap in the data plane" $((traps_before + 1)) \
	"$(grep -c "trap gw/net{[0-9]*} installed in the data plane" "$T_TMP/a.log")"
t_check "a ping brings it back (close_action trap)" wait_for 10 pinged
t_check "A: Child SA INSTALLED (trap)" wait_for 5 a_up

t_done
