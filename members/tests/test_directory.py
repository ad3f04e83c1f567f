"""The public member directory (/membres/): consenting members in good standing (this fiscal year or the last)."""

import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member, Membership
from members.selectors import DirectoryScope, directory_scope
from members.tests.factories import (
    ContactFactory,
    MemberFactory,
    RepresentativeFactory,
    TerritoryFactory,
    sector_named,
)
from members.views import PAGE_SIZE
from pole.fiscal_years import FiscalYear
from pole.identity import get_identity

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("members:directory")
CURRENT = FiscalYear.current()
PREVIOUS = FiscalYear(CURRENT.start_year - 1)
NEXT = FiscalYear(CURRENT.start_year + 1)


def listed(**kwargs):
    kwargs.setdefault("fiscal_years", [CURRENT])
    return MemberFactory(directory_consent=True, **kwargs)


def names(response):
    return [m.name for m in response.context["page"].object_list]


def all_names(response):
    return [m.name for m in response.context["page"].paginator.object_list]


def detail(member):
    return reverse("members:directory-detail", args=[member.pk])


@pytest.mark.parametrize("who", ["anonymous", "representative", "personnel_client", "direction_client"])
def test_the_directory_is_public(request, client, who):
    member = listed(name="Coopérative Publique")
    if who == "representative":
        client.force_login(RepresentativeFactory().user)
    elif who != "anonymous":
        client = request.getfixturevalue(who)
    for url in (DIRECTORY, detail(member)):
        response = client.get(url)
        assert response.status_code == 200
        assert "Coopérative Publique" in html.unescape(response.content.decode())


def test_consenting_members_of_this_fiscal_year_or_the_last_are_listed():
    listed(name="A — listée")
    MemberFactory(name="B — sans consentement", directory_consent=False, fiscal_years=[CURRENT])
    MemberFactory(name="C — l’an dernier", directory_consent=True, fiscal_years=[PREVIOUS])
    MemberFactory(name="D — l’an prochain seulement", directory_consent=True, fiscal_years=[NEXT])
    MemberFactory(name="E — jamais membre", directory_consent=True)
    listed(name="F — deux années", fiscal_years=[PREVIOUS, CURRENT])
    MemberFactory(name="G — il y a deux ans", directory_consent=True, fiscal_years=[PREVIOUS.previous])
    from django.test import Client

    response = Client().get(DIRECTORY)
    assert response.status_code == 200
    assert response.context["scope"] == DirectoryScope((CURRENT, PREVIOUS))
    assert all_names(response) == ["A — listée", "C — l’an dernier", "F — deux années"]
    content = html.unescape(response.content.decode())
    assert "sans consentement" not in content
    assert "jamais membre" not in content
    assert "il y a deux ans" not in content
    # The page says the rule.
    assert "adhésion pour l’exercice en cours ou le précédent" in content


def test_renewing_one_member_for_next_year_does_not_empty_the_directory(client):
    for number in range(5):
        listed(name=f"Membre {number}", fiscal_years=[PREVIOUS, CURRENT])
    renewed = listed(name="Renouvelée tôt", fiscal_years=[CURRENT])
    Membership.objects.create(member=renewed, fiscal_year=NEXT)
    assert len(all_names(client.get(DIRECTORY))) == 6


def test_when_records_stopped_the_latest_recorded_year_and_the_one_before_are_listed_and_said_to_staff(
    client, personnel_user
):
    old = FiscalYear(CURRENT.start_year - 5)
    MemberFactory(name="Plus ancienne", directory_consent=True, fiscal_years=[old.previous.previous])
    MemberFactory(name="De l'exercice d'avant", directory_consent=True, fiscal_years=[old.previous])
    MemberFactory(name="Du dernier exercice consigné", directory_consent=True, fiscal_years=[old])
    MemberFactory(name="Sans consentement", directory_consent=False, fiscal_years=[old])
    assert directory_scope() == DirectoryScope((old, old.previous), latest_recorded=old)
    response = client.get(DIRECTORY)
    assert all_names(response) == ["De l'exercice d'avant", "Du dernier exercice consigné"]
    content = html.unescape(response.content.decode())
    # The public reads the rule, never the state of the records (a staff-facing note).
    assert "le dernier exercice consigné" not in content and "Aucune adhésion" not in content
    assert "adhésion pour l’exercice en cours ou le précédent" in content
    staff = Client()
    staff.force_login(personnel_user)
    staff_view = html.unescape(staff.get(DIRECTORY).content.decode())
    assert f"les membres de {old.label}, le dernier exercice consigné" in staff_view

    # The first membership of the current or previous year brings the directory back to the rule.
    Membership.objects.create(member=MemberFactory(name="Revenue", directory_consent=True), fiscal_year=PREVIOUS)
    response = client.get(DIRECTORY)
    assert response.context["scope"] == DirectoryScope((CURRENT, PREVIOUS))
    assert all_names(response) == ["Revenue"]


