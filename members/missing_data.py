"""What a member may lack for the annual report (registered with ``pole.missing_data``)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Member
from pole.missing_data import MissingData, register


@register(Member)
def member_checks():
    """Return the checks of a member: territory, legal form, setting, founding year."""
    return [
        MissingData("territoire", _("no territory"), Q(territory__isnull=True)),
        MissingData("forme-juridique", _("no legal form"), Q(legal_form="")),
        MissingData("milieu", _("no setting (urban or rural)"), Q(setting="")),
        MissingData("annee-fondation", _("no founding year"), Q(founding_year__isnull=True)),
    ]
