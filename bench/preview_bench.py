"""How fast an edit reaches the page in `jaarverslag preview`: row (g) of `make bench`.

    .venv/bin/python bench/preview_bench.py [--runs 5] [--pause 2]

A script, not a test. It copies the book (_quarto.yml, index.qmd, notebooks/) and
data/2022 into a temporary folder, starts `jaarverslag preview --year 2022` there
(port 0, no browser, no PDF in the background), waits for the first pass (every
chapter runs: a cold cache), and then, RUNS times, waits PAUSE seconds (an analyst
looks at the page before saving again; meanwhile the preview starts its next kernels)
and writes one changed data file (clienten.csv: the contact moments of one gemeente,
a new value each run), and measures from just before the write to

- reload: the server-sent event that tells the open page to reload, and
- page:   the served clienten.html holding the new figure (polled every 10 ms).

It prints the median of each against the target (1.5 s), every run, which chapters
each pass ran and where the pass's time went (data, chapters, pages; the preview's
terminal line). The project's own build/ is never touched; the temp folder is removed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
YEAR = 2022
RUNS = 5
PAUSE = 2.0  # s between the page showing one edit and the next save
TARGET = 1.5  # s, from saving the file to the page holding the new figure
DATA_FILE = "clienten.csv"
PAGE = "/html/clienten.html"
ROW = re.compile(r"^Borne,(\d+),(\d+),(\d+),", re.M)  # gemeente, clienten, nieuwe_clienten, contactmomenten
FIRST_PASS = 600  # s: the first pass runs every chapter
EACH_PASS = 120  # s


def dutch(value: int) -> str:
    """6421 -> '6.421', as the report writes a number."""
    return f"{value:,}".replace(",", ".")


def copy_project(work: Path) -> Path:
    project = work / "project"
    project.mkdir()
    for name in ("_quarto.yml", "index.qmd"):
        shutil.copy2(PROJ_ROOT / name, project / name)
    shutil.copytree(PROJ_ROOT / "notebooks", project / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(PROJ_ROOT / "data" / str(YEAR), project / "data" / str(YEAR))
    return project


class Server:
    def __init__(self, project: Path, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jaarverslag.cli", "preview", "--year", str(YEAR), "--project", str(project),
             "--port", "0", "--no-browser", "--pdf-after", "0"],
            cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log.open("w"))
        found = self.until(lambda: re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text()), 60, "its address")
        self.url = f"http://127.0.0.1:{found.group(1)}"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=60) as response:
            return response.read().decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.get("/_preview/status"))

    def until(self, check, seconds: float, what: str, every: float = 0.01):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"the preview ended while waiting for {what}:\n{self.log.read_text()}")
            try:
                found = check()
            except OSError:
                found = None
            if found:
                return found
            time.sleep(every)
        sys.exit(f"no {what} within {seconds} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def reload_event(server: Server, seen: list[int], at: list[float], ready: threading.Event) -> None:
    """Read the server-sent events; note when the first new version arrives."""
    with urllib.request.urlopen(server.url + "/_preview/events", timeout=EACH_PASS) as events:
        for raw in events:
            line = raw.decode().strip()
            if not line.startswith("data: "):
                continue
            version = int(line[6:])
            if not seen:
                seen.append(version)
                ready.set()
            elif version != seen[0]:
                at.append(time.perf_counter())
                return


def one_edit(server: Server, data: Path, value: int) -> tuple[float, float | None, list[str]]:
    seen: list[int] = []
    at: list[float] = []
    ready = threading.Event()
    listener = threading.Thread(target=reload_event, args=(server, seen, at, ready), daemon=True)
    listener.start()
    ready.wait(30)
    figure = dutch(value)
    assert figure not in server.get(PAGE), f"{figure} is on the page already"
    text = data.read_text(encoding="utf-8")
    changed = ROW.sub(lambda m: f"Borne,{m.group(1)},{m.group(2)},{value},", text, count=1)
    started = time.perf_counter()
    data.write_text(changed, encoding="utf-8")  # the analist saves the file
    server.until(lambda: figure in server.get(PAGE), EACH_PASS, f"the figure {figure} on the page")
    page = time.perf_counter() - started
    listener.join(EACH_PASS)
    reload = at[0] - started if at else None
    return page, reload, server.status().get("ran", []), last_pass(server.log)


def last_pass(log: Path) -> str:
    """Where the last pass's time went, as the preview's terminal line says it (data, chapters, pages)."""
    found = re.findall(r"\(([\d,]+ s: gegevens .*?)\)$", log.read_text(encoding="utf-8"), re.M)
    return found[-1] if found else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--pause", type=float, default=PAUSE, help="seconds between one edit's page and the next save")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        work = Path(tmp)
        project = copy_project(work)
        data = project / "data" / str(YEAR) / DATA_FILE
        first = int(ROW.search(data.read_text(encoding="utf-8")).group(3))
        started = time.perf_counter()
        server = Server(project, work / "preview.log")
        server.until(lambda: server.status()["version"] > 0, FIRST_PASS, "the first pass", every=0.2)
        if server.status()["error"]:
            server.stop()
            sys.exit(f"the first pass failed:\n{server.status()['error']}")
        cold = time.perf_counter() - started
        pages, reloads = [], []
        try:
            for run in range(args.runs):
                time.sleep(args.pause)
                page, reload, ran, parts = one_edit(server, data, first + 7 * (run + 1))
                pages.append(page)
                if reload is not None:
                    reloads.append(reload)
                print(f"  run {run + 1}: page {page:.2f} s, reload event "
                      f"{f'{reload:.2f} s' if reload is not None else 'not seen'}; ran: {', '.join(ran) or '-'}; "
                      f"the pass: {parts}", flush=True)
        finally:
            code = server.stop()
        median = statistics.median(pages)
        verdict = "met" if median <= TARGET else "NOT met"
        print(f"(g) preview    edit of {DATA_FILE} -> served page with the new figure: median {median:.2f} s "
              f"over {len(pages)} runs, {args.pause:g} s apart (min {min(pages):.2f}, max {max(pages):.2f}); "
              f"reload event median "
              f"{statistics.median(reloads):.2f} s; target <= {TARGET} s: {verdict}")
        print(f"               first pass (cold cache, start included): {cold:.1f} s; preview stopped with exit code "
              f"{code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
