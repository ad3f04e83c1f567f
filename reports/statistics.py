"""Every figure of the annual report, computed for one fiscal year.

DESIGN.md ("Fiscal years and statistics") defines each figure; this module is
the only place that computes them. Each function issues a fixed number of
aggregate queries, whatever the number of rows.
"""

from dataclasses import dataclass, field
from fractions import Fraction
from math import floor

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from activities.models import Activity, Objective, counted_participants_expression
from members.models import Member, Membership
from pole.fiscal_years import FiscalYear
from reports.models import Figure


def round_half_up(value):
    """Round a number to the nearest integer, halves up (2.5 → 3, −2.5 → −2)."""
    return floor(Fraction(value) + Fraction(1, 2))


def percentage(part, whole):
    """Return ``part`` as a whole percentage of ``whole``, halves up; None when ``whole`` is 0."""
    if not whole:
        return None
    return round_half_up(Fraction(part * 100, whole))


@dataclass
class ObjectiveFigures:
    objective: Objective
    activities: int
    participants: int


@dataclass
class LegalFormCount:
    legal_form: str
    label: str
    members: int


@dataclass
class YearFigures:
    """The computed figures of one fiscal year, keyed like ``reports.models.Figure``."""

    fiscal_year: FiscalYear
    members: int
    members_previous: int
    average_age: int | None
    rural_share: int | None
    business_groups: int
    associative_share: int | None
    membership_growth: int | None
    new_members: int
    activities: int
    participants: int
    by_objective: list = field(default_factory=list)
    by_legal_form: list = field(default_factory=list)
    #: Any membership recorded before this year (else every member would look new).
    earlier_members_recorded: bool = True
    #: Any activity recorded in this year, whatever the network's role.
    activities_recorded: bool = True

    @property
    def participants_in_bars(self):
        """The participants of the per-objective rows added up: an activity serving two objectives counts twice."""
        return sum(row.participants for row in self.by_objective)

    @property
    def members_recorded(self):
        return self.members > 0

    def value(self, figure):
        """The value of a ``Figure`` key the data gives, or None when it cannot tell.

        None for the figures only a person can give, and for a figure whose year has no
        records to count from: the member figures of a year without memberships, growth
        against a year without memberships, new members when no earlier year has any (in
        the first year of records every member would look new), and the activity figures
        of a year without any activity. A zero of nothing recorded is not a fact.
        """
        if figure not in COMPUTED_FIGURES:
            return None
        if figure in MEMBER_FIGURES and not self.members_recorded:
            return None
        if figure == Figure.MEMBERSHIP_GROWTH and not self.members_previous:
            return None
        if figure == Figure.NEW_MEMBERS and not self.earlier_members_recorded:
            return None
        if figure in ACTIVITY_FIGURES and not self.activities_recorded:
            return None
        return getattr(self, figure, None)


# The figures read from the year's memberships, and from its activities.
MEMBER_FIGURES = {
    Figure.MEMBERS,
    Figure.AVERAGE_AGE,
    Figure.RURAL_SHARE,
    Figure.BUSINESS_GROUPS,
    Figure.ASSOCIATIVE_SHARE,
    Figure.MEMBERSHIP_GROWTH,
    Figure.NEW_MEMBERS,
}
ACTIVITY_FIGURES = {Figure.ACTIVITIES, Figure.PARTICIPANTS}
COMPUTED_FIGURES = MEMBER_FIGURES | ACTIVITY_FIGURES


def _member_counts(fiscal_year):
    """Count the year's members in total and by every attribute a figure needs. One query."""
    members = Member.objects.filter(memberships__fiscal_year=fiscal_year)
    by_form = {f"form_{value}": Count("id", filter=Q(legal_form=value)) for value in [*Member.LegalForm.values, ""]}
    return members.aggregate(
        count=Count("id"),
        with_year=Count("id", filter=Q(founding_year__isnull=False)),
        founding_sum=Coalesce(Sum("founding_year"), 0),
        rural=Count("id", filter=Q(setting=Member.Setting.RURAL)),
        groups=Count("id", filter=Q(category=Member.Category.BUSINESS_GROUP)),
        associations=Count("id", filter=Q(legal_form=Member.LegalForm.ASSOCIATION)),
        **by_form,
    )


