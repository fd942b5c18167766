#!/usr/bin/env bash
# Upstream Fluid's control plane on top of the e2e API server (tests/e2e/cluster.sh).
#
#   tests/e2e/fluid.sh build                build everything into the cache (only)
#   out=$(tests/e2e/fluid.sh up) && eval "$out"
#                                           the API server (cluster.sh up), then kube-controller-manager,
#                                           kube-scheduler, kwok with fake nodes, and Fluid's
#                                           dataset and cacheruntime controllers
#   tests/e2e/fluid.sh env                  print the export lines of a running level
#   tests/e2e/fluid.sh status               say what is running (exit 1 if anything is not)
#   tests/e2e/fluid.sh down                 stop everything (the API server too), remove the state dir
#
# Only `export ...` lines go to stdout (for eval); all progress goes to stderr.
# See tests/e2e/README.md for versions, timings and the environment variables.
set -euo pipefail

FLUID_SH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
# The API server's harness: its variables (CACHE, STATE, BIN_DIR, K8S_VERSION, ...) and helpers
# (spawn, stop_pid, pid_alive, kc, do_build, cmd_up, ...).
# shellcheck source=tests/e2e/cluster.sh
. "$(dirname "$FLUID_SH")/cluster.sh"

log() { printf '[fluid] %s\n' "$*" >&2; }
die() { printf '[fluid] error: %s\n' "$*" >&2; exit 1; }

KWOK_VERSION="${FLUIDOPS_E2E_KWOK_VERSION:-v0.8.0}"
HELM_VERSION="${FLUIDOPS_E2E_HELM_VERSION:-v3.19.5}"
FLUID_COMMIT="${FLUIDOPS_E2E_FLUID_COMMIT:-a826600a43221c5b99f6185d3ce926a700c37008}"
FLUID_REPO="https://github.com/fluid-cloudnative/fluid"
FLUID_SRC="${FLUIDOPS_FLUID_SRC:-$FLUID_REPO}"
NODES="${FLUIDOPS_E2E_FLUID_NODES:-2}"

FLUID_SHORT="${FLUID_COMMIT:0:8}"
CTL_DIR="$CACHE/bin/k8s-${K8S_VERSION}-controllers"
KWOK_DIR="$CACHE/bin/kwok-${KWOK_VERSION}"
HELM_DIR="$CACHE/bin/helm-${HELM_VERSION}"
FLUID_BIN="$CACHE/bin/fluid-${FLUID_SHORT}"
FLUID_SRC_DIR="$CACHE/src/fluid-${FLUID_SHORT}"
FILES="$(dirname "$FLUID_SH")/fluid"

# Each process of the level: pid file and log in the state dir, named after it.
COMPONENTS=(kube-controller-manager kube-scheduler kwok exec-registrar dataset-controller cacheruntime-controller)

# ---------------------------------------------------------------- build

complete_in() { [ -f "$1/.complete" ]; }

# Moves a finished build from $1 (temporary) to $2 and records how long it took.
finish_build() { # tmp dir t0 what
	printf '%s\ngo %s\nbuilt %s in %s s\n' "$4" "$("$GO" env GOVERSION)" \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(since "$3")" >"$1/.complete"
	rm -rf "$2"
	mkdir -p "$(dirname "$2")"
	mv "$1" "$2"
	log "$4 built in $(since "$3") s -> $2"
}

