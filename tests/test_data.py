"""Loading validates: good data loads typed, bad data is refused naming file, line, column, value."""

import shutil
from collections import OrderedDict

import pandas as pd
import pytest
from conftest import edit

from jaarverslag.data import read as data
from jaarverslag.data.contract import DATASETS


def problems(data_dir):
    return [str(p) for p in data.validate_year(2022, data_dir)]


def test_every_shipped_dataset_is_valid():
    assert data.validate_year(2022) == []
    for name in DATASETS:
        assert len(data.load(2022, name)) > 0


def test_gemeenten_come_from_the_data(data_copy):
    assert data.gemeenten(2022) == ["Borne", "Dinkelland", "Haaksbergen", "Hengelo", "Oldenzaal"]
    (data_copy / "2022" / "gemeenten.csv").write_text("gemeente\nBorne\nLosser\n", encoding="utf-8")
    assert data.gemeenten(2022, data_copy) == ["Borne", "Losser"]


def test_counts_load_as_whole_numbers():
    clienten = data.load(2022, "clienten")
    assert clienten["clienten"].dtype == "Int64"
    assert clienten.set_index("gemeente").loc["Haaksbergen", "clienten"] == 1380


def test_loading_returns_a_copy_the_caller_may_change():
    frame = data.load(2022, "clienten")
    frame.loc[0, "clienten"] = 0
    assert data.load(2022, "clienten").loc[0, "clienten"] == 718


def test_a_dutch_thousands_separator_is_read_as_thousands(data_copy):
    edit(data_copy / "2022" / "clienten.csv", "Haaksbergen,1380,", 'Haaksbergen,"1.380",')
    frame = data.load(2022, "clienten", data_copy)
    assert frame.set_index("gemeente").loc["Haaksbergen", "clienten"] == 1380


def test_a_decimal_is_refused_never_read_as_a_fraction(data_copy):
    edit(data_copy / "2022" / "clienten.csv", "Haaksbergen,1380,", 'Haaksbergen,"1,38",')
    found = problems(data_copy)
    assert len(found) == 1
    assert found[0].endswith("2022/clienten.csv, regel 4, kolom 'clienten', waarde '1,38': "
                             "moet een geheel getal zijn (zonder komma of decimalen)")


def test_semicolons_and_a_bom_as_dutch_excel_saves_them(data_copy):
    path = data_copy / "2022" / "skillz.csv"
    text = path.read_text(encoding="utf-8").replace(",", ";")
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    frame = data.load(2022, "skillz", data_copy)
    assert list(frame.columns) == ["gemeente", "rondes", "jongeren_gesproken", "korte_contacten"]
    assert frame["rondes"].tolist() == [78, 41, 108]


def test_xlsx_is_read_like_csv(data_copy):
    folder = data_copy / "2022"
    pd.read_csv(folder / "skillz.csv").to_excel(folder / "skillz.xlsx", index=False)
    (folder / "skillz.csv").unlink()
    assert data.load(2022, "skillz", data_copy)["jongeren_gesproken"].tolist() == [590, 360, 1658]


def test_load_raises_with_every_problem_named(data_copy):
    edit(data_copy / "2022" / "skillz.csv", "Borne,78,590,20", "Borne,78,veel,-20")
    with pytest.raises(data.DataError) as err:
        data.load(2022, "skillz", data_copy)
    text = str(err.value)
    assert "skillz.csv, regel 2, kolom 'jongeren_gesproken', waarde 'veel'" in text
    assert "skillz.csv, regel 2, kolom 'korte_contacten', waarde '-20': moet 0 of meer zijn" in text


def test_a_chapter_kernel_skips_the_rules_only_for_the_bytes_the_build_validated(data_copy, monkeypatch):
    """`trust` (a build's kernels): the same bytes are not checked again; changed bytes are."""
    from jaarverslag.fingerprint import file_digest

    monkeypatch.setattr(data, "_trusted", {})
    monkeypatch.setattr(data, "_clean", OrderedDict())  # nothing checked before in this process
    skillz = data_copy / "2022" / "skillz.csv"
    data.trust({str(skillz): file_digest(skillz)})
    checked = []
    monkeypatch.setattr(data.schema, "check", lambda *args, **kw: checked.append(args[0].name) or [])
    assert data.load(2022, "skillz", data_copy)["jongeren_gesproken"].tolist() == [590, 360, 1658]
    data.load(2022, "clienten", data_copy)  # not trusted: checked
    assert "skillz" not in checked and "clienten" in checked
    monkeypatch.undo()  # the real rules again, and nothing trusted
    monkeypatch.setattr(data, "_trusted", {str(skillz): file_digest(skillz)})
    monkeypatch.setattr(data, "_clean", OrderedDict())
    edit(skillz, "Borne,78,590,20", "Borne,78,590,-20")  # other bytes than the build validated
    with pytest.raises(data.DataError, match="waarde '-20': moet 0 of meer zijn"):
        data.load(2022, "skillz", data_copy)


def test_bytes_read_clean_are_not_read_and_checked_again_in_the_process(data_copy, tmp_path, monkeypatch):
    """The same bytes against the same gemeenten, also in another folder, are not read and
    checked again; changed bytes, other gemeenten, bytes that broke a rule and a file in the
    wrong place are."""
    monkeypatch.setattr(data, "_trusted", {})
    monkeypatch.setattr(data, "_clean", OrderedDict())
    real, checked = data.schema.check, []
    monkeypatch.setattr(data.schema, "check", lambda *args, **kw: checked.append(args[0].name) or real(*args, **kw))
    assert data.validate_year(2022, data_copy) == []
    assert len(checked) == len(DATASETS) and "skillz" in checked

    second = tmp_path / "tweede"
    shutil.copytree(data_copy, second)
    checked.clear()
    assert data.validate_year(2022, second) == []
    assert checked == []

    edit(second / "2022" / "skillz.csv", "Borne,78,590,20", "Borne,78,590,-20")
    assert [str(p.value) for p in data.validate_year(2022, second)] == ["-20"]
    assert [str(p.value) for p in data.validate_year(2022, second)] == ["-20"]  # what broke a rule: each time
    assert checked == ["skillz", "skillz"]

    edit(second / "2022" / "skillz.csv", "Borne,78,590,-20", "Borne,78,590,20")
    edit(second / "2022" / "gemeenten.csv", "Oldenzaal\n", "Oldenzaal\nLosser\n")
    checked.clear()
    data.validate_year(2022, second)
    assert sorted(checked) == sorted(DATASETS)  # other gemeenten: every dataset is checked against them

    outside = tmp_path / "elders.csv"  # the same bytes, as a link out of the data folder
    (second / "2022" / "skillz.csv").rename(outside)
    (second / "2022" / "skillz.csv").symlink_to(outside)
    assert "koppeling naar een bestand buiten" in str(data.validate_year(2022, second))
