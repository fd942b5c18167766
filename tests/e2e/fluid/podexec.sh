#!/usr/bin/env bash
# Runs a command "in a pod" for kwok's pods/exec (tests/e2e/fluid.sh puts `bash` and `sh` wrappers
# that call this first on kwok's PATH):
#
#   podexec.sh COMMAND ARGS...
#
# kwok has no containers. For an exec into pod P, container C (named by the kwok Exec object that
# fluid.sh registers per pod: FLUIDOPS_POD_NAMESPACE, FLUIDOPS_POD_NAME, FLUIDOPS_POD_CONTAINER),
# this builds the container's filesystem as far as a command can see it, in
# $FLUIDOPS_PODEXEC_PODS/<ns>/<pod>/<container>/:
#   - the stand-in of the container's image: tests/e2e/fluid/images/<repository>/ (tag ignored),
#     e.g. images/curvine/curvine/app/curvine/bin/cv for curvine/curvine:*;
#   - the container's configMap, secret and projected volumes, read from the API server now, at
#     their mountPaths with their modes; emptyDir volumes as directories that persist;
#   - the host's /usr, /bin, /lib... read-only (bash, sed, grep...), /dev;
# and runs COMMAND there (a private mount namespace and chroot) with the container's environment
# (values, field and key references, $(VAR) expansion). Files written by the command persist for
# the pod's lifetime (a new pod UID starts afresh).
#
# Without FLUIDOPS_POD_NAME (a command kwok runs for itself) it runs COMMAND on the host.
# Needs root or unprivileged user namespaces (unshare), jq and kubectl. Logs one line per exec to
# $FLUIDOPS_PODEXEC_LOG.
set -uo pipefail

name="${1:?command}"
shift
for real in /usr/bin/"$name" /bin/"$name"; do [ -x "$real" ] && break; done

if [ -z "${FLUIDOPS_POD_NAME:-}" ]; then
	exec "$real" "$@"
fi

ns="$FLUIDOPS_POD_NAMESPACE"
pod="$FLUIDOPS_POD_NAME"
ctr="${FLUIDOPS_POD_CONTAINER:-}"
images="${FLUIDOPS_PODEXEC_IMAGES:?}"
base="${FLUIDOPS_PODEXEC_PODS:?}/$ns/$pod"
logf="${FLUIDOPS_PODEXEC_LOG:-/dev/null}"
kubectl="${FLUIDOPS_PODEXEC_KUBECTL:-kubectl}"

note() { printf '%s %s/%s/%s: %s\n' "$(date -u +%H:%M:%S.%N | cut -c1-12)" "$ns" "$pod" "$ctr" "$*" >>"$logf"; }
fail() {
	note "error: $*"
	printf 'podexec: %s\n' "$*" >&2
	exit 126
}
k() { "$kubectl" --kubeconfig "${FLUIDOPS_PODEXEC_KUBECONFIG:?}" -n "$ns" "$@"; }

podjson="$(k get pod "$pod" -o json)" || fail "cannot read pod $ns/$pod"
uid="$(jq -r '.metadata.uid' <<<"$podjson")"
[ -n "$ctr" ] || ctr="$(jq -r '.spec.containers[0].name' <<<"$podjson")"
cjson="$(jq -c --arg c "$ctr" '[.spec.containers[], (.spec.initContainers // [])[]] | map(select(.name == $c)) | first' <<<"$podjson")"
[ "$cjson" != null ] || fail "no container $ctr in pod $ns/$pod"

# A new pod (same name, new UID) starts with a fresh filesystem.
root="$base/$ctr"
if [ "$(cat "$base/uid" 2>/dev/null)" != "$uid" ]; then
	rm -rf "$base"
	mkdir -p "$base"
	echo "$uid" >"$base/uid"
fi
mkdir -p "$root"