def test_without_any_membership_the_directory_is_empty(client):
    MemberFactory(directory_consent=True)
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert response.context["scope"] == DirectoryScope(())
    assert all_names(response) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cooperative", ["Coopérative funéraire", "Coopérative Québec Habitation"]),
        ("COOPÉRATIVE", ["Coopérative funéraire", "Coopérative Québec Habitation"]),
        ("quebec", ["Coopérative Québec Habitation", "Mutuelle de prévention"]),
        ("  Funeraire  ", ["Coopérative funéraire"]),
        ("habitation", ["Coopérative Québec Habitation"]),
        ("sante securite", ["Mutuelle de prévention"]),
        ("pizzeria", []),
    ],
)
def test_the_search_ignores_accents_and_case(client, query, expected):
    listed(name="Coopérative funéraire", sector="Services funéraires", description="")
    listed(name="Coopérative Québec Habitation", sector="Habitation", description="Logements")
    listed(name="Mutuelle de prévention", sector="Santé sécurité", description="Partout au QUÉBEC.")
    MemberFactory(name="Coopérative cachée", directory_consent=False, fiscal_years=[CURRENT])
    response = client.get(DIRECTORY, {"q": query})
    assert response.status_code == 200
    # The order of names differing by case or accents depends on the database's collation.
    assert sorted(all_names(response)) == sorted(expected)


def test_filters_by_sector_and_territory(client):
    portneuf = TerritoryFactory(name="Portneuf")
    charlevoix = TerritoryFactory(name="Charlevoix")
    listed(name="Épicerie Portneuf", sector="Alimentation", territory=portneuf)
    listed(name="Épicerie Charlevoix", sector="Alimentation", territory=charlevoix)
    listed(name="Habitation Portneuf", sector="Habitation", territory=portneuf)
    MemberFactory(name="Cachée", sector="Secret", territory=TerritoryFactory(name="Caché"), fiscal_years=[CURRENT])

    food = sector_named("Alimentation").pk
    assert all_names(client.get(DIRECTORY, {"sector": food})) == ["Épicerie Charlevoix", "Épicerie Portneuf"]
    by_territory = all_names(client.get(DIRECTORY, {"territory": portneuf.pk}))
    assert sorted(by_territory) == ["Habitation Portneuf", "Épicerie Portneuf"]
    both = client.get(DIRECTORY, {"sector": food, "territory": portneuf.pk, "q": "epicerie"})
    assert all_names(both) == ["Épicerie Portneuf"]
    assert both.context["filtered"] is True
    assert client.get(DIRECTORY).context["filtered"] is False

    # The choices come from the listed members only.
    form = client.get(DIRECTORY).context["form"]
    assert [label for _, label in form.fields["sector"].choices][1:] == ["Alimentation", "Habitation"]
    assert [value for value, _ in form.fields["sector"].choices] == ["", str(food), str(sector_named("Habitation").pk)]
    assert [label for _, label in form.fields["territory"].choices][1:] == ["Portneuf", "Charlevoix"]


def test_the_sector_filter_offers_each_sector_once_however_members_spelled_it(client):
    """Sectors are a managed list: « Tourisme », « TOURISME » and « tourisme » are one sector.

    The members come through the spreadsheet import, as staff enter them, and through the
    portal's list: no second sector can be made of another spelling.
    """
    from members.resources import MemberResource
    from pole.tests.spreadsheet_helpers import csv_bytes, import_file

    header = "nom,forme_juridique,categorie,annee_fondation,territoire,milieu,secteur,courriel,telephone,site_web,adresse,adhesions"
    rows = [f"{name},coopérative,régulier,,,urbain,{spelling},,,,,{CURRENT.label}" for name, spelling in
            [("Auberge", "Tourisme"), ("Camping", "TOURISME"), ("Musée", " tourisme ")]]  # fmt: skip
    result = import_file(MemberResource, csv_bytes(header, *rows))
    assert not result.has_errors() and not result.has_validation_errors()
    Member.objects.update(directory_consent=True)
    form = client.get(DIRECTORY).context["form"]
    assert [label for _, label in form.fields["sector"].choices][1:] == ["Tourisme"]
    tourism = form.fields["sector"].choices[1][0]
    assert all_names(client.get(DIRECTORY, {"sector": tourism})) == ["Auberge", "Camping", "Musée"]


