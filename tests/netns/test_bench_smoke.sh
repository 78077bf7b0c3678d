#!/bin/sh
# Keeps bench/run.sh working: one short run of the plain and Rampart cases (1 s each) must
# print the table with a plain TCP and 64-byte figure, a Rampart row (figures or "not
# available (reason)"), the ratio lines, and leave no namespace behind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

t_need_root
t_need_cmd iperf3 python3

out=$T_TMP/bench.out
BENCH_TIME=1 REPEAT=1 BENCH_MICRO=0 BENCH_CASES="plain rampart" T_ID="bench$$" BENCH_REPORT=$T_TMP/report \
	timeout 120 sh "$here/../../bench/run.sh" >"$out" 2>&1
t_expect_eq "bench/run.sh exits 0" 0 "$?"
row=$(grep '^plain ' "$out" | tail -n 1)
# shellcheck disable=SC2086
set -- $row
t_check "plain row has a TCP figure" awk -v v="${2:-x}" 'BEGIN { exit !(v + 0 > 0.01) }'
t_check "plain row has a 64-byte figure" awk -v v="${4:-x}" 'BEGIN { exit !(v + 0 > 0.1) }'
t_check "rampart row present" grep -Eq '^rampart +([0-9]|not available \()' "$out"
t_check "ratio against strongswan printed" grep -q '^rampart/strongswan ' "$out"
t_check "ratio against plain printed" grep -q '^rampart/plain ' "$out"
t_check "no namespace left behind" sh -c "! ip netns list | grep -q 'bench$$'"
[ "$T_FAIL" -eq 0 ] || cat "$out"
t_done
