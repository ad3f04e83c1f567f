"""Reading and writing spreadsheet files: CSV (UTF-8) and XLSX, with the limits of one
upload; XLSX text is always written as text, never as a formula."""

import csv
import io

import openpyxl
import tablib
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pole.control_characters import strip_control_characters
from pole.formatting import format_file_size
from pole.spreadsheets.cells import SpreadsheetError, cell_text

# Limits of one upload, so that an import ends well within the web server's timeout.


def max_import_rows():
    return settings.POLE_IMPORT_MAX_ROWS


def max_import_bytes():
    return settings.POLE_IMPORT_MAX_BYTES


def check_upload_size(size):
    """Raise SpreadsheetError when a file of ``size`` bytes is larger than an import accepts."""
    limit = max_import_bytes()
    if size > limit:
        raise SpreadsheetError(
            # Not the file's own size: a file just over the limit, or one read from standard input
            # (up to the limit and one byte), would read « 10,0 Mio, more than 10,0 Mio ».
            _("This file is larger than the {limit} an import accepts: split it into smaller files.").format(
                limit=format_file_size(limit)
            )
        )


def too_many_rows():
    limit = number_format(max_import_rows(), force_grouping=True)
    return SpreadsheetError(
        _(
            "This file has more than {limit} rows, more than an import accepts: split it into files of {limit} rows "
            "at most."
        ).format(limit=limit)
    )


def read_dataset(file_format, data):
    """Read uploaded bytes (or text) with ``file_format``; raise SpreadsheetError in French.

    A file larger than ``POLE_IMPORT_MAX_BYTES``, or with more rows than
    ``POLE_IMPORT_MAX_ROWS``, is refused before it is read whole.
    """
    check_upload_size(len(data.encode() if isinstance(data, str) else data))
    try:
        if isinstance(data, bytes) and not file_format.is_binary():
            data = data.decode(file_format.encoding or "utf-8-sig")
        if isinstance(file_format, CSV):
            return read_csv(data)
        if isinstance(file_format, XLSX):
            return read_xlsx(data)
        return file_format.create_dataset(data)
    except SpreadsheetError:
        raise
    except Exception as error:
        # A damaged or mislabelled file fails deep inside csv, openpyxl or
        # tablib with many kinds of exceptions; the user needs one sentence.
        raise SpreadsheetError(read_failure_message(file_format)) from error


def read_failure_message(file_format):
    return _(
        "This file could not be read as {format}. Check that it is a CSV (UTF-8) or XLSX file "
        "and that the chosen format matches it."
    ).format(format=type(file_format).__name__.removeprefix("Spreadsheet"))


def is_blank(row):
    return all(cell_text(cell) == "" for cell in row)


def read_csv(text):
    """Read CSV text into a dataset, reporting the lines with too many cells.

    Blank lines are kept (as empty rows, skipped by the import) so that row
    numbers stay lines of the file. A file saved by a French-language
    spreadsheet program separates cells with ``;``; its first line tells.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = next(reader, None)
    if headers is None:
        return tablib.Dataset()
    width, limit, filled = len(headers), max_import_rows(), 0
    data, problems = [], []
    for line, row in enumerate(reader, start=2):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(
                _(
                    "Line {line} has {count} cells for {width} columns: put a text holding a comma "
                    "between double quotes."
                ).format(line=line, count=len(row), width=width)
            )
        if not is_blank(row):
            filled += 1
            if filled > limit:
                raise too_many_rows()
        data.append((row + [""] * width)[:width])
    if problems:
        raise SpreadsheetError(" ".join(problems))
    return tablib.Dataset(*data, headers=headers)


def read_xlsx(data):
    """Read the first sheet of an XLSX file into a dataset, its cells' values (not formulas).

    The sheet is read row by row and no further than the row limit: a file of 10 MB can
    hold far more cells than that. A filled cell right of the last named column is
    refused with its line, as a CSV line with too many cells is: nothing is dropped
    unseen. Blank rows between rows are kept, as in a CSV file, so that row numbers stay
    lines of the sheet; blank rows at its end are dropped.
    """
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.active
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
        if first is None:
            return tablib.Dataset()
        first = list(first)
        while first and first[-1] in (None, ""):
            first.pop()
        width, limit, filled = len(first), max_import_rows(), 0
        data_rows, blanks, problems = [], [], []
        for line, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = list(cells)
            beyond = [index for index, cell in enumerate(cells[width:], start=width + 1) if cell_text(cell)]
            if beyond:
                problems.append(
                    _("Line {line} has a value in column {column}, which has no name in the first line.").format(
                        line=line, column=beyond[0]
                    )
                )
            row = (cells + [None] * width)[:width]
            if is_blank(row):
                blanks.append(row)
                continue
            filled += 1
            if filled > limit:
                raise too_many_rows()
            data_rows.extend(blanks)
            blanks = []
            data_rows.append(row)
        if problems:
            raise SpreadsheetError(" ".join(problems))
        return tablib.Dataset(*data_rows, headers=first)
    finally:
        book.close()


class SpreadsheetCSV(CSV):
    """CSV read by ``read_csv``: blank lines kept, precise errors, ``;`` accepted as separator."""

    def create_dataset(self, in_stream, **kwargs):
        check_upload_size(len(in_stream.encode() if isinstance(in_stream, str) else in_stream))
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        return read_csv(in_stream)


class SpreadsheetXLSX(XLSX):
    """XLSX read by ``read_xlsx`` and written with every text as text, never as a formula."""

    def create_dataset(self, in_stream, **kwargs):
        check_upload_size(len(in_stream))
        return read_xlsx(in_stream)

    def export_data(self, dataset, **kwargs):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = (dataset.title or "Feuille 1")[:31]
        bold = Font(bold=True)
        widths = [len(str(header)) for header in dataset.headers or []]
        for column, header in enumerate(dataset.headers or [], start=1):
            cell = sheet.cell(row=1, column=column)
            write_cell(cell, str(header))
            cell.font = bold
        for line, row in enumerate(dataset, start=2):
            for column, value in enumerate(row, start=1):
                write_cell(sheet.cell(row=line, column=column), value)
                if column <= len(widths):
                    widths[column - 1] = max(widths[column - 1], len(str(value)))
        sheet.freeze_panes = "A2"
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 60)
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()


def write_cell(cell, value):
    """Write ``value`` to an openpyxl cell: text as text (type ``s``), whatever its first character."""
    if value == "":
        cell.value = None
    elif isinstance(value, str):
        # openpyxl takes a text beginning with « = » for a formula: say it is text. What XML cannot
        # hold (control characters) was left out already; this is the last guard.
        cell.value = strip_control_characters(value)
        cell.data_type = "s"
    else:
        cell.value = value


def spreadsheet_format(file_format):
    """Return ``file_format`` as this module's own CSV or XLSX class (text as text, limits), else as it is."""
    if isinstance(file_format, (SpreadsheetCSV, SpreadsheetXLSX)):
        return file_format
    if isinstance(file_format, CSV):
        return SpreadsheetCSV(encoding=file_format.encoding)
    if isinstance(file_format, XLSX):
        return SpreadsheetXLSX()
    return file_format
