"""Every CSV and XLSX file the app writes goes through one safe writer (pole/spreadsheets/).

A text cell beginning with ``=``, ``+``, ``-`` or ``@`` is a formula to a spreadsheet program:
the good-standing CSV wrote member names raw. The test reads the code (not the tests, not the
migrations) and lists any CSV or XLSX written by another way than ``pole.spreadsheets``:
``csv.writer``, ``csv.DictWriter``, ``openpyxl.Workbook``, or a tablib ``.export("csv")``.
Then it opens the two files written apart from the resources with a formula for a name.
"""

import ast
import datetime
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["pole", "members", "partners", "activities", "reports", "backoffice", "demo", "performance"]
THE_WRITERS = ROOT / "pole" / "spreadsheets"
WRITERS = {"writer", "DictWriter", "Workbook"}
FORMULA = "=HYPERLINK(\"http://exemple.org\",\"cliquez\")"


def writing_calls(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
        exported = name in {"export", "export_set"} and any(
            isinstance(arg, ast.Constant) and arg.value in {"csv", "xlsx", "xls", "tsv"} for arg in node.args
        )
        if name in WRITERS or exported:
            yield f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}"


def test_no_code_writes_a_spreadsheet_but_the_one_writer():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts or THE_WRITERS in path.parents:
                continue
            found.extend(writing_calls(path))
    assert found == []


def test_the_check_finds_a_raw_csv_writer(tmp_path):
    sample = ROOT / "pole" / "_sample_writer_for_test.py"
    try:
        sample.write_text("import csv\ncsv.writer(open('x', 'w')).writerow(['=1+1'])\n", encoding="utf-8")
        assert [line.split(": ", 1)[1] for line in writing_calls(sample)] == ["csv.writer(open('x', 'w'))"]
    finally:
        sample.unlink()


@pytest.mark.django_db
def test_the_good_standing_csv_writes_a_formula_name_as_text(direction_client):
    from members.tests.factories import MemberFactory, MembershipFactory

    MembershipFactory(member=MemberFactory(name=FORMULA, territory=None), fiscal_year=2017,
                      paid_on=datetime.date(2017, 4, 10))

    response = direction_client.get(
        reverse("admin:members_membership_good_standing"), {"exercice": "2017-2018", "format": "csv"}
    )

    line = response.content.decode("utf-8-sig").splitlines()[1]
    assert line.startswith("\"'=HYPERLINK(\"\"http://exemple.org\"\",\"\"cliquez\"\")\",")


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_events_registrants_file_writes_a_formula_name_as_text(personnel_client, extension):
    import io

    import openpyxl

    from activities.tests.factories import RegistrationFactory

    registration = RegistrationFactory(name="@SUM(A1:A9)", organisation="+33 coop")

    response = personnel_client.get(
        reverse(f"activities:export-{extension}", args=[registration.activity_id])
    )

    if extension == "csv":
        row = response.content.decode("utf-8-sig").splitlines()[1]
        assert ",'@SUM(A1:A9)," in row and ",'+33 coop," in row
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
        by_value = {cell.value: cell.data_type for cell in cells}
        assert by_value["'@SUM(A1:A9)"] == "s" and by_value["'+33 coop"] == "s"
