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
