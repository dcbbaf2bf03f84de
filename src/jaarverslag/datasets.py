"""Every dataset of the report: its file, columns, rules and source.

One entry per file in data/<year>/. docs/data.md is generated from this list.
"""

from __future__ import annotations

from .schema import Dataset, Rule, count, date, frequency, gemeente, rank, text

SEED = "Jaarverslag 2022"
LETTER = "Brief gemeente Hengelo over de opdracht 'Versterken Voorliggend' (2022)"

AGE_GROUPS = ("t/m 17 jaar", "18-29 jaar", "30-39 jaar", "40-49 jaar", "50-59 jaar",
              "60-69 jaar", "70+")


def _ranked(name, title, source, item, item_title, item_description, extra=()):
    """A top-N list per gemeente: one row per gemeente and rank (long format)."""
    return Dataset(
        name, title, source,
        (gemeente(), *extra, rank(), text(item, item_title, item_description)),
        key=("gemeente", *(f.name for f in extra), "rang"),
        ranked_by=("gemeente", *(f.name for f in extra)),
    )


def _not_more_than(part: str, whole: str) -> Rule:
    return Rule(part, f"mag niet groter zijn dan '{whole}'", lambda df: df[part] > df[whole])


def _one_of(a: str, b: str) -> Rule:
    return Rule(a, f"vul óf '{a}' óf '{b}' in, niet allebei en niet geen van beide",
                lambda df: df[a].isna() == df[b].isna())


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        "gemeenten", "Gemeenten", "Werkgebied van Wijkkracht in dit jaar.",
        (text("gemeente", "Gemeente", "Naam van de gemeente, zoals die in alle andere bestanden staat."),),
        key=("gemeente",),
    ),
    Dataset(
        "clienten", "Totaal aantal cliënten/deelnemers", f"{SEED}, tabel 'Totaal aantal cliënten/deelnemers'.",
        (
            gemeente(),
            count("clienten", "Cliënten", "Cliënten en deelnemers die dit jaar ondersteuning kregen."),
            count("nieuwe_clienten", "Waarvan nieuwe cliënten", "Cliënten die dit jaar voor het eerst kwamen."),
            count("contactmomenten", "Aantal contactmomenten", "Gesprekken, bezoeken en andere contacten."),
            count("afgesloten_dossiers", "Afgesloten dossiers", "Dossiers die dit jaar zijn afgesloten."),
            count("doorverwijzingen", "Aantal doorverwijzingen", "Verwijzingen naar andere organisaties."),
        ),
        key=("gemeente",),
        rules=(_not_more_than("nieuwe_clienten", "clienten"),),
    ),
    _ranked("bron_aanmelding", "Bron aanmelding", f"{SEED}, 'Bron aanmelding: hoe kwamen mensen bij ons terecht'.",
            "bron", "Bron", "Via wie of wat de cliënt zich aanmeldde."),
    _ranked("leefgebieden", "Leefgebieden", f"{SEED}, 'Leefgebieden: waar mensen hulp bij zochten'.",
            "leefgebied", "Leefgebied", "Leefgebied waarop de hulpvraag lag."),
    Dataset(
        "leeftijd", "Leeftijdsopbouw cliënten", f"{SEED}, 'Leeftijdopbouw cliënten', per gemeente.",
        (
            gemeente(),
            text("leeftijdsgroep", "Leeftijd", "Leeftijdsgroep van de cliënt.", allowed=AGE_GROUPS),
            count("clienten", "Cliënten", "Cliënten in deze leeftijdsgroep."),
        ),
        key=("gemeente", "leeftijdsgroep"),
    ),
    Dataset(
        "skillz", "Skillz jongerenwerk", f"{SEED}, tabel 'Skillz jongerenwerk'.",
        (
            gemeente(),
            count("rondes", "Aantal rondes", "Rondes van het straatteam langs plekken waar jongeren zijn."),
            count("jongeren_gesproken", "Aantal jongeren gesproken", "Jongeren met wie tijdens de rondes is gesproken."),
            count("korte_contacten", "Individuele korte contacten", "Korte individuele contacten met jongeren."),
        ),
        key=("gemeente",),
    ),
    _ranked("jongerenwerk_signalen", "Probleemgebieden Skillz jongeren en hangplekken",
            f"{SEED}, tabel 'Probleemgebieden Skillz jongeren en hangplekken'. Haaksbergen werkt met een "
            "groepsaanpak en meldt daarom thema's van de groepsaanpak en de uitkomst van de overlastmeter.",
            "omschrijving", "Omschrijving", "Wat genoemd is.",
            extra=(text("soort", "Soort", "Wat de lijst telt: probleemgebied en hangplek (straatwerk) of "
                        "groepsaanpak en overlastmeter (groepsaanpak).",
                        allowed=("probleemgebied", "hangplek", "groepsaanpak", "overlastmeter")),)),
    Dataset(
        "mantelzorg_aanmeldingen", "Aanmeldingen mantelzorg", f"{SEED}, tabel 'Mantelzorg', kolom aanmeldingen.",
        (
            gemeente(),
            text("regeling", "Regeling", "JMZ: activiteiten voor jonge mantelzorgers; MV: Mantelzorg Info & "
                 "Activiteiten.", allowed=("JMZ", "MV")),
            count("aanmeldingen", "Aanmeldingen", "Aanmeldingen in dit jaar."),
        ),
        key=("gemeente", "regeling"),
    ),
    _ranked("mantelzorg_van", "Mantelzorg van", f"{SEED}, tabel 'Mantelzorg', kolom 'Mantelzorg van'.",
            "relatie", "Mantelzorg van", "Voor wie de mantelzorger zorgt."),
    _ranked("mantelzorg_zwaarte", "Zwaarte mantelzorg", f"{SEED}, tabel 'Mantelzorg', kolom 'Zwaarte mantelzorg'.",
            "zwaarte", "Zwaarte", "Hoe zwaar de mantelzorger zich belast voelt."),
    Dataset(
        "wijkhuizen", "Wijkhuizen Hengelo",
        f"{LETTER}; totalen uit {SEED}, 'Wijkhuizen Hengelo'.",
        (
            text("wijkhuis", "Wijkhuis", "Naam van het wijkhuis zoals in het jaarverslag."),
            gemeente(description="Gemeente van het wijkhuis."),
            text("gebouw", "Gebouw", "Het gebouw waarin het wijkhuis zit."),
            text("wijk", "Wijk", "De wijk van het wijkhuis."),
            date("opening", "Opening", "Datum van opening (jjjj-mm-dd), of alleen de maand (jjjj-mm) als de "
                 "brief alleen die noemt."),
            text("opening_status", "Status opening", "'geopend' als de brief de opening meldt, 'verwacht' als "
                 "de brief een verwachte opening noemt.", allowed=("geopend", "verwacht")),
            count("deelnemers_totaal", "Totaal deelnemers", "Totaal deelnemers zoals gepubliceerd; leeg als "
                  "er geen totaal is opgegeven.", required=False),
        ),
        key=("wijkhuis",),
    ),
    Dataset(
        "wijkhuis_activiteiten", "Activiteiten in de wijkhuizen", f"{SEED}, 'Wijkhuizen Hengelo', per wijkhuis.",
        (
            text("wijkhuis", "Wijkhuis", "Wijkhuis, zoals in wijkhuizen.csv."),
            text("activiteit", "Activiteit", "Naam van de activiteit."),
            frequency(),
            count("bijeenkomsten", "Aantal bijeenkomsten", "Aantal bijeenkomsten in het jaar, als het team een "
                  "aantal opgaf in plaats van een frequentie.", required=False),
            count("deelnemers", "Aantal deelnemers", "Deelnemers aan de activiteit."),
        ),
        key=("wijkhuis", "activiteit"),
        rules=(_one_of("frequentie", "bijeenkomsten"),),
    ),
]}


def by_name(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"onbekende dataset {name!r}; bekend zijn: {', '.join(DATASETS)}") from None

