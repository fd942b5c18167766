#!/usr/bin/env bash
# Process-level comparison of fluidops with kdash, kubetui and k9s against a real API server on loopback.
#
#   bench/run.sh build-peers        build the peers once into $BENCH_CACHE (never inside the repository)
#   bench/run.sh run [CONSOLE...]   cluster up, load, run each console in a pty, print the table
#   bench/run.sh report DIR         print the table of an earlier run again
#   bench/run.sh down               stop the bench's own API server and etcd
#   bench/run.sh all                build-peers, then run
#
# See bench/README.md for what is measured and the environment variables.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
export FLUIDOPS_PEERS_CACHE="${BENCH_CACHE:-${FLUIDOPS_PEERS_CACHE:-$HOME/.cache/fluidops-peers}}"
CACHE="$FLUIDOPS_PEERS_CACHE"
# the bench runs its own API server (own state dir, own ports, own audit log), never the e2e tests' one
export FLUIDOPS_E2E_STATE="${BENCH_STATE:-/tmp/fluidops-bench}"
PODS="${BENCH_PODS:-1000}"
NAMESPACES="${BENCH_NAMESPACES:-10}"
COLS="${BENCH_COLS:-120}"
ROWS="${BENCH_ROWS:-40}"
STARTUP="${BENCH_STARTUP:-15}"
IDLE="${BENCH_IDLE:-20}"
CHURN="${BENCH_CHURN:-20}"
CHURN_RATE="${BENCH_CHURN_RATE:-20}"
FLUIDOPS_MODE="${BENCH_FLUIDOPS_MODE:-kube}"   # kube | demo
CONSOLES_DEFAULT="fluidops kdash kubetui k9s"
PY="$CACHE/venv/bin/python"

note() { printf '[bench] %s\n' "$*" >&2; }

ensure_venv() {
	if ! "$PY" -c 'import pyte' 2>/dev/null; then
		note "creating $CACHE/venv with pyte (PyPI)"
		python3 -m venv "$CACHE/venv" && "$CACHE/venv/bin/pip" install -q 'pyte==0.8.2' >&2
	fi
}

build_peers() { "$HERE/build-peers.sh" "$@"; }

cluster_up() {
	local out
	out=$("$REPO/tests/e2e/cluster.sh" up) || { note "cluster.sh up failed"; return 1; }
	eval "$out"
}

load_objects() {
	local have
	have=$(kubectl get pods -A -l fluidops.io/bench=true --no-headers 2>/dev/null | wc -l)
	if [ "$have" -ge "$PODS" ]; then note "$have bench pods already loaded"; return 0; fi
	note "loading $PODS pods in $NAMESPACES namespaces (server-side apply, chunks of 250)"
	local t0=$SECONDS tmp
	tmp=$(mktemp -d)
	python3 "$HERE/kapi.py" gen --pods "$PODS" --namespaces "$NAMESPACES" >"$tmp/all.yaml"
	# namespaces first, then the pods in chunks
	python3 - "$tmp" <<-'EOF'
		import sys
		d = sys.argv[1]
		docs = open(f"{d}/all.yaml").read().split("---\n")[1:]
		ns = [x for x in docs if '"kind": "Namespace"' in x]
		pods = [x for x in docs if x not in ns]
		chunks = [ns] + [pods[i:i + 250] for i in range(0, len(pods), 250)]
		for i, c in enumerate(chunks):
		    open(f"{d}/chunk-{i:03d}.yaml", "w").write("".join("---\n" + x for x in c))
	EOF
	local f
	for f in "$tmp"/chunk-*.yaml; do
		timeout 300 kubectl apply --server-side --field-manager=fluidops-bench -f "$f" >/dev/null
	done
	# Fluid objects from fluidops' own scale generator, when it has one and emits YAML
	if [ -n "${BENCH_FLUID_YAML_CMD:-}" ]; then
		note "adding Fluid objects: $BENCH_FLUID_YAML_CMD"
		bash -c "$BENCH_FLUID_YAML_CMD" >"$tmp/fluid.yaml" && timeout 300 kubectl apply --server-side --field-manager=fluidops-bench -f "$tmp/fluid.yaml" >/dev/null || note "Fluid objects: failed (continuing with pods only)"
	fi
	rm -rf "$tmp"
	note "loaded in $((SECONDS - t0)) s: $(kubectl get pods -A -l fluidops.io/bench=true --no-headers | wc -l) pods"
}

