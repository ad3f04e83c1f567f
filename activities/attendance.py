"""Who registered for and came to events: counts for one activity, one member, and the
events to come. The annual report's figures (``reports.statistics``) and the staff pages
read attendance here; each function is one aggregate query.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from activities.models import Activity, Registration
from pole.collation import french_order
from pole.fiscal_years import FiscalYear


@dataclass
class Attendance:
    """Who came to one activity, from its registrations."""

    confirmed: int
    waiting: int
    present: int
    walk_ins: int
    member_organisations: int

    @property
    def registered_present(self):
        return self.present - self.walk_ins


def activity_attendance(activity):
    """Count an activity's registrations: confirmed, waiting, present (walk-ins included), walk-ins,
    and the distinct member organisations present (« entreprises participantes »). One query."""
    confirmed = Q(status=Registration.Status.CONFIRMED)
    # Aliases other than the field names: an aggregate named « present » would hide the field.
    row = Registration.objects.filter(activity=activity).aggregate(
        n_confirmed=Count("pk", filter=confirmed),
        n_waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
        n_present=Count("pk", filter=confirmed & Q(present=True)),
        n_walk_ins=Count("pk", filter=confirmed & Q(present=True, walk_in=True)),
        n_members=Count("member", filter=confirmed & Q(present=True), distinct=True),
    )
    return Attendance(
        confirmed=row["n_confirmed"],
        waiting=row["n_waiting"],
        present=row["n_present"],
        walk_ins=row["n_walk_ins"],
        member_organisations=row["n_members"],
    )


def member_attendance(member, fiscal_year):
    """Count a member organisation's attendance in ``fiscal_year``: its persons present and the
    distinct activities they attended (activities starting in the year). One query."""
    fiscal_year = FiscalYear.parse(fiscal_year)
    present = Registration.objects.filter(
        member=member,
        status=Registration.Status.CONFIRMED,
        present=True,
        activity__start_date__range=(fiscal_year.start_date, fiscal_year.end_date),
    )
    return present.aggregate(persons=Count("pk"), activities=Count("activity", distinct=True))


def upcoming_events(today, *, limit=10):
    """The next events (registration open, not over) with their registrations against capacity.

    For the staff dashboard: each activity annotated ``confirmed`` and ``waiting``. One query.
    """
    return list(
        Activity.objects.filter(registration_open=True)
        .filter(Q(start_date__gte=today) | Q(end_date__gte=today))
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
            waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
        )
        .order_by("start_date", "start_time", french_order("title"))[:limit]
    )
