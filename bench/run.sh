#!/usr/bin/env bash
# Process-level comparison of fluidops with kdash, kubetui and k9s against a real API server on loopback.
#
#   bench/run.sh build-peers        build the peers once into $BENCH_CACHE (never inside the repository)
#   bench/run.sh run [CONSOLE...]   cluster up, load, run each console in a pty, print the table
#   bench/run.sh load               cluster up and load the --scale objects only (skipped when loaded)
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
# the objects: fluidops' own --scale generator (`fluidops scale-manifests`), seed as the demo's default
SCALE="${BENCH_SCALE:-runtimes=1000,pods=50000,ops=10000}"
SEED="${BENCH_SEED:-7}"
LOAD_WORKERS="${BENCH_LOAD_WORKERS:-8}"
MARKER="$FLUIDOPS_E2E_STATE/bench-scale.json"      # what is loaded (survives between runs, like the state dir)
CHURN_OFFSET="$FLUIDOPS_E2E_STATE/bench-churn.offset" # changes of the churn stream sent so far
COLS="${BENCH_COLS:-120}"
ROWS="${BENCH_ROWS:-40}"
STARTUP="${BENCH_STARTUP:-60}"
IDLE="${BENCH_IDLE:-20}"
CHURN="${BENCH_CHURN:-20}"
CHURN_RATE="${BENCH_CHURN_RATE:-200}"
CHURN_WORKERS="${BENCH_CHURN_WORKERS:-16}"
FLUIDOPS_MODE="${BENCH_FLUIDOPS_MODE:-kube}"   # kube | demo
CONSOLES_DEFAULT="fluidops kdash kubetui k9s fluidops-demo"
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

scale_manifests() { "$CACHE/run/fluidops" scale-manifests --scale "$SCALE" --seed-rng "$SEED" "$@"; }

# The --scale objects, loaded once: the marker in the state dir says what is there. A different
# scale needs a fresh cluster (`bench/run.sh down`: without a controller-manager, namespaces
# cannot be deleted).
load_objects() {
	local want have_pods
	want="{\"scale\": \"$SCALE\", \"seed\": $SEED}"
	if [ -f "$MARKER" ]; then
		if python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); w=json.loads(sys.argv[2]); sys.exit(0 if (m["scale"],m["seed"])==(w["scale"],w["seed"]) else 1)' "$MARKER" "$want"; then
			have_pods=$(python3 "$HERE/kapi.py" count /api/v1/pods)
			note "already loaded: $(cat "$MARKER") ($have_pods pods on the server)"
			return 0
		fi
		note "the bench cluster holds $(cat "$MARKER"), not $want; run 'bench/run.sh down' first"
		return 1
	fi
	[ -x "$CACHE/run/fluidops" ] || { note "no fluidops binary to generate the objects"; return 1; }
	local now tmp t0=$SECONDS
	# the generation time of a load that stopped half-way is reused (same objects, same statuses)
	now=$(cat "$FLUIDOPS_E2E_STATE/bench-load.now" 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
	echo "$now" >"$FLUIDOPS_E2E_STATE/bench-load.now"
	tmp=$(mktemp -d)
	scale_manifests --now "$now" >"$tmp/scale.jsonl"
	note "loading $SCALE (seed $SEED): $(wc -l <"$tmp/scale.jsonl") objects, $(du -m "$tmp/scale.jsonl" | cut -f1) MB of JSON, generated in $((SECONDS - t0)) s; $LOAD_WORKERS connections"
	if ! python3 "$HERE/kapi.py" load "$tmp/scale.jsonl" --workers "$LOAD_WORKERS" --progress --done-file "$FLUIDOPS_E2E_STATE/bench-load.done" \
		--marker "$MARKER" --marker-info "{\"scale\": \"$SCALE\", \"seed\": $SEED, \"now\": \"$now\", \"loaded_at\": \"$(date -u +%FT%TZ)\"}"; then
		rm -rf "$tmp"
		note "loading failed (run again: objects that exist are kept)"
		return 1
	fi
	rm -rf "$tmp"
	echo 0 >"$CHURN_OFFSET"
	note "loaded in $((SECONDS - t0)) s: $(python3 "$HERE/kapi.py" count /api/v1/pods) pods"
}

# The next CHURN_RATE*CHURN+1 changes of fluidops' --churn stream (continuing where the last run
# stopped, so each one changes what the server holds), as status patches.
churn_file() { # out
	local now skip
	now=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["now"])' "$MARKER")
	skip=$(cat "$CHURN_OFFSET" 2>/dev/null || echo 0)
	scale_manifests --now "$now" --churn "$CHURN_RATE" --churn-skip "$skip" \
		--churn-changes "$(awk -v r="$CHURN_RATE" -v d="$CHURN" 'BEGIN { printf "%d", r * d + 1 }')" >"$1"
}

