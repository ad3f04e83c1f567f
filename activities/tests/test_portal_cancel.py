"""A registered representative: the event page shows their registration; they cancel it (or a
colleague's) from there or from the portal's « Inscriptions » tab, and learn what comes next."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from activities.models import Registration
from activities.tests.factories import EventFactory, RegistrationFactory, in_days
from members.tests.factories import MemberFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def text(response):
    """The page's HTML on one line; the no-break spaces of French typography are kept."""
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


@pytest.fixture
def representative(client):
    person = RepresentativeFactory(first_name="Julie", last_name="Tremblay", email="julie@deuxrives.coop")
    client.force_login(person.user)
    return person


def cancel_url(registration, **query):
    url = reverse("activities:portal-cancel", args=[registration.pk])
    return f"{url}?depuis=activite" if query.get("from_event") else url


def test_a_registered_representative_sees_their_registration_not_an_empty_form(client, representative):
    event = EventFactory(title="Atelier de vente", capacity=10)
    mine = RegistrationFactory(
        activity=event, name="Julie Tremblay", email="julie@deuxrives.coop", member=representative.member
    )
    colleague = RegistrationFactory(activity=event, name="Marc Gagnon", member=representative.member)
    response = client.get(reverse("activities:detail", args=[event.pk]))
    page = text(response)
    assert f"Vous êtes inscrit·e{NBSP}: votre place est confirmée." in page
    assert f'href="{cancel_url(mine, from_event=True)}"' in response.content.decode()
    assert f"Aussi inscrits pour {representative.member.name}{NBSP}:</p> <ul class=\"mb-2\"><li>Marc Gagnon (confirmée)" in page
    assert [r.pk for r in response.context["own_registrations"]] == [mine.pk]
    assert [r.pk for r in response.context["colleague_registrations"]] == [colleague.pk]
    # The form registers someone else: it is not prefilled with the representative's own details.
    assert "Inscrire une autre personne" in page
    assert response.context["form"]["name"].value() in (None, "")


def test_a_representative_on_the_waiting_list_sees_their_place(client, representative):
    event = EventFactory(capacity=1)
    RegistrationFactory(activity=event)
    RegistrationFactory(activity=event, status=Registration.Status.WAITING)
    RegistrationFactory(
        activity=event, email="julie@deuxrives.coop", member=representative.member, status=Registration.Status.WAITING
    )
    page = text(client.get(reverse("activities:detail", args=[event.pk])))
    assert f"Vous êtes sur la liste d’attente{NBSP}: numéro 2." in page


def test_a_visitor_and_an_unregistered_representative_get_the_form(client, representative):
    event = EventFactory()
    RegistrationFactory(activity=event, email="quelquun@exemple.org")  # someone else's
    response = client.get(reverse("activities:detail", args=[event.pk]))
    assert response.context["own_registrations"] == []
    assert response.context["form"]["name"].value() == "Julie Tremblay"
    client.logout()
    response = client.get(reverse("activities:detail", args=[event.pk]))
    assert response.context["own_registrations"] == [] and "Vous êtes inscrit" not in text(response)


def test_cancelling_from_the_event_page_confirms_then_cancels_and_promotes(client, representative, committed):
    event = EventFactory(title="Atelier de vente", capacity=1)
    mine = RegistrationFactory(activity=event, email="julie@deuxrives.coop", member=representative.member)
    waiting = RegistrationFactory(activity=event, email="eloise@exemple.org", status=Registration.Status.WAITING)

    confirm = client.get(cancel_url(mine, from_event=True))
    assert confirm.status_code == 200
    assert "La place reviendra à la première personne de la liste d’attente" in text(confirm)
    assert Registration.objects.get(pk=mine.pk).status == "confirmed"  # a GET changes nothing

    with committed():
        response = client.post(cancel_url(mine), {"depuis": "activite"})
    assert response.status_code == 302 and response["Location"] == reverse("activities:detail", args=[event.pk])
    assert Registration.objects.get(pk=mine.pk).status == "cancelled"
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert [message.to for message in mail.outbox] == [["eloise@exemple.org"]]  # the promoted person
    page = text(client.get(response["Location"]))
    assert f"Votre inscription à «{NBSP}Atelier de vente{NBSP}» est annulée." in page
    assert "La place revient à la première personne de la liste d’attente, qui en est avisée par courriel." in page
    assert "réinscrivez-vous sur la page de l’activité" in page
    # The page shows the form again; the registration is no longer shown as theirs.
    assert "Vous êtes inscrit" not in page


