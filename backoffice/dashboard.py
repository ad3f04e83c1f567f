"""The staff dashboard on the admin index: the year so far, and what is missing.

Six aggregate queries, whatever the number of rows; the admin index template
only prints what ``staff_dashboard`` returns.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.attendance import upcoming_events
from activities.models import Activity, counted_participants_expression
from members.models import Member, Membership
from partners.models import Partnership
from pole.fiscal_years import FiscalYear
from pole.formatting import format_date, format_number, format_percent, not_available, with_minus
from pole.missing_data import checks_for
from reports.statistics import percentage


def same_day_last_year(day):
    """Return the same calendar day a year earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Comparison:
    """One figure of the year so far beside the same figure a year earlier.

    A figure is unknown (``None``) when the year it counts has no records to count from,
    e.g. new members in the first year of records; it prints « n.d. », never as a zero.
    """

    label: str
    current: int | None
    previous: int | None

    @property
    def change(self):
        """The change in whole per cent, halves up; None when either year is unknown or was zero."""
        if self.current is None or self.previous is None:
            return None
        return percentage(self.current - self.previous, self.previous)

    @property
    def current_display(self):
        return not_available() if self.current is None else format_number(self.current)

    @property
    def previous_display(self):
        return not_available() if self.previous is None else format_number(self.previous)

    @property
    def change_display(self):
        change = self.change
        if change is None:
            return not_available() if self.current is None or self.previous is None else "—"
        return f"+{format_percent(change)}" if change > 0 else with_minus(format_percent(change))

    @property
    def trend(self):
        """``up``, ``down``, ``flat`` or ``unknown``, for the stylesheet."""
        if self.current is None or self.previous is None:
            return "unknown"
        if self.current == self.previous:
            return "flat"
        return "up" if self.current > self.previous else "down"


@dataclass
class MissingCell:
    count: int
    url: str

    @property
    def count_display(self):
        return format_number(self.count)


@dataclass
class MissingRow:
    label: str
    cells: list


@dataclass
class MissingSection:
    title: str
    rows: list = field(default_factory=list)


def _year_params(fiscal_year, **extra):
    return urlencode({"exercice": fiscal_year.label, **extra})


def _paid_by(cutoff):
    # A membership counts from its payment date when known; one without a date
    # cannot be placed in the year and counts whatever the cut-off.
    return Q(paid_on__isnull=True) | Q(paid_on__lte=cutoff)


