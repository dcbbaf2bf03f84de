"""Chapter kernels forked from a server that has their libraries loaded (`forkserver.py`).

Importing ipykernel, pandas, matplotlib and the rest is about 0.9 s of the 1.1 s of
CPU that starting a chapter's kernel takes; a build starts ten kernels per edition.
So a kernel is forked from a server that imported them once, and costs about 0.3 s.
It is still a kernel no notebook has run in: the server never runs one, nor imports
the project's own code.

`ForkProvisioner` is jupyter_client's `LocalProvisioner` with one change: it asks the
server for the kernel instead of starting the command itself. It watches and signals
the kernel through a pidfd (`Forked`), never through a pid that could have been reused.
Where that cannot work (another kernel command, no pidfds, a server that failed),
the kernel is started as jupyter_client starts it. When it kills a kernel it waits for the
kernel to be gone, which takes moments, so that jupyter_client does not sleep 0.1 s first.

A process starts a server at its first kernel, and another when the environment its
kernels get has changed, since libraries read it as they load. They end with the process.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from .. import paths
from . import inkernel

LAUNCHER = ["-m", "ipykernel_launcher"]  # what the kernel spec runs after its interpreter
# Set per kernel or per call, and read by no library as it loads: left out of the server's own
# environment, so that a change in them needs no new server (pytest sets the last for each test).
PER_KERNEL = (inkernel.ENV, paths.ENV, "JPY_PARENT_PID", "PYTEST_CURRENT_TEST")
ENDED = -1  # a forked kernel's exit status is its server's to collect


def usable() -> bool:
    return sys.platform == "linux" and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


class Forked:
    """What LocalProvisioner uses of a `Popen`, for a kernel forked by the server."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self._pidfd = pidfd
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.wait(0)

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            watch = select.poll()  # not select(): a process with many files open has pidfds above 1023
            watch.register(self._pidfd, select.POLLIN)
            if watch.poll(None if timeout is None else timeout * 1000):  # readable: it ended
                self._ended()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _ended(self) -> None:
        self.returncode = ENDED
        os.close(self._pidfd)

    def __del__(self) -> None:
        if self.returncode is None:
            try:
                os.close(self._pidfd)
            except Exception:  # noqa: BLE001 - at interpreter exit `os` may be gone already
                pass


class Server:
    """A running `forkserver.py`, for kernels with this interpreter and environment."""

    def __init__(self, python: str, environ: dict[str, str]) -> None:
        from .kernels import PRELOAD

        self._channel, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [python, str(Path(__file__).with_name("forkserver.py")), str(theirs.fileno()), str(os.getpid()),
                 *PRELOAD],
                pass_fds=[theirs.fileno()], env=environ, cwd="/", stdin=subprocess.DEVNULL,
                start_new_session=True)  # Ctrl-C goes to the build; the server ends when it does
        self._lock = threading.Lock()

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> Forked:
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
        with self._lock:
            self._channel.sendall(request)
            answer, fds = b"", list[int]()
            while not answer.endswith(b"\n"):
                part, new, _, _ = socket.recv_fds(self._channel, 64, 1)
                if not part:
                    raise OSError("de kernelserver is gestopt")
                answer, fds = answer + part, fds + new
        if len(fds) != 1:
            raise OSError("de kernelserver gaf geen kernel")
        return Forked(int(answer), fds[0])

    def stop(self) -> None:
        """Ask the server to end its kernels and exit; `close` waits for that."""
        self._channel.close()

    def close(self) -> None:
        self.stop()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_servers: dict[tuple[str, str], Server] = {}
_servers_lock = threading.Lock()


def server(python: str, environ: dict[str, str]) -> Server:
    """This process's server for kernels with `python` and `environ`: the running one, or a new one.

    One whose environment differs is left running, not closed: a runner may still use its kernels."""
    key = (python, json.dumps(sorted(environ.items())))
    with _servers_lock:
        found = _servers.get(key)
        if found is not None and found.process.poll() is not None:  # it died: its socket goes too
            found.close()
            found = None
        if found is None:
            found = _servers[key] = Server(python, environ)
        return found


def close() -> None:
    """End every server of this process, and with them their kernels."""
    with _servers_lock:
        for found in _servers.values():
            found.stop()  # all at once: each takes a moment to end its kernels and exit
        for found in _servers.values():
            found.close()
        _servers.clear()


atexit.register(close)


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner, with the kernel forked by this process's server (see the module)."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if not usable() or cmd[1:3] != LAUNCHER:
            return await super().launch_kernel(cmd, **kwargs)
        env: dict[str, str] = kwargs["env"]
        try:
            process = server(cmd[0], {k: v for k, v in env.items() if k not in PER_KERNEL}).fork(
                cmd[3:], env, str(kwargs.get("cwd") or Path.cwd()))
        except OSError:  # no server: started as jupyter_client starts it
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process  # type: ignore[assignment]  # what it uses of a Popen (see Forked)
        self.pid = self.pgid = process.pid  # in a session of its own
        self.cwd = kwargs.get("cwd") or Path.cwd()
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart)
        # The manager then checks every 0.1 s whether the kernel is gone. A killed kernel is gone
        # within moments: waiting for that here, the manager finds it gone at its first look.
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=1)
