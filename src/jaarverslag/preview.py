"""`jaarverslag preview`: the edition's HTML book on localhost, redone on every save.

    jaarverslag preview --year 2022 [--gemeente Hengelo] [--port 8000] [--no-browser]

One *pass* makes the pages as a build would, but only the HTML and only what changed:
the year's data is validated (`build.check_data`, cached) while the chapters run with
the build cache (`run_chapters`: a chapter runs again only when something it read
changed; in a kernel started ahead, see `kernels.Runner`), and, when the data is sound,
the HTML book is rendered incrementally (`render_html` with a `Pages`: only pages
whose content changes are written) into `build/preview/<year>/<edition>/html/`, never
over the published edition. The PDF is not made in a pass: only when the reader asks for
it (the "Download als PDF" link) or, in a separate process, after a quiet moment.

`watchfiles` watches the year's data (its texts included) and last year's, the chapter
notebooks, `_quarto.yml`, `index.qmd` and the package; every batch of changes starts a pass.
A stdlib `ThreadingHTTPServer` on 127.0.0.1 serves the pages. Into every page it serves
(never into the files) it adds a small script that listens to `/_preview/events`
(server-sent events) and reloads the page after a pass, and, when the last pass failed,
the message (escaped) at the top of the page: the data problems with file, row, column
and value, or the chapter and cell that failed. The terminal shows the same. The next
pass that succeeds clears it. Ctrl-C stops the watcher, the server and any PDF in the
making, and the command ends with exit code 0.
"""

from __future__ import annotations

import errno
import html
import json
import mimetypes
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from . import names, paths
from .errors import JaarverslagError, Kind, from_os_error

