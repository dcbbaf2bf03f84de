"""Every dataset of the report: its file, columns, rules and source.

One entry per file in data/<year>/. docs/data.md is generated from this list.
"""

from __future__ import annotations

import re

import pandas as pd

from ..paths import slug
from .schema import Dataset, Field, Rule, count, date, flag, frequency, gemeente, rank, text, website

# Prose pages per year, in data/<year>/tekst/<name>.md (see prose.py).
TEXTS = ("voorwoord", "raad_van_toezicht")

SEED = "Jaarverslag 2022"
LETTER = "Brief gemeente Hengelo over de opdracht 'Versterken Voorliggend' (2022)"

AGE_GROUPS = ("t/m 17 jaar", "18-29 jaar", "30-39 jaar", "40-49 jaar", "50-59 jaar",
              "60-69 jaar", "70+")


def _ranked(name: str, title: str, source: str, item: str, item_title: str, item_description: str,
            extra: tuple[Field, ...] = (), may_be_empty: bool = False) -> Dataset:
    """A top-N list per gemeente: one row per gemeente and rank (long format)."""
    return Dataset(
        name, title, source,
        (gemeente(), *extra, rank(), text(item, item_title, item_description)),
        key=("gemeente", *(f.name for f in extra), "rang"),
        ranked_by=("gemeente", *(f.name for f in extra)),
        may_be_empty=may_be_empty,
    )


def _not_more_than(part: str, whole: str) -> Rule:
    return Rule(part, f"mag niet groter zijn dan '{whole}'", lambda df: df[part] > df[whole])


# A place name: letters (also with accents), spaces, hyphens, apostrophes, dots and the
# parentheses of Bergen (NH), as in 's-Hertogenbosch or Súdwest-Fryslân. It becomes the file
# name of an edition (via paths.slug), so it may hold nothing else.
_PLACE_NAME = re.compile(r"^(?:[^\W\d_]|[ '’.()\-])+$")


def _place_names(column: str) -> tuple[Rule, ...]:
    def not_a_name(df: pd.DataFrame) -> pd.Series:
        def is_name(name: object) -> bool:
            # A letter that has no ASCII form (Ω) leaves an empty slug: no file name to give it.
            return not isinstance(name, str) or (bool(_PLACE_NAME.match(name)) and slug(name) != "")

        return ~df[column].map(is_name).astype(bool)

    def same_slug(df: pd.DataFrame) -> pd.Series:
        # Exact doubles are the key's to report; "wijkkracht" names the edition of the whole organisation.
        slugs = df[column].map(lambda name: slug(name) if isinstance(name, str) else None)
        clash = slugs.duplicated(keep=False) & ~df[column].duplicated(keep=False)
        return slugs.notna() & (clash | (slugs == "wijkkracht"))

    return (
        Rule(column, "moet een plaatsnaam zijn: alleen letters, spaties, koppeltekens, apostrofs, punten en haakjes",
             not_a_name),
        Rule(column, "valt in de bestandsnaam van een uitgave samen met een andere gemeente of met heel "
             "Wijkkracht (hoofdletters, accenten en leestekens tellen daar niet); maak de naam anders", same_slug),
    )


