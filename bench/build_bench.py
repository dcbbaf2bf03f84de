"""How fast the jaarverslag is built: against papermill by hand, and against the limit.

    make bench        # or: .venv/bin/python bench/build_bench.py

A script, not a test: it measures, prints every figure and the ratios, and says
for each target whether it is met. All scenarios run in one run, one after the
other on this machine, each in a fresh Python process (so each pays its own
interpreter start and imports, as a user does), on a private copy of the book
(_quarto.yml, index.qmd, notebooks/) and of data/2022 in a temporary folder.
The project's build/ is never touched.

(a) baseline   papermill on each chapter in turn, a fresh kernel each (the
               papermill API's default), then render_html + render_pdf
(b) cold       build_report(2022) with an empty cache
(c) no change  the same build again
(d) notebook   after changing one chapter's notebook
    data file  after changing one data file that one chapter reads
(e) editions   build_all([2022], every_gemeente=True), empty cache
(f) limit      every code cell exec()'d in one plain process (fresh dict per
               notebook, parameters injected, results and display() captured
               as notebook outputs), then render_html + render_pdf

Times: "total" is the whole process (start, imports, work), "work" the timed
call alone. Memory: "self" and "child" are ru_maxrss of the scenario process and
of its largest child (a kernel); "tree" is the highest sum of RSS over the
process and all its children, sampled every 20 ms by this script (psutil).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
YEAR = 2022
CHANGED_CHAPTER = "jongerenwerk"
PREFERRED_DATA = "skillz.csv"


# ------------------------------------------------------------------ scenarios (child processes)

def _paths(work: Path) -> dict:
    return {"book": work / "book" / "_quarto.yml", "data": work / "data"}


def _meta(data_dir: Path) -> dict:
    from jaarverslag import provenance
    from jaarverslag.build import _meta as edition_meta
    from jaarverslag.edition import Edition
    from jaarverslag.paths import year_dir

    return edition_meta(Edition(YEAR, None, data_dir), provenance.provenance(YEAR, year_dir(YEAR, data_dir)))


def _parameters(data_dir: Path) -> dict:
    return {"year": YEAR, "gemeente": None, "data_dir": str(data_dir), "suppress_below": None}


def scenario_baseline(work: Path) -> dict:
    import papermill as pm

    from jaarverslag.book import read_book
    from jaarverslag.render import render_html, render_pdf

    p = _paths(work)
    book = read_book(p["book"])
    out = work / "baseline"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    executed = []
    for chapter in book.notebooks:
        source = book.root / chapter
        target = out / "notebooks" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(source), str(target), parameters=_parameters(p["data"]),
                            progress_bar=False, cwd=str(source.parent))
        executed.append(target)
    chapters = time.perf_counter() - started
    meta = _meta(p["data"])
    render_html(book, executed, out / "html", meta=meta)
    render_pdf(book, executed, out / "baseline.pdf", meta=meta)
    return {"work": time.perf_counter() - started, "chapters_s": chapters}


def _count_kernels() -> list:
    import jaarverslag.kernels as kernels

    started: list = []
    real = kernels.Kernel.__init__

    def counting(self, *args, **kwargs):
        started.append(1)
        real(self, *args, **kwargs)

    kernels.Kernel.__init__ = counting
    return started


def scenario_build(work: Path, out_name: str = "out") -> dict:
    from jaarverslag.build import build_report

    p = _paths(work)
    kernels = _count_kernels()
    started = time.perf_counter()
    entry = build_report(YEAR, out_root=work / out_name, data_dir=p["data"], book_file=p["book"], progress=False)
    return {"work": time.perf_counter() - started, "kernels": len(kernels), "up_to_date": entry["up_to_date"],
            "ran": sorted(n for n, c in entry["chapters"].items() if not c["cached"]),
            "reads": {n: c["reads"] for n, c in entry["chapters"].items()}}


def scenario_editions(work: Path) -> dict:
    from jaarverslag.build import build_all

    p = _paths(work)
    kernels = _count_kernels()
    started = time.perf_counter()
    built = build_all([YEAR], every_gemeente=True, out_root=work / "out-editions", data_dir=p["data"],
                      book_file=p["book"], progress=False)
    return {"work": time.perf_counter() - started, "kernels": len(kernels), "editions": sorted(built[YEAR])}


def scenario_limit(work: Path) -> dict:
    """The chapters' code in this one process, no kernel; outputs kept, then the same render."""
    import ast
    import contextlib
    import io

    import nbformat
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    from jaarverslag.book import read_book
    from jaarverslag.render import render_html, render_pdf

    outputs: list = []

    class Capture(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata or {}))

    shell = InteractiveShell.instance()  # display machinery only: cells run with exec()
    shell.display_pub = Capture(shell=shell)
    p = _paths(work)
    book = read_book(p["book"])
    out = work / "limit"
    shutil.rmtree(out, ignore_errors=True)
    (out / "notebooks").mkdir(parents=True)
    started = time.perf_counter()
    executed = []
    for chapter in book.notebooks:
        source = book.root / chapter
        nb = nbformat.read(source, as_version=4)
        namespace: dict = {"__name__": "__main__"}
        os.chdir(source.parent)
        count = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            count += 1
            code = cell.source
            if "parameters" in cell.metadata.get("tags", []):
                code += "\n" + "\n".join(f"{k} = {v!r}" for k, v in _parameters(p["data"]).items())
            tree = ast.parse(code)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            outputs.clear()
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout):
                exec(compile(tree, str(source), "exec"), namespace)
                value = eval(compile(ast.Expression(last.value), str(source), "eval"), namespace) if last else None
                if value is not None:
                    data, metadata = shell.display_formatter.format(value)
                    if data:
                        outputs.append(nbformat.v4.new_output("execute_result", data=data, metadata=metadata,
                                                              execution_count=count))
            if stdout.getvalue():
                outputs.insert(0, nbformat.v4.new_output("stream", name="stdout", text=stdout.getvalue()))
            cell.outputs, cell.execution_count = list(outputs), count
        target = out / "notebooks" / source.name
        nbformat.write(nb, target)
        executed.append(target)
    chapters = time.perf_counter() - started
    meta = _meta(p["data"])
    html = render_html(book, executed, out / "html", meta=meta)
    render_pdf(book, executed, out / "limit.pdf", meta=meta)
    work_s = time.perf_counter() - started
    sane = "6.421" in (html.parent / "clienten.html").read_text(encoding="utf-8")
    return {"work": work_s, "chapters_s": chapters, "sane": sane}


