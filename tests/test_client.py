"""The client a notebook runs through (run/client.py): ready once the kernel answered on
shell and IOPub, also when IOPub never falls quiet (jupyter_client's own waits for 0.2 s of
quiet first, and would wait for ever here)."""

import asyncio

import pytest

from jaarverslag.run.client import ReadyClient
from jaarverslag.run.kernels import Kernel, connection_folder, remove_folder, start_kernel

# A kernel that prints on IOPub every 20 ms from a thread of its own, for as long as it runs.
CHATTER = """import threading, time
def chatter():
    while True:
        print(".", end="", flush=True)
        time.sleep(0.02)
threading.Thread(target=chatter, daemon=True).start()"""


@pytest.mark.slow
def test_a_kernel_is_ready_while_iopub_keeps_talking(tmp_path):
    folder = connection_folder(tmp_path / ".run")
    km = Kernel(folder).km  # as a build makes it
    start_kernel(km, tmp_path)

    async def ready_while_talking() -> str:
        first = km.client()
        first.start_channels()
        try:
            await first.wait_for_ready(timeout=60)
            await first.execute_interactive(CHATTER, timeout=60)
            second = km.client()  # asks for the kernel's info while the prints go on
            assert isinstance(second, ReadyClient)
            second.start_channels()
            try:
                # Bounded, so that a client that waits for quiet fails here instead of hanging.
                await asyncio.wait_for(second.wait_for_ready(timeout=60), 60)
                while (kind := (await second.iopub_channel.get_msg(timeout=5))["msg_type"]) == "status":
                    pass
                return kind  # still talking
            finally:
                second.stop_channels()
        finally:
            first.stop_channels()

    try:
        assert asyncio.run(ready_while_talking()) == "stream"
    finally:
        km.shutdown_kernel(now=True)
        remove_folder(folder)
