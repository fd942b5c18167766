#!/usr/bin/env python3
"""Generate the benchmark objects, and churn them, against the loopback API server.

  kapi.py gen   --pods N --namespaces M            multi-document YAML on stdout (Pods, Namespaces)
  kapi.py churn --rate R --duration S [--pods N --namespaces M]
                merge-patch a label and an annotation of random benchmark pods at R patches/s for
                S seconds (bounded: at most R*S+1 requests), over one keep-alive HTTPS connection,
                with the admin token of $KUBECONFIG (read through `kubectl config view --raw -o json`).
                Refuses any server that is not on loopback.

Pods are named cachepod-NNNNN in namespaces fb-bench-NN, with Fluid-like labels (the labels Fluid
puts on cache worker/fuse pods), so a console's pods view shows them. With no nodes and no kubelet
they stay Pending.
"""
import argparse
import base64
import http.client
import ipaddress
import json
import random
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

RUNTIMES = ["alluxio", "jindo", "juicefs", "goosefs", "efc", "thin"]
ROLES = ["master", "worker", "fuse"]


def pod_name(i):
    return f"cachepod-{i:05d}"


def ns_name(j):
    return f"fb-bench-{j:02d}"


def placement(i, namespaces):
    return ns_name(i % namespaces)


def gen(a):
    out = []
    for j in range(a.namespaces):
        out.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns_name(j),
                    "labels": {"fluidops.io/bench": "true"}}})
    for i in range(a.pods):
        rt = RUNTIMES[i % len(RUNTIMES)]
        role = ROLES[(i // len(RUNTIMES)) % len(ROLES)]
        ds = f"ds-{(i // 9) % 50:02d}"
        out.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": pod_name(i), "namespace": placement(i, a.namespaces),
                "labels": {
                    "app": rt, "role": f"{rt}-{role}", "release": ds,
                    "fluid.io/dataset-id": f"{placement(i, a.namespaces)}-{ds}",
                    "app.kubernetes.io/managed-by": "fluid",
                    "fluidops.io/bench": "true",
                },
                "annotations": {"fluidops.io/bench-seq": "0"},
            },
            "spec": {
                "containers": [{"name": role, "image": f"registry.local/{rt}:2.9.0",
                                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}],
                "tolerations": [{"operator": "Exists"}],
            },
        })
    # JSON is valid YAML: one document per object, no YAML library needed
    sys.stdout.write("".join("---\n" + json.dumps(o) + "\n" for o in out))


def kubeconfig():
    cfg = json.loads(subprocess.run(["kubectl", "config", "view", "--raw", "--minify", "-o", "json"],
                                    check=True, capture_output=True, text=True, timeout=30).stdout)
    cluster = cfg["clusters"][0]["cluster"]
    user = cfg["users"][0]["user"]
    return cluster["server"], base64.b64decode(cluster["certificate-authority-data"]).decode(), user["token"]


def churn(a):
    server, ca, token = kubeconfig()
    u = urllib.parse.urlsplit(server)
    host = u.hostname
    addrs = {ai[4][0] for ai in socket.getaddrinfo(host, u.port)}
    if not all(ipaddress.ip_address(x).is_loopback for x in addrs):
        sys.exit(f"refusing to churn a non-loopback server {server} ({addrs})")
    ctx = ssl.create_default_context(cadata=ca)
    conn = http.client.HTTPSConnection(host, u.port, context=ctx, timeout=10)
    hdr = {"Authorization": f"Bearer {token}", "Content-Type": "application/merge-patch+json",
           "User-Agent": "fluidops-bench-churn", "Accept": "application/json"}
    rng = random.Random(a.seed)
    interval = 1.0 / a.rate
    t0 = time.monotonic()
    deadline = t0 + a.duration
    max_requests = int(a.rate * a.duration) + 1
    sent = ok = 0
    while sent < max_requests and time.monotonic() < deadline:
        i = rng.randrange(a.pods)
        body = json.dumps({"metadata": {
            "labels": {"fluidops.io/bench-phase": rng.choice(["warm", "cold", "load", "evict"])},
            "annotations": {"fluidops.io/bench-seq": str(sent + 1)}}})
        path = f"/api/v1/namespaces/{placement(i, a.namespaces)}/pods/{pod_name(i)}"
        try:
            conn.request("PATCH", path, body=body, headers=hdr)
            r = conn.getresponse()
            r.read()
            ok += r.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPSConnection(host, u.port, context=ctx, timeout=10)
        sent += 1
        nxt = t0 + sent * interval
        time.sleep(max(0.0, min(nxt, deadline) - time.monotonic()))
    print(json.dumps({"sent": sent, "ok": ok, "seconds": round(time.monotonic() - t0, 2)}), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("gen", "churn"):
        p = sub.add_parser(name)
        p.add_argument("--pods", type=int, default=1000)
        p.add_argument("--namespaces", type=int, default=10)
        if name == "churn":
            p.add_argument("--rate", type=float, default=20.0)
            p.add_argument("--duration", type=float, default=20.0)
            p.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    {"gen": gen, "churn": churn}[a.cmd](a)


if __name__ == "__main__":
    main()
