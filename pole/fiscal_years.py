"""Fiscal years: the network's unit of time for memberships, partnerships and reports.

A fiscal year runs from the first day of ``POLE_FISCAL_YEAR_START_MONTH`` (April
for the Pôle) to the day before that date a year later, and is written
``2016-2017``. It is stored in the database as its start year (2016), through
``FiscalYearField``, and handled in Python as a ``FiscalYear`` value.
"""

import datetime
import re
from dataclasses import dataclass
from functools import total_ordering

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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


def fiscal_year_choices():
    """The fiscal years offered in forms: fifteen back, one ahead of the current one."""
    current = FiscalYear.current().start_year
    return [(FiscalYear(year), FiscalYear(year).label) for year in range(current + 1, current - 16, -1)]


class FiscalYearFormField(forms.TypedChoiceField):
    def __init__(self, *, choices=fiscal_year_choices, coerce=None, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(choices=choices, coerce=FiscalYear.parse, **kwargs)

    def valid_value(self, value):
        try:
            FiscalYear.parse(value)
        except ValueError:
            return False
        return True

    def prepare_value(self, value):
        if isinstance(value, FiscalYear):
            return value.label
        if isinstance(value, int):
            return FiscalYear(value).label
        return value


class FiscalYearField(models.PositiveSmallIntegerField):
    """A fiscal year, stored as its start year and read back as a ``FiscalYear``."""

    description = _("Fiscal year")

    @property
    def validators(self):
        # The integer range validators of PositiveSmallIntegerField would compare
        # a FiscalYear with an int; FiscalYear checks its own range.
        return list(self._validators)

    def from_db_value(self, value, expression, connection):
        return None if value is None else FiscalYear(value)

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
