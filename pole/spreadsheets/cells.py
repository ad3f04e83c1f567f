"""What a spreadsheet cell holds: its text, lists inside it, formula escaping, and the
widgets that read and write each column of the contract (DESIGN.md, « Spreadsheet contract »).

Names are folded (case and accents) in Python, against dictionaries built once per import,
so that SQLite and PostgreSQL match the same way and no row costs a lookup query.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from import_export import widgets

from pole.collation import french_sorted
from pole.control_characters import strip_control_characters
from pole.fiscal_years import FiscalYear
from pole.text import fold as text_fold

LIST_SEPARATOR = ";"
MEASURE_SEPARATOR = "="
#: What makes a spreadsheet program read a cell as a formula (OWASP's « CSV injection »).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Written before such a text, and taken off on import; a text that begins with it gets one more.
FORMULA_ESCAPE = "'"
#: The one way to clear a saved value through an import: a blank cell leaves the value as it is.
CLEAR_MARKER = "(vide)"


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


def is_clear_marker(value):
    """Tell whether a cell holds the marker that clears a saved value (« (vide) », any case)."""
    return isinstance(value, str) and fold(value) == fold(CLEAR_MARKER)


def split_list(value):
    """Return the non-empty items of a ``;``-separated cell."""
    return [item.strip() for item in cell_text(value).split(LIST_SEPARATOR) if item.strip()]


def join_list(items):
    return LIST_SEPARATOR.join(items)


def quoted(items):
    """« Québec », « Portneuf »: names in French quotation marks, with their no-break spaces."""
    return ", ".join(f"«\u00a0{item}\u00a0»" for item in items)


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
        return french_sorted(getattr(row, self.attribute) for row in self.rows.values())


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
