"""An accessibility audit of the site's pages with axe-core, in a real headless Chromium.

axe-core's script comes from the PyPI package ``axe-playwright-python`` (pinned in
requirements-dev.txt, which bundles it); it is injected into the page by Playwright, never
fetched from a CDN. Each page is checked against WCAG 2.1 level A and AA (axe's tags
``wcag2a``, ``wcag2aa``, ``wcag21a``, ``wcag21aa``); a page passes with no violation of
impact « serious » or « critical ». Each page prints its violations counted by impact (run
with ``-s`` to read them), and the failure message lists each violation with its elements.

The verification page of a published report and the report page itself must also fit a
phone's width (390 px) without scrolling sideways.

The pages only read the data: the module shares one committed demo, its report published
(version 1), and a live server of its own (conftest.py's ``shared_demo_site``); a test that
changes a record puts it back.
"""

import re
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, TestCase
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from activities.models import Activity
from conftest import DESKTOP, PHONE
from demo.data import DEMO_MEMBER
from members import invitations
from members.models import Contact, Member
from members.tests.factories import ContactFactory
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("shared-demo-site")]

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ["critical", "serious", "moderate", "minor"]
BLOCKING = {"critical", "serious"}
REPORT_YEAR = "2016-2017"
REPRESENTATIVE = "membre@exemple.org"
# Who looks at a page (``PAGES``), by their account.
LOOKERS = {"member": REPRESENTATIVE, "personnel": "personnel@exemple.org", "direction": "direction@exemple.org"}


