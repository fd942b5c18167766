#!/usr/bin/env bash
# A real Kubernetes API server on loopback for fluidops end-to-end tests.
#
#   tests/e2e/cluster.sh build              build etcd, kube-apiserver, kubectl into the cache (only)
#   eval "$(tests/e2e/cluster.sh up)"       build if needed, start etcd + kube-apiserver, install CRDs
#   tests/e2e/cluster.sh env                print the export lines of a running cluster
#   tests/e2e/cluster.sh status             say what is running (exit 1 if not ready)
#   tests/e2e/cluster.sh stop-apiserver [--kill]   stop kube-apiserver only (SIGTERM, or SIGKILL)
#   tests/e2e/cluster.sh start-apiserver    start it again on the same port, same etcd
#   tests/e2e/cluster.sh restart-apiserver [--kill]
#   tests/e2e/cluster.sh down               stop everything and remove the state dir
#
# Only `export ...` lines go to stdout (for eval); all progress goes to stderr.
# See tests/e2e/README.md for versions, timings and the environment variables.
set -euo pipefail

K8S_VERSION="${FLUIDOPS_E2E_K8S_VERSION:-v1.35.4}"
ETCD_VERSION="${FLUIDOPS_E2E_ETCD_VERSION:-v3.6.16}"
CACHE="${FLUIDOPS_E2E_CACHE:-${HOME:-/root}/.cache/fluidops-e2e}"
STATE="${FLUIDOPS_E2E_STATE:-/tmp/fluidops-e2e}"
READY_TIMEOUT="${FLUIDOPS_E2E_READY_TIMEOUT:-120}"

BIN_DIR="$CACHE/bin/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}"
SRC_DIR="$CACHE/src"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf '[e2e] error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- prerequisites

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
APT_UPDATED=""

