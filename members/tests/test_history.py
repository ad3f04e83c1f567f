"""Who changed what: portal changes are recorded with the representative's name, and staff can revert."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Contact
from members.tests.factories import ContactFactory, MemberFactory, RepresentativeFactory, TerritoryFactory, sector_named

pytestmark = pytest.mark.django_db

PORTAL = "Portail membre"


@pytest.fixture
def member():
    return MemberFactory(
        name="Coopérative Historique",
        description="Ancienne description.",
        sector="Alimentation",
        email="avant@historique.exemple.org",
        territory=TerritoryFactory(name="Portneuf"),
    )


@pytest.fixture
def representative(member):
    return RepresentativeFactory(member=member, first_name="Rita", last_name="Représentante")


@pytest.fixture
def rep_client(representative):
    """The representative's browser; separate from ``client``, which staff fixtures use."""
    client = Client()
    client.force_login(representative.user)
    return client


def edit_profile(client, **changes):
    data = {"description": "Nouvelle description.", "sector": "Alimentation", "email": "avant@historique.exemple.org"}
    data.update(changes)
    data["sector"] = sector_named(data["sector"]).pk  # the form offers sectors by their key
    response = client.post(reverse("members:profile"), data)
    assert response.status_code == 302
    return response


def test_a_portal_change_is_recorded_with_the_representative_and_the_reason(rep_client, member, representative):
    assert member.history.count() == 1
    edit_profile(rep_client)

    assert member.history.count() == 2
    record = member.history.latest()
    assert record.history_type == "~"
    assert record.history_user == representative.user
    assert record.history_change_reason == PORTAL
    delta = record.diff_against(record.prev_record)
    assert delta.changed_fields == ["description"]
    (change,) = delta.changes
    assert (change.field, change.old, change.new) == ("description", "Ancienne description.", "Nouvelle description.")
    # The record before the change is the creation, with no portal reason.
    assert record.prev_record.history_type == "+"
    assert record.prev_record.history_change_reason != PORTAL


def test_a_change_of_several_fields_is_one_record(rep_client, member):
    edit_profile(rep_client, sector="Habitation", email="apres@historique.exemple.org")
    record = member.history.latest()
    assert member.history.count() == 2
    assert sorted(record.diff_against(record.prev_record).changed_fields) == ["description", "email", "sector"]


def test_a_refused_change_records_nothing(rep_client, member):
    response = rep_client.post(reverse("members:profile"), {"description": "Non.", "email": "pas-un-courriel"})
    assert response.status_code == 200
    assert member.history.count() == 1


def test_the_admin_history_page_shows_the_portal_change_to_personnel(
    rep_client, personnel_client, member, representative
):
    edit_profile(rep_client)
    response = personnel_client.get(reverse("admin:members_member_history", args=[member.pk]))
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Ancienne description." in content
    assert "Nouvelle description." in content
    assert PORTAL in content
    assert representative.user.email in content or "Rita Représentante" in content
    records = response.context["page_obj"].object_list
    latest = records[0]
    assert latest.history_change_reason == PORTAL
    assert [(c["old"], c["new"]) for c in latest.history_delta_changes] == [
        ("Ancienne description.", "Nouvelle description.")
    ]


@pytest.mark.parametrize("role_client", ["personnel_client", "direction_client"])
def test_staff_see_the_history_pages(request, member, role_client):
    client = request.getfixturevalue(role_client)
    record = member.history.latest()
    assert client.get(reverse("admin:members_member_history", args=[member.pk])).status_code == 200
    assert (
        client.get(reverse("admin:members_member_simple_history", args=[member.pk, record.history_id])).status_code
        == 200
    )


def test_a_representative_cannot_see_the_admin_history(rep_client, member):
    record = member.history.latest()
    for url in (
        reverse("admin:members_member_history", args=[member.pk]),
        reverse("admin:members_member_simple_history", args=[member.pk, record.history_id]),
    ):
        response = rep_client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def revert_data(record):
    """What the revert form posts: the member's change-form fields, with the historical values."""
    instance = record.instance
    return {
        "name": instance.name,
        "legal_form": instance.legal_form,
        "category": instance.category,
        "founding_year": instance.founding_year or "",
        "sector": instance.sector_id or "",
        "territory": instance.territory_id or "",
        "setting": instance.setting,
        "address": instance.address,
        "phone": instance.phone,
        "email": instance.email,
        "website": instance.website,
        "description": instance.description,
        "directory_consent": "on" if instance.directory_consent else "",
    }