def year_so_far(today):
    """Compare the current fiscal year up to ``today`` with the previous one up to the same day.

    - activities: activities whose role is réalisation or co-réalisation (as in
      the report) starting between the first day of the fiscal year and the
      cut-off day (``today``, or the same day a year earlier) included;
    - participants: the sum of those activities' participants, unknown as 0 (an activity
      with registrations counts its attendance, as in the report);
    - members: the fiscal year's memberships paid on or before the cut-off day;
      a membership without a payment date counts whatever the day, since
      nothing tells when it was taken;
    - new members: those memberships whose member holds none in an earlier
      fiscal year.

    A year with no records of a kind is unknown, not zero: the previous year's activities
    and participants when it holds no activity at all, its members when it holds no
    membership; and new members of a year when no earlier year holds a membership (in
    the first year of records every member would look new). Two queries.
    """
    current = FiscalYear.containing(today)
    previous = current.previous
    last_year = same_day_last_year(today)
    periods = {"current": (current, today), "previous": (previous, last_year)}

    reported = Q(role__in=Activity.REPORTED_ROLES)
    activity_filters = {
        key: reported & Q(start_date__range=(fiscal_year.start_date, cutoff))
        for key, (fiscal_year, cutoff) in periods.items()
    }
    activities = Activity.objects.aggregate(
        **{f"count_{key}": Count("pk", filter=condition) for key, condition in activity_filters.items()},
        **{
            f"participants_{key}": Coalesce(Sum(counted_participants_expression(), filter=condition), 0)
            for key, condition in activity_filters.items()
        },
        recorded_previous=Count("pk", filter=Q(start_date__range=(previous.start_date, previous.end_date))),
    )

    earlier = Exists(Membership.objects.filter(member=OuterRef("member"), fiscal_year__lt=OuterRef("fiscal_year")))
    membership_filters = {
        key: Q(fiscal_year=fiscal_year) & _paid_by(cutoff) for key, (fiscal_year, cutoff) in periods.items()
    }
    memberships = Membership.objects.aggregate(
        **{f"members_{key}": Count("pk", filter=condition) for key, condition in membership_filters.items()},
        **{f"new_{key}": Count("pk", filter=condition & ~earlier) for key, condition in membership_filters.items()},
        recorded_previous=Count("pk", filter=Q(fiscal_year=previous)),
        first_year=Min("fiscal_year"),
    )
    first_year = memberships["first_year"]
    first_year = FiscalYear.parse(first_year) if first_year is not None else None

    def known(value, condition):
        return value if condition else None

    previous_activities = activities["recorded_previous"] > 0
    previous_members = memberships["recorded_previous"] > 0
    return [
        Comparison(
            _("activities"),
            activities["count_current"],
            known(activities["count_previous"], previous_activities),
        ),
        Comparison(
            _("participants"),
            activities["participants_current"],
            known(activities["participants_previous"], previous_activities),
        ),
        Comparison(
            _("members"), memberships["members_current"], known(memberships["members_previous"], previous_members)
        ),
        Comparison(
            _("new members"),
            known(memberships["new_current"], first_year is not None and first_year < current),
            known(memberships["new_previous"], first_year is not None and first_year < previous),
        ),
    ]


def missing_data(fiscal_years, *, user=None):
    """Count, for each fiscal year, the records lacking something the report needs.

    Activities starting in the year, the year's members and partnerships, with
    the checks of ``pole.missing_data``; each count links to the admin list
    showing those records. Sections the ``user`` may not view are left out.
    Three queries.
    """
    sections = []

    def section(model, title, checks, counts, url_name):
        if user is not None and not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            return
        url = reverse(url_name)
        rows = [
            MissingRow(
                check.label,
                [
                    MissingCell(
                        counts[f"{check.key}_{fiscal_year.start_year}"],
                        f"{url}?{_year_params(fiscal_year, manque=check.key)}",
                    )
                    for fiscal_year in fiscal_years
                ],
            )
            for check in checks
        ]
        sections.append(MissingSection(title, rows))

    def counts(queryset, checks, in_year):
        return queryset.aggregate(
            **{
                f"{check.key}_{fiscal_year.start_year}": Count("pk", filter=in_year(fiscal_year) & check.condition)
                for check in checks
                for fiscal_year in fiscal_years
            }
        )

    checks = checks_for(Activity)
    values = counts(Activity.objects.all(), checks, lambda fy: Q(start_date__range=(fy.start_date, fy.end_date)))
    section(Activity, _("Activities"), checks, values, "admin:activities_activity_changelist")

    checks = checks_for(Member)
    values = counts(
        Member.objects.all(),
        checks,
        lambda fy: Exists(Membership.objects.filter(member=OuterRef("pk"), fiscal_year=fy)),
    )
    section(Member, _("Members"), checks, values, "admin:members_member_changelist")

    checks = checks_for(Partnership)
    values = counts(Partnership.objects.all(), checks, lambda fy: Q(fiscal_year=fy))
    section(Partnership, _("Partnerships"), checks, values, "admin:partners_partnership_changelist")
    return sections


def default_fiscal_year(today, years_with_data):
    """The year the dashboard opens on: the current one, or the latest earlier one with data.

    Between the start of a fiscal year and its first record, the current year says nothing;
    the latest year that has data is what staff work on.
    """
    current = FiscalYear.containing(today)
    if current in years_with_data:
        return current
    earlier = [year for year in years_with_data if year < current]
    return max(earlier) if earlier else current


