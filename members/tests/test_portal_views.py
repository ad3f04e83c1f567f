"""The member portal (/membre/…): who may reach it, and what a representative may change."""

from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from members.models import Contact, Member, Membership
from members.tests.factories import (
    ContactFactory,
    InvitationFactory,
    MemberFactory,
    RepresentativeFactory,
    TerritoryFactory,
    UserFactory,
    sector_named,
)
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def member_a():
    return MemberFactory(
        name="Coopérative Alpha",
        description="Épicerie coopérative.",
        sector="Alimentation",
        phone="418 555-0101",
        email="info@alpha.exemple.org",
        website="https://alpha.exemple.org",
        legal_form=Member.LegalForm.COOPERATIVE,
        category=Member.Category.REGULAR,
        fiscal_years=[FiscalYear.current()],
    )


@pytest.fixture
def member_b():
    return MemberFactory(name="Mutuelle Bêta", description="Assurances.", fiscal_years=[FiscalYear.current()])


@pytest.fixture
def rep_a(member_a):
    return RepresentativeFactory(member=member_a, first_name="Annie", last_name="Alpha")


@pytest.fixture
def other_contact_a(member_a):
    return ContactFactory(member=member_a, first_name="Olivier", last_name="Autre")


@pytest.fixture
def rep_b(member_b):
    return RepresentativeFactory(member=member_b, first_name="Bruno", last_name="Bêta")


@pytest.fixture
def client_a(client, rep_a):
    client.force_login(rep_a.user)
    return client


@pytest.fixture
def client_b(client, rep_b):
    client.force_login(rep_b.user)
    return client


# --- Who may reach what ------------------------------------------------------------------------

# (url name, needs a contact id of member A). Add a row for every new portal page.
PORTAL_PAGES = [
    ("members:portal", False),
    ("members:profile", False),
    ("members:contacts", False),
    ("members:contact-add", False),
    ("members:contact-edit", True),
    ("members:contact-delete", True),
]


def portal_url(name, with_contact, contact):
    return reverse(name, args=[contact.pk]) if with_contact else reverse(name)


