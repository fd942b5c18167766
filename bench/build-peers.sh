#!/usr/bin/env bash
# Build the peer consoles once into the cache dir (never inside the repository).
# Each peer is built independently; a failure is recorded in $CACHE/status/<peer> and does not stop the others.
set -u
CACHE=${FLUIDOPS_PEERS_CACHE:-$HOME/.cache/fluidops-peers}
KDASH_VERSION=${KDASH_VERSION:-}          # empty: newest on the Rust package registry
KUBETUI_VERSION=${KUBETUI_VERSION:-}
K9S_VERSION=${K9S_VERSION:-v0.50.16}
JOBS=${BENCH_BUILD_JOBS:-2}
mkdir -p "$CACHE/bin" "$CACHE/status" "$CACHE/logs"
export PATH="$CACHE/bin:/usr/local/go/bin:$HOME/.cargo/bin:$PATH"

note() { printf '[build-peers] %s\n' "$*" >&2; }

build_cargo() { # name version
  local name=$1 ver=$2 root="$CACHE/cargo-$1"
  if [ -x "$CACHE/bin/$name" ] && [ -s "$CACHE/status/$name" ] && grep -q '^ok ' "$CACHE/status/$name"; then
    note "$name: cached ($(cat "$CACHE/status/$name"))"; return 0; fi
  note "$name: cargo install ${ver:-latest} (log: $CACHE/logs/$name.log)"
  local args=(install --locked --root "$root" -j "$JOBS" "$name")
  [ -n "$ver" ] && args+=(--version "$ver")
  if timeout 5400 cargo "${args[@]}" >"$CACHE/logs/$name.log" 2>&1 \
     || { note "$name: --locked failed, retrying without"; timeout 5400 cargo "${args[@]/--locked/}" >>"$CACHE/logs/$name.log" 2>&1; }; then
    ln -sf "$root/bin/$name" "$CACHE/bin/$name"
    local v; v=$(grep -oE "Installed package \`$name v[^ \`]+" "$CACHE/logs/$name.log" | tail -1 | sed 's/.* v/v/')
    [ -z "$v" ] && v=$(cargo install --root "$root" --list 2>/dev/null | awk -v n="$name" '$1==n{print $2}' | tr -d ':')
    echo "ok $v" >"$CACHE/status/$name"; note "$name: built $v"
  else
    echo "failed (see $CACHE/logs/$name.log)" >"$CACHE/status/$name"; note "$name: BUILD FAILED"
  fi
}

build_k9s() {
  if [ -x "$CACHE/bin/k9s" ] && grep -q '^ok ' "$CACHE/status/k9s" 2>/dev/null; then
    note "k9s: cached ($(cat "$CACHE/status/k9s"))"; return 0; fi
  note "k9s: go install github.com/derailed/k9s@$K9S_VERSION (log: $CACHE/logs/k9s.log)"
  local ldf="-s -w -X github.com/derailed/k9s/cmd.version=$K9S_VERSION"
  if GOBIN="$CACHE/bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false timeout 5400 \
       go install -trimpath -ldflags "$ldf" "github.com/derailed/k9s@$K9S_VERSION" >"$CACHE/logs/k9s.log" 2>&1; then
    echo "ok $K9S_VERSION" >"$CACHE/status/k9s"; note "k9s: built $K9S_VERSION"; return 0
  fi
  # go install pkg@version refuses modules with replace directives: fall back to a wrapper module
  note "k9s: go install failed, trying a wrapper module"
  local w="$CACHE/src/k9s-wrapper"; mkdir -p "$w"
  ( cd "$w" && rm -f go.mod go.sum && cat >tools.go <<GO
//go:build tools
package tools
import _ "github.com/derailed/k9s"
GO
    go mod init fluidops-bench/k9s-wrapper >/dev/null 2>&1
    go get "github.com/derailed/k9s@$K9S_VERSION" &&
    go mod edit $(curl -fsS "$(go env GOPROXY | cut -d, -f1)/github.com/derailed/k9s/@v/$K9S_VERSION.mod" 2>/dev/null \
        | awk '/^replace \(/{r=1;next} r&&/^\)/{r=0} r&&NF{print "-replace="$1"="$3"@"$4} /^replace [^(]/{print "-replace="$2"="$4"@"$5}') &&
    go mod tidy >/dev/null 2>&1; go get "github.com/derailed/k9s@$K9S_VERSION" &&
    CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -ldflags "$ldf" -o "$CACHE/bin/k9s" github.com/derailed/k9s
  ) >>"$CACHE/logs/k9s.log" 2>&1 \
  && { echo "ok $K9S_VERSION" >"$CACHE/status/k9s"; note "k9s: built $K9S_VERSION (wrapper)"; } \
  || { echo "failed (see $CACHE/logs/k9s.log)" >"$CACHE/status/k9s"; note "k9s: BUILD FAILED"; }
}

want=${*:-k9s kdash kubetui}
# k9s (Go) and the Rust peers build concurrently: module downloads overlap compilation.
pids=()
for p in $want; do case $p in k9s) build_k9s & pids+=($!);; esac; done
for p in $want; do case $p in kdash) build_cargo kdash "$KDASH_VERSION";; kubetui) build_cargo kubetui "$KUBETUI_VERSION";; esac; done
for pid in "${pids[@]}"; do wait "$pid"; done
note "status:"; for p in $want; do printf '  %-8s %s\n' "$p" "$(cat "$CACHE/status/$p" 2>/dev/null || echo missing)" >&2; done
exit 0
