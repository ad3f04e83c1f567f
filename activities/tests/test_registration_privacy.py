"""The public registration form: it lists only the members listed in the directory, says why it
collects what it asks and for how long, and asks for the news consent separately, off by default."""

import datetime

import pytest
from django.urls import reverse

from activities.models import Registration
from activities.tests.factories import EventFactory, in_days
from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear
from pole.models import ConsentRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(db):
    current = FiscalYear.current()
    return {
        "listed": MemberFactory(name="Coop affichée", directory_consent=True, fiscal_years=[current]),
        "unlisted": MemberFactory(name="Coop discrète", directory_consent=False, fiscal_years=[current]),
        "former": MemberFactory(
            name="Coop d’autrefois", directory_consent=True, fiscal_years=[FiscalYear(current.start_year - 4)]
        ),
    }


def test_the_public_form_names_no_member_organisation(client, members):
    """The public form lists no member at all (issue 21: registering as a member takes the portal),
    so neither an unlisted nor a former member is named on it."""
    event = EventFactory(start_date=in_days(10))
    response = client.get(reverse("activities:detail", args=[event.pk]))
    assert "member" not in response.context["form"].fields
    html = response.content.decode()
    assert "Coop discrète" not in html and "Coop d’autrefois" not in html


def test_a_registration_for_an_unlisted_member_chosen_by_id_is_refused(client, members):
    event = EventFactory(start_date=in_days(10))
    response = client.post(
        reverse("activities:detail", args=[event.pk]),
        {"name": "Marie", "email": "marie@exemple.org", "member": members["unlisted"].pk, "site_web": ""},
    )
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_the_form_says_why_and_how_long_and_links_the_policy(client, members):
    event = EventFactory(start_date=in_days(10))
    html = client.get(reverse("activities:detail", args=[event.pk])).content.decode()
    assert "Ces renseignements servent à vous inscrire et à vous prévenir des changements" in html
    assert "effacés 30\u00a0jours après l’activité" in html
    assert f'href="{reverse("privacy")}"' in html
    assert 'name="news_consent"' in html and "checked" not in html.split('name="news_consent"')[1].split(">")[0]


def test_the_news_consent_is_recorded_only_when_ticked_with_its_wording(client, members):
    event = EventFactory(start_date=in_days(10))
    url = reverse("activities:detail", args=[event.pk])
    client.post(url, {"name": "Paul", "email": "paul@exemple.org", "organisation": "Ailleurs", "site_web": ""})
    assert not ConsentRecord.objects.exists()
    client.post(
        url,
        {"name": "Marie", "email": "Marie@Exemple.org", "organisation": "Ailleurs", "site_web": "", "news_consent": "on"},
    )
    # Not before the address is confirmed by its link: nobody subscribes someone else's address.
    assert not ConsentRecord.objects.exists()
    for registration in Registration.objects.all():
        client.post(reverse("activities:confirm", args=[registration.cancel_token]))
    (consent,) = ConsentRecord.objects.all()
    assert (consent.email, consent.name, consent.purpose, consent.given_how) == (
        "marie@exemple.org", "Marie", "news", "registration"
    )
    assert consent.wording.startswith("J’accepte de recevoir l’infolettre")
    assert consent.given_at.date() == datetime.date.today()