# per-console command line, keys typed once it is in raw mode, and a fresh HOME/XDG
console_cmd() { # name -> sets CMD (array), KEYS, NEEDLE
	local name=$1
	NEEDLE='cachepod-[0-9]{5}'
	KEYS=""
	case $name in
	fluidops)
		if [ "$FLUIDOPS_MODE" = demo ]; then
			CMD=("$CACHE/run/fluidops" --demo -A); NEEDLE="${BENCH_DEMO_NEEDLE:-[a-z0-9]+-(worker|fuse|master)-[0-9]+}"
		else
			CMD=("$CACHE/run/fluidops" -A)
		fi
		KEYS=':pods\r' ;;
	kdash) CMD=("$CACHE/bin/kdash") ;;                # overview: its resource block opens on Pods, all namespaces
	kubetui) CMD=("$CACHE/bin/kubetui" -A) ;;         # pods tab is the default
	k9s) CMD=("$CACHE/bin/k9s" -A -c pods) ;;
	*) return 1 ;;
	esac
}

prepare_home() { # name dir
	local name=$1 h=$2
	rm -rf "$h"; mkdir -p "$h/.config" "$h/.local/state" "$h/.cache" "$h/.local/share"
	if [ "$name" = k9s ]; then
		# no release check against the internet; everything else at k9s' defaults
		mkdir -p "$h/.config/k9s"
		printf 'k9s:\n  skipLatestRevCheck: true\n  ui:\n    logoless: false\n' >"$h/.config/k9s/config.yaml"
	fi
}

# the machine is shared (2 cores): wait, bounded, until the 1-minute load average is low
wait_quiet() {
	local max="${BENCH_MAX_LOAD:-1.5}" deadline=$((SECONDS + ${BENCH_QUIET_WAIT:-300}))
	while [ $SECONDS -lt $deadline ] && awk -v m="$max" '{exit !($1 > m)}' /proc/loadavg; do
		sleep 5
	done
	awk -v m="$max" '{exit !($1 > m)}' /proc/loadavg && note "load average still $(cut -d' ' -f1 /proc/loadavg) > $max; measuring anyway"
	return 0
}

versions() {
	local out=$1
	{
		local fv; fv="$(git -C "$REPO" rev-parse --short HEAD)"
		git -C "$REPO" diff --quiet HEAD -- src Cargo.toml Cargo.lock || fv="$fv+dirty"
		[ "$FLUIDOPS_MODE" = demo ] && fv="$fv (--demo)"
		echo "fluidops $fv"
		[ -f "$CACHE/run/fluidops" ] && echo "fluidops-binary sha256:$(sha256sum "$CACHE/run/fluidops" | cut -c1-12) built $(date -u -r "$CACHE/run/fluidops" +%FT%TZ)"
		for p in kdash kubetui k9s; do
			local s; s=$(cat "$CACHE/status/$p" 2>/dev/null || echo "missing")
			case $s in ok\ *) echo "$p ${s#ok }" ;; *) echo "$p (not built)" ;; esac
		done
		echo "kube-apiserver $(kubectl version -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])' 2>/dev/null || echo '?')"
		echo "pyte $("$PY" -c 'import pyte,importlib.metadata as m; print(m.version("pyte"))')"
	} >"$out"
}

