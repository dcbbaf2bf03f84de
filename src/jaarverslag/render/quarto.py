"""Render with Quarto, on machines where `quarto` is installed.

`stage_quarto` builds a Quarto book project in `out_dir/quarto-src/`: a copy of
`_quarto.yml` (book title from `meta`, output into `out_dir/quarto-book/`),
`index.qmd` with the colofon, and the executed notebooks at the paths `_quarto.yml`
lists. The staged notebooks are cleaned like the embedded renderer cleans them (no
parameters cells, no stream output), and `execute.enabled: false` makes Quarto
use their outputs as they are.

The house style comes along: the HTML theme `jaarverslag.scss`, generated from
`style.py` with the embedded renderer's base.css (`write_theme`), the house font
in `fonts/`, and the Typst template as the format extension
`_extensions/jaarverslag/` (render/templates/quarto/), which the book names as
`format: jaarverslag-typst`. The cover facts and the colofon come from the same
`meta` the embedded renderer shows (`house_metadata`).

`render_quarto` then runs `quarto render <dir> --to html`, and for the PDF
`--to jaarverslag-typst` where Quarto can make a Typst book (1.9 and later; Typst ships with
Quarto) or `--to pdf` (LaTeX; needs TinyTeX) on older versions. The PDF is
optional: when it fails we log why and return a `Rendered` with `pdf=None`.

A Quarto that is missing or does not run is `QuartoNotFound`; a render that fails
is `QuartoFailed`: one Dutch sentence with Quarto's own error line (without its
terminal colours). Quarto's whole output goes along as a note on the error, which
`jaarverslag --debug` prints with the traceback.
"""

from __future__ import annotations

import copy
import html
import logging
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from jaarverslag import style
from jaarverslag.book import Book
from jaarverslag.errors import JaarverslagError, Kind
from jaarverslag.paths import BOOK, FONTS, TEMPLATES
from jaarverslag.render.html import (
    CSS_DIR,
    RenderError,
    Site,
    lift_figure_options,
    present_chapters,
    strip_notebook,
)
from jaarverslag.render.result import LATEX, QUARTO, TYPST, Rendered

log = logging.getLogger(__name__)

STAGE_DIR = "quarto-src"
OUTPUT_DIR = "quarto-book"
TYPST_BOOKS_SINCE = (1, 9)
# The oldest Quarto this book is made with: its HTML book and LaTeX PDF need nothing newer.
OLDEST = (1, 4)
# The Typst PDF as our format extension (render/templates/quarto/_extensions/jaarverslag/).
EXTENSIONS = TEMPLATES / "quarto" / "_extensions"
TYPST_FORMAT = "jaarverslag-typst"
THEME = "jaarverslag.scss"
FONTS_STAGED = "fonts"
# Quarto compiles the theme into site_libs/bootstrap/; the fonts are published at the book's root.
FONT_URL_PREFIX = f"../../{FONTS_STAGED}/"


class QuartoNotFound(JaarverslagError):
    """`quarto` is not on PATH, or does not run."""

    kind = Kind.RENDER


