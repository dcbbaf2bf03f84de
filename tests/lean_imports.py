"""A plugin loaded before pytest's others (`-p lean_imports` in pyproject.toml).

nbval, loaded with pytest, imports nbformat and with it jsonschema. When the optional
rfc3987_syntax is installed (JupyterLab brings it along), jsonschema builds a grammar for
IRIs as it loads: 1.6 s of CPU in each test process, for a format that no notebook schema
uses. Marked absent here, as the command does (`cli.main`), it is left out.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
