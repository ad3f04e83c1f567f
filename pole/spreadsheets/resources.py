"""Spreadsheet import and export: what the members, activities and partners resources share.

DESIGN.md's spreadsheet contract: CSV (UTF-8) or XLSX files with French column
names, lists inside a cell separated by ``;``, names matched case- and
accent-insensitively, and an all-or-nothing import that reports every bad row
with its line in the file (line 1 holds the column names) and the reason.

The folding of names happens in Python against dictionaries built once per
import, so that SQLite and PostgreSQL match the same way and no row costs a
lookup query.

Exports are safe to open in a spreadsheet program: a text cell that a program would
take for a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is written behind a single quote ``'``, the quote the import takes off again,
and XLSX text is always written as text, never as a formula. Invisible control
characters that older rows may hold are left out of every export.
"""

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

import openpyxl
import tablib
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm, ImportForm
from import_export.instance_loaders import BaseInstanceLoader
from import_export.resources import Diff
from import_export.results import Result, RowResult
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pole.control_characters import ControlCharacterValidator, strip_control_characters
from pole.fiscal_years import FiscalYear
from pole.text import fold as text_fold

LIST_SEPARATOR = ";"
MEASURE_SEPARATOR = "="
#: What makes a spreadsheet program read a cell as a formula (OWASP's « CSV injection »).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Written before such a text, and taken off on import; a text that begins with it gets one more.
FORMULA_ESCAPE = "'"


class SpreadsheetError(Exception):
    """A file that cannot be imported at all; the message is for the user."""


def escape_formula(text):
    """Return a text cell as written to a file: behind a ``'`` if a program could take it for a formula.

    A text beginning with ``'`` gets one too, so that ``unescape_formula`` gives back
    exactly what was exported: ``'=1+1`` is written ``''=1+1``.
    """
    if text.startswith((*FORMULA_TRIGGERS, FORMULA_ESCAPE)):
        return FORMULA_ESCAPE + text
    return text


def unescape_formula(text):
    """Return a text cell as read from a file: one ``'`` taken off when ``escape_formula`` could have put it."""
    if text.startswith(FORMULA_ESCAPE) and text[1:].startswith((*FORMULA_TRIGGERS, FORMULA_ESCAPE)):
        return text[1:]
    return text


def export_cell(value, *, text_column):
    """Return a rendered cell made safe for a file: no control character, no formula."""
    if not isinstance(value, str):
        return value
    value = strip_control_characters(value)
    return escape_formula(value) if text_column else value


def holds_text(field):
    """Tell whether a resource field's column holds text (escaped on export), not a number or a date."""
    return getattr(field.widget, "holds_text", True)


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
                limit=filesizeformat(limit)
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


def fold(value):
    """Return a cell's text reduced for matching (``pole.text.fold``); a number or date cell as the import reads it."""
    if value is None:
        return ""
    return text_fold(value if isinstance(value, str) else cell_text(value))


