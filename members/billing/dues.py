"""Dues: the amount a member owes for a fiscal year, its taxes, and how money is written.

Amounts are ``Decimal`` with two places from end to end (form, model, PDF); a tax is
rounded to the cent, halves up, line by line, as Revenu Québec's examples do. TPS and TVQ
are both computed on the amount before taxes (the TVQ no longer applies on the TPS).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from pole.formatting import NBSP, is_french

CENT = Decimal("0.01")


def to_cents(value):
    """Round a Decimal to the cent, halves up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value):
    """Write an amount in dollars: « 1 234,56 $ » in French, « $1,234.56 » in English."""
    if value is None:
        return "—"
    value = to_cents(value)
    sign = "\u2212" if value < 0 else ""
    units, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    if is_french():
        return f"{sign}{NBSP.join(groups)},{cents}{NBSP}$"
    return f"{sign}${','.join(groups)}.{cents}"


def format_rate(rate):
    """Write a tax rate: « 9,975 % », « 5 % »."""
    text = f"{rate.normalize():f}"
    return f"{text.replace('.', ',')}{NBSP}%" if is_french() else f"{text}%"


@dataclass(frozen=True)
class Taxes:
    """The taxes the network collects today (settings), each rate in per cent or None."""

    tps_rate: Decimal | None
    tvq_rate: Decimal | None
    tps_number: str = ""
    tvq_number: str = ""

    @classmethod
    def from_settings(cls):
        return cls(
            tps_rate=settings.POLE_TPS_RATE,
            tvq_rate=settings.POLE_TVQ_RATE,
            tps_number=settings.POLE_TPS_NUMBER if settings.POLE_TPS_RATE else "",
            tvq_number=settings.POLE_TVQ_NUMBER if settings.POLE_TVQ_RATE else "",
        )

    def amounts(self, subtotal):
        """Return ``(tps, tvq, total)`` of ``subtotal``, each to the cent."""
        subtotal = to_cents(subtotal)
        tps = to_cents(subtotal * self.tps_rate / 100) if self.tps_rate else Decimal("0.00")
        tvq = to_cents(subtotal * self.tvq_rate / 100) if self.tvq_rate else Decimal("0.00")
        return tps, tvq, subtotal + tps + tvq


def dues_for(member, fiscal_year):
    """Return the dues (before taxes) of ``member`` for ``fiscal_year`` from the schedule, or None. One query."""
    from members.models import DuesRate

    rate = DuesRate.objects.filter(fiscal_year=fiscal_year, category=member.category).first()
    return rate.amount if rate else None
