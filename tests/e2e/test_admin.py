"""Every admin form, filled and saved in a real headless Chromium, as each staff role.

The test client posts form data and never renders a widget: a green suite once hid that no
record with a fiscal year could be saved in a browser (a number input showed « 2016-2017 »
as empty). So here a person's journey is replayed in Chromium on the demo data: for every
model registered in the admin (enumerated from the registry, so a model registered later is
covered without touching this file), open an existing record and press « Enregistrer »
without changing anything, and open the add page. A role sees only what it may change.

The live server sees only committed data, so these tests use a transactional database,
emptied after each test; the role groups are created again before each.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model

from conftest import DESKTOP, E2E_PASSWORD, PHONE, admin_log_in
from pole.fiscal_years import FiscalYear
from pole.tests.test_admin import BUILDERS
from reports.models import AnnualReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = E2E_PASSWORD


@pytest.fixture
def demo(e2e_demo):
    """The demo, plus a row of each registered model the demo leaves empty, and a superuser."""
    for model in admin.site._registry:
        if not model._default_manager.exists():
            BUILDERS[model._meta.label_lower](0)
    User = get_user_model()
    return {
        "superuser": User.objects.create_superuser(email="admin@exemple.org", password=PASSWORD),
        "personnel": User.objects.get(email="personnel@exemple.org"),
        "direction": User.objects.get(email="direction@exemple.org"),
    }


log_in = admin_log_in


def registered_models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


def admin_path(model, view, *args):
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def sideways_overflow(page):
    """How many pixels the page scrolls sideways (0 when it fits its viewport)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


class FakeRequest:
    """Enough of a request for the ModelAdmin permission methods."""

    def __init__(self, user):
        self.user = user


def save_unchanged(page, model, obj):
    """Open ``obj``'s change page, press « Enregistrer », and return the problems seen (none is
    success). A saved record leads back to the model's list, where the page then is."""
    response = page.goto(admin_path(model, "change", obj.pk))
    if response.status >= 400:
        return [f"change page: HTTP {response.status}"]
    problems = []
    if overflow := sideways_overflow(page):
        problems.append(f"change page scrolls sideways by {overflow} px")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    if page.locator(".errornote").count():
        errors = page.locator(".errorlist li").all_inner_texts()
        problems.append(f"refused: {page.locator('.errornote').inner_text()} {errors}")
    elif not page.locator(".messagelist .success").count():
        problems.append(f"no success message (at {page.url})")
    return problems


def row_to_open(model, model_admin, request):
    """The latest row the role may change (the last account may be a superuser's, which only a
    superuser changes), else the latest row; None for an empty table."""
    rows = list(model._default_manager.order_by("-pk")[:5])
    return next((row for row in rows if model_admin.has_change_permission(request, row)), rows[0] if rows else None)


def walk_the_admin(page, user, *, only=None):
    """Save every changeable record unchanged, see every list and open every add page; return
    (saved, problems).

    ``only``: the model labels to walk (all by default). A record saved in the browser leads
    back to its list, which is then checked where it stands (one page load fewer a model).
    """
    request = FakeRequest(user)
    saved, problems = [], []
    for model, model_admin in registered_models():
        label = model._meta.label_lower
        if only is not None and label not in only:
            continue
        if not model_admin.has_view_or_change_permission(request):
            continue
        list_path = admin_path(model, "changelist")
        obj = row_to_open(model, model_admin, request)
        assert obj is not None, f"{label}: no row to open (the demo or BUILDERS should provide one)"
        if model_admin.has_change_permission(request, obj):
            found = save_unchanged(page, model, obj)
            problems += [f"{label}: {problem}" for problem in found]
            if not found:
                saved.append(label)
        else:
            response = page.goto(admin_path(model, "change", obj.pk))
            if response.status != 200:
                problems.append(f"{label} (read-only): HTTP {response.status}")
            elif overflow := sideways_overflow(page):
                problems.append(f"{label} (read-only) scrolls sideways by {overflow} px")
            elif page.get_by_role("button", name="Enregistrer", exact=True).count():
                problems.append(f"{label}: read-only for this role, yet offers « Enregistrer »")
        if label not in saved or urlsplit(page.url).path != list_path:
            response = page.goto(list_path)
            if response.status != 200:
                problems.append(f"{label} list: HTTP {response.status}")
                continue
        if overflow := sideways_overflow(page):
            problems.append(f"{label} list scrolls sideways by {overflow} px")
        if model_admin.has_add_permission(request):
            response = page.goto(admin_path(model, "add"))
            if response.status != 200:
                problems.append(f"{label} add page: HTTP {response.status}")
            elif overflow := sideways_overflow(page):
                problems.append(f"{label} add page scrolls sideways by {overflow} px")
            elif not page.get_by_role("button", name="Enregistrer", exact=True).count():
                problems.append(f"{label} add page: no « Enregistrer » button")
    return saved, problems


