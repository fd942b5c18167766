#!/usr/bin/env bash
# Records what upstream Fluid does with the upstream Curvine manifests, stage by stage, as the
# trace the simulator is calibrated against (tests/suite/calibration.rs).
#
#   tests/e2e/record-fluid-trace.sh [OUT_DIR]     default: tests/fixtures/fluid-trace
#
# Brings up the Fluid level (tests/e2e/fluid.sh, in $FLUIDOPS_E2E_STATE, default
# /tmp/fluidops-trace) unless it is already up, applies tests/fixtures/fluid-upstream/ (copies of
# fluid/test/gha-e2e/curvine at the Fluid commit the harness builds) and drives the same stages as
# the calibration test:
#
#   01-bound              ConfigMap, Secret, class, dataset, runtime created; Dataset Bound
#   02-dataload-complete  the upstream DataLoad created; Complete
#   03-worker-upgraded    spec.worker.runtimeVersion patched; worker-0 restarted in place
#   04-master-upgraded    spec.master.runtimeVersion patched; master-0 restarted in place, remounted
#   05-dataset-used       a node labelled as one where an application pod uses the dataset
#                         (what Fluid's CSI plugin does); the client DaemonSet runs a pod there
#
# Each stage is a file NN-name.jsonl: one object per line (Dataset, CacheRuntime,
# AdvancedStatefulSet, DaemonSet, Pod, DataLoad, Event of the namespace), with managedFields
# dropped. The level is taken down at the end when this script brought it up.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/tests/fixtures/fluid-trace}"
IN="$ROOT/tests/fixtures/fluid-upstream"
export FLUIDOPS_E2E_STATE="${FLUIDOPS_E2E_STATE:-/tmp/fluidops-trace}"
NS=default
NAME=curvine-demo
TIMEOUT="${FLUIDOPS_TRACE_TIMEOUT:-120}"
UPGRADE_TAG=v0.2.1-test

log() { printf '[trace] %s\n' "$*" >&2; }
die() { printf '[trace] error: %s\n' "$*" >&2; exit 1; }

started_here=0
if ! "$HERE/fluid.sh" status >/dev/null 2>&1; then
	started_here=1
fi
out=$("$HERE/fluid.sh" up) || die "fluid.sh up failed"
eval "$out"
if [ "$started_here" = 1 ]; then
	trap '"$HERE/fluid.sh" down >&2 || true' EXIT
fi
if kubectl get cacheruntime -n "$NS" "$NAME" >/dev/null 2>&1; then
	die "$NS/$NAME exists already: record on a fresh level (tests/e2e/fluid.sh down first)"
fi

T0=$SECONDS
# jsonpath of an object, empty when absent.
get() { kubectl get -n "$NS" "$1" "$2" -o "jsonpath=$3" 2>/dev/null || true; }

wait_for() { # description, then a command that succeeds when it holds
	local what="$1" deadline=$((SECONDS + TIMEOUT))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || die "timed out after ${TIMEOUT}s waiting for: $what"
		sleep 0.2
	done
	log "$what after $((SECONDS - T0)) s"
}

# Fluid settles in the second after the condition (status counts, events): wait for quiet.
settle() { sleep "${FLUIDOPS_TRACE_SETTLE:-4}"; }

dump() { # stage name
	local file="$OUT/$1.jsonl" kind
	: >"$file"
	for kind in datasets.data.fluid.io cacheruntimes.data.fluid.io \
		advancedstatefulsets.workload.fluid.io daemonsets.apps pods \
		dataloads.data.fluid.io events; do
		kubectl get -n "$NS" "$kind" -o json |
			jq -c '.items | sort_by(.metadata.name) | .[] | del(.metadata.managedFields)' >>"$file"
	done
	log "$1: $(wc -l <"$file") objects, $(wc -c <"$file") bytes"
}

bound() {
	[ "$(get dataset "$NAME" '{.status.phase}')" = Bound ] &&
		[ "$(get cacheruntime "$NAME" '{.status.master.phase}/{.status.worker.phase}')" = Ready/Ready ]
}
load_done() { [ "$(get dataload curvine-dataload '{.status.phase}')" = Complete ]; }
restarted_on() { # pod image: the container runs the image, restarted in place
	[ "$(get pod "$1" '{.status.containerStatuses[0].image}')" = "$2" ] &&
		[ "$(get pod "$1" '{.status.containerStatuses[0].restartCount}')" -ge 1 ] 2>/dev/null
}
revision_done() { # advancedstatefulset
	local cur upd
	cur=$(get advancedstatefulset "$1" '{.status.currentRevision}')
	upd=$(get advancedstatefulset "$1" '{.status.updateRevision}')
	[ -n "$cur" ] && [ "$cur" = "$upd" ]
}
worker_upgraded() {
	restarted_on "$NAME-worker-0" "curvine/curvine:$UPGRADE_TAG" && revision_done "$NAME-worker" &&
		[ "$(get cacheruntime "$NAME" '{.status.worker.phase}')" = Ready ]
}
remounted() {
	local started mounted
	restarted_on "$NAME-master-0" "curvine/curvine:$UPGRADE_TAG" && revision_done "$NAME-master" || return 1
	started=$(get pod "$NAME-master-0" '{.status.containerStatuses[0].state.running.startedAt}')
	mounted=$(get cacheruntime "$NAME" '{.status.mountTime}')
	[ -n "$started" ] && [ -n "$mounted" ] && [[ ! "$mounted" < "$started" ]] &&
		[ "$(get dataset "$NAME" '{.status.phase}')" = Bound ]
}
client_ready() { [ "$(get cacheruntime "$NAME" '{.status.client.phase}')" = Ready ]; }

mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl
kubectl create -n "$NS" -f "$IN/mount.yaml" -f "$IN/secret.yaml" >&2
kubectl create -f "$IN/cacheruntimeclass.yaml" >&2
kubectl create -n "$NS" -f "$IN/dataset.yaml" -f "$IN/cacheruntime.yaml" >&2
wait_for "Dataset Bound, master and worker Ready" bound
settle
dump 01-bound

T0=$SECONDS
kubectl create -n "$NS" -f "$IN/dataload.yaml" >&2
wait_for "DataLoad Complete" load_done
settle
dump 02-dataload-complete

T0=$SECONDS
kubectl patch -n "$NS" cacheruntime "$NAME" --type merge -p \
	"{\"spec\":{\"worker\":{\"runtimeVersion\":{\"image\":\"curvine/curvine\",\"imageTag\":\"$UPGRADE_TAG\"}}}}" >&2
wait_for "worker-0 restarted in place" worker_upgraded
settle
dump 03-worker-upgraded

T0=$SECONDS
kubectl patch -n "$NS" cacheruntime "$NAME" --type merge -p \
	"{\"spec\":{\"master\":{\"runtimeVersion\":{\"image\":\"curvine/curvine\",\"imageTag\":\"$UPGRADE_TAG\"}}}}" >&2
wait_for "master-0 restarted in place and remounted" remounted
settle
dump 04-master-upgraded

T0=$SECONDS
node=$(kubectl get pod -n "$NS" "$NAME-worker-0" -o 'jsonpath={.spec.nodeName}')
kubectl label node "$node" "fluid.io/f-$NS-$NAME=true" >&2
wait_for "client Ready on $node" client_ready
settle
dump 05-dataset-used

log "trace in $OUT: $(du -sk "$OUT" | cut -f1) KB"
