"""Who reaches which address: every URL pattern of the project, for every role.

The test walks the URL configuration (the admin's included) and requests each pattern as
each role, comparing the status with the tables below. A pattern that no table covers fails
the test, so a new URL cannot go in without deciding who may reach it; a table entry that
matches no pattern fails it too.

- ``PAGES``: the site's own pages, by URL name (or by route, for unnamed patterns);
- ``ADMIN_SITE``: the admin's pages that belong to no model;
- the admin's model pages: ``MODEL_PERMISSIONS`` says what Personnel and Direction may do
  with each model (R view, C add, U change, D delete), ``ADMIN_MODEL_VIEWS`` what each kind
  of admin page needs. Anonymous visitors and representatives are sent to the admin's login.

Only GET requests are made, each from a fresh session of the role: the invitation page logs
out whoever else is logged in on the browser.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities.tests.factories import EventFactory, RegistrationFactory
from members.billing.invoices import issue_invoice, record_payment
from members.models import Member
from members.roles import DIRECTION, PERSONNEL
from members.tests.factories import (
    InvitationFactory,
    MemberFactory,
    RepresentativeFactory,
    UserFactory,
)
from pole.fiscal_years import FiscalYear
from pole.tests.test_admin import BUILDERS
from pole.unsubscribe import unsubscribe_token
from reports.tests.factories import AnnualReportFactory, ReportVersionFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "representative_a", "representative_b", "personnel", "direction")

# --- The site's pages ------------------------------------------------------------------------
# status for: anonymous, representative A, representative B, Personnel, Direction.
# Contact URLs use a colleague of A's; the report URLs a fiscal year whose report is a draft.

EVERYONE_200 = (200, 200, 200, 200, 200)
REPRESENTATIVES_ONLY = (302, 200, 200, 403, 403)
LOGGED_IN_ONLY = (302, 200, 200, 200, 200)

PAGES = {
    # Accounts
    "login": (200, 302, 302, 302, 302),  # logged-in people go on to their home page
    "logout": (405, 405, 405, 405, 405),  # POST only
    "password_change": LOGGED_IN_ONLY,
    "password_change_done": LOGGED_IN_ONLY,
    "password_reset": EVERYONE_200,
    "password_reset_done": EVERYONE_200,
    "password_reset_confirm": EVERYONE_200,  # a wrong link: the page says so
    "password_reset_complete": EVERYONE_200,
    "members:accept-invitation": EVERYONE_200,  # the token is the credential (logs others out)
    "set_language": (302, 302, 302, 302, 302),  # changes nothing on GET, goes back
    "favicon": (302, 302, 302, 302, 302),  # to the network's logo or the static mark
    "health": EVERYONE_200,  # a status code for anyone; each check's result for staff
    "identity-css": EVERYONE_200,  # the brand colours
    "robots-txt": EVERYONE_200,  # what search engines may index
    "home": EVERYONE_200,  # the network presented
    "privacy": EVERYONE_200,  # the privacy policy
    "unsubscribe": EVERYONE_200,  # an e-mail's signed link is the credential; no login
    "members:my-data": REPRESENTATIVES_ONLY,  # a representative's own data (JSON, HTML)
    # Member portal: A's colleague is not B's business
    "members:portal": REPRESENTATIVES_ONLY,
    "members:profile": REPRESENTATIVES_ONLY,
    "members:contacts": REPRESENTATIVES_ONLY,
    "members:contact-add": REPRESENTATIVES_ONLY,
    "members:contact-edit": (302, 200, 404, 403, 403),
    "members:contact-delete": (302, 200, 404, 403, 403),
    # Renewals and invoices: the open campaign's renewal, A's invoice and receipt (B's business: 404)
    "members:renew": REPRESENTATIVES_ONLY,
    "members:invoices": REPRESENTATIVES_ONLY,
    "members:invoice-pdf": (302, 200, 404, 403, 403),
    "members:receipt-pdf": (302, 200, 404, 403, 403),
    # Public directory
    "members:directory": EVERYONE_200,
    "members:directory-detail": EVERYONE_200,
    # Annual reports: a draft is known to staff only
    "reports:list": EVERYONE_200,
    "reports:annual": (404, 404, 404, 200, 200),
    "reports:annual-pdf": (404, 404, 404, 200, 200),
    "reports:annual-html": (404, 404, 404, 404, 404),  # a draft has no archived file, for anyone
    "reports:readiness": (302, 403, 403, 403, 200),
    "reports:create": (302, 403, 403, 403, 405),  # POST only, from the readiness check
    "reports:publish": (302, 403, 403, 403, 405),  # POST only, from the readiness check
    "reports:publication": (302, 403, 403, 403, 200),  # the publication's state, followed by the readiness page
    "reports:version-file": (302, 403, 403, 200, 200),  # earlier versions: staff only
    # Events: the calendar and the registration are public, the door and its tools staff's
    "activities:calendar": EVERYONE_200,
    "activities:feed": EVERYONE_200,
    "activities:detail": EVERYONE_200,
    "activities:registered": (302, 302, 302, 302, 302),  # back to the event without a registration of this session
    "activities:ics": EVERYONE_200,
    "activities:cancel": EVERYONE_200,  # the token is the credential
    "activities:confirm": EVERYONE_200,  # the e-mailed link's token is the credential
    "activities:door": (302, 403, 403, 200, 200),
    "activities:mark-present": (302, 403, 403, 405, 405),  # POST only
    "activities:walk-in": (302, 403, 403, 200, 200),
    "activities:attendance-sheet": (302, 403, 403, 200, 200),
    "activities:export-csv": (302, 403, 403, 200, 200),
    "activities:export-xlsx": (302, 403, 403, 200, 200),
    "activities:email": (302, 403, 403, 200, 200),
    "activities:portal-registrations": REPRESENTATIVES_ONLY,
    "activities:portal-cancel": (302, 200, 404, 403, 403),  # A's organisation's registration: B's business it is not
    # Unnamed patterns, by route
    "^media/(?P<path>.*)$": EVERYONE_200,  # uploaded logos and photos are public
}

ADMIN_SITE = {
    "admin:index": (302, 302, 302, 200, 200),
    "admin:login": (200, 200, 200, 302, 302),  # a representative sees « not authorised »
    "admin:logout": (302, 302, 302, 405, 405),
    "admin:password_change": (302, 302, 302, 200, 200),
    "admin:password_change_done": (302, 302, 302, 200, 200),
    "admin:jsi18n": (302, 302, 302, 200, 200),
    "admin:autocomplete": (302, 302, 302, 403, 403),  # without its query, refused
    "admin:app_list": (302, 302, 302, 200, 200),  # the members app
    "admin:view_on_site": (302, 302, 302, 404, 404),  # members have no page of their own on the site
    "admin:auth_user_password_change": (302, 302, 302, 403, 200),  # users: Direction's
    "admin/(?P<url>.*)$": (302, 302, 302, 404, 404),  # an unknown admin address
    # Dues: staff download any invoice or receipt; the Direction prints the AGM's list.
    "admin:members_invoice_pdf": (302, 302, 302, 200, 200),
    "admin:members_payment_receipt": (302, 302, 302, 200, 200),
    "admin:members_membership_good_standing": (302, 302, 302, 403, 200),
    # A person's data, found by e-mail: the Direction's (the requests' register).
    "admin:pole_person_data": (302, 302, 302, 403, 200),
}

# --- The admin's model pages -----------------------------------------------------------------

ALL = "CRUD"
# model -> (Personnel, Direction): R view, C add, U change, D delete.
MODEL_PERMISSIONS = {
    "members.member": (ALL, ALL),
    "members.membership": (ALL, ALL),
    "members.contact": (ALL, ALL),
    "members.territory": (ALL, ALL),
    "members.sector": (ALL, ALL),
    "members.boardmandate": (ALL, ALL),
    "members.staffmember": (ALL, ALL),
    "members.invitation": ("R", "R"),  # a log: sent from the contacts list
    # Dues: the Direction's schedule and campaigns; documents issued by the portal or an action,
    # never edited; payments recorded, never changed; the notices a log.
    "members.duesrate": ("R", ALL),
    "members.renewalcampaign": ("R", ALL),
    "members.invoice": ("R", "R"),
    "members.payment": ("RC", "RC"),
    "members.duesnotice": ("R", "R"),
    "members.user": ("", ALL),
    "auth.group": ("", "R"),
    "activities.objective": ("R", ALL),
    "activities.activity": (ALL, ALL),
    "activities.measure": (ALL, ALL),
    "activities.project": (ALL, ALL),
    "activities.campaign": (ALL, ALL),
    "activities.registration": (ALL, ALL),
    "partners.organisation": (ALL, ALL),
    "partners.partnership": (ALL, ALL),
    "partners.affiliation": (ALL, ALL),
    "partners.committeeseat": (ALL, ALL),
    "reports.annualreport": ("R", ALL),
    "reports.reportmessage": ("R", ALL),
    "reports.declaredfigure": ("R", ALL),
    "reports.sectionintro": ("R", ALL),
    # The network's identity: one record, the Direction's; added once (a row exists here), never deleted.
    "pole.networkidentity": ("R", "RU"),
    # The outbox: staff read every e-mail's status and send failed ones again (an action); none is edited.
    "pole.outboxmessage": ("R", "R"),
    # Personal information: consents recorded and withdrawn, never deleted; unsubscriptions added,
    # never changed; requests and incidents the Direction's (an incident deleted after five years
    # only, and the row here is recent); the exports' log written by the exports.
    "pole.consentrecord": ("RCU", "RCU"),
    "pole.unsubscription": ("RC", "RC"),
    "pole.privacyrequest": ("", "RCU"),
    "pole.confidentialityincident": ("", "RCU"),
    "pole.personaldataaccess": ("", "R"),
    # Login lockouts: staff read them and unlock by deleting the attempt; the logs are Direction's.
    "axes.accessattempt": ("RD", "RD"),
    "axes.accesslog": ("", "R"),
    "axes.accessfailurelog": ("", "R"),
}


def view_or_change(letters):
    return "R" in letters or "U" in letters


# admin page (URL name suffix) -> status for staff holding ``letters`` on the model.
ADMIN_MODEL_VIEWS = {
    "changelist": lambda letters: 200 if view_or_change(letters) else 403,
    "add": lambda letters: 200 if "C" in letters else 403,
    "change": lambda letters: 200 if view_or_change(letters) else 403,
    "history": lambda letters: 200 if view_or_change(letters) else 403,
    "delete": lambda letters: 200 if "D" in letters else 403,
    # Spreadsheets (README): importing needs add and change, exporting view.
    "import": lambda letters: 200 if {"C", "U"} <= set(letters) else 403,
    "process_import": lambda letters: 405,  # POST only (the import's confirmation)
    "import_template": lambda letters: 200 if {"C", "U"} <= set(letters) else 403,  # the import's template file
    "export": lambda letters: 200 if view_or_change(letters) else 403,
    # One version of a member or contact in its history, to restore it.
    "simple_history": lambda letters: 200 if view_or_change(letters) else 403,
    # admin/<app>/<model>/<id>/ (unnamed): the old address of the change page.
    "object": lambda letters: 302,
}
NOT_STAFF = 302  # anonymous visitors and representatives: to the admin's login


# --- Walking the URL configuration -----------------------------------------------------------


@dataclass
class Pattern:
    route: str
    name: str | None

    @property
    def key(self):
        return self.name or self.route


def url_patterns(patterns=None, prefix="", namespace=None):
    """Every URL pattern of the project, with its full route and namespaced name."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Pattern(prefix + str(entry.pattern), name)


