#!/usr/bin/env python3
"""Load the bench objects into the loopback API server, and churn their status.

  kapi.py load  FILE [--workers N] [--marker PATH --marker-info JSON]
                create every manifest of FILE (one JSON document a line, as `fluidops
                scale-manifests` prints them: Namespaces, CacheRuntimeClasses, then Datasets,
                CacheRuntimes, Pods, DataLoads, DataProcesses, Events), then write each object's
                `status` through its `/status` subresource (a JSON merge patch), over N keep-alive
                HTTPS connections in parallel. An object that already exists counts as created (its
                status is written again), so a load that stopped half-way can simply be run again;
                with --done-file, kinds that a previous load loaded without error are skipped.
                With --marker, writes PATH (the marker-info JSON plus counts and seconds) when every
                object was loaded without error.
  kapi.py churn FILE --rate R --duration S [--workers N] [--offset-file PATH]
                send the status changes of FILE (one JSON document a line, as `fluidops
                scale-manifests --churn-changes` prints them) as JSON merge patches of `/status`,
                change k due at start + k/R, for at most S seconds and at most R*S+1 requests,
                over N keep-alive HTTPS connections. With --offset-file, adds the number of
                changes sent to the number in PATH (where the next churn continues the stream).
  kapi.py count KIND_PATH
                number of objects at an API list path (one request with limit=1)

Requests go with the admin token of $KUBECONFIG (read through `kubectl config view --raw -o json`)
and a `fluidops-bench-*` user agent (the report leaves those out of the consoles' counts). Refuses
any server that is not on loopback. Standard library only.
"""
import argparse
import base64
import http.client
import ipaddress
import json
import os
import queue
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

LOAD_UA = "fluidops-bench-load"
CHURN_UA = "fluidops-bench-churn"

# kind -> (plural, namespaced, has a status subresource)
RESOURCES = {
    "Namespace": ("namespaces", False, False),
    "Pod": ("pods", True, True),
    "Event": ("events", True, False),
    "CacheRuntimeClass": ("cacheruntimeclasses", False, False),
    "CacheRuntime": ("cacheruntimes", True, True),
    "Dataset": ("datasets", True, True),
    "DataLoad": ("dataloads", True, True),
    "DataProcess": ("dataprocesses", True, True),
    "DataMigrate": ("datamigrates", True, True),
    "DataBackup": ("databackups", True, True),
}
FIRST = ("Namespace", "CacheRuntimeClass")  # created before everything else


def kubeconfig():
    cfg = json.loads(subprocess.run(["kubectl", "config", "view", "--raw", "--minify", "-o", "json"],
                                    check=True, capture_output=True, text=True, timeout=30).stdout)
    cluster = cfg["clusters"][0]["cluster"]
    user = cfg["users"][0]["user"]
    return cluster["server"], base64.b64decode(cluster["certificate-authority-data"]).decode(), user["token"]


class Api:
    """Connections to the loopback API server (one per thread; each kept alive)."""

    def __init__(self, ua, timeout=60):
        server, ca, self.token = kubeconfig()
        u = urllib.parse.urlsplit(server)
        self.host, self.port = u.hostname, u.port
        addrs = {ai[4][0] for ai in socket.getaddrinfo(self.host, self.port)}
        if not all(ipaddress.ip_address(x).is_loopback for x in addrs):
            sys.exit(f"refusing a non-loopback server {server} ({addrs})")
        self.ctx = ssl.create_default_context(cadata=ca)
        self.ua = ua
        self.timeout = timeout
        self.local = threading.local()

    def conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = self.local.c = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=self.timeout)
        return c

    def request(self, method, path, body=None, ctype="application/json", tries=4):
        hdr = {"Authorization": f"Bearer {self.token}", "User-Agent": self.ua, "Accept": "application/json"}
        if body is not None:
            hdr["Content-Type"] = ctype
        for attempt in range(tries):
            try:
                c = self.conn()
                c.request(method, path, body=body, headers=hdr)
                r = c.getresponse()
                data = r.read()
                if r.status in (429, 500, 503, 504) and attempt + 1 < tries:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                return r.status, data
            except (OSError, http.client.HTTPException) as e:
                self.local.c = None
                if attempt + 1 == tries:
                    return 0, str(e).encode()
                time.sleep(0.2 * (attempt + 1))
        return 0, b"unreachable"


