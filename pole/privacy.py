"""The registry of personal information: every field that holds some, why, who sees it, how long.

Québec's private-sector privacy act, as amended by Law 25, asks an organisation to know what
personal information it holds, to say so in clear terms (the public « Confidentialité » page),
to keep it no longer than its purpose needs, and to give it to the person who asks. One
registry, in code, serves all of it:

- each app registers the fields of its own models in its ``privacy`` module, imported by its
  AppConfig when ready (as with ``pole.missing_data``): ``register(...)`` for a personal field,
  ``not_personal(...)`` for a field whose name looks personal but holds none (an
  organisation's name), with the reason;
- ``pole/tests/test_privacy_registry.py`` walks every model's fields and fails on a field that
  looks personal and is in neither list;
- the privacy page (``policy_sections``) is generated from it;
- the retention job (``manage.py apply_retention``) runs the rules the apps register with
  ``retention_rule``; a person's data export runs the sections they register with
  ``person_data``.

This module knows no app: models are named by their label (``activities.registration``).
"""

import re
from collections import OrderedDict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pole.fields import PhoneField
from pole.text import normalize_email_identifier

# --- Categories -------------------------------------------------------------------------------

CATEGORIES = OrderedDict(
    [
        ("identity", _("Identity")),
        ("contact", _("Contact details")),
        ("role", _("Role in an organisation or in the network")),
        ("event", _("Event registration")),
        ("health", _("Dietary and accessibility needs")),
        ("image", _("Photos")),
        ("billing", _("Billing")),
        ("correspondence", _("E-mails sent by the network")),
        ("connection", _("Connections and security")),
        ("privacy", _("Consents and requests")),
    ]
)

# Who may see a field, in words for the page and as a key for the tests.
AUDIENCES = {
    "public": _("anyone (published on the site or in the report)"),
    "staff": _("the network's staff"),
    "direction": _("the Direction only"),
    "representative": _("the organisation's representatives and the network's staff"),
    "person": _("the person and the network's staff"),
    "system": _("nobody: read by the application only, for security"),
}


@dataclass(frozen=True)
class PersonalField:
    model: str
    field: str
    category: str
    purpose: object
    seen_by: tuple
    retention: object
    #: The data in plain words, when the field's own name would not say it to a visitor.
    what: object = None

    @property
    def model_class(self):
        return apps.get_model(self.model)

    @property
    def label(self):
        model = self.model_class
        try:
            verbose = model._meta.get_field(self.field).verbose_name
        except Exception:  # noqa: BLE001 — a field named by a framework model without a verbose name
            verbose = self.field.replace("_", " ")
        return f"{verbose} ({model._meta.verbose_name})"


_FIELDS = {}
_NOT_PERSONAL = {}


def register(model, fields, *, category, purpose, seen_by, retention, what=None):
    """Register ``fields`` of ``model`` (a label, ``app.model``) as personal information.

    ``what`` names the data in plain words for the privacy page (else each field's name and its model's).
    """
    if category not in CATEGORIES:
        raise ValueError(f"Unknown category {category!r}")
    seen_by = (seen_by,) if isinstance(seen_by, str) else tuple(seen_by)
    for audience in seen_by:
        if audience not in AUDIENCES:
            raise ValueError(f"Unknown audience {audience!r}")
    for name in fields:
        _FIELDS[(model, name)] = PersonalField(model, name, category, purpose, seen_by, retention, what)


def not_personal(model, fields, *, reason):
    """Declare ``fields`` of ``model`` as holding no personal information, saying why."""
    for name in fields:
        _NOT_PERSONAL[(model, name)] = reason


def _base_label(model_label):
    """A django-simple-history table keeps the fields of its model: ``members.historicalcontact`` → ``members.contact``."""
    app_label, _dot, name = model_label.partition(".")
    if name.startswith("historical"):
        return f"{app_label}.{name[len('historical') :]}"
    return model_label


def entry(model_label, field_name):
    """The registration of a field: a ``PersonalField``, the reason it holds none (a string), or None."""
    for label in (model_label, _base_label(model_label)):
        if (label, field_name) in _FIELDS:
            return _FIELDS[(label, field_name)]
        if (label, field_name) in _NOT_PERSONAL:
            return _NOT_PERSONAL[(label, field_name)]
    return None