def staff_dashboard(*, user=None, today=None, fiscal_year=None, years_with_data=None, default_year=None):
    """Return the admin index's dashboard: the year so far and the missing data.

    By default ``default_year``, the latest year with figures (the admin index reads it with
    ``reports.services.latest_fiscal_year_with_figures``), else the current fiscal year or the
    latest one with data (``years_with_data``); when that is not the current year, the
    dashboard says so. The current year is shown up to today, against the previous one up
    to the same day; an earlier year whole, against the whole year before. Missing data is
    counted for that year and the previous one, whose report is prepared during the first
    months of the next. Lists the upcoming events with their registrations against capacity.
    Six queries.
    """
    today = today or timezone.localdate()
    current = FiscalYear.containing(today)
    default = min(default_year, current) if default_year else default_fiscal_year(today, set(years_with_data or ()))
    chosen = FiscalYear.parse(fiscal_year) if fiscal_year else None
    fallback = None
    if chosen is None:
        chosen = default
        if chosen != current:
            fallback = current
    fiscal_year = min(chosen, current)
    complete = fiscal_year < current
    cutoff = fiscal_year.end_date if complete else today
    fiscal_years = [fiscal_year, fiscal_year.previous]
    return {
        "today": today,
        "fiscal_year": fiscal_year,
        "current_without_data": fallback,
        # The year the dashboard opens on, when the user chose another one.
        "default_year": default if default != fiscal_year else None,
        "complete": complete,
        "today_display": format_date(cutoff),
        "last_year_display": format_date(same_day_last_year(cutoff)),
        "comparisons": year_so_far(cutoff),
        "missing_years": fiscal_years,
        "missing": missing_data(fiscal_years, user=user),
        "upcoming_events": upcoming_events(today),
    }


@dataclass
class CampaignRow:
    label: str
    count: int
    amount: str
    url: str

    @property
    def count_display(self):
        return format_number(self.count)


def campaign_dashboard(*, user=None, today=None):
    """The latest renewal campaign opened, step by step (``members.billing.selectors.campaign_figures``), or None.

    Each count links to the admin list it counts. Shown to staff who may view invoices. Four queries.
    """
    from members.billing.dues import format_money
    from members.billing.selectors import campaign_figures
    from members.models import RenewalCampaign

    if user is not None and not user.has_perm("members.view_invoice"):
        return None
    today = today or timezone.localdate()
    campaign = RenewalCampaign.objects.filter(opened_on__isnull=False).order_by("-fiscal_year").first()
    if campaign is None:
        return None
    year = campaign.fiscal_year
    members = reverse("admin:members_member_changelist")
    memberships = reverse("admin:members_membership_changelist")
    invoices = reverse("admin:members_invoice_changelist")
    links = {
        "invited": (pgettext_lazy("renewal campaign", "invited"), f"{members}?{urlencode({'campagne': year.label})}"),
        "renewed": (pgettext_lazy("renewal campaign", "renewed"), f"{memberships}?{_year_params(year)}"),
        "invoiced": (pgettext_lazy("renewal campaign", "invoiced"), f"{invoices}?{_year_params(year, kind='invoice', etat='emise')}"),
        "paid": (pgettext_lazy("renewal campaign", "paid"), f"{invoices}?{_year_params(year, kind='invoice', etat='payee')}"),
        "late": (pgettext_lazy("renewal campaign", "late"), f"{invoices}?{_year_params(year, kind='invoice', etat='retard')}"),
    }
    rows = [
        CampaignRow(
            links[figure.key][0],
            figure.count,
            format_money(figure.amount) if figure.amount is not None else "",
            links[figure.key][1],
        )
        for figure in campaign_figures(year, today=today)
    ]
    return {"campaign": campaign, "rows": rows}
