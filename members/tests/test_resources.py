"""The members spreadsheet: columns, matching, all-or-nothing import, round trip."""

from decimal import Decimal
from unittest import mock

import pytest
from import_export.formats.base_formats import CSV, XLSX

from demo.loader import load_demo
from members.models import Member, Membership
from members.resources import CATEGORIES, LEGAL_FORMS, MemberResource
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
    # The blank sector cell leaves the saved sector as it is.
    assert (member.category, member.founding_year, member.sector.name) == (Member.Category.AMBASSADOR, 1987, "Services")


def test_adhesions_add_years_and_never_remove_one_keeping_dues(quebec):
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
    assert memberships == {"2015-2016": Decimal("150.00"), "2016-2017": Decimal("175.00"), "2017-2018": None}
    [row] = result.preview_rows
    assert [change.text() for change in row.changes if change.is_list] == ["Adhésions\u00a0: +\u00a02017-2018"]


@pytest.mark.parametrize("cell", ["-2016-2017", "(vide)", "2017-2018;\u22122015-2016"])
def test_an_import_refuses_to_remove_a_membership_and_says_where_it_is_done(quebec, cell):
    member = MemberFactory(name="Coop", territory=quebec, fiscal_years=[2015, 2016])

    result = import_file(MemberResource, csv_bytes(HEADER, f"Coop,coopérative,régulier,,,,,,,,,{cell}"))

    [message] = result.error_messages()
    assert message.startswith("Ligne 2, colonne adhesions\u00a0: «\u00a0")
    assert "un import ne retire pas d’adhésion\u00a0; supprimez-la dans la fiche du membre" in message
    assert sorted(m.fiscal_year.label for m in member.memberships.all()) == ["2015-2016", "2016-2017"]


def test_a_blank_cell_keeps_the_saved_value_and_the_marker_clears_it(quebec):
    member = MemberFactory(
        name="Coop", territory=quebec, founding_year=1990, sector="Services", email="a@exemple.org",
        setting=Member.Setting.RURAL, website="https://coop.exemple.org",
    )

    result = import_file(
        MemberResource, csv_bytes(HEADER, "Coop,coopérative,ambassadeur,,(vide),,,(VIDE),,,,", ), dry_run=True
    )
    [row] = result.preview_rows
    assert [change.text() for change in row.changes] == [
        "Catégorie\u00a0: régulier \u2192 ambassadeur",
        "Territoire\u00a0: Québec \u2192 (vide)",
        "Courriel\u00a0: a@exemple.org \u2192 (vide)",
    ]
    assert [(line, name, change.label) for line, name, change in result.warnings] == [
        (2, "Coop", "Territoire"), (2, "Coop", "Courriel"),
    ]
    assert result.counts == [
        "0\u00a0membre ajouté", "1\u00a0membre modifié", "0\u00a0ligne inchangée", "0\u00a0adhésion ajoutée", "0\u00a0adhésion retirée",
        "2\u00a0valeurs effacées",
    ]

    import_file(MemberResource, csv_bytes(HEADER, "Coop,coopérative,ambassadeur,,(vide),,,(VIDE),,,,"))

    member.refresh_from_db()
    assert (member.category, member.territory, member.email) == (Member.Category.AMBASSADOR, None, "")
    assert (member.founding_year, member.sector.name, member.setting, member.website) == (
        1990, "Services", Member.Setting.RURAL, "https://coop.exemple.org",
    )


def test_the_marker_cannot_clear_the_key_nor_a_required_column(quebec):
    MemberFactory(name="Coop", territory=quebec)

    result = import_file(
        MemberResource, csv_bytes(HEADER, "(vide),coopérative,régulier,,,,,,,,,", "Coop,coopérative,(vide),,,,,,,,,")
    )

    messages = result.error_messages()
    assert messages[0] == "Ligne 2, colonne nom\u00a0: Une colonne clé ne peut pas être effacée par «\u00a0(vide)\u00a0»."
    assert messages[1].startswith("Ligne 3, colonne categorie\u00a0: ")
    assert Member.objects.get().legal_form == Member.LegalForm.COOPERATIVE


