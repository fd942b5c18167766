#!/usr/bin/env python3
"""Turn the per-console results of one bench run into a table.

  report.py RESULTS_DIR [--audit AUDIT_LOG] [--order fluidops,kdash,kubetui,k9s] [--json OUT]

RESULTS_DIR holds <console>.json from ptyrun.py (or <console>.status with a one-line reason when the
console was not run) and versions.txt. API requests are counted from the API server's audit log
(JSON lines): distinct auditIDs whose requestReceivedTimestamp lies in the window, made as the
console's user (admin), excluding the churner's user agent. Consoles run one at a time, so within a
console's windows every such request is the console's own.
"""
import argparse
import collections
import glob
import json
import os
import sys

CHURN_UA = "fluidops-bench-churn"
BENCH_UA = '"userAgent":"fluidops-bench-'  # the loader's and the churner's requests, skipped unparsed


def load_audit(paths):
    events = {}
    for p in paths:
        try:
            f = open(p, errors="replace")
        except OSError:
            continue
        with f:
            for line in f:
                if '"admin"' not in line or BENCH_UA in line:
                    continue
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                if e.get("user", {}).get("username") != "admin" or e.get("userAgent") == CHURN_UA:
                    continue
                events.setdefault(e["auditID"], e)  # ResponseStarted and ResponseComplete share it
    return sorted(events.values(), key=lambda e: e["requestReceivedTimestamp"])


def in_window(events, start, end):
    return [e for e in events if start <= e["requestReceivedTimestamp"] < end]


def fmt(v, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float):
        if v >= 100:
            return f"{v:,.0f}{unit}"
        if v >= 10:
            return f"{v:.1f}{unit}"
        return f"{v:.2f}{unit}"
    if isinstance(v, int):
        return f"{v:,}{unit}"
    return str(v)


