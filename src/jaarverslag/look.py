"""Look at the report as a reader would: screenshots of every page, PNGs of the PDF.

    python -m jaarverslag.look <html_dir> <pdf> <out_dir>

Every `*.html` in `html_dir` is photographed at 1280 px (desktop) and 375 px
(phone) width, full page, with headless Chromium (Debian's `/usr/bin/chromium`,
through playwright; the plain `chromium --screenshot` is the fallback, and only
shows the first screen). The PDF's pages become PNGs with `pdftoppm -r 60`.
Writes `out_dir/html/<page>-<width>.png` and `out_dir/pdf/page-NN.png`, replacing what
an earlier look left there. `make look YEAR=2023` passes `build/look/2023/` as `out_dir`,
so each year keeps its own pictures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (1280, 375)
HEIGHT = {1280: 900, 375: 812}


def _shots_playwright(pages: list[Path], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    made = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=[f for f in CHROMIUM_FLAGS if f != "--headless"]
        )
        try:
            for width in WIDTHS:
                context = browser.new_context(
                    viewport={"width": width, "height": HEIGHT[width]},
                    device_scale_factor=1,
                    offline=True,
                )
                page = context.new_page()
                for html in pages:
                    page.goto(html.resolve().as_uri(), wait_until="load")
                    page.evaluate("document.fonts.ready")
                    target = out / f"{html.stem}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    made.append(target)
                context.close()
        finally:
            browser.close()
    return made


def _shots_cli(pages: list[Path], out: Path) -> list[Path]:
    made = []
    for width in WIDTHS:
        for html in pages:
            target = out / f"{html.stem}-{width}.png"
            subprocess.run(
                [
                    CHROMIUM,
                    *CHROMIUM_FLAGS,
                    "--hide-scrollbars",
                    f"--screenshot={target}",
                    f"--window-size={width},{HEIGHT[width] * 3}",
                    html.resolve().as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            made.append(target)
    return made


def screenshot_html(html_dir: Path, out_dir: Path) -> list[Path]:
    pages = sorted(Path(html_dir).glob("*.html"))
    out = Path(out_dir) / "html"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):  # a page gone since the last look leaves no old picture behind
        old.unlink()
    try:
        return _shots_playwright(pages, out)
    except Exception as exc:  # noqa: BLE001 - any playwright trouble: use the CLI
        print(f"playwright lukte niet ({exc}); chromium --screenshot gebruikt", file=sys.stderr)
        return _shots_cli(pages, out)


def pdf_pages(pdf: Path, out_dir: Path, *, dpi: int = 60) -> list[Path]:
    out = Path(out_dir) / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / "page")], check=True
    )
    return sorted(out.glob("page-*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jaarverslag.look",
        description="Schermafbeeldingen van het HTML-boek (1280 en 375 px) en PNG's van de PDF.",
    )
    parser.add_argument("html_dir", type=Path, help="map met index.html en de hoofdstukpagina's")
    parser.add_argument("pdf", type=Path, help="het PDF-bestand")
    parser.add_argument("out_dir", type=Path, help="waar de PNG's komen")
    parser.add_argument("--dpi", type=int, default=60, help="resolutie van de PDF-pagina's")
    args = parser.parse_args(argv)

    missing = [
        tool for tool, ok in [
            (CHROMIUM, Path(CHROMIUM).exists()),
            ("pdftoppm", shutil.which("pdftoppm") is not None),
        ] if not ok
    ]
    if missing:
        print(f"ontbreekt: {', '.join(missing)} (apt-get install chromium poppler-utils)",
              file=sys.stderr)
        return 2
    shots = screenshot_html(args.html_dir, args.out_dir)
    pages = pdf_pages(args.pdf, args.out_dir, dpi=args.dpi) if args.pdf.exists() else []
    print(f"{len(shots)} schermafbeeldingen en {len(pages)} PDF-pagina's in {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