def changeable_labels(user):
    request = FakeRequest(user)
    return sorted(
        model._meta.label_lower
        for model, model_admin in registered_models()
        if model_admin.has_change_permission(request, row_to_open(model, model_admin, request))
    )


def add_report_publish_and_unpublish(page):
    """Add the 2017-2018 annual report through its form, then publish and unpublish it from the list."""
    page.goto(admin_path(AnnualReport, "add"))
    year = page.get_by_label("Exercice")
    assert year.evaluate("element => element.tagName") == "SELECT"
    year.select_option("2017-2018")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    report = AnnualReport.objects.get(fiscal_year=FiscalYear(2017))
    assert report.is_published is False

    def run_action(action):
        page.goto(admin_path(AnnualReport, "changelist"))
        page.locator(f"input[name=_selected_action][value='{report.pk}']").check()
        page.locator("select[name=action]").select_option(label=action)
        # « Publier » renders the archival PDF and file before answering: a generous bound.
        page.get_by_role("button", name="Envoyer").click(timeout=120_000)
        page.locator(".messagelist li").first.wait_for()
        return " ".join(page.locator(".messagelist li").first.inner_text().split())

    assert run_action("Publier") == (
        "La version 1 du rapport 2017-2018 est publiée : les pages publiques la présentent désormais. "
        "La voir dans la vérification"
    )
    report.refresh_from_db()
    assert report.is_published and report.published_at is not None
    # The list writes the date the Québec way: « 29 novembre 2026 à 14 h 05 ».
    row = page.locator("#result_list tbody tr", has_text="2017-2018").inner_text()
    assert re.search(r"\d{1,2} \w+ 20\d\d à \d{1,2}\xa0h\xa0\d\d", row), row

    assert run_action("Retirer la publication") == "Publication retirée : 2017-2018."
    report.refresh_from_db()
    assert report.is_published is False


def test_a_superuser_saves_every_admin_record_the_direction_cannot(demo, new_page):
    """The Direction's walk (below) saves every form it may change in the browser and publishes; a
    superuser's forms differ from the Direction's only where a superuser may do more: the accounts
    (« superuser » and a superuser's own account, members/admin.py) and the models the Direction's
    role does not change. Those are walked here, not every form a second time."""
    superuser = changeable_labels(demo["superuser"])
    # Every registered model but the logs can be changed: invitations, the three login logs, the
    # outbox of e-mails, the log of personal-data exports and the unsubscriptions.
    assert len(superuser) >= len(admin.site._registry) - 7
    beyond_direction = (set(superuser) - set(changeable_labels(demo["direction"]))) | {"members.user"}
    page = new_page(DESKTOP)
    log_in(page, "admin@exemple.org")
    saved, problems = walk_the_admin(page, demo["superuser"], only=beyond_direction)
    assert problems == []
    assert saved == sorted(beyond_direction)
    # The superuser's form of an account offers « superuser »; the Direction's does not (read-only).
    page.goto(admin_path(get_user_model(), "change", demo["direction"].pk))
    assert page.get_by_label("Statut super-utilisateur").is_editable()


