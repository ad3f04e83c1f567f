"""Dues figures other pages read: a renewal campaign step by step, and the members in good
standing with the AGM's quorum. Each function is a fixed number of aggregate queries.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil

from django.db.models import Count, DecimalField, Sum
from django.db.models.functions import Coalesce

from members.models import DuesNotice, Invoice, Membership, RenewalCampaign
from pole.collation import french_order
from pole.fiscal_years import FiscalYear


@dataclass
class CampaignFigure:
    """One step of a renewal campaign: how many members, and the amount in dollars (or None)."""

    key: str
    count: int
    amount: Decimal | None = None


def campaign_figures(fiscal_year, *, today):
    """Count the renewal campaign of ``fiscal_year`` step by step, with amounts. Three queries.

    - invited: members e-mailed the campaign's invitation;
    - renewed: members holding a membership of the year (however it was made), with its dues;
    - invoiced: invoices of the year no credit note cancels, with their totals (taxes included);
    - paid: those invoices paid in full, with the money received on all of them;
    - late: those invoices past their due date with a balance, with the balances.
    """
    fiscal_year = FiscalYear.parse(fiscal_year)
    invited = (
        DuesNotice.objects.filter(fiscal_year=fiscal_year, kind=DuesNotice.Kind.INVITATION)
        .values("member")
        .distinct()
        .count()
    )
    renewed = Membership.objects.filter(fiscal_year=fiscal_year).aggregate(
        count=Count("id"), dues=Coalesce(Sum("dues"), Decimal("0.00"), output_field=DecimalField())
    )
    rows = list(Invoice.objects.live().filter(fiscal_year=fiscal_year).with_paid().values_list("total", "paid_amount", "due_on"))
    paid = [(total, received) for total, received, _due in rows if received >= total]
    late = [total - received for total, received, due_on in rows if received < total and due_on and due_on < today]
    zero = Decimal("0.00")
    return [
        CampaignFigure("invited", invited),
        CampaignFigure("renewed", renewed["count"], renewed["dues"]),
        CampaignFigure("invoiced", len(rows), sum((total for total, _r, _d in rows), zero)),
        CampaignFigure("paid", len(paid), sum((received for _t, received, _d in rows), zero)),
        CampaignFigure("late", len(late), sum(late, zero)),
    ]


@dataclass
class GoodStanding:
    """The members in good standing in a fiscal year, and the AGM's quorum."""

    fiscal_year: FiscalYear
    memberships: list
    quorum_percent: int

    @property
    def count(self):
        return len(self.memberships)

    @property
    def quorum(self):
        """The members needed at the AGM: ``quorum_percent`` of those in good standing, rounded up."""
        return ceil(Fraction(self.count * self.quorum_percent, 100))


def good_standing(fiscal_year, *, quorum_percent):
    """Return the year's memberships in good standing (paid, or waived with a reason), in French
    alphabetical order of the member's name (« Écoquartier » among the E). One query."""
    fiscal_year = FiscalYear.parse(fiscal_year)
    memberships = list(
        Membership.objects.filter(fiscal_year=fiscal_year)
        .in_good_standing()
        .select_related("member", "member__territory")
        .order_by(french_order("member__name"), "pk")
    )
    return GoodStanding(fiscal_year, memberships, quorum_percent)


def open_campaign_for(member):
    """The open campaign whose year ``member`` has no invoice for yet, or None (the earliest). One query."""
    return (
        RenewalCampaign.objects.filter(opened_on__isnull=False, closed=False)
        .exclude(fiscal_year__in=Invoice.objects.live().filter(member=member).values("fiscal_year"))
        .order_by("fiscal_year")
        .first()
    )
