"""Year over year: last year's figure and the change, only where the data has last year.

Only 2022 is real data. The previous year is made here, in a temporary copy:
2022's counts times 0.9, rounded, with the totals that other files must match
recomputed so the fixture year passes validation. Nothing of it is written to data/.
The built report is the run's shared one the other way round (`report_with_previous_year`
in conftest.py: a 2023 of 2022 times 1.1, compared with the real 2022), not a build of its own.
"""

import csv
import io
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from jaarverslag import Edition
from jaarverslag.build import build_report
from jaarverslag.chapters import clienten, dienstverlening, jeugd, jongerenwerk, mantelzorg, vrijwilligers, wijkhuizen
from jaarverslag.chapters.toolkit.compare import NO_FIGURE, Change, compare
from jaarverslag.chapters.toolkit.tables import Table, with_total
from jaarverslag.data.contract import DATASETS
from jaarverslag.data.read import DataError, validate_year
from jaarverslag.data.schema import COUNT
from jaarverslag.paths import DATA_DIR

# Counts that are no figures of the year: they stay as they are.
NOT_SCALED = {"rang", "jaar", "fase", "dagen_per_week"}


def scaled(n: int, factor: float) -> int:
    return int(n * factor + 0.5)


def make_previous_year(data_dir, year: int = 2021, factor: float = 0.9, source: int = 2022):
    """data_dir/<year>/: a copy of <source> with every count scaled by `factor` (rounded), the
    clients per gemeente recomputed from the age groups and the wijkhuis totals from their
    activities, so the year validates. Returns the folder."""
    target = data_dir / str(year)
    shutil.copytree(data_dir / str(source), target)
    frames = {}
    for name, dataset in DATASETS.items():
        path = target / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for f in dataset.fields:
            if f.kind == COUNT and f.name not in NOT_SCALED:
                frame[f.name] = [str(scaled(int(v), factor)) if v != "" else "" for v in frame[f.name]]
        frames[name] = frame
    ages = frames["leeftijd"].assign(clienten=lambda f: f["clienten"].astype(int)).groupby("gemeente")["clienten"].sum()
    people = frames["clienten"]
    people["clienten"] = [str(ages.get(g, int(n))) for g, n in zip(people["gemeente"], people["clienten"], strict=True)]
    people["nieuwe_clienten"] = [str(min(int(a), int(b))) for a, b in
                                 zip(people["nieuwe_clienten"], people["clienten"], strict=True)]
    activities = frames["wijkhuis_activiteiten"].assign(deelnemers=lambda f: f["deelnemers"].astype(int))
    sums = activities.groupby("wijkhuis")["deelnemers"].sum()
    frames["wijkhuizen"]["deelnemers_totaal"] = [str(sums[w]) if t != "" else "" for w, t in
                                                 zip(frames["wijkhuizen"]["wijkhuis"],
                                                     frames["wijkhuizen"]["deelnemers_totaal"], strict=True)]
    for name, frame in frames.items():
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        (target / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return target


@pytest.fixture
def two_years(data_copy):
    """A data folder with the real 2022 and a made-up 2021 (2022 times 0.9)."""
    make_previous_year(data_copy)
    return data_copy


# ---- the fixture year itself --------------------------------------------------

def test_the_fixture_year_is_valid_and_smaller(two_years):
    assert validate_year(2021, two_years) == []
    before = Edition(2021, data_dir=two_years).load("clienten").set_index("gemeente")["clienten"]
    assert before["Hengelo"] == sum(scaled(n, 0.9) for n in (277, 437, 545, 497, 554, 467, 970))


def test_the_previous_edition_exists_only_with_last_years_data(data_copy, two_years):
    assert Edition(2022).previous() is None  # data/ has no 2021, and must never get a fake one
    assert not (DATA_DIR / "2021").exists()
    before = Edition(2022, "Hengelo", two_years, 10).previous()
    assert before == Edition(2021, "Hengelo", two_years, 10)


# ---- the comparison -----------------------------------------------------------

def table(rows, total=True):
    frame = pd.DataFrame(rows, columns=["Gemeente", "Cliënten"]).astype({"Cliënten": "Int64"})
    return Table(with_total(frame, "Gemeente") if total else frame, "Cliënten, 2022", total=total)


def test_compare_adds_last_year_and_the_change_after_the_column():
    now = table([("Borne", 112), ("Hengelo", 96), ("Losser", 40)])
    before = table([("Borne", 100), ("Hengelo", 100), ("Oldenzaal", 10)])
    got = compare(now, before, key="Gemeente", columns=["Cliënten"], year=2022, previous_year=2021)
    assert list(got.frame.columns) == ["Gemeente", "Cliënten 2022", "Cliënten 2021", "Verschil"]
    rows = got.frame.set_index("Gemeente")
    assert rows.loc["Borne", "Cliënten 2022"] == 112 and rows.loc["Borne", "Cliënten 2021"] == 100
    assert rows.loc["Borne", "Verschil"] == Change(12, pytest.approx(0.12))
    assert rows.loc["Hengelo", "Verschil"].diff == -4
    assert rows.loc["Hengelo", "Verschil"].fraction == pytest.approx(-0.04)
    assert pd.isna(rows.loc["Losser", "Cliënten 2021"]) and pd.isna(rows.loc["Losser", "Verschil"])
    # Last year's own total, Oldenzaal included: 210, not the 200 of the rows shown.
    assert rows.loc["Totaal", "Cliënten 2021"] == 210 and rows.loc["Totaal", "Verschil"].diff == 38
    html = got._repr_html_()
    for shown in (">+12 (+12,0%)<", ">\u22124 (\u22124,0%)<", ">+38 (+18,1%)<", f">{NO_FIGURE}<"):
        assert shown in html, shown
    assert f"{NO_FIGURE}: geen cijfer voor 2021." in got.notes
    assert any("Alleen in 2021: Oldenzaal." in n for n in got.notes)
    assert any(n.startswith("Verschil (onder elk cijfer van 2022): hoeveel meer (+) of minder (\u2212) dan in 2021")
               for n in got.notes)
    assert got.caption == "Cliënten, 2022, vergeleken met 2021"
    assert got.comparison.columns["Cliënten"] == ("Cliënten 2022", "Cliënten 2021", "Verschil")


def test_the_change_is_written_the_dutch_way():
    assert str(Change(12, 0.12)) == "+12 (+12,0%)"
    assert str(Change(-1380, -0.04)) == "\u22121.380 (\u22124,0%)"  # a true minus sign, not a hyphen
    assert str(Change(0, 0.0)) == "0 (0,0%)"


def test_no_change_in_percent_from_zero():
    got = compare(table([("Borne", 5)], total=False), table([("Borne", 0)], total=False), key="Gemeente",
                  columns=["Cliënten"], year=2022, previous_year=2021)
    assert got.frame.loc[0, "Verschil"] == Change(5, None)
    assert ">+5<" in got._repr_html_()


def test_several_columns_get_their_own_change_columns(two_years):
    frame = mantelzorg.overzicht(Edition(2022, data_dir=two_years)).frame
    assert list(frame.columns)[:7] == ["Gemeente", "Aanmeldingen JMZ 2022", "Aanmeldingen JMZ 2021", "Verschil JMZ",
                                       "Aanmeldingen MV 2022", "Aanmeldingen MV 2021", "Verschil MV"]


# ---- in the chapters ------------------------------------------------------------

def test_count_tables_show_last_year_and_the_change(two_years):
    ed = Edition(2022, data_dir=two_years)
    rows = clienten.totalen(ed).frame.set_index("Gemeente")
    hengelo_2021 = sum(scaled(n, 0.9) for n in (277, 437, 545, 497, 554, 467, 970))
    assert rows.loc["Hengelo", "Cliënten 2022"] == 3747
    assert rows.loc["Hengelo", "Cliënten 2021"] == hengelo_2021
    assert rows.loc["Hengelo", "Verschil"].diff == 3747 - hengelo_2021
    assert rows.loc["Hengelo", "Verschil"].fraction == pytest.approx((3747 - hengelo_2021) / hengelo_2021)
    assert rows.loc["Totaal", "Cliënten 2022"] == 6421
    tables = [
        clienten.totalen(ed), clienten.leeftijd_vergelijking(ed), dienstverlening.thuisadministratie(ed),
        dienstverlening.oco(ed), dienstverlening.maatschappelijke_begeleiding(ed),
        dienstverlening.buurtbemiddeling(ed), dienstverlening.ouderenwerk(ed), jeugd.scholen_tabel(ed),
        jeugd.loes(ed), jongerenwerk.skillz(ed), mantelzorg.overzicht(ed), vrijwilligers.vrijwilligers(ed),
        wijkhuizen.locaties_tabel(ed), *wijkhuizen.activiteiten_tabellen(ed),
    ]
    for t in tables:
        assert t.comparison is not None, t.caption
        assert any(c.endswith(" 2021") for c in t.frame.columns), t.caption
        assert "Verschil" in t._repr_html_(), t.caption


def test_age_comparison_is_all_gemeenten_together_or_the_one_gemeente(two_years):
    whole = Edition(2022, data_dir=two_years)
    assert clienten.leeftijd_tabel(whole).comparison is None  # five gemeenten: the table stays as it is
    together = clienten.leeftijd_vergelijking(whole).frame
    assert list(together.columns) == ["Leeftijd", "Alle gemeenten 2022", "Alle gemeenten 2021", "Verschil"]
    assert together["Alle gemeenten 2022"].tolist() == [552, 741, 887, 853, 945, 805, 1638, 6421]
    one = clienten.leeftijd_tabel(Edition(2022, "Hengelo", two_years)).frame
    assert list(one.columns) == ["Leeftijd", "Hengelo 2022", "Hengelo 2021", "Verschil"]
    assert clienten.leeftijd_vergelijking(Edition(2022, "Hengelo", two_years)).frame.empty
    assert clienten.leeftijd_vergelijking(Edition(2022)).frame.empty


def test_key_charts_show_both_years(two_years):
    ed = Edition(2022, data_dir=two_years)
    for chart in (clienten.per_gemeente_grafiek(ed), vrijwilligers.vrijwilligers_grafiek(ed),
                  wijkhuizen.deelnemers_grafiek(ed),
                  clienten.leeftijd_grafiek(Edition(2022, "Hengelo", two_years))):
        assert "2021" in chart.caption and "2021" in chart.alt, chart.caption
    assert "Hengelo (3.747; in 2021: 3.372)" in clienten.per_gemeente_grafiek(ed).alt


def test_without_last_year_nothing_is_said_about_it():
    ed = Edition(2022)
    assert clienten.leeftijd_vergelijking(ed).frame.empty
    for t in (clienten.totalen(ed), clienten.leeftijd_tabel(ed), vrijwilligers.vrijwilligers(ed),
              wijkhuizen.locaties_tabel(ed), mantelzorg.overzicht(ed)):
        assert t.comparison is None
        assert not any("2021" in str(c) or "Verschil" in str(c) for c in t.frame.columns)
        html = t._repr_html_()
        assert "Verschil" not in html and "n.v.t." not in html and "vergeleken met" not in html
    assert "2021" not in clienten.per_gemeente_grafiek(ed).alt


def test_a_gemeente_without_rows_last_year_gets_no_comparison_columns(two_years):
    # Mantelzorg in 2021 without Haaksbergen: the Haaksbergen edition says nothing about 2021 there.
    path = two_years / "2021" / "mantelzorg_aanmeldingen.csv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("Haaksbergen")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = mantelzorg.overzicht(Edition(2022, "Haaksbergen", two_years)).frame
    assert list(frame.columns) == ["Gemeente", "Aanmeldingen JMZ", "Aanmeldingen MV", "Mantelzorg van",
                                   "Zwaarte mantelzorg"]
    assert "Verschil JMZ" in mantelzorg.overzicht(Edition(2022, "Hengelo", two_years)).frame.columns


def test_a_dataset_new_this_year_is_not_compared(two_years):
    (two_years / "2021" / "buurtbemiddeling.csv").unlink()
    table = dienstverlening.buurtbemiddeling(Edition(2022, data_dir=two_years))
    assert table.comparison is None and len(table.frame) == 3


def test_a_broken_previous_year_stops_the_build_but_a_missing_dataset_does_not(two_years, tmp_path):
    (two_years / "2021" / "buurtbemiddeling.csv").unlink()
    skillz = two_years / "2021" / "skillz.csv"
    skillz.write_text(skillz.read_text(encoding="utf-8").replace("Borne,", "Borne,x", 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        build_report(2022, data_dir=two_years, out_root=tmp_path / "out", cache=False)
    assert "2021/skillz.csv, regel 2, kolom 'rondes', waarde 'x" in str(err.value)
    assert "buurtbemiddeling" not in str(err.value)


def test_the_built_report_compares_with_last_year(report_with_previous_year):
    """The shared 2023 report (2022 times 1.1) against the real 2022: Hengelo had 3.747 cliënten."""
    soup = BeautifulSoup((report_with_previous_year / "clienten.html").read_text(encoding="utf-8"), "html.parser")
    headings = [th.get_text(" ", strip=True) for th in soup.select("thead th")]
    assert "Cliënten 2023 verschil met 2022" in headings  # the change under this year's figure, one column
    assert not any("Cliënten 2022" in h for h in headings)
    data = report_with_previous_year.parents[3] / "data" / "2023" / "clienten.csv"
    now = next(int(row["clienten"]) for row in csv.DictReader(data.open(encoding="utf-8"))
               if row["gemeente"] == "Hengelo")
    change = now - 3747
    assert change > 0
    percent = f"{change / 3747 * 100:.1f}".replace(".", ",")
    row = next(tr for tr in soup.select("table tbody tr") if tr.th and tr.th.get_text(strip=True) == "Hengelo")
    hengelo = row.select_one("td[data-label='Cliënten 2023 (verschil met 2022)']")
    assert hengelo.get_text(" ", strip=True) == f"{now:,}".replace(",", ".") + f" +{change} (+{percent}%)"
    assert "vergeleken met 2022" in soup.get_text()
