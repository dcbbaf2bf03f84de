"""The Quarto route without Quarto: the staged project (theme, fonts, _quarto.yml, colofon,
Typst extension) and the early, plain failures when `quarto` is missing or too old."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import pytest
import yaml
from conftest import RENDER_PROJECT, render_meta

from jaarverslag import cli, style
from jaarverslag.book import read_book
from jaarverslag.render.quarto import (
    OLDEST,
    THEME,
    TYPST_FORMAT,
    QuartoFailed,
    QuartoNotFound,
    charts_as_png,
    find_quarto,
    render_quarto,
    stage_quarto,
)

FIXTURE = RENDER_PROJECT
META = render_meta({"Gegevensjaar": "2022", "Versie (git)": "abc1234 (gewijzigd)", "Gegevens-hash": "sha256:0123<ab>"})


@pytest.fixture(scope="module")
def book():
    return read_book(FIXTURE / "_quarto.yml")


@pytest.fixture(scope="module")
def stage(book, tmp_path_factory) -> Path:
    return stage_quarto(book, [FIXTURE / c for c in book.notebooks], tmp_path_factory.mktemp("quarto"), meta=META)


@pytest.fixture(scope="module")
def config(stage) -> dict:
    return yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))


def test_the_theme_is_generated_from_the_house_style(stage):
    theme = (stage / THEME).read_text(encoding="utf-8")
    defaults, _, rules = theme.partition("/*-- scss:rules --*/")
    assert defaults.startswith("/*-- scss:defaults --*/")
    assert f'$font-family-sans-serif: "{style.FONT_FAMILY}"' in defaults
    assert f"$body-color: {style.INK}" in defaults and f"$headings-color: {style.HEADING}" in defaults
    for colour in style.PALETTE.values():
        assert colour in rules
    # Numbers right-aligned in the house tables, from the class names style.py gives.
    assert re.search(rf"table\.{style.TABLE_CLASS} td\.{style.NUMBER_CLASS}[^{{]*\{{\s*text-align: right", rules)
    # Every shipped font file has its face, at the place the published book has it.
    for font in style.font_files():
        assert f'url("../../fonts/{font.name}")' in rules
    # A chart never wider than the text column.
    assert re.search(r"\.cell-output-display img[^{]*\{\s*max-width: 100%", rules)
    # The embedded renderer's shared rules come along, not a copy of them.
    assert ".colophon__list" in rules and "font-variant-numeric: tabular-nums" in rules


def test_the_house_font_and_typst_extension_are_staged(stage):
    assert sorted(p.name for p in (stage / "fonts").glob("*.ttf")) == [f.name for f in style.font_files()]
    assert (stage / "fonts" / "OFL.txt").exists()
    extension = stage / "_extensions" / "jaarverslag"
    manifest = yaml.safe_load((extension / "_extension.yml").read_text(encoding="utf-8"))
    partials = manifest["contributes"]["formats"]["typst"]["template-partials"]
    assert partials == ["typst-template.typ", "typst-show.typ"]
    assert all((extension / name).exists() for name in partials)


def test_the_quarto_yml_uses_theme_language_and_typst_format(config):
    html = config["format"]["html"]
    assert html["theme"] == ["cosmo", THEME]
    assert html["resources"] == ["fonts/*"]
    assert config["lang"] == "nl"
    typst = config["format"][TYPST_FORMAT]
    assert "typst" not in config["format"]  # not Quarto's default book template
    assert typst["papersize"] == "a4" and typst["font-paths"] == ["fonts"]
    assert typst["jv-organisation"] == "Wijkkracht" and "jv-year" not in typst  # the title has the year
    assert typst["jv-colofon"][1] == {"label": "Versie (git)", "value": "abc1234 (gewijzigd)"}
    assert typst["jv-colours"]["heading"] == style.HEADING.lstrip("#")


def test_a_colour_is_never_a_number_to_quartos_yaml(stage):
    """Quarto reads YAML 1.2, where 009E73 (the palette's green, without its "#") is 9e73."""
    text = (stage / "_quarto.yml").read_text(encoding="utf-8")
    assert '- "009E73"' in text and "- 009E73" not in text


def test_the_latex_route_keeps_scrreprt_and_no_typst(book, tmp_path):
    stage = stage_quarto(book, [FIXTURE / c for c in book.notebooks], tmp_path, meta=META, pdf_format="pdf")
    formats = yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))["format"]
    assert formats["pdf"]["documentclass"] == "scrreprt" and formats["pdf"]["papersize"] == "a4"
    # fontspec finds the staged house font: fonts/SourceSans3-Regular.ttf and its bold and italics
    options = dict(o.split("=", 1) for o in formats["pdf"]["mainfontoptions"])
    for face in ("UprightFont", "BoldFont", "ItalicFont", "BoldItalicFont"):
        name = options[face].replace("*", formats["pdf"]["mainfont"]) + options["Extension"]
        assert (stage / options["Path"] / name).exists(), name
    assert TYPST_FORMAT not in formats


