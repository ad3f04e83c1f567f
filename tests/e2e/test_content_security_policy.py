"""The main pages work in a real Chromium under the Content-Security-Policy.

The policy forbids inline scripts and styles; a page that still had one would report a
violation (the ``securitypolicyviolation`` event, and a console message). Each test opens
pages as a role, clicks what runs scripts, and asserts that nothing was reported.
"""

import pytest

from conftest import PHONE
from members.models import Member, Sector

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


@pytest.fixture
def demo(transactional_db):
    from demo.loader import load_demo
    from reports.tests.factories import give_portraits_and_logos

    load_demo(password=PASSWORD)
    # The demo ships no picture (a report never shows one that is not the event): the policy
    # must let a network's own photos, portraits and logos load.
    give_portraits_and_logos()


class Watched:
    """A browser page whose policy violations and console reports are collected."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path, *, status=200):
        response = self.page.goto(path)
        assert response.status == status, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        self.assert_no_violation(path)
        return response

    def assert_no_violation(self, where):
        self.page.wait_for_load_state("load")
        reported = self.page.evaluate("window.__cspViolations")
        assert reported == [], where
        assert self.console == [], where


def log_in_to_admin(watched, email):
    watched.visit("/admin/login/")
    watched.page.fill("#id_username", email)
    watched.page.fill("#id_password", PASSWORD)
    watched.page.locator("input[type=submit]").click()
    watched.page.wait_for_url("**/admin/")
    watched.assert_no_violation("admin login")


def test_a_violation_would_be_reported(new_page):
    """The watch itself works: an inline style is refused and seen."""
    watched = Watched(new_page())
    watched.visit("/connexion/")
    watched.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    watched.page.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in watched.page.evaluate("window.__cspViolations")[0]


def test_public_pages(new_page, demo):
    watched = Watched(new_page())
    watched.visit("/rapports/")
    watched.visit("/rapports/2016-2017/")
    # The report's charts and photos are drawn (SVG attributes, no inline style).
    assert watched.page.locator(".charts svg.donut").count() == 1
    assert watched.page.locator(".charts svg.bar").count() >= 1
    images = watched.page.locator("main.report img")
    assert images.count() > 0
    assert watched.page.evaluate(
        "[...document.querySelectorAll('main.report img')].every((img) => img.complete && img.naturalWidth > 0)"
    )
    watched.visit("/membres/")
    member = Member.objects.filter(directory_consent=True).first()
    watched.visit(f"/membres/?q={member.name[:6]}")
    watched.visit("/connexion/")
    watched.visit("/mot-de-passe/oublie/")
    watched.visit("/page-inexistante/", status=404)


def test_menu_opens_on_a_phone(new_page):
    """Bootstrap's script (a static file) still runs: the collapsed menu opens."""
    watched = Watched(new_page(PHONE))
    watched.visit("/membres/")
    menu = watched.page.locator("#site-menu")
    assert not menu.is_visible()
    watched.page.locator(".navbar-toggler").click()
    menu.wait_for(state="visible")
    watched.assert_no_violation("menu")


def test_member_portal(new_page, demo):
    watched = Watched(new_page())
    watched.visit("/connexion/")
    watched.page.get_by_label("Adresse courriel").fill("membre@exemple.org")
    watched.page.get_by_label("Mot de passe").fill(PASSWORD)
    watched.page.get_by_role("button", name="Connexion").click()
    watched.page.wait_for_url("**/membre/")
    watched.assert_no_violation("login")
    watched.visit("/membre/profil/")
    watched.visit("/membre/contacts/")
    watched.visit("/membre/contacts/ajouter/")
    watched.visit("/mot-de-passe/")


def test_admin_pages(new_page, demo):
    watched = Watched(new_page())
    log_in_to_admin(watched, "direction@exemple.org")
    member = Member.objects.order_by("name").first()
    for path in [
        "/admin/",
        "/admin/members/member/",
        "/admin/members/member/?exercice=2016-2017",
        f"/admin/members/member/{member.pk}/change/",
        f"/admin/members/member/{member.pk}/history/",
        f"/admin/members/member/{member.pk}/delete/",
        "/admin/activities/activity/add/",
        "/admin/reports/annualreport/",
        "/admin/members/user/",
        "/admin/axes/accessattempt/",
        "/admin/members/member/import/",
        "/admin/members/member/export/",
    ]:
        watched.visit(path)
    # The change form's scripts run: an inline row is added by the admin's JavaScript.
    watched.visit(f"/admin/members/member/{member.pk}/change/")
    rows = watched.page.locator("#memberships-group tbody tr.form-row:not(.empty-form)")
    before = rows.count()
    watched.page.locator("#memberships-group .add-row a").click()
    assert rows.count() == before + 1
    watched.assert_no_violation("inline row")


def test_admin_history_version(new_page, demo):
    watched = Watched(new_page())
    log_in_to_admin(watched, "direction@exemple.org")
    member = Member.objects.order_by("name").first()
    member.sector = Sector.objects.create(name="Économie circulaire")
    member.save()
    version = member.history.order_by("history_id").first()
    watched.visit(f"/admin/members/member/{member.pk}/history/")
    watched.visit(f"/admin/members/member/{member.pk}/history/{version.history_id}/")