def test_personnel_revert_a_portal_change(rep_client, personnel_user, member, client):
    edit_profile(rep_client, sector="Habitation")
    client.force_login(personnel_user)
    old = member.history.earliest()
    url = reverse("admin:members_member_simple_history", args=[member.pk, old.history_id])

    form_page = client.get(url)
    assert form_page.status_code == 200
    form = form_page.context["adminform"].form
    assert form.initial["description"] == "Ancienne description."
    assert form.initial["sector"] == sector_named("Alimentation").pk
    assert form_page.context["revert_disabled"] is False

    response = client.post(url, revert_data(old))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.description == "Ancienne description."
    assert member.sector.name == "Alimentation"
    assert member.name == "Coopérative Historique"
    reverted = member.history.latest()
    assert member.history.count() == 3
    assert reverted.history_user == personnel_user
    assert reverted.history_change_reason != PORTAL
    assert sorted(reverted.diff_against(reverted.prev_record).changed_fields) == ["description", "sector"]


def test_reverting_keeps_the_memberships_and_contacts(rep_client, personnel_user, member, representative, client):
    ContactFactory(member=member, last_name="Collègue")
    edit_profile(rep_client)
    client.force_login(personnel_user)
    old = member.history.earliest()
    client.post(reverse("admin:members_member_simple_history", args=[member.pk, old.history_id]), revert_data(old))
    assert set(member.contacts.values_list("last_name", flat=True)) == {"Représentante", "Collègue"}
    representative.refresh_from_db()
    assert representative.user.is_active


# --- Contacts -----------------------------------------------------------------------------------


def contact_data(**overrides):
    data = {"first_name": "Nadia", "last_name": "Nouvelle", "role": "Adjointe", "email": "nadia@exemple.org"}
    data.update(overrides)
    return data


def test_adding_a_contact_through_the_portal_is_recorded(rep_client, member, representative):
    rep_client.post(reverse("members:contact-add"), contact_data())
    contact = Contact.objects.get(last_name="Nouvelle")
    (record,) = contact.history.all()
    assert record.history_type == "+"
    assert record.history_user == representative.user
    assert record.history_change_reason == PORTAL
    assert record.member_id == member.pk


def test_editing_a_contact_through_the_portal_is_recorded(rep_client, member, representative):
    contact = ContactFactory(member=member, first_name="Odile", role="Trésorière")
    rep_client.post(
        reverse("members:contact-edit", args=[contact.pk]), contact_data(first_name="Odile", role="Présidente")
    )
    record = contact.history.latest()
    assert contact.history.count() == 2
    assert record.history_type == "~"
    assert record.history_user == representative.user
    assert record.history_change_reason == PORTAL
    delta = record.diff_against(record.prev_record)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes["role"] == ("Trésorière", "Présidente")
    assert "first_name" not in changes


def test_removing_a_contact_through_the_portal_is_recorded(rep_client, member, representative):
    contact = ContactFactory(member=member, first_name="Odile", last_name="Partie")
    pk = contact.pk
    response = rep_client.post(reverse("members:contact-delete", args=[pk]))
    assert response.status_code == 302
    record = Contact.history.filter(id=pk).latest()
    assert record.history_type == "-"
    assert record.history_user == representative.user
    assert record.history_change_reason == PORTAL
    assert (record.first_name, record.last_name) == ("Odile", "Partie")


def test_the_contact_history_is_visible_to_personnel(rep_client, personnel_user, member, client):
    contact = ContactFactory(member=member, role="Trésorière")
    rep_client.post(reverse("members:contact-edit", args=[contact.pk]), contact_data(role="Présidente"))
    client.force_login(personnel_user)
    response = client.get(reverse("admin:members_contact_history", args=[contact.pk]))
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Trésorière" in content and "Présidente" in content
    assert PORTAL in content
