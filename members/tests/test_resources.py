"""The members spreadsheet: columns, matching, all-or-nothing import, round trip."""

from decimal import Decimal
from unittest import mock

import pytest
from import_export.formats.base_formats import CSV, XLSX

from demo.loader import load_demo
from members.models import Member, Membership
from members.resources import MemberResource
from members.tests.factories import MemberFactory, MembershipFactory, TerritoryFactory
from pole.fiscal_years import FiscalYear
from pole.tests.spreadsheet_helpers import csv_bytes, export_file, export_lines, import_file, xlsx_bytes

HEADER = "nom,forme_juridique,categorie,annee_fondation,territoire,milieu,secteur,courriel,telephone,site_web,adresse,adhesions"


@pytest.fixture
def quebec(db):
    return TerritoryFactory(name="Québec")


def test_export_writes_the_contract_columns_with_french_values(quebec):
    member = MemberFactory(
        name="Réseau des CPE",
        legal_form=Member.LegalForm.ASSOCIATION,
        category=Member.Category.BUSINESS_GROUP,
        founding_year=2003,
        territory=quebec,
        setting=Member.Setting.RURAL,
        sector="Petite enfance",
        email="info@cpe.exemple.org",
        phone="418 555-1234",
        website="https://cpe.exemple.org",
        address="12, rue Principale",
        fiscal_years=[2016, 2015],
    )
    MemberFactory(name="Mutuelle Horizon", legal_form=Member.LegalForm.MUTUAL, founding_year=None, territory=None)

    lines = export_lines(MemberResource)

    assert lines[0] == HEADER
    assert lines[1] == "Mutuelle Horizon,mutuelle,régulier,,,urbain,Alimentation,,,,,"
    assert lines[2] == (
        "Réseau des CPE,association,regroupement,2003,Québec,rural,Petite enfance,info@cpe.exemple.org,"
        '418 555-1234,https://cpe.exemple.org,"12, rue Principale",2015-2016;2016-2017'
    )
    assert member.memberships.count() == 2


def test_import_creates_members_matching_names_and_choices_without_accents_or_case(quebec):
    result = import_file(
        MemberResource,
        csv_bytes(
            HEADER,
            "Coopérative Vélo-Cité,COOPERATIVE,Regroupement,2008,quebec,URBAIN,Transport,velo@exemple.org,"
            "4185550000,https://velo.exemple.org,,2015-2016;2016-2017",
            "Mutuelle Horizon,Mutuelle,regulier,,,rural,,,,,,",
        ),
    )

    assert result.error_messages() == []
    velo = Member.objects.get(name="Coopérative Vélo-Cité")
    assert velo.legal_form == Member.LegalForm.COOPERATIVE
    assert velo.category == Member.Category.BUSINESS_GROUP
    assert velo.founding_year == 2008
    assert velo.territory == quebec
    assert velo.setting == Member.Setting.URBAN
    assert velo.phone == "418 555-0000"  # normalised
    assert sorted(m.fiscal_year for m in velo.memberships.all()) == [FiscalYear(2015), FiscalYear(2016)]
    horizon = Member.objects.get(name="Mutuelle Horizon")
    assert (horizon.territory, horizon.founding_year, horizon.memberships.count()) == (None, None, 0)


def test_import_updates_the_member_whose_name_matches_without_accents(quebec):
    member = MemberFactory(name="Coopérative funéraire des Deux Rives", sector="Services", territory=quebec)

    result = import_file(
        MemberResource,
        csv_bytes(HEADER, "COOPERATIVE FUNERAIRE DES DEUX RIVES,coopérative,ambassadeur,1987,Québec,urbain,,,,,,"),
    )

    assert result.error_messages() == []
    assert result.totals["update"] == 1
    assert Member.objects.count() == 1
    member.refresh_from_db()
    assert (member.category, member.founding_year, member.sector) == (Member.Category.AMBASSADOR, 1987, None)


