"""The activities spreadsheet: columns, matching, all-or-nothing import, round trip."""

import datetime

import pytest
from import_export.formats.base_formats import CSV, XLSX

from activities.models import Activity, Measure
from activities.resources import ActivityResource
from activities.tests.factories import ActivityFactory, MeasureFactory, ObjectiveFactory
from demo.data import DEMO_EVENTS
from demo.loader import load_demo
from members.tests.factories import TerritoryFactory
from partners.models import Organisation
from partners.tests.factories import OrganisationFactory
from pole.tests.spreadsheet_helpers import csv_bytes, export_file, export_lines, import_file, xlsx_bytes

HEADER = "date,date_fin,titre,objectifs,territoire,lieu,role,participants,mesures,partenaires"


@pytest.fixture
def world(db):
    """The territories, objectives and organisations the files below name."""
    return {
        "portneuf": TerritoryFactory(name="Portneuf"),
        "quebec": TerritoryFactory(name="Québec"),
        "skills": ObjectiveFactory(name="Renforcer les compétences", order=1),
        "network": ObjectiveFactory(name="Concertation et collaboration", order=2),
        "ecpar": OrganisationFactory(name="Espace québécois de concertation (ECPAR)"),
    }


def snapshot():
    return (Activity.objects.count(), Measure.objects.count(), Organisation.objects.count())


def test_export_writes_the_contract_columns(world):
    activity = ActivityFactory(
        start_date=datetime.date(2016, 11, 7),
        end_date=datetime.date(2016, 11, 17),
        title="Semaines de l'économie sociale",
        territory=world["quebec"],
        place="Québec",
        role=Activity.Role.CO_REALISATION,
        participants=None,
        objectives=[world["network"], world["skills"]],
        partners=[world["ecpar"]],
    )
    MeasureFactory(activity=activity, label="acheteurs institutionnels", value=23, order=0)
    MeasureFactory(activity=activity, label="entreprises participantes", value=7, order=1)
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation", territory=None, place="", objectives=[])

    assert export_lines(ActivityResource) == [
        HEADER,
        "2016-04-13,,Formation,,,,réalisation,5,,",
        "2016-11-07,2016-11-17,Semaines de l'économie sociale,"
        "Renforcer les compétences;Concertation et collaboration,Québec,Québec,co-réalisation,,"
        "acheteurs institutionnels=23;entreprises participantes=7,Espace québécois de concertation (ECPAR)",
    ]


def test_import_matches_names_without_accents_and_creates_unknown_partners(world):
    result = import_file(
        ActivityResource,
        csv_bytes(
            HEADER,
            "2016-04-05,,Rencontre-conférence,CONCERTATION ET COLLABORATION;renforcer les competences,quebec,"
            "Université Laval,Co-Réalisation,35,acheteurs institutionnels=23;rencontres d'affaires=47,"
            "espace quebecois de concertation (ecpar);Université Laval",
            "2016-04-13,,Formation en comptabilité,,PORTNEUF,,realisation,,,",
        ),
    )

    assert result.error_messages() == []
    assert result.totals["new"] == 2
    activity = Activity.objects.get(title="Rencontre-conférence")
    assert activity.start_date == datetime.date(2016, 4, 5)
    assert activity.role == Activity.Role.CO_REALISATION
    assert activity.territory == world["quebec"]
    assert set(activity.objectives.all()) == {world["network"], world["skills"]}
    assert [(m.label, m.value, m.order) for m in activity.measures.all()] == [
        ("acheteurs institutionnels", 23, 0),
        ("rencontres d'affaires", 47, 1),
    ]
    assert sorted(o.name for o in activity.partners.all()) == [
        "Espace québécois de concertation (ECPAR)",
        "Université Laval",
    ]
    assert Organisation.objects.count() == 2
    training = Activity.objects.get(title="Formation en comptabilité")
    assert (training.participants, training.territory, training.role) == (None, world["portneuf"], "realisation")


