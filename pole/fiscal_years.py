"""Fiscal years: the network's unit of time for memberships, partnerships and reports.

A fiscal year runs from the first day of ``POLE_FISCAL_YEAR_START_MONTH`` (April
for the Pôle) to the day before that date a year later, and is written
``2016-2017``. It is stored in the database as its start year (2016), through
``FiscalYearField``, and handled in Python as a ``FiscalYear`` value.
"""

import contextlib
import contextvars
import datetime
import re
from dataclasses import dataclass
from functools import total_ordering

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, When
from django.db.models.functions import Cast, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_LABEL = re.compile(r"^\s*(\d{4})\s*[-–/]\s*(\d{4})\s*$")


def start_month():
    return settings.POLE_FISCAL_YEAR_START_MONTH


@total_ordering
@dataclass(frozen=True)
class FiscalYear:
    """One fiscal year, identified by the calendar year it starts in."""

    start_year: int

    @classmethod
    def containing(cls, day):
        """Return the fiscal year a date falls in (31 March 2017 is in 2016-2017)."""
        if isinstance(day, datetime.datetime):
            day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
        return cls(day.year if day.month >= start_month() else day.year - 1)

    @classmethod
    def current(cls):
        return cls.containing(timezone.localdate())

    @classmethod
    def parse(cls, value):
        """Read ``2016-2017`` (or a start year, or a FiscalYear); raise ValueError otherwise."""
        if isinstance(value, FiscalYear):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        text = str(value).strip()
        match = _LABEL.match(text)
        if match:
            first, second = int(match[1]), int(match[2])
            if second != first + 1:
                raise ValueError(f"{text!r}: the second year must follow the first")
            return cls(first)
        if start_month() == 1 and re.fullmatch(r"\d{4}", text):
            return cls(int(text))
        raise ValueError(f"{text!r} is not a fiscal year such as 2016-2017")

    def __post_init__(self):
        if not 1900 <= self.start_year <= 2999:
            raise ValueError(f"{self.start_year} is out of range for a fiscal year")

    def __lt__(self, other):
        if not isinstance(other, FiscalYear):
            return NotImplemented
        return self.start_year < other.start_year

    def __str__(self):
        return self.label

    @property
    def end_year(self):
        """The calendar year the fiscal year ends in (2017 for 2016-2017)."""
        return self.start_year if start_month() == 1 else self.start_year + 1

    @property
    def label(self):
        if start_month() == 1:
            return str(self.start_year)
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def start_date(self):
        return datetime.date(self.start_year, start_month(), 1)

    @property
    def end_date(self):
        """The last day of the fiscal year (inclusive)."""
        return self.next.start_date - datetime.timedelta(days=1)

    @property
    def previous(self):
        return FiscalYear(self.start_year - 1)

    @property
    def next(self):
        return FiscalYear(self.start_year + 1)

    def __contains__(self, day):
        return self.start_date <= day <= self.end_date


# The years that have data, read once per request (``FiscalYearChoicesMiddleware``):
# an admin page with twenty membership rows renders twenty year selects from one query.
_request_memo = contextvars.ContextVar("fiscal_years_request_memo", default=None)


@contextlib.contextmanager
def years_read_once():
    """Within the block, ``years_with_data()`` queries the database at most once."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


class FiscalYearChoicesMiddleware:
    """Read the fiscal years that have data at most once per request (see ``years_read_once``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with years_read_once():
            return self.get_response(request)


def _fiscal_year_sources(models_=None):
    """Yield one single-column queryset per source of fiscal years: every ``FiscalYearField``
    of every model (or of ``models_``), and the start year of each model that names its
    ``fiscal_year_date_field``."""
    for model in models_ or apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FiscalYearField):
                yield model._default_manager.order_by().values_list(field.attname)
        date_field = getattr(model, "fiscal_year_date_field", None)
        if date_field:
            year = ExtractYear(date_field)
            # Cast: PostgreSQL's EXTRACT gives a numeric, which the UNION would pass on as Decimal.
            start_year = Cast(
                Case(
                    When(condition=Q(**{f"{date_field}__month__gte": start_month()}), then=year),
                    default=year - 1,
                ),
                output_field=models.IntegerField(),
            )
            yield (
                model._default_manager.order_by()
                .annotate(fiscal_start_year=start_year)
                .values_list("fiscal_start_year")
            )