# The image's stand-in files: images/<the image as written, without tag or digest>/.
image="$(jq -r '.image' <<<"$cjson")"
repo="${image%@*}"
case "${repo##*/}" in *:*) repo="${repo%:*}" ;; esac
if [ -d "$images/$repo" ]; then
	cp -a "$images/$repo/." "$root/"
fi

# The files a ConfigMap or Secret volume holds, as KEY PATH MODE BASE64 lines (tab-separated).
# $1 = the object's JSON, $2 = the volume source's JSON (items, defaultMode), $3 = "secret" or
# "configmap".
files_of() {
	jq -r --argjson src "$2" --arg kind "$3" '
		(if $kind == "secret" then (.data // {})
		 else ((.data // {}) | map_values(@base64)) + (.binaryData // {}) end) as $d
		| ($src.defaultMode // 420) as $mode
		| if ($src.items // null) == null
		  then $d | to_entries[] | [.key, .key, ($mode | tostring), .value]
		  else $src.items[] | select($d[.key] != null)
		       | [.key, .path, ((.mode // $mode) | tostring), $d[.key]] end
		| @tsv' <<<"$1"
}

# Puts a volume's files at a directory (or one file with subPath). emptyDir volumes are
# directories that keep their content across execs.
materialize() { # volume-json target subPath
	local vol="$1" target="$2" sub="$3" sources s kind objname obj src key path mode b64 dest
	if jq -e '.emptyDir' <<<"$vol" >/dev/null; then
		mkdir -p "$target"
		return 0
	fi
	sources="$(jq -c '
		if .configMap then [{kind: "configmap", name: .configMap.name, src: .configMap}]
		elif .secret then [{kind: "secret", name: .secret.secretName, src: .secret}]
		elif .projected then [.projected.sources[]
			| if .configMap then {kind: "configmap", name: .configMap.name, src: .configMap}
			  elif .secret then {kind: "secret", name: .secret.name, src: .secret}
			  else empty end]
		else [] end | .[]' <<<"$vol")"
	[ -n "$sources" ] || return 0
	rm -rf "$target"
	while read -r s; do
		kind="$(jq -r .kind <<<"$s")"
		objname="$(jq -r .name <<<"$s")"
		src="$(jq -c .src <<<"$s")"
		if ! obj="$(k get "$kind" "$objname" -o json 2>/dev/null)"; then
			[ "$(jq -r '.optional // false' <<<"$src")" = true ] && continue
			fail "$kind $objname (volume $(jq -r .name <<<"$vol")) not found"
		fi
		[ -n "$sub" ] || mkdir -p "$target"
		while IFS=$'\t' read -r key path mode b64; do
			[ -n "$key" ] || continue
			if [ -n "$sub" ]; then
				[ "$path" = "$sub" ] || continue
				dest="$target"
			else
				dest="$target/$path"
			fi
			mkdir -p "$(dirname "$dest")"
			base64 -d <<<"$b64" >"$dest" || fail "cannot decode $kind $objname/$key"
			chmod "$(printf '%o' "$mode")" "$dest"
		done < <(files_of "$obj" "$src" "$kind")
	done <<<"$sources"
}

while read -r m; do
	vname="$(jq -r .name <<<"$m")"
	mpath="$(jq -r .mountPath <<<"$m")"
	sub="$(jq -r '.subPath // ""' <<<"$m")"
	vol="$(jq -c --arg v "$vname" '.spec.volumes // [] | map(select(.name == $v)) | first' <<<"$podjson")"
	[ "$vol" != null ] || continue
	case "$mpath" in /?*) ;; *) continue ;; esac
	materialize "$vol" "$root$mpath" "$sub"
done < <(jq -c '.volumeMounts // [] | .[]' <<<"$cjson")

# The container's environment as kubelet would give it: NAME=VALUE lines, in order, $(VAR)
# expanded against the variables before it.
envlines="$(jq -r '
	(.env // [])[] |
	if has("value") then [.name, "value", .value]
	elif .valueFrom.fieldRef then [.name, "field", .valueFrom.fieldRef.fieldPath]
	elif .valueFrom.configMapKeyRef then [.name, "configmap", .valueFrom.configMapKeyRef.name + "/" + .valueFrom.configMapKeyRef.key]
	elif .valueFrom.secretKeyRef then [.name, "secret", .valueFrom.secretKeyRef.name + "/" + .valueFrom.secretKeyRef.key]
	else [.name, "value", ""] end | @tsv' <<<"$cjson")"
declare -A envmap=()
envargs=(
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	"HOSTNAME=$pod"
	"HOME=/root"
)
# $(VAR) replaced by the value of VAR if it is defined before, else left as it is.
expand() {
	local s="$1" out="" ref
	while [[ "$s" =~ ^([^$]*)\$\(([A-Za-z_][A-Za-z0-9_]*)\)(.*)$ ]]; do
		out+="${BASH_REMATCH[1]}"
		ref="${BASH_REMATCH[2]}"
		s="${BASH_REMATCH[3]}"
		if [ -n "${envmap[$ref]+x}" ]; then out+="${envmap[$ref]}"; else out+="\$($ref)"; fi
	done
	printf '%s' "$out$s"
}
field() {
	case "$1" in
	metadata.name) echo "$pod" ;;
	metadata.namespace) echo "$ns" ;;
	metadata.uid) echo "$uid" ;;
	*) jq -r --arg p "$1" 'getpath($p | split(".")) // "" | tostring' <<<"$podjson" ;;
	esac
}
while IFS=$'\t' read -r ename how what; do
	[ -n "$ename" ] || continue
	case "$how" in
	value) val="$(expand "$(printf '%b' "$what")")" ;;
	field) val="$(field "$what")" ;;
	configmap) val="$(k get configmap "${what%%/*}" -o json | jq -r --arg k "${what#*/}" '.data[$k] // ""')" ;;
	secret) val="$(k get secret "${what%%/*}" -o json | jq -r --arg k "${what#*/}" '.data[$k] // "" | @base64d')" ;;
	esac
	envmap[$ename]="$val"
	envargs+=("$ename=$val")
