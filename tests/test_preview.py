"""`jaarverslag preview` and the incremental HTML render behind it.

The render tests are cheap (the fixture book, no kernel): an unchanged chapter's page is
not written again, a changed one is, the shared parts follow a title, and the result is
always that of a full render; a build publishes an unchanged page as the same file.

The preview tests drive ONE preview process (module fixture) on a small copy of the
project: one chapter that shows a figure of clienten.csv. They poll the served page
with a generous deadline and time nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import RENDER_PROJECT, ended, make_book, orphaned_fork_servers, processes_in, render_meta

from jaarverslag.book import read_book
from jaarverslag.build import _link_pages
from jaarverslag.cli import main
from jaarverslag.paths import DATA_DIR
from jaarverslag.preview import EVENTS, MESSAGE_ID, STATUS, inject
from jaarverslag.render.html import Pages, render_html

META = render_meta({"Gegevensjaar": "2022"}, pdf_href="../jaarverslag-2022.pdf")
OLD = 10**9  # an mtime (ns) no render makes: a file that still has it was not written


# ---------------------------------------------------------------- incremental render


@pytest.fixture
def book_copy(tmp_path):
    """The fixture book in a folder of its own, its notebooks safe to change."""
    shutil.copytree(RENDER_PROJECT, tmp_path / "book")
    book = read_book(tmp_path / "book" / "_quarto.yml")
    return book, [book.root / c for c in book.notebooks]


def files(folder: Path) -> dict[str, bytes]:
    """Every file of a rendered book with its bytes; of the workbook to download (an .xlsx, a zip
    whose bytes openpyxl does not keep the same from one render to the next) only its name."""
    return {p.relative_to(folder).as_posix(): b"" if p.suffix == ".xlsx" else p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def age(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(OLD, OLD))


def rewritten(folder: Path) -> set[str]:
    """The pages and assets written since `age`: the figures to download (CSV, workbook) follow
    their tables and are left out here."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and p.stat().st_mtime_ns != OLD and (p.suffix == ".html" or p.parts[len(folder.parts)] == "assets")}


