

from activities.models import Activity
from members.models import Membership
from pole.fiscal_years import years_with_data
from reports.models import AnnualReport


def fiscal_years_with_data():
    """Return the set of fiscal years that have memberships, activities or a report. One query."""
    return set(years_with_data(Membership, Activity, AnnualReport))


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
