"""CSV files as spreadsheet programs save them: read in their encoding and with their separator,
and the preview says which (pole/spreadsheets/readers.py)."""

import codecs
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from members.models import Member
from members.tests.factories import TerritoryFactory
from pole.spreadsheets.cells import SpreadsheetError
from pole.spreadsheets.readers import SpreadsheetCSV, decode_csv, detect_separator, read_dataset

MEMBER_HEADER = [
    "nom", "forme_juridique", "categorie", "annee_fondation", "territoire", "milieu", "secteur", "courriel",
    "telephone", "site_web", "adresse", "adhesions",
]
ROWS = [
    [
        "Coopérative de l’Île-d’Orléans", "coopérative", "régulier", "1998", "Québec", "rural", "Agroalimentaire",
        "info@ile.coop", "418 555-0134", "https://www.ile.coop", "« La Grange », 12 chemin Royal", "2016-2017",
    ],
    ["Société d’entraide Économie", "association", "régulier", "", "Québec", "urbain", "", "", "", "", "", "2016-2017"],
]


def excel_french_csv(encoding="cp1252", separator=";"):
    """A members file as a French Excel saves « CSV (séparateur : point-virgule) »: Windows-1252, semicolons, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerows([MEMBER_HEADER, *ROWS])
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def territory(db):
    return TerritoryFactory(name="Québec")


# --- Reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "codec", "expected"),
    [
        ("Coopérative « Île » d’Orléans".encode(), "utf-8", "Coopérative « Île » d’Orléans"),
        (codecs.BOM_UTF8 + "Coopérative".encode(), "utf-8-sig", "Coopérative"),
        ("Coopérative « Île » d’Orléans".encode("cp1252"), "cp1252", "Coopérative « Île » d’Orléans"),
        ("Coopérative « Île » d’Orléans".encode("mac_roman"), "mac_roman", "Coopérative « Île » d’Orléans"),
        ("ÉCOLE ÉTÉ".encode("cp1252"), "cp1252", "ÉCOLE ÉTÉ"),
        (b"plain ascii", "utf-8", "plain ascii"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "mac roman", "capitals", "ascii"],
)
def test_the_encoding_is_told_from_the_bytes(data, codec, expected):
    assert decode_csv(data) == (expected, codec)


def test_bytes_that_read_as_no_text_are_refused():
    with pytest.raises(UnicodeDecodeError):
        decode_csv(b"\xff\xfe\x00\x81")
    with pytest.raises(SpreadsheetError, match="Ce fichier n’a pas pu être lu comme CSV"):
        read_dataset(SpreadsheetCSV(), b"\xff\xfe\x00\x81")


def test_an_encoding_given_is_used_as_it_is():
    text = "Coopérative".encode("cp1252")
    assert decode_csv(text, "latin-1") == ("Coopérative", "latin-1")
    with pytest.raises(UnicodeDecodeError):
        decode_csv(text, "utf-8")


@pytest.mark.parametrize(
    ("first_line", "separator"),
    [
        ("nom;forme_juridique;categorie", ";"),
        ("nom,forme_juridique,categorie", ","),
        ("nom\tforme_juridique\tcategorie", "\t"),
        ('"nom, le vrai";forme_juridique;categorie', ";"),
        ("nom;forme,juridique;categorie", ";"),
        ("nom", ","),
    ],
)
def test_the_separator_is_the_one_splitting_the_column_names(first_line, separator):
    assert detect_separator(first_line) == separator


def test_a_french_excel_csv_is_read_with_its_accents_and_says_how(territory):
    dataset = read_dataset(SpreadsheetCSV(), excel_french_csv())
    assert dataset.headers[0] == "nom" and dataset.headers[-1] == "adhesions"
    assert dataset[0][0] == "Coopérative de l’Île-d’Orléans"
    assert dataset[0][10] == "« La Grange », 12 chemin Royal"
    assert dataset.reading.describe() == (
        "Fichier lu comme CSV en Windows-1252, cellules séparées par des points-virgules."
    )
    utf8 = read_dataset(SpreadsheetCSV(), excel_french_csv("utf-8-sig", ","))
    assert utf8.reading.describe() == "Fichier lu comme CSV en UTF-8, cellules séparées par des virgules."
    assert utf8[0][0] == "Coopérative de l’Île-d’Orléans"


# --- In the admin: preview, then confirm ------------------------------------------------------


def upload(client, content, name="membres.csv"):
    return client.post(
        reverse("admin:members_member_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile(name, content)},
    )


def test_the_admin_imports_a_windows_1252_file_and_the_preview_says_how_it_read_it(personnel_client, territory):
    response = upload(personnel_client, excel_french_csv())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fichier lu comme CSV en Windows-1252, cellules séparées par des points-virgules." in html
    assert "Coopérative de l’Île-d’Orléans" in html
    confirm = response.context["confirm_form"]
    response = personnel_client.post(
        reverse("admin:members_member_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
        follow=True,
    )
    assert response.status_code == 200
    member = Member.objects.get(name="Coopérative de l’Île-d’Orléans")
    assert member.address == "« La Grange », 12 chemin Royal"
    assert Member.objects.filter(name="Société d’entraide Économie").exists()
    # What comes next, after the counts.
    text = response.content.decode()
    assert "2\u00a0lignes ajoutées" in text and "le tableau de bord compte ce qui leur manque encore pour le rapport annuel" in text


def test_an_xlsx_preview_names_its_sheet(personnel_client, territory):
    from pole.tests.spreadsheet_helpers import xlsx_bytes

    response = personnel_client.post(
        reverse("admin:members_member_import"),
        {
            "resource": "0",
            "format": "1",
            "import_file": SimpleUploadedFile(
                "membres.xlsx", xlsx_bytes([MEMBER_HEADER, ROWS[1]])
            ),
        },
    )
    assert "Fichier lu comme XLSX\u00a0: la feuille" in response.content.decode()


# --- From the command line ----------------------------------------------------------------------


def test_the_import_command_reads_a_windows_1252_file_and_says_how(territory, tmp_path):
    path = tmp_path / "membres.csv"
    path.write_bytes(excel_french_csv())
    stdout = io.StringIO()
    call_command("import", "members.resources.MemberResource", str(path), "--no-input", stdout=stdout)
    assert "Fichier lu comme CSV en Windows-1252, cellules séparées par des points-virgules." in stdout.getvalue()
    assert Member.objects.filter(name="Coopérative de l’Île-d’Orléans").exists()


def test_the_import_command_honours_a_given_encoding(territory, tmp_path):
    path = tmp_path / "membres.csv"
    path.write_bytes(excel_french_csv())
    with pytest.raises(CommandError, match="n’a pas pu être lu comme CSV"):
        call_command(
            "import", "members.resources.MemberResource", str(path), "--no-input", "--encoding", "utf-8",
            stdout=io.StringIO(),
        )
    assert not Member.objects.exists()