build_k8s_controllers() {
	complete_in "$CTL_DIR" && return 0
	local t0 tmp kdir="$SRC_DIR/k8s-$K8S_VERSION"
	t0="$(now)"
	tmp="$CTL_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	go_env
	# The API server's wrapper module (written by its build): same versions, same flags.
	write_k8s_module "$kdir"
	log "go build k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler ($K8S_VERSION)"
	(cd "$kdir" && nice -n 19 "$GO" build -trimpath -ldflags="$(k8s_ldflags "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" \
		-o "$tmp/" k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler) >&2 ||
		die "building kube-controller-manager/kube-scheduler failed"
	finish_build "$tmp" "$CTL_DIR" "$t0" "kube-controller-manager + kube-scheduler $K8S_VERSION"
}

# The directory of a module version in Go's module cache (downloaded through the proxy).
module_dir() { # module@version
	(cd / && GOFLAGS='-mod=mod' "$GO" mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
}

build_kwok() {
	complete_in "$KWOK_DIR" && return 0
	local t0 tmp mod s
	t0="$(now)"
	tmp="$KWOK_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp/stages" "$tmp/crds"
	go_env
	log "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
	GOBIN="$tmp" nice -n 19 "$GO" install -trimpath \
		-ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
		"sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2 || die "building kwok failed"
	# kwok reads its stages from its configuration; the ones kwokctl would give it, from the module.
	mod="$(module_dir "sigs.k8s.io/kwok@$KWOK_VERSION")"
	[ -d "$mod" ] || die "sigs.k8s.io/kwok@$KWOK_VERSION not in the module cache"
	for s in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
		pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
		cp "$mod/kustomize/stage/$s.yaml" "$tmp/stages/"
	done
	cp "$mod/kustomize/crd/bases/kwok.x-k8s.io_execs.yaml" "$tmp/crds/"
	chmod -R u+w "$tmp"
	finish_build "$tmp" "$KWOK_DIR" "$t0" "kwok $KWOK_VERSION"
}

build_helm() {
	complete_in "$HELM_DIR" && return 0
	local t0 tmp
	t0="$(now)"
	tmp="$HELM_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	go_env
	log "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
	GOBIN="$tmp" nice -n 19 "$GO" install -trimpath \
		-ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
		"helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2 || die "building helm failed"
	# Fluid runs helm under this name (its images install it as /usr/local/bin/ddc-helm).
	ln -s helm "$tmp/ddc-helm"
	finish_build "$tmp" "$HELM_DIR" "$t0" "helm $HELM_VERSION"
}

# Fluid's source at $FLUID_COMMIT into $FLUID_SRC_DIR, from FLUIDOPS_FLUID_SRC: a directory, a
# .tar.gz (`git archive` with top directory fluid/) or a git URL.
fetch_fluid_source() {
	[ -f "$FLUID_SRC_DIR/.complete" ] && return 0
	local tmp="$FLUID_SRC_DIR.tmp.$$" id
	rm -rf "$tmp"
	mkdir -p "$tmp"
	if [ -d "$FLUID_SRC" ]; then
		log "copying Fluid's source from $FLUID_SRC"
		if id="$(git -C "$FLUID_SRC" rev-parse HEAD 2>/dev/null)" && [ "$id" != "$FLUID_COMMIT" ]; then
			log "warning: $FLUID_SRC is at $id, not $FLUID_COMMIT"
		fi
		tar -C "$FLUID_SRC" --exclude=./.git -cf - . | tar -C "$tmp" -xf -
	elif [ -f "$FLUID_SRC" ]; then
		log "unpacking Fluid's source from $FLUID_SRC"
		if id="$(gzip -dc "$FLUID_SRC" | git get-tar-commit-id 2>/dev/null)" && [ -n "$id" ] &&
			[ "$id" != "$FLUID_COMMIT" ]; then
			log "warning: $FLUID_SRC is an archive of $id, not $FLUID_COMMIT"
		fi
		tar -C "$tmp" -xzf "$FLUID_SRC" --strip-components=1
	else
		command -v git >/dev/null 2>&1 || apt_install git
		log "fetching Fluid $FLUID_SHORT from $FLUID_SRC"
		git -C "$tmp" init -q
		git -C "$tmp" fetch -q --depth 1 "$FLUID_SRC" "$FLUID_COMMIT" >&2 ||
			die "could not fetch $FLUID_COMMIT from $FLUID_SRC (set FLUIDOPS_FLUID_SRC to a directory or a .tar.gz of Fluid's source)"
		git -C "$tmp" -c advice.detachedHead=false checkout -q FETCH_HEAD
		rm -rf "$tmp/.git"
	fi
	if [ ! -f "$tmp/go.mod" ] || [ ! -d "$tmp/vendor" ] || [ ! -d "$tmp/cmd/cache" ]; then
		die "$FLUID_SRC does not look like Fluid's source (no go.mod, vendor/, cmd/cache)"
	fi
	touch "$tmp/.complete"
	rm -rf "$FLUID_SRC_DIR"
	mkdir -p "$(dirname "$FLUID_SRC_DIR")"
	mv "$tmp" "$FLUID_SRC_DIR"
}

build_fluid() {
	complete_in "$FLUID_BIN" && return 0
	local t0 tmp version pkg=github.com/fluid-cloudnative/fluid
	t0="$(now)"
	fetch_fluid_source
	# Version variables as Fluid's Makefile stamps them (its VERSION, the commit, the date).
	version="$(sed -n 's/^VERSION := //p' "$FLUID_SRC_DIR/Makefile")"
	tmp="$FLUID_BIN.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	go_env
	log "go build -mod=vendor ./cmd/cache ./cmd/dataset (Fluid $FLUID_SHORT)"
	(cd "$FLUID_SRC_DIR" && GOFLAGS="-mod=vendor -buildvcs=false" nice -n 19 "$GO" build -trimpath \
		-ldflags="-s -w -X $pkg.version=${version:-unknown}-$FLUID_SHORT -X $pkg.gitCommit=$FLUID_COMMIT -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		-o "$tmp/" ./cmd/cache ./cmd/dataset) >&2 || die "building Fluid's controllers failed"
	mv "$tmp/cache" "$tmp/cacheruntime-controller"
	mv "$tmp/dataset" "$tmp/dataset-controller"
	finish_build "$tmp" "$FLUID_BIN" "$t0" "Fluid $FLUID_SHORT cacheruntime-controller + dataset-controller"
}

fluid_built() {
	complete_in "$CTL_DIR" && complete_in "$KWOK_DIR" && complete_in "$HELM_DIR" &&
		complete_in "$FLUID_BIN" && [ -f "$FLUID_SRC_DIR/.complete" ]
}

do_build_all() {
	do_build # etcd, kube-apiserver, kubectl
	ensure_fluid_tools # for `up`; installed by `build` so that CI's build step has them
	fluid_built && { log "Fluid level cached in $CACHE/bin"; return 0; }
	ensure_tools
	GO="$(find_go)"
	local t0
	t0="$(now)"
	# One at a time: each build alone keeps both cores busy.
	build_k8s_controllers
	build_kwok
	build_helm
	build_fluid
	log "Fluid level built in $(since "$t0") s"
}

# ---------------------------------------------------------------- certificates and kubeconfigs

# A client certificate from the cluster's CA, and a kubeconfig using it.
client_kubeconfig() { # name CN O
	local d="$STATE/pki" name="$1" ca
	[ -f "$STATE/$name.kubeconfig" ] && return 0
	(
		cd "$d"
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$name.key" \
			-out "$name.csr" -subj "/O=$3/CN=$2" 2>/dev/null
		printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$name.ext"
		openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" \
			-days 3650 -extfile "$name.ext" 2>/dev/null
	) || die "client certificate for $name failed"
	ca="$(base64 -w0 <"$d/ca.crt")"
	cat >"$STATE/$name.kubeconfig" <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: e2e
		  cluster:
		    server: https://127.0.0.1:$APISERVER_PORT
		    certificate-authority-data: $ca
		users:
		- name: $2
		  user:
		    client-certificate: $d/$name.crt
		    client-key: $d/$name.key
		contexts:
		- name: $name
		  context:
		    cluster: e2e
		    user: $2
		current-context: $name
	EOF
	chmod 600 "$STATE/$name.kubeconfig" "$d/$name.key"
}

# ---------------------------------------------------------------- components

start_component() { # name cmd...
	local name="$1"
	shift
	if pid_alive "$STATE/$name.pid" "$name"; then return 0; fi
	log "starting $name"
	spawn "$STATE/$name.pid" "$STATE/$name.log" "$@"
}

start_controller_manager() {
	client_kubeconfig kube-controller-manager system:kube-controller-manager system:masters
	# No HTTPS endpoint (--secure-port 0), no leader election; every controller runs with this
	# identity. The service account key lets it sign tokens like a real one. The node lifecycle
	# controller checks every 2 s and gives a node 20 s without a heartbeat (its Lease in
	# kube-node-lease, renewed by kwok every 5 s) before it marks the node Ready=Unknown, taints
	# it unreachable and marks its pods Ready=False (event NodeNotReady); the defaults (5 s, 50 s)
	# would make every lost-node test wait a minute.
	start_component kube-controller-manager "$CTL_DIR/kube-controller-manager" \
		--kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
		--secure-port 0 \
		--leader-elect=false \
		--use-service-account-credentials=false \
		--service-account-private-key-file "$STATE/pki/sa.key" \
		--root-ca-file "$STATE/pki/ca.crt" \
		--cluster-name fluidops-e2e \
		--node-monitor-period 2s \
		--node-monitor-grace-period 20s \
		--v 1
}

start_scheduler() {
	client_kubeconfig kube-scheduler system:kube-scheduler system:masters
	start_component kube-scheduler "$CTL_DIR/kube-scheduler" \
		--kubeconfig "$STATE/kube-scheduler.kubeconfig" \
		--secure-port 0 \
		--leader-elect=false \
		--v 1
}

# kwok's configuration: the stages kwokctl would give it (node init, heartbeat with leases, pod
# ready/complete/delete) plus ours, and the options' defaults written out (a configuration file
# gets none: without them kwok refuses pods/exec, "Debug endpoints are disabled", and runs no
# stage in parallel).
write_kwok_config() {
	local f="$STATE/kwok.yaml" s
	{
		cat <<-'EOF'
			apiVersion: config.kwok.x-k8s.io/v1alpha1
			kind: KwokConfiguration
			options:
			  enableDebuggingHandlers: true
			  enableContentionProfiling: false
			  enableProfilingHandler: false
			  podPlayStageParallelism: 4
			  nodePlayStageParallelism: 4
			  nodeLeaseParallelism: 4
			  podsOnNodeSyncParallelism: 1
			  enablePodsOnNodeSyncListPager: true
			  enablePodsOnNodeSyncStreamWatch: false
		EOF
		for s in "$KWOK_DIR"/stages/*.yaml "$FILES"/kwok-stages/*.yaml; do
			echo "---"
			cat "$s"
		done
	} >"$f"
}

# The directory kwok runs pod commands from: `bash` and `sh` there run the command inside the pod's
# stand-in filesystem (tests/e2e/fluid/podexec.sh). Commands named by an absolute path bypass it.
write_exec_path() {
	local d="$STATE/podexec-bin" real c
	mkdir -p "$d"
	real="$(command -v bash)"
	for c in bash sh; do
		printf '#!%s\nexec %q %q %q "$@"\n' "$real" "$real" "$FILES/podexec.sh" "$c" >"$d/$c"
		chmod +x "$d/$c"
	done
}

start_kwok() {
	client_kubeconfig kwok kwok system:masters
	write_kwok_config
	write_exec_path
	[ -n "${KWOK_PORT:-}" ] || die "no kwok port"
	# Nodes get InternalIP 127.0.0.1 and kwok's port as kubelet port, so the API server sends
	# pods/exec, logs and port-forward to kwok. kwok serves HTTPS with a certificate of its own
	# (the API server does not verify the kubelet's). Pod IPs from 10.244.0.0/16 (services use
	# 10.0.0.0/24).
	start_component kwok env \
		PATH="$STATE/podexec-bin:$PATH" \
		FLUIDOPS_PODEXEC_KUBECONFIG="$STATE/kwok.kubeconfig" \
		FLUIDOPS_PODEXEC_KUBECTL="$BIN_DIR/kubectl" \
		FLUIDOPS_PODEXEC_PODS="$STATE/pods" \
		FLUIDOPS_PODEXEC_IMAGES="$FILES/images" \
		FLUIDOPS_PODEXEC_LOG="$STATE/podexec.log" \
		"$KWOK_DIR/kwok" \
		--kubeconfig "$STATE/kwok.kubeconfig" \
		--config "$STATE/kwok.yaml" \
		--manage-all-nodes=false \
		--manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
		--node-ip 127.0.0.1 \
		--node-port "$KWOK_PORT" \
		--server-address "127.0.0.1:$KWOK_PORT" \
		--node-lease-duration-seconds 20 \
		--cidr 10.244.0.0/16 \
		--enable-crds Exec
}

create_nodes() {
	local i
	for i in $(seq 0 $((NODES - 1))); do
		cat <<-EOF
			apiVersion: v1
			kind: Node
			metadata:
			  name: kwok-node-$i
			  annotations:
			    kwok.x-k8s.io/node: fake
			    node.alpha.kubernetes.io/ttl: "0"
			  labels:
			    kubernetes.io/hostname: kwok-node-$i
			    kubernetes.io/os: linux
			    kubernetes.io/arch: amd64
			    type: kwok
			status:
			  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
			  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
			---
		EOF
	done | kc apply -f - >&2
}

# Registers every pod with kwok for pods/exec (a kwok Exec per pod, naming the pod and container),
# so that podexec.sh knows which pod a command is for. Once per pod UID: a pod recreated with the
# same name in a recreated namespace (its Exec deleted with the namespace) is registered again.
# Runs until stopped.
exec_registrar() {
	local ns name uid containers c
	declare -A seen=()
	while true; do
		while read -r ns name uid containers; do
			[ -n "$name" ] || continue
			[ -z "${seen[$uid]:-}" ] || continue
			{
				printf 'apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Exec\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  execs:\n' "$name" "$ns"
				for c in ${containers//,/ }; do
					printf '  - containers: [%s]\n    local:\n      envs:\n' "$c"
					printf '      - {name: FLUIDOPS_POD_NAMESPACE, value: %s}\n' "$ns"
					printf '      - {name: FLUIDOPS_POD_NAME, value: %s}\n' "$name"
					printf '      - {name: FLUIDOPS_POD_CONTAINER, value: %s}\n' "$c"
				done
			} | kc apply -f - >/dev/null && seen[$uid]=1 &&
				log "registered $ns/$name for pods/exec (${containers%,})"
		done < <(kc get pods --all-namespaces --watch -o \
			go-template='{{.metadata.namespace}} {{.metadata.name}} {{.metadata.uid}} {{range .spec.containers}}{{.name}},{{end}}{{"\n"}}')
		sleep 1 # the watch ended (API server restarted): list and watch again
	done
}

start_registrar() {
	# Its own process group (spawn's setsid), stopped as a group with its kubectl watch.
	start_component exec-registrar bash "$FLUID_SH" exec-registrar
}

install_fluid_crds() {
	local args=() f
	for f in "$FLUID_SRC_DIR"/charts/fluid/fluid/crds/*.yaml "$KWOK_DIR"/crds/*.yaml; do args+=(-f "$f"); done
	log "installing $((${#args[@]} / 2)) CRDs: Fluid's (charts/fluid/fluid/crds) and kwok's Exec"
	kc apply --server-side --force-conflicts --field-manager fluidops-e2e "${args[@]}" >/dev/null
	kc wait --for condition=Established --timeout 60s "${args[@]}" >/dev/null
}

start_fluid_controllers() {
	client_kubeconfig fluid fluid-controller system:masters
	local home="$STATE/fluid-home" c
	mkdir -p "$home"
	# Fluid reads its charts from $HOME/charts (else /charts), as in its images.
	ln -sfn "$FLUID_SRC_DIR/charts" "$home/charts"
	kc create namespace fluid-system --dry-run=client -o yaml | kc apply -f - >/dev/null
	for c in dataset-controller cacheruntime-controller; do
		# As in Fluid's chart (charts/fluid/fluid/templates/controller): HELM_DRIVER, MOUNT_ROOT,
		# MY_POD_NAMESPACE; ddc-helm on PATH. No leader election, no metrics or pprof endpoint.
		start_component "$c" env \
			HOME="$home" \
			KUBECONFIG="$STATE/fluid.kubeconfig" \
			PATH="$HELM_DIR:$BIN_DIR:$PATH" \
			HELM_DRIVER=configmap \
			MOUNT_ROOT=/runtime-mnt \
			MY_POD_NAMESPACE=fluid-system \
			"$FLUID_BIN/$c" start \
			--development=false \
			--metrics-addr=0 \
			--leader-election-namespace=fluid-system
	done
}

# Waits until each controller shows it works: nodes Ready (kwok), the `default` ServiceAccount
# (kube-controller-manager), Fluid's controllers' workers started; every process alive.
wait_level_ready() {
	local deadline=$((SECONDS + READY_TIMEOUT)) c
	until kc wait --for=condition=Ready node --all --timeout=2s >/dev/null 2>&1 &&
		kc get serviceaccount default -n default >/dev/null 2>&1 &&
		grep -q 'Starting workers.*CacheRuntime' "$STATE/cacheruntime-controller.log" 2>/dev/null &&
		grep -q 'Starting workers.*Dataset' "$STATE/dataset-controller.log" 2>/dev/null; do
		for c in "${COMPONENTS[@]}"; do
			pid_alive "$STATE/$c.pid" "$c" && continue
			tail -n 30 "$STATE/$c.log" >&2 || true
			die "$c exited (log: $STATE/$c.log)"
		done
		[ "$SECONDS" -lt "$deadline" ] || die "the Fluid level is not ready after $READY_TIMEOUT s (logs in $STATE)"
		sleep 0.3
	done
}

fluid_up() {
	local c
	[ -f "$STATE/.fluid-up" ] || return 1
	for c in "${COMPONENTS[@]}"; do pid_alive "$STATE/$c.pid" "$c" || return 1; done
}

print_fluid_env() {
	print_env
	printf 'export FLUIDOPS_E2E_FLUID_SRC_DIR=%q\n' "$FLUID_SRC_DIR"
}

ensure_fluid_tools() {
	local need=()
	command -v jq >/dev/null 2>&1 || need+=(jq)
	command -v unshare >/dev/null 2>&1 || need+=(util-linux)
	if [ "${#need[@]}" -gt 0 ]; then apt_install "${need[@]}"; fi
}

cmd_fluid_up() {
	local t0 t1
	t0="$(now)"
	do_build_all
	cmd_up >/dev/null # the API server, CRDs
	if fluid_up; then
		log "already up (state $STATE)"
		print_fluid_env
		return 0
	fi
	t1="$(now)"
	ensure_fluid_tools
	load_ports
	if [ -z "${KWOK_PORT:-}" ]; then
		TAKEN="$ETCD_PORT $ETCD_PEER_PORT $APISERVER_PORT"
		KWOK_PORT="$(free_port)"
		echo "KWOK_PORT=$KWOK_PORT" >>"$STATE/ports.env"
	fi
	install_fluid_crds
	start_controller_manager
	start_scheduler
	start_kwok
	create_nodes
	start_registrar
	start_fluid_controllers
	wait_level_ready
	touch "$STATE/.fluid-up"
	log "Fluid level up in $(since "$t1") s ($(since "$t0") s with the API server): $NODES kwok nodes, logs in $STATE"
	print_fluid_env
}

stop_group() { # pidfile name: the process and everything in its process group
	local pid
	if pid_alive "$1" "$2"; then
		pid="$(cat "$1")"
		kill -TERM -- "-$pid" 2>/dev/null || true
	fi
	stop_pid "$1" "$2" TERM
}

cmd_fluid_down() {
	local i
	# The reverse order of `up`: Fluid first, the API server last.
	for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
		stop_group "$STATE/${COMPONENTS[$i]}.pid" "${COMPONENTS[$i]}"
	done
	rm -f "$STATE/.fluid-up"
	cmd_down_quiet
}

cmd_fluid_status() {
	local rc=0 c
	cmd_status || rc=1
	for c in "${COMPONENTS[@]}"; do
		if pid_alive "$STATE/$c.pid" "$c"; then
			log "$c: running (pid $(cat "$STATE/$c.pid"))"
		else
			log "$c: stopped"
			rc=1
		fi
	done
	if [ "$rc" = 0 ]; then
		kc get nodes -o wide >&2 || rc=1
	fi
	return $rc
}

fluid_usage() {
	sed -n '2,14p' "$FLUID_SH" | sed 's/^# \{0,1\}//' >&2
}

fluid_main() {
	local cmd="${1:-}"
	[ $# -gt 0 ] && shift
	case "$cmd" in
	build) do_build_all ;;
	up) cmd_fluid_up ;;
	down)
		cmd_fluid_down
		log "down (removed $STATE; build cache kept in $CACHE)"
		;;
	env)
		if ! fluid_up || ! is_up; then die "not up"; fi
		print_fluid_env
		;;
	status) cmd_fluid_status ;;
	exec-registrar) exec_registrar ;; # run by `up` in the background
	-h | --help | help) fluid_usage ;;
	*)
		fluid_usage
		exit 2
		;;
	esac
}

fluid_main "$@"
