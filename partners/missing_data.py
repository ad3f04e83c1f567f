"""What a partnership may lack for the annual report (registered with ``pole.missing_data``)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Partnership
from pole.missing_data import MissingData, register


@register(Partnership)
def partnership_checks():
    """Return the checks of a partnership: a logo, its own or its member profile's."""
    no_member_logo = Q(organisation__member__isnull=True) | Q(organisation__member__logo="")
    return [MissingData("logo", _("no logo"), Q(organisation__logo="") & no_member_logo)]
