"""docs/volgend-jaar.md, followed from beginning to end as an analyst would, in a copy of the project.

In a temporary copy (the notebooks, _quarto.yml and the 2022 data): the commands of the
guide's short list are run as written there (`new-year 2023`, `validate --year 2023`,
`build --year 2023`), with the steps between them done as the guide says: the templates
filled with the figures of 2022 (a few changed, with the totals that must agree across
files changed together), the wijkhuizen that were still expected set to opened, and the
two prose pages written in place of their drafts. The 2023 report is built once per test
run (`once_per_run`), and the tests read it: it compares 2023 with 2022.

The guide's other lines (`make look`, `build --all`) are checked for what they promise
without running them: `make look` writes into build/look/<year>/; `--all` is tested on
2022 by the editions tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import once_per_run
from test_newyear import fill_year, rows, write_rows

from jaarverslag.cli import main
from jaarverslag.data.checks import CHECKS
from jaarverslag.paths import PROJ_ROOT

GUIDE = PROJ_ROOT / "docs" / "volgend-jaar.md"
JAARVERSLAG = ".venv/bin/jaarverslag"
# What the guide's short list says, and what of it this test runs (the rest: see the module's doc).
SHORT_LIST = [
    "jaarverslag new-year 2023",
    "jaarverslag validate --year 2023",
    "jaarverslag build --year 2023",
    "make look YEAR=2023",
    "jaarverslag build --year 2023 --all",
]
RUN = SHORT_LIST[:3]
BORNE_MORE = 10  # Borne's clients in 2023: 2022's 718 and ten more (one age group)


def short_list() -> list[str]:
    """The commands of the guide's first code block ("Kort:"), comments left off."""
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"Kort:\s*```bash\n(.*?)```", text, re.DOTALL)
    assert block, f"{GUIDE.name} has no short list (a bash block after 'Kort:')"
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    return [line.removeprefix(".venv/bin/") for line in lines if line]


def cli(command: str, project: Path) -> tuple[int, str]:
    """A `jaarverslag ...` line of the guide, run in `project` as if typed there: code and output."""
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        code = main([*shlex.split(command)[1:], "--project", str(project)])
    return code, said.getvalue()


def change_a_few_figures(year: Path) -> None:
    """New figures for 2023, as the teams might send them: Borne has ten clients more (in one age
    group too, so the totals agree), and the wijkhuizen expected in 2022 are open (guide, step 2)."""
    clienten = rows(year / "clienten.csv")
    borne = next(r for r in clienten if r[0] == "Borne")
    borne[1] = str(int(borne[1]) + BORNE_MORE)
    write_rows(year / "clienten.csv", clienten)
    leeftijd = rows(year / "leeftijd.csv")
    group = next(r for r in leeftijd if r[0] == "Borne")
    group[2] = str(int(group[2]) + BORNE_MORE)
    write_rows(year / "leeftijd.csv", leeftijd)
    wijkhuizen = rows(year / "wijkhuizen.csv")
    for row in wijkhuizen[1:]:
        if row[5] == "verwacht":
            row[4:6] = ["2022-05-02", "geopend"]
    write_rows(year / "wijkhuizen.csv", wijkhuizen)


def write_the_texts(year: Path) -> None:
    """Guide, step 3: the drafts replaced by the text, the three lines on top gone."""
    (year / "tekst" / "voorwoord.md").write_text(
        "## Een jaar van groei\n\nIn 2023 kwamen er in Borne tien cliënten bij.\n\n"
        "> **Met elkaar én voor elkaar!**\n\n**De directeur-bestuurder**\\\nWijkkracht\n", encoding="utf-8")
    (year / "tekst" / "raad_van_toezicht.md").write_text(
        "## Algemeen\n\nDe Raad van Toezicht kijkt met tevredenheid terug op 2023.\n", encoding="utf-8")


