"""The public calendar, an event's page and registration, cancellation, and the staff's pages."""

import datetime
import io
import re
import subprocess

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from activities import registrations
from activities.models import Registration
from activities.tests.factories import EventFactory, ObjectiveFactory, RegistrationFactory, in_days
from members.tests.factories import MemberFactory, RepresentativeFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "name": "Marie Tremblay",
        "email": "marie@exemple.org",
        "organisation": "Coop des Deux Rives",
        "phone": "(418) 555-0134",
        "needs": "",
        "site_web": "",
    }
    data.update(changes)
    return data


# --- Calendar -------------------------------------------------------------------------------


def test_calendar_lists_upcoming_then_past_of_the_year_and_filters(client, fixed_today):
    fixed_today(datetime.date(2026, 11, 29))
    objective, other = ObjectiveFactory(name="Renforcer les compétences"), ObjectiveFactory()
    portneuf = TerritoryFactory(name="Portneuf")
    soon = EventFactory(title="Atelier bientôt", start_date=datetime.date(2026, 12, 5), objectives=[objective])
    EventFactory(
        title="Atelier plus tard", start_date=datetime.date(2027, 1, 5), territory=portneuf, objectives=[other]
    )
    EventFactory(title="Atelier passé", start_date=datetime.date(2026, 6, 5), objectives=[objective])
    EventFactory(title="Atelier d'une autre année", start_date=datetime.date(2025, 6, 5))
    EventFactory(title="Atelier non public", start_date=datetime.date(2026, 12, 6), registration_open=False)
    response = client.get(reverse("activities:calendar"))
    upcoming = [a.title for a in response.context["upcoming"]]
    assert upcoming == ["Atelier bientôt", "Atelier plus tard"]
    assert [a.title for a in response.context["past"]] == ["Atelier passé"]
    html = response.content.decode()
    assert "Atelier non public" not in html and "Atelier d'une autre année" not in html
    assert "5 décembre 2026, 9 h 00 – 12 h 00" in html

    response = client.get(reverse("activities:calendar"), {"objective": objective.pk})
    assert [a.title for a in response.context["upcoming"]] == [soon.title]
    response = client.get(reverse("activities:calendar"), {"territory": portneuf.pk})
    assert [a.title for a in response.context["upcoming"]] == ["Atelier plus tard"]
    assert response.context["past"] == []


def test_calendar_queries_do_not_grow_with_the_events(client, assert_constant_queries):
    objective = ObjectiveFactory()
    assert_constant_queries(
        client,
        reverse("activities:calendar"),
        lambda i: RegistrationFactory(activity=EventFactory(start_date=in_days(i + 1), objectives=[objective])),
    )