@pytest.fixture(autouse=True)
def same_time(monkeypatch):
    """A render dated by SOURCE_DATE_EPOCH: two renders of the same chapters are the same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1669852800")


def change(notebook: Path, old: str, new: str) -> None:
    text = notebook.read_text(encoding="utf-8")
    assert old in text
    notebook.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("memo", [False, True], ids=["plain", "with-pages"])
def test_only_the_changed_chapter_page_is_written_and_the_result_is_a_full_render(book_copy, tmp_path, memo):
    book, chapters = book_copy
    pages = Pages() if memo else None
    out = tmp_path / "html"
    render_html(book, chapters, out, meta=META, pages=pages)
    age(out)

    clienten = book.root / "notebooks" / "clienten.ipynb"
    change(clienten, "6.421", "6.999")
    render_html(book, chapters, out, meta=META, pages=pages)

    assert rewritten(out) == {"clienten.html"}  # not the other chapters, the home page or the assets
    assert "6.999" in (out / "clienten.html").read_text(encoding="utf-8")
    if pages is not None:
        assert [name for name in pages.written if name.endswith(".html")] == ["clienten.html"]
    full = tmp_path / "full"
    render_html(book, chapters, full, meta=META)
    assert files(out) == files(full)


def test_a_new_title_redoes_the_navigation_of_every_page(book_copy, tmp_path):
    book, chapters = book_copy
    out = tmp_path / "html"
    render_html(book, chapters, out, meta=META)
    age(out)

    change(book.root / "notebooks" / "wijkhuizen.ipynb", '"# Wijkhuizen', '"# Onze wijkhuizen')
    render_html(book, chapters, out, meta=META)

    assert rewritten(out) == {"index.html", "voorwoord.html", "clienten.html", "wijkhuizen.html"}
    assert all("Onze wijkhuizen" in (out / name).read_text(encoding="utf-8") for name in rewritten(out))
    full = tmp_path / "full"
    render_html(book, chapters, full, meta=META)
    assert files(out) == files(full)


def test_a_chapter_that_left_the_book_loses_its_page(book_copy, tmp_path):
    book, chapters = book_copy
    out = tmp_path / "html"
    render_html(book, chapters, out, meta=META)
    render_html(book, chapters[:2], out, meta=META)

    assert not (out / "wijkhuizen.html").exists()
    full = tmp_path / "full"
    render_html(book, chapters[:2], full, meta=META)
    assert files(out) == files(full)


def test_a_build_publishes_an_unchanged_page_as_the_same_file(book_copy, tmp_path):
    """The build links the published pages into its staging folder; the render replaces only the
    pages that change, and never writes through a link into the published edition."""
    book, chapters = book_copy
    published = tmp_path / "2022" / "wijkkracht" / "html"
    render_html(book, chapters, published, meta=META)
    before = files(published)

    change(book.root / "notebooks" / "clienten.ipynb", "6.421", "6.999")
    staged = tmp_path / "2022" / ".wijkkracht-staging" / "html"
    _link_pages(published, staged)
    render_html(book, chapters, staged, meta=META)

    assert files(published) == before  # the published edition is untouched until the swap
    same = {name for name in files(staged) if (staged / name).stat().st_ino == (published / name).stat().st_ino}
    assert "clienten.html" not in same
    assert {"index.html", "voorwoord.html", "wijkhuizen.html"} <= same
    assert "clienten.html" in files(staged) and b"6.999" in files(staged)["clienten.html"]
    full = tmp_path / "full"
    render_html(book, chapters, full, meta=META)
    assert files(staged) == files(full)


def test_the_served_page_gets_the_message_escaped_and_the_reload_script():
    page = "<html><body class='x'><p>tekst</p></body></html>"
    served = inject(page, 7, "clienten.csv, regel 2, kolom 'contactmomenten', waarde '<b>veel</b>': geen getal")
    assert served.index(MESSAGE_ID) < served.index("<p>tekst</p>") < served.index("<script>")
    assert "&lt;b&gt;veel&lt;/b&gt;" in served and "<b>veel</b>" not in served
    assert f'new EventSource("{EVENTS}")' in served and "var shown = 7;" in served
    assert MESSAGE_ID not in inject(page, 8, None)


# ---------------------------------------------------------------- refused before it serves


def test_a_port_in_use_and_an_unknown_gemeente_are_one_sentence(tmp_path, data_copy, capsys):
    make_book(tmp_path, {"proef": "1"})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert main(["preview", "--year", "2022", "--project", str(tmp_path), "--port", port, "--no-browser"]) == 2
    assert f"Poort {port} is al in gebruik" in capsys.readouterr().err
    assert main(["preview", "--year", "2022", "--project", str(tmp_path), "--gemeente", "Hengeloo",
                 "--no-browser"]) != 0
    err = capsys.readouterr().err
    assert "bedoelt u Hengelo?" in err and "Traceback" not in err
    assert not (tmp_path / "build" / "preview" / "2022" / "hengeloo").exists()


# ---------------------------------------------------------------- the preview process

CHAPTER = """from IPython.display import Markdown
from jaarverslag import Edition
frame = Edition(year, gemeente, data_dir).load("clienten").set_index("gemeente")
Markdown(f"Contactmomenten in Borne: **{int(frame.loc['Borne', 'contactmomenten'])}**.")"""
ROW = re.compile(r"^Borne,(\d+),(\d+),([^,]*),", re.M)
DEADLINE = 300  # seconds: generous, a busy machine starts a kernel slowly; nothing is timed


class Served:
    """The preview process, its terminal output and the page it serves."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.data = project / "data" / "2022" / "clienten.csv"
        self.err_file = project.parent / "preview-stderr.txt"
        self.before = self.outside_build()
        self.process = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-m", "jaarverslag.cli", "preview", "--year", "2022",
             "--project", str(project), "--port", "0", "--no-browser", "--pdf-after", "0"],
            cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.err_file.open("w", encoding="utf-8"), text=True)
        found = self.until(lambda: re.search(r"http://127\.0\.0\.1:(\d+)/", self.terminal()), "the address")
        self.url = f"http://127.0.0.1:{found.group(1)}"
        self.until(lambda: self.status()["version"] > 0, "the first pass")

    def outside_build(self) -> set[str]:
        return {p.relative_to(self.project).as_posix() for p in self.project.rglob("*")
                if "build" not in p.relative_to(self.project).parts}

    def terminal(self) -> str:
        return self.err_file.read_text(encoding="utf-8")

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=60) as response:
            return response.read().decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.get(STATUS))

    def until(self, check, what: str):
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the preview ended while waiting for {what}:\n{self.terminal()}"
            try:
                found = check()
            except (urllib.error.URLError, ConnectionError):
                found = None
            if found:
                return found
            time.sleep(0.2)
        pytest.fail(f"no {what} within {DEADLINE} s; the preview said:\n{self.terminal()}")

    def set_value(self, value: str) -> None:
        text = self.data.read_text(encoding="utf-8")
        self.data.write_text(ROW.sub(lambda m: f"Borne,{m.group(1)},{m.group(2)},{value},", text, count=1),
                             encoding="utf-8")

    def page(self) -> str:
        return self.get("/html/proef.html")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = tmp_path_factory.mktemp("voorbeeld") / "project"
    make_book(project, {"proef": CHAPTER})
    shutil.copytree(DATA_DIR / "2022", project / "data" / "2022")
    preview = Served(project)
    yield preview
    if preview.process.poll() is None:
        preview.process.send_signal(signal.SIGINT)
        ended(preview.process, timeout=120)


