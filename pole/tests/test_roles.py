"""The roles of DESIGN.md in the admin: who reaches which page, who may change what.

- anonymous visitors and member representatives (a user linked to a contact,
  not staff) are sent to the admin login page;
- Personnel adds and changes members, activities, partners, board and staff,
  imports and exports, and only reads the annual reports; no user management;
- Direction does all of that, plus the annual reports and the users.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.forms import MultiWidget
from django.urls import reverse

from members.roles import DIRECTION, PERSONNEL
from members.tests.factories import ContactFactory, MemberFactory, UserFactory
from reports.models import AnnualReport
from reports.tests.factories import AnnualReportFactory

pytestmark = pytest.mark.django_db

ANONYMOUS, REPRESENTATIVE = "anonymous", "representative"

DAILY_MODELS = [
    "members_member",
    "members_membership",
    "members_contact",
    "members_boardmandate",
    "members_staffmember",
    "activities_activity",
    "partners_organisation",
    "partners_partnership",
]
PAGES = [
    ("index", None),
    *[(model, view) for model in DAILY_MODELS for view in ("changelist", "add")],
    ("reports_annualreport", "changelist"),
    ("reports_annualreport", "add"),
    ("members_user", "changelist"),
    ("members_user", "add"),
]
# What Personnel may not open; everything else answers 200.
PERSONNEL_FORBIDDEN = {("reports_annualreport", "add"), ("members_user", "changelist"), ("members_user", "add")}


def page_url(model, view):
    return reverse("admin:index") if model == "index" else reverse(f"admin:{model}_{view}")


@pytest.fixture
def login(client):
    def as_role(role):
        if role == REPRESENTATIVE:
            client.force_login(ContactFactory(user=UserFactory(is_staff=False)).user)
        elif role in (PERSONNEL, DIRECTION):
            client.force_login(UserFactory(is_staff=True, groups=[role]))
        return client

    return as_role


def expected_status(role, page):
    if role in (ANONYMOUS, REPRESENTATIVE):
        return 302
    if role == PERSONNEL and page in PERSONNEL_FORBIDDEN:
        return 403
    return 200


@pytest.mark.parametrize("page", PAGES, ids=lambda page: "-".join(filter(None, page)))
@pytest.mark.parametrize("role", [ANONYMOUS, REPRESENTATIVE, PERSONNEL, DIRECTION])
def test_admin_pages_by_role(login, role, page):
    client = login(role)
    url = page_url(*page)
    response = client.get(url)
    assert response.status_code == expected_status(role, page)
    if response.status_code == 302:
        assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("role", [ANONYMOUS, REPRESENTATIVE])
def test_outsiders_cannot_post_to_the_admin(login, role):
    member = MemberFactory(name="Avant")
    response = login(role).post(reverse("admin:members_member_change", args=[member.pk]), {"name": "Après"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "Avant"


# Changing: a form posted back as the page offered it, with one field changed.


def form_data(response):
    """The data a browser would post back from an admin change form, unchanged."""
    data = {}

    def add(form):
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            widget = bound.field.widget
            if isinstance(widget, MultiWidget):
                for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=True):
                    if part is not None:
                        data[bound.html_name + suffix] = str(part)
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif value is not None:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def change(client, instance, **changes):
    url = reverse(f"admin:{instance._meta.app_label}_{instance._meta.model_name}_change", args=[instance.pk])
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**form_data(page), **changes})


def test_personnel_cannot_change_an_annual_report(personnel_client):
    report = AnnualReportFactory(tagline="Avant")
    response = change(personnel_client, report, tagline="Après")
    assert response.status_code == 403
    assert AnnualReport.objects.get().tagline == "Avant"


def test_direction_changes_an_annual_report(direction_client):
    report = AnnualReportFactory(tagline="Avant")
    response = change(direction_client, report, tagline="Après")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert AnnualReport.objects.get().tagline == "Après"


def test_personnel_cannot_change_a_user(personnel_client):
    user = UserFactory(first_name="Avant")
    url = reverse("admin:members_user_change", args=[user.pk])
    assert personnel_client.get(url).status_code == 403
    assert personnel_client.post(url, {"email": user.email, "first_name": "Après"}).status_code == 403
    user.refresh_from_db()
    assert user.first_name == "Avant"


def test_direction_changes_a_user(direction_client):
    user = UserFactory(first_name="Avant")
    response = change(direction_client, user, first_name="Après")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user.refresh_from_db()
    assert user.first_name == "Après"


def test_personnel_changes_a_member(personnel_client):
    member = MemberFactory(name="Avant")
    response = change(personnel_client, member, name="Après")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    member.refresh_from_db()
    assert member.name == "Après"


# The groups themselves, as the data migrations leave them.


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


@pytest.mark.parametrize(
    "model",
    ["member", "membership", "activity", "measure", "organisation", "partnership", "boardmandate", "staffmember"],
)
def test_both_roles_add_and_change_the_daily_records(model):
    for group in (PERSONNEL, DIRECTION):
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames(group)


@pytest.mark.parametrize("codename", ["change_annualreport", "add_annualreport", "publish_annualreport", "change_user"])
def test_only_direction_edits_reports_and_users(codename):
    assert codename not in codenames(PERSONNEL)
    assert codename in codenames(DIRECTION)


# Import and export (django-import-export): the add and view permissions of the model.

SPREADSHEET_MODELS = ["members_member", "activities_activity", "partners_partnership"]


@pytest.mark.parametrize("model", SPREADSHEET_MODELS)
def test_personnel_imports_and_exports(personnel_client, model):
    assert personnel_client.get(reverse(f"admin:{model}_import")).status_code == 200
    assert personnel_client.get(reverse(f"admin:{model}_export")).status_code == 200


@pytest.mark.parametrize("model", SPREADSHEET_MODELS)
def test_a_reader_exports_but_cannot_import(client, model):
    app_label, model_name = model.split("_")
    reader = UserFactory(is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(content_type__app_label=app_label, codename=f"view_{model_name}")
    )
    client.force_login(reader)
    assert client.get(reverse(f"admin:{model}_import")).status_code == 403
    assert client.get(reverse(f"admin:{model}_export")).status_code == 200


@pytest.mark.parametrize("role", [ANONYMOUS, REPRESENTATIVE])
@pytest.mark.parametrize("model", SPREADSHEET_MODELS)
def test_outsiders_neither_import_nor_export(login, role, model):
    client = login(role)
    assert client.get(reverse(f"admin:{model}_import")).status_code == 302
    assert client.get(reverse(f"admin:{model}_export")).status_code == 302
