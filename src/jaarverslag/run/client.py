"""The client a chapter's notebook is run through: jupyter_client's own, ready 0.2 s sooner.

Before the first cell, nbclient waits for the kernel (`wait_for_ready`): it asks for the
kernel's info until the answer comes and IOPub has carried a message, so both channels
are connected. jupyter_client then also reads IOPub until it has been quiet for 0.2 s,
to drop what came before. For a notebook run that is 0.2 s of every kernel's start for
nothing: nbclient reads only the IOPub messages that answer its own requests, and
leaves the rest. `ReadyClient` is ready once both channels are connected.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

# How long IOPub may take to carry its first message (the kernel's welcome or status), as
# jupyter_client waits: without one, the kernel is asked again.
IOPUB_CONNECTED = 0.2


class ReadyClient(AsyncKernelClient):
    """An AsyncKernelClient whose `wait_for_ready` ends once the kernel answered on both channels."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=IOPUB_CONNECTED)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    wait_for_ready = _async_wait_for_ready
