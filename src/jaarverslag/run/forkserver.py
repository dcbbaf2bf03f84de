"""The fork server: chapter kernels forked from a process that has loaded their libraries.

Started by `forks.Server` as a script, never imported: `python forkserver.py FD RUNNER MODULE...`
(RUNNER: the pid of the process it serves, so that `ps` tells whose server it is).
It imports ipykernel, what a kernel loads as it starts (`KERNEL`: its debugger too) and
the libraries every chapter uses (`kernels.PRELOAD`), about 1 s of each kernel's start,
once. Then it waits on the socket FD for requests, a JSON line each: a kernel's
arguments, environment and folder. For each it forks, and the
child becomes that kernel as `python -m ipykernel_launcher ARGS`, started in that folder
with that environment, would: in a session of its own, with the environment replaced
and the folder changed before ipykernel starts. The server answers with the child's pid
and a pidfd for it, through which the runner watches and signals the kernel.

It never imports the project's own code, so a kernel loads the chapters afresh: edits
show, and the trace sees every file a chapter reads. When the socket closes (the runner
ended, also when it was killed) it ends its kernels and exits; a kernel whose server is
gone ends too (ipykernel's parent poller).
"""

import sys

if __name__ == "__main__":
    del sys.path[0]  # this file's folder: its neighbours (trace.py) must not shadow the standard library

import importlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
from typing import Any  # noqa: E402

# What ipykernel sets before any cell runs; matplotlib reads it when imported, here.
INLINE = "module://matplotlib_inline.backend_inline"
# What ipykernel imports as a kernel starts, besides its app: its debugger (debugpy) alone is
# about 0.1 s of CPU per kernel.
KERNEL = ("ipykernel.kernelapp", "ipykernel.debugger", "psutil", "sqlite3", "pdb", "IPython.core.debugger",
          "IPython.core.completerlib", "IPython.extensions.storemagic", "tornado.platform.asyncio")
QUIET_DEBUGPY = "PYDEVD_DISABLE_FILE_VALIDATION"
# What those imports set in the environment (debugpy does), for every kernel: as in a kernel
# that imports them itself, where its own environment has no value.
set_by_kernel: dict[str, str] = {}


def serve(fd: int, preload: list[str]) -> dict[str, Any] | None:
    """Fork a kernel for every request until the socket closes (then None). In a forked
    child this returns the child's request, with the server's loop left behind."""
    channel = socket.socket(fileno=fd)
    os.environ.setdefault("MPLBACKEND", INLINE)
    before = dict(os.environ)
    # debugpy checks the interpreter as it loads, and would warn on the build's terminal.
    os.environ.setdefault(QUIET_DEBUGPY, "1")
    _load(KERNEL)
    if QUIET_DEBUGPY not in before:
        del os.environ[QUIET_DEBUGPY]
    set_by_kernel.update((k, v) for k, v in os.environ.items() if before.get(k) != v)
    _load(preload)
    children: set[int] = set()
    pending = b""
    while True:
        _reap(children)
        if not select.select([channel], [], [], 1.0)[0]:
            continue
        received = channel.recv(1 << 20)
        if not received:
            break
        pending += received
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            pid = os.fork()
            if pid == 0:
                channel.close()
                request: dict[str, Any] = json.loads(line)
                return request
            children.add(pid)
            pidfd = os.pidfd_open(pid)  # before any reaping: the pid is still this child's
            socket.send_fds(channel, [b"%d\n" % pid], [pidfd])
            os.close(pidfd)
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    return None


def _load(modules: tuple[str, ...] | list[str]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the notebook's own import will say what is wrong
            pass


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def become_kernel(request: dict[str, Any]) -> None:
    """Run ipykernel as `python -m ipykernel_launcher` with the request's arguments would."""
    os.setsid()  # as jupyter_client starts a kernel: a group of its own, to interrupt it whole
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(request["cwd"])
    server = os.getppid()
    os.environ.clear()
    os.environ.update(request["env"], JPY_PARENT_PID=str(server))
    for name, value in set_by_kernel.items():
        os.environ.setdefault(name, value)
    launcher = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [launcher.origin if launcher and launcher.origin else "ipykernel_launcher", *request["argv"],
                f"--IPKernelApp.parent_handle={server}"]  # its default was read when the server imported it
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    asked = serve(int(sys.argv[1]), sys.argv[3:])
    if asked is None:  # nothing to save: exit without the interpreter's teardown of all it loaded
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    become_kernel(asked)