def ratio(a, b):
    if a is None or b is None:
        return "–"
    if b == 0:
        return "=" if a == 0 else "∞"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--audit", default=os.environ.get("FLUIDOPS_E2E_AUDIT_LOG"))
    ap.add_argument("--order", default="fluidops,kdash,kubetui,k9s")
    ap.add_argument("--json")
    a = ap.parse_args()
    order = a.order.split(",")
    versions = {}
    vf = os.path.join(a.dir, "versions.txt")
    if os.path.exists(vf):
        for line in open(vf):
            k, _, v = line.strip().partition(" ")
            versions[k] = v
    audit_paths = []
    if a.audit:
        base, ext = os.path.splitext(a.audit)
        audit_paths = sorted(glob.glob(f"{base}-*{ext}")) + [a.audit]
    events = load_audit(audit_paths) if audit_paths else []

    res, notes, agents, loads, churns = {}, {}, {}, {}, {}
    for name in order:
        jf = os.path.join(a.dir, f"{name}.json")
        sf = os.path.join(a.dir, f"{name}.status")
        if os.path.exists(sf):
            notes[name] = open(sf).read().strip()
        if not os.path.exists(jf):
            notes.setdefault(name, "not run")
            continue
        r = json.load(open(jf))
        w = r.get("windows_utc", {})
        if r.get("exited_early_s") is not None:
            notes[name] = f"exited after {r['exited_early_s']} s" + (f"; {notes[name]}" if name in notes else "")
        if r.get("first_pod_frame_s") is None:
            total_s = sum(r.get("phases_s", {}).values())
            notes.setdefault(name, f"did not show a pod within {total_s:g} s (the whole run)")
        elif r["first_pod_frame_s"] > r.get("phases_s", {}).get("startup", 1e9):
            notes.setdefault(name, f"showed pods only after the startup window, at {r['first_pod_frame_s']:g} s: "
                                   "its idle window was not idle")
        cf = os.path.join(a.dir, f"{name}.json.churn.log")
        if os.path.exists(cf):
            try:
                c = json.loads(open(cf).read().strip().splitlines()[-1])
                churns[name] = (f"{c['ok']} of {c['sent']} changes applied in {c['seconds']} s "
                                f"({c['rate_achieved']}/s achieved), latency p50 {c['latency_ms_p50']} ms, "
                                f"p99 {c['latency_ms_p99']} ms, {c['workers']} connections")
            except (ValueError, KeyError, IndexError):
                churns[name] = "churner log unreadable: " + open(cf).read()[-200:]
        lf = os.path.join(a.dir, f"{name}.load")
        if os.path.exists(lf):
            loads.setdefault(name, " / ".join(x.split(":", 1)[1].strip() for x in open(lf) if ":" in x))
        if events and w:
            for win, (s, e) in {"startup": (w["spawn"], w["idle_start"]), "idle": (w["idle_start"], w["churn_start"]),
                                "churn": (w["churn_start"], w["end"])}.items():
                ev = in_window(events, s, e)
                r.setdefault("api", {})[win] = len(ev)
                verbs = collections.Counter(x.get("verb") for x in ev)
                r.setdefault("api_verbs", {})[win] = dict(verbs)
                if win == "idle":
                    agents[name] = collections.Counter(x.get("userAgent", "?") for x in ev)
        res[name] = r

    def g(name, *path):
        v = res.get(name)
        for p in path:
            if v is None:
                return None
            v = v.get(p) if isinstance(v, dict) else None
        return v

    ph = next(iter(res.values()))["phases_s"] if res else {"startup": 0, "idle": 0, "churn": 0}
    def per_s(n, win):
        b = g(n, "bytes", win)
        return None if b is None or not ph.get(win) else round(b / ph[win], 1)

    rows = [
        ("time to first frame, any output (s)", lambda n: g(n, "first_output_s"), "s"),
        ("time to first frame with pod data (s)", lambda n: g(n, "first_pod_frame_s"), "s"),
        ("bytes to terminal, total", lambda n: g(n, "bytes", "total"), ""),
        (f"bytes to terminal, startup {ph['startup']:g} s", lambda n: g(n, "bytes", "startup"), ""),
        (f"bytes to terminal, idle {ph['idle']:g} s", lambda n: g(n, "bytes", "idle"), ""),
        (f"bytes to terminal, churn {ph['churn']:g} s", lambda n: g(n, "bytes", "churn"), ""),
        ("bytes/s under churn", lambda n: per_s(n, "churn"), ""),
        ("CPU s, total", lambda n: g(n, "cpu_s", "total"), ""),
        (f"CPU s, startup {ph['startup']:g} s", lambda n: g(n, "cpu_s", "startup"), ""),
        (f"CPU s, idle {ph['idle']:g} s", lambda n: g(n, "cpu_s", "idle"), ""),
        (f"CPU s, churn {ph['churn']:g} s", lambda n: g(n, "cpu_s", "churn"), ""),
        ("peak RSS (VmHWM, MiB)", lambda n: None if g(n, "vm_hwm_kb") is None else round(g(n, "vm_hwm_kb") / 1024, 1), ""),
        ("API requests, startup", lambda n: g(n, "api", "startup"), ""),
        (f"API requests, idle {ph['idle']:g} s", lambda n: g(n, "api", "idle"), ""),
        (f"API requests, churn {ph['churn']:g} s", lambda n: g(n, "api", "churn"), ""),
    ]
    # ratios: fluidops on the API server (or, when it was not run, the first fluidops row) ÷ each peer
    main = "fluidops" if "fluidops" in order else next((n for n in order if n.startswith("fluidops")), "fluidops")
    peers = [n for n in order if not n.startswith("fluidops")]
    head = ["metric"] + [f"{n} {versions.get(n, '')}".strip() for n in order] + [f"{main} / {p}" for p in peers]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, fn, unit in rows:
        vals = {n: fn(n) if n in res else None for n in order}
        cells = [label] + [fmt(vals[n]) for n in order] + [ratio(vals.get(main), vals[p]) for p in peers]
        out.append("| " + " | ".join(cells) + " |")
    print("\n".join(out))
    if notes:
        print()
        for n in order:
            if n in notes:
                print(f"- **{n}**: {notes[n]}")
    if churns:
        print("\nChurn against the API server, per console:")
        for n in order:
            if n in churns:
                print(f"- {n}: {churns[n]}")
    if loads:
        print("\n1-minute / 5-minute / 15-minute load averages before (and after) each console:")
        for n in order:
            if n in loads:
                print(f"- {n}: {loads[n]}")
    if agents:
        print("\nAPI requests in the idle window, by user agent and verb:")
        for n in order:
            if n in agents:
                verbs = g(n, "api_verbs", "idle") or {}
                print(f"- {n}: " + (", ".join(f"{k} ×{v}" for k, v in agents[n].most_common()) or "none")
                      + ("" if not verbs else "  (" + ", ".join(f"{k} {v}" for k, v in sorted(verbs.items())) + ")"))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
