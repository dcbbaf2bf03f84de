"""Starting a year: templates for every dataset, rows carried over, only numbers to type;
draft prose pages that validation refuses until they are written; and what `validate`
says of such a year: problems per file, the totals across files, and warnings."""

import csv
from pathlib import Path

import pytest

from jaarverslag.cli import main
from jaarverslag.data import read as data
from jaarverslag.data.checks import is_draft
from jaarverslag.data.contract import DATASETS, TEXTS


def rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, table: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)


def fill_template(template: Path, source: Path) -> None:
    """Fill the empty cells of a template from the file of the year before, as an analyst
    would copy the new figures in: each template row takes the empty cells of the first
    unused row of `source` that agrees with every cell the template already holds."""
    header, *wanted = rows(template)
    source_header, *given = rows(source)
    assert header == source_header, f"{template.name}: the template's header is not the contract's"
    unused = list(given)
    filled = []
    for row in wanted:
        match = next(r for r in unused if all(t == "" or t == r[i] for i, t in enumerate(row)))
        unused.remove(match)
        filled.append([t or match[i] for i, t in enumerate(row)])
    filled += unused  # rows the template did not carry (none today): the analyst adds them
    write_rows(template, [header, *filled])


def fill_year(data_dir: Path, year: int = 2023, source: int = 2022) -> None:
    """Every template of `year` filled from `source`, and the prose pages written."""
    for name in DATASETS:
        fill_template(data_dir / str(year) / f"{name}.csv", data_dir / str(source) / f"{name}.csv")
    for name in TEXTS:
        (data_dir / str(year) / "tekst" / f"{name}.md").write_text(
            f"## {year}\n\nDe tekst van {year} over {name}.\n", encoding="utf-8")


def test_new_year_writes_a_template_for_every_dataset(data_copy, capsys):
    assert main(["new-year", "2023", "--data-dir", str(data_copy)]) == 0
    folder = data_copy / "2023"
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(DATASETS)
    for name, dataset in DATASETS.items():
        assert rows(folder / f"{name}.csv")[0] == dataset.columns
    said = capsys.readouterr().out
    assert f".venv/bin/jaarverslag validate --year 2023 --data-dir {data_copy}" in said
    assert "make report YEAR=2023" in said and "make preview YEAR=2023" in said
    assert "2023/tekst/voorwoord.md" in said and "concept: true" in said


def test_gemeenten_wijkhuizen_and_ranks_are_carried_over_and_figures_left_empty(data_copy):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    folder = data_copy / "2023"
    assert [r[0] for r in rows(folder / "gemeenten.csv")[1:]] == data.gemeenten(2022)
    clienten = rows(folder / "clienten.csv")[1:]
    assert [r[0] for r in clienten] == data.gemeenten(2022) and all(v == "" for r in clienten for v in r[1:])
    assert rows(folder / "bron_aanmelding.csv")[1] == ["Borne", "1", ""]
    wijkhuizen = rows(folder / "wijkhuizen.csv")
    assert wijkhuizen[1][:4] == ["Hasselo", "Hengelo", "Kulturhus", "Hasselo"]
    assert rows(folder / "wijkhuis_activiteiten.csv")[1] == ["Hasselo", "FAVEM", "", "", ""]


def test_a_template_year_is_refused_until_the_figures_are_typed(data_copy):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    problems = [str(p) for p in data.validate_year(2023, data_copy)]
    assert any("2023/clienten.csv, regel 2, kolom 'clienten': mag niet leeg zijn" in p for p in problems)
    assert any("tekst/voorwoord.md: is nog een concept" in p for p in problems)


