"""French grammar and wording outside the catalogue's reach: elision before a name, plurals of
every count, file sizes written one way, no English in a calendar file."""

import pytest
from django.urls import reverse
from django.utils import translation
from import_export.results import RowResult

from activities.calendar import activity_calendar
from activities.tests.factories import EventFactory, RegistrationFactory
from pole.formatting import format_file_size
from pole.french import begins_with_vowel_sound, of_name
from pole.spreadsheets.resources import SpreadsheetResult

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Émilie", "d’Émilie"), ("Jean", "de Jean"), ("Hélène", "d’Hélène"), ("Ulrich", "d’Ulrich"), ("Yvon", "d’Yvon")],
)
def test_de_elides_before_a_vowel(name, expected):
    with translation.override("fr-ca"):
        assert of_name(name) == expected
    with translation.override("en"):
        assert of_name(name) == f"of {name}"


def test_an_aspirated_h_takes_no_elision():
    assert not begins_with_vowel_sound("hockey Québec") and begins_with_vowel_sound("Hôtel")


def test_file_sizes_read_one_way_in_french_and_in_english():
    with translation.override("fr-ca"):
        assert [format_file_size(size) for size in (0, 900, 20_000, 2 * 1024 * 1024, int(1.5 * 1024 * 1024))] == [
            f"0{NBSP}o",
            f"900{NBSP}o",
            f"19,5{NBSP}ko",
            f"2{NBSP}Mo",
            f"1,5{NBSP}Mo",
        ]
    with translation.override("en"):
        assert format_file_size(2 * 1024 * 1024) == "2 MB"


def test_the_import_summary_counts_each_row_kind_with_its_own_plural():
    result = SpreadsheetResult()
    result.totals.update(
        {RowResult.IMPORT_TYPE_NEW: 1, RowResult.IMPORT_TYPE_UPDATE: 0, RowResult.IMPORT_TYPE_SKIP: 1500}
    )
    with translation.override("fr-ca"):
        assert result.summary("activités") == (
            f"Importation terminée (activités){NBSP}: 1{NBSP}ligne ajoutée, 0{NBSP}ligne modifiée, "
            f"1{NBSP}500{NBSP}lignes inchangées."
        )
    with translation.override("en"):
        assert (
            result.summary("activities")
            == "Import finished (activities): 1 row added, 0 rows updated, 1,500 rows unchanged."
        )


@pytest.mark.django_db
def test_the_cancel_page_elides_before_the_person_s_name(client):
    registration = RegistrationFactory(activity=EventFactory(), name="Émilie Tremblay")
    page = client.get(reverse("activities:cancel", args=[registration.cancel_token])).content.decode()
    assert "Inscription d’Émilie Tremblay" in page and "de Émilie" not in page


@pytest.mark.django_db
def test_the_calendar_file_explains_its_time_zone_in_french():
    event = EventFactory()
    with translation.override("fr-ca"):
        ics = activity_calendar([event]).decode()
    assert "This timezone" not in ics
    assert "COMMENT:Ces règles du fuseau horaire valent du" in ics.replace("\r\n ", "")


@pytest.mark.django_db
def test_a_member_s_attendance_counts_persons_and_activities_each_with_its_plural(client):
    from members.tests.factories import RepresentativeFactory

    representative = RepresentativeFactory()
    client.force_login(representative.user)
    page = client.get(reverse("activities:portal-registrations")).content.decode()
    assert f"0{NBSP}présence à 0{NBSP}activité du réseau." in page