@pytest.mark.slow
def test_an_edit_reaches_the_served_page(served):
    assert "Contactmomenten in Borne: <strong>2981</strong>" in served.page()
    with urllib.request.urlopen(served.url + EVENTS, timeout=120) as events:
        first = events.readline().decode()
        assert first.startswith("data: ")
        served.set_value("2990")
        line = first
        while line in (first, "\n") or line.startswith(":"):  # the reload event: a new version
            line = events.readline().decode()
    assert served.until(lambda: "<strong>2990</strong>" in served.page(), "the new figure")
    assert "new EventSource" in served.page()
    html = served.project / "build" / "preview" / "2022" / "wijkkracht" / "html"
    assert not any("<script" in p.read_text(encoding="utf-8") for p in html.glob("*.html"))
    assert "proef" in served.terminal()


@pytest.mark.slow
def test_a_bad_value_shows_its_message_in_the_page_and_the_terminal(served):
    served.set_value("<b>veel</b>")
    page = served.until(lambda: MESSAGE_ID in (p := served.page()) and "veel" in p and p, "the message")
    message = page.split(f'id="{MESSAGE_ID}"', 1)[1].split("</div>", 1)[0]
    assert "clienten.csv" in message and "contactmomenten" in message and "regel 2" in message
    assert "&lt;b&gt;veel&lt;/b&gt;" in message and "<b>veel</b>" not in page
    assert served.until(lambda: "<b>veel</b>" in served.terminal(), "the message in the terminal")


@pytest.mark.slow
def test_fixing_the_value_clears_the_message(served):
    served.set_value("<b>veel</b>")
    served.until(lambda: served.status()["error"], "the message")
    served.set_value("2995")
    served.until(lambda: "<strong>2995</strong>" in served.page(), "the fixed figure")
    assert MESSAGE_ID not in served.page() and served.status()["error"] is None
    assert "Opgelost" in served.terminal()


@pytest.mark.slow
def test_the_pdf_is_made_on_request_only(served):
    folder = served.project / "build" / "preview" / "2022" / "wijkkracht"
    assert not list(folder.glob("*.pdf"))  # not in the edit loop
    with urllib.request.urlopen(served.url + "/jaarverslag-2022-wijkkracht.pdf", timeout=DEADLINE) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"


@pytest.mark.slow
def test_ctrl_c_stops_the_preview_cleanly(served):
    served.process.send_signal(signal.SIGINT)
    out, _ = ended(served.process, timeout=120)
    terminal = served.terminal()
    assert served.process.returncode in (0, 130), terminal
    assert "Traceback" not in terminal and "Voorbeeld gestopt." in terminal
    assert served.outside_build() == served.before  # nothing written outside build/
    run = served.project / "build" / ".run"
    assert not [p for p in run.rglob("*") if p.is_file()], "a kernel's connection file was left"
    alive = processes_in(served.project) + orphaned_fork_servers()
    assert not alive, f"processes of the preview still run: {alive}"
