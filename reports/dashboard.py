"""The staff dashboard on the admin index: the year so far, and what is missing.

Five aggregate queries, whatever the number of rows; the admin index template
only prints what ``staff_dashboard`` returns.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from members.models import Member, Membership
from partners.models import Partnership
from pole.fiscal_years import FiscalYear
from reports.formatting import format_date, format_number, format_percent
from reports.missing_data import activity_checks, member_checks, partnership_checks
from reports.statistics import percentage


def same_day_last_year(day):
    """Return the same calendar day a year earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Comparison:
    """One figure of the year so far beside the same figure a year earlier."""

    label: str
    current: int
    previous: int

    @property
    def change(self):
        """The change in whole per cent, halves up; None when there was nothing a year earlier."""
        return percentage(self.current - self.previous, self.previous)

    @property
    def current_display(self):
        return format_number(self.current)

    @property
    def previous_display(self):
        return format_number(self.previous)

    @property
    def change_display(self):
        change = self.change
        if change is None:
            return "—"
        return f"+{format_percent(change)}" if change > 0 else format_percent(change).replace("-", "−")

    @property
    def trend(self):
        """``up``, ``down`` or ``flat``, for the stylesheet."""
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
    - participants: the sum of those activities' participants, unknown as 0;
    - members: the fiscal year's memberships paid on or before the cut-off day;
      a membership without a payment date counts whatever the day, since
      nothing tells when it was taken;
    - new members: those memberships whose member holds none in an earlier
      fiscal year.

    Two queries.
    """
    current = FiscalYear.containing(today)
    previous = current.previous
    last_year = same_day_last_year(today)
    periods = {"current": (current, today), "previous": (previous, last_year)}

    activity_filters = {
        key: Q(start_date__range=(fiscal_year.start_date, cutoff)) for key, (fiscal_year, cutoff) in periods.items()
    }
    activities = Activity.objects.reported().aggregate(
        **{f"count_{key}": Count("pk", filter=condition) for key, condition in activity_filters.items()},
        **{
            f"participants_{key}": Coalesce(Sum("participants", filter=condition), 0)
            for key, condition in activity_filters.items()
        },
    )

    earlier = Exists(Membership.objects.filter(member=OuterRef("member"), fiscal_year__lt=OuterRef("fiscal_year")))
    membership_filters = {
        key: Q(fiscal_year=fiscal_year) & _paid_by(cutoff) for key, (fiscal_year, cutoff) in periods.items()
    }
    memberships = Membership.objects.filter(fiscal_year__in=[current, previous]).aggregate(
        **{f"members_{key}": Count("pk", filter=condition) for key, condition in membership_filters.items()},
        **{f"new_{key}": Count("pk", filter=condition & ~earlier) for key, condition in membership_filters.items()},
    )

    def compare(label, values, name):
        return Comparison(label, values[f"{name}_current"], values[f"{name}_previous"])

    return [
        compare(_("activities"), activities, "count"),
        compare(_("participants"), activities, "participants"),
        compare(_("members"), memberships, "members"),
        compare(_("new members"), memberships, "new"),
    ]


def missing_data(fiscal_years, *, user=None):
    """Count, for each fiscal year, the records lacking something the report needs.

    Activities starting in the year, the year's members and partnerships, with
    the checks of ``reports.missing_data``; each count links to the admin list
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

    checks = activity_checks()
    values = counts(Activity.objects.all(), checks, lambda fy: Q(start_date__range=(fy.start_date, fy.end_date)))
    section(Activity, _("Activities"), checks, values, "admin:activities_activity_changelist")

    checks = member_checks()
    values = counts(
        Member.objects.all(),
        checks,
        lambda fy: Exists(Membership.objects.filter(member=OuterRef("pk"), fiscal_year=fy)),
    )
    section(Member, _("Members"), checks, values, "admin:members_member_changelist")

    checks = partnership_checks()
    values = counts(Partnership.objects.all(), checks, lambda fy: Q(fiscal_year=fy))
    section(Partnership, _("Partnerships"), checks, values, "admin:partners_partnership_changelist")
    return sections


def staff_dashboard(*, user=None, today=None, fiscal_year=None):
    """Return the admin index's dashboard: the year so far and the missing data.

    By default the current fiscal year up to today, against the previous one up to
    the same day. For an earlier ``fiscal_year``, the whole year against the whole
    year before. Missing data is counted for that year and the previous one, whose
    report is prepared during the first months of the next. Five queries.
    """
    today = today or timezone.localdate()
    current = FiscalYear.containing(today)
    fiscal_year = FiscalYear.parse(fiscal_year) if fiscal_year else current
    if fiscal_year > current:
        fiscal_year = current
    complete = fiscal_year < current
    cutoff = fiscal_year.end_date if complete else today
    fiscal_years = [fiscal_year, fiscal_year.previous]
    return {
        "today": today,
        "fiscal_year": fiscal_year,
        "complete": complete,
        "today_display": format_date(cutoff),
        "last_year_display": format_date(same_day_last_year(cutoff)),
        "comparisons": year_so_far(cutoff),
        "missing_years": fiscal_years,
        "missing": missing_data(fiscal_years, user=user),
    }
