"""Reads other pages share: who the public directory lists."""

from dataclasses import dataclass

from django.db.models import Max

from members.models import Member, Membership
from pole.fiscal_years import FiscalYear


@dataclass(frozen=True)
class DirectoryScope:
    """Which memberships put a consenting member in the directory.

    A member is in good standing with a membership in the current fiscal year or the
    previous one: renewals come in during the year, so last year's members stay listed
    through this one. When neither year holds any membership (a database
    whose records stopped, such as the demo, in the middle of its 2017-2018 renewals), the
    same rule applies from the latest year that has memberships — that year and the one
    before — and the directory says so (``latest_recorded``).
    """

    fiscal_years: tuple
    latest_recorded: FiscalYear | None = None


def directory_scope():
    """Return the directory's ``DirectoryScope``. At most two queries."""
    current = FiscalYear.current()
    window = (current, current.previous)
    if Membership.objects.filter(fiscal_year__in=window).exists():
        return DirectoryScope(window)
    latest = Membership.objects.filter(fiscal_year__lt=current.previous).aggregate(latest=Max("fiscal_year"))
    if latest["latest"] is None:
        return DirectoryScope(())
    latest = FiscalYear.parse(latest["latest"])
    return DirectoryScope((latest, latest.previous), latest_recorded=latest)


def directory_members(scope):
    """The consenting members of ``scope``'s fiscal years, by name."""
    return Member.objects.listed_in_directory(scope.fiscal_years)
