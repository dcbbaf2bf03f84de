"""A plugin loaded before pytest's others (`-p lean_imports` in pyproject.toml): nbval, loaded
with pytest, imports nbformat, so the IRI grammar is skipped here, as the command skips it."""

from jaarverslag.cli import skip_iri_grammar

skip_iri_grammar()