SCENARIOS = {"baseline": scenario_baseline, "build": scenario_build, "editions": scenario_editions,
             "limit": scenario_limit}


def child(name: str, work: Path) -> None:
    result = SCENARIOS[name](work)
    result["self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["child_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


# ------------------------------------------------------------------ the run (parent)

def run(name: str, work: Path, label: str) -> dict:
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--scenario", name, "--work", str(work)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "CI": "1"})  # no progress lines
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            top = psutil.Process(process.pid)
        except psutil.Error:
            return
        while not done.is_set():
            total = 0
            try:
                for proc in [top, *top.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak = max(peak, total / 2**20)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    sampler.join()
    total = time.perf_counter() - started
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        sys.exit(f"{label} failed (exit {process.returncode}):\n{stderr[-4000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result.update(total=total, tree_mb=peak, label=label)
    return result


def copy_project(work: Path) -> None:
    (work / "book").mkdir(parents=True)
    shutil.copy(PROJ_ROOT / "_quarto.yml", work / "book" / "_quarto.yml")
    shutil.copy(PROJ_ROOT / "index.qmd", work / "book" / "index.qmd")
    shutil.copytree(PROJ_ROOT / "notebooks", work / "book" / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(PROJ_ROOT / "data" / str(YEAR), work / "data" / str(YEAR))


def change_notebook(work: Path) -> str:
    path = work / "book" / "notebooks" / f"{CHANGED_CHAPTER}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    title = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    source = "".join(title["source"])
    title["source"] = source.replace("\n", " (herzien)\n", 1) if "\n" in source else source + " (herzien)"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return CHANGED_CHAPTER


def change_data_file(work: Path, reads: dict[str, list[str]]) -> tuple[str, str]:
    """A data file that exactly one chapter read (as the cold build recorded), changed."""
    readers: dict[str, set[str]] = {}
    for chapter, files in reads.items():
        for file in files:
            readers.setdefault(Path(file).name, set()).add(chapter)
    single = sorted(name for name, who in readers.items() if len(who) == 1 and name.endswith(".csv"))
    if not single:
        sys.exit("no data file is read by one chapter only")
    name = PREFERRED_DATA if PREFERRED_DATA in single else single[0]
    path = work / "data" / str(YEAR) / name
    text = path.read_text(encoding="utf-8")
    # a figure one higher where the data allows it (no cross-checks on skillz), else a trailing line
    changed = re.sub(r"^(Borne,\d+,)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 1), text, count=1,
                     flags=re.M) if name == "skillz.csv" else text
    path.write_text(changed if changed != text else text + "\n", encoding="utf-8")
    return name, next(iter(readers[name]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=list(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if args.scenario:
        child(args.scenario, args.work)
        return 0

    work = Path(tempfile.mkdtemp(prefix="jaarverslag-bench-"))
    try:
        copy_project(work)
        print(f"jaarverslag build benchmark: {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{time.strftime('%Y-%m-%d %H:%M')}, in {work}", flush=True)
        r = {}
        r["a"] = run("baseline", work, "(a) baseline: papermill x10 + render")
        r["b"] = run("build", work, "(b) cold build")
        r["c"] = run("build", work, "(c) no-change rebuild")
        changed = change_notebook(work)
        r["d1"] = run("build", work, f"(d) notebook changed ({changed})")
        data_file, reader = change_data_file(work, r["b"]["reads"])
        r["d2"] = run("build", work, f"(d) data changed ({data_file})")
        r["e"] = run("editions", work, "(e) all editions, cold")
        r["f"] = run("limit", work, "(f) limit: exec() in one process + render")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print("total: the whole process (Python start, imports, work); work: the timed call alone.")
    print("self/child: ru_maxrss of the scenario process / of its largest child (a kernel; in (c) and (f) only")
    print("`git` from the provenance, which ru_maxrss counts at the size it was forked with);")
    print("tree: highest sum of RSS over the process and all its children, sampled every 20 ms.")
    print()
    print(f"{'scenario':<44}{'total s':>9}{'work s':>9}{'self MB':>9}{'child MB':>9}{'tree MB':>9}  notes")
    for key, res in r.items():
        notes = []
        if "ran" in res:
            notes.append(f"chapters run: {len(res['ran'])}" + (f" ({', '.join(res['ran'])})" if 0 < len(res["ran"]) < 4
                                                                else ""))
            notes.append(f"kernels started: {res['kernels']}")
            if res["up_to_date"]:
                notes.append("published edition up to date, left as is")
        if "editions" in res:
            notes.append(f"{len(res['editions'])} editions, kernels started: {res['kernels']}")
        if "chapters_s" in res:
            notes.append(f"chapters {res['chapters_s']:.2f} s, render {res['work'] - res['chapters_s']:.2f} s")
        if key == "f":
            notes.append("outputs ok" if res["sane"] else "OUTPUTS WRONG")
        print(f"{res['label']:<44}{res['total']:>9.2f}{res['work']:>9.2f}{res['self_mb']:>9.0f}"
              f"{res['child_mb']:>9.0f}{res['tree_mb']:>9.0f}  {'; '.join(notes)}")

    def ratio(x: str, y: str, field: str = "total") -> float:
        return r[x][field] / r[y][field]

    checks = [
        ("cold / baseline", f"{ratio('b', 'a'):.2f} (work {ratio('b', 'a', 'work'):.2f})", "<= 0.5",
         ratio("b", "a") <= 0.5),
        ("cold / limit", f"{ratio('b', 'f'):.2f} (work {ratio('b', 'f', 'work'):.2f})", "<= 2",
         ratio("b", "f") <= 2),
        ("no-change rebuild", f"{r['c']['work']:.3f} s in build_report ({r['c']['total']:.2f} s with start-up), "
         f"{len(r['c']['ran'])} chapters, {r['c']['kernels']} kernels", "<= 0.5 s, no chapter",
         r["c"]["work"] <= 0.5 and not r["c"]["ran"] and r["c"]["kernels"] == 0),
        ("notebook changed", f"ran {r['d1']['ran']}", f"only {changed}", r["d1"]["ran"] == [changed]),
        ("data file changed", f"{data_file}: ran {r['d2']['ran']}", f"only {reader}", r["d2"]["ran"] == [reader]),
        ("all editions / cold", f"{ratio('e', 'b'):.2f} (work {ratio('e', 'b', 'work'):.2f}), "
         f"{len(r['e']['editions'])} editions", "<= 3", ratio("e", "b") <= 3),
    ]
    print()
    print("ratios on total time (work alone in brackets); targets")
    for name, value, target, met in checks:
        print(f"  {name:<22}{value:<62} target {target:<22}{'met' if met else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
