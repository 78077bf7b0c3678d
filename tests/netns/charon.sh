# Sourced helpers to run strongSwan's charon as an independent peer inside a namespace, and to
# make certificates with pki. Source tests/netns/lib.sh first. Facts behind the choices:
# ../shared/notes/strongswan-peer.md.
#
# One instance = one directory DIR holding strongswan.conf, swanctl/ (SWANCTL_DIR), run/
# (bind-mounted on /run in a private mount namespace, because charon 5.9.8 hard-codes
# /run/charon.pid), the vici socket charon.vici and the log charon.log. The data plane is
# kernel-libipsec (the kernel here has no ESP): a TUN device ipsec0, ESP always in UDP 4500.
#
#   charon_start NS DIR          start (returns once vici answers); pid in CHARON_PID_<DIR>
#   charon_load DIR FILE         install FILE as swanctl.conf and load everything
#   charon_initiate DIR CHILD    initiate a CHILD_SA (and its IKE_SA)
#   charon_terminate DIR IKE     terminate an IKE_SA
#   charon_sas DIR               list-sas --raw flattened to "path=value" lines
#   charon_sa_get DIR PATH       one value from charon_sas, e.g. "gw.state"
#   charon_wait_ike DIR IKE, charon_wait_child DIR IKE.child-sas.CHILD   wait for the states
#   charon_stop DIR              stop it (cleanup stops every instance anyway)
#   charon_psk_conf LOCAL REMOTE LTS RTS ID PEER-ID PSK [IKE] [ESP] [CONN-OPTS]
#                                a whole swanctl.conf: connection gw as ri_conn writes it
#                                (source tests/netns/rampart_ike.sh), secret ike-gw PSK for
#                                a.rampart.test and b.rampart.test
#   pki_ca DIR [TYPE]            CA key and certificate DIR/ca.key, DIR/ca.crt
#   pki_cert DIR NAME TYPE DN SAN...  end-entity key DIR/NAME.key and cert DIR/NAME.crt
#
# CHARON_PLUGINS overrides the plugin list; CHARON_EXTRA is appended inside charon { }.

CHARON_BIN=${CHARON_BIN:-/usr/lib/ipsec/charon}
CHARON_PLUGINS=${CHARON_PLUGINS:-random nonce openssl pem pkcs1 pkcs8 x509 revocation \
constraints pubkey gmp curve25519 aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink \
socket-default vici counters}
CHARON_EXTRA=${CHARON_EXTRA:-}

# The pid of the instance in DIR.
charon_pid() { # dir
	cat "$1/charon.ppid" 2>/dev/null
}

# charon_swanctl DIR COMMAND ARGS...: swanctl talking to the instance in DIR.
# The command (--stats, --initiate...) must come first: swanctl takes --uri after it.
charon_swanctl() {
	local d=$1 cmd=$2
	shift 2
	SWANCTL_DIR="$d/swanctl" STRONGSWAN_CONF="$d/strongswan.conf" \
		timeout 60 swanctl "$cmd" --uri "unix://$d/charon.vici" "$@"
}

_charon_write_conf() { # dir
	mkdir -p "$1/run" "$1/swanctl/conf.d" "$1/swanctl/x509" "$1/swanctl/x509ca" \
		"$1/swanctl/private" "$1/swanctl/rsa" "$1/swanctl/ecdsa" "$1/swanctl/pkcs8" \
		"$1/swanctl/x509crl" "$1/swanctl/pubkey" || return 1
	cat >"$1/strongswan.conf" <<EOF
charon {
	load_modular = no
	load = $CHARON_PLUGINS
	install_virtual_ip = no
	retransmit_timeout = 1.0
	retransmit_tries = 4
	plugins {
		vici {
			socket = unix://$1/charon.vici
		}
	}
	syslog {
		daemon {
			default = -1
		}
		auth {
			default = -1
		}
	}
	filelog {
		rampart {
			path = $1/charon.log
			default = 1
			ike_name = yes
			time_format = %H:%M:%S
			flush_line = yes
		}
	}
	$CHARON_EXTRA
}
swanctl {
	load = pem pkcs1 pkcs8 x509 revocation constraints pubkey gmp curve25519 openssl random
}
EOF
	[ -f "$1/swanctl/swanctl.conf" ] || : >"$1/swanctl/swanctl.conf"
}