def test_renewing_by_spreadsheet_adds_the_year_and_changes_nothing_else(db):
    """The issue's journey: the template's columns, nom, forme_juridique, categorie and adhesions=2017-2018."""
    from members.billing.models import Invoice, Payment
    from reports.statistics import year_figures

    load_demo(campaign=False)
    renewing = list(
        Member.objects.filter(memberships__fiscal_year=FiscalYear(2016), invoices__payments__isnull=False)
        .exclude(founding_year=None).exclude(territory=None).exclude(sector=None)
        .distinct().order_by("name")[:2]
    )
    assert len(renewing) == 2
    snapshot = export_file(MemberResource)
    invoices = sorted(Invoice.objects.values_list("pk", "member_id", "fiscal_year", "total"))
    payments = sorted(Payment.objects.values_list("pk", "invoice_id", "amount"))
    memberships = sorted(Membership.objects.values_list("pk", "member_id", "fiscal_year", "dues", "paid_on"))
    figures = year_figures(FiscalYear(2016))
    rows = [
        f'"{member.name}",{LEGAL_FORMS[member.legal_form]},{CATEGORIES[member.category]},,,,,,,,,2017-2018'
        for member in renewing
    ]

    preview = import_file(MemberResource, csv_bytes(HEADER, *rows), dry_run=True)

    assert preview.error_messages() == []
    assert preview.counts == [
        "0\u00a0membre ajouté", "2\u00a0membres modifiés", "0\u00a0ligne inchangée", "2\u00a0adhésions ajoutées", "0\u00a0adhésion retirée",
    ]
    assert [[change.text() for change in row.changes] for row in preview.preview_rows] == [
        ["Adhésions\u00a0: +\u00a02017-2018"], ["Adhésions\u00a0: +\u00a02017-2018"]
    ]
    assert preview.warnings == []

    result = import_file(MemberResource, csv_bytes(HEADER, *rows))

    assert result.error_messages() == []
    added = Membership.objects.filter(fiscal_year=FiscalYear(2017))
    assert sorted(added.values_list("member__name", flat=True)) == [member.name for member in renewing]
    assert sorted(Membership.objects.exclude(fiscal_year=FiscalYear(2017)).values_list(
        "pk", "member_id", "fiscal_year", "dues", "paid_on")) == memberships
    assert sorted(Invoice.objects.values_list("pk", "member_id", "fiscal_year", "total")) == invoices
    assert sorted(Payment.objects.values_list("pk", "invoice_id", "amount")) == payments
    # Every other column of every member is as it was: only the two rows' adhesions differ.
    after = export_file(MemberResource).decode("utf-8").splitlines()
    before = snapshot.decode("utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert [(old + ";2017-2018") for old, _new in changed] == [new for _old, new in changed]
    assert len(changed) == 2
    assert year_figures(FiscalYear(2016)) == figures


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
    assert years == {"2014-2015", "2015-2016", "2016-2017"}
    assert Member.objects.get(name="Grande 049").founding_year == 1990


def test_imported_members_keep_a_history_of_real_changes(quebec):
    import_file(MemberResource, csv_bytes(HEADER, "Coop,coopérative,régulier,1990,Québec,urbain,,,,,,2015-2016"))
    member = Member.objects.get()
    assert [record.history_type for record in member.history.all()] == ["+"]

    # Only the adhesions change: the member's row is left alone, its history too.
    import_file(MemberResource, csv_bytes(HEADER, "Coop,coopérative,régulier,1990,Québec,urbain,,,,,,2016-2017"))
    assert member.history.count() == 1
    assert [m.fiscal_year.label for m in member.memberships.all()] == ["2016-2017", "2015-2016"]

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

    (row,) = result.preview_rows
    assert row.changes[-1].text(new=True) == "Adhésions\u00a0: +\u00a02015-2016, +\u00a02016-2017"
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


def test_a_website_without_its_scheme_is_read_as_https_as_in_the_portal(quebec):
    result = import_file(MemberResource, csv_bytes(HEADER, "Coop,coopérative,régulier,,,,,,,deuxrives.coop,,"))

    assert result.error_messages() == []
    assert Member.objects.get().website == "https://deuxrives.coop"
