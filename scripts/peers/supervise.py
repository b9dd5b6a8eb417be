#!/usr/bin/env python3
"""Run a command in its own process group; kill the whole group when stdin reaches EOF.

    supervise.py [--pidfile FILE] [--grace SECONDS] [--cleanup DIR]... -- CMD [ARGS...]

The test process holds the write end of our stdin pipe. When it closes it (Drop) or dies
for any reason (panic, SIGKILL, abort), we read EOF and kill the command's whole process
group: SIGTERM, then SIGKILL after --grace seconds. No orphaned servers.

Also: if the command exits on its own we kill the rest of its group and exit with its
status; SIGTERM/SIGINT/SIGHUP to us have the same effect as EOF. The command gets
PR_SET_PDEATHSIG=SIGKILL, so even a SIGKILL of this supervisor takes the command down.
--pidfile receives the command's pid (== its process group id) once it is started.
--cleanup DIR is removed once the group is gone (for servers that outlive any Drop, such as a
per-test-binary shared instance).
Standard library only.
"""
import argparse
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time


def _pdeathsig():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # not Linux: the stdin-EOF path still works
        pass


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def kill_group(proc, grace):
    pgid = proc.pid
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc.poll() is not None and not _group_alive(pgid):
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pidfile")
    ap.add_argument("--grace", type=float, default=5.0)
    ap.add_argument("--cleanup", action="append", default=[], help="directory to remove at the end")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command given")

    stop = threading.Event()
    reason = {}

    def on_signal(signum, _frame):
        reason.setdefault("why", f"signal {signum}")
        stop.set()

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)

    # start_new_session: the command leads a new session and process group (pgid == pid).
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_pdeathsig)
    if args.pidfile:
        tmp = args.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{proc.pid}\n")
        os.replace(tmp, args.pidfile)
    print(f"[supervise] pid {proc.pid}: {' '.join(cmd)}", file=sys.stderr, flush=True)

    def watch_stdin():
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        reason.setdefault("why", "stdin EOF")
        stop.set()

    def watch_child():
        proc.wait()
        reason.setdefault("why", f"command exited with {proc.returncode}")
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Thread(target=watch_child, daemon=True).start()
    while not stop.wait(0.5):
        pass
    print(f"[supervise] {reason.get('why')}: stopping process group {proc.pid}",
          file=sys.stderr, flush=True)
    kill_group(proc, args.grace)
    for d in args.cleanup:
        shutil.rmtree(d, ignore_errors=True)
    rc = proc.returncode
    sys.exit(rc if rc is not None and rc >= 0 else 128 + (-rc if rc else 0))


if __name__ == "__main__":
    main()
