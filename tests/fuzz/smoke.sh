#!/bin/sh
# Runs each libFuzzer harness given for $FUZZ_TIME seconds. A harness fuzz_NAME is seeded from
# tests/fuzz/corpus/NAME (committed) and from the directories listed, relative to $VECTORS, in
# tests/fuzz/NAME.seeds. New inputs go to build/fuzz/corpus/NAME, never into the repository.
set -u
cd "$(dirname "$0")/../.."
: "${FUZZ_TIME:=60}"
: "${VECTORS:=$(cd .. && pwd)/shared/vectors}"
status=0
passed=0
failed=0
for h in "$@"; do
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
	echo "fuzz $name: ${FUZZ_TIME}s"
	# shellcheck disable=SC2086
	if "$h" -max_total_time="$FUZZ_TIME" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="build/fuzz/$name-" -print_final_stats=1 "$work" $seeds \
		>"build/fuzz/$name.log" 2>&1; then
		grep -E 'stat::number_of_executed_units|cov:' "build/fuzz/$name.log" | tail -n 2
		passed=$((passed + 1))
	else
		echo "fuzz $name FAILED; log build/fuzz/$name.log"
		tail -n 40 "build/fuzz/$name.log"
		failed=$((failed + 1))
		status=1
	fi
done
echo "fuzz: $passed passed, $failed failed"
exit $status
