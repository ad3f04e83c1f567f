"""Fuzzed spreadsheets through the import's entry point (``read_dataset`` + ``import_data``).

Whatever the cells hold — any text, unicode, empty cells, huge numbers, ``;`` and ``=``,
dates and formulas — an import must never raise, and must save all of the file or none
of it: every table keeps its row count, or every row of the file is in the database.
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from import_export.formats.base_formats import CSV, XLSX
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from activities.models import Activity
from activities.resources import ActivityResource
from activities.tests.factories import ObjectiveFactory
from members.models import Member
from members.resources import MemberResource
from members.tests.factories import MemberFactory, TerritoryFactory
from partners.models import Partnership
from partners.resources import PartnerResource
from partners.tests.factories import OrganisationFactory
from pole.backups import row_counts
from pole.spreadsheets.cells import SpreadsheetError, cell_text, fold
from pole.spreadsheets.readers import read_dataset
from pole.tests.spreadsheet_helpers import csv_bytes

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Cells that have broken spreadsheet imports elsewhere, beside hypothesis's random text.
TRICKY = [
    "",
    " ",
    ";",
    ";;",
    "a;;b",
    "=",
    "==",
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+33",
    "-1",
    "@SUM(A1)",
    "0",
    "00",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "9" * 40,
    "-" + "9" * 40,
    "1 650",
    "15 000,50 $",
    "0,001",
    "2016-02-30",
    "2016-13-01",
    "0000-01-01",
    "9999-12-31",
    "2016-04-13T10:00",
    "2016-2017",
    "2016-2016",
    "1800-1801",
    "x" * 300,
    "é" * 201,
    "Québec",
    "QUEBEC",
    "\u202f",
    "\u00a0",
    "\ufeff",
    "ﬁ",
    "İ",
    "😀",
    "a=b=c",
    "exemple.org",
    "javascript:alert(1)",
    "=23",
    "acheteurs=",
    "\t",
    "a\x00b",
    "\x00",
    "\x08",
    "\x1b[31m",
    '"',
    "'",
    "\r\n",
]


def junk():
    return st.one_of(
        st.sampled_from(TRICKY),
        st.text(max_size=30),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats().map(str),
        st.dates().map(datetime.date.isoformat),
    )


def rows_of(columns):
    """Rows whose cells are all valid spellings of their column, or any of them junk.

    ``columns`` maps a column to its valid spellings (a list) or to a strategy of its own.
    """

    def valid(spec):
        return st.sampled_from(spec) if isinstance(spec, list) else spec

    clean = st.fixed_dictionaries({name: valid(spec) for name, spec in columns.items()})
    dirty = st.fixed_dictionaries({name: st.one_of(valid(spec), junk()) for name, spec in columns.items()})
    return st.one_of(clean, dirty)


MEMBER_ROW = rows_of(
    {
        "nom": st.one_of(
            st.sampled_from(["Coop A", "coop a", "Mutuelle Ô", "Existante"]), st.text(min_size=1, max_size=60)
        ),
        "forme_juridique": ["coopérative", "COOPERATIVE", "obnl", "mutuelle", "société", "association", ""],
        "categorie": ["régulier", "regroupement", "ambassadeur", "fournisseur"],
        "annee_fondation": ["1987", "2016", "", "1800", "2999"],
        "territoire": ["Québec", "quebec", "Portneuf", ""],
        "milieu": ["urbain", "RURAL", ""],
        "secteur": st.text(max_size=40),
        "courriel": ["info@exemple.org", ""],
        "telephone": ["418 555-1234", ""],
        "site_web": ["https://exemple.org", ""],
        "adresse": st.text(max_size=60),
        "adhesions": ["2015-2016;2016-2017", "2016-2017", "", "2016-2017;;2016-2017"],
    }
)

ACTIVITY_ROW = rows_of(
    {
        "date": st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2030, 12, 31)).map(
            datetime.date.isoformat
        ),
        "date_fin": ["", "2030-12-31"],
        "titre": st.one_of(st.sampled_from(["Formation", "formation", "Rencontre"]), st.text(min_size=1, max_size=60)),
        "objectifs": ["Renforcer les compétences", "renforcer les competences;Concertation et collaboration", ""],
        "territoire": ["Québec", "portneuf", ""],
        "lieu": st.text(max_size=40),
        "role": ["réalisation", "co-réalisation", "coréalisation", "représentation"],
        "participants": ["35", "0", "", "1 650"],
        "mesures": ["acheteurs institutionnels=23", "a=1;b=2", "", "x = 0"],
        "partenaires": ["ECPAR", "Nouvelle organisation;ecpar", "", "Œuvre; œuvre"],
    }
)

PARTNER_ROW = rows_of(
    {
        "nom": st.one_of(st.sampled_from(["Ville de Québec", "ville de quebec", "Desjardins"]), st.text(max_size=60)),
        "categorie": ["ambassadeur", "public", "partenaire officiel", "fournisseur"],
        "exercice": ["2016-2017", "2015-2016", "1999-2000"],
        "site_web": ["https://exemple.org", ""],
        "montant": ["15000", "15 000,50 $", "", "2500.5", "0"],
    }
)


@pytest.fixture
def world(db):
    """The names the rows refer to, and one existing row per key to update."""
    quebec = TerritoryFactory(name="Québec")
    TerritoryFactory(name="Portneuf")
    ObjectiveFactory(name="Renforcer les compétences", order=1)
    ObjectiveFactory(name="Concertation et collaboration", order=2)
    OrganisationFactory(name="Espace québécois de concertation (ECPAR)")
    OrganisationFactory(name="ECPAR")
    OrganisationFactory(name="Ville de Québec")
    MemberFactory(name="Existante", territory=quebec, fiscal_years=[2016])


def as_csv(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(headers, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def xlsx_cell(value):
    """XLSX cells also hold numbers and dates; control characters cannot be written at all."""
    return st.one_of(
        st.just(ILLEGAL_CHARACTERS_RE.sub("", value)),
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(allow_nan=False, allow_infinity=False),
        st.dates(min_value=datetime.date(1900, 3, 1)),
        st.datetimes(min_value=datetime.datetime(1900, 3, 1)),
        st.booleans(),
        st.none(),
    )


def import_and_check(resource_class, data, file_format, dry_run, saved_rows):
    """Import ``data`` as the admin and the command do; check it is all or nothing.

    ``saved_rows(rows)`` returns how many of the file's (non-blank) rows are in the database.
    """
    with transaction.atomic():
        before = row_counts()
        try:
            dataset = read_dataset(file_format, data)
        except SpreadsheetError:
            transaction.set_rollback(True)
            if currently_in_test_context():
                event("unreadable")
            return "unreadable"
        rows = [dict(zip(dataset.headers or [], values)) for values in dataset]
        result = resource_class().import_data(dataset, dry_run=dry_run, use_transactions=True)
        after = row_counts()
        failed = bool(result.base_errors or result.has_errors() or result.has_validation_errors())
        # Every refusal is a reason for the user (a bad column or cell), never an exception
        # caught on the way (a database error, a bug).
        assert not result.row_errors(), result.error_messages()
        assert all(isinstance(error.error, SpreadsheetError) for error in result.base_errors), result.error_messages()
        if failed or dry_run:
            assert after == before
        else:
            filled = [row for row in rows if any(cell_text(value) for value in row.values())]
            assert saved_rows(filled) == len(set(map(resource_class().safe_row_key, filled)))
        transaction.set_rollback(True)
    outcome = "failed" if failed else "saved"
    if currently_in_test_context():
        event(outcome)
    return outcome


def members_saved(rows):
    names = {fold(member.name) for member in Member.objects.all()}
    return len({fold(row["nom"]) for row in rows if fold(row["nom"]) in names})


def activities_saved(rows):
    keys = {(activity.start_date, fold(activity.title)) for activity in Activity.objects.all()}
    resource = ActivityResource()
    return len({resource.safe_row_key(row) for row in rows} & keys)


def partnerships_saved(rows):
    keys = {(fold(p.organisation.name), p.fiscal_year) for p in Partnership.objects.select_related("organisation")}
    resource = PartnerResource()
    return len({resource.safe_row_key(row) for row in rows} & keys)


CASES = {
    "members": (MemberResource, MEMBER_ROW, members_saved),
    "activities": (ActivityResource, ACTIVITY_ROW, activities_saved),
    "partners": (PartnerResource, PARTNER_ROW, partnerships_saved),
}


@pytest.mark.parametrize("name", CASES)
@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_csv_import_is_all_or_nothing_and_never_raises(world, name, data, dry_run):
    resource_class, row_strategy, saved_rows = CASES[name]
    rows = data.draw(st.lists(row_strategy, min_size=1, max_size=4))
    headers = resource_class.columns()
    try:
        content = as_csv(headers, [[row[column] for column in headers] for row in rows])
    except csv.Error:
        reject()
    import_and_check(resource_class, content, CSV(encoding="utf-8-sig"), dry_run, saved_rows)


@pytest.mark.parametrize("name", CASES)
@FUZZ
@given(data=st.data())
def test_xlsx_import_is_all_or_nothing_and_never_raises(world, name, data):
    resource_class, row_strategy, saved_rows = CASES[name]
    rows = data.draw(st.lists(row_strategy, min_size=1, max_size=4))
    headers = resource_class.columns()
    cells = [[data.draw(xlsx_cell(row[column])) for column in headers] for row in rows]
    import_and_check(resource_class, as_xlsx(headers, cells), XLSX(), False, saved_rows)


@pytest.mark.parametrize("name", CASES)
@FUZZ
@given(
    lines=st.lists(
        st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=20)), max_size=14).map(",".join),
        max_size=5,
    ),
    header=st.booleans(),
)
def test_arbitrary_csv_text_never_raises(world, name, lines, header):
    """Lines of any shape: too many or too few cells, no header, stray quotes and separators."""
    resource_class, _row, saved_rows = CASES[name]
    if header:
        lines = [",".join(resource_class.columns()), *lines]
    content = ("\r\n".join(lines)).encode("utf-8", errors="surrogatepass")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        reject()
    import_and_check(resource_class, content, CSV(encoding="utf-8-sig"), False, saved_rows)


@pytest.mark.parametrize("name", CASES)
@FUZZ
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_are_refused_cleanly(world, name, content):
    resource_class, _row, saved_rows = CASES[name]
    for file_format in (CSV(encoding="utf-8-sig"), XLSX()):
        import_and_check(resource_class, content, file_format, False, saved_rows)


def test_a_valid_fuzz_row_is_saved(world):
    """The check above does see saved files: a plain valid row goes through it as « saved »."""
    content = csv_bytes(
        ",".join(MemberResource.columns()),
        "Coop A,coopérative,régulier,1987,Québec,urbain,,,,,,2016-2017",
    )
    outcome = import_and_check(MemberResource, content, CSV(encoding="utf-8-sig"), False, members_saved)
    assert outcome == "saved"


@pytest.mark.parametrize(
    "name, line, column, character",
    [
        ("members", "Coop\x00 A,coopérative,régulier,1987,Québec,urbain,,,,,,2016-2017", "nom", "U+0000"),
        ("activities", "2016-04-13,,Formation,,Québec,Li\x00eu,réalisation,35,,", "lieu", "U+0000"),
        ("activities", "2016-04-13,,Formation,,Québec,,réalisation,35,,EC\x00PAR", "partenaires", "U+0000"),
        ("partners", "Desjardins,public,2016-2017,,15000\x08", "montant", "U+0008"),
    ],
)
def test_a_control_character_in_a_cell_is_refused_with_its_line_and_column(world, name, line, column, character):
    """Found by fuzzing: PostgreSQL failed on NUL with its own English error, SQLite stored it."""
    resource_class, _row, _saved = CASES[name]
    before = row_counts()
    content = csv_bytes(",".join(resource_class.columns()), line)
    result = import_file_as_command(resource_class, content)
    assert result.error_messages() == [
        f"Ligne 2, colonne {column}\u00a0: Ce texte contient un caractère de contrôle invisible ({character})\u00a0; retirez-le."
    ]
    assert row_counts() == before


def test_a_line_break_is_refused_in_a_one_line_column_and_kept_in_an_address(world):
    """The import follows the forms: a title holds one line, an address several."""
    header = ",".join(MemberResource.columns())
    refused = import_file_as_command(
        MemberResource, csv_bytes(header, '"Coop\nA",coopérative,régulier,1987,Québec,urbain,,,,,,2016-2017')
    )
    assert refused.error_messages() == [
        "Ligne 2, colonne nom\u00a0: Ce champ doit tenir sur une seule ligne\u00a0: retirez-en les tabulations et les sauts de ligne."
    ]
    saved = import_file_as_command(
        MemberResource,
        csv_bytes(header, 'Coop A,coopérative,régulier,1987,Québec,urbain,,,,,"1, rue\nQuébec",2016-2017'),
    )
    assert not saved.has_errors() and not saved.has_validation_errors()
    assert Member.objects.get(name="Coop A").address == "1, rue\nQuébec"


def import_file_as_command(resource_class, content):
    return resource_class().import_data(read_dataset(CSV(encoding="utf-8-sig"), content), use_transactions=True)