def member_portrait(fiscal_year, *, counts=None):
    """Return the portrait of the year's members as a dict. Three queries (two given ``counts``).

    average age: end year of the fiscal year minus the founding year, averaged
    over the members that have one, rounded halves up.
    """
    fiscal_year = FiscalYear.parse(fiscal_year)
    row = counts if counts is not None else _member_counts(fiscal_year)
    before = Membership.objects.aggregate(
        previous=Count("id", filter=Q(fiscal_year=fiscal_year.previous)),
        earlier=Count("id", filter=Q(fiscal_year__lt=fiscal_year)),
    )
    previous = before["previous"]
    new_members = (
        Membership.objects.filter(fiscal_year=fiscal_year)
        .exclude(member__memberships__fiscal_year__lt=fiscal_year)
        .count()
    )
    count = row["count"]
    average_age = None
    if row["with_year"]:
        average_age = round_half_up(fiscal_year.end_year - Fraction(row["founding_sum"], row["with_year"]))
    return {
        "members": count,
        "members_previous": previous,
        "average_age": average_age,
        "rural_share": percentage(row["rural"], count),
        "business_groups": row["groups"],
        "associative_share": percentage(row["associations"], count),
        "membership_growth": percentage(count - previous, previous),
        "new_members": new_members,
        "earlier_members_recorded": before["earlier"] > 0,
    }


def members_by_legal_form(fiscal_year, *, counts=None):
    """Return the year's members counted by legal form, every form listed. One query (none given ``counts``)."""
    row = counts if counts is not None else _member_counts(FiscalYear.parse(fiscal_year))
    result = [LegalFormCount(value, label, row[f"form_{value}"]) for value, label in Member.LegalForm.choices]
    if row["form_"]:
        result.append(LegalFormCount("", "—", row["form_"]))
    return result


def activity_totals(fiscal_year, *, objectives=None):
    """Return the year's reported activities and their participants, in total and by objective.

    Reported: starting in the fiscal year, role réalisation or co-réalisation.
    An activity with registrations counts its attendance (registrants marked present and
    walk-ins); one without counts the number staff typed, unknown as 0. Also tells whether the year records any activity at
    all (representations, listed in the report but not counted, included). An activity serving two objectives counts in
    both objectives' rows and once in the totals. Three queries (two given the ``objectives``).
    """
    reported = Q(role__in=Activity.REPORTED_ROLES)
    totals = Activity.objects.in_fiscal_year(fiscal_year).aggregate(
        count=Count("id", filter=reported),
        participants=Coalesce(Sum(counted_participants_expression(), filter=reported), 0),
        recorded=Count("id"),
    )
    activities = Activity.objects.in_fiscal_year(fiscal_year).reported()
    rows = {
        row["objectives"]: row
        for row in activities.filter(objectives__isnull=False)
        .values("objectives")
        .annotate(count=Count("id", distinct=True), participants=Coalesce(Sum(counted_participants_expression()), 0))
        .order_by()
    }
    by_objective = [
        ObjectiveFigures(
            objective,
            rows.get(objective.pk, {}).get("count", 0),
            rows.get(objective.pk, {}).get("participants", 0),
        )
        for objective in (Objective.objects.all() if objectives is None else objectives)
    ]
    return {
        "activities": totals["count"],
        "participants": totals["participants"],
        "by_objective": by_objective,
        "activities_recorded": totals["recorded"] > 0,
    }


def year_figures(fiscal_year, *, objectives=None):
    """Return every computed figure of ``fiscal_year``: six queries (five given the ``objectives``)."""
    fiscal_year = FiscalYear.parse(fiscal_year)
    counts = _member_counts(fiscal_year)
    return YearFigures(
        fiscal_year=fiscal_year,
        **member_portrait(fiscal_year, counts=counts),
        **activity_totals(fiscal_year, objectives=objectives),
        by_legal_form=members_by_legal_form(fiscal_year, counts=counts),
    )
