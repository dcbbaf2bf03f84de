"""docs/data.md, generated from the dataset schemas so the two cannot drift apart."""

from __future__ import annotations

from .. import paths
from .checks import CHECKS, DRAFT, WARNINGS
from .contract import DATASETS, TEXTS
from .read import file_size
from .schema import BOOL, COUNT, DATE, FREQUENCY, WEBSITE, Dataset, dutch_int

DATA_DOC = paths.DATA_DOC  # relative to the project
DEFAULT = Dataset("", "", "", ())  # the bounds a dataset has unless it says otherwise

KINDS = {
    COUNT: "geheel getal ≥ 0 (\"1.380\" wordt gelezen als 1380)",
    FREQUENCY: "frequentie: dagelijks, wekelijks, maandelijks, jaarlijks of 'Nx per dag/week/maand/jaar'",
    DATE: "datum jjjj-mm-dd, of jjjj-mm als alleen de maand bekend is",
    BOOL: "ja of nee (niets anders: geen True/False, 1/0 of waar/onwaar)",
    WEBSITE: "webadres: www.voorbeeld.nl of http(s)://...",
}


def data_doc() -> str:
    parts = [
        "# Gegevens: de datasets van het jaarverslag",
        "",
        "Dit bestand is gemaakt uit de schema's in `src/jaarverslag/data/contract.py` "
        "(`python -m jaarverslag.data.docs`); een test houdt het gelijk. Wijzig het schema, niet dit bestand.",
        "",
        "Elke dataset is één bestand in `data/<jaar>/`: `<naam>.csv` (UTF-8, met of zonder BOM, "
        "gescheiden door `,` of `;`) of `<naam>.xlsx`. De eerste regel is de kopregel met precies de "
        "kolomnamen hieronder. Een lege cel betekent *onbekend*, nooit 0.",
        "",
        "Voor elke dataset geldt ook: een gemeente moet in `gemeenten` van dat jaar staan, en de kolommen "
        "van de sleutel komen samen maar één keer voor.",
        "",
        "Wat onwaarschijnlijk is, wordt geweigerd met de reden erbij:",
        "",
        "- Een aantal boven de bovengrens van zijn kolom (kolom *hoogstens* hieronder): zo'n cijfer is eerder "
        "een tikfout dan een feit. Klopt het toch, verhoog dan de grens in het schema.",
        "- Een bestand met alleen een kopregel, tenzij hieronder staat dat de dataset leeg mag zijn; het verslag "
        "zegt dan wat dat betekent (bij `oco_beperking`: 'Wordt niet geregistreerd.').",
        "- Twee bestanden voor één dataset (`<naam>.csv` én `<naam>.xlsx`): verwijder er één.",
        f"- Een bestand dat groter is dan de dataset kan zijn (hoogstens {DEFAULT.max_rows} rijen, "
        f"{file_size(DEFAULT.max_bytes)}, tenzij hieronder anders staat), nog vóór het gelezen wordt.",
        "- In een .xlsx: een datumcel in een kolom met aantallen, en een formule die zonder uitkomst is "
        "opgeslagen (open het bestand in Excel en sla het op). Datums worden jjjj-mm-dd, 12,0 wordt 12, "
        "WAAR/ONWAAR wordt ja/nee.",
    ]
    parts += ["", "Controles over bestanden heen (`src/jaarverslag/data/checks.py`):", ""]
    parts += [f"- {check.describe()}" for check in CHECKS]
    parts += ["", "`jaarverslag validate` noemt deze controles ook als de bestanden zelf nog problemen hebben "
              "(dan als *nog niet gecontroleerd*), met de bestanden die moeten kloppen.",
              "", "Waarschuwingen: toegestaan, maar in een nieuw jaar onwaarschijnlijk. `validate` noemt ze met "
              "bestand, regel, kolom en waarde; ze houden het verslag niet tegen:", ""]
    parts += [f"- {rule.describe()}" for rule in WARNINGS]
    parts += ["", "Teksten per jaar, in `data/<jaar>/tekst/`: "
              + ", ".join(f"`{name}.md`" for name in TEXTS) + " (Markdown, UTF-8, zonder de titel). "
              f"`new-year` zet ze klaar als concept (bovenaan `---`, `{DRAFT}`, `---`); zolang dat kopblok "
              "er staat, weigert `validate` de tekst."]
    for dataset in DATASETS.values():
        parts += ["", *_dataset_doc(dataset)]
    return "\n".join(parts) + "\n"


def _dataset_doc(dataset: Dataset) -> list[str]:
    lines = [f"## `{dataset.name}`: {dataset.title}", "", f"Bron: {dataset.source}", ""]
    if dataset.key:
        lines.append(f"- Sleutel: {', '.join(f'`{k}`' for k in dataset.key)}.")
    if dataset.ranked_by is not None:
        groups = ", ".join(f"`{k}`" for k in dataset.ranked_by) or "bestand"
        lines.append(f"- Ranglijst: `rang` loopt per {groups} van 1 tot N, zonder gaten of dubbele.")
    for rule in dataset.rules:
        lines.append(f"- Regel: `{rule.column}` {rule.message}.")
    if dataset.max_rows != DEFAULT.max_rows:
        lines.append(f"- Hoogstens {dataset.max_rows} rijen, {file_size(dataset.max_bytes)}.")
    if dataset.may_be_empty:
        lines.append("- Mag leeg zijn: alleen de kopregel is toegestaan.")
    lines += ["", "| kolom | titel | soort | verplicht | hoogstens | toegestaan | betekenis |",
              "|---|---|---|---|---|---|---|"]
    for f in dataset.fields:
        allowed = ", ".join(f.allowed) if f.allowed else ("gemeente van dit jaar" if f.gemeente else "")
        maximum = dutch_int(f.maximum) if f.maximum is not None else ""
        lines.append(f"| `{f.name}` | {f.title} | {KINDS.get(f.kind, 'tekst')} | "
                     f"{'ja' if f.required else 'nee'} | {maximum} | {allowed} | {f.description} |")
    return lines


if __name__ == "__main__":
    target = paths.root() / DATA_DOC
    target.parent.mkdir(exist_ok=True)
    target.write_text(data_doc(), encoding="utf-8")
    print(f"geschreven: {target}")