EVENTS = "/_preview/events"  # server-sent events: the version of the pages after each pass
STATUS = "/_preview/status"  # JSON: version, error, files written and chapters run by the last pass
MESSAGE_ID = "jv-preview-melding"  # the id of the message a failed pass puts on every page
RELOAD = """<script>(function () {{
  var shown = {version};
  var events = new EventSource("{events}");
  events.onmessage = function (e) {{ if (Number(e.data) !== shown) {{ events.close(); location.reload(); }} }};
}})();</script>"""
PLACEHOLDER = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Voorbeeld {year}</title></head>
<body><main><h1>Voorbeeld van het jaarverslag {year}</h1><p>{text}</p></main></body></html>"""


class Preview:
    """One edition's pages, made again after each change, and what the server shows of them."""

    def __init__(self, year: int, *, gemeente: str | None = None, data_dir: Path | None = None,
                 out_root: Path | None = None, pdf_after: float = 30, stream: TextIO | None = None) -> None:
        self.book_file = paths.book_file()
        self.data_dir = data_dir
        self.out_root = names.out_root(out_root or paths.build_dir(), data_dir=data_dir, book_file=self.book_file)
        self.year = names.year(year, data_dir)
        if gemeente:
            try:  # a name that is no gemeente of the year stops here, as in `build`
                gemeente = names.gemeente(gemeente, self.year, data_dir)
            except JaarverslagError as err:
                if err.kind is not Kind.DATA:
                    raise  # (data that is not sound yet: the first pass shows it)
        self.gemeente = gemeente
        self.slug = paths.slug(gemeente) if gemeente else _whole_slug(self.year, data_dir)
        self.folder = paths.preview_dir(self.out_root, self.year, self.slug)
        self.html_dir = paths.html_dir(self.folder)
        self.pdf_name = paths.pdf_name(self.year, self.slug)
        self.pdf_after = pdf_after
        self.stream = stream or sys.stderr
        self.version = 0  # goes up after every pass that changed a page or the message
        self.error: str | None = None
        self.written: list[str] = []  # the files the last pass wrote
        self.ran: list[str] = []  # the chapters the last pass ran (not from the cache)
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self._poke = threading.Event()  # a pass made new pages: the PDF is due after a quiet moment
        self._pdf_lock = threading.Lock()  # guards _pdf_child
        self._pdf_making = threading.Lock()  # one PDF at a time
        self._passing = threading.Lock()  # held by a pass; a PDF starts only between passes
        self._pdf_child: subprocess.Popen[bytes] | None = None
        self._pdf_made: int | None = None  # the version of the pages the PDF shows
        self._made: dict[str, Any] | None = None  # what the PDF of the current pages needs
        from .render.html import Pages

        self.pages = Pages()

    # ---- one pass ----

    def watched(self) -> list[Path]:
        """What the preview watches: data of this year and last, texts, notebooks, book, package."""
        from .book import read_book

        found = [paths.year_dir(self.year, self.data_dir)]
        if paths.year_dir(self.year - 1, self.data_dir).is_dir():
            found.append(paths.year_dir(self.year - 1, self.data_dir))
        try:
            book = read_book(self.book_file)
            found += sorted({(book.root / c).parent for c in book.notebooks}) + [book.index]
        except JaarverslagError:
            found.append(paths.notebooks_dir())
        found += [self.book_file, paths.PACKAGE]
        return [p for p in dict.fromkeys(found) if p.exists()]

    def update(self, why: str = "") -> bool:
        """Make the pages again; True when it worked. A failure becomes the message on every page."""
        with self._passing:
            self._cancel_pdf()  # a PDF of the old pages is of no use now
            return self._update(why)

    def _update(self, why: str) -> bool:
        from .book import read_book
        from .build import chapter_parameters, check_data, edition_meta
        from .edition import Edition
        from .publish import provenance
        from .render.html import render_html
        from .run import cache as cache_mod
        from .run.execute import run_chapters

        def check() -> float:
            check_data(self.year, self.data_dir, store)
            return time.perf_counter() - started

        started = time.perf_counter()
        try:
            book = read_book(self.book_file)
            store = cache_mod.Cache(paths.cache_dir(self.out_root))
            # The data is checked while the chapters run (in kernels, other processes): a pass
            # takes the longer of the two, not both. A problem in the data is what the page
            # shows, also when it made a chapter fail.
            with ThreadPoolExecutor(1, thread_name_prefix="voorbeeld-gegevens") as pool:
                checking = pool.submit(check)
                try:
                    gemeente = names.gemeente(self.gemeente, self.year, self.data_dir) if self.gemeente else None
                    edition = Edition(self.year, gemeente, self.data_dir)
                    sources = [book.root / c for c in book.notebooks]
                    runs = run_chapters(sources, paths.executed_dir(self.folder),
                                        chapter_parameters(edition, self.data_dir), cache=store,
                                        label=f"voorbeeld {self.year} {edition.slug}", roots=[book.root],
                                        exclude=[self.out_root], timeout=book.cell_timeout,
                                        files=paths.run_dir(self.out_root))
                except (JaarverslagError, OSError):
                    checking.result()
                    raise
                chapters = time.perf_counter() - started
                checked = checking.result()
            ran_at = time.perf_counter()
            prov = provenance.provenance(self.year, paths.year_dir(self.year, self.data_dir))
            meta = edition_meta(edition, prov)
            meta["pdf_href"] = f"../{self.pdf_name}"
            notebooks = [run.notebook for run in runs]
            render_html(book, notebooks, self.html_dir, meta=meta, pages=self.pages)
        except JaarverslagError as err:
            return self._failed(str(err), why)
        except OSError as err:
            known = from_os_error(err)
            return self._failed(str(known) if known else f"{type(err).__name__}: {err}", why)
        except Exception as err:  # noqa: BLE001 - a pass that fails must not end the preview
            return self._failed(f"Er ging iets onverwachts mis ({type(err).__name__}: {err}).", why)
        ran = [run.chapter for run in runs if not run.cached]
        written = [name for name in self.pages.written if name.endswith((".html", ".css"))]  # what a reader sees
        cleared = self.error is not None
        with self.changed:
            self._made = {"book": str(self.book_file), "notebooks": [str(n) for n in notebooks], "meta": meta,
                          "project": str(paths.root())}
            self.written, self.ran = list(self.pages.written), ran
            if written or cleared or self.version == 0:
                self.version += 1
            self.error = None
            self.changed.notify_all()
        self._say(f"{why + ': ' if why else ''}"
                  f"{'uitgevoerd: ' + ', '.join(ran) if ran else 'geen hoofdstuk opnieuw uitgevoerd'}; "
                  f"{'bijgewerkt: ' + ', '.join(written) if written else 'geen pagina veranderd'} "
                  f"({_seconds(time.perf_counter() - started)}: gegevens {_seconds(checked)} terwijl de hoofdstukken "
                  f"{_seconds(chapters)} liepen, pagina's {_seconds(time.perf_counter() - ran_at)})")
        if cleared:
            self._say("Opgelost: het voorbeeld is weer bij.")
        self._poke.set()
        return True

    def _failed(self, message: str, why: str) -> bool:
        with self.changed:
            if message != self.error:
                self.version += 1
            self.error = message
            self.changed.notify_all()
        self._say(f"{why + ': ' if why else ''}niet bijgewerkt.\n{message}")
        return False

    def _say(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=self.stream, flush=True)

    def wait(self, seen: int | None, timeout: float) -> int:
        """The pages' version, once it differs from `seen` (or after `timeout` seconds)."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.stopping.is_set(), timeout)
            return self.version

    # ---- the PDF: on request, or after a quiet moment, never in a pass ----

    def pdf(self) -> Path | None:
        """The PDF of the current pages, made now if it is not (None when there are no pages,
        or it could not be made: the terminal then says why). A pass that starts meanwhile
        stops it; it is then made again from that pass's pages."""
        target = self.folder / self.pdf_name
        with self._pdf_making:
            while not self.stopping.is_set():
                with self._passing:  # a pass that runs now is waited for, never stopped
                    with self.changed:
                        version, made = self.version, self._made
                    if made is None:
                        return None
                    if self._pdf_made == version and target.is_file():
                        return target
                    partial = self.folder / f".{self.pdf_name}.{os.getpid()}.tmp"
                    child = subprocess.Popen(
                        [sys.executable, "-m", "jaarverslag.preview", json.dumps({**made, "target": str(partial)})],
                        stdin=subprocess.DEVNULL, start_new_session=True)  # Ctrl-C in the terminal: ours to pass on
                    with self._pdf_lock:
                        self._pdf_child = child
                code = child.wait()
                with self._pdf_lock:
                    self._pdf_child = None
                if code == -signal.SIGTERM:  # stopped by a new pass: once it is done, again
                    partial.unlink(missing_ok=True)
                    continue
                if code != 0 or not partial.is_file():
                    partial.unlink(missing_ok=True)
                    self._say(f"De PDF is niet gemaakt (het maken stopte met code {code}).")
                    return None
                os.replace(partial, target)
                with self.changed:
                    if self.version == version:  # else it shows pages changed since: made again when asked
                        self._pdf_made = version
                self._say(f"PDF gemaakt: {paths.relative(target)}")
                return target
        return None

    def _cancel_pdf(self) -> None:
        with self._pdf_lock:
            child = self._pdf_child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _pdf_later(self) -> None:
        """After each pass with new pages, and `pdf_after` seconds without another, the PDF."""
        while not self.stopping.is_set():
            self._poke.wait()
            while self._poke.is_set() and not self.stopping.is_set():
                self._poke.clear()
                self.stopping.wait(self.pdf_after)  # a new pass in the meantime starts the wait again
            if self.stopping.is_set():
                return
            with self.changed:
                ok = self.error is None
            if ok:
                self.pdf()

    # ---- serving ----

    def page(self, name: str) -> bytes | None:
        """A served page: the file with the reload script, and the message of a failed pass."""
        file = _below(self.html_dir, name)
        if file is None:
            return None
        with self.changed:
            version, error = self.version, self.error
        if file.is_file():
            text = file.read_text(encoding="utf-8")
        elif name in ("", "index.html"):
            text = PLACEHOLDER.format(year=self.year, text="Het voorbeeld wordt gemaakt; deze pagina laadt "
                                      "vanzelf opnieuw als het klaar is." if error is None else "Nog geen pagina's.")
        else:
            return None
        return inject(text, version, error).encode("utf-8")

    def serve(self, port: int, open_browser: bool = True) -> int:
        """Serve and watch until Ctrl-C; returns the exit code."""
        from filelock import FileLock, Timeout

        from .run.execute import session

        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.folder / ".voorbeeld.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise JaarverslagError(f"Er loopt al een voorbeeld van {self.year} ({paths.relative(self.folder)}); "
                                   "stop dat eerst met Ctrl-C.", Kind.BUSY) from None
        try:
            server = _server(self, port)
        except BaseException:
            lock.release()
            raise
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        threads = [threading.Thread(target=server.serve_forever, name="voorbeeld-server", daemon=True)]
        if self.pdf_after > 0:
            threads.append(threading.Thread(target=self._pdf_later, name="voorbeeld-pdf", daemon=True))
        try:
            for thread in threads:
                thread.start()
            self._say(f"Voorbeeld van {self.year} op {url}  (Ctrl-C stopt)")
            if open_browser:
                _open(url, self.stream)
            changes: queue.Queue[set[str]] = queue.Queue()
            watching = threading.Event()
            threading.Thread(target=self._watch, args=(changes, watching), name="voorbeeld-volgen",
                             daemon=True).start()
            watching.wait(60)  # what changes during the first pass is seen too
            # One runner for the whole preview, with kernels started ahead: an edit's chapter
            # then runs in a kernel that is already up, its libraries loaded.
            with session(files=paths.run_dir(self.out_root), spares=2):
                self.update("begin")
                while True:
                    try:
                        batch = changes.get(timeout=1)
                    except queue.Empty:
                        continue
                    while not changes.empty():  # what came in during the last pass: one pass for all of it
                        batch |= changes.get_nowait()
                    self.update(self._named(batch))
        except KeyboardInterrupt:
            pass
        finally:
            self.stopping.set()
            self._poke.set()
            with self.changed:
                self.changed.notify_all()
            self._cancel_pdf()
            server.shutdown()
            server.server_close()
            for leftover in self.folder.glob(f".{self.pdf_name}.*.tmp"):
                leftover.unlink(missing_ok=True)
            lock.release()
        print("Voorbeeld gestopt.", file=self.stream, flush=True)
        return 0

    def _watch(self, out: queue.Queue[set[str]], watching: threading.Event) -> None:
        """Put each batch of changes to what is watched in `out`, from the moment `watching` is set
        until the preview stops (a thread of its own: nothing is missed while a pass runs)."""
        import watchfiles

        ignore = watchfiles.DefaultFilter(
            ignore_dirs=(*watchfiles.DefaultFilter.ignore_dirs, ".ipynb_checkpoints"),
            ignore_paths=[self.out_root.resolve()])
        try:
            # The watcher is in place once it first yields: an empty set after `rust_timeout` ms.
            for changes in watchfiles.watch(*self.watched(), watch_filter=ignore, stop_event=self.stopping,
                                            debounce=1600, step=50, rust_timeout=200, yield_on_timeout=True,
                                            raise_interrupt=False):
                watching.set()
                if changes:
                    out.put({p for _, p in changes})
        except Exception as err:  # noqa: BLE001 - the pages are still served, only no longer redone
            self._say(f"Wijzigingen worden niet meer gevolgd ({type(err).__name__}: {err}); start het voorbeeld "
                      "opnieuw.")
        finally:
            watching.set()

    def _named(self, changed: set[str]) -> str:
        """A batch of changed files as the terminal names it."""
        own = [p for p in changed if p.endswith(".py") and Path(p).resolve().is_relative_to(paths.PACKAGE)
               and not Path(p).resolve().is_relative_to(paths.PACKAGE / "chapters")]
        if own:
            self._say("De code van het pakket zelf veranderde: hoofdstukken die die code lazen draaien opnieuw, "
                      "maar het voorbeeld zelf (gegevens lezen, pagina's maken) werkt met de code van zijn start. "
                      "Start het opnieuw (Ctrl-C) om die wijziging ook daar te zien.")
        names = sorted({paths.relative(Path(p)) for p in changed})
        return ", ".join(names[:3]) + (f" en {len(names) - 3} meer" if len(names) > 3 else "")


