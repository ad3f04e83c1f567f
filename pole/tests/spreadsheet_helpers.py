"""Helpers for the spreadsheet tests: build files, import them, export them."""

import io

import openpyxl
from import_export.formats.base_formats import CSV

from pole.spreadsheets.readers import read_dataset


def csv_bytes(*lines):
    """Return a UTF-8 CSV file from its lines (``lines[0]`` holds the column names)."""
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows):
    """Return an XLSX file holding ``rows`` (lists of cells) on its first sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_file(resource_class, data, *, file_format=None, dry_run=False):
    """Import ``data`` (bytes) as the admin and the command do; return the result."""
    file_format = file_format or CSV(encoding="utf-8-sig")
    return resource_class().import_data(read_dataset(file_format, data), dry_run=dry_run)


def export_file(resource_class, file_format=None):
    """Return every row of ``resource_class`` exported as bytes (CSV unless told)."""
    file_format = file_format or CSV()
    exported = file_format.export_data(resource_class().export())
    return exported if isinstance(exported, bytes) else exported.encode("utf-8")


def export_lines(resource_class):
    return export_file(resource_class).decode("utf-8").splitlines()
