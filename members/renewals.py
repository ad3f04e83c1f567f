"""Renewing memberships for the following fiscal year."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from pole.fiscal_years import FiscalYear

from .models import Membership


@dataclass
class RenewalResult:
    """What a renewal did: memberships created, by fiscal year, and members left alone."""

    created: Counter = field(default_factory=Counter)
    skipped: int = 0

    @property
    def created_count(self):
        return sum(self.created.values())


@transaction.atomic
def renew_memberships(*, members, today=None):
    """Give each member the membership of the fiscal year after its latest one.

    A member without any membership gets the current fiscal year's. A member
    whose latest membership is already past the current fiscal year holds the
    following year's already: it is skipped, so that a second click does not
    run a year further ahead. Dues and payment date are left empty, to be
    filled in when paid. Three queries, whatever the number of members.
    """
    current = FiscalYear.containing(today) if today else FiscalYear.current()
    # The members' pks first: ``members`` may come filtered on a membership year,
    # which would hide the later memberships from a Max over the same join.
    member_ids = sorted(set(members.values_list("pk", flat=True)))
    latest = dict(
        Membership.objects.filter(member_id__in=member_ids)
        .values("member_id")
        .annotate(latest=Max("fiscal_year"))
        .values_list("member_id", "latest")
        .order_by()
    )
    result = RenewalResult()
    new = []
    for member_id in member_ids:
        latest_year = latest.get(member_id)
        target = FiscalYear.parse(latest_year).next if latest_year else current
        if target > current.next:
            result.skipped += 1
            continue
        new.append(Membership(member_id=member_id, fiscal_year=target))
        result.created[target] += 1
    Membership.objects.bulk_create(new)
    return result
