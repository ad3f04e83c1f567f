"""A person's data on request: everything the app holds about them, and nothing about anyone else."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import TestCase
from django.urls import reverse

from activities.tests.factories import EventFactory, RegistrationFactory
from members.billing.invoices import issue_invoice, record_payment
from members.models import DuesRate
from members.tests.factories import BoardMandateFactory, ContactFactory, MemberFactory, RepresentativeFactory
from pole import outbox
from pole.fiscal_years import FiscalYear
from pole.models import ConsentRecord, PersonalDataAccess, PrivacyRequest
from pole.privacy import collect_person_data

pytestmark = pytest.mark.django_db

Y2017 = FiscalYear(2017)


@pytest.fixture
def marie():
    """Marie: a representative of Coop du Quai, registered to two events, whose invoice she issued and paid."""
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    coop = MemberFactory(name="Coop du Quai", address="12, rue du Quai\nQuébec", fiscal_years=[FiscalYear(2016)])
    other = MemberFactory(name="Coop Voisine", fiscal_years=[FiscalYear(2016)])
    marie = RepresentativeFactory(
        member=coop, first_name="Marie", last_name="Tremblay", email="marie@quai.coop", phone="418 555-0101"
    )
    ContactFactory(member=coop, first_name="Jean", last_name="Collègue", email="jean@quai.coop", phone="418 555-0199")
    ContactFactory(member=other, first_name="Annie", last_name="Voisine", email="annie@voisine.coop")
    brunch, forum = EventFactory(title="Brunch des membres"), EventFactory(title="Forum régional")
    RegistrationFactory(activity=brunch, name="Marie Tremblay", email="marie@quai.coop", member=coop, needs="Végétarienne")
    RegistrationFactory(activity=forum, name="Marie Tremblay", email="MARIE@quai.coop", member=coop)
    RegistrationFactory(activity=forum, name="Jean Collègue", email="jean@quai.coop", member=coop, needs="Sans gluten")
    RegistrationFactory(activity=brunch, name="Paul Inconnu", email="paul@ailleurs.org", organisation="Ailleurs")
    invoice = issue_invoice(member=coop, fiscal_year=Y2017, issued_by=marie.user, today=datetime.date(2017, 4, 10))
    record_payment(invoice=invoice, paid_on=datetime.date(2017, 4, 20), amount=invoice.total, reference="Chèque 118")
    issue_invoice(member=other, fiscal_year=Y2017, today=datetime.date(2017, 4, 11))
    BoardMandateFactory(name="Marie Tremblay", organisation="Coop du Quai")
    BoardMandateFactory(name="Annie Voisine", organisation="Coop Voisine")
    ConsentRecord.objects.create(
        email="marie@quai.coop", name="Marie Tremblay", purpose="news", wording="Je veux recevoir…", given_how="portal"
    )
    ConsentRecord.objects.create(email="jean@quai.coop", name="Jean", purpose="news", wording="…", given_how="portal")
    with TestCase.captureOnCommitCallbacks(execute=True):
        outbox.enqueue(EmailMessage("Bienvenue", "Bonjour Marie", to=["marie@quai.coop"]))
        outbox.enqueue(EmailMessage("Bienvenue", "Bonjour Jean", to=["jean@quai.coop"]))
        outbox.enqueue(EmailMessage("Bienvenue", "Bonjour Joanne", to=["annemarie@quai.coop"]))
    return marie


def test_the_export_holds_the_contact_two_registrations_the_invoice_and_nothing_of_anyone_else(marie):
    data = collect_person_data("Marie@Quai.coop")
    sections = data["sections"]

    assert [(c["first_name"], c["organisation"], c["phone"]) for c in sections["contacts"]] == [
        ("Marie", "Coop du Quai", "418 555-0101")
    ]
    assert [a["email"] for a in sections["account"]] == ["marie@quai.coop"]
    assert [(r["event"], r["needs"]) for r in sections["registrations"]] == [
        ("Brunch des membres", "Végétarienne"),
        ("Forum régional", ""),
    ]
    (invoice,) = sections["invoices"]
    assert invoice["billed_to"] == "Coop du Quai" and invoice["total"] == "160.00"
    assert [p["amount"] for p in invoice["payments"]] == ["160.00"]
    assert [b["organisation"] for b in sections["board"]] == ["Coop du Quai"]
    assert [c["purpose"] for c in sections["consents"]] == ["news"]
    assert [m["body"].split("\n")[0] for m in sections["emails"]] == ["Bonjour Marie"]

    text = json.dumps(data, ensure_ascii=False)
    for someone_else in ("Jean", "jean@", "Collègue", "Sans gluten", "Paul", "paul@", "Annie", "Voisine", "Joanne", "annemarie"):
        assert someone_else not in text, someone_else
    assert data["schema"] == "pole.person-data/1"


def test_the_direction_downloads_a_person_s_data_and_the_download_is_logged(marie, client, personnel_user, direction_user):
    url = reverse("admin:pole_person_data")
    client.force_login(personnel_user)
    assert client.get(url, {"email": "marie@quai.coop"}).status_code == 403
    client.force_login(direction_user)
    direction_client = client

    page = direction_client.get(url, {"email": "marie@quai.coop"})
    assert page.status_code == 200
    assert "Brunch des membres" in page.content.decode() and "Jean" not in page.content.decode()

    download = direction_client.get(url, {"email": "marie@quai.coop", "format": "json"})
    assert download["Content-Type"].startswith("application/json")
    assert json.loads(download.content)["sections"]["contacts"][0]["last_name"] == "Tremblay"
    html = direction_client.get(url, {"email": "marie@quai.coop", "format": "html"})
    assert "Forum régional" in html.content.decode() and "attachment" in html["Content-Disposition"]

    assert [row.what for row in PersonalDataAccess.objects.order_by("pk")] == [
        "données personnelles (page) : marie@quai.coop",
        "données personnelles (json) : marie@quai.coop",
        "données personnelles (html) : marie@quai.coop",
    ]

    bad = direction_client.get(url, {"email": "marie"})
    assert bad.status_code == 400 and "adresse courriel complète" in bad.content.decode()


def test_a_representative_downloads_their_own_data_only(client, marie):
    client.force_login(marie.user)
    response = client.get(reverse("members:my-data", args=["json"]))
    data = json.loads(response.content)
    assert data["email"] == "marie@quai.coop"
    assert "jean@quai.coop" not in response.content.decode()
    assert PersonalDataAccess.objects.get().user == marie.user
    assert client.get("/membre/mes-donnees.xml").status_code == 404


def test_a_request_is_due_thirty_days_after_it_is_received(db):
    request = PrivacyRequest.objects.create(
        kind="access", name="Marie", email="marie@quai.coop", received_on=datetime.date(2024, 1, 15)
    )
    assert request.due_on == datetime.date(2024, 2, 14)
    assert request.overdue
    assert not mail.outbox


def test_from_a_contact_the_direction_opens_the_person_s_data(marie, direction_client):
    response = direction_client.post(
        reverse("admin:members_contact_changelist"), {"action": "person_data", "_selected_action": [marie.pk]}
    )
    assert response.status_code == 302 and response["Location"].endswith("/personne/?email=marie%40quai.coop")


def test_an_erasure_request_carried_out_from_the_register(marie, direction_client):
    erasure = PrivacyRequest.objects.create(kind="erasure", name="Marie Tremblay", email="marie@quai.coop")
    access = PrivacyRequest.objects.create(kind="access", name="Jean", email="jean@quai.coop")
    url = reverse("admin:pole_privacyrequest_changelist")
    direction_client.post(url, {"action": "erase", "_selected_action": [erasure.pk, access.pk]})
    assert collect_person_data("marie@quai.coop")["sections"]["registrations"]  # nothing erased: an access request was selected
    direction_client.post(url, {"action": "erase", "_selected_action": [erasure.pk]})
    erasure.refresh_from_db()
    assert erasure.status == "answered" and erasure.answered_on is not None
    data = collect_person_data("marie@quai.coop")["sections"]
    assert data["registrations"] == [] and data["contacts"] == [] and data["account"] == []
    assert collect_person_data("jean@quai.coop")["sections"]["contacts"]  # nobody else
