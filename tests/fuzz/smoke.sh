#!/bin/sh
# Runs each libFuzzer harness given for $FUZZ_TIME seconds, $FUZZ_JOBS at a time (default 2,
# one per core). A harness fuzz_NAME is seeded from tests/fuzz/corpus/NAME (committed) and from
# the directories listed, relative to $VECTORS, in tests/fuzz/NAME.seeds. New inputs go to
# build/fuzz/corpus/NAME, never into the repository.
set -u
cd "$(dirname "$0")/../.."
: "${FUZZ_TIME:=60}"
: "${FUZZ_JOBS:=2}"
: "${VECTORS:=$(cd .. && pwd)/shared/vectors}"
export VECTORS

# Runs one harness; its exit status lands in build/fuzz/NAME.rc.
run_one() {
	h=$1
	name=$(basename "$h")
	name=${name#fuzz_}
	work="build/fuzz/corpus/$name"
	mkdir -p "$work" "tests/fuzz/corpus/$name"
	seeds="tests/fuzz/corpus/$name"
	if [ -f "tests/fuzz/$name.seeds" ]; then
		for d in $(grep -v '^#' "tests/fuzz/$name.seeds"); do
			seeds="$seeds $VECTORS/$d"
		done
	fi
	# shellcheck disable=SC2086
	"$h" -max_total_time="$FUZZ_TIME" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="build/fuzz/$name-" -print_final_stats=1 "$work" $seeds \
		>"build/fuzz/$name.log" 2>&1
	echo $? >"build/fuzz/$name.rc"
}

running=0
for h in "$@"; do
	echo "fuzz $(basename "$h"): ${FUZZ_TIME}s"
	run_one "$h" &
	running=$((running + 1))
	if [ "$running" -ge "$FUZZ_JOBS" ]; then
		wait
		running=0
	fi
done
wait

passed=0
failed=0
for h in "$@"; do
	name=$(basename "$h")
	name=${name#fuzz_}
	if [ "$(cat "build/fuzz/$name.rc" 2>/dev/null)" = 0 ]; then
		echo "ok   fuzz $name: $(grep -E 'stat::number_of_executed_units' "build/fuzz/$name.log" | tail -n 1)"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz $name; log build/fuzz/$name.log"
		tail -n 40 "build/fuzz/$name.log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
