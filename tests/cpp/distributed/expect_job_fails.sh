#!/bin/sh
# expect_job_fails.sh LIMIT COMMAND...: passes when COMMAND exits non-zero within LIMIT
# seconds (a job whose rank failed must end, not hang), printing its output and time.
limit=$1
shift
start=$(date +%s)
timeout "$limit" "$@" 2>&1
rc=$?
echo "exit status $rc after $(( $(date +%s) - start )) s"
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