@pytest.mark.parametrize(("name", "with_contact"), PORTAL_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, other_contact_a, name, with_contact):
    url = portal_url(name, with_contact, other_contact_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/connexion/?next={quote(url)}"


@pytest.mark.parametrize(("name", "with_contact"), PORTAL_PAGES)
def test_the_representative_reaches_every_page_of_their_organisation(client_a, other_contact_a, name, with_contact):
    response = client_a.get(portal_url(name, with_contact, other_contact_a))
    assert response.status_code == 200
    assert response.context["member"] == other_contact_a.member


@pytest.mark.parametrize(("name", "with_contact"), [row for row in PORTAL_PAGES if row[1]])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_representative_gets_404_for_the_contacts_of_member_a(
    client_b, other_contact_a, rep_a, name, with_contact, method
):
    for contact in (other_contact_a, rep_a):
        response = getattr(client_b, method)(
            portal_url(name, with_contact, contact), {"first_name": "Pirate", "last_name": "Pirate"}
        )
        assert response.status_code == 404
    assert Contact.objects.filter(pk__in=[other_contact_a.pk, rep_a.pk]).count() == 2
    other_contact_a.refresh_from_db()
    assert other_contact_a.first_name == "Olivier"


@pytest.mark.parametrize("role_client", ["personnel_client", "direction_client"])
@pytest.mark.parametrize(("name", "with_contact"), PORTAL_PAGES)
def test_staff_without_a_contact_get_403(request, other_contact_a, role_client, name, with_contact):
    client = request.getfixturevalue(role_client)
    assert client.get(portal_url(name, with_contact, other_contact_a)).status_code == 403


@pytest.mark.parametrize(("name", "with_contact"), PORTAL_PAGES)
def test_a_staff_user_linked_to_a_contact_is_not_a_representative(client, member_a, name, with_contact):
    staff_contact = RepresentativeFactory(member=member_a, user__is_staff=True)
    client.force_login(staff_contact.user)
    assert client.get(portal_url(name, with_contact, staff_contact)).status_code == 403


@pytest.mark.parametrize(("name", "with_contact"), PORTAL_PAGES)
def test_a_logged_in_user_without_a_contact_gets_403(client, other_contact_a, name, with_contact):
    client.force_login(UserFactory())
    assert client.get(portal_url(name, with_contact, other_contact_a)).status_code == 403


@pytest.mark.parametrize(("name", "with_contact"), PORTAL_PAGES)
def test_a_deactivated_representative_is_logged_out(client, rep_a, other_contact_a, name, with_contact):
    client.force_login(rep_a.user)
    rep_a.user.is_active = False
    rep_a.user.save()
    url = portal_url(name, with_contact, other_contact_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/connexion/?next={quote(url)}"


def test_a_deactivated_user_cannot_log_in(client, rep_a):
    rep_a.user.is_active = False
    rep_a.user.save()
    response = client.post("/connexion/", {"username": rep_a.email, "password": "mot-de-passe-de-test"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("members:portal")).status_code == 302


def test_the_portal_of_representative_b_shows_only_member_b(client_b, rep_a, other_contact_a, member_b, rep_b):
    response = client_b.get(reverse("members:portal"))
    assert response.status_code == 200
    assert response.context["member"] == member_b
    assert list(response.context["contacts"]) == [rep_b]
    content = response.content.decode()
    assert "Mutuelle Bêta" in content
    assert "Coopérative Alpha" not in content
    assert "Autre" not in content

    contacts = client_b.get(reverse("members:contacts"))
    assert list(contacts.context["contacts"]) == [rep_b]
    assert "Olivier" not in contacts.content.decode()


@pytest.mark.parametrize("user_kind", ["representative", "personnel", "direction"])
def test_only_staff_reach_the_admin(client, rep_a, personnel_user, direction_user, user_kind):
    user = {"representative": rep_a.user, "personnel": personnel_user, "direction": direction_user}[user_kind]
    client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:members_member_changelist")):
        response = client.get(url)
        if user_kind == "representative":
            assert response.status_code == 302
            assert response.url == f"{reverse('admin:login')}?next={quote(url)}"
        else:
            assert response.status_code == 200


def test_the_portal_summary(client_a, member_a, rep_a, other_contact_a):
    Membership.objects.create(member=member_a, fiscal_year=FiscalYear(2016))
    member_a.directory_consent = True
    member_a.save()
    response = client_a.get(reverse("members:portal"))
    assert [m.fiscal_year for m in response.context["memberships"]] == [FiscalYear.current(), FiscalYear(2016)]
    assert set(response.context["contacts"]) == {rep_a, other_contact_a}
    assert response.context["listed"] is True
    assert reverse("members:directory-detail", args=[member_a.pk]) in response.content.decode()


@pytest.mark.parametrize(
    ("consent", "current_membership", "listed"),
    [(True, True, True), (False, True, False), (True, False, False)],
)
def test_the_portal_says_whether_the_member_is_listed(client, consent, current_membership, listed):
    member = MemberFactory(directory_consent=consent, fiscal_years=[FiscalYear.current().start_year - 3])
    if current_membership:
        Membership.objects.create(member=member, fiscal_year=FiscalYear.current())
    # Another member makes the current year the directory's.
    MemberFactory(fiscal_years=[FiscalYear.current()])
    client.force_login(RepresentativeFactory(member=member).user)
    assert client.get(reverse("members:portal")).context["listed"] is listed


# --- Profile --------------------------------------------------------------------------------


def profile_data(**overrides):
    data = {
        "description": "Nouvelle description de l’épicerie.",
        "sector": sector_named("Commerce de détail").pk,
        "address": "1 rue Saint-Jean\nQuébec",
        "phone": "418 555-0199",
        "email": "bonjour@alpha.exemple.org",
        "website": "https://www.alpha.exemple.org",
        "directory_consent": "on",
    }
    data.update(overrides)
    return data


def test_the_profile_form_shows_the_current_values(client_a, member_a):
    response = client_a.get(reverse("members:profile"))
    form = response.context["form"]
    assert form.instance == member_a
    assert form.initial["description"] == "Épicerie coopérative."
    assert set(form.fields) == {
        "description",
        "sector",
        "address",
        "phone",
        "email",
        "website",
        "directory_consent",
        "logo",
        "news_consent",  # the representative's own consent, recorded apart (test_consents.py)
    }


def test_the_profile_saves_the_allowed_fields(client_a, member_a):
    response = client_a.post(reverse("members:profile"), profile_data())
    assert response.status_code == 302
    assert response.url == reverse("members:portal")
    member_a.refresh_from_db()
    assert member_a.description == "Nouvelle description de l’épicerie."
    assert member_a.sector.name == "Commerce de détail"
    assert member_a.address == "1 rue Saint-Jean\nQuébec"
    assert member_a.phone == "418 555-0199"
    assert member_a.email == "bonjour@alpha.exemple.org"
    assert member_a.website == "https://www.alpha.exemple.org"
    assert member_a.directory_consent is True
    assert message_texts(response) == ["Le profil de votre organisation a été enregistré."]


def test_unchecking_the_consent_withdraws_it(client_a, member_a):
    member_a.directory_consent = True
    member_a.save()
    data = profile_data()
    del data["directory_consent"]
    assert client_a.post(reverse("members:profile"), data).status_code == 302
    member_a.refresh_from_db()
    assert member_a.directory_consent is False


def test_the_profile_ignores_the_fields_kept_by_staff(client_a, member_a):
    other_territory = TerritoryFactory(name="Charlevoix")
    territory = member_a.territory
    data = profile_data(
        name="Nom piraté",
        legal_form=Member.LegalForm.COMPANY,
        category=Member.Category.AMBASSADOR,
        founding_year="1999",
        territory=str(other_territory.pk),
        setting=Member.Setting.RURAL,
        memberships="2010-2011",
        fiscal_year="2010-2011",
        directory_consent="on",
    )
    response = client_a.post(reverse("members:profile"), data)
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert member_a.description == "Nouvelle description de l’épicerie."
    assert member_a.name == "Coopérative Alpha"
    assert member_a.legal_form == Member.LegalForm.COOPERATIVE
    assert member_a.category == Member.Category.REGULAR
    assert member_a.founding_year == 2000
    assert member_a.territory == territory
    assert member_a.setting == Member.Setting.URBAN
    assert [m.fiscal_year for m in member_a.memberships.all()] == [FiscalYear.current()]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "pas-un-courriel", "Saisissez une adresse de courriel valide."),
        ("website", "pas une adresse", "Saisissez une URL valide."),
        ("website", "javascript:alert(1)", "Saisissez une URL valide."),
    ],
)
def test_invalid_contact_details_give_french_errors_and_save_nothing(client_a, member_a, field, value, error):
    response = client_a.post(reverse("members:profile"), profile_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert error in response.content.decode()
    member_a.refresh_from_db()
    assert member_a.description == "Épicerie coopérative."
    assert member_a.sector.name == "Alimentation"
    assert (
        getattr(member_a, field) == {"email": "info@alpha.exemple.org", "website": "https://alpha.exemple.org"}[field]
    )
    assert member_a.history.count() == 1


def test_a_profile_save_touches_only_the_representatives_member(client_a, member_a, member_b):
    client_a.post(reverse("members:profile"), profile_data())
    member_b.refresh_from_db()
    assert member_b.description == "Assurances."


# --- Contacts ------------------------------------------------------------------------------


def contact_data(**overrides):
    data = {
        "first_name": "Nadia",
        "last_name": "Nouvelle",
        "role": "Coordonnatrice",
        "email": "nadia@alpha.exemple.org",
        "phone": "418 555-0123",
    }
    data.update(overrides)
    return data


def test_a_representative_adds_a_contact_to_their_own_member(client_a, member_a, member_b):
    response = client_a.post(reverse("members:contact-add"), contact_data(member=str(member_b.pk)))
    assert response.status_code == 302
    assert response.url == reverse("members:contacts")
    contact = Contact.objects.get(last_name="Nouvelle")
    assert contact.member == member_a
    assert contact.user is None
    assert (contact.role, contact.email, contact.phone) == ("Coordonnatrice", "nadia@alpha.exemple.org", "418 555-0123")


def test_adding_a_contact_cannot_link_an_account(client_a, member_a):
    stranger = UserFactory()
    client_a.post(reverse("members:contact-add"), contact_data(user=str(stranger.pk)))
    assert Contact.objects.get(last_name="Nouvelle").user is None


def test_a_contact_needs_a_name_and_a_valid_email(client_a, member_a):
    response = client_a.post(reverse("members:contact-add"), contact_data(first_name="", email="nadia"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Ce champ est obligatoire."]
    assert errors["email"] == ["Saisissez une adresse de courriel valide."]
    assert not Contact.objects.filter(last_name="Nouvelle").exists()


def test_a_representative_edits_a_contact(client_a, other_contact_a, member_b):
    response = client_a.post(
        reverse("members:contact-edit", args=[other_contact_a.pk]), contact_data(member=str(member_b.pk))
    )
    assert response.status_code == 302
    other_contact_a.refresh_from_db()
    assert (other_contact_a.first_name, other_contact_a.last_name) == ("Nadia", "Nouvelle")
    assert other_contact_a.member.name == "Coopérative Alpha"


def test_a_representative_edits_their_own_contact_but_keeps_their_account(client_a, rep_a):
    user = rep_a.user
    response = client_a.post(reverse("members:contact-edit", args=[rep_a.pk]), contact_data(first_name="Annie-Claude"))
    assert response.status_code == 302
    rep_a.refresh_from_db()
    assert rep_a.first_name == "Annie-Claude"
    assert rep_a.user == user
    assert client_a.get(reverse("members:portal")).status_code == 200


def test_removing_oneself_is_refused(client_a, rep_a):
    url = reverse("members:contact-delete", args=[rep_a.pk])
    assert client_a.get(url).status_code == 403
    assert client_a.post(url).status_code == 403
    rep_a.refresh_from_db()
    assert rep_a.user.is_active


def test_the_contact_list_offers_no_removal_of_oneself(client_a, rep_a, other_contact_a):
    content = client_a.get(reverse("members:contacts")).content.decode()
    assert reverse("members:contact-delete", args=[other_contact_a.pk]) in content
    assert reverse("members:contact-delete", args=[rep_a.pk]) not in content


def test_removing_another_contact_deletes_it(client_a, other_contact_a):
    url = reverse("members:contact-delete", args=[other_contact_a.pk])
    assert client_a.get(url).status_code == 200
    response = client_a.post(url)
    assert response.status_code == 302
    assert response.url == reverse("members:contacts")
    assert not Contact.objects.filter(pk=other_contact_a.pk).exists()


def test_removing_a_contact_closes_its_account_and_invitations(client_a, member_a, rep_a):
    colleague = RepresentativeFactory(member=member_a)
    pending = InvitationFactory(contact=colleague, token="jeton-du-collegue")
    colleague_client = Client()
    colleague_client.force_login(colleague.user)

    response = client_a.post(reverse("members:contact-delete", args=[colleague.pk]))

    assert response.status_code == 302
    assert not Contact.objects.filter(pk=colleague.pk).exists()
    colleague.user.refresh_from_db()
    assert colleague.user.is_active is False
    assert colleague_client.get(reverse("members:portal")).status_code == 302
    # The invitation went with the contact (cascade); it can no longer be used.
    assert not type(pending).objects.filter(pk=pending.pk).exists()
    assert colleague_client.get(reverse("members:accept-invitation", args=["jeton-du-collegue"])).status_code == 404
    rep_a.user.refresh_from_db()
    assert rep_a.user.is_active
