"""Data a hostile (or hurried) user saves: implausible counts, empty files, two files for
one dataset, Excel's dates and formulas, a file far too large, names that are no place,
links that are no website. Each is refused with file, line, column and value, before
anything is built; the published report and everything outside build/ stay as they were.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from hostile import assert_refused, state

from jaarverslag.data import read as data

REFUSED = "De gegevens van 2022 zijn niet in orde"


def replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def workbook(path, rows: list[list]) -> None:
    """An .xlsx as openpyxl saves it: a formula is stored without a cached outcome."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_count_of_10_to_the_20_is_refused_with_its_bound(hostile, command):
    replace(hostile.data / "buurtbemiddeling.csv", "Borne,12", "Borne,100000000000000000000")
    before = state(hostile)
    result = hostile.run(command, "--year", "2022")
    assert_refused(hostile, result, "data/2022/buurtbemiddeling.csv, regel 2, kolom 'meldingen', "
                   "waarde '100000000000000000000': mag niet groter zijn dan 5.000 (een plausibele bovengrens; "
                   "klopt het cijfer?)", before=before)
    assert "OverflowError" not in result.said


def test_a_count_of_10_to_the_12_is_refused_not_published(hostile):
    replace(hostile.data / "buurtbemiddeling.csv", "Borne,12", "Borne,1.000.000.000.000")
    before = state(hostile)
    assert_refused(hostile, hostile.run("build", "--year", "2022"),
                   "data/2022/buurtbemiddeling.csv, regel 2, kolom 'meldingen', waarde '1000000000000': "
                   "mag niet groter zijn dan 5.000", before=before)


def test_a_dataset_with_a_header_and_no_rows_is_refused(hostile):
    (hostile.data / "skillz.csv").write_text("gemeente,rondes,jongeren_gesproken,korte_contacten\n",
                                             encoding="utf-8")
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   "data/2022/skillz.csv: bevat geen rijen, alleen de kopregel", before=before)


def test_a_dataset_that_may_be_empty_says_what_that_means(hostile):
    """oco_beperking may be a header only when no gemeente registers it; the table then says so."""
    (hostile.data / "oco_beperking.csv").write_text("gemeente,rang,beperking\n", encoding="utf-8")
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   "data/2022/oco.csv, regel 2, kolom 'beperking_geregistreerd', waarde 'ja': Borne heeft geen "
                   "rijen in data/2022/oco_beperking.csv; vul die in, of zet hier 'nee'", before=before)

    replace(hostile.data / "oco.csv", "Borne,74,ja", "Borne,74,nee")
    replace(hostile.data / "oco.csv", "Haaksbergen,118,ja", "Haaksbergen,118,nee")
    assert hostile.run("validate", "--year", "2022").code == 0

    from jaarverslag import Edition
    from jaarverslag.chapters import dienstverlening

    table = dienstverlening.oco(Edition(2022, data_dir=hostile.data.parent))
    assert set(table.frame["Beperking bij cliënt"].map(str)) == {"Wordt niet geregistreerd."}


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_csv_and_an_xlsx_for_one_dataset_are_both_named(hostile, command):
    """Also after a good build: the cached validation looked for the .xlsx too."""
    workbook(hostile.data / "clienten.xlsx", [["gemeente", "clienten"], ["Borne", 1]])
    before = state(hostile)
    assert_refused(hostile, hostile.run(command, "--year", "2022"),
                   "twee bestanden voor één dataset: data/2022/clienten.csv en data/2022/clienten.xlsx; "
                   "verwijder er één", before=before)


def test_an_excel_date_in_a_count_column_is_refused_as_a_date(hostile):
    (hostile.data / "skillz.csv").unlink()
    workbook(hostile.data / "skillz.xlsx", [
        ["gemeente", "rondes", "jongeren_gesproken", "korte_contacten"],
        ["Borne", dt.datetime(2022, 3, 1), 590, 20],
        ["Haaksbergen", 41, 360, 151],
        ["Hengelo", 108, 1658, 20],
    ])
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   "data/2022/skillz.xlsx, regel 2, kolom 'rondes', waarde '2022-03-01': is een datum in Excel, "
                   "verwacht een aantal", before=before)