def test_the_latex_route_gets_every_chart_as_png_and_the_html_keeps_its_svg(book, tmp_path):
    """LaTeX would take the SVG first and need rsvg-convert; it gets the PNG instead."""
    import nbformat

    stage = stage_quarto(book, [FIXTURE / c for c in book.notebooks], tmp_path, meta=META, pdf_format="pdf")

    def bundles() -> list[dict]:
        return [o["data"] for rel in book.notebooks for c in nbformat.read(stage / rel, as_version=4).cells
                for o in c.get("outputs", []) if "image/png" in o.get("data", {})]

    assert bundles() and all("image/svg+xml" in b for b in bundles())  # as staged for the HTML book
    assert charts_as_png(stage, book) == len(bundles())
    assert all("image/svg+xml" not in b for b in bundles())


def test_the_home_page_has_the_colofon(stage):
    index = (stage / "index.qmd").read_text(encoding="utf-8")
    block = index[index.index("```{=html}"):]
    assert '<h2 id="colofon">Colofon</h2>' in block
    assert "<dt>Versie (git)</dt><dd>abc1234 (gewijzigd)</dd>" in block
    assert "sha256:0123&lt;ab&gt;" in block  # escaped, never markup
    assert "Lettertype: Source Sans 3" in block


# ------------------------------------------------------------------------ failing early


def fake_quarto(folder: Path, script: str) -> None:
    folder.mkdir(exist_ok=True)
    quarto = folder / "quarto"
    quarto.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    quarto.chmod(0o755)


@pytest.fixture
def nothing_runs(monkeypatch):
    """Any validation, kernel or chapter the build would start fails the test."""
    import jaarverslag.build as build

    def started(*args, **kwargs):
        raise AssertionError("de build begon aan gegevens of hoofdstukken")

    for name in ("run_chapters", "prefetch", "session"):
        monkeypatch.setattr(build, name, started)
    monkeypatch.setattr(build.cache_mod, "validate_cached", started)


@pytest.mark.parametrize("quarto", [None, "1.3.450"], ids=["ontbreekt", "te-oud"])
def test_a_build_without_a_usable_quarto_stops_before_any_chapter(tmp_path, monkeypatch, capsys, nothing_runs,
                                                                   quarto):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if quarto is not None:
        fake_quarto(bin_dir, f'echo "{quarto}"\n')
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    out = tmp_path / "uit"
    code = cli.main(["build", "--year", "2022", "--renderer", "quarto", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert "\n" not in err and "\x1b" not in err and "Traceback" not in err
    assert ("niet gevonden" in err) if quarto is None else (f"Quarto {quarto}" in err and "te oud" in err)
    assert not out.exists() or not list(out.rglob("*.ipynb"))  # no chapter ran


def test_find_quarto_names_path_and_version(tmp_path, monkeypatch):
    fake_quarto(tmp_path / "bin", 'printf "\\033[1m1.9.2\\033[0m\\n"\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    assert find_quarto() == (str(tmp_path / "bin" / "quarto"), (1, 9, 2))
    assert OLDEST <= (1, 9, 2)


def test_a_failing_quarto_is_one_plain_sentence_and_debug_shows_its_output(book, tmp_path, monkeypatch, capsys):
    fake_quarto(tmp_path / "bin", 'if [ "$1" = "--version" ]; then echo 1.9.2; exit 0; fi\n'
                'echo "Rendering notebooks/clienten.ipynb"\n'
                'printf "\\033[31mERROR: YAMLError: bad indentation\\033[39m\\nStack trace: at render\\n" >&2\n'
                "exit 1\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    with pytest.raises(QuartoFailed) as caught:
        render_quarto(book, [FIXTURE / c for c in book.notebooks], tmp_path / "uit", meta=META)
    message = str(caught.value)
    assert "YAMLError: bad indentation" in message and "\x1b" not in message and "\n" not in message
    assert "Stack trace: at render" in caught.value.details and "Rendering notebooks" in caught.value.details
    assert "\x1b" not in caught.value.details

    import jaarverslag.build as build

    def failing(*args, **kwargs):
        raise caught.value

    monkeypatch.setattr(build, "build_all", failing)
    assert cli.main(["build", "--year", "2022", "--renderer", "quarto", "--debug"]) != 0
    err = capsys.readouterr().err
    assert "Stack trace: at render" in err and "Rendering notebooks/clienten.ipynb" in err
    assert err.strip().splitlines()[-1].startswith("Niet gelukt: Quarto kon het HTML-boek niet maken")
    assert "".join(traceback.format_exception(caught.value)).count("Uitvoer van Quarto") == 1


def test_quarto_not_found_is_a_sentence(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(QuartoNotFound, match=r"^Quarto is niet gevonden: .*\.$"):
        find_quarto()
