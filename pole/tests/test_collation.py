"""French alphabetical order (pole/collation.py): the same in Python, SQLite and PostgreSQL, and
wherever names are listed — the admin's lists (the column clicked included), the directory,
selects, exports."""

import pytest
from django.db import connection
from django.urls import reverse

from activities.forms import member_choices
from members.models import Contact, Member
from members.resources import MemberResource
from members.tests.factories import ContactFactory, MemberFactory
from pole.collation import french_order, french_sort_key, french_sorted

# As PostgreSQL's ICU collation fr-CA-u-ka-shifted sorts them (read from PostgreSQL 15).
FRENCH_ORDER = [
    "1er",
    "abc",
    "Abc",
    "Coop-A",
    "CoopA",
    "Coop B",
    "cote",
    "côte",
    "coté",
    "côté",
    "Dela",
    "De l'exercice",
    "Eco",
    "ecole",
    "Ecole",
    "École",
    "ÉCOLE",
    "Écoquartier",
    "Ile",
    "île",
    "Île",
    "Labaie",
    "La Baie",
    "Lile",
    "L'Île-d'Orléans",
    "oeuvre",
    "Oeuvre",
    "Œuvre",
    "Traiteur",
    "Zèbre",
]


def shuffled(names):
    return names[1::2] + names[::2][::-1]


def test_the_key_files_accented_capital_letters_with_their_letter_and_ignores_punctuation():
    assert french_sorted(shuffled(FRENCH_ORDER)) == FRENCH_ORDER
    assert french_sorted(["Traiteur", "Écoquartier", "Zèbre", "Atelier"]) == [
        "Atelier",
        "Écoquartier",
        "Traiteur",
        "Zèbre",
    ]
    # Two different names never compare equal: the order is total.
    assert french_sort_key("Coop-A") != french_sort_key("CoopA")


@pytest.mark.django_db
def test_the_database_sorts_names_exactly_as_python_does():
    """PostgreSQL (its ICU collation) and SQLite (the collation registered on the connection)."""
    member = MemberFactory()
    for name in shuffled(FRENCH_ORDER):
        ContactFactory(member=member, last_name=name, first_name="Luc")
    names = list(Contact.objects.order_by(french_order("last_name")).values_list("last_name", flat=True))
    assert names == FRENCH_ORDER, connection.vendor
    descending = Contact.objects.order_by(french_order("-last_name")).values_list("last_name", flat=True)
    assert list(descending) == FRENCH_ORDER[::-1]
    # The model's own ordering is French: every list, select and export that relies on it.
    assert [contact.last_name for contact in Contact.objects.all()] == FRENCH_ORDER


@pytest.mark.django_db
def test_the_member_select_of_the_registration_form_is_in_french_order():
    names = ["Traiteur Le Bon Goût", "Écoquartier Limoilou", "Atelier Recycl'Art", "entraide Québec"]
    for name in names:
        MemberFactory(name=name)
    assert [member.name for member in member_choices()] == french_sorted(names)
    assert [member.name for member in Member.objects.all()] == french_sorted(names)


@pytest.fixture
def accented_members(db):
    for name in [
        "Traiteur Le Bon Goût",
        "Écoquartier Limoilou",
        "Atelier Recycl'Art",
        "entraide Québec",
        "Zoo solidaire",
    ]:
        MemberFactory(name=name)
    return ["Atelier Recycl'Art", "Écoquartier Limoilou", "entraide Québec", "Traiteur Le Bon Goût", "Zoo solidaire"]


def listed_names(html, names):
    positions = {name: html.find(name.replace("'", "&#x27;")) for name in names}
    assert all(position >= 0 for position in positions.values()), positions
    return sorted(names, key=positions.get)


def test_the_admin_list_sorts_in_french_by_default_and_by_the_column_clicked(direction_client, accented_members):
    url = reverse("admin:members_member_changelist")
    assert listed_names(direction_client.get(url).content.decode(), accented_members) == accented_members
    # « Nom » is the first column; ?o=-1 sorts it descending.
    page = direction_client.get(url + "?o=-1").content.decode()
    assert listed_names(page, accented_members) == accented_members[::-1]


def test_the_members_export_is_in_french_order(accented_members):
    """The resource both the admin's « Exporter » and ``manage.py export`` use."""
    dataset = MemberResource().export()
    assert [row[0] for row in dataset] == accented_members
    assert dataset.headers[0] == "nom"