def test_adhesions_become_exactly_the_listed_years_keeping_dues(quebec):
    member = MemberFactory(name="Ressourcerie La Récupe", territory=quebec)
    MembershipFactory(member=member, fiscal_year=FiscalYear(2015), dues=Decimal("150.00"))
    MembershipFactory(member=member, fiscal_year=FiscalYear(2016), dues=Decimal("175.00"))

    result = import_file(
        MemberResource,
        csv_bytes(
            HEADER,
            "Ressourcerie La Récupe,coopérative,régulier,2000,Québec,urbain,Alimentation,,,,,2016-2017;2017-2018",
        ),
    )

    assert result.error_messages() == []
    memberships = {m.fiscal_year.label: m.dues for m in Membership.objects.filter(member=member)}
    assert memberships == {"2016-2017": Decimal("175.00"), "2017-2018": None}


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_saved(quebec):
    MemberFactory(name="Déjà là", territory=quebec, fiscal_years=[2015])
    before = (Member.objects.count(), Membership.objects.count())

    result = import_file(
        MemberResource,
        csv_bytes(
            HEADER,
            "Bonne ligne,coopérative,régulier,1990,Québec,urbain,,,,,,2016-2017",
            "Territoire inconnu,coopérative,régulier,1990,Saguenay,urbain,,,,,,",
            "Forme inconnue,coopérative de solidarité,régulier,1990,Québec,urbain,,,,,,",
            "Catégorie inconnue,coopérative,honoraire,1990,Québec,urbain,,,,,,",
            "Année non valide,coopérative,régulier,vers 1990,Québec,urbain,,,,,,",
            "Courriel non valide,coopérative,régulier,1990,Québec,urbain,,pas-un-courriel,,,,",
            "Site non valide,coopérative,régulier,1990,Québec,urbain,,,,pas un site,,",
            "Exercice non valide,coopérative,régulier,1990,Québec,urbain,,,,,,2016-2018",
            "BONNE LIGNE,coopérative,régulier,1990,Québec,urbain,,,,,,",
            ",coopérative,régulier,1990,Québec,urbain,,,,,,",
            "Milieu inconnu,coopérative,régulier,1990,Québec,banlieue,,,,,,",
            "Fondée dans le futur,coopérative,régulier,2999,Québec,urbain,,,,,,",
            "Déjà là,coopérative,régulier,1990,Québec,urbain,,,,,,2016-2017",
        ),
    )

    errors = result.error_messages()
    assert errors == [
        "Ligne 3, colonne territoire\u00a0: Territoire inconnu «\u00a0Saguenay\u00a0». Territoires connus\u00a0: «\u00a0Québec\u00a0».",
        "Ligne 4, colonne forme_juridique\u00a0: «\u00a0coopérative de solidarité\u00a0» ne fait pas partie des valeurs permises\u00a0: "
        "coopérative, mutuelle, association, société.",
        "Ligne 5, colonne categorie\u00a0: «\u00a0honoraire\u00a0» ne fait pas partie des valeurs permises\u00a0: "
        "régulier, regroupement, ambassadeur, fournisseur.",
        "Ligne 6, colonne annee_fondation\u00a0: «\u00a0vers 1990\u00a0» n’est pas une année comme 1987.",
        "Ligne 7, colonne courriel\u00a0: Saisissez une adresse de courriel valide.",
        "Ligne 8, colonne site_web\u00a0: Saisissez une URL valide.",
        "Ligne 9, colonne adhesions\u00a0: «\u00a02016-2018\u00a0» n’est pas un exercice comme 2016-2017.",
        "Ligne 10, colonne nom\u00a0: Même clé (nom) qu’à la ligne 2\u00a0: chaque clé ne peut figurer qu’une fois dans un fichier.",
        "Ligne 11, colonne nom\u00a0: Ce champ ne peut pas être vide.",
        "Ligne 12, colonne milieu\u00a0: «\u00a0banlieue\u00a0» ne fait pas partie des valeurs permises\u00a0: urbain, rural.",
        "Ligne 13, colonne annee_fondation\u00a0: L’année de fondation ne peut pas être dans le futur.",
    ]
    assert (Member.objects.count(), Membership.objects.count()) == before
    assert not Member.objects.filter(name="Bonne ligne").exists()