def inject(page: str, version: int, error: str | None) -> str:
    """A page as the preview serves it: with the reload script at its end and, after a failed
    pass, the message (escaped) at its top."""
    script = RELOAD.format(version=version, events=EVENTS)
    end = page.rfind("</body>")
    page = page[:end] + script + page[end:] if end >= 0 else page + script
    if error is None:
        return page
    message = (f'<div id="{MESSAGE_ID}" role="alert" style="position:sticky;top:0;z-index:1000;margin:0;'
               'padding:1rem 1.25rem;background:#fff3f0;color:#5c0a00;border-bottom:4px solid #b3261e;'
               'font:1rem/1.4 system-ui,sans-serif;white-space:pre-wrap">'
               f"<strong>Het voorbeeld is niet bijgewerkt.</strong>\n{html.escape(error)}</div>\n")
    body = page.find("<body")
    start = page.find(">", body) + 1 if body >= 0 else 0
    return page[:start] + message + page[start:]


def _below(folder: Path, name: str) -> Path | None:
    file = (folder / (name or "index.html")).resolve()
    return file if file.is_relative_to(folder.resolve()) else None


def _whole_slug(year: int, data_dir: Path | None) -> str:
    from .edition import Edition

    return Edition(year, None, data_dir).slug


def _seconds(value: float) -> str:
    return f"{value:.1f} s".replace(".", ",")