done <<<"$envlines"

workdir="$(jq -r '.workingDir // "/"' <<<"$cjson")"
mkdir -p "$root/tmp" "$root/dev" "$root$workdir"
chmod 1777 "$root/tmp"

# The host's programs, read-only; /dev for /dev/null. Only inside the new mount namespace.
# shellcheck disable=SC2016 # expanded by the shell inside the namespace
sandbox='
	set -e
	root="$1"; shift
	for d in usr bin sbin lib lib32 lib64 libx32; do
		if [ -L "/$d" ]; then
			ln -sfn "$(readlink "/$d")" "$root/$d"
		elif [ -d "/$d" ]; then
			[ -L "$root/$d" ] && rm -f "$root/$d"
			mkdir -p "$root/$d"
			mount --rbind "/$d" "$root/$d"
			mount -o remount,bind,ro "$root/$d" 2>/dev/null || true
		fi
	done
	mount --rbind /dev "$root/dev"
	exec chroot "$root" "$@"
'
if [ "$(id -u)" = 0 ]; then
	ns_args=(--mount --propagation private)
else
	ns_args=(--user --map-root-user --mount --propagation private)
fi
# An exec with a terminal (kubectl exec -t, the console's shell): the command leads a session of
# its own with that terminal as controlling terminal, as a container runtime starts it, so that
# the shell has job control and Ctrl-C interrupts the command in the foreground.
session=()
if [ -t 0 ]; then
	session=(/usr/bin/setsid --ctty --wait)
fi
note "exec $name $* (image $image)"
# shellcheck disable=SC2016 # expanded by the shell inside the chroot
unshare "${ns_args[@]}" "$real" -c "$sandbox" sandbox "$root" "${session[@]}" \
	/usr/bin/env -i "${envargs[@]}" /bin/sh -c 'cd "$1" && shift && exec "$@"' cd "$workdir" "$name" "$@"
rc=$?
note "exit $rc"
exit $rc