def paths(doc):
    kind = doc["kind"]
    plural, namespaced, status = RESOURCES[kind]
    api = doc["apiVersion"]
    base = f"/api/{api}" if "/" not in api else f"/apis/{api}"
    if namespaced:
        base += f"/namespaces/{doc['metadata']['namespace']}"
    coll = f"{base}/{plural}"
    return coll, f"{coll}/{doc['metadata']['name']}", status


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.errors = []
        self.failed_kinds = set()

    def add(self, key, err=None, kind=None):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            if err is not None:
                self.failed_kinds.add(kind)
                if len(self.errors) < 10:
                    self.errors.append(err)


def load_one(api, line, st):
    doc = json.loads(line)
    coll, item, has_status = paths(doc)
    status = doc.pop("status", None) if has_status else None
    code, data = api.request("POST", coll, json.dumps(doc, separators=(",", ":")))
    if code == 201:
        st.add("created")
    elif code == 409:
        st.add("existed")
    else:
        st.add(f"create {code}", f"{doc['kind']} {doc['metadata'].get('name')}: {code} {data[:300]!r}", doc["kind"])
        return
    if status is not None:
        code, data = api.request("PATCH", item + "/status", json.dumps({"status": status}, separators=(",", ":")),
                                 "application/merge-patch+json")
        if code == 200:
            st.add("status")
        else:
            st.add(f"status {code}", f"{doc['kind']} {doc['metadata'].get('name')} status: {code} {data[:300]!r}",
                   doc["kind"])


def run_pool(n, items, fn):
    q = queue.Queue(maxsize=4 * n)

    def worker():
        while (x := q.get()) is not None:
            fn(x)

    ts = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
    for t in ts:
        t.start()
    for x in items:
        q.put(x)
    for _ in ts:
        q.put(None)
    for t in ts:
        t.join()


def kind_of(line):
    i = line.find('"kind":"')
    return line[i + 8:line.find('"', i + 8)] if i >= 0 else ""


def load(a):
    api = Api(LOAD_UA)
    st = Stats()
    t0 = time.monotonic()
    # kinds a previous load of the same file loaded completely (a load that failed half-way is run
    # again for the kinds that had errors only)
    done = set()
    if a.done_file and os.path.exists(a.done_file):
        done = set(json.load(open(a.done_file)))
        print(f"  already loaded completely: {sorted(done)}", file=sys.stderr)
    kinds, first, rest = set(), [], 0
    with open(a.file) as f:
        for line in f:
            k = kind_of(line)
            kinds.add(k)
            if k in FIRST and k not in done:
                first.append(line)
    for line in first:
        load_one(api, line, st)

    def later():
        with open(a.file) as f:
            for line in f:
                k = kind_of(line)
                if line.strip() and k not in FIRST and k not in done:
                    yield line

    last = [time.monotonic()]

    def one(line):
        nonlocal rest
        load_one(api, line, st)
        rest += 1
        if a.progress and time.monotonic() - last[0] > 10:
            last[0] = time.monotonic()
            print(f"  {rest + len(first)} objects in {time.monotonic() - t0:.0f} s {st.counts}", file=sys.stderr)

    run_pool(a.workers, later(), one)
    secs = round(time.monotonic() - t0, 1)
    total = len(first) + rest
    ok = sum(v for k, v in st.counts.items() if k in ("created", "existed")) == total and not st.errors
    if a.done_file:
        with open(a.done_file, "w") as f:
            json.dump(sorted((kinds - st.failed_kinds) - {""}), f)
    res = {"objects": total, "seconds": secs, "per_s": round(total / max(secs, 1e-9)), "counts": st.counts,
           "errors": st.errors, "workers": a.workers}
    print(json.dumps(res), file=sys.stderr)
    if ok and a.marker:
        info = json.loads(a.marker_info or "{}")
        info.update(objects=total, seconds=secs, counts=st.counts)
        with open(a.marker, "w") as f:
            json.dump(info, f)
    return 0 if ok else 1