def test_cancelling_a_colleagues_registration_tells_them_by_e_mail(client, representative, committed):
    event = EventFactory(title="Atelier de vente")
    colleague = RegistrationFactory(
        activity=event, name="Marc Gagnon", email="marc@deuxrives.coop", member=representative.member
    )
    with committed():
        response = client.post(cancel_url(colleague), follow=True)
    assert Registration.objects.get(pk=colleague.pk).status == "cancelled"
    (notice,) = mail.outbox
    assert notice.to == ["marc@deuxrives.coop"]
    assert notice.subject.replace(NBSP, " ") == "Inscription annulée : Atelier de vente"
    assert f"Julie Tremblay ({representative.member.name}) a annulé votre inscription" in notice.body
    assert "Marc Gagnon en est avisé·e par courriel" in text(response)
    assert response.redirect_chain[-1][0] == reverse("activities:portal-registrations")


def test_another_organisations_registration_cannot_be_seen_nor_cancelled(client, representative):
    other = RegistrationFactory(member=MemberFactory(), email="autre@exemple.org")
    assert client.get(cancel_url(other)).status_code == 404
    assert client.post(cancel_url(other)).status_code == 404
    assert Registration.objects.get(pk=other.pk).status == "confirmed"
    assert not mail.outbox
    # Staff use the admin; anonymous visitors log in first.
    client.force_login(UserFactory(is_staff=True))
    assert client.post(cancel_url(other)).status_code == 403
    client.logout()
    assert client.post(cancel_url(other)).status_code == 302
    assert Registration.objects.get(pk=other.pk).status == "confirmed"


@pytest.mark.parametrize(
    "changes",
    [
        {"activity__start_date": datetime.date(2016, 4, 13)},  # the activity is over
        {"present": True},  # already at the door
        {"status": Registration.Status.CANCELLED},
    ],
    ids=["over", "present", "cancelled"],
)
def test_a_registration_that_is_over_attended_or_cancelled_cannot_be_cancelled(client, representative, changes):
    registration = RegistrationFactory(member=representative.member, **changes)
    response = client.post(cancel_url(registration), follow=True)
    assert "Cette inscription ne peut plus être annulée." in text(response)
    assert Registration.objects.get(pk=registration.pk).status == changes.get("status", "confirmed")


def test_the_registrations_tab_offers_cancelling_the_upcoming_ones(client, representative, assert_constant_queries):
    upcoming = RegistrationFactory(member=representative.member, name="Julie Tremblay")
    present = RegistrationFactory(member=representative.member, name="Marc Gagnon", present=True)
    RegistrationFactory(
        member=representative.member, name="Ancienne", activity=EventFactory(start_date=in_days(-30))
    )
    response = client.get(reverse("activities:portal-registrations"))
    html = response.content.decode()
    assert html.count(reverse("activities:portal-cancel", args=[upcoming.pk])) == 1
    assert reverse("activities:portal-cancel", args=[present.pk]) not in html
    assert "Annuler <span class=\"visually-hidden\">l’inscription de Julie Tremblay</span>" in html
    # The queries do not grow with the registrations.
    assert_constant_queries(
        client,
        reverse("activities:portal-registrations"),
        lambda i: RegistrationFactory(member=representative.member, activity=EventFactory(start_date=in_days(i - 10))),
    )