MODELS = {model._meta.label_lower: model for model in admin.site._registry}
ADMIN_MODEL_URL = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<view>[a-z_]+)$")
ADMIN_OBJECT_ROUTE = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/<path:object_id>/$")


def admin_model_view(pattern):
    """(model label, admin page) of an admin model URL, or None."""
    if pattern.name:
        match = ADMIN_MODEL_URL.match(pattern.name)
        if match is None:
            return None
        label, view = f"{match['app']}.{match['model']}", match["view"]
    else:
        match = ADMIN_OBJECT_ROUTE.match(pattern.route)
        if match is None:
            return None
        label, view = f"{match['app']}.{match['model']}", "object"
    if label not in MODELS or view not in ADMIN_MODEL_VIEWS:
        return None
    return label, view


def expected_statuses(pattern):
    """The five statuses the tables give for ``pattern``, or None if no table covers it."""
    if pattern.key in PAGES:
        return PAGES[pattern.key]
    if pattern.key in ADMIN_SITE:
        return ADMIN_SITE[pattern.key]
    found = admin_model_view(pattern)
    if found is None:
        return None
    label, view = found
    personnel, direction = MODEL_PERMISSIONS[label]
    rule = ADMIN_MODEL_VIEWS[view]
    return (NOT_STAFF, NOT_STAFF, NOT_STAFF, rule(personnel), rule(direction))


