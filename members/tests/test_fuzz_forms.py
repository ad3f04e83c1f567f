"""Fuzzed input to the portal's forms and pages: never an unhandled exception, never a 5xx.

The forms (profile, contact, login, directory search) get any text in any field, and the
pages get any POST or query string: a form is valid or lists its errors, a valid form saves,
and a page answers 200, 302 or a 4xx, never a crash.
"""

import pytest
from django.db import transaction
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.forms import ContactForm, DirectorySearchForm, EmailAuthenticationForm, MemberProfileForm
from members.models import Contact, Member
from members.tests.factories import ContactFactory, MemberFactory, UserFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

TRICKY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "=1+1",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "https://exemple.org",
    "exemple.org",
    "http://[::1",
    "https://" + "a" * 300 + ".org",
    "x@y",
    "a@exemple.org",
    "A@EXEMPLE.ORG ",
    "@",
    "é" * 5000,
    "9" * 50,
    "-1",
    "on",
    "true",
    "😀",
    "\r\n",
    "'; DROP TABLE members_member; --",
]


def text():
    # No lone surrogates: a request's body is decoded with replacement, so a form never sees one.
    return st.one_of(st.sampled_from(TRICKY), st.text(st.characters(exclude_categories=["Cs"]), max_size=200))


def form_data(fields):
    """A POST-like dict: each known field absent, or any text; plus stray fields."""
    known = st.fixed_dictionaries({}, optional={name: text() for name in fields})
    stray = st.dictionaries(
        st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=10), text(), max_size=3
    )
    return st.tuples(known, stray).map(lambda pair: {**pair[1], **pair[0]})


@pytest.fixture
def member(db):
    return MemberFactory(name="Coopérative du Rucher", directory_consent=True, fiscal_years=[FiscalYear.current()])


def in_rollback(check):
    """Run ``check`` in a savepoint rolled back after, so that examples do not see each other."""
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@FUZZ
@given(data=form_data(MemberProfileForm._meta.fields))
def test_profile_form_validates_or_saves_anything(member, data):
    def check():
        form = MemberProfileForm(data=data, instance=Member.objects.get(pk=member.pk))
        if form.is_valid():
            saved = form.save()
            saved.refresh_from_db()
            assert saved.description == form.cleaned_data["description"]
        else:
            assert form.errors
            assert Member.objects.get(pk=member.pk).description == member.description

    in_rollback(check)


@FUZZ
@given(data=form_data(ContactForm._meta.fields))
def test_contact_form_validates_or_saves_anything(member, data):
    def check():
        form = ContactForm(data=data)
        if form.is_valid():
            form.instance.member = member
            contact = form.save()
            assert Contact.objects.filter(pk=contact.pk, member=member).exists()
        else:
            assert form.errors and not Contact.objects.filter(member=member).exists()

    in_rollback(check)


@pytest.fixture
def lea(db):
    return UserFactory(email="lea@exemple.org", password="Une-phrase-de-passe-2026")


@FUZZ
@given(data=form_data(["username", "password"]))
def test_login_form_refuses_anything_but_the_right_password(lea, data):
    def check():
        request = RequestFactory().post("/connexion/", data)
        form = EmailAuthenticationForm(request, data=data)
        assert not form.is_valid()

    in_rollback(check)


@FUZZ
@given(data=form_data(["q", "sector", "territory"]))
def test_directory_search_form_never_raises(member, data):
    territory = member.territory
    form = DirectorySearchForm(data, sectors=[member.sector], territories=[territory])
    if form.is_valid():
        assert set(form.cleaned_data) == {"q", "sector", "territory"}
    else:
        assert form.errors


@pytest.fixture
def representative_client(client, member):
    user = UserFactory(email="rucher@exemple.org")
    ContactFactory(member=member, email=user.email, user=user)
    client.force_login(user)
    return client


@FUZZ
@given(data=form_data([*MemberProfileForm._meta.fields, "csrfmiddlewaretoken"]))
def test_profile_page_answers_any_post(representative_client, member, data):
    def check():
        response = representative_client.post("/membre/profil/", data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response.context["form"].errors
            assert Member.objects.get(pk=member.pk).description == member.description

    in_rollback(check)


@FUZZ
@given(data=form_data(ContactForm._meta.fields))
def test_contact_page_answers_any_post(representative_client, data):
    def check():
        response = representative_client.post("/membre/contacts/ajouter/", data)
        assert response.status_code in (200, 302)

    in_rollback(check)


@FUZZ
@given(data=form_data(["username", "password", "next"]))
def test_login_page_answers_any_post(client, db, data):
    def check():
        response = client.post("/connexion/", data)
        # 403 for a lockout (five failures) or a missing CSRF token is an answer, not a crash.
        assert response.status_code in (200, 403, 429)

    in_rollback(check)


@FUZZ
@given(params=form_data(["q", "sector", "territory", "page"]))
def test_directory_answers_any_query(client, member, params):
    response = client.get("/membres/", params)
    assert response.status_code == 200
