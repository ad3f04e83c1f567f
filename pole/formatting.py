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


def format_file_size(size):
    """Write a file's size: « 2 Mo », « 1,5 Mo », « 520 ko » in French; « 2 MB » in English.

    One rule everywhere (limits, refusals, downloads): units of 1 024 (as the size settings
    and nginx read « 10M »), one decimal at most, and none when it is zero, so « 2 Mo »
    never meets « 2,0 Mio ». French writes the OQLF's symbols: o, ko, Mo, Go.
    """
    units = [_("%(size)s B"), _("%(size)s KB"), _("%(size)s MB"), _("%(size)s GB")]
    value = Decimal(max(int(size), 0))
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    value = value.quantize(Decimal("0.1"))
    if value == value.to_integral_value():
        value = int(value)
    text = formats.number_format(value, use_l10n=True, force_grouping=True)
    return units[unit] % {"size": text}
