"""Stage 4, publishing: an edition built in staging is swapped in whole, with its manifest.

- `swap`: staging, the atomic swap, recovery after a crash, the manifest file.
- `provenance`: where a report came from (data hash, code version, packages, build date).
"""
