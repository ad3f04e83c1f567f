"""What an activity may lack for the annual report (registered with ``pole.missing_data``)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Measure
from pole.missing_data import MissingData, register


@register(Activity)
def activity_checks():
    """Return the checks of an activity: participants, objective, territory."""
    has_measure = Exists(Measure.objects.filter(activity=OuterRef("pk")))
    has_objective = Exists(Activity.objectives.through.objects.filter(activity=OuterRef("pk")))
    return [
        # Measures stand in for a head count (« 7 entreprises participantes »), as in the readiness check.
        # A representation's participants are never counted: it lacks nothing without them.
        MissingData(
            "participants",
            _("no participants"),
            Q(participants__isnull=True) & ~has_measure & ~Q(role=Activity.Role.REPRESENTATION),
        ),
        MissingData("objectif", _("no objective"), ~has_objective),
        MissingData("territoire", _("no territory"), Q(territory__isnull=True)),
    ]
