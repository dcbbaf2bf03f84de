"""Stage 1, data: what a year's files must hold, reading them, and the checks across them.

- `contract`: every dataset (file, columns, rules, source); docs/data.md comes from it (`docs`).
- `schema`: the column kinds and rules, as pandera schemas; `frequency` reads "2x per maand".
- `read`: find, read and validate a year's files; `checks`: figures that must agree across files,
  warnings (allowed but unlikely in a new year), and prose pages missing, empty or still a draft.
- `newyear`: templates for a new year, and its prose pages as drafts.
"""
