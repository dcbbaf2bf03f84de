"""The `jaarverslag` command: a thin layer over build, validate and new-year."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .paths import BOOK_FILE, BUILD_DIR


def _year_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="het jaar van de gegevens, bv. 2022")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="map met een submap per jaar (standaard: data/ van het project)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="jaarverslag", description="Bouw het jaarverslag van Wijkkracht uit data.")
    sub = top.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="controleer de gegevens, voer de hoofdstukken uit en maak HTML en PDF",
                           description="Controleer de gegevens, voer de hoofdstukken uit en maak HTML en PDF.")
    _year_options(build)
    build.add_argument("--gemeente", default=None, help="maak de editie voor één gemeente, bv. Hengelo")
    build.add_argument("--renderer", choices=["embedded", "quarto"], default="embedded",
                       help="embedded (standaard, werkt offline) of quarto (als quarto geïnstalleerd is)")
    build.add_argument("--out", type=Path, default=BUILD_DIR, help="uitvoermap (standaard: build/)")
    build.add_argument("--jobs", type=int, default=None, help="hoofdstukken tegelijk (standaard: aantal kernen)")
    build.add_argument("--book", type=Path, default=BOOK_FILE,
                       help="de boekbeschrijving (standaard: _quarto.yml van het project)")
    build.add_argument("--wait", type=float, default=0,
                       help="seconden wachten als er al een build van dit jaar loopt (standaard: 0)")

    validate = sub.add_parser("validate", help="controleer alle gegevens van een jaar en noem elk probleem",
                              description="Controleer alle gegevens van een jaar en noem elk probleem.")
    _year_options(validate)

    new = sub.add_parser("new-year", help="maak data/<jaar>/ met een sjabloon per dataset, ingevuld uit het jaar ervoor",
                         description="Maak data/<jaar>/ met een sjabloon per dataset: de kopregel, en de gemeenten, "
                                     "wijkhuizen en rangen uit het jaar ervoor. Vul daarna alleen de cijfers in.")
    new.add_argument("year", type=int, help="het nieuwe jaar, bv. 2023")
    new.add_argument("--data-dir", type=Path, default=None, help="map met een submap per jaar (standaard: data/)")
    return top


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly as on Ctrl-C
    from .build import BuildBusy, build_report
    from .data import DataError, validate_year
    from .execute import ChapterError

    try:
        if args.command == "new-year":
            from .newyear import new_year

            written = new_year(args.year, args.data_dir)
            print(f"{len(written)} sjablonen gemaakt in {written[0].parent}. Vul de cijfers in en draai dan:")
            print(f"  jaarverslag validate --year {args.year}")
            return 0
        if args.command == "validate":
            problems = validate_year(args.year, args.data_dir)
            if problems:
                print(f"De gegevens van {args.year} zijn niet in orde: {DataError(problems)}", file=sys.stderr)
                return 1
            print(f"De gegevens van {args.year} zijn in orde.")
            return 0
        entry = build_report(args.year, gemeente=args.gemeente, renderer=args.renderer, out_root=args.out,
                             data_dir=args.data_dir, jobs=args.jobs, wait=args.wait,
                             book_file=args.book)
    except (DataError, ChapterError, BuildBusy) as err:
        print(f"Niet gebouwd: {err}", file=sys.stderr)
        return 1
    except (FileExistsError, FileNotFoundError) as err:
        print(f"Niet gelukt: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Afgebroken. Het vorige jaarverslag is niet aangeraakt.", file=sys.stderr)
        return 130
    year_out = Path(args.out) / str(args.year)
    print(f"Jaarverslag {args.year} ({entry['renderer']}) is klaar:")
    print(f"  HTML: {year_out / entry['html']}")
    if entry["pdf"]:
        print(f"  PDF:  {year_out / entry['pdf']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