def _open(url: str, stream: TextIO) -> None:
    """Open the page in the reader's browser, where there is one with a screen."""
    import webbrowser

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print(f"Geen scherm gevonden; open {url} zelf in een browser.", file=stream, flush=True)
        return
    threading.Thread(target=webbrowser.open, args=(url,), name="voorbeeld-browser", daemon=True).start()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: Preview


def _server(preview: Preview, port: int) -> _Server:
    try:
        server = _Server(("127.0.0.1", port), _Handler)  # this machine only
    except OSError as err:
        why = "is al in gebruik" if err.errno == errno.EADDRINUSE else f"is niet te gebruiken ({err.strerror or err})"
        raise JaarverslagError(f"Poort {port} {why}; kies een andere met --port, of --port 0 voor een vrije.",
                               Kind.USAGE) from None
    server.preview = preview
    return server


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # the terminal shows passes, not requests

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        preview = self.server.preview
        path = unquote(urlsplit(self.path).path)
        try:
            if path in ("/", "/index.html", "/html", "/html/"):
                self._send(HTTPStatus.FOUND, b"", "text/plain", {"Location": "/html/index.html"})
            elif path == EVENTS:
                self._events(preview)
            elif path == STATUS:
                with preview.changed:
                    status = {"version": preview.version, "error": preview.error, "written": preview.written,
                              "ran": preview.ran}
                self._send(HTTPStatus.OK, json.dumps(status).encode(), "application/json")
            elif path == f"/{preview.pdf_name}":
                pdf = preview.pdf()
                if pdf is None:
                    self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"De PDF kon niet gemaakt worden; zie de terminal.",
                               "text/plain; charset=utf-8")
                else:
                    self._send(HTTPStatus.OK, pdf.read_bytes(), "application/pdf")
            elif path.startswith("/html/"):
                self._file(preview, path[len("/html/"):])
            else:
                self._send(HTTPStatus.NOT_FOUND, b"Niet gevonden.", "text/plain; charset=utf-8")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader went away

    def _file(self, preview: Preview, name: str) -> None:
        if name.endswith(".html") or name == "":
            page = preview.page(name)
            if page is not None:
                self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
                return
        else:
            file = _below(preview.html_dir, name)
            if file is not None and file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                self._send(HTTPStatus.OK, file.read_bytes(), kind)
                return
        self._send(HTTPStatus.NOT_FOUND, b"Niet gevonden.", "text/plain; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _events(self, preview: Preview) -> None:
        """Server-sent events: the pages' version now, and again after every pass that changed them."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen: int | None = None
        while not preview.stopping.is_set():
            version = preview.wait(seen, timeout=10)
            if preview.stopping.is_set():
                break
            self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": nog hier\n\n")
            self.wfile.flush()
            seen = version


def run_preview(year: int, *, gemeente: str | None = None, data_dir: Path | None = None, port: int = 8000,
                open_browser: bool = True, pdf_after: float = 30) -> int:
    """`jaarverslag preview`: serve and watch until Ctrl-C."""
    return Preview(year, gemeente=gemeente, data_dir=data_dir, pdf_after=pdf_after).serve(port, open_browser)


def _pdf_child(spec: str) -> int:
    """The PDF, made in a process of its own (see `Preview.pdf`) so the pages stay quick meanwhile."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the preview stops this process itself
    made = json.loads(spec)
    try:
        from .book import read_book
        from .render import render_pdf

        with paths.project(made["project"]):
            book = read_book(Path(made["book"]))
            render_pdf(book, [Path(n) for n in made["notebooks"]], Path(made["target"]), meta=made["meta"])
    except Exception as err:  # noqa: BLE001 - one sentence, never a traceback
        print(f"De PDF is niet gemaakt: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_pdf_child(sys.argv[1]))