def test_import_updates_the_activity_of_the_same_date_and_title(world):
    activity = ActivityFactory(
        start_date=datetime.date(2016, 4, 13), title="Formation en comptabilité", territory=world["portneuf"]
    )
    MeasureFactory(activity=activity, label="entreprises participantes", value=7)
    MeasureFactory(activity=activity, label="à retirer", value=1)

    result = import_file(
        ActivityResource,
        csv_bytes(
            HEADER,
            "2016-04-13,,FORMATION EN COMPTABILITE,Renforcer les compétences,Portneuf,,réalisation,12,"
            "Entreprises participantes=9;nouvelles=2,",
        ),
    )

    assert result.error_messages() == []
    assert result.totals["update"] == 1
    activity.refresh_from_db()
    assert activity.participants == 12
    assert list(activity.objectives.all()) == [world["skills"]]
    assert [(m.label, m.value) for m in activity.measures.all()] == [("Entreprises participantes", 9), ("nouvelles", 2)]
    assert Activity.objects.count() == 1


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_saved(world):
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Existante", territory=world["quebec"])
    before = snapshot()

    result = import_file(
        ActivityResource,
        csv_bytes(
            HEADER,
            "2016-05-06,,Bonne ligne,Renforcer les compétences,Portneuf,,réalisation,30,a=1,Nouveau partenaire",
            "2016-02-30,,Date impossible,,Québec,,réalisation,,,",
            "2016-11-17,2016-11-07,Fin avant début,,Québec,,réalisation,,,",
            "2016-06-01,,Participants négatifs,,Québec,,réalisation,-4,,",
            "2016-06-02,,Participants non numériques,,Québec,,réalisation,beaucoup,,",
            "2016-06-03,,Objectif inconnu,Rayonnement international,Québec,,réalisation,,,",
            "2016-06-04,,Territoire inconnu,,Saguenay,,réalisation,,,",
            "2016-06-05,,Rôle inconnu,,Québec,,participation,,,",
            "2016-06-06,,Mesure mal formée,,Québec,,réalisation,,acheteurs institutionnels: 23,",
            "2016-05-06,,BONNE LIGNE,,Québec,,réalisation,,,",
            "13/04/2016,,Date mal écrite,,Québec,,réalisation,,,",
            "2016-06-07,,Mesure négative,,Québec,,réalisation,,entreprises=-2;entreprises=3,",
            "2016-06-08,,,,Québec,,réalisation,,,",
        ),
    )

    assert result.error_messages() == [
        "Ligne 3, colonne date\u00a0: «\u00a02016-02-30\u00a0» n’est pas une date valide de la forme AAAA-MM-JJ, comme 2016-04-13.",
        "Ligne 4, colonne date_fin\u00a0: La date de fin ne peut pas précéder la date de début.",
        "Ligne 5, colonne participants\u00a0: «\u00a0-4\u00a0» est négatif\u00a0; un nombre de personnes est zéro ou plus.",
        "Ligne 6, colonne participants\u00a0: «\u00a0beaucoup\u00a0» n’est pas un nombre entier.",
        "Ligne 7, colonne objectifs\u00a0: Objectif inconnu «\u00a0Rayonnement international\u00a0». "
        "Objectifs connus\u00a0: «\u00a0Concertation et collaboration\u00a0», «\u00a0Renforcer les compétences\u00a0».",
        "Ligne 8, colonne territoire\u00a0: Territoire inconnu «\u00a0Saguenay\u00a0». Territoires connus\u00a0: «\u00a0Portneuf\u00a0», «\u00a0Québec\u00a0».",
        "Ligne 9, colonne role\u00a0: «\u00a0participation\u00a0» ne fait pas partie des valeurs permises\u00a0: "
        "réalisation, co-réalisation, représentation.",
        "Ligne 10, colonne mesures\u00a0: «\u00a0acheteurs institutionnels: 23\u00a0» n’est pas une mesure de la forme "
        "«\u00a0acheteurs institutionnels=23\u00a0».",
        "Ligne 11, colonne date\u00a0: Même clé (date + titre) qu’à la ligne 2\u00a0: "
        "chaque clé ne peut figurer qu’une fois dans un fichier.",
        "Ligne 12, colonne date\u00a0: «\u00a013/04/2016\u00a0» n’est pas une date valide de la forme AAAA-MM-JJ, comme 2016-04-13.",
        "Ligne 13, colonne mesures\u00a0: «\u00a0entreprises=-2\u00a0» n’est pas une mesure de la forme "
        "«\u00a0acheteurs institutionnels=23\u00a0».",
        "Ligne 14, colonne titre\u00a0: Ce champ ne peut pas être vide.",
    ]
    assert snapshot() == before
    assert not Organisation.objects.filter(name="Nouveau partenaire").exists()