# charon_start NS DIR: writes DIR's configuration and starts charon in NS; returns once the
# vici socket answers (10 s at most). Registers cleanup of the instance.
charon_start() {
	local _d _ns
	_ns=$1
	_d=$2
	_charon_write_conf "$_d" || return 1
	rm -f "$_d/charon.vici" "$_d/charon.ppid"
	# unshare -m without --fork and sh's exec keep one pid: the pid recorded is charon's.
	ip netns exec "$_ns" unshare -m --propagation private sh -c \
		'mount --bind "$1/run" /run && exec env STRONGSWAN_CONF="$1/strongswan.conf" "$2"' \
		charon-start "$_d" "$CHARON_BIN" >"$_d/charon.out" 2>&1 </dev/null &
	echo $! >"$_d/charon.ppid"
	t_track $!
	t_on_exit "charon_stop '$_d'"
	if ! wait_socket "$_d/charon.vici" 10 || ! wait_for 10 charon_swanctl "$_d" --stats; then
		echo "charon in $_ns did not start; log tail:" >&2
		tail -n 20 "$_d/charon.log" "$_d/charon.out" >&2 2>/dev/null
		return 1
	fi
}

# charon_stop DIR: TERM, then KILL after 5 s.
charon_stop() {
	local _i _p
	_p=$(charon_pid "$1")
	[ -z "$_p" ] && return 0
	# only our charon: the pid may be gone (and reused) if its namespace was destroyed
	if [ "$(cat "/proc/$_p/comm" 2>/dev/null)" != charon ]; then
		rm -f "$1/charon.ppid"
		return 0
	fi
	kill -TERM "$_p" 2>/dev/null
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	rm -f "$1/charon.ppid"
	return 0
}

# charon_load DIR FILE: installs FILE as DIR's swanctl.conf and loads all of it.
charon_load() {
	cp "$2" "$1/swanctl/swanctl.conf" || return 1
	charon_swanctl "$1" --load-all --noprompt >>"$1/swanctl.out" 2>&1
}

charon_psk_conf() {
	echo "connections {"
	ri_conn gw "$1" "$2" "$5" "$6" "$3" "$4" "${8:-}" "${9:-}" "" "${10:-}"
	echo "}"
	echo "secrets {"
	ri_secret gw a.rampart.test b.rampart.test "$7"
	echo "}"
}

# charon_initiate DIR CHILD [SECONDS]: initiates CHILD and waits for the result.
charon_initiate() {
	charon_swanctl "$1" --initiate --child "$2" --timeout "${3:-20}" >>"$1/swanctl.out" 2>&1
}

# charon_terminate DIR IKE [SECONDS]
charon_terminate() {
	charon_swanctl "$1" --terminate --ike "$2" --timeout "${3:-10}" >>"$1/swanctl.out" 2>&1
}

# charon_sas DIR: the raw SA listing flattened, one "ike.key=value" or
# "ike.child-sas.child.key=value" per line; lists print as "key=[a b]".
charon_sas() {
	charon_swanctl "$1" --list-sas --raw 2>/dev/null | awk '
	{
		s = $0
		sub(/^list-sa event /, "", s)
		n = 0
		out = ""
		while (length(s) > 0) {
			if (match(s, /^[ ]+/)) { s = substr(s, RLENGTH + 1); continue }
			if (match(s, /^[^ ={}\[\]]+ \{/)) {
				path[++n] = substr(s, 1, RLENGTH - 2)
				s = substr(s, RLENGTH + 1)
				continue
			}
			if (substr(s, 1, 1) == "}") { n--; s = substr(s, 2); continue }
			if (match(s, /^[^ ={}\[\]]+=\[[^\]]*\]/) || match(s, /^[^ ={}\[\]]+=[^ {}]*/)) {
				kv = substr(s, 1, RLENGTH)
				s = substr(s, RLENGTH + 1)
				p = ""
				for (i = 1; i <= n; i++) p = p path[i] "."
				print p kv
				continue
			}
			s = substr(s, 2)
		}
	}'
}