def churn(a):
    api = Api(CHURN_UA, timeout=10)
    with open(a.file) as f:
        changes = [ln for ln in f if ln.strip()]
    max_requests = min(len(changes), int(a.rate * a.duration) + 1)
    lock = threading.Lock()
    nxt = [0]
    stats = {"sent": 0, "ok": 0, "codes": {}}
    lat = []
    t0 = time.monotonic()
    deadline = t0 + a.duration

    def worker():
        while True:
            with lock:
                k = nxt[0]
                if k >= max_requests:
                    return
                nxt[0] += 1
            due = t0 + k / a.rate
            if due >= deadline:
                with lock:
                    nxt[0] = min(nxt[0], k)
                return
            time.sleep(max(0.0, due - time.monotonic()))
            doc = json.loads(changes[k])
            _, item, _ = paths(doc)
            body = json.dumps({"status": doc["status"]}, separators=(",", ":"))
            s = time.monotonic()
            code, _ = api.request("PATCH", item + "/status", body, "application/merge-patch+json", tries=1)
            e = time.monotonic() - s
            with lock:
                stats["sent"] += 1
                stats["ok"] += code == 200
                if code != 200 and time.monotonic() > deadline + 2:
                    stats["late"] = stats.get("late", 0) + 1
                stats["codes"][code] = stats["codes"].get(code, 0) + 1
                lat.append(e)

    ts = [threading.Thread(target=worker, daemon=True) for _ in range(a.workers)]
    for t in ts:
        t.start()
    # requests still in flight 2 s after the deadline are not waited for (counted as sent; the
    # stats are written before whoever started this stops it)
    for t in ts:
        t.join(timeout=max(0.0, deadline + 2 - time.monotonic()))
    with lock:
        stats["in_flight_at_end"] = nxt[0] - stats["sent"]
        stats["sent"] = nxt[0]
    secs = time.monotonic() - t0
    lat.sort()
    q = (lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1)) if lat else (lambda p: None)
    stats.update(seconds=round(secs, 2), rate_achieved=round(stats["ok"] / max(secs, 1e-9), 1),
                 latency_ms_p50=q(0.5), latency_ms_p99=q(0.99), workers=a.workers)
    if a.offset_file:
        try:
            have = int(open(a.offset_file).read().strip() or 0)
        except (OSError, ValueError):
            have = 0
        with open(a.offset_file, "w") as f:
            f.write(str(have + stats["sent"]))
    print(json.dumps(stats), file=sys.stderr)


def count(a):
    api = Api(LOAD_UA)
    sep = "&" if "?" in a.path else "?"
    code, data = api.request("GET", f"{a.path}{sep}limit=1")
    if code != 200:
        print(0)
        return 1
    v = json.loads(data)
    print(len(v.get("items", [])) + int(v.get("metadata", {}).get("remainingItemCount") or 0))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("load")
    p.add_argument("file")
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--marker")
    p.add_argument("--marker-info")
    p.add_argument("--progress", action="store_true")
    p.add_argument("--done-file", help="kinds loaded completely (read, then written)")
    p = sub.add_parser("churn")
    p.add_argument("file")
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--workers", type=int, default=16)
    p.add_argument("--offset-file")
    p = sub.add_parser("count")
    p.add_argument("path")
    a = ap.parse_args()
    return {"load": load, "churn": churn, "count": count}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())
