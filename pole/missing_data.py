"""What a record may lack for the annual report, as query conditions.

One definition serves the admin's « données manquantes » list filters and the
staff dashboard, so a count on the dashboard and the list its link opens always
agree. Each check is a ``Q`` or ``Exists`` condition on the model's rows, usable
in ``filter()`` and in an aggregate's ``filter=``.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Measure
from members.models import Member
from partners.models import Partnership


@dataclass(frozen=True)
class MissingData:
    """One thing a record may lack: its URL value, its label and the condition selecting such records."""

    key: str
    label: str
    condition: Q


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


def member_checks():
    """Return the checks of a member: territory, legal form, setting, founding year."""
    return [
        MissingData("territoire", _("no territory"), Q(territory__isnull=True)),
        MissingData("forme-juridique", _("no legal form"), Q(legal_form="")),
        MissingData("milieu", _("no setting (urban or rural)"), Q(setting="")),
        MissingData("annee-fondation", _("no founding year"), Q(founding_year__isnull=True)),
    ]


def partnership_checks():
    """Return the checks of a partnership: a logo, its own or its member profile's."""
    no_member_logo = Q(organisation__member__isnull=True) | Q(organisation__member__logo="")
    return [MissingData("logo", _("no logo"), Q(organisation__logo="") & no_member_logo)]


CHECKS = {Activity: activity_checks, Member: member_checks, Partnership: partnership_checks}


def checks_for(model):
    """Return the checks of ``model``'s records (an empty list for a model without any)."""
    return CHECKS[model]() if model in CHECKS else []


def records_missing(queryset, checks):
    """Return the rows of ``queryset`` failing any of ``checks``, in one query.

    Each row gets ``missing``: the labels of the checks it fails, in the checks' order.
    """
    flags = {
        f"missing_{index}": ExpressionWrapper(check.condition, output_field=BooleanField())
        for index, check in enumerate(checks)
    }
    if not flags:
        return []
    rows = list(queryset.annotate(**flags).filter(reduce(or_, (check.condition for check in checks))))
    for row in rows:
        row.missing = [str(check.label) for index, check in enumerate(checks) if getattr(row, f"missing_{index}")]
    return rows