# charon_sa_get DIR|FILE PATH: the value at PATH (a child SA may be named "net" for any
# "net-N"). Given a FILE saved from charon_sas, reads it instead of asking charon (one swanctl
# call for many fields).
charon_sa_get() {
	if [ -f "$1" ]; then cat "$1"; else charon_sas "$1"; fi | awk -v want="$2" '
	{
		eq = index($0, "=")
		k = substr($0, 1, eq - 1)
		v = substr($0, eq + 1)
		if (k == want) { print v; exit }
		# child SAs are listed as NAME-UNIQUEID; match the configured name too
		k2 = k
		gsub(/-[0-9]+\./, ".", k2)
		if (k2 == want) { print v; exit }
	}'
}

# charon_ike_count DIR: how many IKE_SAs the instance has.
charon_ike_count() {
	charon_swanctl "$1" --list-sas --raw 2>/dev/null | grep -c '^list-sa event'
}

# charon_wait_no_sas DIR [SECONDS]: waits until the instance has no IKE_SA left.
charon_wait_no_sas() {
	wait_for "${2:-10}" _charon_ike_count_is "$1" 0
}

_charon_ike_count_is() { # dir n
	[ "$(charon_ike_count "$1")" = "$2" ]
}

# charon_wait_ike DIR IKE [SECONDS]: waits until the IKE_SA named IKE is ESTABLISHED.
charon_wait_ike() {
	wait_for "${3:-10}" _charon_is "$1" "$2.state" ESTABLISHED
}

# charon_wait_child DIR CHILD_PATH [SECONDS]: waits until e.g. "gw.child-sas.net.state"
# is INSTALLED.
charon_wait_child() {
	wait_for "${3:-10}" _charon_is "$1" "$2.state" INSTALLED
}

_charon_is() { # dir path value
	[ "$(charon_sa_get "$1" "$2")" = "$3" ]
}

# ---- certificates ----------------------------------------------------------------------------

# pki with an explicit plugin list (the system one tries a TPM and complains).
_pki() {
	local conf=${T_TMP:-/tmp}/pki-strongswan.conf
	[ -f "$conf" ] || echo "pki { load = random openssl pem pkcs1 pkcs8 x509 gmp curve25519 sha1 sha2 }" >"$conf"
	STRONGSWAN_CONF=$conf pki "$@"
}

_pki_gen() { # type file
	case "$1" in
	rsa) _pki --gen --type rsa --size 2048 --outform pem >"$2" ;;
	ecdsa) _pki --gen --type ecdsa --size 256 --outform pem >"$2" ;;
	ed25519) _pki --gen --type ed25519 --outform pem >"$2" ;;
	*)
		echo "pki: unknown key type $1" >&2
		return 1
		;;
	esac
}

# pki_ca DIR [TYPE] [DN]: a self-signed CA (default ecdsa) as DIR/ca.key and DIR/ca.crt.
pki_ca() {
	mkdir -p "$1" || return 1
	_pki_gen "${2:-ecdsa}" "$1/ca.key" || return 1
	_pki --self --ca --lifetime 30 --in "$1/ca.key" --type priv \
		--dn "${3:-C=CH, O=Rampart Test, CN=Rampart Test CA}" --outform pem >"$1/ca.crt"
}

