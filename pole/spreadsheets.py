"""Spreadsheet import and export: what the members, activities and partners resources share.

DESIGN.md's spreadsheet contract: CSV (UTF-8) or XLSX files with French column
names, lists inside a cell separated by ``;``, names matched case- and
accent-insensitively, and an all-or-nothing import that reports every bad row
with its line in the file (line 1 holds the column names) and the reason.

The folding of names happens in Python against dictionaries built once per
import, so that SQLite and PostgreSQL match the same way and no row costs a
lookup query.
"""

import csv
import datetime
import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import tablib
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result, RowResult

from pole.fiscal_years import FiscalYear

LIST_SEPARATOR = ";"
# C0 control characters but tab, line feed and carriage return, which a cell may hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MEASURE_SEPARATOR = "="


class SpreadsheetError(Exception):
    """A file that cannot be imported at all; the message is for the user."""


def fold(text):
    """Return ``text`` reduced for matching: no accents, no case, single spaces, plain apostrophes."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("\u2019", "'").casefold().split())


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


# Widgets: each reads a cell (text from CSV, text or number or date from XLSX)
# and writes the value back the way the contract spells it.


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
        self.values = {fold(label): value for value, label in self.labels.items()}
        self.values.update({fold(alias): value for alias, value in (aliases or {}).items()})

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

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return None
        return parse_whole_number(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class AmountWidget(widgets.Widget):
    """An amount in dollars (« 15000 », « 15 000,50 $ »), or empty."""

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

    def __init__(self, model, unknown_message):
        self.model = model
        self.unknown_message = unknown_message

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
        self.instances = {resource.instance_key(instance): instance for instance in resource.get_queryset()}

    def get_instance(self, row):
        key = self.resource.safe_row_key(row)
        return None if key is None else self.instances.get(key)


class SpreadsheetResult(Result):
    """An import result numbering rows by their line in the file (line 1 holds the column names)."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

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
    """Read uploaded bytes (or text) with ``file_format``; raise SpreadsheetError in French."""
    try:
        if isinstance(data, bytes) and not file_format.is_binary():
            data = data.decode(file_format.encoding or "utf-8-sig")
        if isinstance(file_format, CSV):
            return read_csv(data)
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


def read_csv(text):
    """Read CSV text into a dataset, reporting the lines with too many cells.

    Blank lines are kept (as empty rows, skipped by the import) so that row
    numbers stay lines of the file. A file saved by a French-language
    spreadsheet program separates cells with ``;``; its first line tells.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        return tablib.Dataset()
    headers, width = rows[0], len(rows[0])
    data, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(
                _(
                    "Line {line} has {count} cells for {width} columns: put a text holding a comma "
                    "between double quotes."
                ).format(line=line, count=len(row), width=width)
            )
        data.append((row + [""] * width)[:width])
    if problems:
        raise SpreadsheetError(" ".join(problems))
    return tablib.Dataset(*data, headers=headers)


class SpreadsheetCSV(CSV):
    """CSV read by ``read_csv``: blank lines kept, precise errors, ``;`` accepted as separator."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        return read_csv(in_stream)


class SpreadsheetResource(resources.ModelResource):
    """A resource following DESIGN.md's spreadsheet contract.

    Subclasses declare one field per column, in the contract's order, and
    ``key_columns``; they implement ``row_key`` and ``instance_key`` (the
    folded key) and, for columns that are lists of related rows,
    ``import_related``, ``related_unchanged`` and ``save_related``.
    """

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
        if keep == list(range(len(headers))) and names == headers:
            return dataset
        return tablib.Dataset(*[[row[index] for index in keep] for row in rows], headers=names)

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

    def import_row(self, row, instance_loader, **kwargs):
        if all(cell_text(value) == "" for value in row.values()):
            # A blank line (often left at the end of an XLSX sheet) says nothing.
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        errors = {}
        for column, value in row.items():
            text = cell_text(value)
            if CONTROL_CHARACTERS.search(text):
                # PostgreSQL refuses NUL in text, SQLite would store it: refuse every invisible
                # control character alike, so both databases (and XLSX, which cannot hold them) agree.
                errors[column] = _("The cell holds an invisible control character (such as U+0000); remove it.")
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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self.unvalidated_fields(instance)],
                validate_unique=validate_unique and self.validate_constraints_in_database,
                validate_constraints=self.validate_constraints_in_database,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            # The user knows the file's column names, not the model's fields.
            columns = {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
            raise ValidationError({columns.get(name, name): problems for name, problems in errors.items()})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk is None:
            return False
        return super().skip_row(instance, original, row, import_validation_errors) and self.related_unchanged(instance)

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            self.save_related(instance)


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import (preview, then confirm) and export of a changelist as CSV or XLSX.

    Import needs the add and change permissions of the model; export, the view
    permission. Export always writes every column of the contract, so that the
    file can be imported again.
    """

    formats = [SpreadsheetCSV, XLSX]
    export_form_class = ExportForm
    # The package's page, with each bad row's reasons shown in the table rather than on hover.
    import_template_name = "admin/pole/import.html"
    # A byte order mark lets spreadsheet programs read the CSV's accents as UTF-8.
    to_encoding = "utf-8-sig"

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            form.add_error("import_file", read_failure_message(file_format))

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
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
