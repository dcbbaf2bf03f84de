"""A plugin (`-p forked_nbval` in pyproject.toml): nbval runs each notebook in a kernel forked
from the fork server, as a build runs its chapters (`jaarverslag.run.forks`).

A kernel started plainly imports ipykernel, pandas and matplotlib again: about 1.5 s of
CPU for each notebook nbval runs, where a forked one takes about 0.3 s. It is the same kernel
(tests/test_forks.py). Where a kernel cannot be forked, the provisioner starts it plainly.
"""

import uuid
from typing import Any

import nbval.kernel
from jupyter_client import KernelManager

from jaarverslag.run.forks import ForkProvisioner


class ForkedKernelManager(KernelManager):
    """nbval's KernelManager, with its kernel asked of the fork server."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_id", str(uuid.uuid4()))
        super().__init__(**kwargs)
        self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)


nbval.kernel.KernelManager = ForkedKernelManager  # what `nbval.kernel.start_new_kernel` makes its kernel with
