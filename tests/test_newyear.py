"""Starting a year: templates for every dataset, rows carried over, only numbers to type."""

import csv

import pytest

from jaarverslag.cli import main
from jaarverslag.data import read as data
from jaarverslag.data.contract import DATASETS


def rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_new_year_writes_a_template_for_every_dataset(data_copy, capsys):
    assert main(["new-year", "2023", "--data-dir", str(data_copy)]) == 0
    folder = data_copy / "2023"
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(DATASETS)
    for name, dataset in DATASETS.items():
        assert rows(folder / f"{name}.csv")[0] == dataset.columns
    assert "jaarverslag validate --year 2023" in capsys.readouterr().out


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
    assert any("tekst/voorwoord.md: tekst ontbreekt" in p for p in problems)


def test_new_year_never_overwrites_and_needs_the_year_before(data_copy, capsys):
    main(["new-year", "2023", "--data-dir", str(data_copy)])
    assert main(["new-year", "2023", "--data-dir", str(data_copy)]) == 1
    assert "bestaat al" in capsys.readouterr().err
    assert main(["new-year", "2030", "--data-dir", str(data_copy)]) == 1
    assert "2029 ontbreekt" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["skillz", "clienten"])
def test_building_a_year_with_missing_datasets_names_each_one(data_copy, name):
    (data_copy / "2022" / f"{name}.csv").unlink()
    problems = [str(p) for p in data.validate_year(2022, data_copy)]
    assert any(p.endswith(f"2022/{name}.csv: bestand ontbreekt (dataset '{DATASETS[name].title}')")
               for p in problems)