def personal_fields():
    return list(_FIELDS.values())


# A field looks personal by its name or its type; such a field must be registered either way.
PERSONAL_NAME = re.compile(
    r"(^|_)(name|names|first_name|last_name|email|mail|phone|address|ip|needs|photo|recipients|body|"
    r"message|user_agent|username|note|notes|comment|caption|credit|reason|details|answer|session_data|"
    r"information|circumstances|wording|repr|post_data|get_data|notes|allergies|health|birth|portrait|mobile)($|_)"
)
PERSONAL_TYPES = (models.EmailField, models.GenericIPAddressField, models.ImageField, PhoneField)


def looks_personal(model_field):
    return bool(PERSONAL_NAME.search(model_field.name)) or isinstance(model_field, PERSONAL_TYPES)


def unregistered_fields(models_=None):
    """Every field of every installed model (or of ``models_``) that looks personal and is not in the registry.

    Return them as ``app.model.field``.
    """
    missing = []
    for model in models_ if models_ is not None else apps.get_models():
        label = model._meta.label_lower
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation:
                continue
            if looks_personal(model_field) and entry(label, model_field.name) is None:
                missing.append(f"{label}.{model_field.name}")
    return missing


# --- The privacy page -------------------------------------------------------------------------


@dataclass
class PolicySection:
    category: str
    title: object
    fields: list = field(default_factory=list)
    purposes: list = field(default_factory=list)
    audiences: list = field(default_factory=list)
    retentions: list = field(default_factory=list)


def _unique(values):
    seen, kept = set(), []
    for value in values:
        if str(value) not in seen:
            seen.add(str(value))
            kept.append(value)
    return kept


def policy_sections():
    """The registry grouped by category, in the categories' order: what, why, who sees it, how long."""
    sections = []
    for key, title in CATEGORIES.items():
        entries = [item for item in _FIELDS.values() if item.category == key]
        if not entries:
            continue
        sections.append(
            PolicySection(
                category=key,
                title=title,
                fields=_unique(item.what or item.label for item in entries),
                purposes=_unique(item.purpose for item in entries),
                audiences=_unique(AUDIENCES[audience] for item in entries for audience in item.seen_by),
                retentions=_unique(item.retention for item in entries),
            )
        )
    return sections


# --- Retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRule:
    key: str
    description: object
    apply: object  # function(*, now, dry_run) -> number of records changed (or that would be)


_RULES = OrderedDict()


def retention_rule(key, description):
    """Register the decorated function as a retention rule: ``function(*, now, dry_run)`` returns a count."""

    def decorate(function):
        _RULES[key] = RetentionRule(key, description, function)
        return function

    return decorate


def retention_rules():
    return list(_RULES.values())


# --- A person's data --------------------------------------------------------------------------

_SECTIONS = OrderedDict()


_SECTION_TITLES = {}


def section_title(key):
    return _SECTION_TITLES.get(key, key)


def person_data(key, title):
    """Register the decorated function as a section (``key``, ``title``) of a person's data export.

    ``function(person)`` gets a ``Person`` (the e-mail addresses and names matched so far) and
    returns a list of JSON-ready dicts; it may add to ``person.emails`` and ``person.names``
    (a contact's account address), so sections run in registration order.
    """

    def decorate(function):
        _SECTIONS[key] = function
        _SECTION_TITLES[key] = title
        return function

    return decorate


_ERASERS = OrderedDict()


def person_eraser(key):
    """Register the decorated function as an eraser: ``function(person, *, now)`` anonymises, returns a count."""

    def decorate(function):
        _ERASERS[key] = function
        return function

    return decorate


@dataclass
class Person:
    emails: set
    names: set = field(default_factory=set)
    user_ids: set = field(default_factory=set)


def normalise(email):
    return normalize_email_identifier(email)


def email_condition(field_name, emails):
    """``Q`` matching any of ``emails`` in ``field_name``, case aside (addresses were not always stored normalised)."""
    condition = Q(pk__in=[])
    for email in emails:
        if email:
            condition |= Q(**{f"{field_name}__iexact": email})
    return condition