def years_with_data(*models):
    """Return the fiscal years any record refers to, newest first. One query (a UNION).

    With ``models``, only the records of those models count (the annual report's years:
    memberships, activities, reports). Within a request, each answer is read once
    (``FiscalYearChoicesMiddleware``).
    """
    memo = _request_memo.get()
    key = ("years", *(model._meta.label_lower for model in models))
    if memo is not None and key in memo:
        return memo[key]
    sources = list(_fiscal_year_sources(models))
    years = set()
    if sources:
        first, *rest = sources
        for (value,) in first.union(*rest) if rest else first:
            if value is not None:
                years.add(FiscalYear(int(value.start_year if isinstance(value, FiscalYear) else value)))
    result = sorted(years, reverse=True)
    if memo is not None:
        memo[key] = result
    return result


def fiscal_year_choices():
    """The fiscal years offered in forms, newest first: the next one, the current one, and every
    year back to the first that has data — gaps included, so a year left empty can be filled in."""
    current = FiscalYear.current()
    years = years_with_data()
    first = min(years[-1], current) if years else current
    last = max(years[0], current.next) if years else current.next
    return [
        (FiscalYear(year).label, FiscalYear(year).label) for year in range(last.start_year, first.start_year - 1, -1)
    ]


class FiscalYearSelect(forms.Select):
    """A select of fiscal years that always offers the stored value, whatever it is.

    Without it a year outside the offered ones would render with no option selected,
    and saving the page unchanged would silently replace it with the first option.
    """

    def optgroups(self, name, value, attrs=None):
        offered = {str(choice) for choice, _label in self.choices}
        missing = []
        for item in value:
            if item in offered or item in ("", None):
                continue
            try:
                missing.append(FiscalYear.parse(item))
            except ValueError:
                continue
        if missing:
            blank = [choice for choice in self.choices if choice[0] in ("", None)]
            years = {FiscalYear.parse(choice) for choice, _label in self.choices if choice not in ("", None)}
            years |= set(missing)
            self.choices = blank + [(year.label, year.label) for year in sorted(years, reverse=True)]
        return super().optgroups(name, value, attrs)


class FiscalYearFormField(forms.TypedChoiceField):
    """A fiscal year chosen from a list labelled « 2016-2017 »; the one form field for fiscal years."""

    widget = FiscalYearSelect

    def __init__(self, *, choices=None, coerce=None, empty_value=None, **kwargs):
        kwargs.pop("max_length", None)
        # Admin's defaults for integer columns (a number input) do not apply: a fiscal year
        # is picked from a list. A select widget given by the caller is kept.
        widget = kwargs.get("widget")
        if widget is not None and not _is_select(widget):
            kwargs.pop("widget")
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        kwargs.pop("step_size", None)
        if choices is None:
            # A blank first option, required or not: a new record's year is chosen, never
            # defaulted to the first one offered (and an untouched extra inline row stays empty).
            choices = _fiscal_year_choices_with_blank
        super().__init__(choices=choices, coerce=FiscalYear.parse, empty_value=empty_value, **kwargs)

    def valid_value(self, value):
        # Any fiscal year may be stored, not only the offered ones (see FiscalYearSelect).
        try:
            FiscalYear.parse(value)
        except ValueError:
            return False
        return True

    def prepare_value(self, value):
        if isinstance(value, FiscalYear):
            return value.label
        if isinstance(value, int) and not isinstance(value, bool):
            return FiscalYear(value).label
        return value


def _fiscal_year_choices_with_blank():
    return [("", "---------"), *fiscal_year_choices()]


def _is_select(widget):
    if isinstance(widget, type):
        return issubclass(widget, forms.Select)
    return isinstance(widget, forms.Select)


class FiscalYearField(models.PositiveSmallIntegerField):
    """A fiscal year, stored as its start year and read back as a ``FiscalYear``."""

    description = _("Fiscal year")

    @property
    def validators(self):
        # The integer range validators of PositiveSmallIntegerField would compare
        # a FiscalYear with an int; FiscalYear checks its own range.
        return list(self._validators)

    def from_db_value(self, value, expression, connection):
        return None if value is None else FiscalYear(int(value))

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, FiscalYear):
            return value or None
        try:
            return FiscalYear.parse(value if not isinstance(value, str) or not value.isdigit() else int(value))
        except ValueError:
            raise ValidationError(
                _("« %(value)s » is not a fiscal year such as 2016-2017."),
                code="invalid",
                params={"value": value},
            ) from None

    def get_prep_value(self, value):
        if isinstance(value, FiscalYear):
            return value.start_year
        if isinstance(value, str) and not value.isdigit():
            return self.to_python(value).start_year
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        defaults = {"form_class": FiscalYearFormField, "choices_form_class": FiscalYearFormField}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)