def test_wrong_columns_are_refused_in_french(db):
    result = import_file(MemberResource, csv_bytes("nom,categorie,couleur", "Coop,régulier,bleu"))

    assert result.error_messages() == [
        "Colonnes manquantes\u00a0: forme_juridique, annee_fondation, territoire, milieu, secteur, courriel, telephone, "
        "site_web, adresse, adhesions. Colonnes inconnues\u00a0: couleur. La première ligne doit contenir ces colonnes\u00a0: "
        "nom, forme_juridique, categorie, annee_fondation, territoire, milieu, secteur, courriel, telephone, "
        "site_web, adresse, adhesions."
    ]
    assert Member.objects.count() == 0


def test_column_names_are_read_without_regard_to_case_or_accents(quebec):
    header = HEADER.replace("annee_fondation", "Année_Fondation").replace("nom,", "\ufeffNOM,")

    result = import_file(MemberResource, csv_bytes(header, "Coop,coopérative,régulier,1990,Québec,urbain,,,,,,"))

    assert result.error_messages() == []
    assert Member.objects.get().founding_year == 1990


def test_xlsx_import_reads_numbers_and_skips_blank_lines(quebec):
    rows = [
        HEADER.split(","),
        ["Coop", "coopérative", "régulier", 1990, "Québec", "urbain", None, None, 4185550000, None, None, "2016-2017"],
        [None] * 12,
        ["Coop 2", "mutuelle", "régulier", 1990.0, "Québec", "urbain", None, None, None, None, None, None],
        ["Coop 3", "mutuelle", "régulier", "mil neuf cent", "Québec", "urbain", None, None, None, None, None, None],
    ]

    result = import_file(MemberResource, xlsx_bytes(rows), file_format=XLSX())

    assert result.error_messages() == [
        "Ligne 5, colonne annee_fondation\u00a0: «\u00a0mil neuf cent\u00a0» n’est pas une année comme 1987."
    ]
    assert Member.objects.count() == 0

    del rows[4]
    result = import_file(MemberResource, xlsx_bytes(rows), file_format=XLSX())
    assert result.error_messages() == []
    assert Member.objects.get(name="Coop").phone == "418 555-0000"  # a number cell, normalised
    assert Member.objects.get(name="Coop 2").founding_year == 1990


@pytest.mark.parametrize("file_format", [CSV(encoding="utf-8-sig"), XLSX()], ids=["csv", "xlsx"])
def test_demo_members_round_trip_unchanged(db, file_format):
    load_demo()
    snapshot = export_file(MemberResource)
    exported = export_file(MemberResource, file_format)
    before = (Member.objects.count(), Membership.objects.count())

    result = import_file(MemberResource, exported, file_format=file_format)

    assert result.error_messages() == []
    assert result.totals["skip"] == before[0] > 20
    assert result.totals["new"] == result.totals["update"] == 0
    assert (Member.objects.count(), Membership.objects.count()) == before
    assert export_file(MemberResource) == snapshot


def member_rows(prefix, count, years="2015-2016;2016-2017"):
    return [
        f"{prefix} {number:03d},coopérative,régulier,1990,Québec,urbain,Alimentation,,,,,{years}"
        for number in range(count)
    ]


def queries_of_import(content):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = import_file(MemberResource, content)
    assert result.error_messages() == []
    return len(captured.captured_queries)


def test_member_import_runs_as_many_queries_for_50_new_rows_as_for_5(quebec, django_assert_num_queries):
    MemberFactory(name="Déjà là", territory=quebec, fiscal_years=[2015])  # members saved before both imports
    few = queries_of_import(csv_bytes(HEADER, *member_rows("Petite", 5)))

    with django_assert_num_queries(few):
        result = import_file(MemberResource, csv_bytes(HEADER, *member_rows("Grande", 50)))

    assert result.totals["new"] == 50
    assert Member.objects.filter(name__startswith="Grande").count() == 50
    assert Membership.objects.filter(member__name__startswith="Grande").count() == 100