# --- Data the URLs point at ------------------------------------------------------------------


@pytest.fixture
def world(media_root):
    """Two member organisations with a representative each, staff, and a row of every model."""
    year = FiscalYear.current()
    member_a = MemberFactory(name="Coopérative A", directory_consent=True, fiscal_years=[year])
    member_b = MemberFactory(name="Coopérative B", directory_consent=True, fiscal_years=[year])
    representative_a = RepresentativeFactory(member=member_a)
    colleague_of_a = RepresentativeFactory(member=member_a)
    representative_b = RepresentativeFactory(member=member_b)
    rows = {label: build(0) for label, build in BUILDERS.items()}
    InvitationFactory(contact=RepresentativeFactory(member=member_b, user=None), token="jeton-valide")
    draft = AnnualReportFactory(fiscal_year=year, is_published=False)
    ReportVersionFactory(report=draft)  # a version published earlier, then withdrawn
    # An open campaign A and B may renew for (its year's dues come from the dues row), and
    # A's invoice of another year, paid: its receipt exists.
    campaign = rows["members.renewalcampaign"]
    campaign.opened_on = campaign.fiscal_year.start_date
    campaign.save()
    invoice_a = issue_invoice(member=member_a, fiscal_year=FiscalYear(2017))
    payment_a = record_payment(invoice=invoice_a, paid_on=FiscalYear(2017).start_date, amount=invoice_a.total)
    member_a.name = "Coopérative A (renommée)"
    member_a.save()  # a second version in its history
    (media_root / "logos").mkdir(parents=True)
    (media_root / "logos" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return {
        "users": {
            "anonymous": None,
            "representative_a": representative_a.user,
            "representative_b": representative_b.user,
            "personnel": UserFactory(is_staff=True, groups=[PERSONNEL]),
            "direction": UserFactory(is_staff=True, groups=[DIRECTION]),
        },
        "member_a": member_a,
        "colleague_of_a": colleague_of_a,
        "invitation_token": "jeton-valide",
        "draft": draft,
        "rows": rows,
        "campaign": campaign,
        "invoice_a": invoice_a,
        "payment_a": payment_a,
        # A's organisation's registration to an upcoming event, which A may cancel.
        "registration_of_a": RegistrationFactory(member=member_a, activity=EventFactory()),
    }


def url_of(pattern, world):
    """A URL of ``pattern`` that reaches real data of ``world``."""
    arguments = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "jeton-inconnu"},
        "members:contact-edit": {"pk": world["colleague_of_a"].pk},
        "members:contact-delete": {"pk": world["colleague_of_a"].pk},
        "members:directory-detail": {"pk": world["member_a"].pk},
        "members:accept-invitation": {"token": world["invitation_token"]},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(Member).pk,
            "object_id": world["member_a"].pk,
        },
        "reports:annual": {"label": world["draft"].fiscal_year.label},
        "reports:annual-pdf": {"label": world["draft"].fiscal_year.label},
        "reports:annual-html": {"label": world["draft"].fiscal_year.label},
        "reports:readiness": {"label": world["draft"].fiscal_year.label},
        "reports:create": {"label": world["draft"].fiscal_year.label},
        "reports:publish": {"label": world["draft"].fiscal_year.label},
        "reports:publication": {"label": world["draft"].fiscal_year.label},
        "reports:version-file": {"label": world["draft"].fiscal_year.label, "number": 1, "kind": "pdf"},
        "admin:app_list": {"app_label": "members"},
        "unsubscribe": {"token": unsubscribe_token("dues", ["a@exemple.org"])},
        "members:my-data": {"file_format": "json"},
        **{
            f"activities:{name}": {"pk": world["rows"]["activities.registration"].activity_id}
            for name in (
                "detail",
                "registered",
                "ics",
                "door",
                "walk-in",
                "attendance-sheet",
                "export-csv",
                "export-xlsx",
                "email",
            )
        },
        "activities:mark-present": {
            "pk": world["rows"]["activities.registration"].activity_id,
            "registration_pk": world["rows"]["activities.registration"].pk,
        },
        "activities:cancel": {"token": world["rows"]["activities.registration"].cancel_token},
        "activities:confirm": {"token": world["rows"]["activities.registration"].cancel_token},
        "activities:portal-cancel": {"pk": world["registration_of_a"].pk},
        "members:renew": {"year": world["campaign"].fiscal_year.label},
        "members:invoice-pdf": {"pk": world["invoice_a"].pk},
        "members:receipt-pdf": {"pk": world["payment_a"].pk},
        "admin:members_invoice_pdf": {"pk": world["invoice_a"].pk},
        "admin:members_payment_receipt": {"pk": world["payment_a"].pk},
        "admin:auth_user_password_change": {"id": world["users"]["representative_a"].pk},
    }
    routes = {
        "": "/",
        "^media/(?P<path>.*)$": "/media/logos/logo.png",
        "admin/(?P<url>.*)$": "/admin/inconnu/",
    }
    if pattern.key in routes:
        return routes[pattern.key]
    if pattern.name in arguments:
        return reverse(pattern.name, kwargs=arguments[pattern.name])
    found = admin_model_view(pattern)
    if found:
        label, view = found
        row = world["rows"][label]
        if view == "object":
            return f"/admin/{label.replace('.', '/')}/{row.pk}/"
        if view == "simple_history":
            version = row.history.order_by("history_id").first()
            return reverse(pattern.name, args=[row.pk, version.history_id])
        if view in ("change", "history", "delete"):
            return reverse(pattern.name, args=[row.pk])
        if view == "import_template":
            return reverse(pattern.name, args=["csv"])
    return reverse(pattern.name)