MAIN_PART = re.compile(r'<main id="content-start".*?</main>', re.DOTALL)
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def pages_as_seen(user, labels):
    """The main part of each model's change and add pages (``labels``) as ``user`` gets them,
    CSRF token aside: what a browser would fill and send for this role."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    request = FakeRequest(user)
    seen = {}
    for model, model_admin in registered_models():
        label = model._meta.label_lower
        if label not in labels:
            continue
        paths = [admin_path(model, "change", row_to_open(model, model_admin, request).pk), admin_path(model, "add")]
        seen[label] = []
        for path in paths:
            response = client.get(path)
            main = response.status_code == 200 and MAIN_PART.search(response.content.decode())
            seen[label].append(CSRF_TOKEN.sub("", main.group(0)) if main else response.status_code)
    return seen


@pytest.mark.long
def test_personnel_saves_every_record_their_role_may_change(demo, new_page):
    """Personnel's forms are walked where they differ from the Direction's (whose walk, below,
    saves every form in the browser): a field read-only for this role, an inline or a related
    record it may not change, another row to open, no add page. A change and an add page the same
    to the byte for both roles (CSRF token aside) were filled and saved in Chromium there; what
    each role may reach is the access matrix's (tests/test_access_matrix.py). The models this
    role may only read are walked too."""
    changeable = changeable_labels(demo["personnel"])
    assert set(changeable) <= set(changeable_labels(demo["direction"]))
    as_personnel = pages_as_seen(demo["personnel"], changeable)
    as_direction = pages_as_seen(demo["direction"], changeable)
    differing = {label for label in changeable if as_personnel[label] != as_direction[label]}
    # The objectives are the Direction's: Personnel's activity form offers no « + » beside them.
    assert "activities.activity" in differing
    page = new_page(DESKTOP)
    log_in(page, "personnel@exemple.org")
    viewed_only = {
        model._meta.label_lower
        for model, model_admin in registered_models()
        if model_admin.has_view_permission(FakeRequest(demo["personnel"]))
    } - set(changeable)
    saved, problems = walk_the_admin(page, demo["personnel"], only=differing | viewed_only)
    assert problems == []
    assert saved == sorted(differing)
    assert {"members.member", "members.membership", "partners.partnership"} <= set(changeable)
    assert "reports.annualreport" not in changeable  # the reports are the Direction's
    # Publishing is not Personnel's to do.
    page.goto(admin_path(AnnualReport, "changelist"))
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert "Publier" not in actions and "Retirer la publication" not in actions


@pytest.mark.long
def test_direction_saves_every_record_and_publishes_a_report(demo, new_page):
    page = new_page(DESKTOP)
    log_in(page, "direction@exemple.org")
    saved, problems = walk_the_admin(page, demo["direction"])
    assert problems == []
    assert saved == changeable_labels(demo["direction"])
    assert "reports.annualreport" in saved and "members.user" in saved
    add_report_publish_and_unpublish(page)


def test_a_member_is_renewed_by_hand_with_the_year_select(demo, new_page):
    """Personnel adds next year's membership in the member page's inline, choosing the year from a list."""
    from members.models import Member

    member = Member.objects.get(name="Coopérative funéraire des Deux Rives")
    page = new_page(DESKTOP)
    log_in(page, "personnel@exemple.org")
    page.goto(admin_path(Member, "change", member.pk))
    years = page.locator("select[name$='-fiscal_year']").first
    offered = years.locator("option").all_inner_texts()
    current = FiscalYear.current()
    assert offered[:3] == ["---------", current.next.label, current.label]
    assert "2016-2017" in offered and "2015-2016" in offered
    assert years.evaluate("element => element.value") != ""  # the stored year is shown, not blank
    page.locator("#memberships-group .add-row a").click()
    new_row = page.locator("#memberships-group tr.dynamic-memberships select[name$='-fiscal_year']").last
    new_row.select_option("2017-2018")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    assert sorted(year.label for year in member.memberships.values_list("fiscal_year", flat=True)) == [
        "2015-2016",
        "2016-2017",
        "2017-2018",
    ]


def test_a_stored_year_outside_the_offered_ones_survives_an_unchanged_save(demo, new_page):
    from members.models import Membership

    membership = Membership.objects.order_by("pk").first()
    Membership.objects.filter(pk=membership.pk).update(fiscal_year=FiscalYear(1998))
    page = new_page(DESKTOP)
    log_in(page, "personnel@exemple.org")
    page.goto(admin_path(Membership, "change", membership.pk))
    assert page.get_by_label("Exercice").evaluate("element => element.value") == "1998-1999"
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    membership.refresh_from_db()
    assert membership.fiscal_year == FiscalYear(1998)


def test_the_admin_index_says_modifier_not_variation(demo, new_page):
    page = new_page(DESKTOP)
    log_in(page, "direction@exemple.org")
    links = page.locator("#content-main a.changelink").all_inner_texts()
    assert links and set(links) == {"Modifier"}
    assert "Variation" not in page.content()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_staff_pages_fit_the_screen(demo, new_page, viewport):
    page = new_page(viewport)
    log_in(page, "direction@exemple.org")
    for path in ("/admin/", "/rapports/", "/rapports/2016-2017/verification/"):
        assert page.goto(path).status == 200
        assert sideways_overflow(page) == 0, path


def test_personnel_merges_two_sectors_in_the_browser(demo, new_page):
    from members.models import Member, Sector

    duplicate = Sector.objects.create(name="Tourisme et culture")
    festival = Member.objects.filter(sector__name="Tourisme").first()
    Member.objects.filter(pk=festival.pk).update(sector=duplicate)
    tourism = Sector.objects.get(name="Tourisme")
    page = new_page(DESKTOP)
    log_in(page, "personnel@exemple.org")
    page.goto(admin_path(Sector, "changelist") + "?q=tourisme")
    for sector in (tourism, duplicate):
        page.locator(f"input[name=_selected_action][value='{sector.pk}']").check()
    page.locator("select[name=action]").select_option(label="Fusionner les secteurs sélectionnés")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("radio", name=re.compile(r"^Tourisme \(")).check()
    page.get_by_role("button", name="Fusionner").click()
    message = " ".join(page.locator(".messagelist li").first.inner_text().split())
    assert message == "« Tourisme et culture » fusionné dans « Tourisme » : 1 membre déplacé."
    assert not Sector.objects.filter(pk=duplicate.pk).exists()
    festival.refresh_from_db()
    assert festival.sector == tourism


def test_the_next_years_report_and_a_project_text_are_written_in_the_browser(demo, new_page):
    """The Direction creates 2017-2018's report from the readiness page; Personnel writes a project's text of that year."""
    from activities.models import Project

    direction = new_page(DESKTOP)
    log_in(direction, "direction@exemple.org")
    direction.goto("/rapports/2017-2018/verification/")
    direction.get_by_role("button", name="Créer le rapport 2017-2018").click()
    direction.locator(".messagelist .success").wait_for()
    assert "Le rapport annuel 2017-2018 est créé" in direction.locator(".messagelist").inner_text()
    assert AnnualReport.objects.filter(fiscal_year=FiscalYear(2017), is_published=False).exists()

    project = Project.objects.get(title="Cohorte de développement d'affaires")
    personnel = new_page(DESKTOP)
    log_in(personnel, "personnel@exemple.org")
    personnel.goto(admin_path(Project, "change", project.pk))
    personnel.locator("#years-group .add-row a").click()
    row = personnel.locator("#years-group .dynamic-years").last
    row.locator("select[name$='-fiscal_year']").select_option("2017-2018")
    row.locator("textarea[name$='-body']").fill("La deuxième cohorte a réuni douze entreprises.")
    personnel.get_by_role("button", name="Enregistrer", exact=True).click()
    personnel.locator(".messagelist .success").wait_for()
    text = project.years.get(fiscal_year=FiscalYear(2017))
    assert text.body == "La deuxième cohorte a réuni douze entreprises."
    # The 2016-2017 text is still that year's, and only that year's.
    assert list(project.years.values_list("fiscal_year", flat=True)) == [FiscalYear(2017), FiscalYear(2016)]