def collect_person_data(email):
    """Everything the app holds about the person with ``email``: ``{"sections": {key: [records]}}``."""
    person = Person(emails={normalise(email)})
    sections = OrderedDict()
    for key, function in _SECTIONS.items():
        sections[key] = function(person)
    return {
        "schema": "pole.person-data/1",
        "email": normalise(email),
        "emails": sorted(person.emails),
        "names": sorted(person.names),
        "sections": sections,
    }


def erase_person(email, *, now):
    """Anonymise everything about the person with ``email`` that no law asks to keep; return counts by eraser."""
    person = Person(emails={normalise(email)})
    for function in _SECTIONS.values():
        function(person)
    return {key: function(person, now=now) for key, function in _ERASERS.items()}


# --- Exports ----------------------------------------------------------------------------------


def record_export(*, user, what, rows=None):
    """Log an export of personal information (who, when, what), so that an incident can be traced."""
    from pole.models import PersonalDataAccess

    return PersonalDataAccess.objects.create(user=user if user and user.is_authenticated else None, what=what[:255], rows=rows)




def _display(value):
    if value is None or value == "":
        return "—"
    if value is True or value is False:
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        return ", ".join(f"{key} = {_display(item)}" for key, item in value.items())
    if isinstance(value, list):
        return " · ".join(_display(item) for item in value) or "—"
    return str(value)


def titled_sections(data):
    """``collect_person_data``'s sections as ``(title, records)`` pairs for a page, each record as ``(key, text)`` pairs."""
    return [
        (section_title(key), [[(name, _display(value)) for name, value in record.items()] for record in records])
        for key, records in data["sections"].items()
    ]


def person_data_response(data, file_format, *, request):
    """A person's data as a download: ``json`` (the documented schema, README) or a readable ``html`` file."""
    import json

    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.utils import timezone

    stem = f"donnees-personnelles-{timezone.localdate().isoformat()}"
    if file_format == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        body = render_to_string("pole/person_data_file.html", {"data": data, "sections": titled_sections(data)}, request=request)
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    return response


# --- Consents ---------------------------------------------------------------------------------


def record_consent(*, email, name, purpose, wording, how, subject="", subject_key="", user=None):
    """Record a consent as given now, with the exact ``wording`` the person saw. Return the record."""
    from pole.models import ConsentRecord

    return ConsentRecord.objects.create(
        email=normalise(email),
        name=name,
        purpose=purpose,
        wording=str(wording),
        given_how=how,
        subject=subject,
        subject_key=subject_key,
        recorded_by=user if user is not None and user.is_authenticated else None,
    )


def withdraw_consent(*, purpose, how, email=None, subject_key=None):
    """Record the withdrawal, now, of the active consents of ``purpose`` for ``email`` or ``subject_key``."""
    from django.utils import timezone

    from pole.models import ConsentRecord

    consents = ConsentRecord.objects.filter(purpose=purpose, withdrawn_at__isnull=True)
    if email is not None:
        consents = consents.filter(email=normalise(email))
    if subject_key is not None:
        consents = consents.filter(subject_key=subject_key)
    return consents.update(withdrawn_at=timezone.now(), withdrawn_how=how)


def record_consent_change(*, given, purpose, how, subject, subject_key, wording, email="", name="", user=None):
    """Record a consent switched on (a new record) or off (the active ones of ``subject_key`` withdrawn)."""
    if given:
        return record_consent(
            email=email, name=name, purpose=purpose, wording=wording, how=how, subject=subject, subject_key=subject_key, user=user
        )
    return withdraw_consent(purpose=purpose, how=how, subject_key=subject_key)


def consent_wording(model_field):
    """The wording a consent checkbox shows: its label, then its help."""
    return f"{model_field.verbose_name} — {model_field.help_text}" if model_field.help_text else str(model_field.verbose_name)


def has_active_consent(*, email, purpose):
    from pole.models import ConsentRecord

    return ConsentRecord.objects.filter(email=normalise(email), purpose=purpose, withdrawn_at__isnull=True).exists()