def cell_text(value):
    """Return a cell's content as stripped text; XLSX cells may hold numbers and dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).strip()


def split_list(value):
    """Return the non-empty items of a ``;``-separated cell."""
    return [item.strip() for item in cell_text(value).split(LIST_SEPARATOR) if item.strip()]


def join_list(items):
    return LIST_SEPARATOR.join(items)


def quoted(items):
    return ", ".join(f"« {item} »" for item in items)


def parse_whole_number(value):
    """Read a count (« 35 », « 1 650 », 35.0 from XLSX); raise ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError(_("« {value} » is not a whole number.").format(value=value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", cell_text(value))
        if not re.fullmatch(r"[-+]?\d+", text):
            raise ValueError(_("« {value} » is not a whole number.").format(value=cell_text(value)))
        number = int(text)
    if number < 0:
        raise ValueError(_("« {value} » is negative; a count is zero or more.").format(value=cell_text(value)))
    return number


class NameIndex:
    """The rows of a queryset by folded name, read once."""

    def __init__(self, queryset, attribute="name"):
        self.attribute = attribute
        self.rows = {}
        for row in queryset:
            self.add(row)

    def add(self, row):
        self.rows.setdefault(fold(getattr(row, self.attribute)), row)

    def get(self, name):
        return self.rows.get(fold(name))

    def names(self):
        return sorted((getattr(row, self.attribute) for row in self.rows.values()), key=fold)


# Widgets: each reads a cell (text from CSV, text or number or date from XLSX),
# writes the value back the way the contract spells it, and describes what it accepts
# for the import page (``describe``). ``holds_text = False`` marks the columns of
# numbers and dates, which an export never escapes.


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A choice written with its French name (« co-réalisation »), read without regard to case or accents."""

    def __init__(self, labels, aliases=None):
        # The names are the file's vocabulary (DESIGN.md), not interface text:
        # they are the same whatever the user's language.
        self.labels = dict(labels)
        self.aliases = dict(aliases or {})
        self.values = {fold(label): value for value, label in self.labels.items()}
        self.values.update({fold(alias): value for alias, value in self.aliases.items()})

    def describe(self):
        text = _("One of: {choices}.").format(choices=", ".join(self.labels.values()))
        if self.aliases:
            also = ", ".join(f"{alias} ({self.labels[value]})" for alias, value in self.aliases.items())
            text += " " + _("Also read: {aliases}.").format(aliases=also)
        return text

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        try:
            return self.values[fold(text)]
        except KeyError:
            raise ValueError(
                _("« {value} » is not one of: {choices}.").format(value=text, choices=", ".join(self.labels.values()))
            ) from None

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class YearWidget(widgets.Widget):
    holds_text = False

    def describe(self):
        return _("A year such as 1987.")

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if not re.fullmatch(r"\d{4}", text) or not 1800 <= int(text) <= 2999:
            raise ValueError(_("« {value} » is not a year such as 1987.").format(value=text))
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class DateWidget(widgets.Widget):
    """A date written AAAA-MM-JJ, or a date cell of XLSX."""

    holds_text = False

    def describe(self):
        return _("A date such as 2016-04-13 (AAAA-MM-JJ).")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            if value.time() != datetime.time():
                raise ValueError(_("« {value} » is not a date such as 2016-04-13.").format(value=value))
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("« {value} » is not a date such as 2016-04-13.").format(value=text)) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.isoformat()


class WholeNumberWidget(widgets.Widget):
    """A count of persons: a whole number, zero or more, or empty when unknown."""

    holds_text = False

    def describe(self):
        return _("A whole number, zero or more; empty when unknown.")

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return None
        return parse_whole_number(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class AmountWidget(widgets.Widget):
    """An amount in dollars (« 15000 », « 15 000,50 $ »), or empty."""

    holds_text = False

    def describe(self):
        return _("An amount in dollars such as 15000 or 15 000,50 $.")

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        plain = re.sub(r"[\s\u00a0\u202f$]", "", text)
        if "," in plain and "." not in plain:
            plain = plain.replace(",", ".")
        try:
            amount = Decimal(plain)
        except InvalidOperation:
            raise ValueError(_("« {value} » is not an amount in dollars such as 15000.").format(value=text)) from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= 10**9:
            raise ValueError(_("« {value} » is not an amount in dollars such as 15000.").format(value=text))
        if amount < 0:
            raise ValueError(_("« {value} » is negative; an amount is zero or more.").format(value=text))
        return amount

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return int(value) if value == value.to_integral_value() else value.quantize(Decimal("0.01"))


class FiscalYearWidget(widgets.Widget):
    holds_text = False

    def describe(self):
        return _("A fiscal year such as 2016-2017.")

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        return parse_fiscal_year(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else FiscalYear.parse(value).label


def parse_fiscal_year(text):
    try:
        return FiscalYear.parse(text)
    except ValueError:
        raise ValueError(_("« {value} » is not a fiscal year such as 2016-2017.").format(value=text)) from None


class NameWidget(widgets.Widget):
    """A related row named in the file (a territory), matched without regard to case or accents."""

    def __init__(self, model, unknown_message, known_message=None):
        self.model = model
        self.unknown_message = unknown_message
        self.known_message = known_message

    def describe(self):
        if self.known_message is None:
            return ""
        return str(self.known_message).format(known=quoted(self.index.names()) or "—")

    @cached_property
    def index(self):
        # Each resource instance holds its own copy of its fields, so the
        # index is read once per import.
        return NameIndex(self.model.objects.all())

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        found = self.index.get(text)
        if found is None:
            raise ValueError(str(self.unknown_message).format(name=text, known=quoted(self.index.names())))
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class FoldedKeyInstanceLoader(BaseInstanceLoader):
    """Find the row's existing instance by its folded key, from a dictionary read once."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances, self.shared = {}, {}
        for instance in resource.get_queryset():
            key = resource.instance_key(instance)
            if key in self.instances:
                # Saved rows whose keys differ only by accents (« Café », « Cafe »): a row of
                # the file cannot tell which one it means.
                self.shared.setdefault(key, [self.instances[key]]).append(instance)
            else:
                self.instances[key] = instance

    def get_instance(self, row):
        key = self.resource.safe_row_key(row)
        if key in self.shared:
            names = quoted(sorted(str(instance) for instance in self.shared[key]))
            raise ValidationError(
                {
                    self.resource.key_columns[0]: _(
                        "Several saved records answer to this key ({names}): rename one in the admin first."
                    ).format(names=names)
                }
            )
        return None if key is None else self.instances.get(key)


class SpreadsheetResult(Result):
    """An import result numbering rows by their line in the file (line 1 holds the column names)."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)
        # The line's cells with their columns, for the error table (in the file's column order).
        self.invalid_rows[-1].cells = [(column, cell_text(value)) for column, value in row.items()]

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)

    def row_errors(self):
        return [(row.number, row.errors) for row in self.error_rows]

    def error_messages(self):
        """Return every problem as one French sentence naming its line, in the order of the file."""
        lines = [(0, str(error.error)) for error in self.base_errors]
        for row in self.invalid_rows:
            for column, problems in row.error_dict.items():
                for problem in problems:
                    if column == NON_FIELD_ERRORS:
                        text = _("Line {line}: {message}").format(line=row.number, message=problem)
                    else:
                        text = _("Line {line}, column {column}: {message}").format(
                            line=row.number, column=column, message=problem
                        )
                    lines.append((row.number, text))
        for number, errors in self.row_errors():
            for error in errors:
                lines.append((number, _("Line {line}: {message}").format(line=number, message=error.error)))
        return [text for _number, text in sorted(lines, key=lambda line: line[0])]

    def summary(self, verbose_name_plural):
        return _("Import finished ({name}): {new} added, {updated} updated, {skipped} unchanged.").format(
            name=verbose_name_plural,
            new=self.totals[RowResult.IMPORT_TYPE_NEW],
            updated=self.totals[RowResult.IMPORT_TYPE_UPDATE],
            skipped=self.totals[RowResult.IMPORT_TYPE_SKIP],
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


class SpreadsheetDiff(Diff):
    """The import preview's row: every column as the export writes it, list columns included.

    The package's ``Diff`` reads each field's attribute, so the columns a resource
    computes (``dehydrate_…``: adhesions, objectives, measures, partners) came out empty.
    """

    def __init__(self, resource, instance, new):
        # ``instance`` is a deep copy of the row's saved instance, made just before; a copy
        # drops the lists prefetched with it, so read the instance itself (not yet changed).
        self.left = self.read_columns(resource, getattr(resource, "loaded_instance", None) or instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = self.read_columns(resource, instance)

    @staticmethod
    def read_columns(resource, instance):
        if instance is None:
            return [""] * len(resource.get_import_fields())
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]


#: The attribute holding a row's list columns as read from the file, until they are saved.
PENDING_LISTS = "_spreadsheet_pending"


def pending_lists(instance):
    """Return the list columns read for ``instance`` by the running import, or None."""
    return getattr(instance, PENDING_LISTS, None)


def spreadsheet_format(file_format):
    """Return ``file_format`` as this module's own CSV or XLSX class (text as text, limits), else as it is."""
    if isinstance(file_format, (SpreadsheetCSV, SpreadsheetXLSX)):
        return file_format
    if isinstance(file_format, CSV):
        return SpreadsheetCSV(encoding=file_format.encoding)
    if isinstance(file_format, XLSX):
        return SpreadsheetXLSX()
    return file_format


class SpreadsheetResource(resources.ModelResource):
    """A resource following DESIGN.md's spreadsheet contract.

    Subclasses declare one field per column, in the contract's order, and
    ``key_columns``; they implement ``row_key`` and ``instance_key`` (the
    folded key) and, for columns that are lists of related rows,
    ``import_related``, ``related_unchanged`` and ``save_related``. For the
    import page they give ``file_stem`` (the French name of their files),
    ``column_rules`` and ``example_row``.
    """

    #: The start of the file names: « membres » gives membres-2026-11-28.csv and modele-membres.xlsx.
    file_stem = "export"
    #: {column: what it holds}, beside what its widget says, on the import page.
    column_rules = {}
    #: Columns that may not be empty though their model field does not say so.
    required_columns = ()

    #: Columns whose values together identify a row of the file.
    key_columns = ()
    #: Relations each row reads, loaded with the rows for export and for the import's lookup.
    related_fields = ()
    related_lists = ()
    #: Whether ``full_clean`` checks the model's constraints against the database (a query
    #: each per row). A resource whose key lookup and ``clean()`` already enforce them says no.
    validate_constraints_in_database = True

    class Meta:
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        instance_loader_class = FoldedKeyInstanceLoader

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pending = {}
        self.duplicate_of = {}

    def get_result_class(self):
        return SpreadsheetResult

    def get_diff_class(self):
        return SpreadsheetDiff

    def get_queryset(self):
        return self.load_related(self._meta.model.objects.all())

    def filter_export(self, queryset, **kwargs):
        queryset = self.load_related(queryset)
        if not queryset.query.order_by:
            # Export pages through prefetched rows, which needs an explicit order: the model's.
            queryset = queryset.order_by(*queryset.model._meta.ordering)
        return queryset

    def load_related(self, queryset):
        if self.related_fields:
            queryset = queryset.select_related(*self.related_fields)
        return queryset.prefetch_related(*self.related_lists)

    @classmethod
    def columns(cls):
        return [cls.fields[name].column_name for name in cls._meta.fields]

    @classmethod
    def text_columns(cls):
        """The columns holding text: escaped on export, unescaped on import."""
        return {cls.fields[name].column_name for name in cls._meta.fields if holds_text(cls.fields[name])}

    # Export

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """Return a row as the file holds it: no control character, no text a program would run."""
        fields = self.get_export_fields(selected_fields)
        return [
            export_cell(self.export_field(field, instance, **kwargs), text_column=holds_text(field)) for field in fields
        ]

    def export_row(self, values):
        """Return ``values`` ({column: value}, rendered) as a row of a file, like ``export_resource``."""
        return [
            export_cell(values.get(self.fields[name].column_name, ""), text_column=holds_text(self.fields[name]))
            for name in self._meta.fields
        ]

    # The import page

    def column_help(self):
        """Return [(column, rule)]: what each column holds and which values it accepts, in French.

        The allowed values come from the widgets (choices, known names read from the
        database), so the page says what the import does.
        """
        model = self._meta.model
        key = " + ".join(self.key_columns)
        rows = []
        for name in self._meta.fields:
            field = self.fields[name]
            column = field.column_name
            parts = []
            if column in self.key_columns:
                parts.append(
                    _(
                        "Key ({key}): a row whose key matches a saved one, ignoring case and accents, updates it."
                    ).format(key=key)
                )
            describe = getattr(field.widget, "describe", None)
            if describe is not None:
                parts.append(describe())
            if column in self.column_rules:
                parts.append(str(self.column_rules[column]))
            model_field = model._meta.get_field(field.attribute) if field.attribute else None
            required = column in self.required_columns or (model_field is not None and not model_field.blank)
            parts.append(_("Required.") if required else _("May be empty."))
            rows.append((column, " ".join(parts)))
        return rows

    def example_row(self):
        """Return {column: value} of one valid row, for the template file."""
        return {}

    # Keys

    # Each resource defines its own key (the import_export metaclass rules out ABCMeta here).

    def row_key(self, row):
        """Return the folded key of a row of the file, or None when it cannot be read."""
        raise NotImplementedError(f"{type(self).__name__} must define row_key()")

    def instance_key(self, instance):
        """Return the folded key of a saved row, comparable with ``row_key``."""
        raise NotImplementedError(f"{type(self).__name__} must define instance_key()")

    def safe_row_key(self, row):
        try:
            key = self.row_key(row)
        except ValueError:
            return None
        if key is None or any(part in (None, "") for part in key):
            return None
        return key

    # The file as a whole

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """Import every row or none: any bad row rolls the whole file back."""
        kwargs["rollback_on_validation_errors"] = True
        try:
            dataset = self.conform_dataset(dataset)
        except SpreadsheetError as error:
            result = self.get_result_class()()
            result.total_rows = len(dataset) if dataset is not None else 0
            self.handle_import_error(result, error, raise_errors)
            return result
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions, **kwargs
        )

    def conform_dataset(self, dataset):
        """Return the dataset with the contract's column names; raise SpreadsheetError if columns are wrong.

        Column names are read without regard to case, accents or spaces (and
        a UTF-8 byte order mark); empty columns without a name are dropped.
        """
        expected = self.columns()
        text_columns = self.text_columns()
        by_folded = {fold(column): column for column in expected}
        headers = list(dataset.headers or [])
        if not headers:
            raise SpreadsheetError(_("The file is empty: its first line must hold the column names."))
        rows = list(dataset)
        keep, names, unknown, repeated = [], [], [], []
        for index, header in enumerate(headers):
            text = cell_text(header).lstrip("\ufeff").strip()
            if not text:
                if any(cell_text(row[index]) for row in rows):
                    unknown.append(_("(column {number} has no name)").format(number=index + 1))
                continue
            column = by_folded.get(fold(text))
            if column is None:
                unknown.append(text)
            elif column in names:
                repeated.append(column)
            else:
                keep.append(index)
                names.append(column)
        missing = [column for column in expected if column not in names]
        problems = []
        if missing:
            problems.append(_("Missing columns: {columns}.").format(columns=", ".join(missing)))
        if unknown:
            problems.append(_("Unknown columns: {columns}.").format(columns=", ".join(unknown)))
        if repeated:
            problems.append(_("Columns given twice: {columns}.").format(columns=", ".join(repeated)))
        if problems:
            problems.append(_("The first line must hold these columns: {columns}.").format(columns=", ".join(expected)))
            raise SpreadsheetError(" ".join(problems))
        # A text an export wrote behind a « ' » (see escape_formula) is read without it.
        escaped = [names[position] in text_columns for position in range(len(keep))]
        return tablib.Dataset(
            *[
                [
                    unescape_formula(row[index]) if text and isinstance(row[index], str) else row[index]
                    for index, text in zip(keep, escaped, strict=True)
                ]
                for row in rows
            ],
            headers=names,
        )

    def before_import(self, dataset, **kwargs):
        """Note the rows repeating an earlier row's key: a file gives each key once."""
        super().before_import(dataset, **kwargs)
        for field in self.fields.values():
            # Read the names afresh should this resource import a second file.
            field.widget.__dict__.pop("index", None)
        self.duplicate_of = {}
        first_lines = {}
        for number, values in enumerate(dataset, start=1):
            key = self.safe_row_key(dict(zip(dataset.headers, values)))
            if key is None:
                continue
            if key in first_lines:
                self.duplicate_of[number] = first_lines[key]
            else:
                first_lines[key] = number + 1

    # One row

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self.loaded_instance = instance  # for the preview's « before » columns (SpreadsheetDiff)

    def import_row(self, row, instance_loader, **kwargs):
        if all(cell_text(value) == "" for value in row.values()):
            # A blank line (often left at the end of an XLSX sheet) says nothing.
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    @cached_property
    def multiline_columns(self):
        """The columns written to a multi-line text field (an address): they may hold line breaks."""
        model = self._meta.model
        text_fields = {field.name for field in model._meta.concrete_fields if isinstance(field, models.TextField)}
        return {field.column_name for field in self.fields.values() if field.attribute in text_fields}

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        errors = {}
        for column, value in row.items():
            # The forms' rule (pole/control_characters.py): no invisible control character, which
            # PostgreSQL (NUL) and XLSX cannot hold; tabs and line breaks only in a multi-line text.
            try:
                ControlCharacterValidator(multiline=column in self.multiline_columns)(cell_text(value))
            except ValidationError as error:
                errors[column] = error.messages
        first_line = self.duplicate_of.get(kwargs.get("row_number"))
        if first_line is not None:
            errors[self.key_columns[0]] = _(
                "Same key ({key}) as line {line}: each key may appear only once in a file."
            ).format(key=" + ".join(self.key_columns), line=first_line)
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        self.pending = {}
        for column, problems in self.import_related(instance, row).items():
            errors.setdefault(column, []).extend(problems)
        # The preview shows the list columns from what was read, before (or without) saving them.
        setattr(instance, PENDING_LISTS, self.pending)
        if errors:
            raise ValidationError(errors)

    def import_related(self, instance, row):
        """Read the list columns into ``self.pending``; return {column: [problems]}."""
        return {}

    def related_unchanged(self, instance):
        """Tell whether ``self.pending`` matches what ``instance`` already has."""
        return True

    def save_related(self, instance):
        """Write ``self.pending`` (the list columns) for the saved ``instance``."""

    def unvalidated_fields(self, instance):
        """Model fields left out of ``full_clean`` because the save will fill them."""
        return []

    @cached_property
    def auto_now_fields(self):
        return [field.name for field in self._meta.model._meta.concrete_fields if getattr(field, "auto_now", False)]

    def get_bulk_update_fields(self):
        """The model fields the columns write, the key's included (its spelling may change), and the ``auto_now`` ones."""
        return [*(field.attribute for field in self.fields.values() if field.attribute), *self.auto_now_fields]

    def stamp_auto_now(self, instances):
        """Set the ``auto_now`` fields as ``save()`` would have: ``bulk_update`` leaves them alone."""
        now = timezone.now()
        for instance in instances:
            for name in self.auto_now_fields:
                setattr(instance, name, now)

    def clean_instance(self, instance):
        """Run the model's ``clean()``; a resource whose model's clean() queries answers it from memory."""
        instance.clean()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Validate as ``full_clean`` does, with ``clean_instance`` for the model's ``clean()``."""
        errors = dict(import_validation_errors or {})
        exclude = {*errors, *self.unvalidated_fields(instance)}
        for check in (
            lambda: instance.clean_fields(exclude=exclude),
            lambda: self.clean_instance(instance),
        ):
            try:
                check()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if self.validate_constraints_in_database:
            exclude |= set(errors)
            try:
                if validate_unique:
                    instance.validate_unique(exclude=exclude)
                instance.validate_constraints(exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            # The user knows the file's column names, not the model's fields.
            columns = {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
            raise ValidationError({columns.get(name, name): problems for name, problems in errors.items()})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Whether the row's own columns (not its lists) leave the saved row as it is.
        self.own_fields_unchanged = instance.pk is not None and super().skip_row(
            instance, original, row, import_validation_errors
        )
        return self.own_fields_unchanged and self.related_unchanged(instance)

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            self.save_related(instance)


def template_file(resource, file_format):
    """Return the bytes of ``resource``'s template: the column names and one example row."""
    dataset = tablib.Dataset(resource.export_row(resource.example_row()), headers=resource.columns())
    content = file_format.export_data(dataset)
    return content if isinstance(content, bytes) else content.encode(SpreadsheetAdminMixin.to_encoding)


def dated_file_name(resource, file_format):
    """« membres-2026-11-28.csv »: the resource's French name and today's date."""
    return f"{resource.file_stem}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"


class SpreadsheetImportForm(ImportForm):
    """The admin's import form; a file over the size limit is refused before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload_size(upload.size)
        except SpreadsheetError as error:
            raise ValidationError(str(error)) from None
        return upload


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import (preview, then confirm) and export of a changelist as CSV or XLSX.

    Import needs the add and change permissions of the model; export, the view
    permission. Export always writes every column of the contract, so that the
    file can be imported again. The import page describes every column and offers
    a template file in each format (``import_template``).
    """

    formats = [SpreadsheetCSV, SpreadsheetXLSX]
    #: The template files' formats, by the extension in their address.
    template_formats = {"csv": SpreadsheetCSV, "xlsx": SpreadsheetXLSX}
    export_form_class = ExportForm
    import_form_class = SpreadsheetImportForm
    # The package's page, with each bad row's reasons shown in the table rather than on hover.
    import_template_name = "admin/pole/import.html"
    # A byte order mark lets spreadsheet programs read the CSV's accents as UTF-8.
    to_encoding = "utf-8-sig"

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        app_label, model_name = self.get_model_info()
        return [
            path(
                "import/modele.<str:extension>",
                self.admin_site.admin_view(self.import_template),
                name=f"{app_label}_{model_name}_import_template",
            ),
            *super().get_urls(),
        ]

    def spreadsheet_resource(self, request):
        return self.get_import_resource_classes(request)[0](**self.get_import_resource_kwargs(request))

    def import_template(self, request, extension):
        """Download the template file (column names and one example row) as CSV or XLSX."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        format_class = self.template_formats.get(extension)
        if format_class is None:
            raise Http404
        resource = self.spreadsheet_resource(request)
        file_format = format_class()
        response = HttpResponse(template_file(resource, file_format), content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="modele-{resource.file_stem}.{extension}"'
        return response

    def get_export_filename(self, request, queryset, file_format):
        resource = self.get_export_resource_classes(request)[0]
        return dated_file_name(resource, file_format)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            form.add_error("import_file", read_failure_message(file_format))

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        # The package's import_action has already refused anyone without the import permission.
        app_label, model_name = self.get_model_info()
        url_name = f"admin:{app_label}_{model_name}_import_template"
        context["column_help"] = self.spreadsheet_resource(request).column_help()
        context["template_links"] = [
            (extension.upper(), reverse(url_name, args=[extension], current_app=self.admin_site.name))
            for extension in self.template_formats
        ]
        result = context.get("result")
        if result is not None and result.base_errors:
            # Wrong columns: say so beside the file field, without a traceback.
            for error in result.base_errors:
                context["form"].add_error("import_file", str(error.error))
            del context["result"]
            context.pop("confirm_form", None)
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation.
            for message in result.error_messages():
                messages.error(request, message)
            messages.error(request, _("Nothing was imported."))
            app_label, model_name = self.get_model_info()
            return HttpResponseRedirect(
                reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(request, result.summary(self.model._meta.verbose_name_plural))
