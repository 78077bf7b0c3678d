#!/bin/sh
# IKEv2 handshake benchmark (issue 4): build/bench/ike_load (the engine as a load generator)
# sets up BENCH_IKE_N IKE SAs + one CHILD_SA each (PSK, X25519, AES-128-GCM), at most
# BENCH_IKE_WINDOW at once, against rampartd and against charon as responders, in the same run,
# BENCH_IKE_REPEAT times each (fresh responder per run), medians reported.
#
#   ns a (ike_load, 192.0.2.1:500)  <---- veth ---->  ns b (responder, 192.0.2.2:500)
#                                                     lo 10.2.0.1 (its side of every CHILD_SA:
#                                                     kernel-libipsec wants a source there)
#
# Per run: setups/s (CHILD_SAs up / wall time, from ike_load), responder CPU per setup
# (utime+stime of the responder process over the run, /proc/PID/stat), responder memory per
# established SA (VmRSS after the run minus VmRSS before, divided by the SAs; every SA is still
# up when RSS is read). The initiator uses BENCH_IKE_IDS identities c<k>.bench (round robin)
# and unique = never; both responders accept any identity with one PSK.
#
# Responders:
#   rampartd  swanctl.conf with one connection (remote %any), its userspace data plane
#             installing each CHILD_SA (2 ESP SAs + policies), logging at its default level.
#   charon    strongSwan 5.9.8 with kernel-libipsec (userspace ESP: each CHILD_SA installed),
#             default logging (filelog level 1), and for fairness: cookie_threshold and
#             block_threshold raised to 1000000 (charon would otherwise demand cookies past 10
#             half-open SAs and block an address past 5), init_limit_half_open 0 (no limit),
#             ikesa_table_size 65536 / ikesa_table_segments 16 (its default of one bucket
#             makes every lookup linear). rampartd's own limits stay: cookies from 30 half-open
#             SAs; the window (default 24) stays below that.
#
# Knobs: BENCH_IKE_N (default 2000), BENCH_IKE_WINDOW (24), BENCH_IKE_REPEAT (3),
# BENCH_IKE_IDS (100), BENCH_IKE_CASES ("rampart charon"). Run alone (`sh bench/ike_handshake.sh`,
# root) or from bench/run.sh (BENCH_IKE=0 skips it there). The table also goes to
# $BENCH_IKE_REPORT (default build/bench/ike_report.txt).
set -u
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
. "$root/tests/netns/lib.sh"
. "$root/tests/netns/charon.sh"

BENCH_IKE_N=${BENCH_IKE_N:-2000}
BENCH_IKE_WINDOW=${BENCH_IKE_WINDOW:-24}
BENCH_IKE_REPEAT=${BENCH_IKE_REPEAT:-3}
BENCH_IKE_IDS=${BENCH_IKE_IDS:-100}
BENCH_IKE_CASES=${BENCH_IKE_CASES:-rampart charon}
RAMPARTD=${RAMPARTD:-$root/build/rampartd}
RAMPART=${RAMPART:-$root/build/rampart}
IKE_LOAD=${IKE_LOAD:-$root/build/bench/ike_load}
PSK="rampart-ike-bench-shared-key"
RES=$T_TMP/ike-results

say() { echo "ike-bench: $*"; }

[ "$(id -u)" = 0 ] || {
	echo "ike-bench: needs root (network namespaces)" >&2
	exit 1
}
[ -x "$IKE_LOAD" ] || {
	echo "ike-bench: no $IKE_LOAD (make build/bench/ike_load)" >&2
	exit 1
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

rampart_conf() {
	cat <<EOF
rampart {
	control = $T_TMP/rd.ctl
	tun = rampart0
	mtu = 1400
	workers = 1
}
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
		secret = "$PSK"
	}
}
EOF
}

charon_conf() {
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
		secret = "$PSK"
	}
}
EOF
}

# start_RESP: starts the responder in $NB and sets RESP_PID (or returns 1).
start_rampart() {
	rampart_conf >"$T_TMP/rd.conf"
	ns_bg "$NB" "$T_TMP/rd-$RUN.log" "$RAMPARTD" --foreground --config "$T_TMP/rd.conf"
	RESP_PID=$T_BG_PID
	if ! wait_socket "$T_TMP/rd.ctl" 10 ||
		! wait_for 5 ip netns exec "$NB" "$RAMPART" --socket "$T_TMP/rd.ctl" version; then
		say "rampartd did not start: $(tail -n 3 "$T_TMP/rd-$RUN.log")"
		return 1
	fi
}
stop_rampart() {
	kill -TERM "$RESP_PID" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $RESP_PID 2>/dev/null"
	rm -f "$T_TMP/rd.ctl"
}

start_charon() {
	local d=$T_TMP/charon-$RUN
	mkdir -p "$d"
	charon_conf >"$d.conf"
	CHARON_EXTRA="cookie_threshold = 1000000
	block_threshold = 1000000
	init_limit_half_open = 0
	ikesa_table_size = 65536
	ikesa_table_segments = 16" charon_start "$NB" "$d" || return 1
	charon_load "$d" "$d.conf" >/dev/null || return 1
	RESP_PID=$(charon_pid "$d")
	CHARON_DIR=$d
}
stop_charon() { charon_stop "$CHARON_DIR"; }