# per-console command line, keys typed once it is in raw mode, and a fresh HOME/XDG
console_cmd() { # name -> sets CMD (array), KEYS, NEEDLE, SERVER_CHURN (1: churn the API server)
	local name=$1
	# a cache pod: <runtime>-master-0 / -worker-N / -client-xxxxx (the generated ones are
	# <word>-NNNN-…; on the demo cluster the built-in demo's pods sort first)
	NEEDLE='[a-z0-9-]+-(master-0|worker-[0-9]+|client-[a-z0-9]{5})'
	KEYS=""
	SERVER_CHURN=1
	if [ "$name" = fluidops ] && [ "$FLUIDOPS_MODE" = demo ]; then name=fluidops-demo; fi
	case $name in
	fluidops) CMD=("$CACHE/run/fluidops" -A); KEYS=':pods\r' ;;
	fluidops-demo) # the embedded demo cluster with the same objects, churning on its own
		CMD=("$CACHE/run/fluidops" --demo -A --scale "$SCALE" --seed-rng "$SEED" --churn "$CHURN_RATE/s"); KEYS=':pods\r'; SERVER_CHURN=0 ;;
	fluidops-demo-nochurn)
		CMD=("$CACHE/run/fluidops" --demo -A --scale "$SCALE" --seed-rng "$SEED"); KEYS=':pods\r'; SERVER_CHURN=0 ;;
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
		if [ "$FLUIDOPS_MODE" = demo ]; then echo "fluidops $fv (--demo)"; else echo "fluidops $fv"; fi
		echo "fluidops-demo $fv (--demo)"
		echo "fluidops-demo-nochurn $fv (--demo)"
		[ -f "$CACHE/run/fluidops" ] && echo "fluidops-binary sha256:$(sha256sum "$CACHE/run/fluidops" | cut -c1-12) built $(date -u -r "$CACHE/run/fluidops" +%FT%TZ)"
		for p in kdash kubetui k9s; do
			local s; s=$(cat "$CACHE/status/$p" 2>/dev/null || echo "missing")
			case $s in ok\ *) echo "$p ${s#ok }" ;; *) echo "$p (not built)" ;; esac
		done
		echo "kube-apiserver $(kubectl version -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])' 2>/dev/null || echo '?')"
		echo "pyte $("$PY" -c 'import pyte,importlib.metadata as m; print(m.version("pyte"))')"
	} >"$out"
}

# a private copy of the binary measured: another build in the same target dir cannot change it
# under the measurement (BENCH_FLUIDOPS_BIN: another binary than target/release/fluidops)
copy_fluidops() {
	local bin="${BENCH_FLUIDOPS_BIN:-$REPO/target/release/fluidops}"
	mkdir -p "$CACHE/run"
	if [ -x "$bin" ]; then cp -fp "$bin" "$CACHE/run/fluidops"; else note "no fluidops binary at $bin"; fi
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
	copy_fluidops
	cluster_up
	load_objects || return 1
	local out; out="$CACHE/results/$(date -u +%Y%m%dT%H%M%SZ)"
	mkdir -p "$out"
	versions "$out/versions.txt"
	{
		echo "scale=$SCALE seed=$SEED size=${COLS}x$ROWS startup=$STARTUP idle=$IDLE churn=$CHURN churn_rate=$CHURN_RATE/s fluidops_mode=$FLUIDOPS_MODE"
		echo "loaded: $(cat "$MARKER" 2>/dev/null)"
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
		local churn_cmd=""
		if [ "$SERVER_CHURN" = 1 ] && [ "$CHURN" != 0 ]; then
			churn_file "$out/$name.churn.jsonl"
			churn_cmd="python3 '$HERE/kapi.py' churn '$out/$name.churn.jsonl' --rate $CHURN_RATE --duration $CHURN --workers $CHURN_WORKERS --offset-file '$CHURN_OFFSET'"
		fi
		# each console is bounded: STARTUP+IDLE+CHURN seconds, then SIGTERM/SIGKILL; timeout as a backstop
		if ! timeout $((STARTUP + IDLE + CHURN + 60)) "$PY" "$HERE/ptyrun.py" --name "$name" --cols "$COLS" --rows "$ROWS" \
			--startup "$STARTUP" --idle "$IDLE" --churn "$CHURN" --needle "$NEEDLE" --keys "$KEYS" \
			--churn-cmd "$churn_cmd" \
			--out "$out/$name.json" --raw "$out/$name.raw" --screen "$out/$name.screen" \
			--env "HOME=$h" --env "XDG_CONFIG_HOME=$h/.config" --env "XDG_STATE_HOME=$h/.local/state" \
			--env "XDG_CACHE_HOME=$h/.cache" --env "K9S_CONFIG_DIR=$h/.config/k9s" --env "XDG_DATA_HOME=$h/.local/share" --env "KUBECONFIG=$KUBECONFIG" \
			-- "${CMD[@]}" >"$out/$name.summary" 2>"$out/$name.err"; then
			note "$name: harness failed (see $out/$name.err)"
			echo "harness failed: $(tail -1 "$out/$name.err")" >"$out/$name.status"
		fi
		echo "load average after run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/$name.load"
		rm -f "$out/$name.raw" "$out/$name.churn.jsonl" # the decoded final screen is kept; the raw stream can be large
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
	for n in fluidops fluidops-demo fluidops-demo-nochurn kdash kubetui k9s; do
		if [ -e "$out/$n.json" ] || [ -e "$out/$n.status" ]; then order="$order${order:+,}$n"; fi
	done
	"$PY" "$HERE/report.py" "$out" --audit "$FLUIDOPS_E2E_STATE/audit.log" --order "${order:-fluidops}" --json "$out/report.json" | tee "$out/table.md"
}

cmd="${1:-run}"; shift || true
case $cmd in
build-peers) build_peers "$@" ;;
run) run_all "$@" ;;
load) mkdir -p "$CACHE"; copy_fluidops; cluster_up; load_objects ;;
report) ensure_venv; report "${1:?results dir}" ;;
down) "$REPO/tests/e2e/cluster.sh" down ;;
all) build_peers; run_all "$@" ;;
*) echo "usage: $0 build-peers|run [console...]|load|report DIR|down|all" >&2; exit 2 ;;
esac