def test_excel_dates_whole_numbers_and_booleans_are_read_as_excel_means_them(hostile):
    (hostile.data / "wijkhuizen_tijdlijn.csv").unlink()
    workbook(hostile.data / "wijkhuizen_tijdlijn.xlsx", [
        ["gemeente", "datum", "fase", "gebeurtenis"],
        ["Hengelo", dt.datetime(2022, 3, 1), 2.0, "De wijkhuizen gaan open."],
        ["Hengelo", "2018-07", None, "Het college geeft de opdracht."],
    ])
    (hostile.data / "oco.csv").unlink()
    workbook(hostile.data / "oco.xlsx", [
        ["gemeente", "clienten", "beperking_geregistreerd"],
        ["Borne", 74, True], ["Haaksbergen", 118.0, True], ["Hengelo", 100, False],
    ])
    assert hostile.run("validate", "--year", "2022").code == 0
    tijdlijn = data.load(2022, "wijkhuizen_tijdlijn", hostile.data.parent)
    assert tijdlijn["datum"].tolist() == ["2022-03-01", "2018-07"]
    assert tijdlijn["fase"].tolist()[0] == 2
    oco = data.load(2022, "oco", hostile.data.parent)
    assert oco["clienten"].tolist() == [74, 118, 100]
    assert oco["beperking_geregistreerd"].tolist() == [True, True, False]


def test_an_excel_date_with_a_time_of_day_is_no_date(hostile):
    (hostile.data / "wijkhuizen_tijdlijn.csv").unlink()
    workbook(hostile.data / "wijkhuizen_tijdlijn.xlsx", [
        ["gemeente", "datum", "fase", "gebeurtenis"],
        ["Hengelo", dt.datetime(2022, 3, 1, 9, 30), 2, "De wijkhuizen gaan open."],
    ])
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   "data/2022/wijkhuizen_tijdlijn.xlsx, regel 2, kolom 'datum', waarde '2022-03-01 09:30': "
                   "is in Excel een datum met tijdstip", before=before)


def test_an_excel_formula_saved_without_its_outcome_is_refused(hostile):
    (hostile.data / "skillz.csv").unlink()
    workbook(hostile.data / "skillz.xlsx", [
        ["gemeente", "rondes", "jongeren_gesproken", "korte_contacten"],
        ["Borne", 78, "=300+290", 20],
        ["Haaksbergen", 41, 360, 151],
        ["Hengelo", 108, 1658, 20],
    ])
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   "data/2022/skillz.xlsx, regel 2, kolom 'jongeren_gesproken', waarde '=300+290': is een formule "
                   "zonder opgeslagen uitkomst: open het bestand in Excel en sla het op", before=before)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_file_far_too_large_is_refused_before_it_is_read(hostile, command):
    with (hostile.data / "skillz.csv").open("r+b") as handle:
        handle.truncate(30 * 1024 * 1024)  # sparse: 30 MB in no time, and no memory
    before = state(hostile)
    assert_refused(hostile, hostile.run(command, "--year", "2022"),
                   "data/2022/skillz.csv: is 31,5 MB groot, meer dan de 2 MB die past bij 'Skillz jongerenwerk' "
                   "(hoogstens 2000 rijen)", before=before)


def test_more_rows_than_a_dataset_can_have_are_refused(hostile):
    rows = "".join(f"Borne,{n},{n}\n" for n in range(1, 2002))
    (hostile.data / "bron_aanmelding.csv").write_text(f"gemeente,rang,bron\n{rows}", encoding="utf-8")
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   "data/2022/bron_aanmelding.csv: heeft 2001 rijen, meer dan de 2000 die passen bij deze dataset",
                   before=before)


@pytest.mark.parametrize("command", [("validate",), ("build", "--all")])
def test_a_gemeente_named_like_a_path_is_refused(hostile, command):
    with (hostile.data / "gemeenten.csv").open("a", encoding="utf-8") as handle:
        handle.write("./../../../x\n")
    before = state(hostile)
    assert_refused(hostile, hostile.run(*command, "--year", "2022"),
                   "data/2022/gemeenten.csv, regel 7, kolom 'gemeente', waarde './../../../x': moet een plaatsnaam "
                   "zijn: alleen letters, spaties, koppeltekens, apostrofs, punten en haakjes", before=before)


def test_two_gemeenten_with_one_file_name_are_refused(hostile):
    with (hostile.data / "gemeenten.csv").open("a", encoding="utf-8") as handle:
        handle.write("HENGELO\n")
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   "data/2022/gemeenten.csv, regel 7, kolom 'gemeente', waarde 'HENGELO': valt in de bestandsnaam "
                   "van een uitgave samen met een andere gemeente", before=before)


