"""Stage 2, running the chapters: papermill in warm kernels, cached on what each chapter read.

- `execute`: run a book's chapters for an edition, from the cache where nothing changed.
- `kernels`: the warm kernel pool and its papermill engine; `inkernel`: the code that runs inside a kernel.
- `cache` and `trace`: what a chapter read, and the stored results keyed on it.
- `progress`: what the terminal shows while it runs.
"""
