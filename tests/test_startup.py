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
