# Sourced after tests/netns/lib.sh and tests/netns/rampart_tunnel.sh: rampartd negotiating its
# SAs with IKEv2 (configuration in swanctl.conf syntax), for the namespace tests, the interop
# tests against charon and `make demo`.
#
#   ri_conn NAME LOCAL REMOTE LID RID LTS RTS [IKE-PROPOSALS] [ESP-PROPOSALS] [CHILD]
#           [CONN-OPTS] [CHILD-OPTS]
#                              one connection (PSK both ways, tunnel mode, child CHILD,
#                              default "net") as swanctl.conf text; CONN-OPTS are lines in the
#                              connection (default "dpd_delay = 0"), CHILD-OPTS in the child
#                              (default "start_action = none")
#   ri_secret NAME ID1 ID2 SECRET   one `ike-NAME` PSK entry (put inside secrets { })
#   ri_up NAME CONN[/CHILD]    `rampart up` in NAME's namespace (60 s at most); its output
#                              in RI_OUT, printed as a comment
#   ri_sas NAME                `rampart --json list-sas` flattened to "path=value" lines
#                              ("conn.state=ESTABLISHED", "conn.child-sas.net-1.spi-in=...";
#                              lists print as "[a b]")
#   ri_get FILE PATH           one value of a saved ri_sas listing; a child SA may be named
#                              "net" for any "net-N"
#   ri_count NAME              how many IKE SAs NAME lists
#   ri_rw_conf PSK             the `connections`/`secrets` of bench/ike_load's responder (at
#                              192.0.2.2: any identity with one PSK, one tunnel child
#                              10.2.0.0/16 <-> 10.1.0.0/16, X25519, AES-GCM), for rampartd or
#                              charon
#
# Defaults: IKE aes128gcm16-prfsha256-x25519, ESP aes128gcm16.

ri_conn() {
	cat <<EOF
	$1 {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = ${8:-aes128gcm16-prfsha256-x25519}
		${11:-dpd_delay = 0}
		local {
			auth = psk
			id = $4
		}
		remote {
			auth = psk
			id = $5
		}
		children {
			${10:-net} {
				local_ts = $6
				remote_ts = $7
				esp_proposals = ${9:-aes128gcm16}
				mode = tunnel
				${12:-start_action = none}
			}
		}
	}
EOF
}

ri_secret() {
	cat <<EOF
	ike-$1 {
		id-1 = $2
		id-2 = $3
		secret = "$4"
	}
EOF
}

ri_up() { # NAME CONN[/CHILD]
	local _rc
	RI_OUT=$(ip netns exec "$(_rt_var "$1" NS)" timeout 60 "$RAMPART" \
		--socket "$T_TMP/$1.ctl" up "$2" 2>&1)
	_rc=$?
	echo "$RI_OUT" | sed 's/^/#   /'
	return $_rc
}

ri_sas() { # NAME
	rt_ctl "$1" --json list-sas 2>/dev/null | /usr/bin/python3 -c '
import json, sys
def walk(prefix, v):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(prefix + k + ".", x)
    elif isinstance(v, list):
        print(prefix[:-1] + "=[" + " ".join(str(x) for x in v) + "]")
    else:
        print(prefix[:-1] + "=" + str(v))
try:
    data = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
for sa in data:
    walk("", sa)
'
}

ri_get() { # FILE PATH
	awk -v want="$2" '
	{
		eq = index($0, "=")
		k = substr($0, 1, eq - 1)
		v = substr($0, eq + 1)
		if (k == want) { print v; exit }
		k2 = k
		gsub(/-[0-9]+\./, ".", k2)
		if (k2 == want) { print v; exit }
	}' "$1"
}

ri_count() { # NAME
	ri_sas "$1" | grep -c '^[^.]*\.state='
}

ri_rw_conf() { # PSK
	cat <<EOF
connections {
	rw {
		version = 2
		local_addrs = 192.0.2.2
		remote_addrs = %any
		proposals = aes128gcm16-prfsha256-x25519
		dpd_delay = 0
		local {
			auth = psk
		}
		remote {
			auth = psk
			id = %any
		}
		children {
			net {
				local_ts = 10.2.0.0/16
				remote_ts = 10.1.0.0/16
				esp_proposals = aes128gcm16
				mode = tunnel
			}
		}
	}
}
secrets {
	ike-all {
		secret = "$1"
	}
}
EOF
}
