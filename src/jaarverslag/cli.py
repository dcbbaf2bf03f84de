"""The `jaarverslag` command: a thin layer over build, validate, new-year and preview."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn, TypeVar

from . import paths
from .errors import JaarverslagError, Kind, from_os_error

if TYPE_CHECKING:
    from .data.schema import Problem


class DutchParser(argparse.ArgumentParser):
    """argparse with its complaints in Dutch, as one sentence and exit code 2."""

    PHRASES = {
        "the following arguments are required": "deze opties ontbreken",
        "one of the arguments": "geef een van deze opties op:",
        "is required": "",
        "not allowed with argument": "gaat niet samen met",
        "unrecognized arguments": "onbekende opties",
        "invalid choice": "ongeldige keuze",
        "choose from": "kies uit",
        "expected one argument": "verwacht één waarde",
        "argument ": "optie ",
        "invalid int value": "geen geheel getal",
        "invalid float value": "geen getal",
        "invalid Path value": "geen geldig pad",
    }

    def error(self, message: str) -> NoReturn:
        for english, dutch in self.PHRASES.items():
            message = message.replace(english, dutch)
        self.exit(2, f"{self.prog}: {' '.join(message.split())}. Zie '{self.prog} --help'.\n")


Number = TypeVar("Number", int, float)


def number(convert: Callable[[str], Number], accepts: Callable[[Number], bool], rule: str,
           noun: str = "") -> Callable[[str], Number]:
    """An argparse type: `convert(text)` where `accepts(value)`, else a Dutch complaint naming `rule`.

    >>> number(int, lambda v: 1 <= v <= 64, "moet tussen 1 en 64 liggen")("8")
    8
    """
    noun = noun or ("geen geheel getal" if convert is int else "geen getal")

    def parse(text: str) -> Number:
        try:
            value = convert(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{noun}: {text!r}") from None
        if not accepts(value):
            raise argparse.ArgumentTypeError(f"{rule}: {text!r}")
        return value

    return parse


INF = float("inf")
year = number(int, lambda v: 1900 <= v <= 2200, "geen geldig jaar (bv. 2022)", "geen geldig jaar (bv. 2022)")
positive = number(float, lambda v: 0 < v < INF, "moet groter dan 0 zijn")
not_negative = number(float, lambda v: 0 <= v < INF, "moet 0 of meer zijn")


def whole(low: int, high: int) -> Callable[[str], int]:
    return number(int, lambda v: low <= v <= high, f"moet tussen {low} en {high} liggen")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--project", type=Path, default=None,
                   help="de projectmap, met _quarto.yml (standaard: de dichtstbijzijnde vanaf de huidige map)")
    p.add_argument("--debug", action="store_true", help="toon bij een fout ook de volledige traceback")


def _year_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=year, required=True, help="het jaar van de gegevens, bv. 2022")
    _data_dir_option(p)


def _data_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None,
                   help="map met een submap per jaar (standaard: data/ van het project)")


def years(text: str) -> list[int]:
    """'2021-2023' or '2021,2023' as a list of years.

    >>> years("2021-2023"), years("2022"), years("2020,2022")
    ([2021, 2022, 2023], [2022], [2020, 2022])
    """
    found: list[int] = []
    try:
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            found += range(int(first), int(last or first) + 1)
    except ValueError:
        found = []
    if not found or len(found) > 50 or any(y < 1900 or y > 2200 for y in found):
        raise argparse.ArgumentTypeError(f"geen geldige jaren: {text!r} (bv. 2022, 2021-2023 of 2021,2022)")
    return found


def parser() -> argparse.ArgumentParser:
    top = DutchParser(prog="jaarverslag", description="Bouw het jaarverslag van Wijkkracht uit data.")
    sub = top.add_subparsers(dest="command", required=True, parser_class=DutchParser)

    build = sub.add_parser("build", help="controleer de gegevens, voer de hoofdstukken uit en maak HTML en PDF",
                           description="Controleer de gegevens, voer de hoofdstukken uit en maak HTML en PDF.")
    which_years = build.add_mutually_exclusive_group(required=True)
    which_years.add_argument("--year", type=year, help="het jaar van de gegevens, bv. 2022")
    which_years.add_argument("--years", type=years, help="meer jaren: 2021-2023 of 2021,2022")
    _data_dir_option(build)
    which = build.add_mutually_exclusive_group()
    which.add_argument("--gemeente", default=None, help="maak de editie voor één gemeente, bv. Hengelo")
    which.add_argument("--all", action="store_true",
                       help="maak het verslag van heel Wijkkracht én de editie van elke gemeente")
    build.add_argument("--suppress-below", type=whole(2, 100), default=None, metavar="N",
                       help="toon aantallen van 1 tot N-1 als '<N' (voor openbare edities; standaard uit)")
    build.add_argument("--renderer", choices=["embedded", "quarto"], default="embedded",
                       help="embedded (standaard, werkt offline) of quarto (als quarto geïnstalleerd is)")
    build.add_argument("--html-only", dest="pdf", action="store_false",
                       help="maak alleen het HTML-boek, zonder PDF: sneller, om na te kijken (de editie heeft dan "
                            "geen PDF en geen link ernaar, tot een build zonder deze optie)")
    build.add_argument("--out", type=Path, default=None, help="uitvoermap (standaard: build/ van het project)")
    build.add_argument("--timeout", type=positive, default=None, metavar="SECONDEN",
                       help="hoogstens zoveel seconden per cel van een hoofdstuk (standaard: cell-timeout in "
                            "_quarto.yml)")
    build.add_argument("--jobs", type=whole(1, 64), default=None,
                       help="hoofdstukken tegelijk (standaard: aantal kernen)")
    build.add_argument("--book", type=Path, default=None,
                       help="de boekbeschrijving (standaard: _quarto.yml van het project)")
    build.add_argument("--wait", type=not_negative, default=0,
                       help="seconden wachten als er al een build van dit jaar loopt (standaard: 0)")
    build.add_argument("--no-cache", dest="cache", action="store_false",
                       help="voer elk hoofdstuk opnieuw uit en maak alles opnieuw, ook als er niets veranderd is "
                            "(standaard worden ongewijzigde hoofdstukken uit de cache in <uitvoermap>/.cache gehaald)")
    build.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="toon de voortgang per hoofdstuk en editie op stderr "
                            "(standaard: alleen in een terminal, niet in CI)")

    validate = sub.add_parser("validate", help="controleer alle gegevens van een jaar en noem elk probleem",
                              description="Controleer alle gegevens van een jaar en noem elk probleem.")
    _year_options(validate)

    new = sub.add_parser("new-year",
                         help="maak data/<jaar>/ met een sjabloon per dataset, ingevuld uit het jaar ervoor",
                         description="Maak data/<jaar>/ met een sjabloon per dataset: de kopregel, en de gemeenten, "
                                     "wijkhuizen en rangen uit het jaar ervoor. Vul daarna alleen de cijfers in.")
    new.add_argument("year", type=year, help="het nieuwe jaar, bv. 2023")
    new.add_argument("--data-dir", type=Path, default=None, help="map met een submap per jaar (standaard: data/)")
    preview = sub.add_parser("preview", help="toon het HTML-boek in de browser en werk het bij bij elke wijziging",
                             description="Toon het HTML-boek van een jaar op deze computer (127.0.0.1) en werk het "
                                         "bij zodra gegevens, teksten, notebooks of _quarto.yml veranderen: alleen "
                                         "de hoofdstukken die dat lazen draaien opnieuw. Stop met Ctrl-C.")
    _year_options(preview)
    preview.add_argument("--gemeente", default=None, help="toon de editie voor één gemeente, bv. Hengelo")
    preview.add_argument("--port", type=whole(0, 65535), default=8000,
                         help="de poort op 127.0.0.1 (standaard: 8000; 0 kiest een vrije)")
    preview.add_argument("--no-browser", dest="browser", action="store_false",
                         help="open geen browser (standaard opent het voorbeeld zich in de browser, als er een is)")
    preview.add_argument("--pdf-after", type=not_negative, default=30, metavar="SECONDEN",
                         help="maak de PDF op de achtergrond als er zoveel seconden niets veranderde (standaard: "
                              "30; 0: alleen als de PDF gevraagd wordt met de link 'Download als PDF')")
    for command in (build, validate, new, preview):
        _common(command)
    return top


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    from .run.kernels import stop_requested

    stop_requested.set()  # also seen by a wait whose KeyboardInterrupt Python swallowed
    raise KeyboardInterrupt


def skip_iri_grammar() -> None:
    """Before nbformat loads: jsonschema, which it imports, builds a grammar for IRIs as it loads
    when the optional rfc3987_syntax is installed (JupyterLab brings it along), 1.3-1.6 s of CPU
    in every process, for a format that no notebook schema uses. Marked absent, it is left out
    as if not installed. (Also in every test process: tests/lean_imports.py.)"""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    skip_iri_grammar()
    args = parser().parse_args(argv)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        from .run.kernels import stop_requested

        stop_requested.clear()
        for stop in (signal.SIGINT, signal.SIGTERM):  # SIGTERM stops as cleanly as Ctrl-C
            previous[stop] = signal.signal(stop, _interrupt)
    try:
        with paths.project(args.project):
            return _run(args)
    except KeyboardInterrupt:
        print("Afgebroken. Het vorige jaarverslag is niet aangeraakt.", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - caught once, here: a sentence, never a traceback
        known = err if isinstance(err, JaarverslagError) else (
            from_os_error(err) if isinstance(err, OSError) else None)
        if args.debug:
            traceback.print_exc()
        if known is None:
            print(f"Er ging iets onverwachts mis ({type(err).__name__}: {err}). Het vorige jaarverslag is niet "
                  "aangeraakt; draai opnieuw met --debug en meld de uitvoer.", file=sys.stderr)
            return 1
        prefix = ("Niet gebouwd: " if args.command == "build" else "") if known.kind is Kind.DATA else "Niet gelukt: "
        print(f"{prefix}{known}", file=sys.stderr)
        return known.exit_code
    finally:
        for stop, handler in previous.items():  # a caller in this process (a test) gets its own back
            signal.signal(stop, handler)


def _run(args: argparse.Namespace) -> int:
    from . import names

    if args.data_dir is not None:
        names.data_folder(args.data_dir)  # an existing folder, else a sentence (not a traceback later)
    if args.command == "new-year":
        return _new_year(args)
    if args.command == "preview":
        from .preview import run_preview

        return run_preview(args.year, gemeente=args.gemeente, data_dir=args.data_dir, port=args.port,
                           open_browser=args.browser, pdf_after=args.pdf_after)
    if args.command == "validate":
        names.year(args.year, args.data_dir)  # a year without data: the years that have it, in one sentence
        return _validate(args)
    from .build import build_all

    out = args.out or paths.build_dir()
    built = build_all(args.years or [args.year], every_gemeente=args.all, gemeente=args.gemeente,
                      renderer=args.renderer, out_root=out, data_dir=args.data_dir,
                      jobs=args.jobs, wait=args.wait, book_file=args.book,
                      suppress_below=args.suppress_below, cache=args.cache, progress=args.progress,
                      timeout=args.timeout, pdf=args.pdf)
    for year, editions in built.items():
        for name, entry in editions.items():
            year_out = Path(out) / str(year)
            print(f"Jaarverslag {year}, editie {name} ({entry['renderer']}) is klaar:")
            print(f"  HTML: {year_out / entry['html']}")
            if entry["pdf"]:
                print(f"  PDF:  {year_out / entry['pdf']}")
    return 0


def _new_year(args: argparse.Namespace) -> int:
    """Make the year's templates and draft pages, and say what to do next, as commands to run."""
    from .data.newyear import drafts, new_year

    written = new_year(args.year, args.data_dir)
    folder = written[0].parent
    shown = paths.relative(folder)
    data_option = f" --data-dir {paths.relative(args.data_dir)}" if args.data_dir is not None else ""
    pages = ", ".join(paths.relative(page) for page in drafts(folder))
    print(f"{len(written)} sjablonen gemaakt in {shown}/ en {len(drafts(folder))} teksten om te schrijven "
          f"in {shown}/tekst/.")
    print("Volgende stappen (docs/volgend-jaar.md zegt meer bij elke stap):")
    print(f"  1. Vul de lege cellen in de bestanden in {shown}/ in (elke kolom: docs/data.md).")
    print(f"  2. Schrijf de teksten: {pages}; haal daarna in elke tekst de regels "
          "'---', 'concept: true', '---' bovenaan weg.")
    print(f"  3. Controleer, tot alles in orde is:  .venv/bin/jaarverslag validate --year {args.year}{data_option}")
    print(f"  4. Bekijk het verslag terwijl je werkt:  make preview YEAR={args.year}")
    print(f"  5. Maak HTML en PDF:  make report YEAR={args.year}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Every problem of the year, grouped per file; then every total that must agree across
    files, with the files that must agree; then the warnings, which never fail."""
    from .data.checks import by_file, cross_totals, warnings
    from .data.read import validate_year

    problems = validate_year(args.year, args.data_dir)
    cautions = warnings(args.year, args.data_dir)
    said = [] if not cautions else [
        "", f"Waarschuwingen ({len(cautions)}; ze houden het verslag niet tegen):", *(f"  - {p}" for p in cautions)]
    if not problems:
        print(f"De gegevens van {args.year} zijn in orde.")
        if said:
            print("\n".join(said))
        return 0
    totals = cross_totals(args.year, args.data_dir)
    across = {str(p) for total in totals for p in total.problems}
    own = by_file([p for p in problems if str(p) not in across])
    lines = [f"De gegevens van {args.year} zijn niet in orde: {_count(problems)}, per bestand:"]
    for file, found in own.items():
        lines += ["", f"{file} ({_count(found)}):", *(f"  - {p}" for p in found)]
    lines += ["", "Totalen en verwijzingen die over bestanden heen moeten kloppen:"]
    for total in totals:
        lines += [f"  - {total}", *(f"      - {p}" for p in total.problems)]
    print("\n".join(lines + said), file=sys.stderr)
    return 1


def _count(problems: list[Problem]) -> str:
    return "1 probleem" if len(problems) == 1 else f"{len(problems)} problemen"


if __name__ == "__main__":
    sys.exit(main())
