#!/bin/sh
# Runs every test given on the command line (unit/exchange binaries) and then every script
# under tests/netns and tests/interop. Each test prints a last line "N passed, M failed";
# a test that exits non-zero without such a line counts as one failure. Ends with the totals.
#
# TESTS=pattern restricts the run to tests whose path contains the pattern.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
export VECTORS="${VECTORS:-$(cd .. && pwd)/shared/vectors}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log_dir="$root/build/check/logs"
mkdir -p "$log_dir"

total_pass=0
total_fail=0
failed_tests=""

run_one() { # path, command...
	name=$1
	shift
	case "$name" in *"${TESTS:-}"*) ;; *) return ;; esac
	log="$log_dir/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=0
	f=0
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$f" -ne 0 ]; then
		failed_tests="$failed_tests $name"
		echo "FAIL $name ($p passed, $f failed, exit $rc, ${secs}s) -- log: $log"
		grep -E 'FAIL|ERROR|Sanitizer|runtime error' "$log" | head -n 20 | sed 's/^/    /'
	else
		echo "ok   $name ($p passed, ${secs}s)"
	fi
}

for t in "$@"; do
	run_one "${t#build/check/}" "$t"
done
for s in tests/netns/test_*.sh tests/interop/test_*.sh tests/*/test_*.py; do
	[ -f "$s" ] || continue
	case "$s" in
	*.py) run_one "$s" /usr/bin/python3 "$s" ;;
	*) run_one "$s" sh "$s" ;;
	esac
done

[ -n "$failed_tests" ] && echo "failed:$failed_tests"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
