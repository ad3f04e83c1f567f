"""Reads of events other pages share: the public events and the calendar's lists."""

from django.db.models import Q
from django.utils import timezone

from activities.models import Activity
from pole.fiscal_years import FiscalYear


def public_events():
    """The activities open to registration, with their territory and objectives."""
    return Activity.objects.filter(registration_open=True).select_related("territory").prefetch_related("objectives")


def calendar_activities():
    """Upcoming events, then the past ones of the current fiscal year (most recent first)."""
    today = timezone.localdate()
    fiscal_year = FiscalYear.current()
    events = public_events().with_counted_participants()
    upcoming = events.filter(Q(start_date__gte=today) | Q(end_date__gte=today)).order_by("start_date", "start_time")
    past = (
        events.filter(start_date__gte=fiscal_year.start_date, start_date__lt=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__lt=today))
        .order_by("-start_date")
    )
    return upcoming, past, fiscal_year