def test_an_unknown_filter_value_does_not_break_the_page(client):
    listed(name="Une")
    response = client.get(DIRECTORY, {"sector": "Inconnu", "territory": "999999"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_pagination_is_twelve_per_page_and_keeps_the_filters(client):
    territory = TerritoryFactory(name="Québec")
    for number in range(PAGE_SIZE + 3):
        listed(name=f"Coopérative d’habitation {number:02d}", sector="Habitation", territory=territory)
    for number in range(4):
        listed(name=f"Épicerie {number}", sector="Alimentation")

    housing = sector_named("Habitation").pk
    first = client.get(DIRECTORY, {"sector": housing, "q": "coopérative"})
    assert PAGE_SIZE == 12
    assert len(names(first)) == 12
    assert first.context["page"].paginator.count == 15
    assert first.context["page"].paginator.num_pages == 2
    content = first.content.decode()
    assert f"?sector={housing}&amp;q=coop%C3%A9rative&amp;page=2" in content
    assert "page=3" not in content

    second = client.get(DIRECTORY, {"sector": housing, "q": "coopérative", "page": 2})
    assert names(second) == [f"Coopérative d’habitation {n:02d}" for n in range(12, 15)]
    content = second.content.decode()
    assert f"?sector={housing}&amp;q=coop%C3%A9rative&amp;page=1" in content
    # The page number itself is not repeated in the links.
    assert "page=2&amp;page" not in content

    unfiltered = client.get(DIRECTORY)
    assert unfiltered.context["page"].paginator.count == 19
    assert 'href="?page=2"' in unfiltered.content.decode()


@pytest.mark.parametrize(("page", "expected"), [("999", 2), ("abc", 1), ("0", 2), ("-1", 2)])
def test_an_odd_page_number_gives_a_page(client, page, expected):
    for number in range(PAGE_SIZE + 1):
        listed(name=f"Membre {number:02d}")
    response = client.get(DIRECTORY, {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == expected


def test_the_detail_page_of_a_listed_member(client):
    member = listed(
        name="Coopérative Détaillée",
        description="Une coopérative.\nDeux lignes.",
        email="info@detail.exemple.org",
        website="https://detail.exemple.org",
        fiscal_years=[FiscalYear(2015), PREVIOUS, CURRENT],
    )
    contact = ContactFactory(member=member, email="personne@prive.exemple.org", phone="418 555-9999")
    response = client.get(detail(member))
    assert response.status_code == 200
    assert response.context["member"] == member
    assert response.context["member_since"] == FiscalYear(2015)
    content = html.unescape(response.content.decode())
    assert "info@detail.exemple.org" in content
    assert "2015-2016" in content
    # Contacts are private.
    assert contact.email not in content
    assert contact.last_name not in content
    assert "418 555-9999" not in content


@pytest.mark.parametrize(
    "case", ["no-consent", "two-years-ago-only", "next-year-only", "never-a-member", "does-not-exist"]
)
def test_the_detail_page_is_404_for_an_unlisted_member(client, case):
    listed(name="Une autre, listée")
    member = {
        "no-consent": lambda: MemberFactory(directory_consent=False, fiscal_years=[CURRENT]),
        "two-years-ago-only": lambda: MemberFactory(directory_consent=True, fiscal_years=[PREVIOUS.previous]),
        "next-year-only": lambda: MemberFactory(directory_consent=True, fiscal_years=[NEXT]),
        "never-a-member": lambda: MemberFactory(directory_consent=True),
        "does-not-exist": lambda: None,
    }[case]()
    url = detail(member) if member else reverse("members:directory-detail", args=[987654])
    assert client.get(url).status_code == 404


def test_the_detail_page_is_404_when_nothing_is_listed(client):
    member = MemberFactory(directory_consent=True)
    assert client.get(detail(member)).status_code == 404


def test_withdrawing_consent_removes_the_member_at_once(client):
    member = listed(name="Bientôt retirée")
    assert client.get(detail(member)).status_code == 200
    member.directory_consent = False
    member.save()
    assert client.get(detail(member)).status_code == 404
    assert all_names(client.get(DIRECTORY)) == []


def make_listed_members(count, start):
    territories = [TerritoryFactory() for _ in range(3)]
    for number in range(start, start + count):
        listed(
            name=f"Membre {number:03d}",
            sector=f"Secteur {number % 4}",
            territory=territories[number % 3],
            fiscal_years=[PREVIOUS, CURRENT],
            logo=f"members/logos/{number:032x}.png" if number % 2 else "",
        )


@pytest.mark.parametrize("params", [{}, {"q": "membre", "sector": "Secteur 1"}, {"page": "2"}])
def test_the_directory_query_count_does_not_grow_with_the_rows(client, params):
    if "sector" in params:
        params = {**params, "sector": sector_named(params["sector"]).pk}
    make_listed_members(2, 0)
    client.get(DIRECTORY, params)
    with CaptureQueriesContext(connection) as few:
        client.get(DIRECTORY, params)
    make_listed_members(40, 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_the_detail_query_count_does_not_grow_with_the_memberships(client):
    member = listed(name="Fidèle", fiscal_years=[CURRENT])
    get_identity()  # read once, then from the cache (pole.identity)
    with CaptureQueriesContext(connection) as few:
        client.get(detail(member))
    for start_year in range(2000, CURRENT.start_year):
        Membership.objects.create(member=member, fiscal_year=FiscalYear(start_year))
    with CaptureQueriesContext(connection) as many:
        response = client.get(detail(member))
    assert response.context["member_since"] == FiscalYear(2000)
    assert len(many) == len(few)
