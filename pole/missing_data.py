"""What a record may lack for the annual report, as query conditions.

One definition serves the admin's « données manquantes » list filters and the
staff dashboard, so a count on the dashboard and the list its link opens always
agree. Each check is a ``Q`` or ``Exists`` condition on the model's rows, usable
in ``filter()`` and in an aggregate's ``filter=``. Each app registers the checks of its
own models (``activities/missing_data.py``, ``members/missing_data.py``,
``partners/missing_data.py``); this module knows no app.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import BooleanField, ExpressionWrapper, Q


@dataclass(frozen=True)
class MissingData:
    """One thing a record may lack: its URL value, its label and the condition selecting such records."""

    key: str
    label: str
    condition: Q


# The checks of each model, as functions returning a list of ``MissingData``. Each app
# registers its own in its ``missing_data`` module, which its AppConfig imports when ready.
_CHECKS = {}


def register(model):
    """Register the decorated function as the checks of ``model``'s records."""

    def decorate(function):
        _CHECKS[model._meta.label_lower] = function
        return function

    return decorate


def checks_for(model):
    """Return the checks of ``model``'s records (an empty list for a model without any)."""
    function = _CHECKS.get(model._meta.label_lower)
    return function() if function else []


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
