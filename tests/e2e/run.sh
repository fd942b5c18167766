#!/usr/bin/env bash
# Runs the console's end-to-end tests against a real kube-apiserver + etcd on loopback.
#
#   tests/e2e/run.sh            build the harness if needed, start it, run the e2e tests, stop it
#   tests/e2e/run.sh --keep     leave the cluster running afterwards; rerun with the printed
#                               FLUIDOPS_E2E_STATE to reuse it (then `up` is instant)
#   tests/e2e/run.sh -- ARGS    extra arguments for the test binary (e.g. a test name filter)
#
# `cargo test` runs the same tests (the e2e_kube module of tests/suite starts the harness by itself); this script
# adds the timings and the explicit build step. State: $FLUIDOPS_E2E_STATE (default a directory
# of this run, so concurrent runs and a cluster someone uses by hand never disturb each other:
# one test stops and restarts the API server).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export FLUIDOPS_E2E_STATE="${FLUIDOPS_E2E_STATE:-/tmp/fluidops-e2e-run-$$}"

keep=""
test_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) keep=1 ;;
	--) shift; test_args=("$@"); break ;;
	*) echo "unknown option: $1 (see the header of $0)" >&2; exit 2 ;;
	esac
	shift
done

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

t0="$(now)"
tests/e2e/cluster.sh build
t_build="$(since "$t0")"

t1="$(now)"
out="$(tests/e2e/cluster.sh up)"
eval "$out"
t_up="$(since "$t1")"
if [ -z "$keep" ]; then
	trap 'tests/e2e/cluster.sh down' EXIT
fi

t2="$(now)"
# The cluster is up, so the tests only reuse it; FLUIDOPS_E2E_KEEP stops them from taking it down.
FLUIDOPS_E2E_KEEP=1 cargo test --test suite -- e2e_kube:: "${test_args[@]}"
t_test="$(since "$t2")"

if [ -n "$keep" ]; then
	echo "e2e: cluster kept: FLUIDOPS_E2E_STATE=$FLUIDOPS_E2E_STATE (tests/e2e/cluster.sh down to stop it)" >&2
fi
echo "e2e: harness build ${t_build} s, up ${t_up} s, cargo test (build + run) ${t_test} s, total $(since "$t0") s" >&2