def test_the_feed_is_an_rfc5545_calendar_of_the_public_events(client):
    EventFactory(title="Atelier A", start_date=in_days(3))
    EventFactory(title="Journée B", start_date=in_days(10), end_date=in_days(11), start_time=None, end_time=None)
    EventFactory(title="Caché", registration_open=False)
    response = client.get(reverse("activities:feed"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Atelier A", "Journée B"}
    # An all-day event of two days ends (exclusively) the day after its last day.
    assert events["Journée B"].decoded("DTSTART") == in_days(10)
    assert events["Journée B"].decoded("DTEND") == in_days(12)
    assert calendar.walk("VTIMEZONE")  # the timed event's zone is described


def test_one_event_as_ics_and_a_private_activity_is_404(client):
    event = EventFactory(title="Atelier A")
    response = client.get(reverse("activities:ics", args=[event.pk]))
    assert response.status_code == 200 and b"SUMMARY:Atelier A" in response.content
    hidden = EventFactory(registration_open=False)
    assert client.get(reverse("activities:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("activities:ics", args=[hidden.pk])).status_code == 404


# --- Registration -----------------------------------------------------------------------------


def confirmation_link(message):
    """The link of the e-mail asking a visitor to confirm their registration (its path)."""
    (path,) = re.findall(r"https?://[^/\s]+(/activites/confirmation/[^/\s]+/)", message.body)
    return path


def test_registering_saves_a_normalised_registration_to_confirm_by_the_e_mailed_link(client, committed):
    event = EventFactory(capacity=10)
    with committed():
        response = client.post(
            reverse("activities:detail", args=[event.pk]), form_data(email="Marie@Exemple.ORG", phone="418.555.0134")
        )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.email, registration.phone, registration.status) == (
        "marie@exemple.org",
        "418 555-0134",
        "pending",
    )
    assert registration.client_address == "127.0.0.1"
    page = client.get(response["Location"]).content.decode().replace("\u00a0", " ")
    assert "Confirmez votre inscription" in page and "Une place vous est réservée pendant 30 minutes" in page
    (request,) = mail.outbox
    assert request.to == ["marie@exemple.org"] and request.subject.startswith("Confirmez votre inscription")
    assert request.attachments == []

    # The link shows a button (a mail scanner opening it confirms nothing); pressing it confirms.
    link = confirmation_link(request)
    assert "Confirmer mon inscription" in client.get(link).content.decode()
    assert Registration.objects.get().status == "pending"
    with committed():
        confirmed = client.post(link, follow=True)
    assert "Vous êtes inscrit" in confirmed.content.decode()
    assert Registration.objects.get().status == "confirmed"
    (_, confirmation) = mail.outbox
    assert confirmation.subject.startswith("Inscription confirmée")
    assert [name for name, _content, _type in confirmation.attachments] == ["evenement.ics"]
    # The link again: already confirmed, nothing changes and nothing is sent.
    with committed():
        again = client.post(link)
    assert again.status_code == 302 and len(mail.outbox) == 2
    assert "confirmée" in client.get(link).content.decode()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email": "pas-une-adresse"}, "email", "Saisissez une adresse"),
        ({"name": ""}, "name", "Ce champ est obligatoire"),
        ({"phone": "12"}, "phone", "n’est pas un numéro de téléphone"),
        ({"organisation": ""}, "organisation", "Écrivez le nom de votre organisation"),
        ({"name": "Marie\x07"}, "name", ""),
    ],
)
def test_bad_input_gets_a_french_message_and_saves_nothing(client, changes, field, message):
    event = EventFactory()
    response = client.post(reverse("activities:detail", args=[event.pk]), form_data(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not Registration.objects.exists() and not mail.outbox


def test_a_duplicate_address_is_refused_with_a_french_message(client):
    event = EventFactory()
    RegistrationFactory(activity=event, email="marie@exemple.org")
    response = client.post(reverse("activities:detail", args=[event.pk]), form_data(email="MARIE@exemple.org"))
    assert response.status_code == 400
    assert "Cette adresse courriel est déjà inscrite à cette activité." in response.context["form"].errors["email"]
    assert Registration.objects.count() == 1


def test_the_honeypot_refuses_robots(client):
    event = EventFactory()
    response = client.post(reverse("activities:detail", args=[event.pk]), form_data(site_web="http://spam.example"))
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_an_address_is_limited_to_some_registrations_an_hour(client, settings):
    settings.POLE_REGISTRATION_LIMIT_PER_HOUR = 2
    event = EventFactory()
    for i in range(2):
        assert (
            client.post(reverse("activities:detail", args=[event.pk]), form_data(email=f"p{i}@exemple.org")).status_code
            == 302
        )
    response = client.post(reverse("activities:detail", args=[event.pk]), form_data(email="p9@exemple.org"))
    assert response.status_code == 429
    assert "Trop d’inscriptions" in response.content.decode()
    assert Registration.objects.count() == 2


def test_a_full_event_puts_the_person_on_the_waiting_list_once_confirmed(client, committed):
    event = EventFactory(capacity=1)
    RegistrationFactory(activity=event)
    response = client.get(reverse("activities:detail", args=[event.pk]))
    assert "liste d’attente" in response.content.decode()
    with committed():
        response = client.post(reverse("activities:detail", args=[event.pk]), form_data(), follow=True)
    text = response.content.decode().replace("\u00a0", " ")
    assert "est complète : une fois confirmée, votre inscription rejoint la liste d’attente" in text
    registration = Registration.objects.get(email="marie@exemple.org")
    assert (registration.status, registration.seat_held_until) == ("pending", None)
    with committed():
        confirmed = client.post(confirmation_link(mail.outbox[0]), follow=True)
    assert "numéro 1 sur la liste d’attente" in confirmed.content.decode()
    assert Registration.objects.get(email="marie@exemple.org").status == "waiting"


def test_a_closed_event_shows_why_and_refuses_a_post(client):
    event = EventFactory(registration_deadline=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    response = client.get(reverse("activities:detail", args=[event.pk]))
    assert "registration-form" not in response.content.decode()
    assert client.post(reverse("activities:detail", args=[event.pk]), form_data()).status_code == 400
    assert not Registration.objects.exists()


def test_a_representative_registers_for_their_member_with_details_prefilled(client):
    representative = RepresentativeFactory(first_name="Léa", last_name="Gagnon", email="lea@rucher.org")
    other = MemberFactory()
    client.force_login(representative.user)
    event = EventFactory(non_members_allowed=False)
    page = client.get(reverse("activities:detail", args=[event.pk]))
    form = page.context["form"]
    assert form["name"].value() == "Léa Gagnon" and form["email"].value() == "lea@rucher.org"
    # The organisation is theirs, whatever is posted.
    response = client.post(
        reverse("activities:detail", args=[event.pk]),
        form_data(name="Léa Gagnon", email="lea@rucher.org", member=other.pk),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.member == representative.member and registration.user == representative.user


def test_cancel_link_confirms_then_cancels_and_promotes(client, committed):
    event = EventFactory(capacity=1)
    held = registrations.register(activity=event, name="A", email="a@exemple.org", organisation="X").registration
    registrations.register(activity=event, name="B", email="b@exemple.org", organisation="X")
    url = reverse("activities:cancel", args=[held.cancel_token])
    assert "Annuler mon inscription" in client.get(url).content.decode()
    assert Registration.objects.get(pk=held.pk).status == "confirmed"  # a GET (a mail scanner) cancels nothing
    with committed():
        response = client.post(url, follow=True)
    content = re.sub(r"[ \t\r\n]+", " ", response.content.decode())  # no-break spaces kept
    assert f"Votre inscription à «\u00a0{event.title}\u00a0» est annulée." in content
    # What comes next: the seat went to the person waiting; one may register again.
    assert "La place revient à la première personne de la liste d’attente" in content
    assert "réinscrivez-vous sur la page de l’activité" in content
    assert Registration.objects.get(email="b@exemple.org").status == "confirmed"
    assert [m.to for m in mail.outbox] == [["b@exemple.org"]]
    assert client.get(reverse("activities:cancel", args=["pas-un-jeton"])).status_code == 404


# --- Staff pages -------------------------------------------------------------------------------

STAFF_URLS = ["door", "walk-in", "attendance-sheet", "export-csv", "export-xlsx", "email"]


@pytest.mark.parametrize("name", STAFF_URLS)
def test_staff_pages_send_anonymous_to_login_and_refuse_others(client, name):
    event = EventFactory()
    url = reverse(f"activities:{name}", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    client.force_login(RepresentativeFactory().user)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(is_staff=True))  # staff without the registrations' permission
    assert client.get(url).status_code == 403


def test_door_lists_confirmed_registrants_searches_and_marks_present(personnel_client):
    event = EventFactory()
    marie = RegistrationFactory(activity=event, name="Marie Tremblay", organisation="Coop Rivière")
    RegistrationFactory(activity=event, name="Éloïse Roy")
    RegistrationFactory(activity=event, name="En attente", status=Registration.Status.WAITING)
    url = reverse("activities:door", args=[event.pk])
    response = personnel_client.get(url)
    names = [p.name for p in response.context["people"]]
    assert sorted(names) == ["Marie Tremblay", "Éloïse Roy"]  # the waiting registrant is not at the door
    assert [p.name for p in personnel_client.get(url, {"q": "eloise"}).context["people"]] == ["Éloïse Roy"]
    assert [p.name for p in personnel_client.get(url, {"q": "riviere"}).context["people"]] == ["Marie Tremblay"]
    response = personnel_client.post(reverse("activities:mark-present", args=[event.pk, marie.pk]), {"present": "1"})
    assert response.status_code == 302
    marie.refresh_from_db()
    assert marie.present
    assert personnel_client.get(url).context["summary"].present == 1
    # A registration of another activity is not reachable through this one.
    stranger = RegistrationFactory()
    assert (
        personnel_client.post(
            reverse("activities:mark-present", args=[event.pk, stranger.pk]), {"present": "1"}
        ).status_code
        == 404
    )


def test_door_page_separates_organisation_and_needs_only_when_both_are_known(personnel_client):
    event = EventFactory()
    RegistrationFactory(activity=event, name="Sans organisation", organisation="", needs="Végétarien", walk_in=True)
    RegistrationFactory(activity=event, name="Les deux", organisation="Coop Rivière", needs="Sans gluten")
    RegistrationFactory(activity=event, name="Sans besoin", organisation="Coop Rivière", needs="")
    RegistrationFactory(activity=event, name="Rien", organisation="", needs="")
    html = personnel_client.get(reverse("activities:door", args=[event.pk])).content.decode()
    details = [" ".join(line.split()) for line in re.findall(r'<div class="small text-body-secondary text-break">(.*?)</div>', html, re.S)]
    assert sorted(details) == ["Coop Rivière", "Coop Rivière · Sans gluten", "Végétarien"]


def test_door_page_queries_do_not_grow_with_the_registrants(personnel_client, assert_constant_queries):
    event = EventFactory()
    assert_constant_queries(
        personnel_client,
        reverse("activities:door", args=[event.pk]),
        lambda i: RegistrationFactory(activity=event, member=MemberFactory()),
    )


def test_walk_in_form_adds_a_present_person(personnel_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(activity=event)
    url = reverse("activities:walk-in", args=[event.pk])
    response = personnel_client.post(url, {"walkin-name": "", "walkin-email": ""})
    assert response.status_code == 400 and not Registration.objects.filter(walk_in=True).exists()
    response = personnel_client.post(
        url, {"walkin-name": "Paul Roy", "walkin-organisation": "Coop Roy", "walkin-phone": "4185550199"}
    )
    assert response.status_code == 302
    walk_in = Registration.objects.get(walk_in=True)
    assert (walk_in.present, walk_in.status, walk_in.phone) == (True, "confirmed", "418 555-0199")


def test_the_door_sheet_prints_needs_payment_members_and_the_waiting_list_by_last_name(personnel_client, tmp_path):
    from pole.models import NetworkIdentity

    NetworkIdentity.objects.create(name="Pôle d’essai du réseau")
    event = EventFactory(title="Déjeuner d’affaires", member_price=15, non_member_price=25)
    member = MemberFactory(name="Coop Rivière")
    RegistrationFactory(activity=event, name="Zoé Abel", organisation="", member=member, paid=True,
                        needs="Sans gluten")
    RegistrationFactory(activity=event, name="Marie Tremblay", organisation="Entreprise Ouest")
    RegistrationFactory(activity=event, name="Émile Côté", organisation="", member=member, needs="Fauteuil roulant")
    RegistrationFactory(activity=event, name="Hors liste", status=Registration.Status.WAITING, needs="Végétarien")
    RegistrationFactory(activity=event, name="Annulée Partie", status=Registration.Status.CANCELLED)
    response = personnel_client.get(reverse("activities:attendance-sheet", args=[event.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace("\u00a0", " ")
    assert "FEUILLE DE PRÉSENCES" in text and "Déjeuner d’affaires" in text and "Pôle d’essai du réseau" in text
    # By last name: Abel, Côté, Tremblay — not by first name.
    assert text.index("Zoé Abel") < text.index("Émile Côté") < text.index("Marie Tremblay")
    assert "Sans gluten" in text and "Fauteuil roulant" in text
    assert "payé 15,00 $" in text and "à payer : 15,00 $" in text and "à payer : 25,00 $" in text
    assert text.count("MEMBRE") >= 2 and "Entreprise Ouest" in text
    assert "3 personnes inscrites · 2 avec des besoins alimentaires ou d’accessibilité · 1 sur la liste d’attente" in text
    waiting = text.index("LISTE D’ATTENTE")
    assert text.index("Hors liste") > waiting and text.index("Végétarien") > waiting
    assert "Annulée Partie" not in text and "AJOUTS À LA PORTE" in text and "Page 1 de 1" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Source-Sans" in fonts and "DejaVu" not in fonts  # the report's type, not a system font


def test_export_csv_and_xlsx_list_the_registrants_safely(personnel_client):
    event = EventFactory()
    member = MemberFactory(name="Coopérative Le Rucher")
    RegistrationFactory(activity=event, name='=HYPERLINK("x")', member=member, email="a@exemple.org")
    RegistrationFactory(activity=event, name="Paul", status=Registration.Status.WAITING, email="b@exemple.org")
    Registration.objects.filter(member=member).update(paid=True)
    event.member_price, event.non_member_price = 15, 25
    event.save()
    csv = personnel_client.get(reverse("activities:export-csv", args=[event.pk])).content.decode("utf-8-sig")
    header, *rows = csv.strip().splitlines()
    assert header.startswith("activite,date,nom,courriel,organisation,membre")
    assert len(rows) == 2
    assert "'=HYPERLINK" in csv  # a formula is escaped
    assert "Coopérative Le Rucher,oui" in csv and "liste d’attente" in csv
    assert "tarif,paye" in header
    content = personnel_client.get(reverse("activities:export-xlsx", args=[event.pk])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    columns = [cell.value for cell in sheet[1]]
    rows = {row[2]: dict(zip(columns, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert (rows["Paul"]["tarif"], rows["Paul"]["paye"]) == ("25.00", "non")
    assert rows['\'=HYPERLINK("x")']["tarif"] == "15.00" and rows['\'=HYPERLINK("x")']["paye"] == "oui"
    assert [cell.value for cell in sheet[1]][:3] == ["activite", "date", "nom"]
    assert sheet.max_row == 3


def test_email_form_writes_to_the_confirmed_registrants(personnel_client, committed):
    event = EventFactory(capacity=1)
    RegistrationFactory(activity=event, email="a@exemple.org")
    RegistrationFactory(activity=event, email="b@exemple.org", status=Registration.Status.WAITING)
    url = reverse("activities:email", args=[event.pk])
    response = personnel_client.post(url, {"subject": "", "body": "Texte"})
    assert response.status_code == 400 and not mail.outbox
    with committed():
        response = personnel_client.post(url, {"subject": "Rappel", "body": "À demain, 9 h."}, follow=True)
    assert "1 courriel mis dans la boîte d’envoi." in response.content.decode()
    assert [(m.subject, m.to) for m in mail.outbox] == [("Rappel", ["a@exemple.org"])]


def test_dashboard_lists_upcoming_events_against_capacity(personnel_client):
    event = EventFactory(title="Atelier rempli", capacity=2)
    for status in ["confirmed", "confirmed", "waiting"]:
        RegistrationFactory(activity=event, status=status)
    html = personnel_client.get(reverse("admin:index")).content.decode()
    assert "Atelier rempli" in html and "2 sur 2" in html


# --- Portal ------------------------------------------------------------------------------------


def test_portal_lists_only_the_organisations_registrations(client, assert_constant_queries):
    representative = RepresentativeFactory()
    mine = RegistrationFactory(member=representative.member, name="Moi", activity=EventFactory(title="À venir"))
    RegistrationFactory(name="Quelqu'un d'autre", member=MemberFactory(), activity=mine.activity)
    client.force_login(representative.user)
    response = client.get(reverse("activities:portal-registrations"))
    assert [r.name for r in response.context["upcoming"]] == ["Moi"]
    assert "Quelqu'un d'autre" not in response.content.decode()
    # The page's queries do not grow with the organisation's registrations.
    assert_constant_queries(
        client,
        reverse("activities:portal-registrations"),
        lambda i: RegistrationFactory(member=representative.member, activity=EventFactory(start_date=in_days(i - 10))),
    )
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("activities:portal-registrations")).status_code == 403