def test_member_import_runs_as_many_queries_for_50_updated_rows_as_for_5(quebec, django_assert_num_queries):
    for number in range(5):
        MemberFactory(name=f"Petite {number:03d}", territory=quebec, fiscal_years=[2014, 2015])
    for number in range(50):
        MemberFactory(name=f"Grande {number:03d}", territory=quebec, fiscal_years=[2014, 2015])
    few = queries_of_import(csv_bytes(HEADER, *member_rows("Petite", 5)))

    with django_assert_num_queries(few):
        result = import_file(MemberResource, csv_bytes(HEADER, *member_rows("Grande", 50)))

    assert result.totals["update"] == 50
    years = {m.fiscal_year.label for m in Membership.objects.filter(member__name="Grande 049")}
    assert years == {"2015-2016", "2016-2017"}
    assert Member.objects.get(name="Grande 049").founding_year == 1990


def test_imported_members_keep_a_history_of_real_changes(quebec):
    import_file(MemberResource, csv_bytes(HEADER, "Coop,coopérative,régulier,1990,Québec,urbain,,,,,,2015-2016"))
    member = Member.objects.get()
    assert [record.history_type for record in member.history.all()] == ["+"]

    # Only the adhesions change: the member's row is left alone, its history too.
    import_file(MemberResource, csv_bytes(HEADER, "Coop,coopérative,régulier,1990,Québec,urbain,,,,,,2016-2017"))
    assert member.history.count() == 1
    assert [m.fiscal_year.label for m in member.memberships.all()] == ["2016-2017"]

    # A real change: bulk_update leaves auto_now alone, so the import stamps updated_at itself.
    import datetime

    from django.utils import timezone

    changed_at = timezone.make_aware(datetime.datetime(2030, 1, 2, 3, 4, 5))
    with mock.patch("django.utils.timezone.now", return_value=changed_at):
        import_file(MemberResource, csv_bytes(HEADER, "Coop,mutuelle,régulier,1990,Québec,urbain,,,,,,2016-2017"))
    latest = member.history.first()
    assert (latest.history_type, latest.legal_form) == ("~", Member.LegalForm.MUTUAL)
    member.refresh_from_db()
    assert member.updated_at == changed_at


def test_the_preview_shows_the_adhesions_of_a_new_member(quebec):
    result = import_file(
        MemberResource,
        csv_bytes(HEADER, "Coop,coopérative,régulier,1990,Québec,urbain,,,,,,2016-2017;2015-2016"),
        dry_run=True,
    )

    (row,) = result.valid_rows()
    assert "2015-2016;2016-2017" in row.diff[-1]
    assert Member.objects.count() == 0


def test_a_founding_year_in_the_future_and_a_name_spelled_with_extra_spaces(quebec):
    result = import_file(
        MemberResource,
        csv_bytes(HEADER, "Coop   du   Futur,coopérative,régulier,2999,Québec,urbain,,,,,,"),
    )
    assert result.error_messages() == [
        "Ligne 2, colonne annee_fondation\u00a0: L’année de fondation ne peut pas être dans le futur."
    ]

    import_file(MemberResource, csv_bytes(HEADER, "Coop   du   Futur,coopérative,régulier,1999,Québec,urbain,,,,,,"))
    assert Member.objects.get().name == "Coop du Futur"


def test_a_row_naming_two_saved_members_that_differ_by_accents_only_is_refused_in_french(quebec):
    """«\u00a0Café\u00a0» and «\u00a0Cafe\u00a0» may both be saved; a row «\u00a0CAFE\u00a0» cannot tell which one it means."""
    MemberFactory(name="Café")
    MemberFactory(name="Cafe")
    result = import_file(
        MemberResource, csv_bytes(HEADER, "CAFE,coopérative,régulier,1990,Québec,urbain,,,,,,2016-2017")
    )
    assert result.error_messages() == [
        "Ligne 2, colonne nom\u00a0: Plusieurs fiches enregistrées répondent à cette clé («\u00a0Cafe\u00a0», «\u00a0Café\u00a0»)\u00a0: "
        "renommez-en une dans l’administration d’abord."
    ]
    assert sorted(Member.objects.values_list("name", flat=True)) == ["Cafe", "Café"]
