#!/bin/sh
# Installs the Debian packages a target needs, skipping apt entirely when all are present.
# Usage: scripts/deps.sh build|check|demo|bench
set -eu

build="build-essential libssl-dev"
netns="iproute2 nftables iputils-ping tcpdump iperf3 netcat-openbsd procps"
charon="strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins strongswan-pki"
check="$build clang libclang-rt-14-dev libjansson-dev python3-scapy tshark $netns $charon"
demo="$build $netns"
bench="$build $netns $charon wireguard-go wireguard-tools python3"

case "${1:-build}" in
build) want=$build ;;
check) want=$check ;;
demo) want=$demo ;;
bench) want=$bench ;;
*) echo "usage: $0 build|check|demo|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >/dev/null
# Debian may start a system-wide charon on install; the tests run their own instances.
if command -v systemctl >/dev/null 2>&1; then systemctl stop strongswan-starter strongswan 2>/dev/null || true; fi
# Only the system instance (pid in the real /run/charon.pid): test instances run with a private
# /run and must survive a concurrent install.
if [ -s /run/charon.pid ]; then
	pid=$(cat /run/charon.pid)
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = charon ] && kill "$pid" 2>/dev/null
fi
exit 0
