"""The partners spreadsheet: columns, matching, all-or-nothing import, round trip."""

from decimal import Decimal

import pytest
from import_export.formats.base_formats import CSV, XLSX

from demo.loader import load_demo
from partners.models import Organisation, Partnership
from partners.resources import PartnerResource
from partners.tests.factories import OrganisationFactory, PartnershipFactory
from pole.fiscal_years import FiscalYear
from pole.tests.spreadsheet_helpers import csv_bytes, export_file, export_lines, import_file

HEADER = "nom,categorie,exercice,site_web,montant"


def snapshot():
    return (Partnership.objects.count(), Organisation.objects.count())


def test_export_writes_the_contract_columns(db):
    city = OrganisationFactory(name="Ville de Québec", website="https://www.ville.quebec.qc.ca")
    PartnershipFactory(organisation=city, fiscal_year=FiscalYear(2016), amount=Decimal("15000.00"))
    PartnershipFactory(
        organisation=OrganisationFactory(name="Desjardins", website=""),
        fiscal_year=FiscalYear(2015),
        category=Partnership.Category.OFFICIAL,
        amount=Decimal("2500.50"),
    )
    PartnershipFactory(
        organisation=city, fiscal_year=FiscalYear(2015), category=Partnership.Category.SUPPLIER, amount=None
    )

    assert export_lines(PartnerResource) == [
        HEADER,
        "Ville de Québec,public,2016-2017,https://www.ville.quebec.qc.ca,15000",
        "Desjardins,officiel,2015-2016,,2500.50",
        "Ville de Québec,fournisseur,2015-2016,https://www.ville.quebec.qc.ca,",
    ]


def test_import_finds_organisations_without_accents_and_creates_new_ones(db):
    city = OrganisationFactory(name="Ville de Québec", website="https://www.ville.quebec.qc.ca")

    result = import_file(
        PartnerResource,
        csv_bytes(
            HEADER,
            'VILLE DE QUEBEC,PUBLIC,2016-2017,https://www.ville.quebec.qc.ca,"15 000,50 $"',
            "Fondation Nouvelle,Partenaire officiel,2016-2017,https://fondation.exemple.org,",
            "fondation nouvelle,ambassadeur,2015-2016,https://fondation.exemple.org,1200",
        ),
    )

    assert result.error_messages() == []
    assert result.totals["new"] == 3
    partnership = Partnership.objects.get(organisation=city)
    assert (partnership.category, partnership.fiscal_year, partnership.amount) == (
        Partnership.Category.PUBLIC,
        FiscalYear(2016),
        Decimal("15000.50"),
    )
    foundation = Organisation.objects.get(name="Fondation Nouvelle")
    assert foundation.website == "https://fondation.exemple.org"
    assert sorted((p.fiscal_year.label, p.category) for p in foundation.partnerships.all()) == [
        ("2015-2016", "ambassador"),
        ("2016-2017", "official"),
    ]
    assert Organisation.objects.count() == 2


def test_import_updates_the_partnership_and_its_organisation_website(db):
    partnership = PartnershipFactory(
        organisation=OrganisationFactory(name="MRC de Portneuf", website="https://ancien.exemple.org"),
        fiscal_year=FiscalYear(2016),
    )

    result = import_file(
        PartnerResource, csv_bytes(HEADER, "MRC de Portneuf,officiel,2016-2017,https://www.portneuf.ca,800")
    )

    assert result.error_messages() == []
    assert result.totals["update"] == 1
    partnership.refresh_from_db()
    assert (partnership.category, partnership.amount) == (Partnership.Category.OFFICIAL, Decimal("800"))
    assert partnership.organisation.website == "https://www.portneuf.ca"
    assert snapshot() == (1, 1)


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_saved(db):
    PartnershipFactory(organisation=OrganisationFactory(name="Existante"), fiscal_year=FiscalYear(2016))
    before = snapshot()

    result = import_file(
        PartnerResource,
        csv_bytes(
            HEADER,
            "Bonne ligne,public,2016-2017,,100",
            "Montant non numérique,public,2016-2017,,beaucoup",
            "Montant négatif,public,2016-2017,,-5",
            "Exercice mal formé,public,2016-2018,,",
            "Exercice sans fin,public,2016,,",
            "Catégorie inconnue,mécène,2016-2017,,",
            "Site non valide,public,2016-2017,pas un site,",
            "BONNE LIGNE,officiel,2016-2017,,",
            ",public,2016-2017,,",
            "Catégorie vide,,2016-2017,,",
        ),
    )

    assert result.error_messages() == [
        "Ligne 3, colonne montant\u00a0: «\u00a0beaucoup\u00a0» n’est pas un montant en dollars comme 15000.",
        "Ligne 4, colonne montant\u00a0: «\u00a0-5\u00a0» est négatif\u00a0; un montant est zéro ou plus.",
        "Ligne 5, colonne exercice\u00a0: «\u00a02016-2018\u00a0» n’est pas un exercice comme 2016-2017.",
        "Ligne 6, colonne exercice\u00a0: «\u00a02016\u00a0» n’est pas un exercice comme 2016-2017.",
        "Ligne 7, colonne categorie\u00a0: «\u00a0mécène\u00a0» ne fait pas partie des valeurs permises\u00a0: "
        "ambassadeur, public, officiel, fournisseur.",
        "Ligne 8, colonne site_web\u00a0: Saisissez une URL valide.",
        "Ligne 9, colonne nom\u00a0: Même clé (nom + exercice) qu’à la ligne 2\u00a0: "
        "chaque clé ne peut figurer qu’une fois dans un fichier.",
        "Ligne 10, colonne nom\u00a0: Le nom de l’organisation manque.",
        "Ligne 11, colonne categorie\u00a0: Ce champ ne peut pas être vide.",
    ]
    assert snapshot() == before
    assert not Organisation.objects.filter(name="Bonne ligne").exists()


