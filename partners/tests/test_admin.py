"""The partners admin: filters by fiscal year and category, missing logos, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.tests.factories import MemberFactory
from partners.models import Partnership
from partners.tests.factories import OrganisationFactory, PartnershipFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

ORGANISATIONS = "admin:partners_organisation_changelist"
PARTNERSHIPS = "admin:partners_partnership_changelist"

# A 1×1 transparent GIF.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def logo():
    return SimpleUploadedFile("logo.gif", GIF, content_type="image/gif")


def changelist(client, url_name, **params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_organisations_filtered_by_partnership_year(personnel_client):
    kept = OrganisationFactory(name="A")
    PartnershipFactory(organisation=kept, fiscal_year=FiscalYear(2016))
    PartnershipFactory(organisation=kept, fiscal_year=FiscalYear(2015))
    other = OrganisationFactory(name="B")
    PartnershipFactory(organisation=other, fiscal_year=FiscalYear(2015))
    OrganisationFactory(name="C")
    assert changelist(personnel_client, ORGANISATIONS, exercice="2016-2017") == [kept]


def test_organisations_filtered_by_category_in_the_chosen_year(personnel_client):
    official_now = OrganisationFactory(name="A")
    PartnershipFactory(organisation=official_now, fiscal_year=FiscalYear(2016), category=Partnership.Category.OFFICIAL)
    # Official partner last year, public partner this year: not an official partner of 2016-2017.
    official_before = OrganisationFactory(name="B")
    PartnershipFactory(
        organisation=official_before, fiscal_year=FiscalYear(2015), category=Partnership.Category.OFFICIAL
    )
    PartnershipFactory(organisation=official_before, fiscal_year=FiscalYear(2016), category=Partnership.Category.PUBLIC)

    assert changelist(personnel_client, ORGANISATIONS, categorie="official", exercice="2016-2017") == [official_now]
    assert changelist(personnel_client, ORGANISATIONS, categorie="official") == [official_now, official_before]
    assert changelist(personnel_client, ORGANISATIONS, categorie="public") == [official_before]


def test_partnership_category_filter_labels_are_french(personnel_client):
    response = personnel_client.get(reverse(ORGANISATIONS))
    spec = next(f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "categorie")
    assert spec.title == "catégorie de partenariat"
    assert [str(label) for _, label in spec.lookup_choices][:2] == ["membre ambassadeur", "partenaire public"]


def test_partnerships_filtered_by_year_and_category(personnel_client):
    kept = PartnershipFactory(fiscal_year=FiscalYear(2016), category=Partnership.Category.SUPPLIER)
    PartnershipFactory(fiscal_year=FiscalYear(2016), category=Partnership.Category.PUBLIC)
    PartnershipFactory(fiscal_year=FiscalYear(2015), category=Partnership.Category.SUPPLIER)
    assert changelist(personnel_client, PARTNERSHIPS, exercice="2016-2017", category__exact="supplier") == [kept]


def test_missing_logo_filter_accepts_the_member_profiles_logo(personnel_client):
    no_logo = PartnershipFactory(organisation=OrganisationFactory(name="A"))
    PartnershipFactory(organisation=OrganisationFactory(name="B", logo=logo()))
    PartnershipFactory(organisation=OrganisationFactory(name="C", member=MemberFactory(logo=logo())))
    member_without_logo = PartnershipFactory(organisation=OrganisationFactory(name="D", member=MemberFactory()))
    rows = changelist(personnel_client, PARTNERSHIPS, manque="logo")
    assert sorted(p.pk for p in rows) == sorted([no_logo.pk, member_without_logo.pk])


def _partnership(i):
    organisation = OrganisationFactory(member=MemberFactory() if i % 2 else None)
    PartnershipFactory(organisation=organisation, fiscal_year=FiscalYear(2016))


@pytest.mark.parametrize("params", ["", "?exercice=2016-2017&manque=logo"])
def test_partnership_changelist_queries_do_not_grow_with_the_rows(personnel_client, assert_constant_queries, params):
    response = assert_constant_queries(personnel_client, reverse(PARTNERSHIPS) + params, _partnership)
    assert len(response.context["cl"].result_list) == 20


@pytest.mark.parametrize("params", ["", "?exercice=2016-2017&categorie=public"])
def test_organisation_changelist_queries_do_not_grow_with_the_rows(personnel_client, assert_constant_queries, params):
    response = assert_constant_queries(personnel_client, reverse(ORGANISATIONS) + params, _partnership)
    assert len(response.context["cl"].result_list) == 20
