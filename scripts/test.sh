#!/usr/bin/env bash
# Set up everything (scripts/setup.sh) and run the whole test suite, tutorials included.
# A hung Lava run cannot hang this: pytest-timeout fails a test after its limit, the whole run
# has a hard wall-clock limit, and every process the run leaves behind is killed with its group.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

LIMIT=${ASTROLAVA_TEST_LIMIT:-75m}
setsid timeout --kill-after=30s "$LIMIT" .venv/bin/python -m pytest "$@" &
pid=$!
trap 'kill -TERM -- -$pid 2>/dev/null' INT TERM
wait $pid
status=$?
kill -KILL -- -$pid 2>/dev/null || true   # whatever the run left behind (hung Lava children)
[ $status -eq 124 ] && echo "test run exceeded $LIMIT and was killed" >&2
exit $status