def test_real_place_names_pass():
    from jaarverslag.data.contract import DATASETS

    names = ["'s-Hertogenbosch", "Súdwest-Fryslân", "Bergen (NH)", "St. Michielsgestel", "Ωψ", "..", "Twente2"]
    frame = pd.DataFrame({"gemeente": names})
    failing = [rule.failing_rows(frame).tolist() for rule in DATASETS["gemeenten"].rules]
    assert failing[0] == [False, False, False, False, True, True, True]


@pytest.mark.parametrize("website", ["javascript:alert(1)", "<b>wijkkracht.nl</b>", "wijkkracht"])
def test_a_website_that_is_no_web_address_is_refused(hostile, website):
    replace(hostile.data / "websites.csv", "www.wijkracht.nl,", f"\"{website}\",")
    before = state(hostile)
    assert_refused(hostile, hostile.run("validate", "--year", "2022"),
                   f"data/2022/websites.csv, regel 2, kolom 'website', waarde '{website}': moet een webadres zijn",
                   before=before)


def test_bare_domains_and_http_addresses_are_websites(hostile):
    replace(hostile.data / "websites.csv", "www.wijkracht.nl,", "https://www.wijkkracht.nl/over-ons,")
    replace(hostile.data / "websites.csv", "www.wijkrachtborne.nl,", "wijkkrachtborne.nl,")
    assert hostile.run("validate", "--year", "2022").code == 0


def test_line_numbers_count_the_empty_lines_left_out(data_copy):
    (data_copy / "2022" / "skillz.csv").write_text(
        "gemeente,rondes,jongeren_gesproken,korte_contacten\nBorne,78,590,20\n\n,,,\n"
        "Haaksbergen,41,veel,151\nHengelo,108,1658,20\n", encoding="utf-8")
    with pytest.raises(data.DataError) as err:
        data.load(2022, "skillz", data_copy)
    assert "skillz.csv, regel 5, kolom 'jongeren_gesproken', waarde 'veel'" in str(err.value)
    replace(data_copy / "2022" / "skillz.csv", "veel", "360")
    assert data.load(2022, "skillz", data_copy).index.tolist() == [0, 1, 2]


def test_a_second_sheet_with_data_is_named_not_ignored(data_copy):
    folder = data_copy / "2022"
    book = openpyxl.Workbook()
    for row in [["gemeente", "meldingen"], ["Borne", 12], ["Haaksbergen", 20], ["Hengelo", 97]]:
        book.active.append(row)
    book.create_sheet("Oldenzaal").append(["Oldenzaal", 9])
    book.save(folder / "buurtbemiddeling.xlsx")
    (folder / "buurtbemiddeling.csv").unlink()
    with pytest.raises(data.DataError) as err:
        data.load(2022, "buurtbemiddeling", data_copy)
    assert "buurtbemiddeling.xlsx, waarde 'Oldenzaal': is een tweede werkblad met gegevens" in str(err.value)


def test_a_pipe_in_place_of_a_data_file_is_refused_not_waited_on(data_copy):
    import os

    path = data_copy / "2022" / "skillz.csv"
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(data.DataError, match="skillz.csv: is geen gewoon bestand"):
        data.load(2022, "skillz", data_copy)


def test_a_data_file_that_links_outside_the_data_folder_is_never_read(hostile):
    secret = hostile.sentinel / "geheim.csv"
    secret.write_text("gemeente,rondes,jongeren_gesproken,korte_contacten\nBorne,1,2,3\n", encoding="utf-8")
    (hostile.data / "skillz.csv").unlink()
    (hostile.data / "skillz.csv").symlink_to(secret)
    before = state(hostile)
    assert_refused(hostile, hostile.run("build", "--year", "2022"),
                   "data/2022/skillz.csv: is een koppeling naar een bestand buiten de gegevensmap", before=before)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_row_with_more_cells_than_the_header_is_named(hostile, command):
    replace(hostile.data / "skillz.csv", "Borne,78,590", "Borne,78,590,1,1")
    before = state(hostile)
    assert_refused(hostile, hostile.run(command, "--year", "2022"),
                   "data/2022/skillz.csv, regel 2, waarde 'Borne,78,590,1,1,", before=before)
    assert "de kopregel 4; staat er een scheidingsteken te veel?" in hostile.run(command, "--year", "2022").err
