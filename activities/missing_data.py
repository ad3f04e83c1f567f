"""What an activity may lack for the annual report (registered with ``pole.missing_data``)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Measure, Registration
from pole.missing_data import MissingData, register


@register(Activity)
def activity_checks():
    """Return the checks of an activity: participants, objective, territory.

    Participants are missing only once the activity is over (an event still to come has no
    count yet), and, for an activity with registrations, when nobody was marked present or
    added at the door: its attendance is its count (``counted_participants_expression``).
    """
    has_measure = Exists(Measure.objects.filter(activity=OuterRef("pk")))
    has_objective = Exists(Activity.objectives.through.objects.filter(activity=OuterRef("pk")))
    active = Registration.objects.active().filter(activity=OuterRef("pk"))
    has_registrations = Exists(active)
    has_attendance = Exists(active.filter(present=True))
    over = Q(end_date__lt=timezone.localdate()) | Q(end_date__isnull=True, start_date__lt=timezone.localdate())
    no_count = (~has_registrations & Q(participants__isnull=True)) | (has_registrations & ~has_attendance)
    return [
        # Measures stand in for a head count (« 7 entreprises participantes »), as in the readiness check.
        # A representation's participants are never counted: it lacks nothing without them.
        MissingData(
            "participants",
            _("no participants"),
            over & no_count & ~has_measure & ~Q(role=Activity.Role.REPRESENTATION),
        ),
        MissingData("objectif", _("no objective"), ~has_objective),
        MissingData("territoire", _("no territory"), Q(territory__isnull=True)),
    ]