def test_a_measure_given_twice_is_an_error(world):
    result = import_file(
        ActivityResource,
        csv_bytes(HEADER, "2016-06-07,,Mesures,,Québec,,réalisation,,entreprises=2;Entreprises=3,"),
    )

    assert result.error_messages() == ["Ligne 2, colonne mesures\u00a0: La mesure «\u00a0Entreprises\u00a0» est donnée deux fois."]
    assert Activity.objects.count() == 0


def test_xlsx_date_cells_and_numbers_are_read(world):
    rows = [
        HEADER.split(","),
        [
            datetime.datetime(2016, 4, 13),
            None,
            "Formation",
            "Renforcer les compétences",
            "Portneuf",
            None,
            "réalisation",
            5.0,
            "entreprises=7",
            None,
        ],
    ]

    result = import_file(ActivityResource, xlsx_bytes(rows), file_format=XLSX())

    assert result.error_messages() == []
    activity = Activity.objects.get()
    assert (activity.start_date, activity.participants) == (datetime.date(2016, 4, 13), 5)


@pytest.mark.parametrize("file_format", [CSV(encoding="utf-8-sig"), XLSX()], ids=["csv", "xlsx"])
def test_demo_activities_round_trip_unchanged(db, file_format):
    load_demo()
    before_file = export_file(ActivityResource)
    before = snapshot()

    result = import_file(ActivityResource, export_file(ActivityResource, file_format), file_format=file_format)

    assert result.error_messages() == []
    # The report's 25 activities and the demo's two upcoming events.
    assert result.totals["skip"] == before[0] == 25 + len(DEMO_EVENTS)
    assert result.totals["new"] == result.totals["update"] == 0
    assert snapshot() == before
    assert export_file(ActivityResource) == before_file


def test_blank_cells_keep_an_activity_and_its_lists_and_the_marker_clears_them(world):
    activity = ActivityFactory(
        start_date=datetime.date(2016, 4, 13), title="Formation", territory=world["portneuf"], place="Saint-Raymond",
        participants=12,
    )
    activity.objectives.set([world["skills"], world["network"]])
    activity.partners.set([world["ecpar"]])
    MeasureFactory(activity=activity, label="entreprises participantes", value=7)

    preview = import_file(
        ActivityResource, csv_bytes(HEADER, "2016-04-13,,Formation,,(vide),,,,,(vide)"), dry_run=True
    )

    assert preview.error_messages() == []
    [row] = preview.preview_rows
    assert [change.text() for change in row.changes] == [
        "Territoire\u00a0: Portneuf \u2192 (vide)",
        "Partenaires\u00a0: \u2212\u00a0Espace québécois de concertation (ECPAR)",
    ]
    assert [change.label for _line, _name, change in preview.warnings] == ["Territoire", "Partenaires"]

    import_file(ActivityResource, csv_bytes(HEADER, "2016-04-13,,Formation,,(vide),,,,,(vide)"))

    activity.refresh_from_db()
    assert (activity.territory, activity.place, activity.participants) == (None, "Saint-Raymond", 12)
    assert set(activity.objectives.all()) == {world["skills"], world["network"]}
    assert [(m.label, m.value) for m in activity.measures.all()] == [("entreprises participantes", 7)]
    assert list(activity.partners.all()) == []


def test_objectives_are_compared_as_a_set_and_the_page_lists_the_accepted_ones(world):
    activity = ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation", territory=world["portneuf"])
    activity.objectives.set([world["skills"], world["network"]])

    result = import_file(
        ActivityResource,
        csv_bytes(HEADER, "2016-04-13,,Formation,Concertation et collaboration;renforcer les competences,,,,,,"),
        dry_run=True,
    )

    assert result.totals["skip"] == 1
    rules = dict(ActivityResource().column_help())
    assert rules["objectifs"].startswith(
        "Des objectifs séparés par «\u00a0;\u00a0», parmi\u00a0: «\u00a0Concertation et collaboration\u00a0», "
        "«\u00a0Renforcer les compétences\u00a0»."
    )
