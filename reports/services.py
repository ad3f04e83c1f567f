

from django.db.models import Max
from django.utils import timezone

from activities.models import Activity
from members.models import Membership
from pole.fiscal_years import FiscalYear, years_with_data
from reports.models import AnnualReport


def fiscal_years_with_data():
    """Return the set of fiscal years that have memberships, activities or a report. One query."""
    return set(years_with_data(Membership, Activity, AnnualReport))


def latest_fiscal_year_with_figures(today=None):
    """Return the latest fiscal year, up to the current one, that has figures; None if none has.

    A year has figures once one of its activities is held (carried out or co-organised, started
    by ``today``): the activities and their participants are what the dashboard and the report
    count first. Events still to come do not make a year to look at, nor do the first renewals of
    a year that has held nothing yet (the year before is the one being reported on). Without any
    activity held, the latest year with memberships. One query (two without any activity held).
    """
    today = today or timezone.localdate()
    current = FiscalYear.containing(today)
    held = (
        Activity.objects.filter(role__in=Activity.REPORTED_ROLES, start_date__lte=today)
        .aggregate(latest=Max("start_date"))["latest"]
    )
    if held is not None:
        return FiscalYear.containing(held)
    latest = Membership.objects.filter(fiscal_year__lte=current).aggregate(latest=Max("fiscal_year"))["latest"]
    return FiscalYear.parse(latest) if latest is not None else None


def publish_report(*, report, by=None):
    """Publish ``report``: render it once, store the files as its next version, make it public.

    Returns the new ``ReportVersion`` (reports/publishing.py).
    """
    from reports.publishing import publish

    return publish(report=report, by=by)


def request_publication(*, report, by=None, key=None):
    """Queue the publication of ``report`` (a task renders it); return ``(publication, created)``.

    At most one publication of a report runs at a time; the same ``key`` (one click) finds the
    same publication (reports/publishing.py).
    """
    from reports.publishing import request_publication as request

    return request(report=report, by=by, key=key)


def unpublish_report(*, report):
    """Withdraw ``report`` from the public; its versions and the date it was last published are kept."""
    report.is_published = False
    report.save(update_fields=["is_published", "updated_at"])
    return report


def create_annual_report(*, fiscal_year):
    """Return the annual report of ``fiscal_year`` and whether it was created now (a draft, unpublished)."""
    return AnnualReport.objects.get_or_create(fiscal_year=fiscal_year)
