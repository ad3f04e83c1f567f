"""Writes on activities that span several models."""

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Activity, Measure

TITLE_MAX_LENGTH = Activity._meta.get_field("title").max_length
# Every column but the key; the creation and update times are set anew on insert.
COPIED_FIELDS = [field for field in Activity._meta.concrete_fields if not field.primary_key]


def _copy_title(title, taken_on_date):
    """Return « title (copie) », or « title (copie 2) », … the first one not taken that day."""
    number = 1
    while True:
        suffix = _(" (copy)") if number == 1 else _(" (copy %(number)d)") % {"number": number}
        candidate = title[: TITLE_MAX_LENGTH - len(suffix)] + suffix
        if candidate not in taken_on_date:
            return candidate
        number += 1


@transaction.atomic
def duplicate_activities(*, activities):
    """Copy each activity with its objectives, partners and measures; return the copies.

    A copy keeps the date, so its title gets « (copie) » to stay unique that day.
    Nine queries, whatever the number of activities.
    """
    sources = list(activities.order_by("start_date", "title").prefetch_related("objectives", "partners", "measures"))
    dates = {source.start_date for source in sources}
    taken = {}
    for start_date, title in Activity.objects.filter(start_date__in=dates).values_list("start_date", "title"):
        taken.setdefault(start_date, set()).add(title)

    copies = []
    for source in sources:
        duplicate = Activity(**{field.attname: getattr(source, field.attname) for field in COPIED_FIELDS})
        duplicate.title = _copy_title(source.title, taken.setdefault(source.start_date, set()))
        taken[source.start_date].add(duplicate.title)
        copies.append(duplicate)
    Activity.objects.bulk_create(copies)

    objective_links, partner_links, measures = [], [], []
    for source, duplicate in zip(sources, copies, strict=True):
        objective_links += [
            Activity.objectives.through(activity_id=duplicate.pk, objective_id=objective.pk)
            for objective in source.objectives.all()
        ]
        partner_links += [
            Activity.partners.through(activity_id=duplicate.pk, organisation_id=partner.pk)
            for partner in source.partners.all()
        ]
        measures += [
            Measure(activity=duplicate, label=measure.label, value=measure.value, order=measure.order)
            for measure in source.measures.all()
        ]
    Activity.objectives.through.objects.bulk_create(objective_links)
    Activity.partners.through.objects.bulk_create(partner_links)
    Measure.objects.bulk_create(measures)
    return copies