# pki_cert DIR NAME TYPE DN [SAN...]: key DIR/NAME.key (rsa, ecdsa or ed25519) and a
# certificate DIR/NAME.crt issued by DIR's CA, with the given subjectAltNames (DNS names,
# IP addresses or emails, as pki --san takes them).
pki_cert() {
	local _d _dn _name _s _sans _type
	_d=$1
	_name=$2
	_type=$3
	_dn=$4
	shift 4
	_pki_gen "$_type" "$_d/$_name.key" || return 1
	_sans=""
	for _s in "$@"; do _sans="$_sans --san $_s"; done
	# shellcheck disable=SC2086
	_pki --pub --in "$_d/$_name.key" --type priv | _pki --issue --lifetime 30 \
		--cacert "$_d/ca.crt" --cakey "$_d/ca.key" --dn "$_dn" $_sans \
		--flag serverAuth --flag clientAuth --outform pem >"$_d/$_name.crt" &&
		[ -s "$_d/$_name.crt" ]
}

# charon_install_cert DIR CERTDIR NAME: puts CA cert, NAME.crt and NAME.key where swanctl
# --load-all finds them.
charon_install_cert() {
	cp "$2/ca.crt" "$1/swanctl/x509ca/" &&
		cp "$2/$3.crt" "$1/swanctl/x509/" &&
		cp "$2/$3.key" "$1/swanctl/private/"
}

# ---- rampartd against charon: the setup the interop tests share ----------------------------
# Source tests/netns/rampart_tunnel.sh and tests/netns/rampart_ike.sh too. Rampartd runs as R in
# namespace NR, charon in NC with its instance directory DC.
#
#   ci_need [CMD...]           skips unless root, swanctl, ping, timeout, charon (and CMD...)
#                              and the rampartd/rampart binaries ($RAMPARTD, $RAMPART) are there
#   ci_topology R-TAG C-TAG R-LAN C-LAN [R-VETH C-VETH]
#                              namespaces NR (rp-R-TAG-$$) and NC, veth 192.0.2.1/24 <->
#                              192.0.2.2/24 with the further addresses R-VETH / C-VETH, and a
#                              "lan" veth pair in each with the addresses R-LAN / C-LAN
#                              (space-separated lists); exits on failure
#   ci_conn NAME LOCAL REMOTE LTS RTS [ESP] [CONN-OPTS] [CHILD-OPTS]
#                              ri_conn with identities r.rampart.test on rampartd's side (LTS in
#                              10.1 or 10.3) and c.rampart.test on charon's
#   ci_secrets                 the secrets section with the PSK (CI_PSK) both sides share
#   ci_two_children ME PEER MY-ID PEER-ID MY-NET THEIR-NET [CONN-OPTS]
#                              a whole configuration: connection "two" with children net1
#                              (MY-NET.0.0/24 <-> THEIR-NET.0.0/24, aes128gcm16) and net2
#                              (MY-NET.1.0/24 <-> THEIR-NET.1.0/24, aes256gcm16-x25519), and
#                              ci_secrets
#   ci_charon CONF [LABEL]     starts charon in NC (instance DC=$T_TMP/charon) and loads CONF
#                              (text), two checks; ends the test when either fails
#   ci_up LABEL CONN rampart|charon [SECONDS]
#                              that side initiates CONN's child net (`rampart up`, or `swanctl
#                              --initiate` waiting SECONDS, default 20) and the other side has
#                              the Child SA within 5 s: two checks named "LABEL: ..."
#   ci_r_child CONN [CHILD], ci_c_child CONN [CHILD]
#                              CONN's Child SA CHILD (default net) is INSTALLED at rampartd /
#                              charon
#   ci_r_none                  rampartd lists no IKE SA
#   ci_tails [LINES] [CHARON-LINES]   after a failure: the tails of both logs

CI_PSK="0sc2VjcmV0LXByZS1zaGFyZWQta2V5LWZvci10aGUtdGVzdA=="

ci_need() {
	t_need_root
	t_need_cmd swanctl ping timeout "$CHARON_BIN" "$@"
	: "${RAMPARTD:=$(pwd)/build/check/rampartd}"
	: "${RAMPART:=$(pwd)/build/check/rampart}"
	[ -x "$RAMPARTD" ] && [ -x "$RAMPART" ] ||
		t_skip_all "no $RAMPARTD / $RAMPART (make check-build)"
}

