"""Jongerenwerk and Mantelzorg against the published 2022 report (figures typed from the seed)."""

import pandas as pd

from jaarverslag import Edition
from jaarverslag.chapters import jongerenwerk, mantelzorg

ED = Edition(2022)


def test_skillz_is_the_published_table():
    expected = pd.DataFrame({
        "Gemeente": ["Borne", "Haaksbergen", "Hengelo"],
        "Aantal rondes": [78, 41, 108],
        "Aantal jongeren gesproken": [590, 360, 1658],
        "Individuele korte contacten": [20, 151, 121],
    }).astype({"Aantal rondes": "Int64", "Aantal jongeren gesproken": "Int64",
               "Individuele korte contacten": "Int64"})
    pd.testing.assert_frame_equal(jongerenwerk.skillz(ED).frame, expected)


def test_problem_areas_and_hangouts_are_the_published_ones():
    frame = jongerenwerk.signalen(ED).frame.set_index("Gemeente")
    problems, places = frame["Top 3 probleemgebieden"], frame["Hangplekken"]
    assert problems["Borne"].items == ("Softdrugs", "Vervuiling", "Drugs(gebruik)")
    assert problems["Hengelo"].items == ("Softdrugs", "Drugs(gebruik)", "Vervuiling")
    assert places["Borne"].items == ("Beeldentuin/gelddbankje", "Half pipe NEO", "BS Jan Ligthart school")
    assert places["Hengelo"].items == ("Thiemsbrug", "Stadhuistoren", "Prins Bernhardplantsoen")


def test_haaksbergen_group_approach_is_labelled_not_passed_off_as_problem_areas():
    frame = jongerenwerk.signalen(ED).frame.set_index("Gemeente")
    themes, meter = frame.loc["Haaksbergen", "Top 3 probleemgebieden"], frame.loc["Haaksbergen", "Hangplekken"]
    assert (themes.label, themes.items) == (
        "Groepsaanpak", ("Positieve groepssfeer", "Geluidsoverlast", "Vernieling"))
    assert (meter.label, meter.items) == (
        "Groepsaanpak: Overlastmeter",
        ("Overlast is afgenomen", "Overlast is gelijk gebleven", "Overlast is toegenomen"))
    assert frame.loc["Borne", "Hangplekken"].label is None
    html = jongerenwerk.signalen(ED)._repr_html_()
    assert "Groepsaanpak: Overlastmeter" in html and "groepsaanpak" in html


def test_mantelzorg_is_the_published_table():
    frame = mantelzorg.overzicht(ED).frame.set_index("Gemeente")
    assert frame["Aanmeldingen JMZ"].tolist() == [14, 113]
    assert frame["Aanmeldingen MV"].tolist() == [264, 327]
    assert frame.loc["Haaksbergen", "Mantelzorg van"].items == ("Partner", "Moeder", "Kind")
    assert frame.loc["Hengelo", "Mantelzorg van"].items == ("Partner", "Kind", "Moeder")
    assert frame.loc["Haaksbergen", "Zwaarte mantelzorg"].items == ("Licht belast", "Belast", "Zwaar belast")
    assert frame.loc["Hengelo", "Zwaarte mantelzorg"].items == ("Belast", "Zwaar belast", "Licht belast")