def _one_of(a: str, b: str) -> Rule:
    return Rule(a, f"vul óf '{a}' óf '{b}' in, niet allebei en niet geen van beide",
                lambda df: df[a].isna() == df[b].isna())


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        "gemeenten", "Gemeenten", "Werkgebied van Wijkkracht in dit jaar.",
        (text("gemeente", "Gemeente", "Naam van de gemeente, zoals die in alle andere bestanden staat: "
              "letters, spaties, koppeltekens, apostrofs, punten en haakjes."),),
        key=("gemeente",),
        rules=_place_names("gemeente"),
    ),
    Dataset(
        "clienten", "Totaal aantal cliënten/deelnemers", f"{SEED}, tabel 'Totaal aantal cliënten/deelnemers'.",
        (
            gemeente(),
            count("clienten", "Cliënten", "Cliënten en deelnemers die dit jaar ondersteuning kregen.", maximum=20_000),
            count("nieuwe_clienten", "Waarvan nieuwe cliënten", "Cliënten die dit jaar voor het eerst kwamen.",
                  maximum=20_000),
            count("contactmomenten", "Aantal contactmomenten", "Gesprekken, bezoeken en andere contacten.",
                  maximum=200_000),
            count("afgesloten_dossiers", "Afgesloten dossiers", "Dossiers die dit jaar zijn afgesloten.",
                  maximum=20_000),
            count("doorverwijzingen", "Aantal doorverwijzingen", "Verwijzingen naar andere organisaties.",
                  maximum=20_000),
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
            count("clienten", "Cliënten", "Cliënten in deze leeftijdsgroep.", maximum=20_000),
        ),
        key=("gemeente", "leeftijdsgroep"),
    ),
    Dataset(
        "skillz", "Skillz jongerenwerk", f"{SEED}, tabel 'Skillz jongerenwerk'.",
        (
            gemeente(),
            count("rondes", "Aantal rondes", "Rondes van het straatteam langs plekken waar jongeren zijn.",
                  maximum=5_000),
            count("jongeren_gesproken", "Aantal jongeren gesproken",
                  "Jongeren met wie tijdens de rondes is gesproken.", maximum=50_000),
            count("korte_contacten", "Individuele korte contacten", "Korte individuele contacten met jongeren.",
                  maximum=20_000),
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
            count("aanmeldingen", "Aanmeldingen", "Aanmeldingen in dit jaar.", maximum=10_000),
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
                  "er geen totaal is opgegeven.", required=False, maximum=50_000),
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
                  "aantal opgaf in plaats van een frequentie.", required=False, maximum=1_000),
            count("deelnemers", "Aantal deelnemers", "Deelnemers aan de activiteit.", maximum=10_000),
        ),
        key=("wijkhuis", "activiteit"),
        rules=(_one_of("frequentie", "bijeenkomsten"),),
    ),
    # ---- Dienstverlening ----------------------------------------------------
    Dataset(
        "thuisadministratie", "Thuisadministratie",
        f"{SEED}, tabel 'Ondersteuningsvragen Thuisadministratie'.",
        (
            gemeente(),
            count("clienten", "Aantal cliënten",
                  "Cliënten die hulp kregen bij hun thuisadministratie.", maximum=10_000),
        ),
        key=("gemeente",),
    ),
    _ranked("thuisadministratie_hulpvragen", "Hulpvragen thuisadministratie",
            f"{SEED}, tabel 'Ondersteuningsvragen Thuisadministratie', kolom 'Top 3 hulpvragen'.",
            "hulpvraag", "Hulpvraag", "Waarmee de cliënt hulp vroeg bij de administratie."),
    Dataset(
        "oco", "OCO (Onafhankelijke Cliënt Ondersteuning)",
        f"{SEED}, tabel 'OCO (Onafhankelijke Cliënt Ondersteuning)'.",
        (
            gemeente(),
            count("clienten", "Aantal cliënten",
                  "Cliënten die onafhankelijke cliëntondersteuning kregen.", maximum=10_000),
            flag("beperking_geregistreerd", "Beperking geregistreerd",
                 "'ja' als het team de beperking van de cliënt registreert (dan staat de top in "
                 "oco_beperking.csv); 'nee' als dat niet gebeurt, zoals in Hengelo in 2022."),
        ),
        key=("gemeente",),
    ),
    _ranked("oco_ondersteuning", "Ondersteuning OCO",
            f"{SEED}, tabel 'OCO (Onafhankelijke Cliënt Ondersteuning)', kolom 'Ondersteuning'.",
            "ondersteuning", "Ondersteuning", "Soort ondersteuning die de cliënt kreeg."),
    _ranked("oco_beperking", "Beperking bij cliënt OCO",
            f"{SEED}, tabel 'OCO (Onafhankelijke Cliënt Ondersteuning)', kolom 'Beperking bij "
            "cliënt'. Alleen gemeenten die de beperking registreren (zie oco.csv); registreert geen "
            "enkele gemeente die, dan heeft dit bestand alleen de kopregel.",
            "beperking", "Beperking bij cliënt", "Beperking van de cliënt, zoals geregistreerd.",
            may_be_empty=True),
    Dataset(
        "maatschappelijke_begeleiding", "Maatschappelijke begeleiding",
        f"{SEED}, tabel 'Maatschappelijke begeleiding'.",
        (
            gemeente(),
            count("spreekuren", "Aantal spreekuren", "Spreekuren die zijn gehouden.", maximum=10_000),
            count("clienten", "Aantal cliënten",
                  "Cliënten die maatschappelijke begeleiding kregen.", maximum=20_000),
        ),
        key=("gemeente",),
    ),
    _ranked("maatschappelijke_begeleiding_acties", "Acties maatschappelijke begeleiding",
            f"{SEED}, tabel 'Maatschappelijke begeleiding', kolom 'Top 5 Acties'.",
            "actie", "Actie", "Instantie of onderwerp waarvoor actie is ondernomen."),
    Dataset(
        "buurtbemiddeling", "Buurtbemiddeling", f"{SEED}, tabel 'Buurtbemiddeling'.",
        (
            gemeente(),
            count("meldingen", "Aantal meldingen",
                  "Meldingen van burenconflicten bij buurtbemiddeling.", maximum=5_000),
        ),
        key=("gemeente",),
    ),
    _ranked("buurtbemiddeling_klachten", "Aard van de klachten",
            f"{SEED}, tabel 'Buurtbemiddeling', kolom 'Aard van de klachten'.",
            "klacht", "Aard van de klacht", "Waarover de melding ging."),
    _ranked("buurtbemiddeling_wijken", "Wijken buurtbemiddeling",
            f"{SEED}, tabel 'Buurtbemiddeling', kolom 'Wijken'.",
            "wijk", "Wijk", "Wijk waar de meldingen vandaan kwamen."),
    Dataset(
        "ouderenwerk", "Ouderenwerk", f"{SEED}, tabel 'Ouderenwerk'.",
        (
            gemeente(),
            count("clienten", "Aantal cliënten", "Ouderen die het ouderenwerk ondersteunde.", maximum=20_000),
        ),
        key=("gemeente",),
    ),
    _ranked("ouderenwerk_probleemgebieden", "Probleemgebieden ouderenwerk",
            f"{SEED}, tabel 'Ouderenwerk', kolom 'Top 3 probleemgebieden'.",
            "probleemgebied", "Probleemgebied", "Gebied waarop de oudere hulp nodig had."),
    # ---- Jongeren, school en opvoeding --------------------------------------
    _ranked("smw_leefgebieden", "Leefgebieden schoolmaatschappelijk werk",
            f"{SEED}, tabel 'Schoolmaatschappelijk werk'.",
            "leefgebied", "Leefgebied", "Leefgebied waarop de hulpvraag van de leerling lag."),
    Dataset(
        "smw_scholen", "Schoolmaatschappelijk werk op scholen",
        f"{SEED}, 'Schoolmaatschappelijk werk - Twents Carmel College': tekst en tabel.",
        (
            text("school", "School", "Naam van de school (scholengemeenschap)."),
            count("locaties", "Aantal locaties",
                  "Locaties van de school waar Wijkkracht aanwezig is.", maximum=100),
            count("clienten", "Aantal cliënten",
                  "Leerlingen die schoolmaatschappelijk werk kregen, over alle locaties samen.", maximum=10_000),
        ),
        key=("school",),
    ),
    Dataset(
        "smw_scholen_gemeenten", "Gemeenten van de schoollocaties",
        f"{SEED}, 'Schoolmaatschappelijk werk - Twents Carmel College', tekst.",
        (
            text("school", "School", "School, zoals in smw_scholen.csv."),
            # The school's locations lie also outside Wijkkracht's gemeenten (Losser),
            # so this is plain text, not checked against gemeenten.csv.
            text("gemeente_locatie", "Gemeente",
                 "Gemeente waar een of meer locaties van de school staan; hoeft geen gemeente "
                 "van Wijkkracht te zijn."),
        ),
        key=("school", "gemeente_locatie"),
    ),
    Dataset(
        "smw_scholen_leefgebieden", "Leefgebieden schoolmaatschappelijk werk per school",
        f"{SEED}, 'Schoolmaatschappelijk werk - Twents Carmel College', kolom 'Leefgebieden'.",
        (
            text("school", "School", "School, zoals in smw_scholen.csv."),
            rank(),
            text("leefgebied", "Leefgebied", "Leefgebied waarop de hulpvraag van de leerling lag."),
        ),
        key=("school", "rang"),
        ranked_by=("school",),
    ),
    Dataset(
        "loes", "LOES opvoedondersteuning", f"{SEED}, tabel 'LOES opvoedondersteuning'.",
        (
            gemeente(),
            text("doelgroep", "Doelgroep",
                 "individueel: contacten met en vragen van ouders of professionals; collectief: "
                 "activiteiten voor groepen ouders (in 2022 alleen in Hengelo apart geteld).",
                 allowed=("individueel", "collectief")),
            count("contacten", "Aantal contacten/activiteiten",
                  "Contacten (individueel) of activiteiten (collectief).", maximum=20_000),
        ),
        key=("gemeente", "doelgroep"),
    ),
    _ranked("loes_kenmerken", "Kenmerken LOES opvoedondersteuning",
            f"{SEED}, tabel 'LOES opvoedondersteuning', kolom 'Kenmerk of vraag over'. Twee "
            "kenmerken op één rang staan samen in één cel, met '&' ertussen, zoals "
            "gepubliceerd.",
            "kenmerk", "Kenmerk of vraag over",
            "Kenmerk van het contact of onderwerp van de vraag.",
            extra=(text("doelgroep", "Doelgroep", "individueel of collectief, zoals in loes.csv.",
                        allowed=("individueel", "collectief")),)),
    # ---- Vrijwilligers en ontmoeting ----------------------------------------
    Dataset(
        "vrijwilligers", "Vrijwilligers", f"{SEED}, tabel 'Vrijwilligers'.",
        (
            gemeente(),
            count("vrijwilligers", "Aantal vrijwilligers",
                  "Vrijwilligers die dit jaar actief waren.", maximum=10_000),
        ),
        key=("gemeente",),
    ),
    _ranked("vrijwilligers_activiteiten", "Vrijwilligersactiviteiten",
            f"{SEED}, tabel 'Vrijwilligers', kolom 'Top 5 vrijwilligersactiviteit'. Een gemeente "
            "kan minder dan vijf activiteiten hebben (Dinkelland: één).",
            "activiteit", "Vrijwilligersactiviteit", "Waarvoor vrijwilligers zich inzetten."),
    Dataset(
        "ontmoetingsgroepen", "Ontmoetingsgroepen",
        f"{SEED}, tabel 'Ontmoetingsgroepen', in de volgorde daar. De laatste regel "
        "('Vriendenkringen – Activiteiten') hoort bij Hengelo, groep Menthol.",
        (
            gemeente(),
            text("groep", "Ontmoetingsgroep",
                 "Groep waaronder de activiteit valt; leeg als de activiteit niet onder een "
                 "groep valt.", required=False),
            text("activiteit", "Activiteit", "Naam van de activiteit."),
            frequency(),
            count("bijeenkomsten", "Aantal bijeenkomsten",
                  "Aantal bijeenkomsten in het jaar, als het team een aantal opgaf in plaats van "
                  "een frequentie.", required=False, maximum=1_000),
            count("deelnemers", "Aantal deelnemers",
                  "Deelnemers aan de activiteit; leeg als onbekend (nooit 0 voor onbekend).",
                  required=False, maximum=100_000),
            count("deelnemers_per_bijeenkomst", "Deelnemers per bijeenkomst",
                  "Deelnemers per bijeenkomst, als het team dat naast het totaal opgaf; zoals "
                  "opgegeven, niet berekend.", required=False, maximum=5_000),
        ),
        key=("gemeente", "activiteit"),
        rules=(_one_of("frequentie", "bijeenkomsten"),
               _not_more_than("deelnemers_per_bijeenkomst", "deelnemers")),
    ),
    # ---- Wijkhuizen: de brief van de gemeente Hengelo ------------------------
    # Alleen in de editie van de gemeente zelf; het jaarverslag van heel Wijkkracht
    # is het gepubliceerde en noemt dit niet.
    Dataset(
        "wijkhuizen_opdracht", "Opdracht 'Versterken Voorliggend'",
        f"{LETTER}: de opdracht, en 'De drie Wijkhuysen zijn zeven dagen per week geopend'.",
        (
            gemeente(description="Gemeente die de opdracht gaf."),
            text("opdracht", "Opdracht", "Naam van de opdracht zoals in de brief."),
            count("jaar", "Jaar van de opdracht", "Jaar waarin de opdracht aan Wijkkracht is verstrekt.", maximum=2100),
            count("dagen_per_week", "Dagen open per week", "Op hoeveel dagen per week de wijkhuizen open zijn.",
                  maximum=7),
        ),
        key=("gemeente",),
    ),
    Dataset(
        "wijkhuizen_tijdlijn", "Opdracht 'Versterken Voorliggend' in de tijd",
        f"{LETTER}: data en fasen uit de brief, in de volgorde van de tijd.",
        (
            gemeente(description="Gemeente van de opdracht."),
            date("datum", "Datum", "Datum (jjjj-mm-dd), of alleen de maand (jjjj-mm) als de brief "
                 "alleen die noemt."),
            count("fase", "Fase", "Fase van de opdracht (1 voorbereiding, 2 de wijkhuizen openen, 3 de "
                  "laatste fase); leeg voor wat aan de opdracht voorafging.", required=False, maximum=10),
            text("gebeurtenis", "Wat", "Wat er toen gebeurde, in een zin."),
        ),
        key=("gemeente", "gebeurtenis"),
    ),
    Dataset(
        "wijkhuizen_doelgroepen", "Doelgroepen van de wijkhuizen",
        f"{LETTER}: 'De focus is gelegd op ouderen en de LVB groep' en 'Ontmoeting en activiteiten "
        "voor (dementerende) ouderen, licht verstandelijk beperkte inwoners en voor inwoners met een "
        "GGZ-problematiek'.",
        (
            gemeente(description="Gemeente van de wijkhuizen."),
            text("doelgroep", "Doelgroep", "Korte naam van de doelgroep."),
            text("omschrijving", "Wie", "Wie daartoe horen, zoals de brief het zegt."),
        ),
        key=("gemeente", "doelgroep"),
    ),
    Dataset(
        "wijkhuizen_subsidie", "Subsidie voor de wijkhuizen",
        f"{LETTER}, 'Financieel': de subsidie voor fase 3 en waar die ten laste van komt.",
        (
            gemeente(description="Gemeente die de subsidie verstrekt."),
            count("fase", "Fase", "Fase van de opdracht waarvoor de subsidie is.", maximum=10),
            date("besluit", "Besluit", "Datum van het besluit van de gemeente (jjjj-mm-dd)."),
            text("post", "Ten laste van", "Het budget van de gemeente waar dit deel ten laste van komt."),
            count("bedrag", "Bedrag (euro)", "Bedrag in hele euro's, zonder punt of €-teken: 140000.",
                  maximum=10_000_000),
        ),
        key=("gemeente", "fase", "post"),
    ),
    # ---- Tot slot -----------------------------------------------------------
    Dataset(
        "websites", "Websites", f"{SEED}, laatste pagina.",
        (
            website(description="Adres zoals gepubliceerd: www.wijkkracht.nl, of met http(s):// ervoor."),
            gemeente(description="Gemeente van de website; leeg voor de website van heel Wijkkracht.",
                     required=False),
        ),
        key=("website",),
    ),
]}


def by_name(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"onbekende dataset {name!r}; bekend zijn: {', '.join(DATASETS)}") from None

