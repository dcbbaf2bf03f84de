"""What the user waits for at start-up: `--help` and a build with nothing to do load no pandas.

Not timed (make bench measures the seconds); this asserts the cause of a slow start,
the import of pandas and pandera (about 0.6 s), stays off these paths.
"""

import subprocess
import sys

import pytest

PROBE = """
import sys
from jaarverslag.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(code, *sorted(m for m in ("pandas", "pandera", "matplotlib", "papermill") if m in sys.modules))
"""


def loaded(cwd, *args) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={"CI": "true", "PATH": "/usr/bin:/bin"})
    code, *modules = done.stdout.strip().splitlines()[-1].split()
    assert code == "0", done.stdout + done.stderr
    return modules


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"]])
def test_help_loads_no_data_libraries(hostile, args):
    assert loaded(hostile.root, *args) == []


def test_a_build_with_nothing_to_do_loads_no_data_libraries(hostile):
    assert loaded(hostile.root, "build", "--year", "2022") == []


def test_a_prose_page_renders_in_a_chapter_kernel_without_nbconvert():
    """A prose chapter's kernel renders its page with mistune alone: nbconvert pulls in
    jsonschema, which builds a grammar on import (about a second per kernel)."""
    probe = ("import sys\nfrom jaarverslag.chapters.toolkit.prose import Prose\n"
             "print(Prose('## Kop\\n\\nTekst met **6.421**.')._repr_html_())\n"
             "print('geladen:', *sorted(m for m in ('nbconvert', 'nbformat', 'jsonschema') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    page, modules = done.stdout.rsplit("geladen:", 1)
    assert "<h2>Kop</h2>" in page and "<strong>6.421</strong>" in page
    assert modules.split() == []


def test_markdown_speaks_the_plugins_of_notebook_markdown_cells():
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    from jaarverslag import markup

    assert markup._PLUGINS == tuple(MarkdownWithMath.DEFAULT_PLUGINS)
