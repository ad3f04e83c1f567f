"""Change history that records changes, not saves."""

from django.db.models.fields.files import FieldFile
from simple_history.models import HistoricalRecords


def _comparable(value):
    return value.name or "" if isinstance(value, FieldFile) else value


class ChangeHistory(HistoricalRecords):
    """django-simple-history's records, minus the saves that change no tracked field.

    Re-saving an object unchanged (a demo reloaded, a form submitted as it was) adds
    nothing to its history, so the history lists only real changes.
    """

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and not kwargs.get("raw", False) and self._unchanged(instance, using):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance, using):
        latest = getattr(instance, self.manager_name).using(using).first()
        if latest is None:
            return False
        return all(
            _comparable(getattr(instance, field.attname)) == _comparable(getattr(latest, field.attname))
            for field in self.fields_included(instance)
        )
