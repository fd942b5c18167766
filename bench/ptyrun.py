#!/usr/bin/env python3
"""Run one terminal console in a pseudo-terminal of a fixed size and measure it, process-level.

Phases (wall clock, fixed lengths so every console is measured over the same time):
  startup  spawn .. +STARTUP s   keys are typed once the first frame has settled; the first frame
                                 whose decoded screen shows a pod name (NEEDLE regex) is timed
  idle     .. +IDLE s            nothing changes on the server
  churn    .. +CHURN s           CHURN_CMD runs (a bounded patch loop against the API server)
Per phase: bytes the console wrote to the terminal, CPU seconds (utime+stime from /proc/PID/stat).
At the end: peak RSS (VmHWM), and the phase boundaries as UTC timestamps so that the API server's
audit log can be counted per window afterwards.

The output is decoded with pyte (a VT100/xterm emulator) until the needle was found (plus a short
grace), and the terminal's answers to status queries (cursor position, device attributes) are
written back as a real terminal would. After that only the byte count is kept, so that the
emulator's own cost cannot throttle the console; the raw stream is saved and the final screen is
rebuilt from it after the run, outside the timed part.

Every loop is bounded by wall-clock deadlines. Standard library + pyte only.
"""
import argparse
import datetime as dt
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pyte

CLK = os.sysconf("SC_CLK_TCK")


