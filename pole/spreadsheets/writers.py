"""The one writer of the spreadsheet files the app hands out that are not a resource's round trip.

Every CSV and XLSX file goes out safe to open in a spreadsheet program: a text cell a program
would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
is written behind a ``'``, control characters are left out, and XLSX text is written as text.
The resources' exports (members, activities, partners) do the same through
``SpreadsheetResource.export_resource`` and the formats of ``readers``; the other files (the
good-standing list, an event's registrants) come here. ``tests/test_one_spreadsheet_writer.py``
fails on any CSV or XLSX written elsewhere.
"""

import tablib

from pole.spreadsheets.cells import export_cell
from pole.spreadsheets.readers import SpreadsheetCSV, SpreadsheetXLSX

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_file(headers, rows, *, extension):
    """Return the bytes of a CSV (UTF-8 with a byte order mark) or XLSX file of ``rows`` under ``headers``."""
    dataset = tablib.Dataset(
        *[[export_cell(value, text_column=True) for value in row] for row in rows],
        headers=[export_cell(str(header), text_column=True) for header in headers],
    )
    if extension == "xlsx":
        return SpreadsheetXLSX().export_data(dataset)
    if extension == "csv":
        # The byte order mark makes spreadsheet programs read the accents as UTF-8.
        return ("\ufeff" + SpreadsheetCSV().export_data(dataset)).encode("utf-8")
    raise ValueError(f"unknown spreadsheet extension {extension!r}")


def spreadsheet_response(headers, rows, *, extension, filename):
    """Return ``spreadsheet_file`` as a download named ``filename``."""
    from django.http import HttpResponse

    response = HttpResponse(spreadsheet_file(headers, rows, extension=extension), content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
