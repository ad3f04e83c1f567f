"""Writes on members that span several rows: merging sectors."""

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from pole.models import ConsentRecord
from pole.privacy import consent_wording, record_consent_change

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


def record_directory_consent(member, *, how, user=None, email="", name=""):
    """Record the organisation's directory consent as just switched on or off (pole.models.ConsentRecord)."""
    return record_consent_change(
        given=member.directory_consent,
        purpose=ConsentRecord.Purpose.DIRECTORY,
        how=how,
        subject=member.name,
        subject_key=f"members.member:{member.pk}",
        wording=consent_wording(member._meta.get_field("directory_consent")),
        email=email or (user.email if user is not None and user.is_authenticated else ""),
        name=name,
        user=user,
    )