# --- The tests -------------------------------------------------------------------------------


def test_every_url_pattern_has_an_expected_access():
    patterns = list(url_patterns())
    uncovered = [p.key for p in patterns if expected_statuses(p) is None]
    assert uncovered == [], "URL patterns without an entry in the access tables"
    keys = {p.key for p in patterns}
    stale = sorted((set(PAGES) | set(ADMIN_SITE)) - keys)
    assert stale == [], "entries of the access tables that match no URL pattern"
    assert sorted(MODEL_PERMISSIONS) == sorted(MODELS)


def test_every_admin_model_has_its_usual_pages():
    """The rule table applies to each model's pages; check they exist, so it is exercised."""
    views = {}
    for pattern in url_patterns():
        found = admin_model_view(pattern)
        if found:
            views.setdefault(found[0], set()).add(found[1])
    for label in MODELS:
        assert {"changelist", "add", "change", "history", "delete", "object"} <= views[label], label
    assert {"import", "process_import", "export", "simple_history"} <= views["members.member"]


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world, settings):
    settings.SERVE_MEDIA = True
    user = world["users"][role]
    index = ROLES.index(role)
    differences = []
    for pattern in url_patterns():
        expected = expected_statuses(pattern)
        assert expected is not None, pattern
        url = url_of(pattern, world)
        client = Client()
        if user is not None:
            client.force_login(user)
        status = client.get(url).status_code
        if status != expected[index]:
            differences.append(f"{pattern.key} ({url}): expected {expected[index]}, got {status}")
    assert differences == []