run_all() {
	local consoles=("$@")
	[ ${#consoles[@]} -eq 0 ] && read -r -a consoles <<<"$CONSOLES_DEFAULT"
	ensure_venv
	mkdir -p "$CACHE/run" "$CACHE/results"
	if [ "${BENCH_FLUIDOPS_BUILD:-1}" = 1 ]; then
		note "cargo build --release (fluidops)"
		(cd "$REPO" && timeout 3000 cargo build --release --quiet) || note "fluidops build failed"
	fi
	if [ -x "$REPO/target/release/fluidops" ]; then
		# a private copy: another build in the same target dir cannot change it under the measurement
		cp -fp "$REPO/target/release/fluidops" "$CACHE/run/fluidops" 2>/dev/null || true
	fi
	cluster_up
	load_objects
	local out; out="$CACHE/results/$(date -u +%Y%m%dT%H%M%SZ)"
	mkdir -p "$out"
	versions "$out/versions.txt"
	{
		echo "pods=$PODS namespaces=$NAMESPACES size=${COLS}x$ROWS startup=$STARTUP idle=$IDLE churn=$CHURN churn_rate=$CHURN_RATE/s fluidops_mode=$FLUIDOPS_MODE"
		echo "host: $(nproc) cores, $(uname -r)"
	} >"$out/params.txt"
	local name
	for name in "${consoles[@]}"; do
		if ! console_cmd "$name"; then echo "unknown console" >"$out/$name.status"; continue; fi
		if [ ! -x "${CMD[0]}" ]; then
			note "$name: not available (${CMD[0]})"
			echo "not available: $(cat "$CACHE/status/$name" 2>/dev/null || echo 'binary missing')" >"$out/$name.status"
			continue
		fi
		local h="$CACHE/home/$name"
		prepare_home "$name" "$h"
		sleep 3 # let the API server settle after the previous console's watches closed
		wait_quiet
		note "$name: ${CMD[*]}  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
		echo "load average before run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/$name.load"
		# each console is bounded: STARTUP+IDLE+CHURN seconds, then SIGTERM/SIGKILL; timeout as a backstop
		if ! timeout $((STARTUP + IDLE + CHURN + 60)) "$PY" "$HERE/ptyrun.py" --name "$name" --cols "$COLS" --rows "$ROWS" \
			--startup "$STARTUP" --idle "$IDLE" --churn "$CHURN" --needle "$NEEDLE" --keys "$KEYS" \
			--churn-cmd "python3 '$HERE/kapi.py' churn --rate $CHURN_RATE --duration $CHURN --pods $PODS --namespaces $NAMESPACES" \
			--out "$out/$name.json" --raw "$out/$name.raw" --screen "$out/$name.screen" \
			--env "HOME=$h" --env "XDG_CONFIG_HOME=$h/.config" --env "XDG_STATE_HOME=$h/.local/state" \
			--env "XDG_CACHE_HOME=$h/.cache" --env "K9S_CONFIG_DIR=$h/.config/k9s" --env "XDG_DATA_HOME=$h/.local/share" --env "KUBECONFIG=$KUBECONFIG" \
			-- "${CMD[@]}" >"$out/$name.summary" 2>"$out/$name.err"; then
			note "$name: harness failed (see $out/$name.err)"
			echo "harness failed: $(tail -1 "$out/$name.err")" >"$out/$name.status"
		fi
		rm -f "$out/$name.raw" # the decoded final screen is kept; the raw stream can be large
	done
	report "$out"
	note "results: $out"
}

report() {
	local out=$1
	echo
	echo "$(cat "$out/params.txt" 2>/dev/null | head -1)"
	sed 's/^/  /' "$out/versions.txt" 2>/dev/null
	echo
	local order="" n
	for n in fluidops kdash kubetui k9s; do
		if [ -e "$out/$n.json" ] || [ -e "$out/$n.status" ]; then order="$order${order:+,}$n"; fi
	done
	"$PY" "$HERE/report.py" "$out" --audit "$FLUIDOPS_E2E_STATE/audit.log" --order "${order:-fluidops}" --json "$out/report.json" | tee "$out/table.md"
}

cmd="${1:-run}"; shift || true
case $cmd in
build-peers) build_peers "$@" ;;
run) run_all "$@" ;;
report) ensure_venv; report "${1:?results dir}" ;;
down) "$REPO/tests/e2e/cluster.sh" down ;;
all) build_peers; run_all "$@" ;;
*) echo "usage: $0 build-peers|run [console...]|report DIR|down|all" >&2; exit 2 ;;
esac
