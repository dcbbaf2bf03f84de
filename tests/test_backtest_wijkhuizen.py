"""Wijkhuizen Hengelo against the published 2022 report and the gemeente's letter."""

from jaarverslag import Edition
from jaarverslag.chapters import wijkhuizen

ED = Edition(2022)

HASSELO = [
    ("FAVEM", "Wekelijks", 15), ("Bingo (2x per mnd)", "2x per maand", 20),
    ("Bloemschikken", "maandelijks", 15), ("Creatief", "wekelijks", 6),
    ("Culturele activiteit", "2 bijeenkomsten", 35), ("Dans internationaal", "wekelijks", 15),
    ("Eenmalige activiteiten", "6 bijeenkomsten", 152), ("Gym", "wekelijks", 14),
    ("Hasselerzon", "wekelijks", 40), ("Informatieve activiteit", "3 bijeenkomsten", 50),
    ("Inloop", "dagelijks", 3), ("Kaartmiddag", "wekelijks", 16), ("Line dance", "wekelijks", 12),
    ("Lunch op dinsdag", "wekelijks", 18), ("Lunch op donderdag", "wekelijks", 16),
    ("Spelmiddag", "wekelijks", 3), ("Tai Chi", "wekelijks", 13), ("Vrouwen Hasselo", "wekelijks", 17),
    ("Wandelen", "2x per week", 5), ("Weet je nog?", "wekelijks", 3),
    ("Wereld aan Tafel", "wekelijks", 10), ("Zitdans", "wekelijks", 13),
]
NIJVERHEID = [
    ("Bijeenkomst", "5 bijeenkomsten", 80), ("Inloop", "dagelijks", 16), ("Jeu de boules", "wekelijks", 8),
    ("Koffiegroep (incl. handwerkgroep)", "1 bijeenkomst", 28),
    ("Eenmalige activiteiten", "12 bijeenkomsten", 219), ("Eetgroep", "25 bijeenkomsten", 18),
    ("Happy Country Dancing", "wekelijks", 25), ("Fysiogym", "wekelijks", 12),
    ("De Oase - groep om te delen (2e en 4e van de maand)", "2x per maand", 5),
    ("Spelletjesochtend", "wekelijks", 4), ("Schildergroep", "wekelijks", 7), ("Zitdans", "wekelijks", 22),
    ("Kaartclub Nijverheid - kruisjassen of hartenjagen", "wekelijks", 32),
    ("Mannenpraatgroep (1e en 3e van de maand)", "2x per maand", 6),
    ("Lunch zaterdag", "wekelijks", 14), ("Lunch zondag", "Wekelijks", 27),
]
WEIDEDORP = [
    ("Breien, haken, borduren", "dagelijks", 10), ("Creatief", "2x per maand", 6),
    ("Fit op maandag", "wekelijks", 6), ("Fit op vrijdag", "wekelijks", 14),
    ("Fit, Fun en Friends (Cursus van 10 weken)", "10 bijeenkomsten", 4),
    ("Individueel fitness", "dagelijks", 4), ("Inloop", "dagelijks", 7),
    ("Inloop activiteit LVB groep", "wekelijks", 5), ("Koken LVB groep", "maandelijks", 15),
    ("Ouderengym", "wekelijks", 15), ("Tai Chi", "wekelijks", 8), ("Vriendengroep", "2x per maand", 10),
    ("Vrouwencirkel", "3 bijeenkomsten", 6), ("Wandelgroep", "wekelijks", 8),
]


def rows(table):
    return [tuple(r) for r in table.frame.itertuples(index=False)]


def test_each_wijkhuis_lists_the_published_activities_and_total():
    hasselo, nijverheid, weidedorp = wijkhuizen.activiteiten_tabellen(ED)
    for table, expected, total in ((hasselo, HASSELO, 491), (nijverheid, NIJVERHEID, 523),
                                   (weidedorp, WEIDEDORP, 118)):
        assert rows(table)[:-1] == expected
        assert rows(table)[-1][0] == "Totaal" and rows(table)[-1][2] == total


def test_frequency_words_and_meeting_counts_are_both_kept():
    frame = wijkhuizen.activiteiten(ED)
    culturele = frame[(frame.wijkhuis == "Hasselo") & (frame.activiteit == "Culturele activiteit")].iloc[0]
    assert culturele["bijeenkomsten"] == 2 and culturele["frequentie"] is not None
    bingo = frame[frame.activiteit == "Bingo (2x per mnd)"].iloc[0]
    assert bingo["frequentie"] == "2x per maand" and bingo["per_jaar_max"] == 24


def test_locations_come_from_the_gemeente_letter():
    frame = wijkhuizen.locaties_tabel(ED).frame
    assert frame["Gebouw"].tolist()[:3] == ["Kulturhus", "Klokstee", "Weidedorp"]
    assert frame["Wijk"].tolist()[:3] == ["Hasselo", "Nijverheid", "Hengelose Es"]
    assert frame["Opening"].tolist()[:3] == ["1 september 2021", "april 2022 (verwacht)",
                                             "april 2022 (verwacht)"]
    assert frame["Deelnemers"].tolist() == [491, 523, 118, 1132]


def test_participants_chart_names_the_largest_and_smallest():
    alt = wijkhuizen.deelnemers_grafiek(ED).alt
    assert "Nijverheid (523)" in alt and "Weidedorp (118)" in alt
