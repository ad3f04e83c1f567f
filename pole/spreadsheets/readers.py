"""Reading and writing spreadsheet files: CSV and XLSX, with the limits of one upload; XLSX text
is always written as text, never as a formula.

A CSV file is read in the encoding and with the separator it was saved with: UTF-8 (with or
without a byte order mark), else the encoding of a French spreadsheet program — Windows-1252
(Excel for Windows, « CSV (séparateur : point-virgule) ») or Mac Roman (older Excel for Mac),
whichever reads as French —, cells separated by commas, semicolons or tabs. The dataset says
what was read (``dataset.reading``), for the import's preview.
"""

import codecs
import csv
import io
from dataclasses import dataclass

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

    A CSV format without an encoding (``encoding=None``) detects the file's (``decode_csv``);
    one given is used as it is. A file larger than ``POLE_IMPORT_MAX_BYTES``, or with more
    rows than ``POLE_IMPORT_MAX_ROWS``, is refused before it is read whole.
    """
    check_upload_size(len(data.encode() if isinstance(data, str) else data))
    try:
        if isinstance(file_format, CSV):
            return read_csv_data(data, encoding=file_format.encoding)
        if isinstance(data, bytes) and not file_format.is_binary():
            data = data.decode(file_format.encoding or "utf-8-sig")
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
        "This file could not be read as {format}. Save it from the spreadsheet program as « CSV UTF-8 », "
        "« CSV (séparateur : point-virgule) » or XLSX, and check that the chosen format matches it."
    ).format(format=type(file_format).__name__.removeprefix("Spreadsheet"))


# --- What a CSV file holds: its encoding and separator ---------------------------------------

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252",
    "mac_roman": "Mac Roman",
}
SEPARATORS = (",", ";", "\t")
FRENCH_LOWER = set("àâäçéèêëîïôöùûüÿœæ")
FRENCH_UPPER = set("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
# Punctuation French text carries beyond ASCII: apostrophe and quotes, guillemets, dashes, no-break space…
FRENCH_MARKS = set("’‘“”«»–—…\u00a0€°")
# Control characters no text file holds (a tab and line breaks aside): bytes read in the wrong encoding.
UNLIKELY_IN_TEXT = {chr(code) for code in range(32) if chr(code) not in "\t\n\r"} | {"\x7f"}


@dataclass(frozen=True)
class CsvReading:
    """How a CSV file was read: its encoding (a codec name) and its cell separator."""

    encoding: str
    separator: str

    @property
    def encoding_name(self):
        return ENCODING_NAMES.get(self.encoding, self.encoding)

    @property
    def separator_name(self):
        return {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}[self.separator]

    def describe(self):
        """« File read as CSV in Windows-1252, cells separated by semicolons. »"""
        return _("File read as CSV in {encoding}, cells separated by {separator}.").format(
            encoding=self.encoding_name, separator=self.separator_name
        )


@dataclass(frozen=True)
class XlsxReading:
    """Which sheet of an XLSX workbook was read (the one open when it was saved)."""

    sheet: str

    def describe(self):
        return _("File read as XLSX: the sheet « {sheet} ».").format(sheet=self.sheet)


def french_score(text):
    """How French the text's non-ASCII characters look: + for accented letters and French marks where
    they belong, − for anything else (« CoopÈrative » is Windows-1252 read as Mac Roman)."""
    score, previous = 0, ""
    for character in text:
        if ord(character) >= 128:
            if character in FRENCH_LOWER or character in FRENCH_MARKS:
                score += 1
            elif character in FRENCH_UPPER and not previous.islower():
                score += 1
            else:
                score -= 1
        previous = character
    return score


def decode_csv(data, encoding=None):
    """Return (text, codec) of a CSV file's bytes; raise UnicodeDecodeError if it reads as no text.

    With ``encoding``, that one. Otherwise UTF-8 when the bytes are UTF-8 (a byte order mark
    dropped), else Windows-1252 or Mac Roman, the one whose accents read as French (Windows-1252
    when both do alike). Bytes holding control characters in every reading are no text file.
    """
    if encoding:
        return data.decode(encoding).lstrip("\ufeff"), encoding
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        failure = error
    readings = []
    for codec in ("cp1252", "mac_roman"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not UNLIKELY_IN_TEXT.intersection(text):
            readings.append((french_score(text), codec == "cp1252", text, codec))
    if not readings:
        raise failure
    _score, _preferred, text, codec = max(readings)
    return text, codec


def detect_separator(first_line):
    """The separator that splits the column names' line into the most cells (commas on a tie)."""
    counts = {separator: len(next(csv.reader([first_line], delimiter=separator), [])) for separator in SEPARATORS}
    return max(SEPARATORS, key=lambda separator: (counts[separator], separator == ","))


def read_csv_data(data, encoding=None):
    """Read a CSV file's bytes (or text) into a dataset; ``dataset.reading`` says how it was read."""
    if isinstance(data, bytes):
        text, codec = decode_csv(data, encoding)
    else:
        text, codec = data, "utf-8"
    return read_csv(text, encoding=codec)


def is_blank(row):
    return all(cell_text(cell) == "" for cell in row)


def read_csv(text, encoding="utf-8"):
    """Read CSV text into a dataset, reporting the lines with too many cells.

    Blank lines are kept (as empty rows, skipped by the import) so that row
    numbers stay lines of the file. A file saved by a French-language
    spreadsheet program separates cells with ``;``; its first line tells
    (``detect_separator``). The dataset's ``reading`` records the file's
    ``encoding`` (as decoded by the caller) and the separator.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = detect_separator(first_line)
    reading = CsvReading(encoding, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = next(reader, None)
    if headers is None:
        dataset = tablib.Dataset()
        dataset.reading = reading
        return dataset
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
    dataset = tablib.Dataset(*data, headers=headers)
    dataset.reading = reading
    return dataset


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
        dataset = tablib.Dataset(*data_rows, headers=first)
        dataset.reading = XlsxReading(sheet.title)
        return dataset
    finally:
        book.close()


class SpreadsheetCSV(CSV):
    """CSV read by ``read_csv``: its encoding and separator detected, blank lines kept, precise errors.

    The file is read as bytes (``get_read_mode``), so that its encoding is told from its content
    rather than assumed; an ``encoding`` given is used as it is.
    """

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        check_upload_size(len(in_stream.encode() if isinstance(in_stream, str) else in_stream))
        return read_csv_data(in_stream, encoding=self.encoding)


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
