"""The confidentiality-incident register (Direction; kept five years; exported as CSV) and the log
of every export of personal information (who, when, what)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.tests.factories import EventFactory, RegistrationFactory
from members.tests.factories import ContactFactory
from pole.models import ConfidentialityIncident, PersonalDataAccess

pytestmark = pytest.mark.django_db


def incident(**changes):
    values = {
        "title": "Liste d’inscriptions envoyée à la mauvaise adresse",
        "information": "Noms, courriels et besoins alimentaires de 42 personnes",
        "circumstances": "=Courriel envoyé à une adresse mal tapée",
        "occurred_on": datetime.date(2024, 3, 4),
        "known_on": datetime.date(2024, 3, 5),
        "people_count": 42,
        "injury": "serious",
        "injury_assessment": "Renseignements de santé (allergies) : sensibles.",
        "cai_notified_on": datetime.date(2024, 3, 7),
        "people_notified_on": datetime.date(2024, 3, 8),
        "measures": "Demande d’effacement au destinataire, confirmée.",
    }
    values.update(changes)
    return ConfidentialityIncident.objects.create(**values)


def test_the_direction_exports_the_register_as_csv_and_the_export_is_logged(direction_client, direction_user):
    recorded = incident()
    url = reverse("admin:pole_confidentialityincident_changelist")
    response = direction_client.post(url, {"action": "export_csv", "_selected_action": [recorded.pk]})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "connu_le,survenu_le,incident,renseignements,circonstances,personnes,prejudice_serieux,evaluation,"
        "avis_cai_le,avis_personnes_le,mesures"
    )
    assert lines[1].startswith("2024-03-05,2024-03-04,Liste d’inscriptions envoyée à la mauvaise adresse,")
    assert ",'=Courriel envoyé" in lines[1]  # a formula is escaped
    assert ",42,risque de préjudice sérieux," in lines[1] and "2024-03-07,2024-03-08" in lines[1]
    (log,) = PersonalDataAccess.objects.all()
    assert (log.user, log.what, log.rows) == (direction_user, "Registre des incidents de confidentialité", 1)


def test_personnel_cannot_see_the_register(personnel_client):
    incident()
    assert personnel_client.get(reverse("admin:pole_confidentialityincident_changelist")).status_code == 403


def test_an_incident_is_kept_five_years_after_it_became_known(direction_client):
    recent = incident(known_on=timezone.localdate() - datetime.timedelta(days=365 * 4))
    old = incident(known_on=timezone.localdate() - datetime.timedelta(days=365 * 6), occurred_on=None)
    assert direction_client.get(reverse("admin:pole_confidentialityincident_delete", args=[recent.pk])).status_code == 403
    response = direction_client.post(reverse("admin:pole_confidentialityincident_delete", args=[old.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(ConfidentialityIncident.objects.all()) == [recent]


def test_an_incident_known_before_it_happened_is_refused_in_french(direction_client):
    response = direction_client.post(
        reverse("admin:pole_confidentialityincident_add"),
        {
            "title": "Ordinateur perdu",
            "information": "Contacts",
            "circumstances": "Oublié dans un taxi",
            "occurred_on": "2024-05-02",
            "known_on": "2024-05-01",
            "injury": "assessing",
        },
    )
    assert response.status_code == 200
    assert "L’incident ne peut être connu avant d’être survenu." in response.content.decode()
    assert not ConfidentialityIncident.objects.exists()


def test_bulk_exports_of_registrants_and_contacts_are_logged(personnel_client, personnel_user):
    event = EventFactory(title="Brunch")
    RegistrationFactory(activity=event)
    RegistrationFactory(activity=event)
    personnel_client.get(reverse("activities:export-csv", args=[event.pk]))
    ContactFactory()
    personnel_client.post(reverse("admin:members_member_export"), {"resource": "0", "format": "0"})
    rows = list(PersonalDataAccess.objects.order_by("pk").values_list("user", "what", "rows"))
    assert rows[0] == (personnel_user.pk, f"inscriptions (csv) : Brunch ({event.start_date.isoformat()})", 2)
    assert rows[1][0] == personnel_user.pk and rows[1][1] == "membres (csv)"