def test_new_year_makes_the_prose_pages_as_drafts_that_validation_refuses_until_written(data_copy):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    pages = data_copy / "2023" / "tekst"
    assert sorted(p.stem for p in pages.glob("*.md")) == sorted(TEXTS)
    assert all(is_draft(p.read_text(encoding="utf-8")) for p in pages.glob("*.md"))
    assert "data/2022/tekst/voorwoord.md" in (pages / "voorwoord.md").read_text(encoding="utf-8")

    def refused() -> list[str]:
        return [p.file for p in data.validate_year(2023, data_copy) if "concept" in p.rule]

    assert sorted(refused()) == sorted(str(pages / f"{name}.md") for name in TEXTS)
    # Written, but the marker left on top: still a draft. Marker gone: accepted.
    voorwoord = pages / "voorwoord.md"
    voorwoord.write_text(voorwoord.read_text(encoding="utf-8") + "\nHet jaar 2023 was een goed jaar.\n",
                         encoding="utf-8")
    assert str(voorwoord) in refused()
    voorwoord.write_text("Het jaar 2023 was een goed jaar.\n", encoding="utf-8")
    assert refused() == [str(pages / "raad_van_toezicht.md")]


def test_the_ja_nee_template_follows_the_contract_and_validates_once_filled(data_copy):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    oco = data_copy / "2023" / "oco.csv"
    assert rows(oco) == [["gemeente", "clienten", "beperking_geregistreerd"],
                         ["Borne", "", "ja"], ["Haaksbergen", "", "ja"], ["Hengelo", "", "nee"]]
    fill_year(data_copy)
    assert data.validate_year(2023, data_copy) == []
    assert list(data.load(2023, "oco", data_copy)["beperking_geregistreerd"]) == [True, True, False]


@pytest.mark.parametrize("cells", [("True", "True", "False"), ("ja", "true", "nee"), ("ja", "1", "0"),
                                   ("ja", "waar", "nee"), ("j", "ja", "n")])
def test_a_ja_nee_column_takes_ja_or_nee_and_nothing_else(data_copy, cells):
    """Not True/False, 1/0 or waar as text, and so no mixture in one file: the contract says ja or nee."""
    oco = data_copy / "2022" / "oco.csv"
    table = rows(oco)
    for row, cell in zip(table[1:], cells, strict=True):
        row[2] = cell
    write_rows(oco, table)
    problems = [str(p) for p in data.validate_year(2022, data_copy) if p.file.endswith("oco.csv")]
    wrong = [(line, cell) for line, cell in enumerate(cells, start=2) if cell not in ("ja", "nee")]
    assert len(problems) == len(wrong), problems
    for (line, cell), problem in zip(wrong, problems, strict=True):
        assert f"oco.csv, regel {line}, kolom 'beperking_geregistreerd', waarde '{cell}': moet 'ja' of 'nee' zijn" \
            in problem


def test_validate_groups_the_problems_per_file_and_then_lists_the_totals_that_must_agree(data_copy, capsys):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    capsys.readouterr()
    assert main(["validate", "--year", "2023", "--data-dir", str(data_copy)]) == 1
    said = capsys.readouterr().err
    folder = data_copy / "2023"
    assert said.startswith("De gegevens van 2023 zijn niet in orde: ")
    clienten = said.index(f"\n{folder / 'clienten.csv'} (25 problemen):\n")
    assert said.index(f"{folder / 'clienten.csv'}, regel 2, kolom 'clienten': mag niet leeg zijn") > clienten
    assert f"\n{folder / 'tekst' / 'voorwoord.md'} (1 probleem):\n" in said
    totals = said.index("Totalen en verwijzingen die over bestanden heen moeten kloppen:")
    assert totals > said.index(str(folder / "tekst" / "voorwoord.md"))
    # Named in the first round already, with the files that must agree, though not yet checkable.
    across = said[totals:]
    assert (f"{folder / 'clienten.csv'} en {folder / 'leeftijd.csv'} moeten kloppen: clienten in leeftijd telt "
            "per gemeente op tot clienten in clienten") in across
    assert (f"{folder / 'wijkhuizen.csv'} en {folder / 'wijkhuis_activiteiten.csv'} moeten kloppen: deelnemers "
            "in wijkhuis_activiteiten telt per wijkhuis op tot deelnemers_totaal in wijkhuizen") in across
    assert across.count("Nog niet gecontroleerd") == 5

    # Every file in order but one total: that total says it does not agree, with the row.
    fill_year(data_copy)
    table = rows(folder / "clienten.csv")
    table[1][1] = str(int(table[1][1]) + 1)  # Borne: 719 clients, the age groups still add up to 718
    write_rows(folder / "clienten.csv", table)
    assert main(["validate", "--year", "2023", "--data-dir", str(data_copy)]) == 1
    said = capsys.readouterr().err
    assert "zijn niet in orde: 1 probleem, per bestand:" in said
    across = said[said.index("Totalen en verwijzingen"):]
    assert f"{folder / 'leeftijd.csv'} moeten kloppen: " in across and "Klopt niet (1 probleem):" in across
    assert (f"      - {folder / 'clienten.csv'}, regel 2, kolom 'clienten', waarde '719': de clienten in "
            f"{folder / 'leeftijd.csv'} voor Borne tellen op tot 718, niet tot 719") in across
    assert "Klopt." in across and "Nog niet gecontroleerd" not in across