@pytest.mark.parametrize("file_format", [CSV(encoding="utf-8-sig"), XLSX()], ids=["csv", "xlsx"])
def test_demo_partners_round_trip_unchanged(db, file_format):
    load_demo()
    before_file = export_file(PartnerResource)
    before = snapshot()

    result = import_file(PartnerResource, export_file(PartnerResource, file_format), file_format=file_format)

    assert result.error_messages() == []
    assert result.totals["skip"] == before[0] == 8
    assert result.totals["new"] == result.totals["update"] == 0
    assert snapshot() == before
    assert export_file(PartnerResource) == before_file


@pytest.mark.parametrize("file_format", [CSV(encoding="utf-8-sig"), XLSX()], ids=["csv", "xlsx"])
def test_amounts_round_trip_unchanged(db, file_format):
    for amount in (Decimal("15000.00"), Decimal("2500.50"), Decimal("0.05"), None):
        PartnershipFactory(amount=amount)
    before_file = export_file(PartnerResource)

    result = import_file(PartnerResource, export_file(PartnerResource, file_format), file_format=file_format)

    assert result.error_messages() == []
    assert result.totals["skip"] == 4
    assert sorted(str(p.amount) for p in Partnership.objects.all()) == ["0.05", "15000.00", "2500.50", "None"]
    assert export_file(PartnerResource) == before_file


@pytest.mark.django_db
def test_a_name_held_as_a_date_cell_keys_the_row_as_it_is_saved():
    """Found by the fuzz test: an XLSX name cell holding a date is saved as « 2000-01-01 », and
    the row's key must read it the same way, or importing the file again would add it twice."""
    import datetime

    from pole.tests.spreadsheet_helpers import xlsx_bytes

    rows = [
        ["nom", "categorie", "exercice", "site_web", "montant"],
        [datetime.datetime(2000, 1, 1), "ambassadeur", "2016-2017", "", ""],
    ]
    for _ in range(2):
        result = import_file(PartnerResource, xlsx_bytes(rows), file_format=XLSX())
        assert not result.has_errors() and not result.has_validation_errors()
    assert list(Partnership.objects.values_list("organisation__name", flat=True)) == ["2000-01-01"]


def test_blank_cells_keep_a_partnership_and_its_website_and_the_marker_clears_them(db):
    partnership = PartnershipFactory(
        organisation=OrganisationFactory(name="MRC de Portneuf", website="https://www.portneuf.ca"),
        fiscal_year=FiscalYear(2016),
        amount=Decimal("800"),
    )

    result = import_file(PartnerResource, csv_bytes(HEADER, "MRC de Portneuf,,2016-2017,,"))

    assert result.error_messages() == []
    assert result.totals["skip"] == 1
    partnership.refresh_from_db()
    assert (partnership.amount, partnership.organisation.website) == (Decimal("800"), "https://www.portneuf.ca")

    preview = import_file(PartnerResource, csv_bytes(HEADER, "MRC de Portneuf,,2016-2017,(vide),(vide)"), dry_run=True)

    [row] = preview.preview_rows
    assert [change.text() for change in row.changes] == [
        "Site Web\u00a0: https://www.portneuf.ca \u2192 (vide)",
        "Montant\u00a0: 800 \u2192 (vide)",
    ]
    partnership.refresh_from_db()
    assert partnership.amount == Decimal("800")


def test_a_partner_website_without_its_scheme_is_read_as_https(db):
    result = import_file(PartnerResource, csv_bytes(HEADER, "Deux Rives,officiel,2016-2017,deuxrives.coop,"))

    assert result.error_messages() == []
    assert Organisation.objects.get().website == "https://deuxrives.coop"