apt_install() {
	command -v apt-get >/dev/null 2>&1 || die "need to install $*, but apt-get is not available"
	log "installing $* with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "$APT_UPDATED" ]; then
		$SUDO apt-get update -qq >&2 || log "apt-get update failed; trying the install anyway"
		APT_UPDATED=1
	fi
	$SUDO apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_tools() {
	local need=()
	command -v openssl >/dev/null 2>&1 || need+=(openssl)
	[ -s /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
	command -v setsid >/dev/null 2>&1 || need+=(util-linux)
	if [ "${#need[@]}" -gt 0 ]; then apt_install "${need[@]}"; fi
}

find_go() {
	if command -v go >/dev/null 2>&1; then command -v go; return; fi
	local g
	for g in /usr/local/go/bin/go /usr/lib/go/bin/go "${HOME:-/root}/go/bin/go" "${HOME:-/root}/sdk/go/bin/go"; do
		if [ -x "$g" ]; then echo "$g"; return; fi
	done
	die "Go is not installed (looked on PATH, /usr/local/go/bin, /usr/lib/go/bin); install Go >= 1.25"
}

# ---------------------------------------------------------------- build

# The staging modules that k8s.io/kubernetes's own go.mod pins with `replace` (v1.35).
K8S_STAGING=(
	api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
	cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
	cri-client csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms
	kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
	mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller
)

go_env() {
	# -mod=mod lets go resolve and record go.sum itself; CGO off means no C toolchain is needed
	# and gives static binaries; -buildvcs=false because the wrapper modules are not repositories.
	export GOFLAGS="-mod=mod -buildvcs=false"
	export CGO_ENABLED=0
	export GO111MODULE=on
}

# Every module that k8s.io/kubernetes $K8S_VERSION replaces with ./staging/..., read from its go.mod
# (downloaded through the module proxy); falls back to the list above.
staging_modules() {
	local gomod mods
	gomod="$(cd / && GOFLAGS='' "$GO" list -m -f '{{.GoMod}}' "k8s.io/kubernetes@$K8S_VERSION" 2>/dev/null)" || gomod=""
	if [ -n "$gomod" ] && [ -f "$gomod" ]; then
		mods="$(sed -n 's#^[[:space:]]*k8s\.io/\([^ ]*\) => \./staging/.*#\1#p' "$gomod" | sort -u)"
		if [ -n "$mods" ]; then
			echo "$mods"
			return
		fi
	fi
	log "could not read the replace list of k8s.io/kubernetes@$K8S_VERSION; using the built-in list"
	printf '%s\n' "${K8S_STAGING[@]}"
}

write_k8s_module() {
	local dir="$1" staging_v="v0.${K8S_VERSION#v1.}" m mods
	mods="$(staging_modules)"
	mkdir -p "$dir"
	{
		echo "module fluidops.local/e2e-k8s"
		echo
		echo "go 1.25.0"
		echo
		echo "godebug default=go1.25"
		echo
		echo "require k8s.io/kubernetes $K8S_VERSION"
		echo
		echo "replace ("
		for m in $mods; do
			printf '\tk8s.io/%s => k8s.io/%s %s\n' "$m" "$m" "$staging_v"
		done
		echo ")"
	} >"$dir/go.mod.new"
	# Keep go.sum if the go.mod did not change (it only grows).
	if ! cmp -s "$dir/go.mod.new" "$dir/go.mod.in" 2>/dev/null; then
		rm -f "$dir/go.sum"
		cp "$dir/go.mod.new" "$dir/go.mod.in"
		cp "$dir/go.mod.new" "$dir/go.mod"
	fi
	rm -f "$dir/go.mod.new"
}

write_etcd_module() {
	local dir="$1"
	mkdir -p "$dir"
	printf 'module fluidops.local/e2e-etcd\n\ngo 1.25.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' \
		"$ETCD_VERSION" >"$dir/go.mod.new"
	if ! cmp -s "$dir/go.mod.new" "$dir/go.mod.in" 2>/dev/null; then
		rm -f "$dir/go.sum"
		cp "$dir/go.mod.new" "$dir/go.mod.in"
		cp "$dir/go.mod.new" "$dir/go.mod"
	fi
	rm -f "$dir/go.mod.new"
}

# -ldflags for the k8s.io/kubernetes commands: version variables stamped so that /version and
# `kubectl version` say $K8S_VERSION.
k8s_ldflags() { # build-date
	local minor="${K8S_VERSION#v1.}" vpkg ldflags="-s -w"
	minor="${minor%%.*}"
	for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldflags+=" -X $vpkg.gitVersion=$K8S_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor"
		ldflags+=" -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=$1"
	done
	echo "$ldflags"
}

built() {
	[ -f "$BIN_DIR/.complete" ] && [ -x "$BIN_DIR/kube-apiserver" ] && [ -x "$BIN_DIR/kubectl" ] &&
		[ -x "$BIN_DIR/etcd" ]
}

do_build() {
	if built; then
		log "binaries cached in $BIN_DIR"
		return 0
	fi
	ensure_tools
	local GO t0 kdir edir tmp date ldflags
	GO="$(find_go)"
	go_env
	log "building kube-apiserver + kubectl $K8S_VERSION and etcd $ETCD_VERSION with $("$GO" version)"
	log "(first build takes a long time on a small machine; output is cached in $CACHE)"
	t0="$(now)"
	kdir="$SRC_DIR/k8s-$K8S_VERSION"
	edir="$SRC_DIR/etcd-$ETCD_VERSION"
	write_k8s_module "$kdir"
	write_etcd_module "$edir"
	tmp="$BIN_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"

	date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	ldflags="$(k8s_ldflags "$date")"

	# etcd and the two Kubernetes commands are built one after the other: both links are
	# memory-hungry and the 2 cores are already kept busy by one `go build`.
	log "go build go.etcd.io/etcd/server/v3 (etcd)"
	(cd "$edir" && nice -n 19 "$GO" build -trimpath -ldflags="-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3) >&2 ||
		die "building etcd failed"
	log "etcd built after $(since "$t0") s"
	log "go build k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl"
	(cd "$kdir" && nice -n 19 "$GO" build -trimpath -ldflags="$ldflags" -o "$tmp/" \
		k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl) >&2 ||
		die "building kube-apiserver/kubectl failed"
	printf 'k8s %s\netcd %s\ngo %s\nbuilt %s in %s s\n' "$K8S_VERSION" "$ETCD_VERSION" \
		"$("$GO" env GOVERSION)" "$date" "$(since "$t0")" >"$tmp/.complete"
	rm -rf "$BIN_DIR"
	mkdir -p "$(dirname "$BIN_DIR")"
	mv "$tmp" "$BIN_DIR"
	log "built in $(since "$t0") s -> $BIN_DIR"
}

# ---------------------------------------------------------------- processes

pid_alive() { # pidfile name-fragment
	local pid
	[ -f "$1" ] || return 1
	pid="$(cat "$1" 2>/dev/null)" || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

# Start "$@" detached (own session, stdio to a log file) and record its pid in $pidfile.
spawn() { # pidfile logfile cmd...
	local pidfile="$1" logfile="$2"
	shift 2
	rm -f "$pidfile"
	# shellcheck disable=SC2016 # expanded by the inner bash
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
	for _ in $(seq 1 100); do
		[ -s "$pidfile" ] && return 0
		sleep 0.05
	done
	die "could not start $3"
}

stop_pid() { # pidfile name signal
	local pidfile="$1" name="$2" sig="${3:-TERM}" pid
	if ! pid_alive "$pidfile" "$name"; then
		rm -f "$pidfile"
		return 0
	fi
	pid="$(cat "$pidfile")"
	log "stopping $name (pid $pid, SIG$sig)"
	kill -s "$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name did not exit after 20 s; sending SIGKILL"
		kill -s KILL "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$pidfile"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # prints a port that nothing listens on and that is not in $TAKEN
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768+)
		case " ${TAKEN:-} " in *" $p "*) continue ;; esac
		if ! port_busy "$p"; then
			TAKEN="${TAKEN:-} $p"
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

wait_port() { # port seconds name pidfile
	local deadline=$((SECONDS + $2))
	until port_busy "$1"; do
		pid_alive "$4" "$3" || return 1
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# ---------------------------------------------------------------- state

load_ports() {
	[ -f "$STATE/ports.env" ] || return 1
	# shellcheck disable=SC1091
	. "$STATE/ports.env"
}

gen_certs() {
	local d="$STATE/pki"
	mkdir -p "$d"
	chmod 700 "$d"
	(
		cd "$d"
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
			-subj "/CN=fluidops-e2e-ca" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
			-subj "/CN=kube-apiserver" 2>/dev/null
		cat >apiserver.ext <<-'EOF'
			basicConstraints=CA:FALSE
			keyUsage=critical,digitalSignature,keyEncipherment
			extendedKeyUsage=serverAuth
			subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
		EOF
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
		openssl genrsa -out sa.key 2048 2>/dev/null
		openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
	) || die "certificate generation failed"
}

write_kubeconfig() { # file context user token
	local ca
	ca="$(base64 -w0 <"$STATE/pki/ca.crt")"
	cat >"$1" <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: e2e
		  cluster:
		    server: https://127.0.0.1:$APISERVER_PORT
		    certificate-authority-data: $ca
		users:
		- name: $3
		  user:
		    token: $4
		contexts:
		- name: $2
		  context:
		    cluster: e2e
		    user: $3
		    namespace: default
		current-context: $2
	EOF
	chmod 600 "$1"
}

prepare_state() {
	mkdir -p "$STATE"
	TAKEN=""
	ETCD_PORT="$(free_port)"
	ETCD_PEER_PORT="$(free_port)"
	APISERVER_PORT="$(free_port)"
	printf 'ETCD_PORT=%s\nETCD_PEER_PORT=%s\nAPISERVER_PORT=%s\n' \
		"$ETCD_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" >"$STATE/ports.env"
	gen_certs
	local admin restricted
	admin="$(openssl rand -hex 24)"
	restricted="$(openssl rand -hex 24)"
	printf '%s' "$admin" >"$STATE/admin.token"
	printf '%s' "$restricted" >"$STATE/restricted.token"
	# token,user,uid,"groups"  (every authenticated user also gets system:authenticated)
	{
		printf '%s,admin,e2e-admin,"system:masters"\n' "$admin"
		printf '%s,restricted,e2e-restricted\n' "$restricted"
	} >"$STATE/pki/tokens.csv"
	chmod 600 "$STATE/admin.token" "$STATE/restricted.token" "$STATE/pki/tokens.csv"
	cat >"$STATE/audit-policy.yaml" <<-'EOF'
		apiVersion: audit.k8s.io/v1
		kind: Policy
		omitStages: ["RequestReceived"]
		rules:
		- level: Metadata
	EOF
	write_kubeconfig "$STATE/kubeconfig" e2e admin "$admin"
	write_kubeconfig "$STATE/restricted.kubeconfig" e2e-restricted restricted "$restricted"
	mkdir -p "$STATE/etcd-data"
	chmod 700 "$STATE/etcd-data"
}

start_etcd() {
	load_ports || die "no $STATE/ports.env"
	log "starting etcd on 127.0.0.1:$ETCD_PORT"
	spawn "$STATE/etcd.pid" "$STATE/etcd.log" "$BIN_DIR/etcd" \
		--name e2e \
		--data-dir "$STATE/etcd-data" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
		--unsafe-no-fsync \
		--log-level warn
	wait_port "$ETCD_PORT" 60 etcd "$STATE/etcd.pid" ||
		{ tail -n 30 "$STATE/etcd.log" >&2; die "etcd did not come up (log: $STATE/etcd.log)"; }
}

start_apiserver() {
	load_ports || die "no $STATE/ports.env (run 'up' first)"
	if pid_alive "$STATE/apiserver.pid" kube-apiserver; then
		log "kube-apiserver already running"
		return 0
	fi
	pid_alive "$STATE/etcd.pid" etcd || die "etcd is not running (run 'up')"
	log "starting kube-apiserver on https://127.0.0.1:$APISERVER_PORT"
	# --shutdown-send-retry-after: on SIGTERM, stop after ~2 s even with watches open (by default
	# the HTTP server waits up to --request-timeout, 60 s, for open watch connections).
	# ServiceAccount admission is off: without a controller-manager no `default` ServiceAccount
	# is ever created, and the plugin would reject every Pod. --endpoint-reconciler-type none:
	# Endpoints may not hold a loopback address, so the `kubernetes` Service gets none.
	spawn "$STATE/apiserver.pid" "$STATE/kube-apiserver.log" "$BIN_DIR/kube-apiserver" \
		--etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		--bind-address 127.0.0.1 \
		--advertise-address 127.0.0.1 \
		--secure-port "$APISERVER_PORT" \
		--cert-dir "$STATE/pki" \
		--tls-cert-file "$STATE/pki/apiserver.crt" \
		--tls-private-key-file "$STATE/pki/apiserver.key" \
		--client-ca-file "$STATE/pki/ca.crt" \
		--token-auth-file "$STATE/pki/tokens.csv" \
		--authorization-mode RBAC \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$STATE/pki/sa.pub" \
		--service-account-signing-key-file "$STATE/pki/sa.key" \
		--service-cluster-ip-range 10.0.0.0/24 \
		--endpoint-reconciler-type none \
		--disable-admission-plugins ServiceAccount \
		--allow-privileged=true \
		--shutdown-send-retry-after=true \
		--audit-policy-file "$STATE/audit-policy.yaml" \
		--audit-log-path "$STATE/audit.log" \
		--audit-log-format json \
		--audit-log-maxsize 200 \
		--audit-log-maxbackup 2 \
		--v 1
	wait_ready
}

kc() { "$BIN_DIR/kubectl" --kubeconfig "$STATE/kubeconfig" "$@"; }

wait_ready() {
	local deadline=$((SECONDS + READY_TIMEOUT)) t0
	t0="$(now)"
	until kc get --raw /readyz >/dev/null 2>&1; do
		if ! pid_alive "$STATE/apiserver.pid" kube-apiserver; then
			tail -n 40 "$STATE/kube-apiserver.log" >&2
			die "kube-apiserver exited (log: $STATE/kube-apiserver.log)"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			kc get --raw '/readyz?verbose' >&2 2>&1 || true
			die "kube-apiserver not ready after ${READY_TIMEOUT} s (log: $STATE/kube-apiserver.log)"
		fi
		sleep 0.2
	done
	log "kube-apiserver ready (/readyz ok after $(since "$t0") s)"
}

crds_dir() {
	local root
	root="$(cd "$SCRIPT_DIR/../.." && pwd)"
	echo "$root/assets/crds"
}

install_crds() {
	local dir files=() f
	dir="$(crds_dir)"
	for f in "$dir"/*.yaml; do [ -f "$f" ] && files+=("$f"); done
	if [ "${#files[@]}" -eq 0 ]; then
		log "no CRDs found in $dir"
		return 1
	fi
	log "installing ${#files[@]} CRDs from $dir"
	local args=()
	for f in "${files[@]}"; do args+=(-f "$f"); done
	# Server-side apply: several CRDs are larger than the client-side last-applied annotation allows.
	kc apply --server-side --force-conflicts --field-manager fluidops-e2e "${args[@]}" >&2
	kc wait --for condition=Established --timeout 60s "${args[@]}" >&2
	# Discovery lags a little behind Established; wait until every group answers.
	local groups g deadline=$((SECONDS + 30))
	groups="$(kc get -o jsonpath='{range .items[*]}{.spec.group}/{.spec.versions[0].name}{"\n"}{end}' "${args[@]}" | sort -u)"
	for g in $groups; do
		until kc get --raw "/apis/$g" >/dev/null 2>&1; do
			[ "$SECONDS" -lt "$deadline" ] || die "API group $g not served"
			sleep 0.2
		done
	done
}

print_env() {
	printf 'export KUBECONFIG=%q\n' "$STATE/kubeconfig"
	# shellcheck disable=SC2016 # $PATH is expanded by the caller's eval
	printf 'export PATH=%q:"$PATH"\n' "$BIN_DIR"
	printf 'export FLUIDOPS_E2E_RESTRICTED_KUBECONFIG=%q\n' "$STATE/restricted.kubeconfig"
	printf 'export FLUIDOPS_E2E_AUDIT_LOG=%q\n' "$STATE/audit.log"
	printf 'export FLUIDOPS_E2E_STATE=%q\n' "$STATE"
}

is_up() {
	[ -f "$STATE/ports.env" ] && [ -f "$STATE/kubeconfig" ] &&
		pid_alive "$STATE/etcd.pid" etcd && pid_alive "$STATE/apiserver.pid" kube-apiserver &&
		kc get --raw /readyz >/dev/null 2>&1
}

# ---------------------------------------------------------------- commands

cmd_up() {
	local t0
	t0="$(now)"
	do_build
	if is_up && [ -f "$STATE/.crds-installed" ]; then
		log "already up (state $STATE)"
		print_env
		return 0
	fi
	ensure_tools
	if [ -f "$STATE/ports.env" ] && pid_alive "$STATE/etcd.pid" etcd; then
		log "etcd is running; reusing state $STATE"
		start_apiserver
	else
		cmd_down_quiet
		prepare_state
		start_etcd
		start_apiserver
	fi
	install_crds
	touch "$STATE/.crds-installed"
	log "up in $(since "$t0") s: kube-apiserver https://127.0.0.1:$APISERVER_PORT, etcd 127.0.0.1:$ETCD_PORT"
	print_env
}

cmd_down_quiet() {
	stop_pid "$STATE/apiserver.pid" kube-apiserver TERM
	stop_pid "$STATE/etcd.pid" etcd TERM
	rm -rf "$STATE"
}

cmd_status() {
	load_ports 2>/dev/null || { log "not up (no $STATE/ports.env)"; return 1; }
	local rc=0
	if pid_alive "$STATE/etcd.pid" etcd; then log "etcd: running (pid $(cat "$STATE/etcd.pid"), port $ETCD_PORT)"; else log "etcd: stopped"; rc=1; fi
	if pid_alive "$STATE/apiserver.pid" kube-apiserver; then
		log "kube-apiserver: running (pid $(cat "$STATE/apiserver.pid"), port $APISERVER_PORT)"
		if kc get --raw /readyz >/dev/null 2>&1; then log "readyz: ok"; else log "readyz: not ok"; rc=1; fi
	else
		log "kube-apiserver: stopped"
		rc=1
	fi
	return $rc
}

sig_from_args() {
	case "${1:-}" in
	--kill | -9) echo KILL ;;
	"" | --term) echo TERM ;;
	*) die "unknown option: $1" ;;
	esac
}

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
}

main() {
	local cmd="${1:-}"
	[ $# -gt 0 ] && shift
	case "$cmd" in
	build) do_build ;;
	up) cmd_up ;;
	down)
		cmd_down_quiet
		log "down (removed $STATE; build cache kept in $CACHE)"
		;;
	env)
		is_up || die "not up"
		print_env
		;;
	status) cmd_status ;;
	stop-apiserver) stop_pid "$STATE/apiserver.pid" kube-apiserver "$(sig_from_args "${1:-}")" ;;
	start-apiserver)
		built || die "not built"
		start_apiserver
		;;
	restart-apiserver)
		built || die "not built"
		local t0
		t0="$(now)"
		stop_pid "$STATE/apiserver.pid" kube-apiserver "$(sig_from_args "${1:-}")"
		start_apiserver
		log "restarted in $(since "$t0") s"
		;;
	-h | --help | help) usage ;;
	*)
		usage
		exit 2
		;;
	esac
}

# tests/e2e/fluid.sh sources this file for its helpers; run the commands only when executed.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