# --- Fields no role may write in the admin ---------------------------------------------------
# (model, field): offered by no admin form, neither the model's own add and change pages nor
# an inline of another model's page, whatever the role. Shown read-only at most.
ADMIN_READ_ONLY_FIELDS = {
    # A contact's account is set only by accepting an invitation (members/invitations.py): a
    # field would let Personnel tie a contact to any account, the Direction's included, and
    # choose its password through the invitation.
    ("members.contact", "user"),
}
STAFF_ROLES = ("personnel", "direction")


def admin_forms(client, world):
    """(model label, form fields) of every admin form the client is offered, inlines included."""
    for label in MODELS:
        app, model = label.split(".")
        row = world["rows"][label]
        for url in (reverse(f"admin:{app}_{model}_add"), reverse(f"admin:{app}_{model}_change", args=[row.pk])):
            response = client.get(url)
            if response.status_code != 200:
                continue
            yield label, set(response.context["adminform"].form.fields)
            for inline in response.context["inline_admin_formsets"]:
                yield inline.opts.model._meta.label_lower, set(inline.formset.form.base_fields)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_no_admin_form_offers_a_read_only_field(role, world):
    client = Client()
    client.force_login(world["users"][role])
    offered, seen = [], set()
    for label, fields in admin_forms(client, world):
        seen.add(label)
        offered += [(label, field) for field in sorted(fields) if (label, field) in ADMIN_READ_ONLY_FIELDS]
    assert offered == []
    assert {label for label, _ in ADMIN_READ_ONLY_FIELDS} <= seen  # each model's forms were looked at