def test_a_wijkhuis_still_expected_a_year_on_is_a_warning_that_names_the_row(data_copy, capsys):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    fill_year(data_copy)
    capsys.readouterr()
    assert main(["validate", "--year", "2023", "--data-dir", str(data_copy)]) == 0  # warnings never fail
    said = capsys.readouterr().out
    assert said.startswith("De gegevens van 2023 zijn in orde.")
    assert "Waarschuwingen (2; ze houden het verslag niet tegen):" in said
    wijkhuizen = data_copy / "2023" / "wijkhuizen.csv"
    assert (f"{wijkhuizen}, regel 3, kolom 'opening_status', waarde 'verwacht': Nijverheid staat nog op "
            "'verwacht', maar de opening (2022-04) ligt vóór 2023") in said
    assert f"{wijkhuizen}, regel 4, kolom 'opening_status', waarde 'verwacht': Weidedorp" in said

    # Opened, as docs/volgend-jaar.md says to do: no warning. Still expected with a date in the
    # year: a warning only because the year before said the same.
    table = rows(wijkhuizen)
    table[2][4:6] = ["2023-05-01", "geopend"]
    table[3][4:6] = ["2023-09", "verwacht"]
    write_rows(wijkhuizen, table)
    main(["validate", "--year", "2023", "--data-dir", str(data_copy)])
    said = capsys.readouterr().out
    assert "Waarschuwingen (1;" in said and "Nijverheid" not in said
    assert "regel 4, kolom 'opening_status', waarde 'verwacht': Weidedorp staat nog op 'verwacht', maar ook in " \
           "2022 stond Weidedorp op 'verwacht'" in said


def test_the_shipped_year_has_no_warnings(capsys):
    assert main(["validate", "--year", "2022"]) == 0
    assert capsys.readouterr().out == "De gegevens van 2022 zijn in orde.\n"


def test_new_year_never_overwrites_and_needs_the_year_before(data_copy, capsys):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    assert main(["new-year", "2023", "--data-dir", str(data_copy)]) == 1
    assert "bestaat al" in capsys.readouterr().err
    assert main(["new-year", "2030", "--data-dir", str(data_copy)]) == 1
    assert "2029 ontbreekt" in capsys.readouterr().err


def test_new_year_from_a_broken_year_names_its_problems_and_makes_nothing(data_copy, capsys):
    oco = data_copy / "2022" / "oco.csv"
    oco.write_text(oco.read_text(encoding="utf-8").replace("Borne,74,ja", "Borne,74,True"), encoding="utf-8")
    assert main(["new-year", "2023", "--data-dir", str(data_copy)]) == 1
    said = capsys.readouterr().err
    assert "new-year vult de sjablonen uit 2022, maar die gegevens zijn niet in orde" in said
    assert "oco.csv, regel 2, kolom 'beperking_geregistreerd', waarde 'True': moet 'ja' of 'nee' zijn" in said
    assert not (data_copy / "2023").exists()  # so a second try, after the fix, is not refused


@pytest.mark.parametrize("name", ["skillz", "clienten"])
def test_building_a_year_with_missing_datasets_names_each_one(data_copy, name):
    (data_copy / "2022" / f"{name}.csv").unlink()
    problems = [str(p) for p in data.validate_year(2022, data_copy)]
    assert any(p.endswith(f"2022/{name}.csv: bestand ontbreekt (dataset '{DATASETS[name].title}')")
               for p in problems)