def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def audit(page):
    """Run axe-core's WCAG 2.1 A and AA rules on the page; return axe's results."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    return axe().run(page, options=options).response


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(line.strip() for line in node["failureSummary"].splitlines()[1:])
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


# --- The pages, each with who looks at it ---------------------------------------------------
# A page is (who, path): who is None (a visitor), "member" (the demo's member representative),
# "personnel" or "direction" (staff); path is a string or a function
# of the test's data returning one.


def representative_contact():
    return Contact.objects.get(email=REPRESENTATIVE)


# Rows a page needs that the demo has not, committed once for the module (``committed_rows``): on
# PostgreSQL the live server sees only committed data, never a test's own transaction.
COMMITTED = {}


@pytest.fixture(scope="module")
def committed_rows(shared_demo_site, django_db_blocker):
    """A colleague of the representative without an account, a fresh invitation of theirs as staff
    send it, and a session of each person who looks at pages, committed to the shared demo site
    (emptied with it at the module's end)."""
    with django_db_blocker.unblock():
        contact = ContactFactory(
            member=listed_member(), first_name="Marc", last_name="Lévesque", email="marc.levesque@exemple.org"
        )
        # Autocommit: the invitation's e-mail leaves the outbox at once.
        with TestCase.captureOnCommitCallbacks(execute=True):
            invitations.invite(contact, sent_by=None, base_url="http://testserver/")
        COMMITTED["colleague"] = contact.pk
        COMMITTED["invitation"] = re.search(r"http://testserver(/invitation/\S+/)", mail.outbox[-1].body)[1]
        # A session of each person who looks at pages, opened once: a test's browser starts logged
        # in rather than going through a login page (audited on its own, « login »).
        COMMITTED["site"] = shared_demo_site.url
        for who, email in LOOKERS.items():
            client = Client()
            client.force_login(get_user_model().objects.get(email=email))
            COMMITTED[f"session-{who}"] = client.cookies[settings.SESSION_COOKIE_NAME].value
    yield COMMITTED
    COMMITTED.clear()


def listed_member():
    return Member.objects.get(name=DEMO_MEMBER)


def upcoming_event():
    """The demo's first upcoming event (open registration, in the current fiscal year)."""
    return Activity.objects.filter(registration_open=True).order_by("start_date").first()


def annual_report():
    return AnnualReport.objects.get(fiscal_year=FiscalYear.parse(REPORT_YEAR))


def representatives_registration():
    """The demo representative's registration to the first upcoming event."""
    from activities.models import Registration

    return Registration.objects.get(activity=upcoming_event(), email=REPRESENTATIVE)




def published_membership():
    """A membership of the published year 2016-2017: its deletion page names the figures that change."""
    from members.models import Membership

    return Membership.objects.filter(fiscal_year=FiscalYear.parse(REPORT_YEAR)).order_by("pk").first()


def unsubscribe_link():
    """The unsubscribe link of the news sent to the representative (a signed token, no login)."""
    from pole.unsubscribe import unsubscribe_token

    return f"/desabonnement/{unsubscribe_token('news', [REPRESENTATIVE])}/"


def password_reset_link():
    user = representative_contact().user
    return f"/mot-de-passe/nouveau/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"


PAGES = {
    # Events (issue 16) and dues (issue 17)
    "events-calendar": (None, "/activites/"),
    "event-detail": (None, lambda: f"/activites/{upcoming_event().pk}/"),
    "portal-registrations": ("member", "/membre/inscriptions/"),
    "portal-invoices": ("member", "/membre/factures/"),
    "portal-renew": ("member", "/membre/renouveler/2017-2018/"),
    "event-door": ("personnel", lambda: f"/activites/{upcoming_event().pk}/accueil/"),
    # Daily journeys (issue 26): the registered representative, cancelling, the payment form
    "event-detail-registered": ("member", lambda: f"/activites/{upcoming_event().pk}/"),
    "portal-cancel": ("member", lambda: f"/membre/inscriptions/{representatives_registration().pk}/annuler/"),
    "admin-payment-add": ("personnel", "/admin/members/payment/add/"),
    "admin-dashboard-chosen-year": ("direction", "/admin/?exercice=2017-2018"),
    # Imports that never erase (issue 21): the import form, the deletion of a membership a published report counts
    "admin-member-import": ("personnel", "/admin/members/member/import/"),
    "admin-published-membership-delete": (
        "direction",
        lambda: f"/admin/members/membership/{published_membership().pk}/delete/",
    ),
    # Privacy (issue 23): the policy, the unsubscribe link's page, the Direction's search of a person's data
    "privacy": (None, "/confidentialite/"),
    "unsubscribe": (None, unsubscribe_link),
    "admin-person-data": ("direction", "/admin/pole/privacyrequest/personne/"),
    "admin-person-data-found": ("direction", f"/admin/pole/privacyrequest/personne/?email={REPRESENTATIVE}"),
    # Public pages
    "home": (None, "/"),
    "report-list": (None, "/rapports/"),
    "annual-report": (None, f"/rapports/{REPORT_YEAR}/"),  # the frozen version 1, as adopted
    "directory": (None, "/membres/"),
    "directory-member": (None, lambda: f"/membres/{listed_member().pk}/"),
    "login": (None, "/connexion/"),
    "password-reset": (None, "/mot-de-passe/oublie/"),
    "password-reset-done": (None, "/mot-de-passe/oublie/envoye/"),
    "password-reset-confirm": (None, password_reset_link),
    "password-reset-complete": (None, "/mot-de-passe/nouveau/termine/"),
    "invitation-accept": (None, lambda: COMMITTED["invitation"]),
    "invitation-invalid": (None, "/invitation/ce-lien-ne-vaut-rien/"),  # a 404 page of its own
    # The member portal
    "portal": ("member", "/membre/"),
    "profile-form": ("member", "/membre/profil/"),
    "contact-list": ("member", "/membre/contacts/"),
    "contact-add": ("member", "/membre/contacts/ajouter/"),
    "contact-edit": ("member", lambda: f"/membre/contacts/{COMMITTED['colleague']}/"),
    "contact-delete": ("member", lambda: f"/membre/contacts/{COMMITTED['colleague']}/supprimer/"),
    "password-change": ("member", "/mot-de-passe/"),
    "password-change-done": ("member", "/mot-de-passe/modifie/"),
    # The report's verification (readiness) page and a sample of the admin
    "verification": ("direction", f"/rapports/{REPORT_YEAR}/verification/"),
    "annual-report-live": ("direction", f"/rapports/{REPORT_YEAR}/?direct=1"),  # with the staff's toolbar
    "admin-index": ("personnel", "/admin/"),
    "admin-dashboard": ("direction", f"/admin/?exercice={REPORT_YEAR}"),
    "admin-changelist": ("personnel", "/admin/members/member/"),
    "admin-change-form": ("personnel", lambda: f"/admin/members/member/{listed_member().pk}/change/"),
    "admin-activity-changelist": ("personnel", "/admin/activities/activity/"),
    "admin-report-change-form": ("direction", lambda: f"/admin/reports/annualreport/{annual_report().pk}/change/"),
}


def open_as(shared_page, who, path, viewport=DESKTOP):
    """Open ``path`` as ``who`` (None: a visitor), logged in by the session opened for them."""
    page = shared_page(viewport)
    if who is not None:
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": COMMITTED[f"session-{who}"], "url": COMMITTED["site"]}]
        )
    response = page.goto(path if isinstance(path, str) else path())
    assert response.status < 400 or "/invitation/" in page.url, f"{page.url}: HTTP {response.status}"
    if who is not None:  # the session took: no login page instead of the page asked for
        assert not re.search(r"/connexion/|/admin/login/", page.url), page.url
    return page


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_violation(committed_rows, shared_page, name):
    who, path = PAGES[name]
    page = open_as(shared_page, who, path)
    results = audit(page)
    violations = results["violations"]
    rules = len({rule["id"] for kind in ("violations", "passes", "incomplete", "inapplicable") for rule in results[kind]})
    counts = Counter(violation["impact"] for violation in violations)
    print(
        f"\naxe {results['testEngine']['version']}, {rules} rules, {name} ({page.url}): "
        + ", ".join(f"{impact} {counts[impact]}" for impact in IMPACTS)
    )
    if violations:
        print(describe(violations))
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING]
    assert not blocking, describe(blocking)


def test_the_audit_finds_a_violation(shared_page):
    """The audit can fail: an image without a text alternative and grey-on-white text are caught."""
    page = shared_page(DESKTOP)
    page.goto("/connexion/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<img src="/favicon.ico"><p id="pale">Pâle</p>');
            // Set through the CSSOM: the site's Content-Security-Policy refuses style attributes.
            const pale = document.getElementById('pale');
            pale.style.color = '#bbb';
            pale.style.background = '#fff';
        }"""
    )
    found = {violation["id"]: violation["impact"] for violation in audit(page)["violations"]}
    assert found["image-alt"] == "critical"
    assert found["color-contrast"] == "serious"


# --- Narrow screens ---------------------------------------------------------------------------


def sideways_overflow(page):
    """How many pixels the page scrolls sideways (0 when it fits its viewport)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("name", ["annual-report", "annual-report-live", "verification"])
def test_fits_a_phone_without_sideways_scroll(committed_rows, shared_page, name):
    who, path = PAGES[name]
    page = open_as(shared_page, who, path, viewport=PHONE)
    assert page.evaluate("document.documentElement.clientWidth") == PHONE["width"]
    assert sideways_overflow(page) == 0