# run_case NAME: one run against a fresh responder; appends "NAME rate cpu_us_per_setup
# bytes_per_sa ok" to $RES.
run_case() {
	local c=$1 t0 t1 r0 r1 out ok rate secs cpu mem
	"start_$c" || return 1
	sleep 1
	t0=$(proc_cpu_ticks "$RESP_PID")
	r0=$(rss_kb "$RESP_PID")
	out=$T_TMP/load-$c-$RUN.txt
	ns_exec "$NA" timeout 900 "$IKE_LOAD" -r 192.0.2.2 -l 192.0.2.1 -n "$BENCH_IKE_N" \
		-w "$BENCH_IKE_WINDOW" -i "$BENCH_IKE_IDS" -k "$PSK" -t 600 >"$out" 2>&1
	t1=$(proc_cpu_ticks "$RESP_PID")
	r1=$(rss_kb "$RESP_PID")
	"stop_$c"
	ok=$(sed -n 's/^result .* ok=\([0-9]*\) .*/\1/p' "$out")
	secs=$(sed -n 's/^result .* secs=\([0-9.]*\) .*/\1/p' "$out")
	if [ -z "$ok" ] || [ "$ok" = 0 ]; then
		say "$c run $RUN: no setup completed ($(tail -n 2 "$out" | tr '\n' ' '))"
		return 1
	fi
	rate=$(awk -v n="$ok" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0) ? n / s : 0 }')
	cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" -v n="$ok" \
		'BEGIN { printf "%.0f", (b - a) * 1e6 / hz / n }')
	mem=$(awk -v a="$r0" -v b="$r1" -v n="$ok" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')
	echo "$c $rate $cpu $mem $ok" >>"$RES"
	say "$c run $RUN: $ok/$BENCH_IKE_N setups in ${secs}s = $rate/s, responder CPU $cpu us/setup," \
		"RSS $r0 -> $r1 KiB = $mem B/SA"
}

median() { # CASE FIELD
	awk -v c="$1" -v f="$2" '$1 == c { print $f }' "$RES" 2>/dev/null | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

ratio() { # a b
	if [ "$1" = - ] || [ "$2" = - ] || [ "$2" = 0 ]; then echo -; else
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'
	fi
}

: >"$RES"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
ns_create NA ike-a && ns_create NB ike-b &&
	link_pair "$NA" a0 "$NB" b0 192.0.2.1/24 192.0.2.2/24 &&
	addr_add "$NB" lo 10.2.0.1/32 || {
	say "could not create namespaces"
	exit 1
}
say "N=$BENCH_IKE_N window=$BENCH_IKE_WINDOW ids=$BENCH_IKE_IDS repeat=$BENCH_IKE_REPEAT" \
	"cases: $BENCH_IKE_CASES; load $LOAD0"
RUN=1
while [ "$RUN" -le "$BENCH_IKE_REPEAT" ]; do
	for c in $BENCH_IKE_CASES; do
		case $c in
		rampart) [ -x "$RAMPARTD" ] || {
			say "no $RAMPARTD"
			continue
		} ;;
		charon) [ -x "$CHARON_BIN" ] || {
			say "no charon ($CHARON_BIN)"
			continue
		} ;;
		*)
			say "unknown case $c"
			continue
			;;
		esac
		run_case "$c" || T_KEEP=1
	done
	RUN=$((RUN + 1))
done

report() {
	local c
	echo
	echo "IKEv2 handshakes: $BENCH_IKE_N IKE_SA+CHILD_SA setups (PSK, X25519, AES-128-GCM)," \
		"window $BENCH_IKE_WINDOW, median of $BENCH_IKE_REPEAT, $(nproc) CPUs," \
		"$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load average at start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(the load generator shares the CPUs with the responder)"
	printf '%-10s %12s %16s %16s\n' responder "setups/s" "CPU us/setup" "RSS B/SA"
	for c in $BENCH_IKE_CASES; do
		printf '%-10s %12s %16s %16s\n' "$c" "$(median "$c" 2)" "$(median "$c" 3)" \
			"$(median "$c" 4)"
	done
	printf '%-10s %12s %16s %16s\n' "rampart/charon" \
		"$(ratio "$(median rampart 2)" "$(median charon 2)")" \
		"$(ratio "$(median rampart 3)" "$(median charon 3)")" \
		"$(ratio "$(median rampart 4)" "$(median charon 4)")"
	echo "targets: setups/s ratio >= 10; rampart RSS per established SA <= 4096 B"
}

BENCH_IKE_REPORT=${BENCH_IKE_REPORT:-$root/build/bench/ike_report.txt}
mkdir -p "$(dirname "$BENCH_IKE_REPORT")"
report | tee "$BENCH_IKE_REPORT"
exit 0
