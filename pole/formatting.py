"""How the report writes dates, numbers and percentages in the active language.

French (fr-CA): « 1er avril 2016 », « 7-17 novembre 2016 », « 15 000 », « 35 % »
(non-breaking spaces, so a figure never breaks from its unit).
"""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

NBSP = "\u00a0"
MINUS = "\u2212"


def is_french():
    """Whether the active language is French (fr, fr-CA…)."""
    return (get_language() or "fr").startswith("fr")


def not_available():
    """What prints for a figure the records cannot give: « n.d. » (non disponible)."""
    return _("n/a")


def with_minus(text):
    """Write a negative number with the typographic minus (−), never a hyphen."""
    return text.replace("-", MINUS)


def format_signed(value):
    """Write a change with its sign, « +4 », « −2 », « 0 » (grouped, typographic minus)."""
    text = format_number(value)
    return with_minus(f"+{text}" if value > 0 else text)


def format_number(value):
    """Write a whole number with the locale's grouping: 15 000 in French."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def format_percent(value):
    """Write a whole percentage: « 35 % » in French, « 35% » in English."""
    if value is None:
        return "—"
    return f"{format_number(value)}{NBSP}%" if is_french() else f"{format_number(value)}%"


def _day(day):
    # French writes the first of the month as an ordinal: « 1er avril ».
    return "1er" if is_french() and day.day == 1 else str(day.day)


def _month(day):
    return formats.date_format(day, "F").lower() if is_french() else formats.date_format(day, "F")


def format_date(day):
    """Write a date in full: « 13 avril 2016 »."""
    if is_french():
        return f"{_day(day)} {_month(day)} {day.year}"
    return formats.date_format(day, "F j, Y")


def format_period(start, end=None):
    """Write a date or a span: « 7-17 novembre 2016 », « 28 octobre – 2 novembre 2016 »."""
    if end is None or end == start:
        return format_date(start)
    if not is_french():
        if (start.year, start.month) == (end.year, end.month):
            return f"{_month(start)} {start.day}–{end.day}, {end.year}"
        return f"{format_date(start)} – {format_date(end)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{_day(start)}-{end.day} {_month(end)} {end.year}"
    if start.year == end.year:
        return f"{_day(start)} {_month(start)} – {_day(end)} {_month(end)} {end.year}"
    return f"{format_date(start)} – {format_date(end)}"
