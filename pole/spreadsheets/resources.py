"""Spreadsheet import and export: what the members, activities and partners resources share.

DESIGN.md's spreadsheet contract: CSV (UTF-8) or XLSX files with French column
names, lists inside a cell separated by ``;``, names matched case- and
accent-insensitively, and an all-or-nothing import that reports every bad row
with its line in the file (line 1 holds the column names) and the reason.

The folding of names happens in Python against dictionaries built once per
import, so that SQLite and PostgreSQL match the same way and no row costs a
lookup query.

An import adds and corrects; it never erases silently. For a saved row, a blank cell leaves
the stored value as it is, and ``(vide)`` (``CLEAR_MARKER``) clears it; list columns
follow the same rule, and each resource says what a list it holds may lose. The preview
names, per row and in words, every value that changes (``Change``), counts the rows and
list items added and removed, and lists apart what would be cleared or removed.

Exports are safe to open in a spreadsheet program: a text cell that a program would
take for a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is written behind a single quote ``'``, the quote the import takes off again,
and XLSX text is always written as text, never as a formula. Invisible control
characters that older rows may hold are left out of every export.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import resources
from import_export.instance_loaders import BaseInstanceLoader
from import_export.resources import Diff
from import_export.results import Result, RowResult

from pole.collation import french_sorted
from pole.control_characters import ControlCharacterValidator
from pole.formatting import format_number
from pole.spreadsheets.cells import (
    CLEAR_MARKER,
    SpreadsheetError,
    cell_text,
    export_cell,
    fold,
    holds_text,
    is_clear_marker,
    quoted,
    split_list,
    unescape_formula,
)


@dataclass
class Change:
    """One column of one row that an import changes, as the preview says it in words."""

    label: str
    before: str = ""
    after: str = ""
    #: For a list column (years, objectives…): the items added and removed, compared as sets.
    added: list = dataclass_field(default_factory=list)
    removed: list = dataclass_field(default_factory=list)
    is_list: bool = False

    @property
    def cleared(self):
        """A saved value that the row empties (« (vide) » in the file)."""
        return not self.is_list and self.before != "" and self.after == ""

    @property
    def warns(self):
        return self.cleared or bool(self.removed)

    def text(self, *, new=False):
        """« Territoire : Portneuf → (vide) », « Adhésions : + 2017-2018 »; a new row's value alone."""
        if self.is_list:
            items = [f"+\u00a0{item}" for item in self.added] + [f"\u2212\u00a0{item}" for item in self.removed]
            change = ", ".join(items)
        elif new:
            change = self.after
        else:
            change = f"{self.before or CLEAR_MARKER} \u2192 {self.after or CLEAR_MARKER}"
        return _("{label}: {change}").format(label=self.label, change=change)

    @property
    def text_new(self):
        return self.text(new=True)

    def __str__(self):
        return self.text()


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
            names = quoted(french_sorted(str(instance) for instance in self.shared[key]))
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

    #: How the file was read (``CsvReading`` or ``XlsxReading``), set by ``SpreadsheetResource.import_data``.
    reading = None
    #: The preview's counts in words (« 2 membres modifiés », « 3 adhésions ajoutées »…).
    counts = ()
    #: [(line, row's name, Change)] of every value cleared and list item removed.
    warnings = ()

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
        # Each count takes its own plural: French says « 0 ligne inchangée », « 2 ajouts ».
        new = self.totals[RowResult.IMPORT_TYPE_NEW]
        updated = self.totals[RowResult.IMPORT_TYPE_UPDATE]
        skipped = self.totals[RowResult.IMPORT_TYPE_SKIP]
        return _("Import finished ({name}): {added}, {updated}, {unchanged}.").format(
            name=verbose_name_plural,
            added=ngettext("{count} row added", "{count} rows added", new).format(count=format_number(new)),
            updated=ngettext("{count} row updated", "{count} rows updated", updated).format(count=format_number(updated)),
            unchanged=ngettext("{count} row unchanged", "{count} rows unchanged", skipped).format(
                count=format_number(skipped)
            ),
        )


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
        if instance is not None:
            resource.row_changes = resource.describe_changes(self.left, self.right)

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
    #: {column: its name in words}, for the preview (« Territoire »); the column's name otherwise.
    column_labels = {}
    #: Columns holding lists (« ; »): the preview compares them as sets.
    list_columns = ()

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
        # The preview says each change in words (``Change``), not as a character diff.
        skip_html_diff = True
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
        # How the file was read (its encoding and separator, or its sheet), for the preview to say.
        reading = getattr(dataset, "reading", None)
        try:
            dataset = self.conform_dataset(dataset)
        except SpreadsheetError as error:
            result = self.get_result_class()()
            result.reading = reading
            result.total_rows = len(dataset) if dataset is not None else 0
            self.handle_import_error(result, error, raise_errors)
            return result
        result = super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions, **kwargs
        )
        result.reading = reading
        rows = [row for row in result.valid_rows() if not getattr(row, "blank_line", False)]
        result.preview_rows = rows
        result.counts = self.count_changes(rows)
        result.warnings = [
            (row.number, row.object_repr, change) for row in rows for change in row.changes if change.warns
        ]
        return result

    # The preview, in words

    def column_label(self, column):
        return str(self.column_labels.get(column) or capfirst(column))

    def describe_changes(self, before, after):
        """Return the ``Change`` of every column whose rendered value differs; lists compared as sets."""
        changes = []
        for field, old, new in zip(self.get_import_fields(), before, after, strict=True):
            column = field.column_name
            old, new = cell_text(old), cell_text(new)
            if column in self.list_columns:
                old_items, new_items = split_list(old), split_list(new)
                old_keys, new_keys = {fold(item) for item in old_items}, {fold(item) for item in new_items}
                added = [item for item in new_items if fold(item) not in old_keys]
                removed = [item for item in old_items if fold(item) not in new_keys]
                if added or removed:
                    changes.append(Change(self.column_label(column), added=added, removed=removed, is_list=True))
            elif old != new:
                changes.append(Change(self.column_label(column), before=old, after=new))
        return changes

    def count_changes(self, rows):
        """Return the preview's counts in words: rows added, changed and unchanged, values cleared."""
        added = sum(row.import_type == RowResult.IMPORT_TYPE_NEW for row in rows)
        changed = sum(row.import_type == RowResult.IMPORT_TYPE_UPDATE for row in rows)
        unchanged = sum(row.import_type == RowResult.IMPORT_TYPE_SKIP for row in rows)
        cleared = sum(change.cleared for row in rows for change in row.changes)
        counts = [
            *self.count_rows(added, changed),
            ngettext("{count} row unchanged", "{count} rows unchanged", unchanged).format(
                count=format_number(unchanged)
            ),
            *self.count_list_changes(rows),
        ]
        if cleared:
            counts.append(
                ngettext("{count} value cleared", "{count} values cleared", cleared).format(
                    count=format_number(cleared)
                )
            )
        return counts

    def count_rows(self, added, changed):
        """Return [« 1 ligne ajoutée », « 2 lignes modifiées »]; a resource names its rows."""
        return [
            ngettext("{count} row added", "{count} rows added", added).format(count=format_number(added)),
            ngettext("{count} row updated", "{count} rows updated", changed).format(count=format_number(changed)),
        ]

    def count_list_changes(self, rows):
        """Return the counts of list items added and removed that a resource reports (its adhesions)."""
        return []

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
            row_result.blank_line, row_result.changes = True, []
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
        self.row_changes = []
        errors = {}
        for column in self.key_columns:
            if is_clear_marker(row.get(column)):
                errors[column] = [_("A key column cannot be cleared with « (vide) ».")]
        for column, value in row.items():
            # The forms' rule (pole/control_characters.py): no invisible control character, which
            # PostgreSQL (NUL) and XLSX cannot hold; tabs and line breaks only in a multi-line text.
            try:
                ControlCharacterValidator(multiline=column in self.multiline_columns)(cell_text(value))
            except ValidationError as error:
                errors.setdefault(column, []).extend(error.messages)
        first_line = self.duplicate_of.get(kwargs.get("row_number"))
        if first_line is not None:
            errors[self.key_columns[0]] = _(
                "Same key ({key}) as line {line}: each key may appear only once in a file."
            ).format(key=" + ".join(self.key_columns), line=first_line)
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        # The row's line in the file (line 1 holds the column names) and its changes, for the preview.
        row_result.number = kwargs.get("row_number", 0) + 1
        row_result.changes = getattr(self, "row_changes", []) if row_result.import_type != RowResult.IMPORT_TYPE_SKIP else []

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Read one cell into ``instance``: a blank cell leaves a saved row's value, « (vide) » clears it."""
        if field.attribute and field.column_name in row:
            value = row[field.column_name]
            if is_clear_marker(value):
                row = {**row, field.column_name: ""}
            elif instance.pk is not None and cell_text(value) == "":
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def keeps_saved(self, instance, value):
        """Tell whether a list cell leaves a saved row's list as it is (the cell is blank)."""
        return instance.pk is not None and cell_text(value) == "" and not is_clear_marker(value)

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


def dated_file_name(resource, file_format):
    """« membres-2026-11-28.csv »: the resource's French name and today's date."""
    return f"{resource.file_stem}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"