def follow_the_guide(folder: Path) -> None:
    """The guide's steps in a copy of the project; what each command said goes to said.json."""
    project = folder / "project"
    project.mkdir()
    for name in ("_quarto.yml", "index.qmd"):
        shutil.copy(PROJ_ROOT / name, project / name)
    shutil.copytree(PROJ_ROOT / "notebooks", project / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(PROJ_ROOT / "data" / "2022", project / "data" / "2022")
    said: dict[str, tuple[int, str]] = {}
    said["new-year"] = cli(RUN[0], project)
    year = project / "data" / "2023"
    said["validate, before filling"] = cli(RUN[1], project)
    fill_year(project / "data")  # step 2: the figures (those of 2022, to begin with)
    change_a_few_figures(year)
    write_the_texts(year)  # step 3
    said["validate"] = cli(RUN[1], project)  # step 4
    said["build"] = cli(RUN[2], project)  # step 5
    (folder / "said.json").write_text(json.dumps(said, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture(scope="session")
def guided(tmp_path_factory) -> Path:
    """The copied project after following the guide: data/2023/ filled, 2023 built."""
    return once_per_run(tmp_path_factory, "volgend-jaar-2023", follow_the_guide)


@pytest.fixture(scope="session")
def said(guided) -> dict[str, list]:
    return json.loads((guided / "said.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def clienten_page(guided) -> BeautifulSoup:
    manifest = json.loads((guided / "project" / "build" / "2023" / "manifest.json").read_text(encoding="utf-8"))
    html = guided / "project" / "build" / "2023" / manifest["editions"]["wijkkracht"]["html"]
    return BeautifulSoup((html.parent / "clienten.html").read_text(encoding="utf-8"), "html.parser")


# ---- the guide itself ---------------------------------------------------------------

def test_the_guide_lists_the_commands_this_test_follows():
    assert short_list() == SHORT_LIST, "docs/volgend-jaar.md changed its short list: follow it here too"


def test_the_guide_names_every_total_that_must_agree_across_files():
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### Totalen die over bestanden heen moeten kloppen"):text.index("## 3.")]
    for check in CHECKS:
        first, second = check.datasets
        assert re.search(rf"`{first}\.csv`.*`{second}\.csv`|`{second}\.csv`.*`{first}\.csv`", section), (
            f"the guide does not say that {first}.csv and {second}.csv must agree ({check.describe()})")


def test_make_look_keeps_each_year_in_its_own_folder():
    dry = subprocess.run(["make", "--no-print-directory", "-n", "look", "YEAR=2023"], cwd=PROJ_ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert dry.rstrip().endswith("build/2023/wijkkracht/jaarverslag-2023-wijkkracht.pdf build/look/2023"), dry


# ---- following it -------------------------------------------------------------------

@pytest.mark.slow
def test_new_year_said_what_to_do_next_and_the_drafts_were_refused(said):
    code, out = said["new-year"]
    assert code == 0, out
    assert "data/2023/tekst/" in out
    for step in ("jaarverslag validate --year 2023", "make preview YEAR=2023", "make report YEAR=2023"):
        assert step in out, out
    code, out = said["validate, before filling"]
    assert code == 1 and "data/2023/tekst/voorwoord.md: is nog een concept" in out


@pytest.mark.slow
def test_the_filled_year_validates_without_warnings(said):
    assert said["validate"] == [0, "De gegevens van 2023 zijn in orde.\n"]


@pytest.mark.slow
def test_the_2023_report_is_built(said, guided):
    code, out = said["build"]
    assert code == 0, out
    assert "Jaarverslag 2023, editie wijkkracht" in out
    assert (guided / "project" / "build" / "2023" / "wijkkracht" / "jaarverslag-2023-wijkkracht.pdf").is_file()


@pytest.mark.slow
def test_the_2023_report_compares_with_2022(clienten_page):
    """The clients' table says it is compared with 2022, and Borne's row holds 2023's figure and
    the change (however the table lays the two out)."""
    table = next(t for t in clienten_page.select("table") if "Cliënten" in t.get_text())
    assert "vergeleken met 2022" in table.get_text(" ", strip=True)
    assert any("2022" in th.get_text() for th in table.select("thead th")), "no heading names 2022"
    borne = next(tr for tr in table.select("tbody tr") if tr.find(string=re.compile(r"^\s*Borne\s*$")))
    cells = [td.get_text(" ", strip=True) for td in borne.find_all(["td", "th"])]
    assert any(c.startswith("728") for c in cells) and any("+10 (+1,4%)" in c for c in cells), cells


@pytest.mark.slow
def test_the_written_texts_are_in_the_report(guided):
    html = guided / "project" / "build" / "2023" / "wijkkracht" / "html" / "voorwoord.html"
    text = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").get_text()
    assert "In 2023 kwamen er in Borne tien cliënten bij." in text
    assert "concept: true" not in text


# ---- JupyterLab on the whole project (make lab) ---------------------------------------

def _api(url: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                     method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def lab_command(options: str) -> str:
    """The command `make lab LAB_ARGS=...` runs (the environment step before it left out: it is there)."""
    # --no-print-directory: under `make test` this make is a sub-make, which would print its folder
    dry = subprocess.run(["make", "--no-print-directory", "-n", "lab", f"LAB_ARGS={options}"], cwd=PROJ_ROOT,
                         capture_output=True, text=True, check=True).stdout
    return dry.rstrip().splitlines()[-1]


def test_make_lab_passes_its_options_and_opens_the_project_root():
    command = shlex.split(lab_command("--no-browser --port 8899"))
    assert command[0].endswith("/bin/jupyter") and command[1] == "lab", command
    assert f"--ServerApp.root_dir={PROJ_ROOT}" in command
    assert command[-2:] == ["--port", "8899"] and "--no-browser" in command


@pytest.mark.slow
def test_make_lab_opens_the_whole_project_with_the_chapters_kernel(unused_port, tmp_path):
    token = "proef"
    # Jupyter's own files (runtime, settings, workspaces, the kernel's IPython profile) in the test's folder.
    private = {name: str(tmp_path / name.lower()) for name in
               ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR")}
    lab = subprocess.Popen(lab_command(f"--no-browser --port {unused_port} --IdentityProvider.token={token}"),
                           shell=True, cwd=PROJ_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True, env={**os.environ, **private})
    base = f"http://127.0.0.1:{unused_port}/api"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _api(f"{base}/status?token={token}")
                break
            except OSError:
                assert lab.poll() is None, f"JupyterLab stopped: {lab.stdout.read() if lab.stdout else ''}"
                assert time.monotonic() < deadline, "JupyterLab did not answer within 120 s"
                time.sleep(0.5)
        # The data, the texts and the chapters: all in its file browser.
        root = {item["name"] for item in _api(f"{base}/contents?token={token}")["content"]}
        assert {"data", "notebooks", "_quarto.yml"} <= root, root
        texts = {item["name"] for item in _api(f"{base}/contents/data/2022/tekst?token={token}")["content"]}
        assert "voorwoord.md" in texts
        # A chapter opens with the kernel it names: the project's own.
        chapter = _api(f"{base}/contents/notebooks/clienten.ipynb?token={token}&content=1")
        kernel = chapter["content"]["metadata"]["kernelspec"]["name"]
        assert kernel == "jaarverslag" and kernel in _api(f"{base}/kernelspecs?token={token}")["kernelspecs"]
        session = _api(f"{base}/sessions?token={token}", {"path": "notebooks/clienten.ipynb", "type": "notebook",
                                                           "name": "clienten.ipynb", "kernel": {"name": kernel}})
        assert session["kernel"]["name"] == "jaarverslag", session
    finally:
        os.killpg(lab.pid, signal.SIGTERM)  # JupyterLab shuts its kernels down and stops
        lab.communicate(timeout=60)


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
