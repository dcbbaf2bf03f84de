"""Stage 2, running the chapters: papermill, a fresh kernel per notebook, cached on what each chapter read.

- `execute`: run a book's chapters for an edition, from the cache where nothing changed.
- `kernels`: a fresh kernel per notebook, a few at a time; `inkernel`: what runs inside one, recording reads.
- `forks` and `forkserver`: each kernel forked from a server that has the libraries loaded.
- `client`: the client a notebook runs through, ready as soon as its kernel is.
- `cache` and `trace`: what a chapter read, and the stored results keyed on it.
- `progress`: what the terminal shows while it runs.
"""