class QuartoFailed(RenderError):
    """`quarto render` failed. `details` is Quarto's whole output, colours removed."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details
        if details:
            self.add_note(f"Uitvoer van Quarto:\n{details}")  # shown by --debug, with the traceback


# Terminal colours and other escape sequences: CSI (ESC [ ... letter) and OSC (ESC ] ... BEL or ESC \).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def plain(text: str) -> str:
    """Terminal output without its colours.

    >>> plain("\\x1b[31mERROR:\\x1b[39m boek kapot")
    'ERROR: boek kapot'
    """
    return _ESCAPES.sub("", text or "")


def error_line(output: str, limit: int = 200) -> str:
    """The line of Quarto's output that says what went wrong: its first ERROR line (without
    that word), else its last line; shortened to `limit` characters.

    >>> error_line("Rendering...\\nERROR: YAMLError: bad indentation\\n\\nStack trace:\\n  at x")
    'YAMLError: bad indentation'
    """
    lines = [" ".join(line.split()) for line in plain(output).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "geen uitvoer"
    chosen = next((line for line in lines if line.upper().startswith("ERROR")), lines[-1])
    chosen = re.sub(r"^ERROR:?\s*", "", chosen, flags=re.I).rstrip(".") or "geen melding"
    return chosen if len(chosen) <= limit else chosen[: limit - 1] + "…"


def _config(book: Book) -> dict[str, Any]:
    source = book.source or (book.root / BOOK)
    return yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}


def staged_config(book: Book, *, meta: Mapping[str, Any], pdf_format: str = "typst") -> dict[str, Any]:
    """The `_quarto.yml` for the staged project."""
    config = copy.deepcopy(_config(book))
    project = config.setdefault("project", {})
    project["type"] = "book"
    project["output-dir"] = f"../{OUTPUT_DIR}"
    bk = config.setdefault("book", {})
    if meta.get("title"):
        bk["title"] = str(meta["title"])
    if meta.get("subtitle"):
        bk["subtitle"] = str(meta["subtitle"])
    config["lang"] = book.lang or "nl"
    execute = config.setdefault("execute", {})
    execute["enabled"] = False
    execute["echo"] = False
    formats = config.setdefault("format", {})
    html_format = formats.setdefault("html", {}) or {}
    html_format["theme"] = ["cosmo", THEME]
    html_format["resources"] = [f"{FONTS_STAGED}/*"]
    html_format.setdefault("title-block-banner", style.HEADING)
    html_format.setdefault("title-block-banner-color", "#ffffff")
    formats["html"] = html_format
    if pdf_format == "typst":
        typst = formats.pop("typst", None) or {}
        typst.setdefault("papersize", "a4")
        typst["font-paths"] = [FONTS_STAGED]
        typst.update(house_metadata(book, meta))
        formats[TYPST_FORMAT] = typst
    else:  # LaTeX (Quarto before 1.9): scrreprt on A4, in the house font from fonts/ (fontspec)
        latex = formats.setdefault("pdf", {}) or {}
        latex.setdefault("documentclass", "scrreprt")
        latex.setdefault("papersize", "a4")
        latex["mainfont"] = style.font_files()[0].stem.partition("-")[0]  # SourceSans3, the files' stem
        latex["mainfontoptions"] = [f"Path={FONTS_STAGED}/", "Extension=.ttf", "UprightFont=*-Regular",
                                    "BoldFont=*-Bold", "ItalicFont=*-Italic", "BoldItalicFont=*-BoldItalic"]
        formats["pdf"] = latex
    return config


def house_metadata(book: Book, meta: Mapping[str, Any]) -> dict[str, Any]:
    """What the Typst template shows besides the book's title and subtitle: the organisation
    and year of the cover, the colofon, the house font and colours (from `style.py`, without
    their "#", which pandoc would escape), as metadata that typst-show.typ reads."""
    site = Site.from_meta(book, meta)

    def bare(colour: str) -> str:
        return colour.lstrip("#")

    facts: dict[str, Any] = {
        "jv-font": style.FONT_FAMILY,
        "jv-font-note": f"Lettertype: {style.FONT_FAMILY} (SIL Open Font License).",
        "jv-colours": {"ink": bare(style.INK), "muted": bare(style.MUTED), "heading": bare(style.HEADING),
                       "accent": bare(style.ACCENT),
                       "stripes": [bare(style.PALETTE[k]) for k in ("oranje", "hemelsblauw", "groen", "geel",
                                                                    "paars")]},
        # The reader's colofon first, then the technical verantwoording (the Typst colofon lists both).
        "jv-colofon": [{"label": label, "value": value} for label, value in site.colophon + site.verantwoording],
    }
    if site.organisation:
        facts["jv-organisation"] = site.organisation
    if site.show_year:
        facts["jv-year"] = str(site.year)
    return facts


def colofon_html(book: Book, meta: Mapping[str, Any]) -> str:
    """The colofon of the HTML book's home page, as the embedded renderer shows it, as a raw
    HTML block for the staged index.qmd (raw HTML stays out of the Typst and LaTeX PDF, whose
    templates have their own)."""
    site = Site.from_meta(book, meta)
    rows = "".join(f"<div><dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd></div>"
                   for label, value in site.colophon)
    listing = f'<dl class="colophon__list">{rows}</dl>' if rows else ""
    technical = "".join(f"<div><dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd></div>"
                        for label, value in site.verantwoording)
    verantwoording = (f'<h3 id="verantwoording">Verantwoording</h3><dl class="colophon__list">{technical}</dl>'
                      if technical else "")
    return (f'\n\n```{{=html}}\n<section class="colophon" aria-labelledby="colofon">'
            f'<h2 id="colofon">Colofon</h2>{listing}<p class="colophon__font">'
            f'{html.escape(site.organisation + ". ") if site.organisation and not rows else ""}'
            f"Lettertype: {style.FONT_FAMILY} (SIL Open Font License).</p>{verantwoording}</section>\n```\n")


def write_theme(stage: Path) -> Path:
    """The house style for Quarto: `jaarverslag.scss` generated from `style.py` and the shared
    base.css, the house font in `fonts/` beside it, and the Typst format extension."""
    theme = stage / THEME
    theme.write_text(style.quarto_theme((CSS_DIR / "base.css").read_text(encoding="utf-8"),
                                        font_url_prefix=FONT_URL_PREFIX), encoding="utf-8")
    fonts = stage / FONTS_STAGED
    fonts.mkdir(exist_ok=True)
    for font in [*style.font_files(), FONTS / "OFL.txt"]:
        shutil.copyfile(font, fonts / font.name)
    shutil.copytree(EXTENSIONS, stage / "_extensions", dirs_exist_ok=True)
    return theme


def charts_as_png(stage: Path, book: Book) -> int:
    """Before the LaTeX route: drop the SVG of every chart that also has a PNG, in the staged notebooks.

    Quarto's LaTeX output prefers a chart's SVG over its PNG (`displayDataMimeType` in
    quarto-cli's display-data.ts) and then needs `rsvg-convert` to turn it into a PDF,
    which Quarto does not bring; the 192-dpi PNG is sharp on paper. Returns how many
    charts changed. The HTML book is rendered before this, with the SVG.
    """
    import nbformat

    changed = 0
    for rel in book.notebooks:
        path = stage / rel
        if not path.exists():  # a chapter this edition leaves out
            continue
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "image/svg+xml" in data and "image/png" in data:
                    del data["image/svg+xml"]
                    output.get("metadata", {}).pop("image/svg+xml", None)
                    changed += 1
        nbformat.write(nb, path)
    return changed


def stage_quarto(
    book: Book, chapters: list[Path], out_dir: Path, *, meta: Mapping[str, Any], pdf_format: str = "typst"
) -> Path:
    """Write the Quarto project to `out_dir/quarto-src/` and return that folder."""
    import nbformat

    out_dir = Path(out_dir)
    stage = out_dir / STAGE_DIR
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    listed = list(book.notebooks)
    if len(chapters) != len(listed):
        log.warning(
            "%d notebooks gegeven, _quarto.yml noemt er %d; alleen die met dezelfde naam "
            "worden klaargezet",
            len(chapters),
            len(listed),
        )
    present = present_chapters(chapters)  # chapters without data for this edition stay out
    omitted = {Path(c).stem for c in chapters} - {c.stem for c in present}
    by_stem = {c.stem: c for c in present}
    config = staged_config(book, meta=meta, pdf_format=pdf_format)
    kept = [str(book.chapters[0])]
    for rel in listed:
        src = by_stem.get(rel.stem)
        if src is None:
            if rel.stem not in omitted:
                log.warning("geen uitgevoerd notebook voor %s; overgeslagen", rel)
            continue
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        nb = lift_figure_options(strip_notebook(nbformat.read(src, as_version=4), rel.stem))
        nbformat.write(nb, dest)
        kept.append(str(rel))
    # Only the chapters we have: a gemeente edition may leave some out.
    config["book"]["chapters"] = kept
    index_src = book.index
    index_dest = stage / book.chapters[0]
    index_dest.parent.mkdir(parents=True, exist_ok=True)
    index = index_src.read_text(encoding="utf-8") if index_src.exists() else f"# {meta.get('title', book.title)}\n"
    index_dest.write_text(index.rstrip("\n") + "\n" + colofon_html(book, meta), encoding="utf-8")
    write_theme(stage)
    (stage / BOOK).write_text(
        yaml.dump(config, Dumper=_QuartoDumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return stage


# A number as YAML 1.2 reads it (Quarto's parser): "009E73" is 9e73 there, not a colour.
_YAML12_NUMBER = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


class _QuartoDumper(yaml.SafeDumper):
    """PyYAML's safe dumper (YAML 1.1), which also quotes a text that YAML 1.2 would read as a number."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        if _YAML12_NUMBER.fullmatch(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_QuartoDumper.add_representer(str, _QuartoDumper.represent_str)


def quarto_version(quarto: str) -> tuple[int, ...]:
    """Quarto's version; `QuartoNotFound` when `quarto --version` does not run or names none."""
    try:
        out = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise QuartoNotFound(
            f"Quarto ({quarto}) start niet ({type(err).__name__}: {plain(str(err))}); installeer Quarto "
            "opnieuw (https://quarto.org) of laat --renderer quarto weg voor de ingebouwde renderer."
        ) from err
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", plain(out.stdout))
    if out.returncode != 0 or m is None:
        error = QuartoNotFound(
            f"Quarto ({quarto}) werkt niet: 'quarto --version' gaf {error_line(out.stderr or out.stdout)!r}; "
            "installeer Quarto opnieuw (https://quarto.org) of laat --renderer quarto weg voor de "
            "ingebouwde renderer."
        )
        error.add_note(plain(out.stdout + out.stderr))
        raise error
    return tuple(int(g) for g in m.groups() if g is not None)


def find_quarto() -> tuple[str, tuple[int, ...]]:
    """`quarto` on PATH and its version, checked before a build runs any chapter: one Dutch
    sentence (`QuartoNotFound`) when it is missing, does not run, or is older than `OLDEST`."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise QuartoNotFound(
            "Quarto is niet gevonden: quarto staat niet op PATH. Installeer Quarto (https://quarto.org) "
            "of laat --renderer quarto weg, dan maakt de ingebouwde renderer het verslag."
        )
    version = quarto_version(quarto)
    if version < OLDEST:
        raise QuartoNotFound(
            f"Quarto {'.'.join(map(str, version))} ({quarto}) is te oud: dit jaarverslag vraagt Quarto "
            f"{'.'.join(map(str, OLDEST))} of nieuwer (voor de PDF via Typst {'.'.join(map(str, TYPST_BOOKS_SINCE))} "
            "of nieuwer); installeer een nieuwere Quarto (https://quarto.org) of laat --renderer quarto weg."
        )
    return quarto, version


def _find(folder: Path, suffix: str) -> Path | None:
    found = sorted(folder.rglob(f"*{suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
    return found[0] if found else None


def render_quarto(book: Book, chapters: list[Path], out_dir: Path, *, meta: Mapping[str, Any],
                  pdf: bool = True) -> Rendered:
    """Render with Quarto into `out_dir`: the HTML book, and a PDF through Typst or LaTeX
    where Quarto can make one (else `pdf` is None; the log says why). `pdf=False`: the HTML alone.

    Raises `QuartoNotFound` when `quarto` is not on PATH or does not run, and
    `QuartoFailed` (Quarto's output in `details`) when the HTML render fails.
    """
    quarto, version = find_quarto()
    pdf_format = "typst" if version >= TYPST_BOOKS_SINCE else "pdf"
    out_dir = Path(out_dir)
    stage = stage_quarto(book, chapters, out_dir, meta=meta, pdf_format=pdf_format)
    output = out_dir / OUTPUT_DIR

    def run(to: str) -> subprocess.CompletedProcess[str]:
        log.info("quarto render %s --to %s", stage, to)
        try:
            return subprocess.run(
                [quarto, "render", str(stage), "--to", to],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as err:
            raise QuartoNotFound(
                f"Quarto ({quarto}) start niet ({plain(str(err))}); installeer Quarto opnieuw "
                "(https://quarto.org) of laat --renderer quarto weg voor de ingebouwde renderer."
            ) from err

    result = run("html")
    if result.returncode != 0:
        raise QuartoFailed(
            f"Quarto kon het HTML-boek niet maken (afsluitcode {result.returncode}): "
            f"{error_line(result.stderr or result.stdout)}; los dat op of laat --renderer quarto weg voor "
            "de ingebouwde renderer, en draai met --debug voor de hele uitvoer van Quarto.",
            details=plain(result.stderr + "\n" + result.stdout).strip(),
        )
    html_index = output / "index.html"
    made = "Quarto " + ".".join(map(str, version))
    if not pdf:
        return Rendered(html=html_index, pdf=None, renderer=QUARTO, version=made, pdf_route=None)

    document: Path | None = None
    if pdf_format == "pdf":
        charts_as_png(stage, book)
    result = run(TYPST_FORMAT if pdf_format == "typst" else pdf_format)
    if result.returncode == 0:
        document = _find(output, ".pdf")
    if document is None:
        log.warning(
            "Quarto %s maakte geen PDF (--to %s): %s",
            ".".join(map(str, version)),
            pdf_format,
            plain(result.stderr or result.stdout).strip()[-2000:],
        )
    return Rendered(html=html_index, pdf=document, renderer=QUARTO, version=made,
                    pdf_route=(TYPST if pdf_format == "typst" else LATEX) if document is not None else None)
