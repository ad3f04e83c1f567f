"""Writes on members that span several rows: merging sectors."""

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from .models import Member, Sector

SECTOR_MERGE_REASON = "Fusion de secteurs"


@transaction.atomic
def merge_sectors(*, keep, others):
    """Move the members of ``others`` to the sector ``keep``, then delete ``others``.

    Each moved member gets a history record (reason « Fusion de secteurs »). Returns the
    number of members moved. Three queries and one per thousand members.
    """
    others = [sector for sector in others if sector.pk != keep.pk]
    members = list(Member.objects.filter(sector__in=others))
    for member in members:
        member.sector = keep
    bulk_update_with_history(members, Member, ["sector"], batch_size=1000, default_change_reason=SECTOR_MERGE_REASON)
    Sector.objects.filter(pk__in=[sector.pk for sector in others]).delete()
    return len(members)