def utc(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cpu_seconds(pid):
    """utime+stime of the process (all threads) plus its waited-for children; None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    # fields[0] is state (field 3); utime=14, stime=15, cutime=16, cstime=17 (1-based)
    ut, st, cut, cst = (int(fields[i]) for i in (11, 12, 13, 14))
    return (ut + st + cut + cst) / CLK


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def decode_keys(s):
    """Key spec: literal text with escapes \\r \\n \\t \\e (ESC), \\xHH; '|' waits KEY_GAP between groups."""
    groups = []
    for part in s.split("|"):
        b = part.replace("\\e", "\\x1b").encode().decode("unicode_escape")
        groups.append(b.encode("latin-1"))
    return groups


class AnsweringScreen(pyte.Screen):
    """A pyte screen that writes the terminal's replies (DSR, DA) back to the program."""

    def __init__(self, cols, rows, reply):
        super().__init__(cols, rows)
        self._reply = reply

    def write_process_input(self, data):
        self._reply(data.encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--startup", type=float, default=15)
    ap.add_argument("--idle", type=float, default=20)
    ap.add_argument("--churn", type=float, default=20)
    ap.add_argument("--needle", required=True, help="regex matched against each decoded screen line")
    ap.add_argument("--keys", default="", help="typed once the first frame settled ('|' separates groups)")
    ap.add_argument("--key-gap", type=float, default=0.3, help="seconds between key groups")
    ap.add_argument("--key-delay", type=float, default=0.1, help="seconds after raw mode before the first key")
    ap.add_argument("--churn-cmd", default="", help="shell command run during the churn window")
    ap.add_argument("--out", required=True, help="result JSON")
    ap.add_argument("--raw", help="save the raw terminal output stream here")
    ap.add_argument("--screen", help="save the final decoded screen here (rebuilt after the run)")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the console")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    needle = re.compile(a.needle)
    res = {"name": a.name, "cmd": cmd, "cols": a.cols, "rows": a.rows,
           "phases_s": {"startup": a.startup, "idle": a.idle, "churn": a.churn}}

    env = dict(os.environ)
    env.update(TERM="xterm-256color", COLUMNS=str(a.cols), LINES=str(a.rows), COLORTERM="truecolor")
    for kv in a.env:
        k, _, v = kv.partition("=")
        env[k] = v

    t_spawn = time.time()
    try:
        pid, fd = pty.fork()
    except OSError as e:
        res["error"] = f"pty.fork: {e}"
        json.dump(res, open(a.out, "w"), indent=1)
        return 1
    if pid == 0:  # child: the console, on the pty's slave side
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
            os.execvpe(cmd[0], cmd, env)
        except Exception as e:  # noqa: BLE001
            os.write(2, f"exec failed: {e}\n".encode())
        os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))

    def reply(data):
        try:
            os.write(fd, data)
        except OSError:
            pass

    screen = AnsweringScreen(a.cols, a.rows, reply)
    stream = pyte.ByteStream(screen)
    raw = open(a.raw, "wb") if a.raw else None

    t_startup_end = t_spawn + a.startup
    t_idle_end = t_startup_end + a.idle
    t_churn_end = t_idle_end + a.churn
    bounds = {"spawn": t_spawn, "idle_start": t_startup_end, "churn_start": t_idle_end, "end": t_churn_end}
    phase_bytes = {"startup": 0, "idle": 0, "churn": 0}
    cpu = {"spawn": 0.0}
    first_output = None
    first_pod = None
    last_output = None
    keys = decode_keys(a.keys) if a.keys else []
    keys_at = []
    raw_since = None
    decoding = True
    decode_until = None
    churn_proc = None
    exited = None
    hwm = None
    dsr = re.compile(rb"\x1b\[(6n|\?6n|0?c|>0?c|5n)")

    def phase_of(t):
        return "startup" if t < t_startup_end else "idle" if t < t_idle_end else "churn"

    while True:
        now = time.time()
        if now >= t_churn_end:
            break
        # phase boundaries: sample CPU, start/stop churn
        if "idle_start" not in cpu and now >= t_startup_end:
            cpu["idle_start"] = cpu_seconds(pid)
        if "churn_start" not in cpu and now >= t_idle_end:
            cpu["churn_start"] = cpu_seconds(pid)
            if a.churn_cmd and churn_proc is None:
                churn_proc = subprocess.Popen(a.churn_cmd, shell=True, stdout=subprocess.DEVNULL,
                                              stderr=open(a.out + ".churn.log", "w"), start_new_session=True)
        # keys: as soon as the console drew something and switched the terminal to raw mode
        # (tcgetattr on the master reports the slave's termios on Linux), or 3 s after first output
        if keys and raw_since is None and first_output is not None:
            try:
                if not termios.tcgetattr(fd)[3] & termios.ICANON:
                    raw_since = now
            except termios.error:
                pass
            if now - first_output > 3.0:
                raw_since = now
        if keys and raw_since is not None and now - raw_since >= a.key_delay:
            if not keys_at or now - keys_at[-1] >= a.key_gap:
                reply(keys.pop(0))
                keys_at.append(time.time())
        timeout = min(0.05, max(0.0, t_churn_end - now))
        try:
            r, _, _ = select.select([fd], [], [], timeout)
        except InterruptedError:
            continue
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the console exited
            data = b""
        if not data:
            exited = time.time()
            break
        t = time.time()
        if first_output is None:
            first_output = t
        last_output = t
        phase_bytes[phase_of(t)] += len(data)
        if raw:
            raw.write(data)
        if decoding:
            stream.feed(data)
            if first_pod is None:
                for line in screen.display:
                    if needle.search(line):
                        first_pod = t
                        decode_until = t + 2.0
                        break
            if decode_until is not None and t > decode_until:
                decoding = False
        else:
            for m in dsr.finditer(data):  # keep answering terminal queries without the emulator
                q = m.group(1)
                if q in (b"6n", b"?6n"):
                    reply(b"\x1b[1;1R")
                elif q == b"5n":
                    reply(b"\x1b[0n")
                elif q.startswith(b">"):
                    reply(b"\x1b[>0;10;1c")
                else:
                    reply(b"\x1b[?62;22c")

    t_stop = time.time()
    cpu_end = cpu_seconds(pid)
    hwm = status_kb(pid, "VmHWM")
    rss = status_kb(pid, "VmRSS")
    threads = status_kb(pid, "Threads")
    if churn_proc is not None:
        try:
            churn_proc.wait(timeout=max(10.0, a.churn + 10 - (t_stop - t_idle_end)))
        except subprocess.TimeoutExpired:
            os.killpg(churn_proc.pid, signal.SIGKILL)
            churn_proc.wait()
        res["churn_rc"] = churn_proc.returncode
    # stop the console: SIGTERM, then SIGKILL after 3 s (bounded)
    for sig, wait_s in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.time() + wait_s
        done = False
        while time.time() < deadline:
            try:
                os.read(fd, 65536) if select.select([fd], [], [], 0.05)[0] else None
            except OSError:
                pass
            p, status = os.waitpid(pid, os.WNOHANG)
            if p:
                done = True
                break
        if done:
            break
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    if raw:
        raw.close()

    def d(a_, b_):
        return None if a_ is None or b_ is None else round(b_ - a_, 3)

    res.update({
        "exited_early_s": d(t_spawn, exited) if exited else None,
        "first_output_s": d(t_spawn, first_output),
        "first_pod_frame_s": d(t_spawn, first_pod),
        "keys_sent_s": [d(t_spawn, k) for k in keys_at],
        "bytes": dict(phase_bytes, total=sum(phase_bytes.values())),
        "cpu_s": {
            "startup": d(cpu.get("spawn"), cpu.get("idle_start")),
            "idle": d(cpu.get("idle_start"), cpu.get("churn_start")),
            "churn": d(cpu.get("churn_start"), cpu_end),
            "total": cpu_end,
        },
        "vm_hwm_kb": hwm, "vm_rss_kb": rss, "threads": threads,
        "windows_utc": {k: utc(v) for k, v in bounds.items()},
        "windows_epoch": bounds,
    })
    # rebuild the final screen from the raw stream, outside the timed part
    if a.screen and a.raw:
        sc = pyte.Screen(a.cols, a.rows)
        st = pyte.ByteStream(sc)
        with open(a.raw, "rb") as f:
            while chunk := f.read(1 << 20):
                st.feed(chunk)
        with open(a.screen, "w") as f:
            f.write("\n".join(line.rstrip() for line in sc.display) + "\n")
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: res[k] for k in ("name", "first_pod_frame_s", "bytes", "cpu_s", "vm_hwm_kb")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
