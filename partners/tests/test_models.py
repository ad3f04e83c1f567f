import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from members.tests.factories import MemberFactory
from partners.models import Affiliation, CommitteeSeat, Organisation, Partnership
from partners.tests.factories import (
    AffiliationFactory,
    CommitteeSeatFactory,
    OrganisationFactory,
    PartnershipFactory,
)
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

# The smallest valid GIF, for image fields.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def test_organisation_names_are_unique_whatever_the_case(violates):
    OrganisationFactory(name="Desjardins")
    with violates(Organisation, "partners_organisation_unique_name"):
        OrganisationFactory(name="DESJARDINS")


def test_one_partnership_per_organisation_and_year(violates):
    organisation = OrganisationFactory()
    PartnershipFactory(organisation=organisation, fiscal_year=FiscalYear(2016))
    with violates(Partnership, "partners_partnership_unique_organisation_year"):
        PartnershipFactory(organisation=organisation, fiscal_year=FiscalYear(2016), category="official")


def test_partnership_amount_cannot_be_negative(violates):
    with violates(Partnership, "partners_partnership_amount_not_negative"):
        PartnershipFactory(amount=-1)


def test_one_affiliation_per_organisation_and_year(violates):
    organisation = OrganisationFactory()
    AffiliationFactory(organisation=organisation, fiscal_year=FiscalYear(2016))
    with violates(Affiliation, "partners_affiliation_unique_organisation_year"):
        AffiliationFactory(organisation=organisation, fiscal_year=FiscalYear(2016))


def test_one_committee_seat_per_name_and_year(violates):
    CommitteeSeatFactory(name="Table régionale", fiscal_year=FiscalYear(2016))
    with violates(CommitteeSeat, "partners_committeeseat_unique_name_year"):
        CommitteeSeatFactory(name="Table régionale", fiscal_year=FiscalYear(2016))


def test_same_organisation_may_be_partner_in_two_years():
    organisation = OrganisationFactory()
    PartnershipFactory(organisation=organisation, fiscal_year=FiscalYear(2015))
    PartnershipFactory(organisation=organisation, fiscal_year=FiscalYear(2016))
    assert organisation.partnerships.count() == 2


@pytest.mark.parametrize("model", [Partnership, Affiliation, CommitteeSeat])
def test_in_fiscal_year_keeps_the_rows_of_that_year(model):
    factory = {Partnership: PartnershipFactory, Affiliation: AffiliationFactory, CommitteeSeat: CommitteeSeatFactory}[
        model
    ]
    kept = factory(fiscal_year=FiscalYear(2016))
    factory(fiscal_year=FiscalYear(2015))
    factory(fiscal_year=FiscalYear(2017))
    assert list(model.objects.in_fiscal_year("2016-2017")) == [kept]
    assert list(model.objects.in_fiscal_year(FiscalYear(2016))) == [kept]


def test_partnerships_list_newest_year_then_category_then_order():
    PartnershipFactory(organisation__name="B", fiscal_year=FiscalYear(2016), category="public", order=1)
    PartnershipFactory(organisation__name="A", fiscal_year=FiscalYear(2016), category="public", order=1)
    PartnershipFactory(organisation__name="C", fiscal_year=FiscalYear(2016), category="ambassador", order=5)
    PartnershipFactory(organisation__name="D", fiscal_year=FiscalYear(2015), category="ambassador", order=0)
    PartnershipFactory(organisation__name="E", fiscal_year=FiscalYear(2016), category="public", order=0)
    names = [p.organisation.name for p in Partnership.objects.select_related("organisation")]
    assert names == ["C", "E", "A", "B", "D"]


def test_partnership_str():
    partnership = PartnershipFactory(organisation__name="Desjardins", category="official", fiscal_year=FiscalYear(2016))
    with translation.override("en"):
        assert str(partnership) == "Desjardins — official partner 2016-2017"


def test_affiliation_and_committee_seat_str():
    assert str(AffiliationFactory(organisation__name="CQCM", fiscal_year=FiscalYear(2016))) == "CQCM (2016-2017)"
    assert (
        str(CommitteeSeatFactory(name="Table régionale", fiscal_year=FiscalYear(2016))) == "Table régionale (2016-2017)"
    )


def test_display_logo_is_the_organisation_logo_first():
    member = MemberFactory(logo=SimpleUploadedFile("membre.gif", GIF, content_type="image/gif"))
    organisation = OrganisationFactory(
        member=member, logo=SimpleUploadedFile("organisation.gif", GIF, content_type="image/gif")
    )
    assert organisation.display_logo.name == "partners/logos/organisation.gif"


def test_display_logo_falls_back_to_the_member_logo():
    member = MemberFactory(logo=SimpleUploadedFile("membre.gif", GIF, content_type="image/gif"))
    organisation = OrganisationFactory(member=member)
    assert organisation.display_logo.name == "members/logos/membre.gif"


def test_display_logo_is_none_without_any_logo():
    assert OrganisationFactory(member=MemberFactory()).display_logo is None
    assert OrganisationFactory().display_logo is None


def test_deleting_a_member_keeps_its_organisation():
    organisation = OrganisationFactory(member=MemberFactory())
    organisation.member.delete()
    organisation.refresh_from_db()
    assert organisation.member is None