ci_topology() { # R-TAG C-TAG R-LAN C-LAN [R-VETH C-VETH]
	ns_create NR "$1" || exit 1
	ns_create NC "$2" || exit 1
	link_pair "$NR" veth "$NC" veth 192.0.2.1/24 192.0.2.2/24 || exit 1
	# shellcheck disable=SC2086 # address lists
	if [ -n "${5:-}" ]; then addr_add "$NR" veth $5 || exit 1; fi
	# shellcheck disable=SC2086
	if [ -n "${6:-}" ]; then addr_add "$NC" veth $6 || exit 1; fi
	# shellcheck disable=SC2086
	lan_add "$NR" $3 || exit 1
	# shellcheck disable=SC2086
	lan_add "$NC" $4 || exit 1
}

ci_conn() { # NAME LOCAL REMOTE LTS RTS [ESP] [CONN-OPTS] [CHILD-OPTS]
	local _me=c _peer=r
	case "$4" in 10.1.* | 10.3.*) _me=r _peer=c ;; esac
	ri_conn "$1" "$2" "$3" "$_me.rampart.test" "$_peer.rampart.test" "$4" "$5" "" \
		"${6:-}" "" "${7:-}" "${8:-}"
}

ci_secrets() {
	echo "secrets {"
	ri_secret all r.rampart.test c.rampart.test "$CI_PSK"
	echo "}"
}

ci_two_children() { # ME PEER MY-ID PEER-ID MY-NET THEIR-NET [CONN-OPTS]
	cat <<EOF
connections {
	two {
		version = 2
		local_addrs = $1
		remote_addrs = $2
		proposals = aes128gcm16-prfsha256-x25519
		${7:-}
		local {
			auth = psk
			id = $3
		}
		remote {
			auth = psk
			id = $4
		}
		children {
			net1 {
				local_ts = $5.0.0/24
				remote_ts = $6.0.0/24
				esp_proposals = aes128gcm16
			}
			net2 {
				local_ts = $5.1.0/24
				remote_ts = $6.1.0/24
				esp_proposals = aes256gcm16-x25519
			}
		}
	}
}
$(ci_secrets)
EOF
}

ci_charon() { # CONF [LABEL]
	DC=$T_TMP/charon
	mkdir -p "$DC"
	printf '%s\n' "$1" >"$T_TMP/charon.conf"
	t_check "${2:-charon starts}" charon_start "$NC" "$DC"
	t_check "charon loads its config" charon_load "$DC" "$T_TMP/charon.conf"
	[ "$T_FAIL" -eq 0 ] || t_done
}

ci_up() { # LABEL CONN rampart|charon [SECONDS]
	if [ "$3" = rampart ]; then
		t_check "$1: rampart up $2" ri_up R "$2"
		t_check "$1: charon has the CHILD_SA" wait_for 5 ci_c_child "$2"
	else
		t_check "$1: swanctl --initiate $2" charon_swanctl "$DC" --initiate --ike "$2" \
			--child net --timeout "${4:-20}" >>"$DC/swanctl.out" 2>&1
		t_check "$1: rampartd has the Child SA" wait_for 5 ci_r_child "$2"
	fi
}

ci_r_child() { # CONN [CHILD]
	ri_sas R | grep -q "^$1\.child-sas\.${2:-net}-[0-9]*\.state=INSTALLED\$"
}

ci_c_child() { # CONN [CHILD]
	[ "$(charon_sa_get "$DC" "$1.child-sas.${2:-net}.state")" = INSTALLED ]
}

ci_r_none() {
	[ "$(ri_count R)" = 0 ]
}

ci_tails() { # [LINES] [CHARON-LINES]
	[ "$T_FAIL" -ne 0 ] || return 0
	echo "--- rampartd log tail"
	tail -n "${1:-60}" "$T_TMP/R.log"
	echo "--- charon log tail"
	tail -n "${2:-${1:-60}}" "$DC/charon.log"
}
